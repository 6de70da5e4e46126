"""Words for the fixed values of a definition, as people read them on the portal."""

from django.utils.translation import gettext_lazy as _

AUDIENCE_LABELS = {
    "individual": _("Individuals"),
    "legal-entity": _("Legal entities and sole proprietors"),
    "foreigner": _("Foreign citizens and stateless persons"),
}

LEVEL_LABELS = {
    "informational": _("Information only"),
    "semi-automated": _("Apply online, receive in person"),
    "automated": _("Automatic"),
    "interactive": _("Fully online"),
}

LEVEL_HELP = {
    "informational": _("This page explains the service; you apply in person."),
    "semi-automated": _("You apply online and collect the result in person."),
    "automated": _("The decision is made automatically by the rules, without an officer."),
    "interactive": _("You apply and receive the result online; an officer processes the application."),
}

CHANNEL_LABELS = {
    "online": _("Online on the portal"),
    "service-centre": _("At a public service centre"),
    "mobile": _("In the mobile app"),
}

EXEMPTION_LABELS = {
    "disabled-person": _("Persons with disabilities"),
    "low-income-family": _("Low-income families"),
    "pensioner": _("Pensioners"),
    "war-veteran": _("War veterans"),
    "student": _("Students"),
    "large-family": _("Large families"),
    "orphan": _("Orphans"),
}

LEGAL_ACT_LABELS = {
    "law": _("Law"),
    "presidential-decree": _("Decree of the President"),
    "presidential-resolution": _("Resolution of the President"),
    "cabinet-resolution": _("Resolution of the Cabinet of Ministers"),
    "ministerial-order": _("Order of a ministry"),
    "code": _("Code"),
}

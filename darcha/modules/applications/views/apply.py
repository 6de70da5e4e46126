"""Applying online: choose for whom, fill the form, attach documents, save or submit."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from darcha.modules.applications import api
from darcha.modules.applications.views.common import language, refusal, refused, status_url
from darcha.modules.applications.views.filling import Filing, Party, handle_post, render_form, upload_cap
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.identity import api as identity

PERSONS = {"individual", "foreigner"}


def parties(request: HttpRequest, service: catalog.ServiceInfo) -> list[Party]:
    """For whom the signed-in person may apply for this service."""
    person = identity.person_for_account(request.user.pk)
    if person is None:
        return []
    lang = language()
    audience = set(service.audience)
    options = []
    if audience & PERSONS:
        options.append(Party("self", "self", "", _("Myself, %(name)s") % {"name": person.full_name(lang)}))
    if "legal-entity" in audience:
        options += [
            Party(
                f"entity:{e.stir}",
                "entity",
                e.stir,
                _("%(name)s (STIR %(stir)s)") % {"name": e.name, "stir": e.stir},
            )
            for e in identity.entities_represented(person.id)
        ]
    if "individual" in audience:
        options += [
            Party(
                f"child:{c.id}",
                "child",
                c.id,
                _("My child %(name)s, born %(date)s")
                % {"name": c.full_name(lang), "date": c.birth_date.strftime("%d.%m.%Y")},
            )
            for c in identity.children_of(person.id)
        ]
    # Acting for an organisation in this session puts it first.
    acting = identity.acting_for(request)
    if acting and acting.is_entity:
        options.sort(key=lambda p: p.ref != acting.stir)
    return options


def _filing(request: HttpRequest, code: str) -> Filing | HttpResponse:
    service = catalog.service(code)
    if service is None:
        return refused(request, _("There is no such service."), 404)
    if "online" not in service.channels or service.level == "informational":
        return refused(
            request, _("This service is not provided online. Apply at a public service centre."), 404
        )
    try:
        form = api.service_form(code)
    except api.ApplicationError as error:
        return refused(request, error.message, 404)
    options = parties(request, service)
    if not options:
        return refused(
            request,
            _("This service is for organisations, and you do not represent one.")
            if identity.person_for_account(request.user.pk)
            else _("Your account is not linked to a person, so you cannot apply."),
            403,
        )
    return Filing(
        account_id=str(request.user.pk),
        service=service,
        form=form,
        parties=tuple(options),
        action_url=reverse("applications:start", args=[code]),
        context={"drafts_url": reverse("applications:cabinet")},
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    filing = _filing(request, code)
    if isinstance(filing, HttpResponse):
        return filing
    if request.method == "POST":
        # Oversized files are dropped as they stream in, before anything reads the body.
        documents.limit_upload_size(request, max_bytes=upload_cap(filing.form))
        return _post(request, filing)
    draft = None
    if draft_id := request.GET.get("draft"):
        draft = api.draft(draft_id, filing.account_id)
        if draft is None or draft.service_code != code:
            return refused(request, _("There is no such draft."), 404)
    party = _party(request, filing, draft)
    if party is None:
        return _choose(request, filing, draft)
    notice = (
        _("Your draft is saved. You can come back to it from any device.") if request.GET.get("saved") else ""
    )
    return render_form(
        request, filing, draft=draft, data=draft.data if draft else {}, party=party, notice=notice
    )


def _party(request: HttpRequest, filing: Filing, draft: api.DraftInfo | None) -> str | None:
    """The party chosen (?for=), or the draft's, or the only one; None to ask."""
    if request.GET.get("choose"):
        return None
    if chosen := request.GET.get("for"):
        return chosen if filing.party(chosen) else None
    if draft is not None:
        found = next(
            (p for p in filing.parties if (p.kind, p.ref) == (draft.party_kind, draft.party_ref)), None
        )
        return found.value if found else None
    return filing.parties[0].value if len(filing.parties) == 1 else None


def _choose(request: HttpRequest, filing: Filing, draft: api.DraftInfo | None) -> HttpResponse:
    wrong = "for" in request.GET and not request.GET.get("choose")
    return render(
        request,
        "applications/choose.html",
        {
            "service_title": filing.service.text("title", language()),
            "parties": filing.parties,
            "action_url": filing.action_url,
            "draft": draft,
            "problem": _("Choose one of the options.") if wrong else "",
        },
        status=422 if wrong else 200,
    )


@csrf_protect
def _post(request: HttpRequest, filing: Filing) -> HttpResponse:
    return handle_post(
        request,
        filing,
        page_of=lambda number: reverse("applications:submitted", args=[number]),
    )


@login_required
def submitted(request: HttpRequest, number: str) -> HttpResponse:
    application = api.application_by_number(number, request.user.pk)
    if application is None:
        return refusal(request, api.NotFound(_("There is no such application.")))
    return render(
        request,
        "applications/submitted.html",
        {
            "application": application,
            "title": application.title(language()),
            "status_url": status_url(application),
        },
    )

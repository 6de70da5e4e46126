"""Forms of the application pages: they parse what people type; the rules live in services."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from darcha.modules.identity import api as identity

PINFL = re.compile(r"[0-9]{14}")
QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
STATS_GROUPS = {
    "region": _("Region"),
    "agency": _("Agency"),
    "service": _("Service"),
    "channel": _("Channel"),
}


class Form(forms.Form):
    """Django's own required and choice messages are missing in Uzbek Cyrillic; these are not."""

    prefix_id = "id"

    def __init__(self, *args, **kwargs):
        # Several forms share a page: each keeps its own element ids.
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Fill in this field.")
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = _("Choose one of the options in the list.")


class StatusForm(Form):
    prefix_id = "status"
    number = forms.CharField(
        label=_("Application number"),
        max_length=20,
        help_text=_("As on your receipt, for example 26-1726-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        help_text=_("10 letters and digits, printed next to the number."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


class WithdrawForm(Form):
    prefix_id = "withdraw"
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Why do you withdraw it? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(Form):
    prefix_id = "rating"
    stars = forms.TypedChoiceField(
        label=_("How do you rate the service?"),
        coerce=int,
        choices=[
            (5, _("5 — excellent")),
            (4, _("4 — good")),
            (3, _("3 — satisfactory")),
            (2, _("2 — poor")),
            (1, _("1 — very poor")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InboxFilterForm(Form):
    """The inbox filters; every one is optional and a wrong value is ignored, not refused."""

    prefix_id = "filter"
    state = forms.CharField(label=_("Status"), required=False, max_length=40)
    service = forms.CharField(label=_("Service"), required=False, max_length=60)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    due = forms.BooleanField(label=_("Due today"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    closed = forms.BooleanField(label=_("Include completed"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("deadline", _("Soonest deadline first")), ("newest", _("Newest first"))],
    )


class InboxSearchForm(Form):
    prefix_id = "search"
    q = forms.CharField(
        label=_("Application number or applicant's PINFL"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    purpose = forms.CharField(
        label=_("Purpose of the search (required for a PINFL)"),
        help_text=_("A search by PINFL reads personal data; it is recorded with this purpose."),
        required=False,
        max_length=200,
    )

    def clean(self):
        cleaned = super().clean()
        query = cleaned.get("q", "").replace(" ", "")
        if PINFL.fullmatch(query) and not cleaned.get("purpose", "").strip():
            self.add_error("purpose", _("State why you search by PINFL."))
        cleaned["q"] = query
        return cleaned


class CommentForm(Form):
    prefix_id = "comment"
    text = forms.CharField(
        label=_("Internal comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitorForm(Form):
    prefix_id = "visitor"
    pinfl = forms.CharField(
        label=_("Visitor's PINFL"),
        max_length=20,
        help_text=_("14 digits, from the visitor's ID card or passport."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Visitor's phone (if the visitor has no portal account)"),
        required=False,
        max_length=30,
        help_text=_(
            "The number the visitor gives you, +998 and 9 digits. The code of a portal account holder "
            "goes to the phone of their account instead."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    centre = forms.ChoiceField(label=_("Service centre"))

    def __init__(self, *args, centres: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = centres
        self.only_centre = centres[0][0] if len(centres) == 1 else ""
        if self.only_centre:
            # An operator of a single centre is not asked which one.
            self.fields["centre"].required = False
            self.fields["centre"].widget = forms.HiddenInput()

    def clean_centre(self) -> str:
        return self.cleaned_data["centre"] or self.only_centre

    def clean_pinfl(self) -> str:
        pinfl = self.cleaned_data["pinfl"].replace(" ", "")
        identity.validate_pinfl(pinfl)
        return pinfl

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return identity.normalize_uz_phone(phone) if phone else ""


class ConsentCodeForm(Form):
    prefix_id = "consent"
    code = forms.CharField(
        label=_("Code from the visitor's phone"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("The code is 6 digits."), code="code_format")
        return code


class ServiceSearchForm(Form):
    prefix_id = "service"
    q = forms.CharField(
        label=_("What does the visitor need?"),
        help_text=_("A few words in any language, for example kindergarten."),
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def quarters(today: date, count: int = 12) -> list[tuple[str, str]]:
    """The current quarter and the ones before it, newest first, as (value, label)."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    choices = []
    for _step in range(count):
        choices.append(
            (f"{year}-Q{quarter}", _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year})
        )
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return choices


def quarter_bounds(value: str) -> tuple[date, date]:
    match = QUARTER.fullmatch(value)
    if match is None:
        raise ValueError(value)
    year, quarter = int(match[1]), int(match[2])
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


class StatsForm(Form):
    prefix_id = "stats"
    group = forms.ChoiceField(label=_("Group by"), choices=list(STATS_GROUPS.items()))
    period = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = quarters(today)

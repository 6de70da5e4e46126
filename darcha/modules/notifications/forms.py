import re

from django import forms
from django.utils.translation import gettext_lazy as _


class DevInboxFilterForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        help_text=_("Whole number or its last digits, e.g. +998 90 123 45 67"),
    )

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        if (
            not re.fullmatch(r"\+?[\d\s()-]+", value)
            or not 4 <= len(digits := re.sub(r"\D", "", value)) <= 15
        ):
            raise forms.ValidationError(_("Enter a phone number: 4 to 15 digits."))
        return digits

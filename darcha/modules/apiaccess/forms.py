import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.modules.apiaccess import api
from darcha.modules.apiaccess.models import ApiClient


def _refusal_on(form: forms.Form, error: api.ApiAccessError) -> None:
    form.add_error(error.field if error.field in form.fields else None, ValidationError(error.message))


class ApiClientAddForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["agency_code", "name"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                api.api_client_check(agency_code=data["agency_code"], name=data["name"])
            except api.ApiAccessError as error:
                _refusal_on(self, error)
        return data


class ApiClientChangeForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "active"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                api.api_client_check(
                    agency_code=self.instance.agency_code, name=data["name"], client_id=self.instance.id
                )
            except api.ApiAccessError as error:
                _refusal_on(self, error)
        return data


class IssueKeyForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=ApiClient.objects.filter(active=True), empty_label=None
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=1000,
        help_text=_("Separated by spaces or commas, for example: catalog:read applications:write"),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Leave empty for a key without an expiry date."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean_scopes(self) -> list[str]:
        try:
            return api.clean_scopes(re.split(r"[\s,]+", self.cleaned_data["scopes"]))
        except api.ApiAccessError as error:
            raise ValidationError(error.message) from error

    def issue(self, *, actor: str, ip: str | None) -> tuple | None:
        """Issues the key; on a refusal the form carries the message and None is returned."""
        try:
            return api.api_key_issue(
                client_id=self.cleaned_data["client"].id,
                scopes=self.cleaned_data["scopes"],
                expires_at=self.cleaned_data["expires_at"],
                actor=actor,
                ip=ip,
            )
        except api.ApiAccessError as error:
            _refusal_on(self, error)
            return None

"""Operator pages: appoint officers and change their roles; every change goes through services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from darcha.modules.identity import api, selectors, services
from darcha.modules.identity.models import OfficerAppointment, OfficerRole
from darcha.modules.reference import api as reference


def _who(request: HttpRequest) -> dict:
    return {"actor_id": str(request.user.pk), "ip": api.client_ip(request)}


class AppointmentForm(forms.ModelForm):
    pinfl = forms.CharField(label=_("PINFL of the officer"), max_length=20)
    agency_code = forms.ChoiceField(label=_("Agency"))
    scope_code = forms.CharField(
        label=_("Area"),
        max_length=7,
        help_text=_(
            "17 for the whole country, or the SOATO code of a region (4 digits) or a district (7 digits)."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=OfficerRole.Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = OfficerAppointment
        fields = ["agency_code", "scope_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "uz"
        self.fields["agency_code"].choices = [(a.code, a.label(language)) for a in reference.agencies()]
        if not self.instance._state.adding:
            for name in ("pinfl", "agency_code", "scope_code"):
                del self.fields[name]
            self.initial["roles"] = list(self.instance.roles.values_list("role", flat=True))

    def clean_pinfl(self) -> str:
        person = selectors.person_by_pinfl(self.cleaned_data["pinfl"])
        if person is None:
            raise ValidationError(_("No person with this PINFL is registered."))
        self.person_id = person.id
        return person.pinfl

    def clean(self):
        data = super().clean()
        if self.instance._state.adding and not self.errors:
            try:
                services.officer_appointment_check(
                    agency_code=data["agency_code"], scope_code=data["scope_code"], roles=data["roles"]
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(OfficerAppointment)
class OfficerAppointmentAdmin(admin.ModelAdmin):
    form = AppointmentForm
    list_display = ["agency_code", "scope_code", "role_list", "created_at"]
    list_filter = ["agency_code"]
    search_fields = ["agency_code", "scope_code"]
    actions = None  # deleting goes one by one through the audited dismissal

    @admin.display(description=_("Roles"))
    def role_list(self, appointment: OfficerAppointment) -> str:
        return ", ".join(sorted(appointment.roles.values_list("role", flat=True)))

    def get_fields(self, request, obj=None):
        return ["roles"] if obj else ["pinfl", "agency_code", "scope_code", "roles"]

    def save_model(self, request, obj, form, change):
        if change:
            services.officer_set_roles(
                appointment_id=obj.pk, roles=form.cleaned_data["roles"], **_who(request)
            )
            return
        appointment = services.officer_appoint(
            person_id=form.person_id,
            agency_code=form.cleaned_data["agency_code"],
            scope_code=form.cleaned_data["scope_code"],
            roles=form.cleaned_data["roles"],
            **_who(request),
        )
        obj.pk = appointment.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Roles were saved by the service; there is nothing else to save."""

    def delete_model(self, request, obj):
        services.officer_dismiss(appointment_id=obj.pk, **_who(request))

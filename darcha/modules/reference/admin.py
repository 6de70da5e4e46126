from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from darcha.modules.reference import selectors
from darcha.modules.reference.models import Agency, Area


def _names_error(name) -> str | None:
    if not isinstance(name, dict) or any(
        not isinstance(name.get(key), str) or not name[key].strip() for key in selectors.NAME_KEYS
    ):
        return _("Give the name in every language: uz, uz_cyrl, ru and en.")
    return None


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "level", "parent", "name", "sort"]

    def clean_name(self):
        if error := _names_error(self.cleaned_data["name"]):
            raise forms.ValidationError(error, code="names")
        return self.cleaned_data["name"]


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["code", "kind", "name", "parent_code", "area_code", "competence"]

    def clean_name(self):
        if error := _names_error(self.cleaned_data["name"]):
            raise forms.ValidationError(error, code="names")
        return self.cleaned_data["name"]

    def clean_parent_code(self):
        parent = self.cleaned_data["parent_code"]
        if parent and (parent == self.cleaned_data.get("code") or selectors.agency_get(parent) is None):
            raise forms.ValidationError(_("No other agency has this code."), code="parent")
        return parent

    def clean_area_code(self):
        area = self.cleaned_data["area_code"]
        if area != selectors.COUNTRY and selectors.area_get(area) is None:
            raise forms.ValidationError(
                _("Give 17 for the whole country or a known SOATO code."), code="area"
            )
        return area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaForm
    list_display = ["code", "__str__", "level", "parent", "sort"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["code", "__str__", "kind", "parent_code", "area_code"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

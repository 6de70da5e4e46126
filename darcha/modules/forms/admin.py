"""Operators read forms and their version history here; forms change only in forms/."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from darcha.modules.forms.models import Form, FormVersion


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FormVersionInline(ReadOnly, admin.TabularInline):
    model = FormVersion
    fields = ["number", "loaded_at", "source_file", "content_hash"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    show_change_link = True


@admin.register(Form)
class FormAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "version", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    ordering = ["name"]
    inlines = [FormVersionInline]

    @admin.display(description=_("version"))
    def version(self, obj: Form) -> int | None:
        return obj.current_version.number if obj.current_version else None

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("current_version")
        return rows.defer("current_version__definition")


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["form", "number", "loaded_at", "source_file"]
    search_fields = ["form__name"]
    readonly_fields = ["form", "number", "content_hash", "source_file", "loaded_at", "definition"]

    def get_model_perms(self, request):
        # Reached from a form's inline; no separate entry in the admin menu.
        return {}

"""Operators read the registry and its version history here; definitions change only in services/."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from darcha.modules.catalog.models import Service, ServiceVersion


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceVersionInline(ReadOnly, admin.TabularInline):
    model = ServiceVersion
    fields = ["number", "loaded_at", "source_file", "content_hash"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    show_change_link = True


@admin.register(Service)
class ServiceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "category", "agency", "level", "popularity", "version", "is_active"]
    list_filter = ["is_active", "level", "category", "agency"]
    search_fields = ["code"]
    ordering = ["-popularity", "code"]
    inlines = [ServiceVersionInline]

    @admin.display(description=_("version"))
    def version(self, obj: Service) -> int | None:
        return obj.current_version.number if obj.current_version else None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("current_version")
            .defer("current_version__definition")
        )


@admin.register(ServiceVersion)
class ServiceVersionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["service", "number", "loaded_at", "source_file"]
    list_filter = ["loaded_at"]
    search_fields = ["service__code"]
    readonly_fields = ["service", "number", "content_hash", "source_file", "loaded_at", "definition"]

    def get_model_perms(self, request):
        # Reached from a service's inline; no separate entry in the admin menu.
        return {}

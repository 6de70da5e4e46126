from django.contrib import admin

from darcha.platform.events import operations
from darcha.platform.events.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "handler", "event_type", "status", "attempts", "available_at"]
    list_filter = ["status", "handler"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["replay"]

    @admin.display(description="event type")
    def event_type(self, obj: Delivery) -> str:
        return obj.event.type

    @admin.action(description="Replay selected dead letters")
    def replay(self, request, queryset):
        count = operations.replay(list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} delivery(ies) queued again")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

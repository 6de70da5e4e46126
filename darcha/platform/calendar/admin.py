from django.contrib import admin

from darcha.platform.calendar.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["note"]

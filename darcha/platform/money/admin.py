from django.contrib import admin

from darcha.platform.money.models import BaseCalculationAmount


@admin.register(BaseCalculationAmount)
class BaseCalculationAmountAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "amount_tiyin"]
    date_hierarchy = "valid_from"

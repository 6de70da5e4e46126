from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.platform.money.money import Money, format_money


class BaseCalculationAmount(models.Model):
    """The base calculation amount (BHM) in force from a date; fees and fines are multiples of it."""

    valid_from = models.DateField(_("valid from"), unique=True)
    amount_tiyin = models.PositiveBigIntegerField(_("amount in tiyin"))

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("base calculation amount")
        verbose_name_plural = _("base calculation amounts")

    def __str__(self) -> str:
        return f"{self.valid_from}: {format_money(Money(self.amount_tiyin))}"

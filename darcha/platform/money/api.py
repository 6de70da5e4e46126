"""Money and the base calculation amount (BHM, bazaviy hisoblash miqdori)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from darcha.platform.money.models import BaseCalculationAmount
from darcha.platform.money.money import UZS, Money, format_money

__all__ = ["UZS", "Money", "NoBaseAmountError", "bhm_multiple", "bhm_on", "format_money"]


class NoBaseAmountError(LookupError):
    """No base calculation amount was in force on the asked date."""


def bhm_on(d: date) -> Money:
    """The base calculation amount in force on the date."""
    amount = (
        BaseCalculationAmount.objects.filter(valid_from__lte=d)
        .order_by("-valid_from")
        .values_list("amount_tiyin", flat=True)
        .first()
    )
    if amount is None:
        raise NoBaseAmountError(
            _("No base calculation amount is known for %(date)s; the first one on record is later.")
            % {"date": d.isoformat()}
        )
    return Money(amount, UZS)


def bhm_multiple(multiple: Decimal | int, on: date) -> Money:
    """A fee or fine given as a multiple of the BHM, in tiyin rounded half up."""
    return bhm_on(on) * multiple

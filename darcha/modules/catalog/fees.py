"""What a service costs on a given day, from its fee rule and the dated BHM."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from darcha.modules.catalog.records import FeeRule
from darcha.platform.money.api import UZS, Money, bhm_multiple


@dataclass(frozen=True)
class FeeQuote:
    """The fee on one day: the general amount and the reduced amount of each exemption."""

    kind: str
    on: date
    amount: Money
    multiple: Decimal | None
    exemptions: tuple[tuple[str, Money], ...]


def fee_amount(rule: FeeRule, *, on: date, applicant_categories: Iterable[str] = ()) -> Money:
    """The fee an applicant pays; of several exemptions that apply, the lowest wins."""
    if rule.kind == "free":
        return Money(0, UZS)
    if rule.kind == "fixed":
        return Money(rule.amount_tiyin, UZS)
    categories = set(applicant_categories)
    multiple = min([rule.multiple, *(e.multiple for e in rule.exemptions if e.category in categories)])
    return bhm_multiple(multiple, on)


def fee_quote(rule: FeeRule, *, on: date) -> FeeQuote:
    return FeeQuote(
        kind=rule.kind,
        on=on,
        amount=fee_amount(rule, on=on),
        multiple=rule.multiple,
        exemptions=tuple(
            (e.category, fee_amount(rule, on=on, applicant_categories=[e.category])) for e in rule.exemptions
        ),
    )

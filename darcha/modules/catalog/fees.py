"""What a service costs on a given day, from its fee rule and the dated BHM."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from darcha.modules.catalog.records import FeeRule
from darcha.platform.money.api import UZS, Money, bhm_multiple, bhm_on


@dataclass(frozen=True)
class FeeQuote:
    """The fee on one day: the general amount and the reduced amount of each exemption, with
    the BHM they were reckoned from (None for a free or fixed fee)."""

    kind: str
    on: date
    amount: Money
    multiple: Decimal | None
    exemptions: tuple[tuple[str, Money], ...]
    bhm: Money | None = None


def _lowest_multiple(rule: FeeRule, categories: Iterable[str]) -> Decimal:
    categories = set(categories)
    return min([rule.multiple, *(e.multiple for e in rule.exemptions if e.category in categories)])


def fee_amount(rule: FeeRule, *, on: date, applicant_categories: Iterable[str] = ()) -> Money:
    """The fee an applicant pays; of several exemptions that apply, the lowest wins."""
    if rule.kind == "free":
        return Money(0, UZS)
    if rule.kind == "fixed":
        return Money(rule.amount_tiyin, UZS)
    return bhm_multiple(_lowest_multiple(rule, applicant_categories), on)


def fee_quote(rule: FeeRule, *, on: date) -> FeeQuote:
    if rule.kind != "bhm":
        amount = fee_amount(rule, on=on)
        return FeeQuote(
            rule.kind, on, amount, rule.multiple, tuple((e.category, amount) for e in rule.exemptions)
        )
    # One read of the BHM for the general amount and every exemption.
    bhm = bhm_on(on)
    return FeeQuote(
        kind=rule.kind,
        on=on,
        amount=bhm * rule.multiple,
        multiple=rule.multiple,
        exemptions=tuple((e.category, bhm * _lowest_multiple(rule, [e.category])) for e in rule.exemptions),
        bhm=bhm,
    )

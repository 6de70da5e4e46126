"""Amounts of money as integer minor units (tiyin for the so‘m), never floats."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from darcha.platform.text import content_key

UZS = "UZS"
MINOR_UNITS = {UZS: 100}  # 1 so‘m = 100 tiyin
SOM_NAMES = {"uz": "so‘m", "uz_cyrl": "сўм", "ru": "сум"}


@dataclass(frozen=True)
class Money:
    amount: int  # minor units: tiyin for UZS
    currency: str = UZS

    def __post_init__(self):
        if type(self.amount) is not int:
            raise TypeError(f"Money amount must be an int of minor units, not {type(self.amount).__name__}")
        if self.currency not in MINOR_UNITS:
            raise ValueError(f"Unknown currency {self.currency!r}")

    @classmethod
    def som(cls, whole: int | Decimal | str) -> "Money":
        """From an amount in so‘m, e.g. ``Money.som(412_000)``."""
        return cls(_round_half_up(Decimal(whole) * MINOR_UNITS[UZS]))

    def __add__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"Cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        return self + Money(-other.amount, other.currency)

    def __mul__(self, factor: Decimal | int) -> "Money":
        """Multiplies by an exact factor, rounding half up to a whole minor unit."""
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(_round_half_up(self.amount * Decimal(factor)), self.currency)

    __rmul__ = __mul__


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(money: Money, lang: str | None = None) -> str:
    """``412 000 so‘m`` (uz), ``412 000 сўм`` (uz-cyrl), ``412 000 сум`` (ru), ``UZS 412,000`` (en).

    Minor units are shown only when there are any: ``1 250,50 so‘m``, ``UZS 1,250.50``.
    """
    key = content_key(lang)
    units = MINOR_UNITS[money.currency]
    whole, minor = divmod(abs(money.amount), units)
    sign = "-" if money.amount < 0 else ""
    digits = len(str(units - 1))
    if key == "en":
        number = f"{whole:,}" + (f".{minor:0{digits}d}" if minor else "")
        return f"{sign}{money.currency} {number}"
    number = f"{whole:,}".replace(",", " ") + (f",{minor:0{digits}d}" if minor else "")
    unit = SOM_NAMES[key] if money.currency == UZS else money.currency
    return f"{sign}{number} {unit}"

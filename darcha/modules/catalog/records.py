"""The small frozen values the catalog hands to pages and to other modules."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from darcha.modules.catalog.definitions import Problem
from darcha.platform.text import content_key, to_cyrillic
from darcha.platform.text import localized as _localized

_to_cyrillic = lru_cache(maxsize=50_000)(to_cyrillic)


def localized(names: dict[str, str], language: str | None = None) -> str:
    """As ``platform.text.localized``, remembering transliterations: many definitions give
    no Uzbek Cyrillic text, and lists and the API show the same ones again and again."""
    if content_key(language) == "uz_cyrl" and not names.get("uz_cyrl") and names.get("uz"):
        return _to_cyrillic(names["uz"])
    return _localized(names, language)


@dataclass(frozen=True)
class Exemption:
    category: str
    multiple: Decimal


@dataclass(frozen=True)
class FeeRule:
    """How the fee is set: ``free``, ``fixed`` (an amount in tiyin) or ``bhm`` (a multiple)."""

    kind: str
    amount_tiyin: int | None = None
    multiple: Decimal | None = None
    exemptions: tuple[Exemption, ...] = ()

    @classmethod
    def from_definition(cls, fee: dict[str, Any]) -> "FeeRule":
        return cls(
            kind=fee["kind"],
            amount_tiyin=fee.get("amount_tiyin"),
            multiple=Decimal(fee["multiple"]) if "multiple" in fee else None,
            exemptions=tuple(
                Exemption(e["category"], Decimal(e["multiple"])) for e in fee.get("exemptions", [])
            ),
        )


@dataclass(frozen=True)
class LegalAct:
    type: str
    number: str
    date: date


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    required: bool


@dataclass(frozen=True)
class ServiceInfo:
    """A service as defined by one version of its definition."""

    code: str
    version: int
    is_active: bool
    agency: str
    category: str
    subcategory: str
    life_situations: tuple[str, ...]
    audience: tuple[str, ...]
    level: str
    popularity: int
    title: dict[str, str]
    summary: dict[str, str]
    description: dict[str, str]
    keywords: dict[str, list[str]]
    legal_basis: tuple[LegalAct, ...]
    documents: tuple[RequiredDocument, ...]
    fee: FeeRule
    term_days: int
    result: str
    channels: tuple[str, ...]
    refs: dict[str, Any]
    content_hash: str
    loaded_at: datetime
    url: str
    rating: Decimal | None = None
    rating_count: int = 0

    def text(self, name: str, language: str) -> str:
        return localized(getattr(self, name), language)


@dataclass(frozen=True)
class VersionInfo:
    number: int
    content_hash: str
    loaded_at: datetime
    source_file: str
    is_current: bool


@dataclass(frozen=True)
class ServiceCard:
    code: str
    title: str
    summary: str
    url: str


@dataclass(frozen=True)
class LifeSituationCard:
    code: str
    title: str
    url: str
    count: int


@dataclass(frozen=True)
class CategoryCard:
    code: str
    title: str
    summary: str
    url: str
    count: int


@dataclass(frozen=True)
class SearchHit:
    code: str
    title: str
    summary: str
    score: float
    url: str


@dataclass(frozen=True)
class LoadReport:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    withdrawn: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

"""Public surface of the catalog module: the only thing other modules import.

The single registry of e-services: definitions loaded from ``services/`` as versions,
listings, search and fees. Values crossing the module boundary are frozen dataclasses.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from darcha.modules.catalog import selectors, services
from darcha.modules.catalog.definitions import DefinitionsInvalid, Problem
from darcha.modules.catalog.fees import fee_amount
from darcha.modules.catalog.records import (
    LifeSituationCard,
    LoadReport,
    SearchHit,
    ServiceCard,
    ServiceInfo,
    VersionInfo,
    localized,
)
from darcha.modules.catalog.search import Entry, SearchIndex, index_cache
from darcha.platform.money.api import Money

__all__ = [
    "DefinitionsInvalid",
    "LifeSituationCard",
    "LoadReport",
    "Problem",
    "SearchHit",
    "ServiceCard",
    "ServiceInfo",
    "VersionInfo",
    "check_definitions",
    "document_names",
    "life_situations",
    "load_definitions",
    "popular_services",
    "rating_add",
    "registry",
    "search",
    "service",
    "service_cards",
    "service_fee",
    "service_version",
    "service_versions",
]


def load_definitions(path: Path | str | None = None, strict: bool = True) -> LoadReport:
    """Load ``services/`` (or ``path``); changed definitions become new versions.

    Idempotent. With ``strict`` (the default) any problem raises :class:`DefinitionsInvalid`
    and nothing is loaded; otherwise only the invalid files are skipped.
    """
    return services.definitions_load(path=Path(path) if path else None, strict=strict)


def check_definitions(path: Path | str | None = None) -> list[Problem]:
    """Every problem in the definitions, as (file, line, field, reason), for ``darcha check``."""
    return services.definitions_read(path=Path(path) if path else None).problems


def service(code: str) -> ServiceInfo | None:
    """The current version of an active service."""
    return selectors.service_get(code)


def services_by_code(codes: Iterable[str]) -> dict[str, ServiceInfo]:
    """The current versions of the active services among ``codes``, by code; a list's worth at once."""
    return selectors.services_get(codes)


def service_version(code: str, number: int) -> ServiceInfo | None:
    """A service as one of its versions defined it, withdrawn services included."""
    return selectors.service_version_get(code, number)


def service_versions(code: str) -> list[VersionInfo]:
    return selectors.service_versions(code)


def service_fee(
    code: str, *, on: date | None = None, applicant_categories: Iterable[str] = (), version: int | None = None
) -> Money | None:
    """What the applicant pays on ``on`` (today by default), exemptions applied; None if no such service."""
    info = selectors.service_version_get(code, version) if version else selectors.service_get(code)
    if info is None:
        return None
    return fee_amount(info.fee, on=on or timezone.localdate(), applicant_categories=applicant_categories)


def _card(entry: Entry, language: str) -> ServiceCard:
    return ServiceCard(
        entry.code, localized(entry.title, language), localized(entry.summary, language), entry.url
    )


def popular_services(language: str, limit: int = 8) -> list[ServiceCard]:
    return [_card(entry, language) for entry in _index().most_used[:limit]]


def service_cards(language: str, **filters: str | None) -> list[ServiceCard]:
    """Active services matching the filters (as for :func:`registry`), the most used first."""
    return [_card(entry, language) for entry, _score in registry(**filters)]


def catalog_revision() -> str:
    """Token that changes whenever a catalog load changes what the pages show."""
    return selectors.catalog_revision()


def document_names(language: str) -> dict[str, str]:
    """Document type code → its name in ``language`` (uz, uz-cyrl, ru, en), from the catalog's
    dictionary of document types; kept per process for the current catalog revision."""
    return {code: localized(term.title, language) for code, term in selectors.terms("document").items()}


# The home page shows these on every request; they change only with the catalog revision.
_life_situations: dict[tuple[str, str], list[LifeSituationCard]] = {}


def life_situations(language: str) -> list[LifeSituationCard]:
    key = (selectors.catalog_revision(), language)
    if key not in _life_situations:
        if len(_life_situations) > 16:
            _life_situations.clear()
        counts = Counter(situation for entry in _index().entries for situation in entry.life_situations)
        _life_situations[key] = [
            LifeSituationCard(
                code, localized(term.title, language), reverse("catalog:life", args=[code]), counts[code]
            )
            for code, term in selectors.terms("life-situation").items()
            if counts.get(code)
        ]
    return _life_situations[key]


def _index() -> SearchIndex:
    def entries() -> list[Entry]:
        return [
            Entry.from_definition(definition, version=number, url=selectors.service_url(code), folded=folded)
            for code, number, definition, folded in selectors.index_rows()
        ]

    return index_cache.get(selectors.catalog_revision(), entries)


def search(q: str, language: str, limit: int | None = 10) -> list[SearchHit]:
    """Services matching ``q`` in any language or script, best first (all of them when ``limit`` is None)."""
    return [
        SearchHit(
            code=m.entry.code,
            title=localized(m.entry.title, language),
            summary=localized(m.entry.summary, language),
            score=m.score,
            url=m.entry.url,
        )
        for m in _index().search(q, limit=limit)
    ]


def registry(q: str = "", **filters: str | None) -> list[tuple[Entry, float | None]]:
    """Active services matching every filter (category, agency, level, audience,
    life_situation), with their search score: ranked best first when ``q`` is given,
    the most used first otherwise. Served from the in-memory index."""
    index = _index()
    found = (
        [(m.entry, m.score) for m in index.search(q, limit=None)]
        if q
        else [(e, None) for e in index.most_used]
    )
    return [(entry, score) for entry, score in found if entry.matches(**filters)]


def rating_add(code: str, stars: int) -> None:
    """Record a 1-5 star rating of the service; the service page shows the average."""
    services.service_rating_add(code=code, stars=stars)

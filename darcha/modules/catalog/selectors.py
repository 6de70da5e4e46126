"""Reads of the catalog: services, their versions, dictionaries and listings."""

import time
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse

from darcha.modules.catalog.models import Revision, Service, ServiceVersion, Term
from darcha.modules.catalog.records import (
    FeeRule,
    LegalAct,
    RequiredDocument,
    ServiceInfo,
    VersionInfo,
)

# The last token read and when (monotonic seconds).
_last_revision: tuple[str, float] = ("", -1e9)


def catalog_revision() -> str:
    """A token that changes whenever the catalog does; read before using the in-memory index.

    A token read less than ``CATALOG_REVISION_TTL`` seconds ago (default 1) is trusted,
    so hot pages (the home page, search) make no query for it: other processes see a new
    load that much later, the loading process at once (it forgets its token).
    """
    global _last_revision
    token, read_at = _last_revision
    ttl = getattr(settings, "CATALOG_REVISION_TTL", 1.0)
    if time.monotonic() - read_at < ttl:
        return token
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {Revision._meta.db_table} WHERE id = 1")  # noqa: S608 - no input
        row = cursor.fetchone()
    _last_revision = (row[0] if row else "", time.monotonic())
    return _last_revision[0]


def forget_revision() -> None:
    global _last_revision
    _last_revision = ("", -1e9)


_PLACEHOLDER = "xcodex"


@cache
def _service_path() -> str:
    return reverse("catalog:service", args=[_PLACEHOLDER]).removeprefix(get_script_prefix())


def service_url(code: str) -> str:
    # Listings and search build many of these; the URL pattern is resolved only once.
    return get_script_prefix() + _service_path().replace(_PLACEHOLDER, code)


def _info(service: Service, version: ServiceVersion) -> ServiceInfo:
    d = version.definition
    return ServiceInfo(
        code=service.code,
        version=version.number,
        is_active=service.is_active,
        agency=d["agency"],
        category=d["category"],
        subcategory=d["subcategory"],
        life_situations=tuple(d["life_situations"]),
        audience=tuple(d["audience"]),
        level=d["level"],
        popularity=d["popularity"],
        title=d["title"],
        summary=d["summary"],
        description=d["description"],
        keywords=d["keywords"],
        legal_basis=tuple(
            LegalAct(a["type"], a["number"], date.fromisoformat(a["date"])) for a in d["legal_basis"]
        ),
        documents=tuple(RequiredDocument(doc["code"], doc["required"]) for doc in d["documents"]),
        fee=FeeRule.from_definition(d["fee"]),
        term_days=d["term_days"],
        result=d["result"],
        channels=tuple(d["channels"]),
        refs=d["refs"],
        content_hash=version.content_hash,
        loaded_at=version.loaded_at,
        url=service_url(service.code),
        rating=(Decimal(service.rating_total) / service.rating_count).quantize(Decimal("0.1"))
        if service.rating_count
        else None,
        rating_count=service.rating_count,
    )


def service_get(code: str, *, include_withdrawn: bool = False) -> ServiceInfo | None:
    services = Service.objects.select_related("current_version").filter(code=code)
    if not include_withdrawn:
        services = services.filter(is_active=True)
    service = services.first()
    if service is None or service.current_version is None:
        return None
    return _info(service, service.current_version)


def services_get(codes: Iterable[str]) -> dict[str, ServiceInfo]:
    """The current versions of those of ``codes`` that are active services, in one query."""
    services = Service.objects.select_related("current_version").filter(
        code__in=set(codes), is_active=True, current_version__isnull=False
    )
    return {service.code: _info(service, service.current_version) for service in services}


def service_version_get(code: str, number: int) -> ServiceInfo | None:
    version = (
        ServiceVersion.objects.select_related("service").filter(service__code=code, number=number).first()
    )
    return _info(version.service, version) if version else None


def version_definition(code: str, number: int) -> dict[str, Any] | None:
    return (
        ServiceVersion.objects.filter(service__code=code, number=number)
        .values_list("definition", flat=True)
        .first()
    )


def service_versions(code: str) -> list[VersionInfo]:
    service = Service.objects.filter(code=code).only("current_version_id").first()
    if service is None:
        return []
    return [
        VersionInfo(v.number, v.content_hash, v.loaded_at, v.source_file, v.pk == service.current_version_id)
        for v in ServiceVersion.objects.filter(service=service).defer("definition").order_by("-number")
    ]


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True, current_version__isnull=False)


def definitions_of(services: QuerySet[Service]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(code, version number, definition) of each service, streamed from the database."""
    rows = services.values_list("code", "current_version__number", "current_version__definition")
    yield from rows.iterator(chunk_size=500)


def index_rows() -> Iterator[tuple[str, int, dict[str, Any], dict[str, list[str]]]]:
    """(code, version, definition, folded texts) of every active service, for the search index."""
    rows = active_services().values_list(
        "code", "current_version__number", "current_version__definition", "current_version__search_text"
    )
    yield from rows.iterator(chunk_size=500)


_terms_cache: dict[tuple[str, str], dict[str, Term]] = {}


def terms(kind: str) -> dict[str, Term]:
    """Dictionary entries of one kind, kept per process for the current catalog revision."""
    key = (catalog_revision(), kind)
    if key not in _terms_cache:
        if len(_terms_cache) > 32:
            _terms_cache.clear()
        _terms_cache[key] = {t.code: t for t in Term.objects.filter(kind=kind).order_by("position")}
    return _terms_cache[key]


def term_codes(kind: str) -> set[str]:
    return set(Term.objects.filter(kind=kind).values_list("code", flat=True))

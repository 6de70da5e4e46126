"""Every change to the catalog: loading definitions as versions, ratings."""

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from darcha.modules.catalog import events as catalog_events
from darcha.modules.catalog import selectors
from darcha.modules.catalog.definitions import (
    Catalog,
    DefinitionsInvalid,
    read_catalog,
    services_dir,
)
from darcha.modules.catalog.definitions import (
    Term as ParsedTerm,
)
from darcha.modules.catalog.models import Revision, Service, ServiceVersion, Term
from darcha.modules.catalog.records import LoadReport
from darcha.modules.catalog.search import fold, folded_texts
from darcha.modules.reference import api as reference
from darcha.platform import events

# Copies of definition fields kept on Service, so operators can sort and filter in the admin.
FILTER_FIELDS = ["agency", "category", "subcategory", "level", "popularity"]


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _filter_values(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "agency": definition["agency"],
        "category": definition["category"],
        "subcategory": definition["subcategory"],
        "level": definition["level"],
        "popularity": definition["popularity"],
    }


def _agency_exists(code: str) -> bool:
    return reference.agency(code) is not None


def definitions_read(*, path: Path | None = None) -> Catalog:
    """Parse and check the definitions without loading them."""
    return read_catalog(Path(path) if path else services_dir(), agency_exists=_agency_exists)


def _terms_sync(parsed: list[ParsedTerm]) -> bool:
    existing = {
        (kind, code): (pk, title, summary, position)
        for pk, kind, code, title, summary, position in Term.objects.values_list(
            "pk", "kind", "code", "title", "summary", "position"
        )
    }
    wanted = {(t.kind, t.code): t for t in parsed}
    changed = False
    for key, term in wanted.items():
        row = existing.get(key)
        if row is None:
            Term.objects.create(
                kind=term.kind, code=term.code, title=term.title, summary=term.summary, position=term.position
            )
            changed = True
        elif row[1:] != (term.title, term.summary, term.position):
            Term.objects.filter(pk=row[0]).update(
                title=term.title, summary=term.summary, position=term.position
            )
            changed = True
    gone = [row[0] for key, row in existing.items() if key not in wanted]
    if gone:
        Term.objects.filter(pk__in=gone).delete()
        changed = True
    return changed


FOLD_PROBE = "Bog‘cha ЎҚҒҲ Детский сад Ёшлар"


def _refold_if_folding_changed(revision: Revision) -> bool:
    """Folds every current version again when search_key folds differently than it did."""
    probe = fold(FOLD_PROBE)
    if revision.fold_probe == probe:
        return False
    current = ServiceVersion.objects.filter(pk__in=Service.objects.values("current_version"))
    for pk, definition in current.values_list("pk", "definition"):
        ServiceVersion.objects.filter(pk=pk).update(search_text=folded_texts(definition))
    Revision.objects.filter(pk=revision.pk).update(fold_probe=probe)
    return True


@transaction.atomic
def definitions_load(*, path: Path | None = None, strict: bool = True) -> LoadReport:
    """Load every definition under ``path``; a changed definition becomes a new version.

    Idempotent: loading the same files again changes nothing. With ``strict`` any problem
    stops the whole load; otherwise invalid files are skipped (their services keep the
    version they had) and the problems are reported.
    """
    catalog = definitions_read(path=path)
    if strict and catalog.problems:
        raise DefinitionsInvalid(catalog.problems)
    revision, _created = Revision.objects.select_for_update().get_or_create(pk=1)
    refolded = _refold_if_folding_changed(revision)
    terms_changed = _terms_sync(catalog.terms)

    services = {
        s.code: s
        for s in Service.objects.select_related("current_version").defer("current_version__definition")
    }
    now = timezone.now()
    fresh = [
        Service(code=d.code, **_filter_values(d.data)) for d in catalog.definitions if d.code not in services
    ]
    Service.objects.bulk_create(fresh)
    if fresh:
        services.update({s.code: s for s in Service.objects.filter(code__in=[s.code for s in fresh])})

    created, updated, unchanged = [], [], 0
    versions: list[ServiceVersion] = []
    touched: list[Service] = []
    for definition in catalog.definitions:
        service = services[definition.code]
        digest = content_hash(definition.data)
        current = service.current_version
        if current is not None and current.content_hash == digest:
            if service.is_active:
                unchanged += 1
                continue
            updated.append(service.code)  # back in the files, with the content it had
        else:
            number = current.number + 1 if current else 1
            versions.append(
                ServiceVersion(
                    service=service,
                    number=number,
                    content_hash=digest,
                    definition=definition.data,
                    source_file=definition.file,
                    search_text=folded_texts(definition.data),
                    loaded_at=now,
                )
            )
            (updated if current else created).append(service.code)
        for name, value in _filter_values(definition.data).items():
            setattr(service, name, value)
        service.is_active = True
        touched.append(service)
    ServiceVersion.objects.bulk_create(versions)
    for version in versions:
        version.service.current_version = version
    Service.objects.bulk_update(touched, [*FILTER_FIELDS, "is_active", "current_version"], batch_size=500)

    kept = {d.code for d in catalog.definitions} | {Path(p.file).stem for p in catalog.problems}
    withdrawn = sorted(code for code, s in services.items() if s.is_active and code not in kept)
    Service.objects.filter(code__in=withdrawn).update(is_active=False)

    report = LoadReport(
        created=tuple(created),
        updated=tuple(updated),
        unchanged=unchanged,
        withdrawn=tuple(withdrawn),
        problems=tuple(catalog.problems),
    )
    if report.changed or terms_changed or refolded:
        Revision.objects.filter(pk=revision.pk).update(number=F("number") + 1, token=uuid.uuid4().hex)
        selectors.forget_revision()
        events.publish(
            catalog_events.DEFINITIONS_LOADED,
            {
                "revision": revision.number + 1,
                "versions": {v.service.code: v.number for v in versions},
                "withdrawn": withdrawn,
            },
        )
    return report


@transaction.atomic
def service_rating_add(*, code: str, stars: int) -> None:
    """Count one rating (1-5 stars) given after the service was delivered."""
    if not 1 <= stars <= 5:
        raise ValueError("stars must be from 1 to 5")
    updated = Service.objects.filter(code=code).update(
        rating_total=F("rating_total") + stars, rating_count=F("rating_count") + 1
    )
    if not updated:
        raise LookupError(code)

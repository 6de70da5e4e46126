"""Reads of reference data, served from an in-process snapshot.

Areas and agencies are read on nearly every page, so each process keeps them in memory. The
snapshot expires after ``SNAPSHOT_SECONDS`` so that edits made by other processes show up, and
is dropped at once when this process writes reference data. Until the writing transaction ends,
its own reads are served fresh and not kept, so that nothing it wrote outlives a rollback.
"""

import re
import threading
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from darcha.modules.reference.models import Agency, Area
from darcha.platform.text import localized, normalize_apostrophes

COUNTRY = "17"  # SOATO code of the Republic of Uzbekistan: the whole country
# fmt: off
REGION_CODES = frozenset({
    "1703", "1706", "1708", "1710", "1712", "1714", "1718",
    "1722", "1724", "1726", "1727", "1730", "1733", "1735",
})
# fmt: on
NAME_KEYS = ("uz", "uz_cyrl", "ru", "en")
SNAPSHOT_SECONDS = 60


@dataclass(frozen=True)
class AreaInfo:
    code: str
    level: str  # "region" or "district"
    parent_code: str | None
    name: dict = field(hash=False)

    def label(self, lang: str | None = None) -> str:
        """The name in a portal language (uz, uz-cyrl, ru, en); the active one by default."""
        return localized(self.name, lang)


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    kind: str
    parent_code: str | None
    area_code: str
    name: dict = field(hash=False)
    competence: tuple[str, ...] = ()

    def label(self, lang: str | None = None) -> str:
        """The name in a portal language (uz, uz-cyrl, ru, en); the active one by default."""
        return localized(self.name, lang)


@dataclass(frozen=True)
class _Snapshot:
    areas: dict[str, AreaInfo]  # in display order
    agencies: dict[str, AgencyInfo]
    taken_at: float


_snapshot: _Snapshot | None = None
_lock = threading.Lock()
# Per thread: the outermost atomic block of a transaction that wrote reference data and has
# not ended yet. Inside it, reads see the writes but keep them to themselves.
_writer = threading.local()


def forget_snapshot(**_signal_arguments) -> None:
    """Called on every write of reference data (also as a signal receiver; a queryset
    ``update()`` sends no signal, so call it after one)."""
    global _snapshot
    _snapshot = None
    if connection.in_atomic_block:
        _writer.block = connection.atomic_blocks[0]
        transaction.on_commit(drop_snapshot)


def drop_snapshot() -> None:
    """Forgets the snapshot once the writes are committed."""
    global _snapshot
    _snapshot = None
    _writer.block = None


def _inside_own_write() -> bool:
    block = getattr(_writer, "block", None)
    return block is not None and bool(connection.atomic_blocks) and connection.atomic_blocks[0] is block


def _current() -> _Snapshot:
    global _snapshot
    if _inside_own_write():
        return _take_snapshot()
    # Any write of this thread has been committed or rolled back by now.
    _writer.block = None
    snapshot = _snapshot
    if snapshot is not None and time.monotonic() - snapshot.taken_at <= SNAPSHOT_SECONDS:
        return snapshot
    with _lock:
        _snapshot = _take_snapshot()
        return _snapshot


def _take_snapshot() -> _Snapshot:
    areas = {
        a.code: AreaInfo(a.code, a.level, a.parent_id, dict(a.name))
        for a in Area.objects.order_by("sort", "code")
    }
    agencies = {
        a.code: AgencyInfo(
            a.code, a.kind, a.parent_code or None, a.area_code, dict(a.name), tuple(a.competence)
        )
        for a in Agency.objects.order_by("code")
    }
    return _Snapshot(areas, agencies, time.monotonic())


def area_get(code: str) -> AreaInfo | None:
    return _current().areas.get(code)


def region_list() -> list[AreaInfo]:
    return [a for a in _current().areas.values() if a.level == Area.Level.REGION]


def district_list(region_code: str | None = None) -> list[AreaInfo]:
    """Districts in display order: region by region, or of one region."""
    areas = _current().areas
    if region_code is not None:
        return [a for a in areas.values() if a.parent_code == region_code]
    return [a for region in region_list() for a in areas.values() if a.parent_code == region.code]


def area_is_within(area_code: str, scope_code: str) -> bool:
    """Whether an area lies in a scope: itself, a region containing it, or the whole country."""
    if scope_code == COUNTRY:
        return area_code == COUNTRY or area_code in _current().areas
    area = area_get(area_code)
    return area is not None and scope_code in {area.code, area.parent_code}


def agency_get(code: str) -> AgencyInfo | None:
    return _current().agencies.get(code)


def agency_list(kind: str | None = None) -> list[AgencyInfo]:
    return [a for a in _current().agencies.values() if kind is None or a.kind == kind]


# --- Consistency ---------------------------------------------------------------------------


def _name_problems(what: str, name: dict) -> list[str]:
    problems = [
        _("%(what)s has no name in %(lang)s.") % {"what": what, "lang": key}
        for key in NAME_KEYS
        if not isinstance(name.get(key), str) or not name[key].strip()
    ]
    uz = name.get("uz")
    if isinstance(uz, str) and normalize_apostrophes(uz) != uz:
        problems.append(_("%(what)s writes o‘, g‘ or ’ with a wrong apostrophe.") % {"what": what})
    return problems


def data_problems() -> list[str]:
    """Everything wrong with the reference data, in words an operator can act on."""
    snapshot = _take_snapshot()
    areas, agencies = snapshot.areas, snapshot.agencies
    problems = [
        _("Region %(code)s is missing.") % {"code": code} for code in sorted(REGION_CODES - set(areas))
    ]
    for area in areas.values():
        what = _("Area %(code)s") % {"code": area.code}
        problems += _name_problems(what, area.name)
        if area.level == Area.Level.DISTRICT:
            parent = areas.get(area.parent_code or "")
            if not re.fullmatch(r"17[0-9]{5}", area.code) or not area.code.startswith(
                area.parent_code or "-"
            ):
                problems.append(_("%(what)s is not a 7-digit code under its region.") % {"what": what})
            if parent is None or parent.level != Area.Level.REGION:
                problems.append(_("%(what)s does not belong to a region.") % {"what": what})
        elif area.code not in REGION_CODES:
            problems.append(_("%(what)s is not a region of Uzbekistan.") % {"what": what})
    for agency in agencies.values():
        what = _("Agency %(code)s") % {"code": agency.code}
        problems += _name_problems(what, agency.name)
        if agency.kind not in Agency.Kind.values:
            problems.append(_("%(what)s has an unknown kind %(kind)s.") % {"what": what, "kind": agency.kind})
        if agency.area_code != COUNTRY and agency.area_code not in areas:
            problems.append(
                _("%(what)s has an unknown area %(area)s.") % {"what": what, "area": agency.area_code}
            )
        seen, parent = {agency.code}, agency.parent_code
        while parent is not None:
            if parent not in agencies:
                problems.append(
                    _("%(what)s has an unknown parent %(parent)s.") % {"what": what, "parent": parent}
                )
                break
            if parent in seen:
                problems.append(
                    _("%(what)s is its own parent through %(parent)s.") % {"what": what, "parent": parent}
                )
                break
            seen.add(parent)
            parent = agencies[parent].parent_code
    return problems

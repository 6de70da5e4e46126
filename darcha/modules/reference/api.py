"""Public surface of the reference module: the only thing other modules import.

Regions and districts of Uzbekistan by SOATO code, and the agencies of the single window.
Lookups are served from memory and cost no query after the first.
"""

from darcha.modules.reference import selectors, services
from darcha.modules.reference.selectors import COUNTRY, AgencyInfo, AreaInfo

__all__ = [
    "COUNTRY",
    "AgencyInfo",
    "AreaInfo",
    "agencies",
    "agency",
    "area",
    "area_within",
    "check_data",
    "districts",
    "is_district",
    "load_reference_data",
    "regions",
]


def area(code: str) -> AreaInfo | None:
    return selectors.area_get(code)


def regions() -> list[AreaInfo]:
    """The 14 regions in the order of official tables."""
    return selectors.region_list()


def districts(region_code: str | None = None) -> list[AreaInfo]:
    """Districts and cities of regional subordination, of one region or of all."""
    return selectors.district_list(region_code)


def is_district(code: str) -> bool:
    found = selectors.area_get(code)
    return found is not None and found.level == "district"


def area_within(area_code: str, scope_code: str) -> bool:
    """Whether area_code lies in scope_code: the same area, a district of that region, or
    anything when the scope is "17", the whole country."""
    return selectors.area_is_within(area_code, scope_code)


def agency(code: str) -> AgencyInfo | None:
    return selectors.agency_get(code)


def agencies(kind: str | None = None) -> list[AgencyInfo]:
    """All agencies, or those of one kind (ministry, committee, agency, khokimiyat,
    service-centre, centre, bank)."""
    return selectors.agency_list(kind)


def load_reference_data() -> None:
    """Creates or updates the regions, districts and agencies from the data files; safe to
    run again (``darcha seed`` and the data migration both call it)."""
    services.reference_data_load()


def check_data() -> list[str]:
    """Problems in the reference data, in words; empty when all is well."""
    return selectors.data_problems()

"""Loading the reference data kept in ``data/`` into the database."""

from pathlib import Path

import yaml
from django.db import transaction

from darcha.modules.reference import selectors
from darcha.modules.reference.models import Agency, Area

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> dict:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loaders only)


def upsert_reference_data(area_model: type[Area], agency_model: type[Agency]) -> None:
    """Creates or updates every area and agency in the data files; rows added by operators are
    left alone. Takes the model classes so that data migrations can pass historical ones."""
    areas = {}
    for region_sort, region in enumerate(_read("areas.yaml")["regions"]):
        areas[region["code"]] = {
            "level": "region",
            "parent_id": None,
            "name": region["name"],
            "sort": region_sort,
        }
        for sort, district in enumerate(region["districts"]):
            areas[district["code"]] = {
                "level": "district", "parent_id": region["code"], "name": district["name"], "sort": sort
            }  # fmt: skip
    agencies = {
        a["code"]: {
            "kind": a["kind"],
            "name": a["name"],
            "parent_code": a.get("parent", ""),
            "area_code": a["area"],
            "competence": a.get("competence", []),
        }
        for a in _read("agencies.yaml")["agencies"]
    }
    _upsert(area_model, areas)
    _upsert(agency_model, agencies)


def _upsert(model, rows: dict[str, dict]) -> None:
    existing = model.objects.in_bulk(list(rows))
    new = [model(pk=pk, **fields) for pk, fields in rows.items() if pk not in existing]
    changed = []
    for pk, fields in rows.items():
        row = existing.get(pk)
        if row is not None and any(getattr(row, f) != v for f, v in fields.items()):
            for f, v in fields.items():
                setattr(row, f, v)
            changed.append(row)
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, list(next(iter(rows.values()))))


@transaction.atomic
def reference_data_load() -> None:
    upsert_reference_data(Area, Agency)
    selectors.forget_snapshot()  # bulk writes send no signals

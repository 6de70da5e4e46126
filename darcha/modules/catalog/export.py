"""The registry as open data: one flat CSV row or one JSON object per service."""

from typing import Any

from darcha.modules.catalog.definitions import LANGUAGES
from darcha.modules.catalog.records import localized
from darcha.modules.catalog.selectors import service_url

CSV_HEADER = [
    "code",
    "version",
    "agency",
    "category",
    "subcategory",
    "level",
    "audience",
    "life_situations",
    *(f"title_{lang}" for lang in LANGUAGES),
    *(f"summary_{lang}" for lang in LANGUAGES),
    "fee_kind",
    "fee_amount_tiyin",
    "fee_bhm_multiple",
    "fee_exemptions",
    "term_days",
    "result",
    "channels",
    "documents",
    "legal_basis",
    "popularity",
    "url",
]


def json_item(code: str, number: int, definition: dict[str, Any], site: str) -> dict[str, Any]:
    return {**definition, "version": number, "url": site + service_url(code)}


def csv_row(code: str, number: int, d: dict[str, Any], site: str) -> list[Any]:
    """One service as a flat row; lists are joined with ';', optional documents end in '?'."""
    fee = d["fee"]
    return [
        code,
        number,
        d["agency"],
        d["category"],
        d["subcategory"],
        d["level"],
        ";".join(d["audience"]),
        ";".join(d["life_situations"]),
        *(localized(d["title"], lang) for lang in LANGUAGES),
        *(localized(d["summary"], lang) for lang in LANGUAGES),
        fee["kind"],
        fee.get("amount_tiyin", ""),
        fee.get("multiple", ""),
        ";".join(f"{e['category']}={e['multiple']}" for e in fee.get("exemptions", [])),
        d["term_days"],
        d["result"],
        ";".join(d["channels"]),
        ";".join(f"{doc['code']}{'' if doc['required'] else '?'}" for doc in d["documents"]),
        ";".join(f"{a['type']} {a['number']} {a['date']}" for a in d["legal_basis"]),
        d["popularity"],
        site + service_url(code),
    ]

"""JSON API of the single registry of e-services, mounted at /api/v1/services."""

import math
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from darcha.modules.apiaccess.api import ApiError, error_responses
from darcha.modules.catalog import api, selectors
from darcha.modules.catalog.definitions import AUDIENCES, CODE_PATTERN, LANGUAGES, LEVELS
from darcha.modules.catalog.records import localized
from darcha.modules.catalog.search import Entry
from darcha.modules.reference import api as reference

router = Router(tags=["services"])

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_QUERY = 200
FILTERS = ("category", "agency", "level", "audience", "life_situation")
LIST_PARAMETERS = {*FILTERS, "q", "page", "page_size", "lang"}
LANG_CODES = {"uz": "uz", "uz-cyrl": "uz-cyrl", "uz_cyrl": "uz-cyrl", "ru": "ru", "en": "en"}


class ServiceItem(Schema):
    code: str
    version: int
    title: dict[str, str]
    summary: dict[str, str]
    agency: str
    category: str
    subcategory: str
    level: str
    audience: list[str]
    life_situations: list[str]
    popularity: int
    score: float | None = None
    url: str
    api_url: str


class ServiceList(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[ServiceItem]


class VersionOut(Schema):
    number: int
    content_hash: str
    loaded_at: datetime
    is_current: bool
    api_url: str


class ServiceDetail(Schema):
    code: str
    version: int
    is_active: bool
    definition: dict[str, Any]
    url: str
    versions: list[VersionOut]


def _bad(name: str, message: str) -> ApiError:
    """A 400 for one query or path parameter, keyed by its name."""
    return ApiError(400, message, errors={name: [message]})


def _in_request_language(view: Callable) -> Callable:
    """Answers in the language of ``lang``, else of Accept-Language (already active)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        lang = request.GET.get("lang")
        if lang is None:
            return view(request, *args, **kwargs)
        if lang not in LANG_CODES:
            raise _bad("lang", _("Unknown language %(lang)r: use uz, uz-cyrl, ru or en.") % {"lang": lang})
        with translation.override(LANG_CODES[lang]):
            return view(request, *args, **kwargs)

    return wrapper


def _all_languages(names: dict[str, str]) -> dict[str, str]:
    return {key: localized(names, key) for key in LANGUAGES}


def _item(entry: Entry, score: float | None, request: HttpRequest) -> dict:
    return {
        "code": entry.code,
        "version": entry.version,
        "title": _all_languages(entry.title),
        "summary": _all_languages(entry.summary),
        "agency": entry.agency,
        "category": entry.category,
        "subcategory": entry.subcategory,
        "level": entry.level,
        "audience": list(entry.audience),
        "life_situations": list(entry.life_situations),
        "popularity": entry.popularity,
        "score": score,
        "url": request.build_absolute_uri(entry.url),
        "api_url": request.build_absolute_uri(f"{request.path.rstrip('/')}/{entry.code}"),
    }


def _positive(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise _bad(name, _("%(name)s must be a whole number from 1 up.") % {"name": name})
    return int(value)


def _check_filters(filters: dict[str, str]) -> None:
    def bad(name: str, value: str) -> ApiError:
        return _bad(
            name, _("Unknown value %(value)r for the filter %(name)s.") % {"value": value, "name": name}
        )

    for name, value in filters.items():
        if name == "level" and value not in LEVELS:
            raise bad(name, value)
        if name == "audience" and value not in AUDIENCES:
            raise bad(name, value)
        if name == "category" and value not in selectors.term_codes("category"):
            raise bad(name, value)
        if name == "life_situation" and value not in selectors.term_codes("life-situation"):
            raise bad(name, value)
        if name == "agency" and reference.agency(value) is None:
            raise bad(name, value)


@router.get(
    "",
    response={200: ServiceList, **error_responses(400, 422)},
    summary="The registry of e-services: filter, search (best first), paginate",
)
@_in_request_language
def list_services(
    request: HttpRequest,
    category: str | None = Query(None, description="Category code"),
    agency: str | None = Query(None, description="Agency code"),
    level: str | None = Query(None, description="informational | semi-automated | automated | interactive"),
    audience: str | None = Query(None, description="individual | legal-entity | foreigner"),
    life_situation: str | None = Query(None, description="Life situation code"),
    q: str | None = Query(None, description="Search text in any language; results are ranked best first"),
    page: str | None = Query(None, description="Page number, from 1"),
    page_size: str | None = Query(None, description=f"Items per page, at most {MAX_PAGE_SIZE}"),
    lang: str | None = Query(None, description="Language of error messages: uz, uz-cyrl, ru, en"),
):
    unknown = sorted(set(request.GET) - LIST_PARAMETERS)
    if unknown:
        message = _("Unknown query parameters: %(names)s. Allowed: %(allowed)s.") % {
            "names": ", ".join(unknown),
            "allowed": ", ".join(sorted(LIST_PARAMETERS)),
        }
        raise ApiError(400, message, errors={name: [message] for name in unknown})
    number = _positive(page, 1, "page")
    size = _positive(page_size, DEFAULT_PAGE_SIZE, "page_size")
    if size > MAX_PAGE_SIZE:
        raise _bad("page_size", _("page_size may be at most %(max)d.") % {"max": MAX_PAGE_SIZE})
    filters = {name: value for name in FILTERS if (value := request.GET.get(name))}
    _check_filters(filters)
    query = " ".join((q or "").split())
    if len(query) > MAX_QUERY:
        raise _bad(
            "q", _("The search text is too long. Use at most %(limit)d characters.") % {"limit": MAX_QUERY}
        )
    found = api.registry(query, **filters)
    count = len(found)
    start = (number - 1) * size
    items = [_item(entry, score, request) for entry, score in found[start : start + size]]
    return {
        "count": count,
        "page": number,
        "page_size": size,
        "pages": math.ceil(count / size),
        "items": items,
    }


def _checked_code(code: str) -> str:
    if len(code) > 60 or not CODE_PATTERN.match(code):
        raise _bad(
            "code",
            _("%(code)r is not a valid service code: lowercase letters and digits joined by hyphens.")
            % {"code": code[:80]},
        )
    return code


def _detail(request: HttpRequest, info, code: str) -> dict:
    return {
        "code": code,
        "version": info.version,
        "is_active": info.is_active,
        "definition": selectors.version_definition(code, info.version),
        "url": request.build_absolute_uri(info.url),
        "versions": [
            {
                "number": v.number,
                "content_hash": v.content_hash,
                "loaded_at": v.loaded_at,
                "is_current": v.is_current,
                "api_url": request.build_absolute_uri(
                    reverse("api:catalog-service-version", args=[code, v.number])
                ),
            }
            for v in api.service_versions(code)
        ],
    }


@router.get(
    "/{code}",
    response={200: ServiceDetail, **error_responses(400, 404)},
    url_name="catalog-service",
    summary="One service: its current definition and the list of its versions",
)
@_in_request_language
def get_service(request: HttpRequest, code: str, lang: str | None = Query(None)):
    info = api.service(_checked_code(code))
    if info is None:
        raise ApiError(404, _("There is no service with the code %(code)r.") % {"code": code})
    return _detail(request, info, code)


@router.get(
    "/{code}/versions/{number}",
    response={200: ServiceDetail, **error_responses(400, 404, 422)},
    url_name="catalog-service-version",
    summary="One service as a given version defined it",
)
@_in_request_language
def get_service_version(request: HttpRequest, code: str, number: int, lang: str | None = Query(None)):
    info = api.service_version(_checked_code(code), number)
    if info is None:
        raise ApiError(
            404, _("Service %(code)r has no version %(number)d.") % {"code": code, "number": number}
        )
    return _detail(request, info, code)

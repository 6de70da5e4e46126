"""Catalog pages: categories, agencies, life situations, search, service pages, export."""

import csv
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from darcha.modules.catalog import api, selectors
from darcha.modules.catalog.export import CSV_HEADER, csv_row, json_item
from darcha.modules.catalog.fees import fee_quote
from darcha.modules.catalog.labels import (
    AUDIENCE_LABELS,
    CHANNEL_LABELS,
    EXEMPTION_LABELS,
    LEGAL_ACT_LABELS,
    LEVEL_HELP,
    LEVEL_LABELS,
)
from darcha.modules.catalog.records import FeeRule, localized
from darcha.modules.reference import api as reference
from darcha.platform.money.api import NoBaseAmountError, format_money

SEARCH_LIMIT = 20
SUGGEST_LIMIT = 8
MAX_QUERY = 200


def _language() -> str:
    return get_language() or "uz"


def _agency_label(code: str, language: str) -> str:
    agency = reference.agency(code)
    return agency.label(language) if agency else code


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    language = _language()
    entries = [entry for entry, _score in api.registry()]
    by_category = Counter(entry.category for entry in entries)
    by_agency = Counter(entry.agency for entry in entries)
    categories = [
        {
            "title": localized(t.title, language),
            "summary": localized(t.summary, language),
            "url": reverse("catalog:category", args=[code]),
            "count": by_category[code],
        }
        for code, t in selectors.terms("category").items()
        if by_category[code]
    ]
    agencies = sorted(
        (
            {
                "title": _agency_label(code, language),
                "url": reverse("catalog:agency", args=[code]),
                "count": n,
            }
            for code, n in by_agency.items()
        ),
        key=lambda a: (-a["count"], a["title"]),
    )
    return render(
        request,
        "catalog/index.html",
        {
            "categories": categories,
            "situations": api.life_situations(language),
            "agencies": agencies,
            "popular": api.popular_services(language, limit=6),
        },
    )


def _listing(request: HttpRequest, *, heading: str, summary: str, **filters: str) -> HttpResponse:
    services = api.service_cards(_language(), **filters)
    return render(
        request, "catalog/list.html", {"heading": heading, "summary": summary, "services": services}
    )


@require_GET
def category(request: HttpRequest, code: str) -> HttpResponse:
    term = selectors.terms("category").get(code)
    if term is None:
        raise Http404(code)
    language = _language()
    return _listing(
        request,
        heading=localized(term.title, language),
        summary=localized(term.summary, language),
        category=code,
    )


@require_GET
def life_situation(request: HttpRequest, code: str) -> HttpResponse:
    term = selectors.terms("life-situation").get(code)
    if term is None:
        raise Http404(code)
    language = _language()
    return _listing(
        request,
        heading=localized(term.title, language),
        summary=localized(term.summary, language),
        life_situation=code,
    )


@require_GET
def agency(request: HttpRequest, code: str) -> HttpResponse:
    info = reference.agency(code)
    if info is None:
        raise Http404(code)
    return _listing(
        request,
        heading=info.label(_language()),
        summary=_("Services of this agency, the most used first."),
        agency=code,
    )


def _query(request: HttpRequest) -> str | None:
    """The search text, or None when it is too long to be a search."""
    query = " ".join(request.GET.get("q", "").split())
    return None if len(query) > MAX_QUERY else query


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    language = _language()
    query = _query(request)
    context = {"query": query or "", "hits": [], "popular": []}
    status = 200
    if query is None:
        context["error"] = _("The search text is too long. Use at most %(limit)d characters.") % {
            "limit": MAX_QUERY
        }
        status = 400
    elif query:
        context["hits"] = api.search(query, language, limit=SEARCH_LIMIT)
    if not context["hits"]:
        context["popular"] = api.popular_services(language, limit=8)
        context["ask_url"] = _service_url_if_listed("official-request")
    return render(request, "catalog/search.html", context, status=status)


def _service_url_if_listed(code: str) -> str | None:
    return selectors.service_url(code) if selectors.service_get(code) else None


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return JsonResponse(
            {
                "detail": _("The search text is too long. Use at most %(limit)d characters.")
                % {"limit": MAX_QUERY}
            },
            status=400,
        )
    hits = api.search(query, _language(), limit=SUGGEST_LIMIT) if query else []
    return JsonResponse(
        {"query": query, "suggestions": [{"code": h.code, "title": h.title, "url": h.url} for h in hits]}
    )


def _apply_url(code: str) -> str | None:
    # The online application form belongs to the applications module; until it serves
    # this service the page offers the other channels only.
    try:
        return reverse("applications:start", args=[code])
    except NoReverseMatch:
        return None


def _fee(rule: FeeRule, today: date, language: str) -> dict:
    fee = {
        "kind": rule.kind,
        "multiple": rule.multiple,
        "on": today,
        "amount": "",
        "bhm": "",
        "exemptions": [],
    }
    try:
        quote = fee_quote(rule, on=today)
    except NoBaseAmountError:
        # No BHM on record for today: the page still gives the multiple.
        return fee
    fee["amount"] = format_money(quote.amount, language)
    if quote.bhm is not None:
        fee["bhm"] = format_money(quote.bhm, language)
    fee["exemptions"] = [
        {
            "label": EXEMPTION_LABELS[category],
            "amount": format_money(money, language),
            "free": not money.amount,
        }
        for category, money in quote.exemptions
    ]
    return fee


@require_GET
def service(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    info = api.service_version(code, number) if number else api.service(code)
    if info is None:
        raise Http404(code)
    current = api.service(code) if number else info
    language = _language()
    today = timezone.localdate()
    documents = selectors.terms("document")
    results = selectors.terms("result")
    categories = selectors.terms("category")
    situations = selectors.terms("life-situation")
    centres = []
    if "service-centre" in info.channels:
        centres = [{"title": c.label(language)} for c in reference.agencies(kind="service-centre")]
    context = {
        "service": info,
        "current": current,
        "is_old_version": bool(number) and (current is None or current.version != info.version),
        "title": info.text("title", language),
        "summary": info.text("summary", language),
        "description": info.text("description", language),
        "agency": {
            "title": _agency_label(info.agency, language),
            "url": reverse("catalog:agency", args=[info.agency]),
        },
        "category": {
            "title": localized(categories[info.category].title, language)
            if info.category in categories
            else info.category,
            "url": reverse("catalog:category", args=[info.category]),
        },
        "situations": [
            {"title": localized(situations[s].title, language), "url": reverse("catalog:life", args=[s])}
            for s in info.life_situations
            if s in situations
        ],
        "result": localized(results[info.result].title, language) if info.result in results else info.result,
        "audience": [AUDIENCE_LABELS[a] for a in info.audience],
        "level": LEVEL_LABELS[info.level],
        "level_help": LEVEL_HELP[info.level],
        "documents": [
            {
                "title": localized(documents[d.code].title, language) if d.code in documents else d.code,
                "required": d.required,
            }
            for d in info.documents
        ],
        "fee": _fee(info.fee, today, language),
        "legal_basis": [
            {"type": LEGAL_ACT_LABELS[a.type], "number": a.number, "date": a.date} for a in info.legal_basis
        ],
        "channels": [CHANNEL_LABELS[c] for c in info.channels],
        "apply_url": _apply_url(code)
        if "online" in info.channels and info.level != "informational"
        else None,
        "centres": centres,
        "versions_url": reverse("catalog:versions", args=[code]),
    }
    return render(request, "catalog/service.html", context)


@require_GET
def versions(request: HttpRequest, code: str) -> HttpResponse:
    history = api.service_versions(code)
    if not history:
        raise Http404(code)
    info = api.service(code) or api.service_version(code, history[0].number)
    return render(
        request,
        "catalog/versions.html",
        {
            "title": info.text("title", _language()),
            "code": code,
            "service_url": selectors.service_url(code) if info.is_active else None,
            "versions": [
                {"version": v, "url": reverse("catalog:service-version", args=[code, v.number])}
                for v in history
            ],
        },
    )


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    site = _site(request)

    def rows() -> Iterator[str]:
        yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
        yield writer.writerow(CSV_HEADER)
        for code, number, definition in selectors.definitions_of(
            selectors.active_services().order_by("code")
        ):
            yield writer.writerow(csv_row(code, number, definition, site))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="darcha-services.csv"'
    return response


@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    site = _site(request)

    def chunks() -> Iterator[str]:
        yield f'{{"generated_at": {json.dumps(timezone.now().isoformat())}, "services": ['
        for position, (code, number, definition) in enumerate(
            selectors.definitions_of(selectors.active_services().order_by("code"))
        ):
            yield (
                ("," if position else "")
                + "\n"
                + json.dumps(json_item(code, number, definition, site), ensure_ascii=False)
            )
        yield "\n]}\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="darcha-services.json"'
    return response

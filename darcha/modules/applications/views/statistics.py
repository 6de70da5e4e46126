"""Statistics for heads: applications received, completed, rejected and overdue in a quarter,
by region, agency, service or channel (the table published each quarter), also as CSV."""

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from darcha.modules.applications import api
from darcha.modules.applications.forms_web import STATS_GROUPS, StatsForm, quarter_bounds, quarters
from darcha.modules.applications.views.common import (
    CHANNELS,
    agency_label,
    area_label,
    language,
    service_title,
)
from darcha.modules.identity import api as identity

READERS = {"head", "auditor"}


class _Line:
    """What csv.writer writes to: each row is handed on as it is made, not collected."""

    def write(self, value: str) -> str:
        return value


def _labeller(group: str, lang: str):
    titles: dict[str, str] = {}
    return {
        "region": lambda code: area_label(code, lang),
        "agency": lambda code: agency_label(code, lang),
        "service": lambda code: service_title(code, lang, titles),
        "channel": lambda code: str(CHANNELS.get(code, code)),
    }[group]


def _csv(rows: list[dict], group: str, period: str) -> StreamingHttpResponse:
    writer = csv.writer(_Line())
    header = [
        str(STATS_GROUPS[group]),
        _("Code"),
        _("Received"),
        _("Completed"),
        _("Rejected"),
        _("In progress"),
        _("Overdue"),
    ]

    def lines():
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            info = row["row"]
            yield writer.writerow(
                [
                    row["label"],
                    info.key,
                    info.total,
                    info.completed,
                    info.rejected,
                    info.in_progress,
                    info.overdue,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="darcha-applications-{period}-{group}.csv"'
    return response


@identity.officer_required(roles=READERS)
@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = quarters(today)[0][0]
    form = StatsForm(
        {"group": request.GET.get("group", "region"), "period": request.GET.get("period", current)},
        today=today,
    )
    if not form.is_valid():
        return render(request, "applications/statistics.html", {"form": form}, status=422)
    group, period = form.cleaned_data["group"], form.cleaned_data["period"]
    first, last = quarter_bounds(period)
    lang = language()
    label = _labeller(group, lang)
    rows = [
        {"label": label(row.key), "row": row}
        for row in api.stats(group_by=group, date_from=first, date_to=last)
    ]
    if request.GET.get("format") == "csv":
        return _csv(rows, group, period)
    totals = {
        name: sum(getattr(row["row"], name) for row in rows)
        for name in ("total", "completed", "rejected", "in_progress", "overdue")
    }
    agencies = [{"label": agency_label(r.key, lang), "info": r} for r in api.ratings("agency")]
    return render(
        request,
        "applications/statistics.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "group_label": STATS_GROUPS[group],
            "period_label": dict(quarters(today)).get(period, period),
            "first": first,
            "last": last,
            "csv_query": f"group={group}&period={period}&format=csv",
            "ratings": agencies,
        },
    )

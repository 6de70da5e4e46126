"""What every application page needs: the language, refusals, redirects and small lookups."""

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy

from darcha.modules.applications import api
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.reference import api as reference
from darcha.platform.calendar.api import working_days_between

CHANNELS = {
    "online": gettext_lazy("online"),
    "centre": gettext_lazy("service centre"),
    "mobile": gettext_lazy("mobile app"),
}
OUTCOMES = {
    "approved": gettext_lazy("Approved"),
    "rejected": gettext_lazy("Rejected"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "referral": gettext_lazy("Referral issued"),
    "appointment": gettext_lazy("Appointment made"),
}
STEPS = {
    "submit": gettext_lazy("Submitted"),
    "escalate": gettext_lazy("Deadline passed: referred to the head"),
}
ACTORS = {
    "applicant": gettext_lazy("Applicant"),
    "officer": gettext_lazy("Agency officer"),
    "agency_system": gettext_lazy("Agency information system"),
    "system": gettext_lazy("Darcha, automatically"),
}
# How long a link to a document shown on a page keeps working.
DOCUMENT_LINK_SECONDS = 900


def language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def pages(page: api.Page, current: int) -> dict:
    """The pager; without the number of pages when the list was too long to count."""
    return {
        "number": current,
        "count": None if page.total_capped else max(1, -(-page.total // page.limit)),
        "previous": current - 1 if current > 1 else None,
        "next": current + 1 if page.has_next else None,
    }


def see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A page that says why the request cannot be done, with the matching status."""
    return render(request, "applications/refused.html", {"message": message}, status=status)


def refusal(request: HttpRequest, error: api.ApplicationError) -> HttpResponse:
    return refused(request, error.message, error.status)


def too_many(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Counts one more request of ``key`` in a fixed window; True once the limit is passed.

    The count lives in the shared cache, so it holds across every web process.
    """
    cache_key = f"applications:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def working_days_left(deadline: date) -> int:
    """Working days from today to the deadline; negative once it has passed."""
    return working_days_between(timezone.localdate(), deadline)


def area_label(code: str, lang: str) -> str:
    area = reference.area(code) if code else None
    return area.label(lang) if area else code


def agency_label(code: str, lang: str) -> str:
    agency = reference.agency(code) if code else None
    return agency.label(lang) if agency else code


def service_title(code: str, lang: str, cache_: dict[str, str] | None = None) -> str:
    if cache_ is not None and code in cache_:
        return cache_[code]
    service = catalog.service(code)
    title = service.text("title", lang) if service else code
    if cache_ is not None:
        cache_[code] = title
    return title


def attached_files(
    attached: dict[str, list[str]], *, viewer_id, inline: bool = False
) -> dict[str, list[dict]]:
    """Document type code → the stored files, each with a short-lived link for ``viewer_id``."""
    files: dict[str, list[dict]] = {}
    for code, ids in attached.items():
        for document_id in ids:
            stored = documents.document_get(document_id)
            if stored is None:
                continue
            files.setdefault(code, []).append(
                {
                    "id": stored.id,
                    "filename": stored.filename,
                    "kind": stored.kind,
                    "is_image": stored.kind in ("jpeg", "png"),
                    "size_kb": max(1, round(stored.size / 1024)),
                    "url": documents.document_url(
                        stored.id, viewer_id=viewer_id, ttl_seconds=DOCUMENT_LINK_SECONDS, inline=inline
                    ),
                }
            )
    return files


def status_url(application: api.ApplicationInfo) -> str:
    """The public status page of the application, which needs no sign-in."""
    query = urlencode({"number": application.number, "code": application.tracking_code})
    return f"{reverse('applications:status')}?{query}"


# --- How pages show an application --------------------------------------------------------------


def request_text(timeline: list[api.TimelineItem], state: str) -> str:
    """What the agency asked for when it put the application in ``state``."""
    asked = [item.comment for item in timeline if item.to_state == state and item.comment]
    return asked[-1] if asked else ""


def timeline_items(timeline: list[api.TimelineItem], lang: str) -> list[dict]:
    return [
        {
            "at": item.at,
            "step": item.action_text(lang) or STEPS.get(item.action, item.action),
            "status": item.status(lang),
            "actor": ACTORS.get(item.actor_kind, ""),
            "centre": agency_label(item.centre_code, lang),
            "comment": item.comment,
        }
        for item in timeline
    ]


def decision_view(application: api.ApplicationInfo, lang: str) -> dict | None:
    decision = application.decision
    if decision is None:
        return None
    return {
        "code": decision.code,
        "outcome": OUTCOMES.get(decision.code, decision.code),
        "reason": decision.reason_text(lang),
        "text": decision.text,
        "place": decision.details.get("place", ""),
        "appointment_at": parse_datetime(appointment)
        if (appointment := decision.details.get("appointment_at"))
        else None,
        "at": decision.decided_at,
    }


def deadline_view(application: api.ApplicationSummary) -> dict:
    """The countdown people read: working days left, overdue, or the clock stopped."""
    if application.terminal:
        return {"state": "closed"}
    if not application.clock_runs:
        return {"state": "stopped"}
    left = working_days_left(application.deadline)
    return {"state": "overdue" if left < 0 else "running", "days": abs(left)}

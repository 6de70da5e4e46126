"""Status by number and tracking code, for anyone, without signing in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from darcha.modules.applications import api
from darcha.modules.applications.forms_web import StatusForm
from darcha.modules.applications.views.common import (
    OUTCOMES,
    language,
    too_many,
)
from darcha.modules.identity import api as identity

# Look-ups per address in a window: enough for a family, too few to guess codes.
LOOKUPS_PER_WINDOW = 20
WINDOW_SECONDS = 600


@require_safe
def status(request: HttpRequest) -> HttpResponse:
    template = "applications/status.html"
    if not request.GET:
        return render(request, template, {"form": StatusForm()})
    form = StatusForm(request.GET)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=422)
    address = identity.client_ip(request) or "unknown"
    if too_many("status", address, limit=LOOKUPS_PER_WINDOW, window=WINDOW_SECONDS):
        problem = _("Too many look-ups from your connection. Wait ten minutes and try again.")
        return render(request, template, {"form": form, "problem": problem}, status=429)
    found = api.status_by_tracking(form.cleaned_data["number"], form.cleaned_data["code"])
    if found is None:
        # The same words whichever of the two is wrong, so nobody learns which numbers exist.
        problem = _("No application matches this number and tracking code. Check both and try again.")
        return render(request, template, {"form": form, "problem": problem}, status=404)
    lang = language()
    return render(
        request,
        template,
        {
            "form": form,
            "found": found,
            "title": found.title(lang),
            "state": found.status(lang),
            "outcome": OUTCOMES.get(found.outcome, "") if found.terminal else "",
        },
    )

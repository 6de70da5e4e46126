from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from darcha.modules.notifications import api, selectors
from darcha.modules.notifications.forms import DevInboxFilterForm

INBOX_PAGE_SIZE = 20
DEV_INBOX_PAGE_SIZE = 30


def _inbox_url(before: str | None) -> str:
    url = reverse("notifications:inbox")
    return f"{url}?{urlencode({'before': before})}" if before else url


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    recipient_id = str(request.user.pk)
    before = request.GET.get("before") or None
    try:
        items = api.inbox_for(recipient_id, limit=INBOX_PAGE_SIZE + 1, before=before)
    except api.MessageNotFound as exc:
        raise Http404(_("This page of notifications does not exist.")) from exc
    older = items[INBOX_PAGE_SIZE - 1].id if len(items) > INBOX_PAGE_SIZE else None
    return render(
        request,
        "notifications/inbox.html",
        {
            "notifications": items[:INBOX_PAGE_SIZE],
            "unread": api.unread_count(recipient_id),
            "before": before,
            "older_url": _inbox_url(older) if older else "",
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id) -> HttpResponse:
    try:
        api.mark_read(recipient_id=str(request.user.pk), message_id=str(message_id))
    except api.MessageNotFound as exc:
        raise Http404(_("No such notification.")) from exc
    messages.success(request, _("The notification is marked as read."))
    return redirect(_inbox_url(_own_page(request)))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    api.mark_all_read(recipient_id=str(request.user.pk))
    messages.success(request, _("All notifications are marked as read."))
    return redirect(_inbox_url(_own_page(request)))


def _own_page(request: HttpRequest) -> str | None:
    """The page to return to, if it is a page of this user's inbox."""
    before = request.POST.get("before") or None
    if before:
        try:
            api.inbox_for(str(request.user.pk), limit=1, before=before)
        except api.MessageNotFound:
            return None
    return before


@require_GET
def dev_inbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEV_INBOX_ENABLED:
        raise Http404
    form = DevInboxFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "notifications/dev_inbox.html", {"form": form, "page": None}, status=400)
    entries = selectors.dev_inbox(phone_digits=form.cleaned_data["phone"])
    page = Paginator(entries, DEV_INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.code = selectors.code_in(entry.body) if entry.one_time_code else None
    query = urlencode({"phone": form.cleaned_data["phone"]}) if form.cleaned_data["phone"] else ""
    # Which demo people exist is identity's knowledge; the settings name the provider so
    # this module does not depend on identity.
    provider = settings.DEV_INBOX_DEMO_ACCOUNTS
    demo_accounts = import_string(provider)() if provider else []
    return render(
        request,
        "notifications/dev_inbox.html",
        {"form": form, "page": page, "query": query, "demo_accounts": demo_accounts},
    )

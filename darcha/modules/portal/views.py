"""Pages of the portal shell: home, language switch, display settings, error pages."""

import re

from django.conf import settings
from django.contrib import messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from darcha.modules.portal import peers
from darcha.modules.portal.api import error_json
from darcha.modules.portal.forms import AccessibilityForm, LanguageForm
from darcha.modules.portal.shell import A11Y_COOKIE, a11y_choices, shell_context

A11Y_COOKIE_AGE = 60 * 60 * 24 * 365


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else reverse("portal:home")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _render_home(request: HttpRequest, language: str) -> HttpResponse:
    situations = peers.life_situations(language) if peers.life_situations else []
    popular = peers.popular_services(language, limit=8) if peers.popular_services else []
    return render(request, "portal/home.html", {"situations": situations, "popular": popular})


# Every anonymous visitor sees the same home page for a language and display settings
# until the catalog changes, so it is rendered once per process and only the visitor's
# CSRF token (a per-visitor value in the language switch form) is put in per request.
_anonymous_home: dict[tuple[str, str, str], str] = {}
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
_CSRF_SLOT = "\x00csrf\x00"


@receiver(setting_changed)
def _forget_home_pages(**kwargs) -> None:
    _anonymous_home.clear()


def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    shareable = (
        not request.user.is_authenticated
        and not request.GET
        and peers.catalog_revision is not None
        and not len(messages.get_messages(request))
    )
    if not shareable:
        return _render_home(request, language)
    key = (peers.catalog_revision(), language, " ".join(sorted(a11y_choices(request))))
    page = _anonymous_home.get(key)
    if page is None:
        response = _render_home(request, language)
        page = _CSRF_INPUT.sub(rf"\g<1>{_CSRF_SLOT}\g<2>", response.content.decode())
        if len(_anonymous_home) >= 64:
            _anonymous_home.clear()
        _anonymous_home[key] = page
    return HttpResponse(page.replace(_CSRF_SLOT, get_token(request)))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _error(request, 400, _("Choose one of the languages offered on the page."))
    language = form.cleaned_data["language"]
    if request.user.is_authenticated and peers.account_set_language is not None:
        peers.account_set_language(account_id=request.user.pk, language=language)
    response = _see_other(_safe_next(request, form.cleaned_data["next"]))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccessibilityForm(request.POST)
        if form.is_valid():
            response = _see_other(reverse("portal:accessibility"))
            if choices := form.choices():
                response.set_cookie(
                    A11Y_COOKIE,
                    ":".join(choices),
                    max_age=A11Y_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            else:
                response.delete_cookie(A11Y_COOKIE, samesite="Lax")
            messages.success(request, _("Your display settings are saved."))
            return response
    else:
        form = AccessibilityForm.from_choices(a11y_choices(request))
    return render(request, "portal/accessibility.html", {"form": form})


def _error(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    if _is_api(request):
        return error_json(status, message)
    return render(request, f"portal/errors/{status}.html", {"message": message}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # The failure may be the database itself, so nothing on this path reads it: no
    # context processors (account header, messages), only the frame of the page.
    if _is_api(request):
        return error_json(500)
    context = {**shell_context(request), "csrf_token": get_token(request)}
    return HttpResponse(render_to_string("portal/errors/500.html", context), status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The answer while the database is unreachable (DATABASE_UNAVAILABLE_VIEW): like
    server_error, nothing here reads the database."""
    if _is_api(request):
        return error_json(503)
    context = {**shell_context(request), "csrf_token": get_token(request)}
    return HttpResponse(render_to_string("portal/errors/503.html", context), status=503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return error_json(403, _("The form has expired. Reload the page and try again."))
    return render(request, "portal/errors/csrf.html", status=403)

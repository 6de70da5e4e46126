"""What every page's frame needs: language, display settings and navigation.

Nothing here reads the database, so the server-error page can render the full frame
while the database is down.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

A11Y_COOKIE = "darcha_a11y"
A11Y_OPTIONS = ("large-text", "high-contrast")
SEARCH_PATH = "/services/search/"


def html_lang(code: str) -> str:
    """BCP 47 tag for a portal language code (``uz-cyrl`` is written ``uz-Cyrl``)."""
    language, _sep, script = code.partition("-")
    return f"{language}-{script.title()}" if len(script) == 4 else code


def a11y_choices(request: HttpRequest) -> set[str]:
    """Display options kept in the cookie; unknown values are ignored."""
    return set(request.COOKIES.get(A11Y_COOKIE, "").split(":")) & set(A11Y_OPTIONS)


def nav_items(path: str, *, signed_in: bool | None, is_officer: bool = False) -> list[dict]:
    """Main navigation; ``signed_in=None`` when it is unknown (the database is down)."""
    items = [("/services/", _("Services"))]
    if signed_in:
        items.append(("/cabinet/", _("My cabinet")))
    elif signed_in is False:
        items.append(("/sign-in/", _("Sign in")))
    if is_officer:
        items.append(("/office/", _("Officer area")))
    return [{"url": url, "label": label, "current": path.startswith(url)} for url, label in items]


def shell_context(
    request: HttpRequest, *, signed_in: bool | None = None, account: dict | None = None
) -> dict:
    current = get_language() or settings.LANGUAGE_CODE
    account = account or {}
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGES": settings.LANGUAGES,
        "DEV_INBOX_ENABLED": settings.DEV_INBOX_ENABLED,
        "html_lang": html_lang(current),
        "language_switch": [
            {"code": code, "name": name, "lang": html_lang(code), "current": code == current}
            for code, name in settings.LANGUAGES
        ],
        "a11y_classes": " ".join(f"a11y-{option}" for option in sorted(a11y_choices(request))),
        "current_path": request.get_full_path(),
        "search_query": request.GET.get("q", "") if request.path == SEARCH_PATH else "",
        "SEARCH_PATH": SEARCH_PATH,
        "account": account,
        "signed_in": signed_in,
        "nav_items": nav_items(request.path, signed_in=signed_in, is_officer=bool(account.get("is_officer"))),
    }

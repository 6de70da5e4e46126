"""Rendering notification texts with Django's template language and a strict context.

Texts are rendered without autoescaping except the e-mail HTML body. A variable missing
from the context is an error rather than an empty string, so a caller that forgets one
finds out at once instead of sending "Your code is ." to a citizen.
"""

import re

from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import translation

from darcha.modules.notifications.errors import NotificationError, RenderError
from darcha.platform.text import to_cyrillic

# Data keys of translatable content and the portal's language codes for them.
DJANGO_LANGUAGE = {"uz": "uz", "uz_cyrl": "uz-cyrl", "ru": "ru", "en": "en"}
HTML_LANG = {"uz": "uz", "uz_cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}
LANGUAGES = tuple(DJANGO_LANGUAGE)


class _RaiseOnMissing(str):
    """Django calls ``string_if_invalid % variable`` for a missing variable: raise there."""

    def __contains__(self, item: object) -> bool:
        return item == "%s"

    def __mod__(self, variable: object) -> str:
        raise RenderError(f"the context has no variable {variable}")


# No loaders and no tag libraries beyond the built-in ones: templates edited by operators
# can neither include files nor load tags.
_ENGINE = Engine(string_if_invalid=_RaiseOnMissing("%s"), libraries={})

# Spans that transliteration must leave alone: template syntax, HTML markup, links.
_NOT_WORDS = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>|&#?\w+;|https?://[^\s<>\"']+)", re.DOTALL)


def language_key(language: str) -> str:
    """'uz-cyrl', 'uz_Cyrl' or 'uz_cyrl' → 'uz_cyrl'; NotificationError (a ValueError) if unknown."""
    key = language.strip().lower().replace("-", "_")
    if key not in DJANGO_LANGUAGE:
        raise NotificationError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    return key


def to_cyrillic_source(source: str) -> str:
    """Uzbek Latin template → Cyrillic template, leaving tags, variables and markup as they are."""
    parts = _NOT_WORDS.split(source)
    parts[::2] = [to_cyrillic(part) if part else part for part in parts[::2]]
    return "".join(parts)


def render(source: str, context: dict, *, language: str, html: bool = False) -> str:
    try:
        template = _ENGINE.from_string(source)
        with translation.override(DJANGO_LANGUAGE[language]):
            return template.render(Context(context, autoescape=html))
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"{type(exc).__name__}: {exc}") from exc


def email_document(*, subject: str, body_html: str, language: str) -> str:
    """Wraps a rendered HTML body (already escaped) in the e-mail page layout."""
    return render_to_string(
        "notifications/email.html", {"subject": subject, "body_html": body_html, "lang": HTML_LANG[language]}
    )

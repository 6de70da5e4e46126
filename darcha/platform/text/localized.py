"""Picking the right form of translatable content stored as data ({uz, uz_cyrl, ru, en})."""

from collections.abc import Mapping

from django.utils import translation

from darcha.platform.text.transliterate import to_cyrillic

# Portal language codes (and the spellings they come in) → keys of translatable data.
CONTENT_KEYS = {"uz": "uz", "uz-cyrl": "uz_cyrl", "uz_cyrl": "uz_cyrl", "ru": "ru", "en": "en"}


def content_key(lang: str | None = None) -> str:
    """The data key for a portal language code; the active language when none is given."""
    code = (lang or translation.get_language() or "uz").lower().replace("_", "-")
    return CONTENT_KEYS.get(code, CONTENT_KEYS.get(code.split("-")[0], "uz"))


def localized(content: Mapping[str, str], lang: str | None = None) -> str:
    """The text in the asked language; a missing uz_cyrl is transliterated from uz, and any
    other missing form falls back to uz."""
    key = content_key(lang)
    if text := content.get(key):
        return text
    if key == "uz_cyrl" and content.get("uz"):
        return to_cyrillic(content["uz"])
    return content.get("uz") or next((v for v in content.values() if v), "")

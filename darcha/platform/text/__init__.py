"""Uzbek text: apostrophe variants, Latin ↔ Cyrillic transliteration, search keys, and the
choice of a language form of translatable content."""

from darcha.platform.text.apostrophes import APOSTROPHES, normalize_apostrophes
from darcha.platform.text.localized import content_key, localized
from darcha.platform.text.search import search_key
from darcha.platform.text.transliterate import to_cyrillic, to_latin

__all__ = [
    "APOSTROPHES",
    "content_key",
    "localized",
    "normalize_apostrophes",
    "search_key",
    "to_cyrillic",
    "to_latin",
]

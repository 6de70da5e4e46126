"""One comparable form of any Uzbek or Russian text, for indexing and matching."""

import re
import unicodedata

from darcha.platform.text.apostrophes import APOSTROPHE_CLASS
from darcha.platform.text.transliterate import to_latin

_APOSTROPHE = re.compile(APOSTROPHE_CLASS)
_NOT_WORD = re.compile(r"[\W_]+")


def search_key(text: str) -> str:
    """Folds case, script, apostrophes, accents and punctuation away.

    ``bog'cha``, ``bogʻcha``, ``bog‘cha``, ``bogcha`` and ``боғча`` all give ``bogcha``;
    Russian folds to a stable Latin form (``детский сад`` → ``detskiy sad``).
    """
    # Apostrophes go before NFKC, which would split the acute accent ´ into a space and a mark.
    text = unicodedata.normalize("NFKC", _APOSTROPHE.sub("", text)).lower()
    # Accents go after transliteration (й, ё and ў are letters of their own) and may bare
    # further Cyrillic letters (ќ → к), hence the second pass.
    text = to_latin(_strip_accents(to_latin(text)))
    text = _APOSTROPHE.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", text)).split())


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

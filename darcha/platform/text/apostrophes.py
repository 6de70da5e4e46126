"""The many ways the Uzbek apostrophe is typed, and their canonical forms.

Real data writes o‘ g‘ and the tutuq belgisi with any of these characters (word
processors even turn o' into o’). The official alphabet uses U+2018 after o and g and
U+2019 for the tutuq belgisi, so any variant right after o or g is read as o‘ / g‘.
"""

import re

# ' ‘ ’ ʻ ʼ ` ‛ ′ and the acute accent some keyboards produce.
APOSTROPHES = "'\u2018\u2019\u02bb\u02bc`\u201b\u2032\u00b4"
OKINA = "\u2018"  # o‘ g‘
TUTUQ = "\u2019"  # ma’lumot

APOSTROPHE_CLASS = f"[{re.escape(APOSTROPHES)}]"
_VARIANT = re.compile(APOSTROPHE_CLASS)


def normalize_apostrophes(text: str) -> str:
    """Every apostrophe variant becomes ‘ after o/g and ’ elsewhere."""
    return _VARIANT.sub(lambda m: OKINA if m.start() and text[m.start() - 1] in "OoGg" else TUTUQ, text)

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["uz", "uz_Cyrl", "ru"])
def test_every_message_is_translated(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert catalog.percent_translated() == 100, [e.msgid for e in catalog.untranslated_entries()]
    assert not catalog.fuzzy_entries()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").stat().st_mtime >= (
        LOCALE / language / "LC_MESSAGES" / "django.po"
    ).stat().st_mtime - 1


def test_uzbek_latin_uses_the_official_apostrophes():
    catalog = polib.pofile(str(LOCALE / "uz" / "LC_MESSAGES" / "django.po"))
    texts = [e.msgstr for e in catalog] + [t for e in catalog for t in e.msgstr_plural.values()]
    assert not [t for t in texts if re.search(r"[oOgG]['`ʻ’]", t)]


def test_uzbek_cyrillic_has_no_latin_words_left():
    catalog = polib.pofile(str(LOCALE / "uz_Cyrl" / "LC_MESSAGES" / "django.po"))
    allowed = {
        "SMS",
        "QR",
        "ID",
        "IP",
        "AB",
        "FreeOTP",
        "Aegis",
        "Google",
        "Authenticator",
        "name",
        "example",
        "uz",
        "d",
        "s",
    }
    for entry in catalog:
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"%\(\w+\)[sd]", "", entry.msgstr)))
        assert words <= allowed, (entry.msgid, words - allowed)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("uz", "JShShIR"), ("uz-cyrl", "ЖШШИР"), ("ru", "ПИНФЛ"), ("en", "PINFL")],
)
def test_the_catalogs_are_used(language, expected):
    with translation.override(language):
        assert translation.gettext("PINFL") == expected

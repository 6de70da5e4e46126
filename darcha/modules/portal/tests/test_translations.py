from pathlib import Path

import polib
import pytest

MODULES = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["portal", "apiaccess"])
@pytest.mark.parametrize("language", ["uz", "uz_Cyrl", "ru"])
def test_every_string_is_translated_and_compiled(module, language):
    folder = MODULES / module / "locale" / language / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    assert len(po) > 20
    assert [entry.msgid for entry in po if not entry.msgstr or entry.fuzzy] == []

    def pairs(entries):
        return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in entries}

    assert pairs(polib.mofile(str(folder / "django.mo"))) == pairs(po)


@pytest.mark.parametrize("module", ["portal", "apiaccess"])
def test_uzbek_latin_uses_the_proper_apostrophes(module):
    po = polib.pofile(str(MODULES / module / "locale" / "uz" / "LC_MESSAGES" / "django.po"))
    assert [entry.msgstr for entry in po if "'" in entry.msgstr or "`" in entry.msgstr] == []

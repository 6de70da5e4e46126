"""Every string of the application pages is translated into Uzbek (both scripts) and Russian,
compiled, and shown in the visitor's language."""

from pathlib import Path

import polib
import pytest

MODULE = Path(__file__).resolve().parents[1]
PAGES = ("views/", "templates/", "forms_web.py")


def page_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if any(where.startswith(PAGES) for where, _line in entry.occurrences)]


@pytest.mark.parametrize("language", ["uz", "uz_Cyrl", "ru"])
def test_every_page_string_is_translated_and_compiled(language):
    folder = MODULE / "locale" / language / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    entries = page_entries(po)
    assert len(entries) > 200
    assert [entry.msgid for entry in entries if not entry.msgstr or entry.fuzzy] == []
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(folder / "django.mo"))}
    assert {entry.msgid: compiled.get(entry.msgid) for entry in entries} == {
        e.msgid: e.msgstr for e in entries
    }


def test_uzbek_latin_uses_the_proper_apostrophes():
    po = polib.pofile(str(MODULE / "locale" / "uz" / "LC_MESSAGES" / "django.po"))
    assert [entry.msgstr for entry in page_entries(po) if "'" in entry.msgstr or "`" in entry.msgstr] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("uz", "Ariza holati"),
        ("uz-cyrl", "Ариза ҳолати"),
        ("ru", "Статус заявления"),
        ("en", "Application status"),
    ],
)
def test_the_status_page_speaks_the_visitors_language(client, language, heading):
    client.cookies["darcha_lang"] = language
    assert f"<h1>{heading}</h1>" in client.get("/status/").content.decode()

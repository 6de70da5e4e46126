"""Every refusal reads in the person's language."""

import pytest
from django.utils import translation

from darcha.modules.documents import api
from darcha.modules.documents.errors import MESSAGES
from darcha.modules.documents.intake import lazy_filesize


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru"])
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_refusal_is_translated(code, language):
    error = api.DocumentRejected(code, limit=200, types="PDF, PNG")
    with translation.override("en"):
        english = error.message
    with translation.override(language):
        translated = error.message

    assert translated != english
    assert ("200" in translated) == ("200" in english)
    assert ("PDF, PNG" in translated) == ("PDF, PNG" in english)
    if language == "uz":
        assert "'" not in translated  # o‘, g‘ are written with U+2018


def test_the_message_follows_the_language_it_is_read_in():
    with translation.override("en"):
        error = api.DocumentRejected("too_large", limit=lazy_filesize(10 * 1024 * 1024))
        assert error.message.startswith("The file is larger than the limit of 10.0")
    with translation.override("ru"):
        assert error.message.startswith("Файл больше допустимого размера 10,0")


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        api.DocumentRejected("too_pretty")

import re

import pytest
from django.test import Client

from darcha.modules.catalog import api as catalog

BUDGET = 100 * 1024
ASSET = re.compile(r'<(?:link|script|img|source)\b[^>]*?\b(?:href|src)="([^"]+)"')


def first_load_bytes(language: str) -> int:
    """The home page and every asset it references, as a first visit downloads them."""
    client = Client()
    client.cookies["darcha_lang"] = language
    home = client.get("/")
    assert home.status_code == 200
    assets = sorted(set(ASSET.findall(home.content.decode())))
    assert "/static/portal/darcha.css" in assets
    total = len(home.content)
    for url in assets:
        assert url.startswith("/"), f"{url} is not served by the portal itself"
        response = client.get(url)
        assert response.status_code == 200, url
        total += len(b"".join(response.streaming_content) if response.streaming else response.content)
    return total


@pytest.mark.django_db
def test_home_page_with_the_full_catalog_stays_under_100_kb_in_every_language(full_catalog):
    assert catalog.popular_services("uz", limit=8)
    weights = {language: first_load_bytes(language) for language in ["uz", "uz-cyrl", "ru", "en"]}
    assert max(weights.values()) < BUDGET, weights

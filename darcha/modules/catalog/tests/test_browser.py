"""In Chromium: from the home page to the kindergarten service, whatever way it is typed."""

import re

import pytest

from darcha.modules.catalog import api
from darcha.modules.catalog.tests.conftest import REAL_SERVICES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDERGARTEN_QUERIES = ["bog'cha", "bogʻcha", "bogcha", "боғча", "детский сад", "kindergarten"]


def kindergarten_titles() -> set[str]:
    return set(api.service("kindergarten-placement").title.values())


@pytest.fixture
def loaded():
    api.load_definitions(REAL_SERVICES, strict=False)


def test_each_way_of_writing_kindergarten_leads_from_the_home_page_to_the_service(page, loaded):
    for query in KINDERGARTEN_QUERIES:
        page.goto("/")
        page.locator('form[role="search"] input[name="q"]').fill(query)
        page.locator('form[role="search"] button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/services/search/\?q="))
        page.locator("main ol.grid li.card a").first.click()
        page.wait_for_url("**/services/kindergarten-placement/")
        assert page.locator("h1").inner_text() in kindergarten_titles(), query


def test_the_service_page_passes_axe(page, loaded, axe):
    page.goto("/services/kindergarten-placement/")
    assert page.locator("h2").count() >= 6
    axe(page)


def test_the_service_page_fits_a_phone_and_passes_axe(phone_page, loaded, axe):
    phone_page.goto("/services/foreign-passport/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    axe(phone_page)


def test_the_search_and_catalog_pages_pass_axe(page, loaded, axe):
    for url in [
        "/services/",
        "/services/search/?q=bogcha",
        "/services/search/?q=xyzzy",
        "/services/category/education/",
        "/services/kindergarten-placement/versions/",
    ]:
        page.goto(url)
        axe(page)


def test_suggestions_appear_while_typing_and_lead_to_the_service(page, loaded):
    page.goto("/services/")
    box = page.locator('form[role="search"] input[name="q"]')
    with page.expect_response(lambda response: "/services/suggest/?q=bogch" in response.url) as answer:
        box.press_sequentially("bogch")
    assert answer.value.ok
    option = page.locator("datalist#catalog-suggestions option").first
    option.wait_for(state="attached")
    assert option.get_attribute("value") in kindergarten_titles()
    box.fill(option.get_attribute("value"))
    box.dispatch_event("input")
    page.wait_for_url("**/services/kindergarten-placement/")

import pytest
from playwright.sync_api import expect

from darcha.modules.catalog import api as catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = {"uz": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


def set_cookie(page, live_server, name: str, value: str) -> None:
    page.context.add_cookies([{"name": name, "value": value, "url": live_server.url}])


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", LANGS)
def test_home_page_passes_axe_in_each_language(page, live_server, axe, language):
    set_cookie(page, live_server, "darcha_lang", language)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", LANGS[language])
    axe(page)


def test_home_page_full_of_services_passes_axe_and_fits_a_phone(
    page, phone_page, live_server, axe, full_catalog
):
    set_cookie(page, live_server, "darcha_lang", "ru")
    page.goto("/")
    expect(page.locator("main .card")).to_have_count(len(catalog.life_situations("ru")) + 8)
    axe(page)
    for language in LANGS:
        set_cookie(phone_page, live_server, "darcha_lang", language)
        phone_page.goto("/")
        assert page_width(phone_page) <= 360, language


@pytest.mark.parametrize("display", ["high-contrast", "large-text", "large-text:high-contrast"])
def test_home_page_passes_axe_with_display_settings(page, live_server, axe, display):
    set_cookie(page, live_server, "darcha_a11y", display)
    page.goto("/")
    expect(page.locator("html")).to_have_class(" ".join(f"a11y-{d}" for d in sorted(display.split(":"))))
    axe(page)


@pytest.mark.parametrize("path", ["/accessibility/", "/no-such-page/", "/api/v1/docs"])
def test_other_shell_pages_pass_axe(page, axe, path):
    page.goto(path)
    axe(page)


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("path", ["/", "/accessibility/", "/no-such-page/", "/api/v1/docs"])
def test_nothing_overflows_a_360px_phone(phone_page, live_server, language, path):
    set_cookie(phone_page, live_server, "darcha_lang", language)
    phone_page.goto(path)
    assert page_width(phone_page) <= 360


def test_large_text_still_fits_a_360px_phone(phone_page, live_server):
    set_cookie(phone_page, live_server, "darcha_a11y", "large-text")
    phone_page.goto("/")
    assert page_width(phone_page) <= 360


def test_clicking_a_language_changes_the_page_language(page):
    page.goto("/accessibility/")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.url.endswith("/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Настройки доступности")
    page.get_by_role("button", name="Ўзбекча").click()
    expect(page.locator("html")).to_have_attribute("lang", "uz-Cyrl")


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


class TestWithoutJavaScript:
    @pytest.fixture
    def nojs_page(self, browser, live_server):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        yield context.new_page()
        context.close()

    def test_language_switch(self, nojs_page):
        nojs_page.goto("/")
        nojs_page.get_by_role("button", name="English").click()
        expect(nojs_page.locator("html")).to_have_attribute("lang", "en")
        expect(nojs_page.get_by_role("heading", level=1)).to_have_text("Public services in one window")

    def test_display_settings(self, nojs_page):
        nojs_page.goto("/accessibility/")
        nojs_page.get_by_label("High contrast").check()
        nojs_page.get_by_role("button", name="Save settings").click()
        expect(nojs_page.locator("html")).to_have_class("a11y-high-contrast")
        expect(nojs_page.get_by_role("status")).to_contain_text("Your display settings are saved.")
        expect(nojs_page.get_by_label("High contrast")).to_be_checked()

    def test_search_box_goes_to_the_catalog_search(self, nojs_page):
        nojs_page.goto("/")
        nojs_page.get_by_role("searchbox").fill("bog‘cha")
        nojs_page.get_by_role("search").get_by_role("button").click()
        assert "/services/search/?q=bog%E2%80%98cha" in nojs_page.url

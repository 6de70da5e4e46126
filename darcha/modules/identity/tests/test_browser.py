"""Demo people sign in through the pages, in every language, as a browser does."""

import re

import pyotp
import pytest

from darcha.modules.identity import api

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CABINET_HEADING = {
    "uz": "Shaxsiy kabinet",
    "uz-cyrl": "Шахсий кабинет",
    "ru": "Личный кабинет",
    "en": "My cabinet",
}
HTML_LANG = {"uz": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


@pytest.fixture
def demo(installation_data):
    api.seed_demo()
    return {row["name"]: row for row in api.demo_accounts()}


def use_language(page, live_server, language):
    page.context.add_cookies([{"name": "darcha_lang", "value": language, "url": live_server.url}])


def code_from_inbox(page, phone):
    page.goto(f"/dev/inbox?phone={phone.removeprefix('+998')}")
    return page.locator("strong.badge").first.inner_text().strip()


def password_step(page, identifier):
    page.goto("/sign-in/")
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill("Darcha-2026")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/sign-in/code/")


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
def test_a_demo_citizen_signs_in_with_the_sms_code(page, live_server, demo, language):
    citizen = demo["Karimov Jasur Baxtiyorovich"]
    use_language(page, live_server, language)
    password_step(page, citizen["pinfl"])
    code = code_from_inbox(page, citizen["phone"])
    assert re.fullmatch(r"[0-9]{6}", code)

    page.goto("/sign-in/code/")
    page.locator("input[name=code]").fill(code)
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url("**/cabinet/")
    assert page.locator("h1").inner_text() == CABINET_HEADING[language]
    assert page.locator("html").get_attribute("lang") == HTML_LANG[language]
    assert citizen["pinfl"] in page.locator("main").inner_text()


def test_an_officer_signs_in_with_an_authenticator_code(page, live_server, demo):
    officer = demo["Azimov Jamshid Toirovich"]
    use_language(page, live_server, "en")
    password_step(page, officer["phone"])
    page.locator("input[name=code]").fill(pyotp.TOTP(officer["totp_secret"]).now())
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url("**/office/")
    assert page.locator("h1").inner_text() == "Officer area"
    page.get_by_role("link", name="Confirm a visitor's identity").click()
    page.wait_for_url("**/office/identity/confirm")
    assert page.locator("h1").inner_text() == "Confirm a visitor's identity"


def test_sign_in_and_cabinet_pass_axe(page, live_server, demo, axe):
    citizen = demo["Karimov Jasur Baxtiyorovich"]
    use_language(page, live_server, "uz")
    page.goto("/sign-in/")
    axe(page)
    page.locator("main form button[type=submit]").first.click()  # empty form: the error summary
    assert page.locator(".error-summary").is_visible()
    axe(page)
    password_step(page, citizen["pinfl"])
    axe(page)
    code = code_from_inbox(page, citizen["phone"])
    page.goto("/sign-in/code/")
    page.locator("input[name=code]").fill(code)
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url("**/cabinet/")
    axe(page)
    for path in ("/cabinet/settings/", "/cabinet/sessions/", "/cabinet/contacts/", "/cabinet/password/"):
        page.goto(path)
        axe(page)


def test_the_sign_in_page_fits_a_phone_screen(phone_page, live_server, installation_data, axe):
    phone_page.goto("/register/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe(phone_page)
    phone_page.goto("/sign-in/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

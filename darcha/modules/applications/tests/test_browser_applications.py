"""In Chromium: a mother applies for a kindergarten place with a scan, an officer asks for more,
she amends, the officer issues the referral, she reads the decision and rates it; a service
centre operator applies for a visitor and prints the receipt; anyone checks a status by the
tracking code. The pages on the way are checked with axe-core."""

import io
import re
import shutil

import pyotp
import pytest
from PIL import Image
from pypdf import PdfReader

from darcha.modules.applications.tests.conftest import DATA, REPO
from darcha.modules.catalog import api as catalog
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.platform.events.worker import drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOTHER = "Karimova Dilnoza"
REVIEWER = "Nazarov Farrux"  # maktabgacha, Tashkent city: reviewer and approver
OPERATOR = "Azimov Jamshid"  # public service centre of Chilonzor
NUMBER = re.compile(r"[0-9]{2}-[0-9]{4}-[0-9]{6}")


@pytest.fixture
def kindergarten(committed_data, definitions_root, tmp_path):
    """The real kindergarten service and form next to the test ones."""
    services = tmp_path / "services"
    shutil.copytree(definitions_root / "services", services)
    shutil.copy(REPO / "services" / "education" / "kindergarten-placement.yaml", services / "education")
    catalog.load_definitions(services)
    form_files = tmp_path / "forms"
    shutil.copytree(DATA / "forms", form_files)
    shutil.copy(REPO / "forms" / "kindergarten-placement.yaml", form_files)
    forms.load_forms(form_files)


def person(name: str) -> dict:
    return next(row for row in identity.demo_accounts() if row["name"].startswith(name + " "))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "darcha_lang", "value": "en", "url": live_server.url}])
    return context.new_page()


def sign_in(page, who: dict) -> None:
    page.goto("/sign-in/")
    page.locator("input[name=identifier]").fill(who["phone"])
    page.locator("input[name=password]").fill(who["password"])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/sign-in/code/")
    code = (
        pyotp.TOTP(who["totp_secret"]).now()
        if who["totp_secret"]
        else notifications.latest_code_for(who["phone"])
    )
    page.locator("input[name=code]").fill(code)
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/(cabinet|office)/$"))


def for_the_son(page) -> None:
    """The mother applies for her son, born in 2022."""
    page.get_by_label(re.compile("Sardor|Сардор")).check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_child_pinfl")


def fill_kindergarten(page) -> None:
    page.locator("#id_child_pinfl").fill("61403220261171")
    page.locator("#id_birth_certificate_number").fill("I-TN 1234567")
    page.locator("#id_district").select_option("1726294")
    page.locator("#id_education_language_0").check()
    page.locator("#id_stay_mode_0").check()
    page.locator("#id_desired_start_date").fill("2030-09-01")
    page.locator("#id_parent_phone").fill("+998901234568")


def attach(page, code: str, name: str = "scan.png") -> None:
    page.locator(f"#document-{code}").set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": png_bytes()}
    )


def attach_required(page, *, but: str = "") -> None:
    """A scan for every document the kindergarten form requires (except ``but``)."""
    for slot in forms.form("kindergarten-placement").documents:
        if slot.required and slot.code != but:
            attach(page, slot.code, f"{slot.code}.png")


def decide(page, action: str, **fields) -> None:
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".notice-success")


def test_a_mother_applies_for_a_kindergarten_place_to_the_end(browser, live_server, kindergarten, axe):
    mother, officer = new_page(browser, live_server), new_page(browser, live_server)
    sign_in(mother, person(MOTHER))

    # She finds the form from the service page, first without the birth certificate.
    mother.goto("/services/kindergarten-placement/")
    mother.get_by_role("link", name="Apply online").click()
    mother.wait_for_url("**/services/kindergarten-placement/apply/")
    axe(mother)
    for_the_son(mother)
    axe(mother)
    fill_kindergarten(mother)
    attach_required(mother, but="birth-certificate")
    mother.get_by_role("button", name="Submit the application").click()
    assert "Attach this document." in mother.locator(".error-summary").inner_text()
    attach(mother, "birth-certificate", "birth-certificate.png")
    mother.get_by_role("button", name="Submit the application").click()
    mother.wait_for_url(re.compile(r"/cabinet/applications/[0-9-]+/submitted/$"))
    number = NUMBER.search(mother.url)[0]
    assert number in mother.locator("main").inner_text()

    # The officer finds it in the inbox, sees the scan in the page and asks for more.
    sign_in(officer, person(REVIEWER))
    officer.goto("/office/applications/")
    axe(officer)
    officer.get_by_role("link", name=number).click()
    officer.wait_for_url(f"**/office/applications/{number}/")
    assert officer.locator("img[src^='/files/']").first.evaluate("image => image.naturalWidth") == 60
    axe(officer)
    decide(officer, "request_info", comment="The scan is cut off: upload the whole certificate.")

    # She reads the request, corrects the application and sends a better scan.
    mother.goto(f"/cabinet/applications/{number}/")
    assert "The scan is cut off" in mother.locator("main").inner_text()
    axe(mother)
    mother.get_by_role("link", name="Correct and resubmit").click()
    mother.locator("#id_stay_mode_1").check()
    attach(mother, "birth-certificate", "whole-certificate.png")
    mother.get_by_role("button", name="Resubmit the application").click()
    mother.wait_for_url(f"**/cabinet/applications/{number}/")
    assert "Resubmitted" in mother.locator("main").inner_text()

    # The officer places the child in the queue and issues the referral.
    officer.goto(f"/office/applications/{number}/")
    decide(officer, "queue")
    decide(officer, "issue_referral", place="Kindergarten No. 12, Chilonzor, Bunyodkor street 3")

    # She sees the decision and rates the service; the rating reaches the service page.
    mother.goto(f"/cabinet/applications/{number}/")
    decision = mother.locator("section", has_text="Decision").first.inner_text()
    assert "Referral issued" in decision and "Kindergarten No. 12" in decision
    axe(mother)
    mother.locator("label", has_text="5 — excellent").click()
    mother.get_by_role("button", name="Send the rating").click()
    mother.wait_for_selector("text=You rated the service: 5 of 5.")
    drain()
    mother.goto("/services/kindergarten-placement/")
    assert "Rated 5" in mother.locator("main").inner_text()


def test_an_operator_applies_for_a_visitor_and_prints_the_receipt(browser, live_server, kindergarten, axe):
    operator = new_page(browser, live_server)
    sign_in(operator, person(OPERATOR))
    visitor = person(MOTHER)
    operator.goto("/office/centre/")
    axe(operator)
    operator.get_by_label("Visitor's PINFL").fill(visitor["pinfl"])
    operator.get_by_role("button", name="Find and send the consent code").click()
    operator.wait_for_url("**/office/centre/consent/")
    operator.get_by_label("Code from the visitor's phone").fill(
        notifications.latest_code_for(visitor["phone"])
    )
    operator.get_by_role("button", name="Confirm the consent").click()
    operator.wait_for_url("**/office/centre/services/")
    operator.get_by_label("What does the visitor need?").fill("bog‘cha")
    operator.get_by_role("button", name="Find").click()
    operator.locator("a[href='/office/centre/apply/kindergarten-placement/']").click()
    fill_kindergarten(operator)
    attach_required(operator)
    operator.get_by_role("button", name="Submit the application").click()
    operator.wait_for_url(re.compile(r"/office/centre/receipt/[0-9-]+/$"))
    receipt = operator.locator("article").inner_text()
    assert NUMBER.search(receipt)
    qr = operator.locator("article img[src^='data:image/svg+xml']")
    assert qr.evaluate("image => image.naturalWidth") > 0
    axe(operator)
    # Printed, only the receipt remains, on one sheet of the paper the operator chose.
    number = NUMBER.search(receipt)[0]
    for paper, size in (("A4", (210, 297)), ("A5", (148, 210))):
        if paper == "A5":
            operator.locator("a", has_text="Receipt for A5 paper").click()
            operator.wait_for_url("**?paper=a5")
        printed = PdfReader(io.BytesIO(operator.pdf(prefer_css_page_size=True)))
        sheet = printed.pages[0]
        assert len(printed.pages) == 1
        assert (
            round(float(sheet.mediabox.width) / 72 * 25.4),
            round(float(sheet.mediabox.height) / 72 * 25.4),
        ) == size
        text = sheet.extract_text()
        assert number in text and "Sign out" not in text and "Finish the visit" not in text
    assert operator.locator("[data-print-button]").is_visible()  # shown where scripts run


def test_anyone_checks_the_status_by_the_tracking_code(browser, live_server, kindergarten, page, axe):
    mother = new_page(browser, live_server)
    sign_in(mother, person(MOTHER))
    mother.goto("/services/kindergarten-placement/apply/")
    for_the_son(mother)
    fill_kindergarten(mother)
    attach_required(mother)
    mother.get_by_role("button", name="Submit the application").click()
    mother.wait_for_url(re.compile(r"/submitted/$"))
    number = NUMBER.search(mother.url)[0]
    code = mother.locator("dt:has-text('Tracking code') + dd").inner_text().strip()

    page.context.add_cookies([{"name": "darcha_lang", "value": "en", "url": live_server.url}])
    page.goto("/status/")
    page.get_by_label("Application number").fill(number)
    page.get_by_label("Tracking code").fill("ZZZZZZZZZZ")
    page.get_by_role("button", name="Check the status").click()
    assert "No application matches" in page.locator(".error-summary").inner_text()
    page.get_by_label("Tracking code").fill(code.lower())
    page.get_by_role("button", name="Check the status").click()
    found = page.locator("section.card").inner_text()
    assert number in found and "Submitted" in found
    axe(page)


def test_a_draft_saves_itself_and_opens_on_another_device(browser, live_server, kindergarten):
    laptop, phone = new_page(browser, live_server), new_page(browser, live_server)
    sign_in(laptop, person(MOTHER))
    laptop.goto("/services/kindergarten-placement/apply/")
    for_the_son(laptop)
    laptop.locator("#id_birth_certificate_number").fill("I-TN 7654321")
    laptop.wait_for_selector("[data-autosave-status]:has-text('Draft saved at')")
    sign_in(phone, person(MOTHER))
    phone.goto("/cabinet/applications/")
    phone.locator("#drafts-title + ul a").first.click()
    assert phone.locator("#id_birth_certificate_number").input_value() == "I-TN 7654321"


def test_answers_typed_before_the_page_script_runs_are_saved_too(browser, live_server, kindergarten):
    laptop = new_page(browser, live_server)
    sign_in(laptop, person(MOTHER))
    laptop.route("**/autosave.js", lambda route: route.abort())
    laptop.goto("/services/kindergarten-placement/apply/")
    for_the_son(laptop)
    laptop.locator("#id_birth_certificate_number").fill("I-TN 7654320")
    laptop.unroute("**/autosave.js")
    laptop.add_script_tag(url=laptop.locator("script[src*=autosave]").get_attribute("src"))
    laptop.wait_for_selector("[data-autosave-status]:has-text('Draft saved at')")
    draft = laptop.locator("input[name=draft]").input_value()
    phone = new_page(browser, live_server)
    sign_in(phone, person(MOTHER))
    phone.goto(f"/services/kindergarten-placement/apply/?draft={draft}")
    assert phone.locator("#id_birth_certificate_number").input_value() == "I-TN 7654320"


def test_a_draft_save_the_server_could_not_take_is_tried_again(browser, live_server, kindergarten):
    laptop = new_page(browser, live_server)
    sign_in(laptop, person(MOTHER))
    laptop.goto("/services/kindergarten-placement/apply/")
    for_the_son(laptop)
    refused = []

    def busy_once(route):
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="")
        else:
            route.continue_()

    laptop.route("**/services/kindergarten-placement/apply/**", busy_once)
    laptop.locator("#id_birth_certificate_number").fill("I-TN 7654322")
    laptop.wait_for_selector("[data-autosave-status]:has-text('Draft saved at')")
    assert len(refused) == 1
    draft = laptop.locator("input[name=draft]").input_value()
    laptop.unroute_all()
    laptop.goto(f"/services/kindergarten-placement/apply/?draft={draft}")
    assert laptop.locator("#id_birth_certificate_number").input_value() == "I-TN 7654322"


def test_applying_and_following_fit_a_phone(browser, live_server, kindergarten, phone_page, axe):
    phone_page.context.add_cookies([{"name": "darcha_lang", "value": "uz", "url": live_server.url}])
    sign_in(phone_page, person(MOTHER))
    phone_page.goto("/services/kindergarten-placement/apply/")
    for_the_son(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    axe(phone_page)
    fill_kindergarten(phone_page)
    attach_required(phone_page)
    phone_page.locator("button[value=submit]").click()
    phone_page.wait_for_url(re.compile(r"/submitted/$"))
    number = NUMBER.search(phone_page.url)[0]
    for path in ("/cabinet/applications/", f"/cabinet/applications/{number}/"):
        phone_page.goto(path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, path
        axe(phone_page)

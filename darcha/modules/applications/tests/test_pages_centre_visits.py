"""Service centres beyond the first application: a visitor without a portal account, reached at
the phone they give, and a visitor who comes back to have an application amended or withdrawn."""

import re
import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from darcha.modules.applications import api
from darcha.modules.applications.models import Application, TimelineEntry
from darcha.modules.applications.tests.conftest import CHILONZOR, demo, login, png_upload, submit
from darcha.modules.identity import api as identity
from darcha.modules.identity.validators import make_pinfl
from darcha.modules.notifications import api as notifications
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CENTRE = "/office/centre/"
GIVEN_PHONE = "+998935550123"


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


@pytest.fixture
def newcomer() -> identity.PersonInfo:
    """A person in the population registry who has never signed up to the portal."""
    return identity.person_create(
        pinfl=make_pinfl(date(1985, 3, 2), "F", 263, 777),
        surname="Rahimova",
        given_name="Gulnora",
        address_area=CHILONZOR,
    )


@pytest.fixture
def dilnoza():
    return demo("Karimova Dilnoza")  # an account holder in Chilonzor


@pytest.fixture
def samarqand_operator():
    return demo("Mirzayeva Lola")  # operator of the Samarqand centre, Samarqand region only


def consent(client, pinfl: str, code_to: str, **form) -> None:
    """Identify the visitor and confirm the consent with the code that went to ``code_to``."""
    assert client.post(CENTRE, {"pinfl": pinfl, **form}).status_code == 303
    assert (
        client.post(CENTRE + "consent/", {"code": notifications.latest_code_for(code_to)}).status_code == 303
    )


def apply_at_the_centre(client, person_id: str) -> str:
    scan = SimpleUploadedFile("scan.png", png_upload().read(), content_type="image/png")
    response = client.post(
        CENTRE + "apply/test-permit/",
        {
            "purpose": "work",
            "copies": "1",
            "party": f"visitor:{person_id}",
            "intent": "submit",
            "idempotency_key": uuid.uuid4().hex,
            "document-passport": scan,
        },
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    return re.search(r"receipt/([0-9-]+)/", response["Location"])[1]


def act(who, info, action, **fields) -> api.ApplicationInfo:
    return api.act(
        application_id=info.id,
        action=action,
        actor_account_id=who.account_id,
        expected_version=info.version,
        appointments=who.appointments,
        **fields,
    )


# --- A visitor without an account ----------------------------------------------------------------


def test_a_visitor_without_an_account_is_asked_for_a_phone_checked_as_identity_checks_it(
    client, operator, newcomer
):
    login(client, operator, officer=True)
    asked = client.post(CENTRE, {"pinfl": newcomer.pinfl})
    assert asked.status_code == 422 and "has no portal account" in asked.content.decode()
    too_short = client.post(CENTRE, {"pinfl": newcomer.pinfl, "phone": "90 12"})
    assert too_short.status_code == 422 and "9 digits after +998" in too_short.content.decode()
    foreign = client.post(CENTRE, {"pinfl": newcomer.pinfl, "phone": "+7 912 345 67 89"})
    assert foreign.status_code == 422 and "starting with +998" in foreign.content.decode()
    bad_pinfl = client.post(CENTRE, {"pinfl": "123", "phone": GIVEN_PHONE})
    assert bad_pinfl.status_code == 422
    assert notifications.latest_code_for(GIVEN_PHONE) is None  # nothing was sent for any of these

    found = client.post(CENTRE, {"pinfl": newcomer.pinfl, "phone": "93 555-01-23"})
    assert found.status_code == 303
    assert re.fullmatch(r"[0-9]{6}", notifications.latest_code_for(GIVEN_PHONE))
    page = client.get(CENTRE + "consent/").content.decode()
    assert GIVEN_PHONE not in page and "Rahimova Gulnora" in page


def test_the_consent_is_recorded_with_the_phone_the_operator_and_the_centre(client, operator, newcomer):
    login(client, operator, officer=True)
    consent(client, newcomer.pinfl, GIVEN_PHONE, phone=GIVEN_PHONE)
    entry = AuditEntry.objects.get(action="visitor_consent", subject=newcomer.id)
    assert entry.actor == str(operator.account_id) and entry.purpose == "apply_on_behalf"
    assert entry.details == {"centre": "dxm-chilonzor", "phone": GIVEN_PHONE, "phone_from": "visitor"}


def test_the_code_limits_hold_for_a_phone_given_at_the_desk(client, operator, newcomer, settings):
    settings.OTP_SEND_LIMIT_PER_HOUR = 2
    login(client, operator, officer=True)
    assert client.post(CENTRE, {"pinfl": newcomer.pinfl, "phone": GIVEN_PHONE}).status_code == 303
    right = notifications.latest_code_for(GIVEN_PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        assert client.post(CENTRE + "consent/", {"code": wrong}).status_code == 422
    assert client.post(CENTRE + "consent/", {"code": right}).status_code == 429
    assert client.post(CENTRE + "consent/", {"action": "resend"}).status_code == 303
    resent = client.post(CENTRE + "consent/", {"action": "resend"})
    assert resent.status_code == 429 and "Too many codes" in resent.content.decode()


def test_an_account_holder_gets_the_code_on_the_account_phone_whatever_is_typed(client, operator, dilnoza):
    login(client, operator, officer=True)
    pinfl = identity.person(dilnoza.person_id).pinfl
    consent(client, pinfl, identity.contact_for(dilnoza.account_id).phone, phone=GIVEN_PHONE)
    assert notifications.latest_code_for(GIVEN_PHONE) is None
    entry = AuditEntry.objects.get(action="visitor_consent", subject=dilnoza.person_id)
    assert entry.details["phone_from"] == "account"


def test_an_application_made_without_an_account_is_in_the_cabinet_once_the_visitor_registers(
    client, operator, newcomer
):
    login(client, operator, officer=True)
    consent(client, newcomer.pinfl, GIVEN_PHONE, phone=GIVEN_PHONE)
    number = apply_at_the_centre(client, newcomer.id)
    row = Application.objects.get(number=number)
    assert (row.applicant_account_id, row.subject_person_id, row.operator_id) == (
        None,
        newcomer.id,
        uuid.UUID(str(operator.account_id)),
    )

    client.logout()
    signup = {
        "pinfl": newcomer.pinfl,
        "document_number": "AC7654321",
        "surname": "Rahimova",
        "given_name": "Gulnora",
        "patronymic": "",
        "address_area": CHILONZOR,
        "phone": GIVEN_PHONE,
        "password": "Kuchli-parol-2026!",
        "password_again": "Kuchli-parol-2026!",
    }
    assert client.post(reverse("identity:register"), signup).status_code == 303
    code = notifications.latest_code_for(GIVEN_PHONE)
    assert client.post(reverse("identity:register-code"), {"code": code}).status_code == 303
    account_id = identity.person(newcomer.id).account_id
    assert [item.number for item in api.my_applications(account_id).items] == [number]
    assert number in client.get("/cabinet/applications/").content.decode()
    assert client.get(f"/cabinet/applications/{number}/").status_code == 200
    withdrawn = client.post(f"/cabinet/applications/{number}/withdraw/", {"version": row.version})
    assert withdrawn.status_code == 303  # theirs to act on, not only to read


def test_a_centre_application_is_not_anyone_elses(client, operator, newcomer, jasur):
    login(client, operator, officer=True)
    consent(client, newcomer.pinfl, GIVEN_PHONE, phone=GIVEN_PHONE)
    number = apply_at_the_centre(client, newcomer.id)
    login(client, jasur)
    assert number not in client.get("/cabinet/applications/").content.decode()
    assert client.get(f"/cabinet/applications/{number}/").status_code == 404


# --- Coming back to amend or withdraw -----------------------------------------------------------


@pytest.fixture
def asked(dilnoza, receiver, approver) -> api.ApplicationInfo:
    """Dilnoza's application on which the agency asks for more information."""
    info = act(receiver, submit(dilnoza).application, "accept")
    return act(approver, info, "request_info", comment="Attach a clearer scan of the passport.")


def test_the_operator_amends_for_the_visitor_after_a_fresh_consent(client, operator, dilnoza, asked):
    login(client, operator, officer=True)
    amend_url = f"{CENTRE}applications/{asked.number}/amend/"
    assert client.get(amend_url)["Location"] == CENTRE  # no consent yet, no application
    consent(client, identity.person(dilnoza.person_id).pinfl, identity.contact_for(dilnoza.account_id).phone)
    services = client.get(CENTRE + "services/").content.decode()
    assert asked.number in services and amend_url in services
    page = client.get(amend_url).content.decode()
    assert "Attach a clearer scan of the passport." in page and f'action="{amend_url}"' in page
    wrong = client.post(amend_url, {"purpose": "work", "copies": "0", "version": asked.version})
    assert wrong.status_code == 422
    scan = SimpleUploadedFile("better.png", png_upload().read(), content_type="image/png")
    done = client.post(
        amend_url,
        {"purpose": "study", "copies": "2", "version": asked.version, "document-passport": scan},
    )
    assert done.status_code == 303 and done["Location"] == CENTRE + "services/"
    amended = api.application_by_number(asked.number, dilnoza.account_id)
    assert (amended.state, amended.data["purpose"], len(amended.documents["passport"])) == (
        "resubmitted",
        "study",
        2,
    )
    step = TimelineEntry.objects.filter(application_id=asked.id).latest("at", "id")
    assert (step.action, step.actor_kind, str(step.actor_account_id), step.actor_label) == (
        "resubmit",
        "officer",
        str(operator.account_id),
        "dxm-chilonzor",
    )
    stale = client.post(amend_url, {"purpose": "study", "copies": "2", "version": asked.version})
    assert stale.status_code == 409


def test_the_operator_withdraws_for_the_visitor(client, operator, dilnoza):
    info = submit(dilnoza).application  # applied online: the visitor's own all the same
    login(client, operator, officer=True)
    consent(client, identity.person(dilnoza.person_id).pinfl, identity.contact_for(dilnoza.account_id).phone)
    url = f"{CENTRE}applications/{info.number}/withdraw/"
    assert url in client.get(CENTRE + "services/").content.decode()
    assert "cannot be undone" in client.get(url).content.decode()
    bad = client.post(url, {"version": "not a number"})
    assert bad.status_code == 422
    assert client.post(url, {"version": info.version, "comment": "Changed her mind"}).status_code == 303
    assert api.application_by_number(info.number, dilnoza.account_id).state == "withdrawn"
    step = TimelineEntry.objects.filter(application_id=info.id).latest("at", "id")
    assert (step.action, str(step.actor_account_id), step.actor_label) == (
        "withdraw",
        str(operator.account_id),
        "dxm-chilonzor",
    )
    assert info.number not in client.get(CENTRE + "services/").content.decode()  # only open ones


def test_the_visitors_applications_cost_the_same_queries_however_many(
    client, operator, dilnoza, django_assert_max_num_queries
):
    numbers = [submit(dilnoza).application.number]
    login(client, operator, officer=True)
    consent(client, identity.person(dilnoza.person_id).pinfl, identity.contact_for(dilnoza.account_id).phone)
    client.get(CENTRE + "services/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(CENTRE + "services/")
    for service in ("test-permit", "test-referral") * 3:
        numbers.append(submit(dilnoza, service).application.number)
    with django_assert_max_num_queries(len(one.captured_queries)) as seven:
        page = client.get(CENTRE + "services/").content.decode()
    assert all(number in page for number in numbers)
    # The rows and their workflow versions, once each.
    read = [q["sql"] for q in seven.captured_queries]
    assert sum('FROM "applications_application"' in sql for sql in read) == 1
    assert sum('FROM "applications_workflowversion"' in sql for sql in read) == 1


def test_both_timelines_say_at_which_centre_the_operator_acted(client, operator, dilnoza, receiver, asked):
    api.amend(
        application_id=asked.id,
        account_id=operator.account_id,
        expected_version=asked.version,
        data={"purpose": "study", "copies": 2},
        centre_code="dxm-chilonzor",
        visitor_id=dilnoza.person_id,
    )
    at_centre = "at service centre Chilonzor District Public Services Centre"
    login(client, dilnoza)
    page = client.get(f"/cabinet/applications/{asked.number}/").content.decode()
    assert page.count(at_centre) == 1  # the officers' own steps name no centre
    client.cookies["darcha_lang"] = "ru"
    page = client.get(f"/cabinet/applications/{asked.number}/").content.decode()
    assert "в центре госуслуг: Центр государственных услуг Чиланзарского района" in page
    client.cookies["darcha_lang"] = "en"
    login(client, receiver, officer=True)
    page = client.get(f"/office/applications/{asked.number}/").content.decode()
    assert page.count(at_centre) == 1


def test_an_operator_outside_the_area_or_of_another_visitor_gets_404(
    client, samarqand_operator, operator, dilnoza, jasur, asked
):
    login(client, samarqand_operator, officer=True)
    consent(client, identity.person(dilnoza.person_id).pinfl, identity.contact_for(dilnoza.account_id).phone)
    assert asked.number not in client.get(CENTRE + "services/").content.decode()
    for action in ("amend", "withdraw"):
        url = f"{CENTRE}applications/{asked.number}/{action}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": asked.version}).status_code == 404
    with pytest.raises(api.NotFound):
        api.withdraw(
            application_id=asked.id,
            account_id=samarqand_operator.account_id,
            expected_version=asked.version,
            centre_code="dxm-samarqand",
            visitor_id=dilnoza.person_id,
        )
    # In the right area, but the visitor at the desk is someone else.
    login(client, operator, officer=True)
    consent(client, identity.person(jasur.person_id).pinfl, identity.contact_for(jasur.account_id).phone)
    assert client.get(f"{CENTRE}applications/{asked.number}/withdraw/").status_code == 404
    assert api.application_by_number(asked.number, dilnoza.account_id).state == "info_requested"


def test_upload_fields_and_their_errors_name_the_documents(client, operator, newcomer):
    login(client, operator, officer=True)
    consent(client, newcomer.pinfl, GIVEN_PHONE, phone=GIVEN_PHONE)
    form = client.get(CENTRE + "apply/test-permit/").content.decode()
    assert '<label for="document-passport">Passport' in form
    missing = client.post(
        CENTRE + "apply/test-permit/",
        {
            "purpose": "work",
            "copies": "1",
            "party": f"visitor:{newcomer.id}",
            "intent": "submit",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert missing.status_code == 422 and "Passport: Attach this document." in missing.content.decode()
    client.cookies["darcha_lang"] = "uz-cyrl"
    assert (
        '<label for="document-passport">Паспорт' in client.get(CENTRE + "apply/test-permit/").content.decode()
    )

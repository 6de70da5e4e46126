import pyotp
import pytest
from django.test import RequestFactory
from django.urls import reverse

from darcha.modules.identity import api
from darcha.modules.identity.models import Account, Person
from darcha.modules.identity.tests.conftest import (
    make_account,
    make_officer,
    make_person,
    sign_in_as,
    totp_code,
)
from darcha.platform.audit.models import AuditEntry
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

OFFICE = "/office/"
CONFIRM = "/office/identity/confirm"


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(OFFICE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:sign-in')}?next=/office/"


def test_citizens_are_refused(client):
    sign_in_as(client, make_account(), totp=True)
    response = client.get(OFFICE)
    assert response.status_code == 403
    assert "This page is for officers of government agencies." in response.content.decode()


@pytest.mark.parametrize("enrolled", [False, True])
def test_officers_without_an_authenticator_checked_session_go_to_the_totp_step(client, enrolled):
    sign_in_as(client, make_officer(totp=enrolled))
    response = client.get(OFFICE)
    assert response.status_code == 302
    assert response["Location"] == "/office/totp/?next=%2Foffice%2F"


def test_the_officer_area_shows_agency_scope_and_roles(client):
    sign_in_as(client, make_officer(("reviewer", "approver"), agency="maktabgacha", scope="1726"), totp=True)
    response = client.get(OFFICE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "reviewer" in text and "approver" in text
    assert "Tashkent" in text or "Toshkent" in text


def test_an_officer_without_the_needed_role_is_refused(client):
    sign_in_as(client, make_officer(("receiver",)), totp=True)
    response = client.get(CONFIRM)
    assert response.status_code == 403
    assert "Your officer role does not give access to this page." in response.content.decode()


def test_enrolling_an_authenticator_app(client):
    officer = make_officer(totp=False)
    sign_in_as(client, officer)
    page = client.get("/office/totp/?next=/office/")
    assert page.status_code == 200
    secret = page.context["secret"]
    assert page.context["qr"].startswith("data:image/svg+xml")
    assert secret in page.content.decode()

    response = client.post("/office/totp/", {"code": "000000", "next": "/office/"})
    assert response.status_code == 422
    assert "Wrong code" in response.content.decode()

    response = client.post("/office/totp/", {"code": pyotp.TOTP(secret).now(), "next": "/office/"})
    assert response.status_code == 303 and response["Location"] == "/office/"
    officer.refresh_from_db()
    assert officer.totp_secret == secret and officer.totp_confirmed_at is not None
    assert client.get(OFFICE).status_code == 200
    assert AuditEntry.objects.filter(action="totp_enabled", actor=str(officer.pk)).exists()


def test_an_enrolled_officer_steps_up_a_session_with_a_code(client):
    sign_in_as(client, make_officer())
    page = client.get("/office/totp/")
    assert "secret" not in page.context
    response = client.post("/office/totp/", {"code": totp_code(), "next": "/office/"})
    assert response.status_code == 303
    assert client.get(OFFICE).status_code == 200


def test_the_totp_step_ignores_a_next_address_on_another_site(client):
    sign_in_as(client, make_officer())
    response = client.post("/office/totp/", {"code": totp_code(), "next": "https://evil.example/"})
    assert response["Location"] == "/office/"


@pytest.fixture
def operator(client):
    account = make_officer(("service_centre_operator",), agency="dxm-chilonzor", scope="1726294")
    sign_in_as(client, account, totp=True)
    return account


def test_an_operator_finds_a_person_and_the_read_is_audited(client, operator):
    person = make_person(surname="Toshmatova", given_name="Gulnoza")
    response = client.post(CONFIRM, {"action": "search", "pinfl": person.pinfl})
    assert response.status_code == 200
    assert "Toshmatova Gulnoza" in response.content.decode()
    entry = AuditEntry.objects.get(action="person_read")
    assert (entry.actor, entry.subject) == (str(operator.pk), str(person.id))
    assert entry.purpose == "identity confirmation at a public service centre"
    assert person.pinfl not in str(entry.details)


def test_searching_for_an_unknown_or_malformed_pinfl(client, operator):
    response = client.post(CONFIRM, {"action": "search", "pinfl": "31505901234568"})
    assert response.status_code == 404
    assert "No person with this PINFL is registered." in response.content.decode()
    response = client.post(CONFIRM, {"action": "search", "pinfl": "31505901234567"})
    assert response.status_code == 422
    assert not AuditEntry.objects.filter(action="person_read").exists()


def test_confirming_an_identity(client, operator):
    account = make_account(verified=False)
    person = account.person
    Person.objects.filter(pk=person.pk).update(document_number="AB1234567")
    response = client.post(
        CONFIRM, {"action": "confirm", "person": person.id, "document_number": "ab 1234567"}
    )
    assert response.status_code == 303
    person.refresh_from_db()
    assert person.verified_at is not None and person.verified_by_id == operator.pk
    assert api.account_info(account.pk).verified is True
    assert OutboxEvent.objects.filter(type="identity.person_verified").exists()
    assert AuditEntry.objects.filter(
        action="person_verified", subject=str(person.id), actor=str(operator.pk)
    ).exists()

    again = client.post(CONFIRM, {"action": "confirm", "person": person.id, "document_number": "AB1234567"})
    assert again.status_code == 409


def test_a_document_that_does_not_match_is_refused(client, operator):
    person = make_person(document_number="AB1234567")
    response = client.post(
        CONFIRM, {"action": "confirm", "person": person.id, "document_number": "AB7654321"}
    )
    assert response.status_code == 422
    assert "does not match the one given at registration" in response.content.decode()
    person.refresh_from_db()
    assert person.verified_at is None


def test_platform_admin_needs_the_role_and_an_authenticator_checked_session():
    factory = RequestFactory()

    def request_for(account, second_factor):
        request = factory.get("/")
        request.user = account
        request.session = {api.SESSION_SECOND_FACTOR: second_factor}
        return request

    admin = make_officer(("platform_admin",), agency="elektron-hukumat", scope="17")
    assert api.is_platform_admin(request_for(admin, "totp")) is True
    assert api.is_platform_admin(request_for(admin, "sms")) is False
    assert api.is_platform_admin(request_for(make_officer(("head",)), "totp")) is False
    superuser = Account.objects.create_superuser("root", "x-Password-1")
    assert api.is_platform_admin(request_for(superuser, "")) is True

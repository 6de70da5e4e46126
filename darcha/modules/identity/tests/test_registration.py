from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from darcha.modules.identity.models import Account, OneTimeCode, Person
from darcha.modules.identity.tests.conftest import (
    CHILONZOR,
    PASSWORD,
    last_code,
    make_account,
    make_person,
    new_phone,
    new_pinfl,
)
from darcha.platform.audit.models import AuditEntry
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


def form(**changes):
    data = {
        "pinfl": new_pinfl(),
        "document_number": "AB1234567",
        "surname": "Karimov",
        "given_name": "Jasur",
        "patronymic": "Baxtiyorovich",
        "address_area": CHILONZOR,
        "phone": new_phone(),
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(changes)
    return data


def start(client, data):
    return client.post(reverse("identity:register"), data)


def test_registration_with_sms_code_creates_an_unverified_account(client):
    data = form(phone="90 765 43 21")
    response = start(client, data)
    assert response.status_code == 303
    assert response["Location"] == reverse("identity:register-code")
    assert not Account.objects.exists()  # nothing exists until the phone is confirmed

    response = client.post(reverse("identity:register-code"), {"code": last_code("+998907654321")})
    assert response.status_code == 303
    assert response["Location"] == reverse("identity:cabinet")
    account = Account.objects.get()
    person = account.person
    assert account.username == data["pinfl"] and account.phone == "+998907654321"
    assert account.phone_confirmed_at is not None
    assert person.verified_at is None and person.document_number == "AB1234567"
    assert person.surname_cyrl == "Каримов" and person.address_area == CHILONZOR
    assert AuditEntry.objects.filter(action="account_registered", subject=str(person.id)).exists()
    assert OutboxEvent.objects.filter(type="identity.account_registered").exists()

    page = client.get(reverse("identity:cabinet"))
    assert page.status_code == 200
    assert "Your identity is not confirmed yet." in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pinfl": "31505901234567"}, "pinfl", "its last digit does not match"),
        ({"pinfl": "33102901234561"}, "pinfl", "must be a real birth date"),
        ({"pinfl": "31505900004561"}, "pinfl", "cannot be 000"),
        ({"document_number": "1234567AB"}, "document_number", "2 letters and 7 digits"),
        ({"surname": "K" * 61}, "surname", "too long"),
        ({"given_name": "Ja\u200dsur"}, "given_name", "invisible or direction-changing"),
        ({"given_name": "Jasur\u202e"}, "given_name", "invisible or direction-changing"),
        ({"phone": "+7 916 123 45 67"}, "phone", "SMS codes can only be sent to Uzbek numbers"),
        ({"address_area": "9999999"}, "address_area", "Choose one of the options in the list."),
        ({"password": "12345678", "password_again": "12345678"}, "password", "cannot be only digits"),
        ({"password": "Dar-26", "password_again": "Dar-26"}, "password", "at least 8 characters"),
        ({"pinfl": ""}, "pinfl", "Fill in this field."),
        ({"password_again": "Darcha-2027"}, "password_again", "The two passwords do not match."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(client, changes, field, message):
    response = start(client, form(**changes))
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Account.objects.exists() and not Person.objects.exists() and not OneTimeCode.objects.exists()


def test_errors_are_shown_in_the_users_language(client):
    client.cookies["darcha_lang"] = "ru"
    response = start(client, form(phone="+7 916 123 45 67"))
    assert response.status_code == 422
    assert "SMS-коды" in response.content.decode()


def test_a_pinfl_that_already_has_an_account_is_a_conflict(client):
    existing = make_account()
    response = start(client, form(pinfl=existing.username))
    assert response.status_code == 409
    assert "An account already exists for this PINFL" in response.content.decode()
    assert Account.objects.count() == 1 and not OneTimeCode.objects.exists()


def test_a_phone_that_another_account_uses_is_a_conflict(client):
    existing = make_account()
    response = start(client, form(phone=existing.phone))
    assert response.status_code == 409
    assert "already used by another account" in response.content.decode()
    assert Account.objects.count() == 1 and not OneTimeCode.objects.exists()


def test_a_person_known_without_account_is_linked_and_keeps_the_record_names(client):
    child_grown_up = make_person(surname="Rahimova", given_name="Sevara", document_number="AC7654321")
    response = start(client, form(pinfl=child_grown_up.pinfl, surname="Other", document_number="AC7654321"))
    assert response.status_code == 303
    phone = client.session["identity.pending_registration"]["phone"]
    client.post(reverse("identity:register-code"), {"code": last_code(phone)})
    child_grown_up.refresh_from_db()
    assert child_grown_up.account is not None and child_grown_up.surname == "Rahimova"
    assert Person.objects.count() == 1


def test_a_document_number_that_differs_from_the_record_is_refused(client):
    known = make_person(document_number="AC7654321")
    response = start(client, form(pinfl=known.pinfl, document_number="AC0000001"))
    assert response.status_code == 422
    assert "does not match the one on record" in response.content.decode()
    assert not OneTimeCode.objects.exists()


def test_wrong_codes_run_out_and_then_even_the_right_code_is_refused(client, settings):
    phone = new_phone()
    start(client, form(phone=phone))
    code = last_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("identity:register-code"), {"code": wrong})
    assert response.status_code == 422
    assert "Wrong code. You have 4 attempts left." in response.content.decode()
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        response = client.post(reverse("identity:register-code"), {"code": wrong})
    assert response.status_code == 429
    response = client.post(reverse("identity:register-code"), {"code": code})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert not Account.objects.exists()


def test_an_expired_code_is_refused(client):
    phone = new_phone()
    start(client, form(phone=phone))
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("identity:register-code"), {"code": last_code(phone)})
    assert response.status_code == 422
    assert "This code has expired" in response.content.decode()
    assert not Account.objects.exists()


def test_a_code_that_is_not_six_digits_is_refused(client):
    start(client, form())
    response = client.post(reverse("identity:register-code"), {"code": "12ab"})
    assert response.status_code == 422
    assert "The code is 6 digits." in response.content.decode()


def test_codes_per_phone_per_hour_are_limited(client, settings):
    phone = new_phone()
    for _ in range(settings.OTP_SEND_LIMIT_PER_HOUR):
        assert start(client, form(phone=phone)).status_code == 303
    response = start(client, form(phone=phone))
    assert response.status_code == 429
    assert "Too many codes were sent to this number" in response.content.decode()
    assert OneTimeCode.objects.filter(phone=phone).count() == settings.OTP_SEND_LIMIT_PER_HOUR


def test_the_code_page_without_a_registration_goes_back_to_the_form(client):
    response = client.get(reverse("identity:register-code"))
    assert response.status_code == 303
    assert response["Location"] == reverse("identity:register")

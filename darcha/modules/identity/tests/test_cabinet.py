from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from ninja.testing import TestClient

from darcha.modules.identity import api, services
from darcha.modules.identity.endpoints import router
from darcha.modules.identity.models import Account, Consent
from darcha.modules.identity.tests.conftest import (
    CHILONZOR,
    last_code,
    make_account,
    make_person,
    new_phone,
    new_pinfl,
    sign_in_as,
)
from darcha.modules.notifications import api as notifications
from darcha.platform.audit.models import AuditEntry
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


@pytest.fixture
def citizen(client):
    person = make_person(
        pinfl=new_pinfl(date(1988, 3, 14), "M"),
        surname="Karimov",
        given_name="Jasur",
        patronymic="Baxtiyorovich",
        address_line="Bunyodkor ko‘chasi, 12-uy",
    )
    account = make_account(person)
    sign_in_as(client, account)
    return account


@pytest.fixture
def company(citizen):
    entity = services.entity_create(
        stir="207123451", name="Chilonzor Non MChJ", legal_form="mchj", address_area=CHILONZOR
    )
    services.representation_add(entity_id=entity.id, person_id=citizen.person.id, role="director")
    return entity


def test_the_cabinet_shows_own_data_and_represented_organisations(client, citizen, company):
    response = client.get(reverse("identity:cabinet"))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in ("Karimov Jasur Baxtiyorovich", citizen.username, "14.03.1988", "Chilonzor", "confirmed"):
        assert expected in text
    assert "Chilonzor Non MChJ" in text and "207123451" in text and "director" in text


def test_the_cabinet_needs_sign_in(client):
    response = client.get(reverse("identity:cabinet"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:sign-in"))


def test_acting_for_an_entity_and_back(client, citizen, company):
    def request_now():
        request = RequestFactory().get("/")
        request.user, request.session = citizen, client.session
        return request

    response = client.post(reverse("identity:entity-switch"), {"entity": str(company.id)})
    assert response.status_code == 303
    request = request_now()
    party = api.acting_for(request)
    assert (party.kind, party.stir, party.name) == ("entity", "207123451", "Chilonzor Non MChJ")
    header = api.identity_header(request)
    assert header["acting_for"] == "Chilonzor Non MChJ" and header["display_name"] == "Jasur Karimov"
    assert "You are acting for Chilonzor Non MChJ" in client.get(reverse("identity:cabinet")).content.decode()

    client.post(reverse("identity:entity-switch"), {"entity": ""})
    assert api.acting_for(request_now()).kind == "person"


def test_acting_for_an_entity_one_does_not_represent_is_refused(client, citizen):
    other = services.entity_create(
        stir="203456781", name="Boshqa AJ", legal_form="aj", address_area=CHILONZOR
    )
    response = client.post(reverse("identity:entity-switch"), {"entity": str(other.id)})
    assert response.status_code == 403
    assert "not registered as a representative" in response.content.decode()
    assert api.SESSION_ACTING_ENTITY not in client.session


def test_language_is_saved_on_the_account(client, citizen):
    response = client.post(reverse("identity:settings-language"), {"language": "uz-cyrl"})
    assert response.status_code == 303
    assert response.cookies["darcha_lang"].value == "uz-cyrl"
    assert api.contact_for(citizen.pk).language == "uz-cyrl"
    response = client.post(reverse("identity:settings-language"), {"language": "de"})
    assert response.status_code == 422
    assert api.contact_for(citizen.pk).language == "uz-cyrl"


def test_account_set_language_refuses_unknown_languages(citizen):
    api.account_set_language(citizen.pk, "ru")
    assert Account.objects.get(pk=citizen.pk).language == "ru"
    with translation.override("en"), pytest.raises(ValidationError, match="Choose a language"):
        api.account_set_language(citizen.pk, "fr")
    assert Account.objects.get(pk=citizen.pk).language == "ru"


def test_notification_channels(client, citizen):
    Account.objects.filter(pk=citizen.pk).update(email="jasur@example.uz")
    assert api.contact_for(citizen.pk).channels == ("sms", "email", "in_app")
    assert client.post(reverse("identity:settings-channels"), {"in_app": "on"}).status_code == 303
    contact = api.contact_for(citizen.pk)
    assert contact.channels == ("in_app",) and contact.phone == citizen.phone


def test_consents_are_given_and_withdrawn_with_dates(client, citizen):
    person_id = citizen.person.id
    client.post(reverse("identity:settings-consent"), {"purpose": "proactive", "action": "give"})
    assert api.has_consent(person_id, "proactive") is True
    page = client.get(reverse("identity:settings")).content.decode()
    assert "given on" in page
    client.post(reverse("identity:settings-consent"), {"purpose": "proactive", "action": "withdraw"})
    assert api.has_consent(person_id, "proactive") is False
    consent = Consent.objects.get(person_id=person_id)
    assert consent.withdrawn_at is not None and consent.given_at is not None
    assert [e.type for e in OutboxEvent.objects.order_by("occurred_at")][-2:] == [
        "identity.consent_given",
        "identity.consent_withdrawn",
    ]
    response = client.post(reverse("identity:settings-consent"), {"purpose": "marketing", "action": "give"})
    assert response.status_code == 400


def test_changing_the_phone_needs_the_code_sent_to_the_new_number(client, citizen):
    old_phone, new = citizen.phone, new_phone()
    response = client.post(reverse("identity:contacts-phone"), {"phone": new})
    assert response.status_code == 303
    code = last_code(new)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("identity:contacts-phone-confirm"), {"code": wrong})
    assert response.status_code == 422
    assert Account.objects.get(pk=citizen.pk).phone == old_phone
    response = client.post(reverse("identity:contacts-phone-confirm"), {"code": code})
    assert response.status_code == 303
    citizen.refresh_from_db()
    assert citizen.phone == new and citizen.person.phone == new
    assert AuditEntry.objects.filter(action="phone_changed", actor=str(citizen.pk)).exists()
    assert [m.template for m in notifications.inbox_for(str(citizen.pk))] == ["identity.phone_changed"]


@pytest.mark.parametrize(
    ("phone", "status", "message"),
    [
        ("+44 20 7946 0958", 422, "SMS codes can only be sent to Uzbek numbers"),
        ("12", 422, "9 digits after +998"),
    ],
)
def test_a_bad_new_phone_is_refused(client, citizen, phone, status, message):
    response = client.post(reverse("identity:contacts-phone"), {"phone": phone})
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_phone_of_another_account_is_a_conflict(client, citizen):
    other = make_account()
    response = client.post(reverse("identity:contacts-phone"), {"phone": other.phone})
    assert response.status_code == 409
    assert Account.objects.get(pk=citizen.pk).phone != other.phone


def test_email_is_saved_or_refused(client, citizen):
    assert client.post(reverse("identity:contacts-email"), {"email": "Jasur@Example.UZ"}).status_code == 303
    assert api.contact_for(citizen.pk).email == "Jasur@example.uz"
    response = client.post(reverse("identity:contacts-email"), {"email": "not-an-email"})
    assert response.status_code == 422
    assert api.contact_for(citizen.pk).email == "Jasur@example.uz"


def test_the_json_profile(citizen, company):
    response = TestClient(router).get("/me", user=citizen, COOKIES={"sessionid": "signed-in"})
    assert response.status_code == 200
    body = response.json()
    assert body["pinfl"] == citizen.username and body["verified"] is True
    assert body["full_name"] == "Karimov Jasur Baxtiyorovich" and body["officer"] == []
    assert body["entities"] == [
        {
            "id": str(company.id),
            "stir": "207123451",
            "name": "Chilonzor Non MChJ",
            "legal_form": "mchj",
            "roles": ["director"],
        }
    ]


def test_the_json_profile_needs_sign_in():
    assert TestClient(router).get("/me").status_code == 401


def test_lookups_for_other_modules(citizen):
    person = api.person_for_account(citizen.pk)
    assert api.person_by_pinfl(citizen.username) == person == api.person(person.id)
    assert person.full_name("uz-cyrl") == "Каримов Жасур Бахтиёрович"
    assert api.officer_for(citizen.pk) == []
    info = api.account_info(citizen.pk)
    assert info.person_id == person.id and info.verified is True
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert api.identity_header(request) == {} and api.acting_for(request) is None

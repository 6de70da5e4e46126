"""Fixtures for the identity tests: reference data, message templates, people and officers."""

import itertools
from datetime import UTC, date, datetime

import pyotp
import pytest
from django.core.cache import cache

from darcha.modules.identity import api, services
from darcha.modules.identity.models import Account, Person
from darcha.modules.identity.validators import make_pinfl
from darcha.modules.notifications import api as notifications
from darcha.modules.reference import api as reference

PASSWORD = "Darcha-2026"
CHILONZOR = "1726294"
_serials = itertools.count(1)
_phones = itertools.count(1000)


def load_installation_data() -> None:
    reference.load_reference_data()
    notifications.load_templates()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Loaded once for the tests that roll back; tests that flush the database reload it.
    with django_db_blocker.unblock():
        load_installation_data()


@pytest.fixture
def installation_data(transactional_db):
    """For tests that commit: the data flushed after the previous one, and no leftover rate limits."""
    load_installation_data()
    cache.clear()


def new_pinfl(born: date = date(1990, 5, 15), sex: str = "M") -> str:
    return make_pinfl(born, sex, 263, next(_serials) % 999 + 1)


def new_phone() -> str:
    return f"+99890{next(_phones):07d}"


def make_person(**fields) -> Person:
    fields.setdefault("pinfl", new_pinfl())
    fields.setdefault("surname", "Karimov")
    fields.setdefault("given_name", "Jasur")
    fields.setdefault("address_area", CHILONZOR)
    return services.person_create(**fields)


def make_account(person: Person | None = None, *, phone: str | None = None, verified: bool = True) -> Account:
    person = person or make_person()
    account = Account.objects.create_user(
        username=person.pinfl, password=PASSWORD, phone=phone or new_phone()
    )
    person.account = account
    person.phone = account.phone
    if verified:
        person.verified_at = account.created_at
    person.save()
    return account


TOTP_SECRET = "DARCHATESTOFFICERSECRETAAAAAAAAA"


def make_officer(roles=("receiver",), *, agency="maktabgacha", scope="1726", totp=True) -> Account:
    account = make_account()
    services.officer_appoint(person_id=account.person.id, agency_code=agency, scope_code=scope, roles=roles)
    if totp:
        account.totp_secret = TOTP_SECRET
        account.totp_confirmed_at = account.created_at
        account.save()
    return account


def totp_code(secret: str = TOTP_SECRET, *, at: datetime | None = None, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at or datetime.now(tz=UTC), counter_offset=offset_steps)


def sign_in_as(client, account: Account, *, totp: bool = False) -> None:
    client.force_login(account)
    if totp:
        session = client.session
        session[api.SESSION_SECOND_FACTOR] = "totp"
        session.save()


def last_code(phone: str) -> str:
    code = notifications.latest_code_for(phone)
    assert code, f"no code was sent to {phone}"
    return code

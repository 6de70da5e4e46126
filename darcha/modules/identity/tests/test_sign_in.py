import time
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from darcha.modules.identity import api, services
from darcha.modules.identity.errors import IdentityError, TooManyRequests
from darcha.modules.identity.info import PendingSignIn
from darcha.modules.identity.models import Account, UserSession
from darcha.modules.identity.tests.conftest import (
    PASSWORD,
    TOTP_SECRET,
    last_code,
    make_account,
    make_officer,
    totp_code,
)
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

WRONG_CREDENTIALS = "The PINFL or phone number and the password do not match."
LOCKED = "Too many failed attempts. Signing in is paused for 15 minutes."


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


@pytest.fixture
def steady_clock():
    """Attempts are counted in fixed windows: those of one test must fall in one window."""
    with mock.patch("darcha.modules.identity.services.time") as clock:
        clock.time.return_value = time.time()
        yield


def password_step(client, identifier, password=PASSWORD, **extra):
    return client.post(reverse("identity:sign-in"), {"identifier": identifier, "password": password, **extra})


def code_step(client, code):
    return client.post(reverse("identity:code"), {"code": code})


def test_sign_in_by_pinfl_and_sms_code(client):
    account = make_account()
    response = password_step(client, account.username)
    assert response.status_code == 303 and response["Location"] == reverse("identity:code")
    page = client.get(reverse("identity:code"))
    assert f"{account.phone[:6]} ** ***-**-{account.phone[-2:]}" in page.content.decode()

    response = code_step(client, last_code(account.phone))
    assert response.status_code == 303 and response["Location"] == reverse("identity:cabinet")
    assert client.get(reverse("identity:cabinet")).status_code == 200
    assert client.session[api.SESSION_SECOND_FACTOR] == "sms"
    assert UserSession.objects.filter(account=account, session_key=client.session.session_key).exists()
    assert AuditEntry.objects.filter(action="sign_in", actor=str(account.pk)).exists()


def test_sign_in_by_phone_written_any_usual_way_returns_to_next(client):
    account = make_account(phone="+998901112299")
    response = password_step(client, "90 111-22-99", next="/cabinet/settings/")
    assert response.status_code == 303
    response = code_step(client, last_code(account.phone))
    assert response["Location"] == "/cabinet/settings/"


def test_a_next_address_on_another_site_is_ignored(client):
    account = make_account()
    password_step(client, account.username, next="https://evil.example/")
    response = code_step(client, last_code(account.phone))
    assert response["Location"] == reverse("identity:cabinet")


def test_wrong_password_and_unknown_account_get_the_same_answer(client):
    account = make_account()
    wrong = password_step(client, account.username, "Wrong-password-1")
    unknown = password_step(client, "+998901239999", PASSWORD)
    assert wrong.status_code == unknown.status_code == 422
    assert WRONG_CREDENTIALS in wrong.content.decode()
    assert WRONG_CREDENTIALS in unknown.content.decode()
    assert AuditEntry.objects.filter(action="sign_in_failed").count() == 2
    assert (
        not AuditEntry.objects.filter(action="sign_in_failed", details__reason="password")
        .exclude(subject=str(account.pk))
        .exists()
    )


def test_lockout_after_the_allowed_failures(client, settings):
    account = make_account()
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        assert password_step(client, account.username, "Wrong-password-1").status_code == 422
    response = password_step(client, account.username, "Wrong-password-1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert AuditEntry.objects.filter(action="locked_out", subject=str(account.pk)).count() == 1

    response = password_step(client, account.username, PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert not client.session.get("identity.pending_sign_in")

    Account.objects.filter(pk=account.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert password_step(client, account.username, PASSWORD).status_code == 303


def test_unknown_identifiers_lock_out_the_same_way(client, settings, steady_clock):
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        assert password_step(client, "31505901234568", "x").status_code == 422
    response = password_step(client, "31505901234568", "x")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_attempts_per_identifier_are_rate_limited(client, steady_clock):
    account = make_account()
    limit, _window = services.RATE_LIMITS["sign_in_identifier"]
    for _ in range(limit):
        password_step(client, account.username, "Wrong-password-1")
    response = password_step(client, account.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts. Please wait a few minutes" in response.content.decode()


def test_attempts_per_address_are_rate_limited(client, steady_clock):
    limit, _window = services.RATE_LIMITS["sign_in_ip"]
    for number in range(limit):
        password_step(client, f"+9989012{number:05d}", "x")
    response = password_step(client, "+998901299999", "x")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_wrong_sms_codes_count_towards_the_lockout(client, settings):
    account = make_account()
    password_step(client, account.username)
    code = last_code(account.phone)
    wrong = "000000" if code != "000000" else "111111"
    responses = [code_step(client, wrong) for _ in range(settings.SIGN_IN_MAX_FAILURES)]
    assert [r.status_code for r in responses[:-1]] == [422] * (settings.SIGN_IN_MAX_FAILURES - 1)
    assert "Wrong code. You have 4 attempts left." in responses[0].content.decode()
    assert responses[-1].status_code == 429
    assert code_step(client, code).status_code == 429
    assert "_auth_user_id" not in client.session
    account.refresh_from_db()
    assert account.locked_until is not None


def test_a_sign_in_code_is_accepted_once_and_not_after_it_expires(settings):
    account = make_account()
    pending = services.sign_in_start(
        identifier=account.username, password=PASSWORD, ip="10.0.0.1", language="en"
    )
    code = last_code(account.phone)
    assert services.sign_in_complete(pending=pending, code=code, ip="10.0.0.1") == account
    with pytest.raises(IdentityError, match="already used"):
        services.sign_in_complete(pending=pending, code=code, ip="10.0.0.1")

    pending = services.sign_in_start(
        identifier=account.username, password=PASSWORD, ip="10.0.0.1", language="en"
    )
    stale = PendingSignIn(**{**pending.__dict__, "started_at": time.time() - settings.OTP_TTL_SECONDS - 1})
    with pytest.raises(IdentityError, match="expired"):
        services.sign_in_complete(pending=stale, code=last_code(account.phone), ip="10.0.0.1")


def test_a_new_code_can_be_sent_within_the_hourly_limit(client, settings):
    account = make_account()
    password_step(client, account.username)
    first = last_code(account.phone)
    for _ in range(settings.OTP_SEND_LIMIT_PER_HOUR - 1):
        assert client.post(reverse("identity:code"), {"resend": "1"}).status_code == 303
    response = client.post(reverse("identity:code"), {"resend": "1"})
    assert response.status_code == 429
    assert "Too many codes were sent to this number" in response.content.decode()
    latest = last_code(account.phone)
    assert latest != first  # one chance in a million that two random codes are equal
    assert code_step(client, first).status_code == 422  # only the newest code counts
    assert code_step(client, latest).status_code == 303


def test_officer_signs_in_with_an_authenticator_code(client):
    officer = make_officer()
    response = password_step(client, officer.phone)
    assert response.status_code == 303
    page = client.get(reverse("identity:code"))
    assert "authenticator app" in page.content.decode()
    response = code_step(client, totp_code())
    assert response.status_code == 303 and response["Location"] == reverse("identity:office")
    assert client.session[api.SESSION_SECOND_FACTOR] == "totp"
    assert client.get(reverse("identity:office")).status_code == 200


def test_a_totp_code_cannot_be_used_twice():
    officer = make_officer()
    code = totp_code()
    pending = services.sign_in_start(
        identifier=officer.phone, password=PASSWORD, ip="10.0.0.2", language="en"
    )
    services.sign_in_complete(pending=pending, code=code, ip="10.0.0.2")
    pending = services.sign_in_start(
        identifier=officer.phone, password=PASSWORD, ip="10.0.0.2", language="en"
    )
    with pytest.raises(IdentityError, match="Wrong code"):
        services.sign_in_complete(pending=pending, code=code, ip="10.0.0.2")


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, True), (1, True), (-2, False), (2, False)])
def test_totp_codes_are_accepted_one_step_either_side(offset, accepted):
    officer = make_officer()
    now = timezone.now().replace(second=10, microsecond=0)  # well inside a 30-second step
    pending = services.sign_in_start(
        identifier=officer.phone, password=PASSWORD, ip="10.0.0.3", language="en"
    )
    code = totp_code(TOTP_SECRET, at=now, offset_steps=offset)
    with mock.patch("django.utils.timezone.now", return_value=now):
        if accepted:
            assert services.sign_in_complete(pending=pending, code=code, ip="10.0.0.3") == officer
        else:
            with pytest.raises(IdentityError):
                services.sign_in_complete(pending=pending, code=code, ip="10.0.0.3")


def test_a_locked_account_cannot_finish_a_sign_in_it_started():
    officer = make_officer()
    pending = services.sign_in_start(
        identifier=officer.phone, password=PASSWORD, ip="10.0.0.4", language="en"
    )
    Account.objects.filter(pk=officer.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    with pytest.raises(TooManyRequests):
        services.sign_in_complete(pending=pending, code=totp_code(), ip="10.0.0.4")


def test_the_language_chosen_on_the_device_is_saved_on_the_account(client):
    account = make_account()
    client.cookies["darcha_lang"] = "ru"
    password_step(client, account.username)
    code_step(client, last_code(account.phone))
    account.refresh_from_db()
    assert account.language == "ru"


def test_without_a_chosen_language_the_saved_one_is_applied(client):
    account = make_account()
    Account.objects.filter(pk=account.pk).update(language="uz-cyrl")
    del client.cookies["darcha_lang"]
    password_step(client, account.username)
    response = code_step(client, last_code(account.phone))
    assert response.cookies["darcha_lang"].value == "uz-cyrl"


def test_sign_out_ends_the_session_and_is_audited(client):
    account = make_account()
    password_step(client, account.username)
    code_step(client, last_code(account.phone))
    response = client.post(reverse("identity:sign-out"))
    assert response.status_code == 303
    assert not UserSession.objects.filter(account=account).exists()
    assert AuditEntry.objects.filter(action="sign_out", actor=str(account.pk)).exists()
    assert client.get(reverse("identity:cabinet")).status_code == 302


def test_sign_out_needs_a_post(client):
    assert client.get(reverse("identity:sign-out")).status_code == 405

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from darcha.modules.identity import api
from darcha.modules.identity.models import UserSession
from darcha.modules.identity.tests.conftest import PASSWORD, make_account, sign_in_as
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def device(account, user_agent):
    client = Client(HTTP_USER_AGENT=user_agent)
    client.cookies["darcha_lang"] = "en"
    sign_in_as(client, account)
    assert client.get(reverse("identity:cabinet")).status_code == 200
    return client


def test_sessions_are_listed_with_the_current_one_marked():
    account = make_account()
    phone = device(account, "Phone browser")
    device(account, "Laptop browser")
    page = phone.get(reverse("identity:sessions"))
    sessions = page.context["sessions"]
    assert sorted(s.user_agent for s in sessions) == ["Laptop browser", "Phone browser"]
    assert [s.user_agent for s in sessions if s.current] == ["Phone browser"]
    assert "this device" in page.content.decode()


def test_a_revoked_session_is_signed_out_on_its_next_request():
    account = make_account()
    phone = device(account, "Phone browser")
    laptop = device(account, "Laptop browser")
    laptop_session = UserSession.objects.get(user_agent="Laptop browser")

    response = phone.post(reverse("identity:session-revoke"), {"session": laptop_session.id})
    assert response.status_code == 303
    response = laptop.get(reverse("identity:cabinet"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:sign-in"))
    assert phone.get(reverse("identity:cabinet")).status_code == 200
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Phone browser"]
    assert AuditEntry.objects.filter(action="session_revoked", actor=str(account.pk)).exists()


def test_all_other_sessions_can_be_ended_at_once():
    account = make_account()
    phone = device(account, "Phone browser")
    others = [device(account, f"Browser {n}") for n in range(3)]
    assert phone.post(reverse("identity:session-revoke-others")).status_code == 303
    assert all(other.get(reverse("identity:cabinet")).status_code == 302 for other in others)
    assert phone.get(reverse("identity:cabinet")).status_code == 200


def test_another_persons_session_cannot_be_revoked():
    mine, theirs = make_account(), make_account()
    me = device(mine, "Mine")
    them = device(theirs, "Theirs")
    their_session = UserSession.objects.get(account=theirs)
    response = me.post(reverse("identity:session-revoke"), {"session": their_session.id})
    assert response.status_code == 404
    assert them.get(reverse("identity:cabinet")).status_code == 200


def test_the_current_session_is_ended_by_signing_out_not_revoking():
    account = make_account()
    phone = device(account, "Phone browser")
    own = UserSession.objects.get()
    response = phone.post(reverse("identity:session-revoke"), {"session": own.id}, follow=True)
    assert "To end this session, sign out." in response.content.decode()
    assert phone.get(reverse("identity:cabinet")).status_code == 200


def test_last_seen_is_written_at_most_once_a_minute():
    account = make_account()
    phone = device(account, "Phone browser")
    recent = timezone.now() - timedelta(seconds=10)
    UserSession.objects.update(last_seen_at=recent)
    phone.get(reverse("identity:cabinet"))
    assert UserSession.objects.get().last_seen_at == recent
    UserSession.objects.update(last_seen_at=timezone.now() - timedelta(minutes=5))
    session = phone.session
    session[api.SESSION_SEEN] = time.time() - 5 * 60  # the session was last recorded five minutes ago
    session.save()
    phone.get(reverse("identity:cabinet"))
    assert UserSession.objects.get().last_seen_at > recent


def test_a_signed_in_request_reads_no_session_record_within_the_minute():
    account = make_account()
    phone = device(account, "Phone browser")
    with CaptureQueriesContext(connection) as queries:
        phone.get(reverse("identity:cabinet"))
    assert not [q for q in queries if "identity_usersession" in q["sql"]]


def test_a_session_started_elsewhere_is_added_to_the_list():
    account = make_account()
    admin_like = Client(HTTP_USER_AGENT="Admin browser")
    admin_like.force_login(account)  # a session that did not go through the sign-in pages
    assert not UserSession.objects.filter(account=account).exists()
    admin_like.get(reverse("identity:cabinet"))
    assert UserSession.objects.get(account=account).user_agent == "Admin browser"


def test_revoking_needs_a_valid_session_number():
    phone = device(make_account(), "Phone browser")
    assert phone.post(reverse("identity:session-revoke"), {"session": "x"}).status_code == 400


def test_changing_the_password_signs_other_devices_out():
    account = make_account()
    phone = device(account, "Phone browser")
    laptop = device(account, "Laptop browser")
    response = phone.post(
        reverse("identity:password"),
        {"current_password": PASSWORD, "password": "Yangi-parol-2026", "password_again": "Yangi-parol-2026"},
    )
    assert response.status_code == 303
    assert phone.get(reverse("identity:cabinet")).status_code == 200
    assert laptop.get(reverse("identity:cabinet")).status_code == 302
    account.refresh_from_db()
    assert account.check_password("Yangi-parol-2026")
    assert AuditEntry.objects.filter(action="password_changed", actor=str(account.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"current_password": "Wrong-password-1"}, 422, "The current password is not right."),
        ({"password": "12345678", "password_again": "12345678"}, 422, "cannot be only digits"),
        ({"password_again": "Other-parol-2026"}, 422, "The two passwords do not match."),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(fields, status, message):
    account = make_account()
    phone = device(account, "Phone browser")
    data = {
        "current_password": PASSWORD,
        "password": "Yangi-parol-2026",
        "password_again": "Yangi-parol-2026",
    }
    response = phone.post(reverse("identity:password"), {**data, **fields})
    assert response.status_code == status
    assert message in response.content.decode()
    account.refresh_from_db()
    assert account.check_password(PASSWORD)


def test_wrong_current_passwords_lock_the_account(settings):
    account = make_account()
    phone = device(account, "Phone browser")
    data = {
        "current_password": "Wrong-1",
        "password": "Yangi-parol-2026",
        "password_again": "Yangi-parol-2026",
    }
    statuses = [
        phone.post(reverse("identity:password"), data).status_code
        for _ in range(settings.SIGN_IN_MAX_FAILURES)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {422}
    account.refresh_from_db()
    assert account.locked_until is not None

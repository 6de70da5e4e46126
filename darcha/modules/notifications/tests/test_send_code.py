import pytest
from django.db import transaction

from darcha.modules.notifications import api
from darcha.modules.notifications.models import DevInboxEntry, Message
from darcha.platform.events.models import OutboxEvent
from darcha.platform.events.worker import drain

pytestmark = pytest.mark.django_db

PHONE = "+998901234567"


def send(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        api.send_code(**{"phone": PHONE, "code": "482913", "purpose": "sign_in", "language": "uz", **kwargs})
    return callbacks


def test_the_code_is_delivered_as_soon_as_the_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "inbox"
    send(django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.status, message.attempts, message.template) == ("sent", 1, "identity.sign_in_code")
    [entry] = DevInboxEntry.objects.all()
    assert entry.destination == PHONE
    assert entry.body == "Darcha: kirish kodi 482913. Uni hech kimga aytmang."
    assert entry.one_time_code
    assert api.latest_code_for(PHONE) == "482913"


def test_the_code_is_kept_only_in_the_sms_text(django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks)

    message = Message.objects.get()
    [event] = OutboxEvent.objects.all()
    assert event.payload == {"message_id": str(message.id)}
    assert "482913" not in message.subject + message.html + message.last_error + message.provider_message_id


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        api.send_code(phone=PHONE, code="482913", purpose="sign_in", language="uz")
        raise RuntimeError("sign-in failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert not DevInboxEntry.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_failed_immediate_attempt_is_left_to_the_worker(
    settings, sms_gateway, django_capture_on_commit_callbacks
):
    settings.EVENTS_BACKOFF_BASE_SECONDS = 0
    sms_gateway.answer(503)
    send(django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error == "SMS gateway answered HTTP 503"

    drain()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert [r["json"]["message_id"] for r in sms_gateway.requests] == [str(message.id)] * 2


def test_the_worker_does_not_send_a_code_sent_already(sms_gateway, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks)

    drain()

    assert len(sms_gateway.requests) == 1
    assert Message.objects.get().status == "sent"


def test_a_code_refused_by_the_gateway_is_not_retried(
    settings, sms_gateway, django_capture_on_commit_callbacks
):
    settings.EVENTS_BACKOFF_BASE_SECONDS = 0
    sms_gateway.answer(400)
    send(django_capture_on_commit_callbacks)
    drain()

    assert len(sms_gateway.requests) == 1
    assert Message.objects.get().status == "failed"


def test_a_purpose_without_its_own_template_uses_the_confirmation_text(django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, purpose="phone_change", language="ru")

    message = Message.objects.get()
    assert message.template == "identity.confirmation_code"
    assert message.body == "Darcha: код подтверждения 482913. Никому его не сообщайте."


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"phone": "+77011234567"}, "Uzbekistan"),
        ({"phone": "998901234567"}, "Uzbekistan"),
        ({"code": "12ab56"}, "4 to 8 digits"),
        ({"code": "123"}, "4 to 8 digits"),
        ({"purpose": "Sign in"}, "purpose"),
        ({"language": "fr"}, "unknown language"),
    ],
)
def test_bad_code_requests_are_refused(kwargs, error, django_capture_on_commit_callbacks):
    with pytest.raises(api.NotificationError, match=error):
        send(django_capture_on_commit_callbacks, **kwargs)
    assert not Message.objects.exists()


def test_codes_cannot_be_read_back_without_the_developer_inbox(settings):
    settings.DEV_INBOX_ENABLED = False
    with pytest.raises(api.DevInboxDisabled):
        api.latest_code_for(PHONE)


def test_latest_code_is_the_newest_for_that_phone(django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, code="111111")
    send(django_capture_on_commit_callbacks, code="222222")
    send(django_capture_on_commit_callbacks, code="333333", phone="+998911111111")

    assert api.latest_code_for(PHONE) == "222222"
    assert api.latest_code_for("+998900000000") is None

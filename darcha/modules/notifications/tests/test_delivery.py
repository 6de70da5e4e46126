import email
import socket
import uuid

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from darcha.modules.notifications import adapters, api, handlers, services
from darcha.modules.notifications.adapters.http_sms import HttpSmsGateway
from darcha.modules.notifications.models import DevInboxEntry, Message
from darcha.platform import events
from darcha.platform.events.models import Delivery, OutboxEvent
from darcha.platform.events.worker import drain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_backoff")]

PHONE = "+998901234567"


@pytest.fixture
def no_backoff(settings):
    settings.EVENTS_BACKOFF_BASE_SECONDS = 0
    settings.EVENTS_MAX_ATTEMPTS = 3


def queue(channels=("sms",), **kwargs) -> Message:
    with transaction.atomic():
        [message_id] = api.notify(
            recipient_id="acc-1",
            template="identity.new_sign_in",
            context={"signed_in_at": "12.03.2026 09:30"},
            language="en",
            phone=PHONE,
            email="citizen@example.uz",
            channels=list(channels),
            **kwargs,
        )
    return Message.objects.get(id=message_id)


def test_the_worker_writes_sms_and_email_to_the_developer_inbox(settings):
    settings.SMS_BACKEND = "inbox"
    settings.EMAIL_CHANNEL = "inbox"
    sms, mail_message = queue(["sms"]), queue(["email"])

    drain()

    entries = {e.channel: e for e in DevInboxEntry.objects.all()}
    assert entries["sms"].destination == PHONE
    assert entries["sms"].body == sms.body
    assert entries["email"].subject == "New sign-in to your account"
    for message in (sms, mail_message):
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sent", 1)
        assert message.provider_message_id.startswith("inbox-")
        assert message.sent_at is not None


def test_email_goes_through_djangos_mail_backend(settings):
    settings.EMAIL_CHANNEL = "smtp"  # tests run Django's locmem backend in place of SMTP
    message = queue(["email"])

    drain()

    [sent] = mail.outbox
    assert sent.to == ["citizen@example.uz"]
    assert sent.subject == "New sign-in to your account"
    assert "12.03.2026 09:30" in sent.body
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert "<strong>12.03.2026 09:30</strong>" in html
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_message_id == sent.extra_headers["Message-ID"] == f"<{message.id}@darcha.local>"


def test_email_over_a_real_smtp_connection(smtp_server):
    message = queue(["email"])

    drain()

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["citizen@example.uz"]
    parsed = email.message_from_bytes(envelope.original_content)
    assert parsed["Subject"] == "New sign-in to your account"
    assert parsed["Message-ID"] == f"<{message.id}@darcha.local>"
    kinds = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in parsed.walk()
        if not part.is_multipart()
    }
    assert "Someone signed in to your Darcha account at 12.03.2026 09:30." in kinds["text/plain"]
    assert "<strong>12.03.2026 09:30</strong>" in kinds["text/html"]
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_recipient_refused_by_the_mail_server_fails_without_retries(smtp_server):
    smtp_server.refuse.add("citizen@example.uz")
    message = queue(["email"])

    drain()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "550" in message.last_error
    assert smtp_server.envelopes == []


def test_sms_through_the_http_gateway(sms_gateway):
    message = queue()

    drain()

    [request] = sms_gateway.requests
    assert request["authorization"] == "Bearer test-token"
    assert request["json"] == {"phone": PHONE, "text": message.body, "message_id": str(message.id)}
    assert request["idempotency_key"] == str(message.id)
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.attempts) == ("sent", "gw-1", 1)


def test_a_gateway_error_is_retried_until_it_passes(sms_gateway):
    sms_gateway.answer(503)
    message = queue()

    drain()

    assert len(sms_gateway.requests) == 2
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_gateway_that_keeps_failing_is_given_up_after_the_outbox_attempts(sms_gateway):
    sms_gateway.answer(503, 502, 500, 500)
    message = queue()

    drain()

    assert len(sms_gateway.requests) == 3  # EVENTS_MAX_ATTEMPTS
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert message.last_error == "SMS gateway answered HTTP 500"
    assert PHONE not in message.last_error


def test_a_message_refused_by_the_gateway_fails_at_once(sms_gateway):
    sms_gateway.answer(400)
    message = queue()

    drain()

    assert len(sms_gateway.requests) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "SMS gateway refused the message: HTTP 400"


def test_too_many_requests_is_temporary(sms_gateway):
    sms_gateway.answer(429)
    message = queue()

    drain()

    message.refresh_from_db()
    assert (message.status, len(sms_gateway.requests)) == ("sent", 2)


def test_the_handler_run_twice_sends_once(sms_gateway):
    message = queue()
    outbox_event = OutboxEvent.objects.get(type="notifications.message_queued")
    event = events.Event(
        id=outbox_event.id,
        type=outbox_event.type,
        payload=outbox_event.payload,
        occurred_at=outbox_event.occurred_at,
    )

    handlers.deliver_message(event)
    handlers.deliver_message(event)
    drain()

    assert len(sms_gateway.requests) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert Delivery.objects.get(event=outbox_event).status == "done"


def test_an_operator_sends_a_failed_message_again(sms_gateway):
    sms_gateway.answer(400)
    message = queue()
    drain()

    assert services.message_requeue(message_id=str(message.id)) is True
    drain()

    message.refresh_from_db()
    assert (message.status, len(sms_gateway.requests)) == ("sent", 2)
    assert services.message_requeue(message_id=str(message.id)) is False


def test_the_gateway_client_reports_a_timeout_as_temporary():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        gateway = HttpSmsGateway(url=f"http://127.0.0.1:{silent.getsockname()[1]}/", token="t", timeout=0.2)
        with pytest.raises(adapters.TemporaryFailure, match="timed out"):
            gateway.send(adapters.OutgoingSms(message_id=str(uuid.uuid4()), phone=PHONE, text="x"))


def test_the_gateway_client_reports_an_unreachable_gateway_as_temporary():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    gateway = HttpSmsGateway(url=f"http://127.0.0.1:{port}/", token="t", timeout=2)
    with pytest.raises(adapters.TemporaryFailure, match="unreachable"):
        gateway.send(adapters.OutgoingSms(message_id=str(uuid.uuid4()), phone=PHONE, text="x"))


@override_settings(SMS_BACKEND="carrier-pigeon")
def test_an_unknown_backend_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        adapters.sms_sender()

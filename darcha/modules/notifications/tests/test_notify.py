import pytest
from django.db import transaction

from darcha.modules.notifications import api
from darcha.modules.notifications.models import Message
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

PHONE = "+998901234567"
STATUS = {
    "number": "26-1726-000042",
    "service": "Bolalar bog‘chasiga yo‘llanma",
    "status": "Tayyor",
    "url": "https://darcha.example/cabinet/applications/26-1726-000042",
}


def notify(**kwargs):
    with transaction.atomic():
        return api.notify(
            **{
                "recipient_id": "acc-1",
                "language": "uz",
                "context": STATUS,
                "template": "applications.status_changed",
                **kwargs,
            }
        )


def test_notify_writes_one_message_per_channel_and_queues_the_outside_ones():
    ids = notify(phone=PHONE, email="citizen@example.uz")

    messages = {m.channel: m for m in Message.objects.filter(id__in=ids)}
    assert set(messages) == {"sms", "email", "in_app"}
    assert messages["sms"].status == "queued"
    assert messages["sms"].destination == PHONE
    assert messages["sms"].body == "Darcha: 26-1726-000042-son arizangiz holati: Tayyor."
    assert messages["email"].subject == "26-1726-000042-son ariza: Tayyor"
    assert "Bolalar bog‘chasiga yo‘llanma" in messages["email"].html
    assert messages["in_app"].status == "delivered"
    assert messages["in_app"].destination == ""
    queued = OutboxEvent.objects.filter(type="notifications.message_queued")
    assert sorted(e.payload["message_id"] for e in queued) == sorted(
        [str(messages["sms"].id), str(messages["email"].id)]
    )


def test_without_a_destination_the_channel_is_left_out():
    ids = notify(phone=PHONE)
    assert set(Message.objects.filter(id__in=ids).values_list("channel", flat=True)) == {"sms", "in_app"}


def test_explicit_channels_are_used_as_given():
    ids = notify(phone=PHONE, email="citizen@example.uz", channels=["in_app"])
    assert list(Message.objects.filter(id__in=ids).values_list("channel", flat=True)) == ["in_app"]
    assert not OutboxEvent.objects.exists()


def test_the_language_may_be_a_portal_code():
    [message_id] = notify(channels=["in_app"], language="uz-cyrl")
    message = Message.objects.get(id=message_id)
    assert message.language == "uz_cyrl"
    assert "ариза" in message.subject


def test_nothing_is_written_when_the_callers_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        api.notify(
            recipient_id="acc-1",
            template="applications.status_changed",
            context=STATUS,
            language="ru",
            phone=PHONE,
        )
        raise RuntimeError("the caller's change failed")
    assert not Message.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"template": "no.such_template"}, "unknown notification template"),
        ({"channels": ["fax"]}, "unknown channel"),
        ({"channels": ["email"]}, "no destination"),
        ({"phone": "901234567"}, "international format"),
        ({"email": "not-an-address", "channels": ["email"]}, "e-mail address"),
        ({"language": "de"}, "unknown language"),
        ({"recipient_id": ""}, "recipient_id"),
        ({"context": {"number": "1"}}, "no variable"),
        ({"template": "identity.sign_in_code", "context": {"code": "123456"}}, "no channel"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(kwargs, error):
    with pytest.raises(api.NotificationError, match=error):
        notify(**kwargs)
    assert not Message.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused():
    with pytest.raises(api.OutsideTransactionError):
        api.notify(recipient_id="acc-1", template="identity.registered", context={}, language="en")
    assert not Message.objects.exists()

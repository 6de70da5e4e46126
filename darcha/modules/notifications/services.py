"""Every change the notifications module makes: templates, messages, delivery, inbox state."""

import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from darcha.modules.notifications import adapters, selectors, template_files
from darcha.modules.notifications.errors import InvalidDestination, NotificationError
from darcha.modules.notifications.events import MESSAGE_QUEUED
from darcha.modules.notifications.models import Channel, Message, Template, TemplateText
from darcha.modules.notifications.rendering import language_key
from darcha.platform import events

log = logging.getLogger(__name__)

PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
UZ_PHONE = re.compile(r"^\+998\d{9}$")
CODE = re.compile(r"^\d{4,8}$")
PURPOSE = re.compile(r"^[a-z][a-z_]{0,39}$")
GENERIC_CODE_TEMPLATE = "identity.confirmation_code"


@transaction.atomic
def templates_load() -> None:
    """Bring the templates in line with the files; texts an operator edited stay as they are."""
    for path in template_files.paths():
        data = template_files.read(path)
        template, _ = Template.objects.update_or_create(
            key=data.key,
            defaults={
                "description": data.description,
                "sample_context": data.sample_context,
                "sms_max_segments": data.sms_max_segments,
            },
        )
        existing = {(text.channel, text.language): text for text in template.texts.all()}
        for (channel, language), fields in data.texts.items():
            values = {"subject": "", "body": "", "html": "", **fields}
            text = existing.pop((channel, language), None)
            if text is None:
                TemplateText.objects.create(template=template, channel=channel, language=language, **values)
            elif not text.customised:
                TemplateText.objects.filter(pk=text.pk).update(**values)
        # Texts the file no longer has go too, unless an operator wrote them.
        TemplateText.objects.filter(pk__in=[t.pk for t in existing.values() if not t.customised]).delete()


@transaction.atomic
def template_texts_reset(*, template_keys: list[str]) -> None:
    """Drop operators' edits of these templates and take the file defaults again."""
    TemplateText.objects.filter(template__key__in=template_keys).update(customised=False)
    templates_load()


def _check_destinations(channels: list[str], *, phone: str, email: str) -> None:
    if Channel.SMS in channels and not PHONE.match(phone):
        raise InvalidDestination("the phone number must be in international format, e.g. +998901234567")
    if Channel.EMAIL in channels:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidDestination("the e-mail address is not valid") from exc


def _choose_channels(template: str, channels: list[str] | None, destinations: dict[str, str]) -> list[str]:
    available = selectors.template_channels(template)
    if not available:
        raise NotificationError(f"unknown notification template {template!r}")
    if channels is None:
        return [channel for channel in Channel.values if channel in available and destinations[channel]]
    for channel in channels:
        if channel not in Channel.values:
            raise NotificationError(f"unknown channel {channel!r}; use one of {', '.join(Channel.values)}")
        if channel not in available:
            raise NotificationError(f"template {template} has no {channel} text")
        if not destinations[channel]:
            raise InvalidDestination(f"no destination for the {channel} channel")
    return list(dict.fromkeys(channels))


@transaction.atomic
def notification_create(
    *,
    recipient_id: str,
    template: str,
    context: dict,
    language: str,
    phone: str = "",
    email: str = "",
    channels: list[str] | None = None,
) -> list[str]:
    if not recipient_id or len(recipient_id) > 64:
        raise NotificationError("recipient_id must be an account id")
    lang = language_key(language)
    destinations = {Channel.SMS: phone, Channel.EMAIL: email, Channel.IN_APP: recipient_id}
    chosen = _choose_channels(template, channels, destinations)
    if not chosen:
        raise InvalidDestination(f"no channel of template {template} has a destination")
    _check_destinations(chosen, phone=phone, email=email)
    now = timezone.now()
    ids = []
    for channel in chosen:
        rendered = selectors.render_message(template, channel, lang, context)
        in_app = channel == Channel.IN_APP
        message = Message.objects.create(
            recipient_id=recipient_id,
            channel=channel,
            template=template,
            language=lang,
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            destination="" if in_app else destinations[channel],
            # The cabinet inbox is the database itself: written is delivered.
            status=Message.Status.DELIVERED if in_app else Message.Status.QUEUED,
            sent_at=now if in_app else None,
            created_at=now,
        )
        if not in_app:
            events.publish(MESSAGE_QUEUED, {"message_id": str(message.id)})
        ids.append(str(message.id))
    return ids


@transaction.atomic
def code_message_create(*, phone: str, code: str, purpose: str, language: str) -> str:
    """Queues an SMS with a one-time code and sends it as soon as the caller's transaction commits."""
    if not UZ_PHONE.match(phone):
        raise InvalidDestination("one-time codes are sent only to Uzbekistan numbers, +998 and 9 digits")
    if not CODE.match(code):
        raise NotificationError("a one-time code is 4 to 8 digits")
    if not PURPOSE.match(purpose):
        raise NotificationError("purpose must be a short lower-case name such as sign_in")
    lang = language_key(language)
    template = f"identity.{purpose}_code"
    if not selectors.template_exists(template):
        template = GENERIC_CODE_TEMPLATE
    rendered = selectors.render_message(template, Channel.SMS, lang, {"code": code})
    message = Message.objects.create(
        channel=Channel.SMS,
        template=template,
        language=lang,
        body=rendered.body,
        destination=phone,
        one_time_code=True,
    )
    # The event carries the id only, never the code; the worker retries from it if the
    # immediate attempt below fails.
    events.publish(MESSAGE_QUEUED, {"message_id": str(message.id)})
    message_id = str(message.id)
    transaction.on_commit(lambda: message_deliver_now(message_id=message_id))
    return message_id


def _send(message: Message) -> str:
    if message.channel == Channel.SMS:
        return adapters.sms_sender().send(
            adapters.OutgoingSms(
                message_id=str(message.id),
                phone=message.destination,
                text=message.body,
                one_time_code=message.one_time_code,
            )
        )
    return adapters.email_sender().send(
        adapters.OutgoingEmail(
            message_id=str(message.id),
            to=message.destination,
            subject=message.subject,
            text=message.body,
            html=message.html,
        )
    )


@transaction.atomic
def message_deliver(*, message_id: str, earlier_attempts: int, last_chance: bool) -> None:
    """One delivery attempt by the outbox worker, inside its transaction.

    A temporary failure raises, so the outbox retries with backoff and rolls back this
    attempt's writes; ``earlier_attempts`` counts those rolled-back attempts. On the last
    chance the message is given up (status dead) instead, so that the giving-up is
    recorded. A message that is no longer queued (sent already, refused) is left alone:
    running this twice never sends twice.
    """
    message = Message.objects.select_for_update().filter(id=message_id).first()
    if message is None or message.status != Message.Status.QUEUED:
        return
    attempts = message.attempts + earlier_attempts + 1
    try:
        provider_id = _send(message)
    except adapters.PermanentFailure as exc:
        _record_failure(message_id, Message.Status.FAILED, attempts, exc)
        return
    except adapters.TemporaryFailure as exc:
        if not last_chance:
            raise
        _record_failure(message_id, Message.Status.DEAD, attempts, exc)
        return
    Message.objects.filter(id=message_id).update(
        status=Message.Status.SENT, attempts=attempts, sent_at=timezone.now(), provider_message_id=provider_id
    )


def _record_failure(message_id: str, status: str, attempts: int, exc: Exception) -> None:
    Message.objects.filter(id=message_id).update(status=status, attempts=attempts, last_error=str(exc)[:500])
    log.warning("message %s: %s after %s attempt(s): %s", message_id, status, attempts, exc)


def message_deliver_now(*, message_id: str) -> None:
    """The immediate attempt for urgent messages, run after the caller's commit.

    Deliberately not one transaction: the provider call must not hold the database. A
    concurrent worker attempt may overlap; the provider deduplicates on the message id.
    """
    message = Message.objects.filter(id=message_id, status=Message.Status.QUEUED).first()
    if message is None:
        return
    still_queued = Message.objects.filter(id=message_id, status=Message.Status.QUEUED)
    try:
        provider_id = _send(message)
    except adapters.PermanentFailure as exc:
        still_queued.update(
            status=Message.Status.FAILED, attempts=F("attempts") + 1, last_error=str(exc)[:500]
        )
    except Exception as exc:
        # Whatever went wrong, the worker tries again from the queued event.
        still_queued.update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
        log.warning(
            "message %s: immediate attempt failed, left to the worker: %s", message_id, type(exc).__name__
        )
    else:
        still_queued.update(
            status=Message.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=timezone.now(),
            provider_message_id=provider_id,
        )


@transaction.atomic
def message_requeue(*, message_id: str) -> bool:
    """An operator sends a failed or given-up message again; returns whether it was queued."""
    requeued = (
        Message.objects.filter(id=message_id, status__in=[Message.Status.FAILED, Message.Status.DEAD])
        .exclude(channel=Channel.IN_APP)
        .update(status=Message.Status.QUEUED, attempts=0, last_error="")
    )
    if requeued:
        events.publish(MESSAGE_QUEUED, {"message_id": str(message_id)})
    return bool(requeued)


@transaction.atomic
def message_mark_read(*, recipient_id: str, message_id: str) -> None:
    message = selectors.in_app_message(recipient_id=recipient_id, message_id=message_id)
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def messages_mark_all_read(*, recipient_id: str) -> int:
    return Message.objects.filter(
        recipient_id=recipient_id, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())

"""Public surface of the notifications module: the only thing other modules import.

Callers pass contact details (phone, e-mail) and an account id; this module renders the
template in the recipient's language, stores one message per channel and delivers it
through the outbox, so nothing is sent for a change that rolls back.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from darcha.modules.notifications import selectors, services
from darcha.modules.notifications.errors import (
    DevInboxDisabled,
    InvalidDestination,
    MessageNotFound,
    NotificationError,
    RenderError,
    UnknownTemplate,
)
from darcha.modules.notifications.models import Channel
from darcha.platform.events.registry import OutsideTransactionError

__all__ = [
    "CHANNELS",
    "DevInboxDisabled",
    "InAppMessage",
    "InvalidDestination",
    "MessageNotFound",
    "NotificationError",
    "OutsideTransactionError",
    "RenderError",
    "UnknownTemplate",
    "check_data",
    "inbox_for",
    "latest_code_for",
    "load_templates",
    "mark_all_read",
    "mark_read",
    "notify",
    "send_code",
    "unread_count",
]

CHANNELS = tuple(Channel.values)  # "sms", "email", "in_app"


@dataclass(frozen=True)
class InAppMessage:
    id: str
    template: str
    title: str
    body: str
    created_at: datetime
    read: bool


def notify(
    *,
    recipient_id: str,
    template: str,
    context: dict,
    language: str,
    phone: str = "",
    email: str = "",
    channels: list[str] | None = None,
) -> list[str]:
    """Queue a notification in the caller's transaction; returns the message ids.

    ``language`` is a portal code (uz, uz-cyrl, ru, en) or a data key (uz_cyrl).
    Without ``channels``: every channel of the template that has a destination, plus the
    cabinet inbox. Raises NotificationError (a ValueError) for an unknown template or
    channel, a missing or malformed destination, or a context the template cannot render.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransactionError("notify() must run inside the transaction that makes the change")
    return services.notification_create(
        recipient_id=recipient_id,
        template=template,
        context=context,
        language=language,
        phone=phone,
        email=email,
        channels=channels,
    )


def send_code(*, phone: str, code: str, purpose: str, language: str) -> None:
    """Send a one-time code by SMS to a +998 number right after the current transaction commits.

    The template is ``identity.<purpose>_code`` when there is one, else
    ``identity.confirmation_code``. If the immediate attempt fails, the outbox worker
    retries. Nothing is sent when the transaction rolls back.
    """
    services.code_message_create(phone=phone, code=code, purpose=purpose, language=language)


def _in_app(message) -> InAppMessage:
    return InAppMessage(
        id=str(message.id),
        template=message.template,
        title=message.subject,
        body=message.body,
        created_at=message.created_at,
        read=message.read_at is not None,
    )


def inbox_for(recipient_id: str, limit: int = 50, before: str | None = None) -> list[InAppMessage]:
    """The recipient's cabinet notifications, newest first.

    For the next page pass the id of the last message received as ``before``; an id that
    is not one of the recipient's messages raises MessageNotFound.
    """
    limit = max(1, min(limit, 200))
    return [_in_app(m) for m in selectors.inbox_page(recipient_id, limit=limit, before=before)]


def unread_count(recipient_id: str) -> int:
    return selectors.unread_count(recipient_id)


def mark_read(*, recipient_id: str, message_id: str) -> None:
    """Raises MessageNotFound unless the message is one of the recipient's cabinet notifications."""
    services.message_mark_read(recipient_id=recipient_id, message_id=message_id)


def mark_all_read(*, recipient_id: str) -> int:
    return services.messages_mark_all_read(recipient_id=recipient_id)


def load_templates() -> None:
    """Load the template files into the database; idempotent, operators' edits win."""
    services.templates_load()


def check_data() -> list[str]:
    """Problems with the templates: missing texts, texts that do not render, SMS too long."""
    return selectors.templates_problems()


def latest_code_for(phone: str) -> str | None:
    """The last one-time code sent to ``phone``; only while the developer inbox is enabled."""
    if not settings.DEV_INBOX_ENABLED:
        raise DevInboxDisabled("one-time codes can be read back only with the developer inbox enabled")
    return selectors.latest_code(phone)

"""What every channel adapter accepts and how it reports failure."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingSms:
    message_id: str  # the provider's idempotency key
    phone: str
    text: str
    one_time_code: bool = False


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: str
    to: str
    subject: str
    text: str
    html: str


class TemporaryFailure(Exception):
    """The provider may accept the message later: the outbox retries with backoff."""


class PermanentFailure(Exception):
    """The provider refused the message itself: sending it again cannot help."""


class SmsSender(Protocol):
    def send(self, sms: OutgoingSms) -> str:
        """Hand the SMS over; returns the provider's message id."""
        ...


class EmailSender(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Hand the e-mail over; returns its Message-ID."""
        ...

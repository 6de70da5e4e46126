"""Channel adapters, chosen by settings: the developer inbox or the real providers."""

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from darcha.modules.notifications.adapters.base import (
    EmailSender,
    OutgoingEmail,
    OutgoingSms,
    PermanentFailure,
    SmsSender,
    TemporaryFailure,
)

__all__ = [
    "EmailSender",
    "OutgoingEmail",
    "OutgoingSms",
    "PermanentFailure",
    "SmsSender",
    "TemporaryFailure",
    "email_sender",
    "sms_sender",
]


def sms_sender() -> SmsSender:
    if settings.SMS_BACKEND == "inbox":
        from darcha.modules.notifications.adapters.inbox import InboxSms

        return InboxSms()
    if settings.SMS_BACKEND == "http":
        if not settings.SMS_GATEWAY_URL:
            raise ImproperlyConfigured("DARCHA_SMS_GATEWAY_URL must be set for the http SMS backend")
        return _http_gateway(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN)
    raise ImproperlyConfigured(f"unknown SMS backend {settings.SMS_BACKEND!r}; use inbox or http")


@functools.lru_cache(maxsize=4)
def _http_gateway(url: str, token: str) -> SmsSender:
    from darcha.modules.notifications.adapters.http_sms import HttpSmsGateway

    return HttpSmsGateway(url=url, token=token)


def email_sender() -> EmailSender:
    if settings.EMAIL_CHANNEL == "inbox":
        from darcha.modules.notifications.adapters.inbox import InboxEmail

        return InboxEmail()
    if settings.EMAIL_CHANNEL == "smtp":
        from darcha.modules.notifications.adapters.email import DjangoMailEmail

        return DjangoMailEmail()
    raise ImproperlyConfigured(f"unknown e-mail backend {settings.EMAIL_CHANNEL!r}; use inbox or smtp")

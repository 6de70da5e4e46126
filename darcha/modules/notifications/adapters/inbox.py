"""Developer inbox: messages are written to a page instead of leaving the machine."""

from darcha.modules.notifications.adapters.base import OutgoingEmail, OutgoingSms
from darcha.modules.notifications.models import Channel, DevInboxEntry


class InboxSms:
    def send(self, sms: OutgoingSms) -> str:
        entry, _ = DevInboxEntry.objects.get_or_create(
            message_id=sms.message_id,
            defaults={
                "channel": Channel.SMS,
                "destination": sms.phone,
                "body": sms.text,
                "one_time_code": sms.one_time_code,
            },
        )
        return f"inbox-{entry.pk}"


class InboxEmail:
    def send(self, email: OutgoingEmail) -> str:
        entry, _ = DevInboxEntry.objects.get_or_create(
            message_id=email.message_id,
            defaults={
                "channel": Channel.EMAIL,
                "destination": email.to,
                "subject": email.subject,
                "body": email.text,
            },
        )
        return f"inbox-{entry.pk}"

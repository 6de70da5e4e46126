"""E-mail through Django's mail backend: real SMTP in production (Django's default backend)."""

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from darcha.modules.notifications.adapters.base import OutgoingEmail, PermanentFailure, TemporaryFailure


class DjangoMailEmail:
    def send(self, email: OutgoingEmail) -> str:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "darcha.local"
        message_id = f"<{email.message_id}@{domain}>"
        mail = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={"Message-ID": message_id},
        )
        mail.attach_alternative(email.html, "text/html")
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"mail server refused the recipient: {codes[0]}") from exc
            raise TemporaryFailure(f"mail server deferred the recipient: {codes[:1]}") from exc
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"mail server refused the message: {exc.smtp_code}") from exc
            raise TemporaryFailure(f"mail server deferred the message: {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Connection, authentication and sender errors are the installation's to fix;
            # the message itself is fine, so it waits for the next attempt.
            raise TemporaryFailure(f"mail server unavailable: {type(exc).__name__}") from exc
        return message_id

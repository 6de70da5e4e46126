import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In the cabinet")


class Language(models.TextChoices):
    """Keys of translatable data; the portal's language codes map onto them."""

    UZ = "uz", "O‘zbekcha"
    UZ_CYRL = "uz_cyrl", "Ўзбекча"
    RU = "ru", "Русский"
    EN = "en", "English"


class Template(models.Model):
    """A notification sent on one event; its texts per channel and language are TemplateText rows."""

    key = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True, default="")
    sample_context = models.JSONField(default=dict, blank=True)
    sms_max_segments = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return self.key


class TemplateText(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="texts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=Language.choices)
    subject = models.CharField(
        max_length=300, blank=True, default="", help_text=_("E-mail subject or the title in the cabinet.")
    )
    body = models.TextField(help_text=_("SMS text, plain e-mail text, or the text in the cabinet."))
    html = models.TextField(blank=True, default="", help_text=_("HTML body of the e-mail."))
    customised = models.BooleanField(
        default=False, help_text=_("Edited by an operator: the file defaults no longer replace it.")
    )

    class Meta:
        ordering = ["template", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["template", "channel", "language"], name="template_text_uniq")
        ]
        verbose_name = _("template text")
        verbose_name_plural = _("template texts")

    def __str__(self) -> str:
        return f"{self.template_id}/{self.channel}/{self.language}"


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        DEAD = "dead", _("gave up after retries")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient_id = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=8, choices=Language.choices)
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()
    html = models.TextField(blank=True, default="")
    # Phone number or e-mail address: personal data, never written to logs.
    destination = models.CharField(max_length=254, blank=True, default="")
    one_time_code = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    provider_message_id = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient_id", "channel", "created_at"], name="message_inbox_idx"),
            models.Index(fields=["destination", "channel", "created_at"], name="message_destination_idx"),
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.channel} {self.template} {self.id}"


class DevInboxEntry(models.Model):
    """What the developer-inbox adapters were asked to send instead of a real gateway."""

    message_id = models.UUIDField(unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    destination = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()
    one_time_code = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["destination", "created_at"], name="dev_inbox_destination_idx")]
        verbose_name = _("developer inbox entry")
        verbose_name_plural = _("developer inbox entries")

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id}"

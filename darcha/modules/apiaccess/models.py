import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApiClient(models.Model):
    """An agency information system that calls the JSON API."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency_code = models.CharField(pgettext_lazy("api access", "agency code"), max_length=32, db_index=True)
    name = models.CharField(pgettext_lazy("api access", "name"), max_length=200)
    active = models.BooleanField(pgettext_lazy("api access", "active"), default=True)
    created_at = models.DateTimeField(pgettext_lazy("api access", "created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["agency_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "name"], name="apiaccess_client_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency_code})"


class ApiKey(models.Model):
    """A secret a client presents; only its SHA-256 is kept, the prefix identifies it to people."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        related_name="keys",
        verbose_name=pgettext_lazy("api access", "client"),
    )
    prefix = models.CharField(pgettext_lazy("api access", "prefix"), max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(pgettext_lazy("api access", "scopes"), default=list)
    created_at = models.DateTimeField(pgettext_lazy("api access", "created"), auto_now_add=True)
    last_used_at = models.DateTimeField(pgettext_lazy("api access", "last used"), null=True, blank=True)
    expires_at = models.DateTimeField(pgettext_lazy("api access", "expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(pgettext_lazy("api access", "revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.prefix

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """One e-service of the registry. Its content lives in versions; the copied fields are for
    operators' lists, the public lists and search are served from the in-memory index."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    current_version = models.ForeignKey(
        "ServiceVersion",
        verbose_name=_("current version"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A definition removed from services/ is withdrawn, never deleted: applications made
    # under its versions still refer to them.
    is_active = models.BooleanField(_("active"), default=True)
    agency = models.CharField(_("agency"), max_length=80)
    category = models.CharField(_("category"), max_length=80)
    subcategory = models.CharField(_("subcategory"), max_length=80)
    level = models.CharField(_("level"), max_length=20)
    popularity = models.PositiveSmallIntegerField(_("popularity"), default=0)
    rating_total = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(_("number of ratings"), default=0)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["is_active", "category", "-popularity"]),
            models.Index(fields=["is_active", "agency", "-popularity"]),
            models.Index(fields=["is_active", "-popularity"]),
        ]

    def __str__(self) -> str:
        return self.code


class ServiceVersion(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("file"), max_length=300)
    # The definition's texts folded for search, computed once by the loader: folding is
    # what makes building a search index slow.
    search_text = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"


class Term(models.Model):
    """An entry of a shared dictionary: category, life situation, document or result type."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("category")
        LIFE_SITUATION = "life-situation", _("life situation")
        DOCUMENT = "document", _("document type")
        RESULT = "result", _("result type")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=80)
    title = models.JSONField()
    summary = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="catalog_term_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Revision(models.Model):
    """One row that changes with the catalog, so every web process knows when to rebuild its index.

    The token, not the number, identifies the state: a database restored from a backup (or
    rolled back) may count the same number again for different content.
    """

    number = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, default="")
    # A sample folded with the search_key of the last load; when folding changes with an
    # upgrade, the loader folds every version again.
    fold_probe = models.CharField(max_length=200, default="")

    def __str__(self) -> str:
        return str(self.number)

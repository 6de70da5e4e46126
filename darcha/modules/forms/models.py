from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Form(models.Model):
    """One service form. Its content lives in versions."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    current_version = models.ForeignKey(
        "FormVersion", verbose_name=_("current version"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # A form removed from forms/ is withdrawn, never deleted: applications started
    # under its versions still refer to them.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("file"), max_length=300)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="forms_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.form.name} v{self.number}"

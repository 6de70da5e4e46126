from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """A region or a district (or city of regional subordination) by its SOATO code."""

    class Level(models.TextChoices):
        REGION = "region", _("Region")
        DISTRICT = "district", _("District")

    code = models.CharField(_("SOATO code"), max_length=7, primary_key=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("region"),
    )
    name = models.JSONField(_("name"), help_text=_("In each language: uz, uz_cyrl, ru, en."))
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="region", parent__isnull=True, code__regex=r"^17[0-9]{2}$")
                | models.Q(level="district", parent__isnull=False, code__regex=r"^17[0-9]{5}$"),
                name="reference_area_level_matches_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name.get('uz', '')}"


class Agency(models.Model):
    """A state body that provides services or answers appeals."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        COMMITTEE = "committee", _("Committee")
        AGENCY = "agency", _("Agency")
        KHOKIMIYAT = "khokimiyat", _("Khokimiyat")
        SERVICE_CENTRE = "service-centre", _("Public service centre")
        CENTRE = "centre", _("Centre")
        BANK = "bank", _("Bank")

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.JSONField(_("name"), help_text=_("In each language: uz, uz_cyrl, ru, en."))
    parent_code = models.CharField(
        _("parent agency code"), max_length=64, blank=True, default="", db_index=True
    )
    area_code = models.CharField(
        _("area of competence"),
        max_length=7,
        default="17",
        db_index=True,
        help_text=_("SOATO code; 17 is the whole country."),
    )
    competence = models.JSONField(_("competence keywords"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.code} {self.name.get('uz', '')}"

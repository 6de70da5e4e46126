from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status differs from the holiday library: a day moved by decree, or a lunar
    holiday (Ramazon hayit, Qurbon hayit) whose date is announced each year."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.JSONField(
        _("name"),
        default=dict,
        blank=True,
        help_text=_('In each language: {"uz": …, "uz_cyrl": …, "ru": …, "en": …}'),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("For example the decree that moved the day."))

    class Meta:
        ordering = ["-date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

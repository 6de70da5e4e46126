"""How values and conditions read to a person, in the active language."""

from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from darcha.modules.forms.records import (
    Answer,
    Condition,
    Field,
    FormInfo,
    json_text,
    localized,
    portal_language,
)
from darcha.modules.reference import api as reference


def day_month_year(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return json_text(iso)


def display_value(field: Field, value: Any, language: str) -> str:
    if field.type == "boolean":
        return _("Yes") if value is True else _("No")
    if "enum" in field.schema:
        return field.option_label(value, language)
    if field.format == "date":
        return day_month_year(value)
    if field.format == "soato-district" and (area := reference.area(json_text(value))):
        return area.label(language)
    return json_text(value)


def condition_note(form: FormInfo, condition: Condition, language: str) -> str:
    """"(only if …)", the text shown beside a conditional field."""
    other = form.field(condition.field)
    label = other.label(language)
    if other.widget == "checkbox" and len(condition.values) == 1:
        if condition.values[0] is True:
            return _("(only if “%(field)s” is ticked)") % {"field": label}
        return _("(only if “%(field)s” is not ticked)") % {"field": label}
    values = [display_value(other, value, language) for value in condition.values]
    if len(values) == 1:
        return _("(only if “%(field)s” is “%(value)s”)") % {"field": label, "value": values[0]}
    return _("(only if “%(field)s” is one of: %(values)s)") % {"field": label, "values": ", ".join(values)}


def answers(form: FormInfo, data: dict[str, Any], *, language: str) -> list[Answer]:
    language = portal_language(language)
    with translation.override(language):
        return [
            Answer(field.name, localized(form.sections[field.section].title, language), field.label(language),
                   display_value(field, data[field.name], language))
            for field in form.shown(data)
            if field.name in data
        ]

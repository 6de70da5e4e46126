"""A form as accessible HTML fields: labels, hints, an error summary and per-field errors.

Every field is in the page; a conditional one says "(only if …)" so the form works without
JavaScript, and ``forms/conditional.js`` hides and shows it live where scripts run.
"""

import json
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from darcha.modules.forms.records import Field, FormInfo, json_text, localized, portal_language
from darcha.modules.forms.validation import TRUE, parse_date
from darcha.modules.forms.wording import condition_note, display_value
from darcha.modules.reference import api as reference

SELECTED = SafeString(" selected")
# Input attributes by format: the keyboard phones show and what browsers may fill in.
FORMAT_ATTRIBUTES = {
    "pinfl": [("inputmode", "numeric"), ("autocomplete", "off"), ("spellcheck", "false")],
    "stir": [("inputmode", "numeric"), ("autocomplete", "off"), ("spellcheck", "false")],
    "uz-phone": [("type", "tel"), ("autocomplete", "tel")],
    "email": [("inputmode", "email"), ("autocomplete", "email"), ("spellcheck", "false")],
    "kindergarten": [("inputmode", "numeric"), ("autocomplete", "off")],
}


def _current(data: Any, name: str) -> str:
    value = data.get(name) if data else None
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return json_text(value)


def _options(field: Field, current: str, language: str) -> list[dict[str, Any]]:
    values = [True, False] if field.type == "boolean" else field.schema.get("enum", [])
    return [
        {
            "id": f"id_{field.name}_{index}",
            "value": json_text(value),
            "label": display_value(field, value, language),
            "selected": json_text(value) == current,
        }
        for index, value in enumerate(values)
    ]


def _district_groups(current: str, language: str) -> list[dict[str, Any]]:
    # Some 200 options: built here, as the template language would take most of the render time.
    return [
        {
            "label": region.label(language),
            "options_html": format_html_join(
                "", '<option value="{}"{}>{}</option>',
                ((d.code, SELECTED if d.code == current else "", d.label(language))
                 for d in reference.districts(region.code)),
            ),
        }
        for region in reference.regions()
    ]


def _attributes(field: Field) -> list[tuple[str, str]]:
    if field.widget == "date":
        attributes = [("type", "date")]
    elif field.widget == "number":
        attributes = [("inputmode", "numeric" if field.type == "integer" else "decimal")]
    else:
        attributes = list(FORMAT_ATTRIBUTES.get(field.format or "", []))
    if autocomplete := field.ui.get("autocomplete"):
        attributes = [(k, v) for k, v in attributes if k != "autocomplete"] + [("autocomplete", autocomplete)]
    if not any(name == "type" for name, _value in attributes):
        attributes.insert(0, ("type", "text"))
    return attributes


def _field(form: FormInfo, field: Field, data: Any, errors: list[str], language: str) -> dict[str, Any]:
    ident = f"id_{field.name}"
    current = _current(data, field.name)
    hint = field.help(language)
    if field.widget == "date":
        current = parse_date(current) or current
        example = _("For example, %(date)s") % {"date": date(2025, 3, 27).strftime("%d.%m.%Y")}
        hint = f"{hint} {example}" if hint else example
    note = condition_note(form, field.condition, language) if field.condition else ""
    notes = (("hint", hint), ("condition", note), ("error", errors))
    described = [f"{ident}_{part}" for part, present in notes if present]
    context = {
        "name": field.name,
        "id": ident,
        "label": field.label(language),
        "required": field.must_tick or (field.required and field.widget != "checkbox"),
        "widget": field.widget,
        "hint": hint,
        "note": note,
        "errors": errors,
        "describedby": " ".join(described),
        "value": current,
        "checked": current.strip().lower() in TRUE,
        "attributes": _attributes(field),
        "target": f"{ident}_0" if field.widget == "radio" else ident,
    }
    if field.widget in ("select", "radio"):
        if field.format == "soato-district" and "enum" not in field.schema:
            context["groups"] = _district_groups(current, language)
        else:
            context["options"] = _options(field, current, language)
    if field.condition:
        context["show_if"] = field.condition.field
        context["show_if_values"] = json.dumps([json_text(v) for v in field.condition.values])
    return context


def render(form: FormInfo, *, data: Any, errors: dict[str, list[str]], language: str) -> SafeString:
    language = portal_language(language)
    errors = errors or {}
    with translation.override(language):
        fields = {f.name: _field(form, f, data, errors.get(f.name, []), language) for f in form.fields}
        summary = [
            {"target": fields[name]["target"], "label": fields[name]["label"], "message": message}
            for name in fields
            for message in errors.get(name, [])
        ]
        summary += [{"message": message} for name, messages in errors.items() if name not in fields
                    for message in messages]
        sections = [
            {"title": localized(section.title, language), "fields": [fields[name] for name in section.fields]}
            for section in form.sections
        ]
        return render_to_string("forms/fields.html", {
            "form_name": form.name,
            "summary": summary,
            "sections": sections,
            "conditional": any(f.condition for f in form.fields),
        })

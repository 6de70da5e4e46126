"""Checking form data on the server against the form's JSON Schema, in words people understand.

``validate`` takes the strings of a posted HTML form and parses them into typed values
first; ``validate_json`` takes typed JSON from the API. Both leave out the fields whose
``show_if`` condition does not hold, then run the same schema with Darcha's formats.
Raw jsonschema messages never reach a person.
"""

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError as SchemaError

from darcha.modules.forms.records import Field, FormInfo, json_text, localized, portal_language
from darcha.modules.forms.wording import day_month_year
from darcha.modules.identity import api as identity
from darcha.modules.reference import api as reference

MISSING = object()
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DOTTED_DATE = re.compile(r"([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{4})")
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
NUMBER = re.compile(r"[+-]?[0-9]{1,15}(?:[.,][0-9]{1,10})?")
KINDERGARTEN = re.compile(r"([0-9]{7})-([0-9]{1,4})")
SPACES = re.compile(r"\s+")
TRUE = {"true", "on", "1", "yes"}
FALSE = {"false", "off", "0", "no", ""}
# Characters nobody types that break storage (PostgreSQL refuses NUL) or display.
UNTYPEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def parse_date(text: str) -> str | None:
    """ISO (what <input type="date"> sends) or DD.MM.YYYY (what people type) → ISO, or None."""
    if match := ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := DOTTED_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def date_bound(bound: str) -> date:
    """A ``formatMinimum``/``formatMaximum`` value: an ISO date, ``today`` or ``today±N`` days."""
    if bound.startswith("today"):
        return timezone.localdate() + timedelta(days=int(bound[5:] or 0))
    return date.fromisoformat(bound)


def _iso(instance: Any) -> date | None:
    if isinstance(instance, str) and ISO_DATE.fullmatch(instance):
        try:
            return date.fromisoformat(instance)
        except ValueError:
            return None
    return None


def _format_minimum(validator, bound, instance, schema):
    value = _iso(instance)
    if value is not None and value < date_bound(bound):
        yield SchemaError(f"{instance} is before {bound}")


def _format_maximum(validator, bound, instance, schema):
    value = _iso(instance)
    if value is not None and value > date_bound(bound):
        yield SchemaError(f"{instance} is after {bound}")


FormValidator = validators.extend(
    Draft202012Validator, {"formatMinimum": _format_minimum, "formatMaximum": _format_maximum}
)

# --- Formats ------------------------------------------------------------------------------------
# A checker that raises Django's ValidationError gives the applicant its specific message.

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _date(value: Any) -> bool:
    return not isinstance(value, str) or _iso(value) is not None


@FORMATS.checks("email")
def _email(value: Any) -> bool:
    if isinstance(value, str):
        try:
            validate_email(value)
        except DjangoValidationError:
            return False
    return True


@FORMATS.checks("pinfl", raises=DjangoValidationError)
def _pinfl(value: Any) -> bool:
    if isinstance(value, str):
        identity.validate_pinfl(value)
    return True


@FORMATS.checks("stir", raises=DjangoValidationError)
def _stir(value: Any) -> bool:
    if isinstance(value, str):
        identity.validate_stir(value)
    return True


@FORMATS.checks("uz-phone", raises=DjangoValidationError)
def _uz_phone(value: Any) -> bool:
    if isinstance(value, str):
        identity.normalize_uz_phone(value)
    return True


@FORMATS.checks("soato-district")
def _district(value: Any) -> bool:
    return not isinstance(value, str) or reference.is_district(value)


@FORMATS.checks("kindergarten", raises=DjangoValidationError)
def _kindergarten(value: Any) -> bool:
    """A state kindergarten: its district's SOATO code and its number there, e.g. 1726294-12."""
    if not isinstance(value, str):
        return True
    match = KINDERGARTEN.fullmatch(value)
    if not match or int(match[2]) == 0:
        return False
    if not reference.is_district(match[1]):
        raise DjangoValidationError(_("There is no district with the code %(code)s.") % {"code": match[1]})
    return True


# --- Messages -------------------------------------------------------------------------------------


def required_message() -> str:
    return _("This field is required.")


def _format_message(fmt: str) -> str:
    # PINFL, STIR and phone checks always explain themselves (identity's messages).
    return {
        "date": _("Enter a date in the form DD.MM.YYYY."),
        "email": _("Enter an e-mail address in the form name@example.uz."),
        "soato-district": _("Choose a district from the list."),
        "kindergarten": _("Enter the kindergarten code: the 7-digit code of its district, a hyphen and its "
                          "number, for example 1726294-12."),
    }[fmt]


def _type_message(kind: str) -> str:
    return {
        "integer": _("Enter a whole number."),
        "number": _("Enter a number."),
        "boolean": _("Choose yes or no."),
        "string": _("Enter text."),
    }[kind]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _shown_date(bound: str) -> str:
    return day_month_year(date_bound(bound).isoformat())


def _message(error: SchemaError, field: Field, language: str) -> str:
    kind, expected = error.validator, error.validator_value
    if kind == "type":
        return _type_message(field.type)
    if kind == "enum":
        return _("Choose one of the options.")
    if kind == "const":
        return _("Tick this box to continue.") if field.type == "boolean" else _("Choose one of the options.")
    if kind == "pattern":
        return localized(field.ui.get("pattern_error"), language) or _("Check the format of this value.")
    if kind == "minLength":
        return ngettext("Enter at least %(count)d character.", "Enter at least %(count)d characters.",
                        expected) % {"count": expected}
    if kind == "maxLength":
        return ngettext("Enter at most %(count)d character.", "Enter at most %(count)d characters.",
                        expected) % {"count": expected}
    if kind == "minimum":
        return _("Enter a number that is %(minimum)s or more.") % {"minimum": _number(expected)}
    if kind == "maximum":
        return _("Enter a number that is %(maximum)s or less.") % {"maximum": _number(expected)}
    if kind == "formatMinimum":
        return _("Enter a date on or after %(date)s.") % {"date": _shown_date(expected)}
    if kind == "formatMaximum":
        return _("Enter a date on or before %(date)s.") % {"date": _shown_date(expected)}
    if kind == "format":
        if isinstance(error.cause, DjangoValidationError):
            return " ".join(str(m) for m in error.cause.messages)
        return _format_message(expected)
    return _("Check this value.")


def _untypeable() -> str:
    return _("Remove the special characters from this text and type it again.")


def _schema_errors(form: FormInfo, instance: dict[str, Any], shown: set[str],
                   language: str) -> dict[str, str]:
    schema = {**form.schema, "required": [n for n in form.schema.get("required", ()) if n in shown]}
    found: dict[str, str] = {}
    for error in FormValidator(schema, format_checker=FORMATS).iter_errors(instance):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in instance:
                    found.setdefault(name, required_message())
        elif error.validator == "additionalProperties":
            for name in instance:
                if name not in schema["properties"]:
                    found.setdefault(name, _("This field is not part of the form."))
        elif error.absolute_path:
            name = error.absolute_path[0]
            found.setdefault(name, _message(error, form.field(name), language))
    return found


def _ordered(form: FormInfo, errors: dict[str, str]) -> dict[str, list[str]]:
    """Errors in the order the fields are shown, then any about names the form lacks."""
    names = [f.name for f in form.fields if f.name in errors]
    names += sorted(name for name in errors if form.field(name) is None)
    return {name: [errors[name]] for name in names}


# --- Posted HTML forms ----------------------------------------------------------------------------


def _raw_text(raw: Any) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return json_text(raw)


def parse(field: Field, raw: Any) -> tuple[Any, str | None]:
    """A posted value as the typed value the schema expects: (value or MISSING, error or None)."""
    text = _raw_text(raw)
    if field.widget == "checkbox":
        flag = text.strip().lower()
        if flag in TRUE or flag in FALSE:
            return flag in TRUE, None
        return MISSING, _type_message("boolean")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if not text:
        return MISSING, None
    if UNTYPEABLE.search(text):
        return MISSING, _untypeable()
    if field.type == "boolean":
        flag = text.lower()
        return (flag in TRUE, None) if flag in TRUE | FALSE else (MISSING, _type_message("boolean"))
    if field.type in ("integer", "number"):
        compact = SPACES.sub("", text)
        if field.type == "integer" and INTEGER.fullmatch(compact):
            return int(compact), None
        if field.type == "number" and NUMBER.fullmatch(compact):
            return (float(compact.replace(",", ".")) if re.search("[.,]", compact) else int(compact)), None
        return MISSING, _type_message(field.type)
    if field.format == "date":
        iso = parse_date(text)
        return (iso, None) if iso else (MISSING, _format_message("date"))
    if field.format in ("pinfl", "stir"):
        return SPACES.sub("", text), None
    if field.format == "uz-phone":
        try:
            return identity.normalize_uz_phone(text), None
        except DjangoValidationError:
            return text, None  # the format check names what is wrong with it
    return text, None


def validate(form: FormInfo, raw, *, language: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    with translation.override(portal_language(language)):
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for field in form.fields:
            value, problem = parse(field, raw.get(field.name))
            if problem:
                problems[field.name] = problem
            elif value is not MISSING:
                values[field.name] = value
        shown = {field.name for field in form.shown(values)}
        problems = {name: problem for name, problem in problems.items() if name in shown}
        instance = {name: value for name, value in values.items() if name in shown}
        for name, problem in _schema_errors(form, instance, shown, language).items():
            problems.setdefault(name, problem)
        clean = {name: value for name, value in instance.items() if name not in problems}
        return clean, _ordered(form, problems)


# --- JSON ------------------------------------------------------------------------------------------


def validate_json(form: FormInfo, data: Any, *, language: str) -> dict[str, list[str]]:
    with translation.override(portal_language(language)):
        if not isinstance(data, dict):
            return {"__all__": [_("Send the form data as a JSON object.")]}
        shown = {field.name for field in form.shown(data)}
        problems: dict[str, str] = {}
        for name, value in data.items():
            if form.field(name) is not None and name not in shown:
                problems[name] = _("This field does not apply to your other answers; leave it out.")
            elif isinstance(value, str) and UNTYPEABLE.search(value):
                problems[name] = _untypeable()
        instance = {name: value for name, value in data.items() if name not in problems}
        for name, problem in _schema_errors(form, instance, shown, language).items():
            problems.setdefault(name, problem)
        return _ordered(form, problems)

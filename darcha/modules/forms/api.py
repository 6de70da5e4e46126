"""Public surface of the forms module: the only thing other modules import.

Service forms as data: a JSON Schema for the data plus presentation hints, loaded from
``forms/`` as versions, rendered as accessible HTML and validated on the server.
"""

from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString

from darcha.modules.forms import rendering, selectors, services, validation, wording
from darcha.modules.forms.definitions import FormsInvalid
from darcha.modules.forms.records import Answer, Condition, DocumentSlot, Field, FormInfo, LoadReport, Section

__all__ = [
    "Answer",
    "Condition",
    "DocumentSlot",
    "Field",
    "FormInfo",
    "FormsInvalid",
    "LoadReport",
    "Section",
    "answers",
    "check_forms",
    "form",
    "form_names",
    "form_version",
    "load_forms",
    "render",
    "validate",
    "validate_json",
]


def load_forms(path: Path | str | None = None, strict: bool = True) -> LoadReport:
    """Load ``forms/`` (or ``path``); changed definitions become new versions.

    Idempotent. With ``strict`` (the default) any problem raises :class:`FormsInvalid` and
    nothing is loaded; otherwise only the invalid files are skipped.
    """
    return services.forms_load(path=Path(path) if path else None, strict=strict)


def check_forms(path: Path | str | None = None) -> list[str]:
    """Every problem in the definitions, each "file: field: reason", for ``darcha check``.

    Besides what blocks loading, each form's ``sample`` is validated against the form.
    """
    return [str(problem) for problem in services.forms_check(path=Path(path) if path else None)]


def form(name: str) -> FormInfo | None:
    """The current version of an active form."""
    return selectors.form_get(name)


def form_version(name: str, number: int) -> FormInfo | None:
    """A form as one of its versions defined it (an application keeps the version it started with)."""
    return selectors.form_version_get(name, number)


def form_names() -> list[str]:
    return selectors.form_names()


def render(form: FormInfo, *, data: Any, errors: dict[str, list[str]], language: str) -> SafeString:
    """The fields as HTML, without the <form> tag, CSRF token or buttons, which the caller adds.

    ``data`` is the posted QueryDict (to show what was typed) or clean data (a draft);
    ``errors`` as returned by :func:`validate`. With errors, an error summary linking to each
    field comes first. Errors under names the form lacks (e.g. ``__all__``) are listed in
    the summary without a link.
    """
    return rendering.render(form, data=data, errors=errors, language=language)


def validate(form: FormInfo, raw: Any, *, language: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Parse posted strings into typed values, leave out fields that do not apply, validate.

    Returns (clean data, errors by field name) with messages in ``language``. Clean data
    holds only the fields that passed: with no errors it is the complete, valid data.
    """
    return validation.validate(form, raw, language=language)


def validate_json(form: FormInfo, data: Any, *, language: str) -> dict[str, list[str]]:
    """The same rules on typed JSON (API): errors by field name; values for fields that do
    not apply, and names the form lacks, are errors too."""
    return validation.validate_json(form, data, language=language)


def answers(form: FormInfo, data: dict[str, Any], *, language: str) -> list[Answer]:
    """Clean data as a person reads it, field by field in form order, for review pages."""
    return wording.answers(form, data, language=language)

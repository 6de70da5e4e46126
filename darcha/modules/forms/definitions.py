"""Reading form definitions from YAML: schema validation, defaults and cross-checks.

Nothing here touches the database: the result is plain data plus a list of problems, each
naming the file, the field and a reason the form's author can act on.
"""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator

from darcha.platform.text import to_cyrillic

CODE = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
FIELD_NAME = "^[a-z][a-z0-9_]*$"
DOCUMENT_DEFAULTS = {"max_mb": 10, "types": ["pdf", "jpeg", "png"]}
# Which widget can show which kind of field.
WIDGETS = {
    "text": "a text field",
    "textarea": "a text field without options",
    "select": "a field with an enum or the soato-district format",
    "radio": "a field with an enum, or a yes/no field",
    "checkbox": "a yes/no (boolean) field",
    "date": "a field with the date format",
    "number": "an integer or number field",
}
_KEYWORDS_BY_TYPE = {
    "string": {"format", "pattern", "minLength", "maxLength", "enum", "const", "formatMinimum",
               "formatMaximum"},
    "integer": {"minimum", "maximum", "enum", "const"},
    "number": {"minimum", "maximum", "enum", "const"},
    "boolean": {"const"},
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, as ``darcha check`` prints it."""

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}" if self.field else f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class Definition:
    file: str
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.data["name"]


@dataclass
class FormsRead:
    """Everything read from a forms directory; ``problems`` empty means it may all load."""

    definitions: list[Definition] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def forms_dir() -> Path:
    return Path(getattr(settings, "FORMS_DIR", settings.REPO_DIR / "forms"))


def services_dir() -> Path:
    # Document type codes are defined in the catalog's shared dictionaries.
    return Path(getattr(settings, "CATALOG_SERVICES_DIR", settings.REPO_DIR / "services"))


def schema_path() -> Path:
    return Path(settings.REPO_DIR) / "schemas" / "form-definition.schema.json"


@cache
def _validator(path: Path) -> Draft202012Validator:
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def document_types(root: Path) -> frozenset[str]:
    files = tuple((path, path.stat().st_mtime_ns) for path in sorted(root.glob("_documents*.yaml")))
    return _document_types(files)


@lru_cache(maxsize=16)
def _document_types(files: tuple[tuple[Path, int], ...]) -> frozenset[str]:
    codes: set[str] = set()
    for path, _mtime in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if isinstance(data, dict):
            codes.update(str(code) for code in data)
    return frozenset(codes)


def field_name(path: Iterable[str | int]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _plain(value: Any) -> Any:
    """YAML as JSON: string keys (``true:`` is "true"), dates as ISO text."""
    if isinstance(value, dict):
        return {(json.dumps(k) if isinstance(k, bool) else str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- Schema errors in plain words -------------------------------------------------------


def _leaf_errors(errors) -> Iterator:
    for error in errors:
        if error.validator in {"oneOf", "anyOf"} and error.context:
            yield error
        elif error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _missing(error) -> str:
    """The property a ``required`` error is about (jsonschema names it only in the message)."""
    match = _REQUIRED.match(error.message)
    return match.group(1) if match else error.message


def _reason(error) -> str:
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind == "required":
        return f"required field '{_missing(error)}' is missing"
    if kind == "additionalProperties":
        return "unknown field; check the spelling against schemas/form-definition.schema.json"
    if kind == "enum":
        return f"{value!r} is not allowed; use one of: {', '.join(map(str, expected))}"
    if kind == "const":
        return f"must be {json.dumps(expected)}"
    if kind == "type":
        words = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
                 "object": "a mapping", "boolean": "true or false"}
        wanted = expected if isinstance(expected, list) else [expected]
        return f"must be {' or '.join(words.get(w, w) for w in wanted)}, not {value!r}"
    if kind == "pattern":
        if expected == "\\S":
            return "must not be blank"
        if expected == FIELD_NAME:
            return f"{value!r} is not a valid field name: use lowercase latin letters, digits and underscores"
        if expected == CODE:
            return (f"{value!r} is not a valid name: use lowercase latin letters and digits in words "
                    "joined by hyphens")
        return f"{value!r} does not match the pattern {expected}"
    if kind in {"minLength", "minItems", "minProperties"}:
        return "must not be empty"
    if kind == "maxLength":
        return f"is too long: at most {expected} characters"
    if kind in {"minimum", "maximum"}:
        return f"must be {'at least' if kind == 'minimum' else 'at most'} {expected}, not {value!r}"
    if kind == "uniqueItems":
        return "lists the same item more than once"
    if kind == "oneOf" and isinstance(value, dict) and "field" in value:
        return "give exactly one of 'equals' or 'in'"
    return error.message


def schema_problems(data: Any, relative: str) -> list[Problem]:
    problems = []
    for error in _leaf_errors(_validator(schema_path()).iter_errors(data)):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            path = (*path, _missing(error))
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            problems += [Problem(relative, field_name((*path, extra)), _reason(error))
                         for extra in error.instance if extra not in allowed]
            continue
        problems.append(Problem(relative, field_name(path), _reason(error)))
    return problems


# --- Cross-checks ---------------------------------------------------------------------------


def _fits(prop: dict[str, Any], value: Any) -> bool:
    """Whether a JSON value is of the property's type (and among its enum, if any)."""
    kind = prop["type"]
    if kind == "boolean":
        fits = isinstance(value, bool)
    elif kind == "integer":
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        fits = isinstance(value, str)
    return fits and ("enum" not in prop or any(v == value and type(v) is type(value) for v in prop["enum"]))


def _property_problems(name: str, prop: dict[str, Any], ui: dict[str, Any]) -> Iterator[tuple[str, str]]:
    where = f"schema.properties.{name}"
    kind = prop["type"]
    for keyword in sorted(set(prop) - {"type"} - _KEYWORDS_BY_TYPE[kind]):
        yield f"{where}.{keyword}", f"does not apply to a field of type {kind}"
    for index, value in enumerate(prop.get("enum", ())):
        if not _fits({"type": kind}, value):
            yield f"{where}.enum[{index}]", f"{value!r} is not of type {kind}"
    if "const" in prop and not _fits({"type": kind}, prop["const"]):
        yield f"{where}.const", f"{prop['const']!r} is not of type {kind}"
    if prop.get("minLength", 0) > prop.get("maxLength", float("inf")):
        yield f"{where}.minLength", "is greater than maxLength"
    if prop.get("minimum", float("-inf")) > prop.get("maximum", float("inf")):
        yield f"{where}.minimum", "is greater than maximum"
    if "pattern" in prop:
        try:
            re.compile(prop["pattern"])
        except re.error as error:
            yield f"{where}.pattern", f"is not a valid regular expression: {error}"
    for keyword in ("formatMinimum", "formatMaximum"):
        if keyword in prop and kind == "string" and prop.get("format") != "date":
            yield f"{where}.{keyword}", "applies only with format: date"
    if kind == "string" and not {"enum", "const", "format", "maxLength"} & set(prop):
        yield where, "free text needs a maxLength"
    if "pattern_error" in ui and "pattern" not in prop:
        yield f"ui.fields.{name}.pattern_error", "the field has no pattern"


def _widget_fits(widget: str, prop: dict[str, Any]) -> bool:
    kind, fmt, has_enum = prop["type"], prop.get("format"), "enum" in prop
    return {
        "text": kind == "string" and not has_enum,
        "textarea": kind == "string" and not has_enum and fmt is None,
        "select": has_enum or fmt == "soato-district",
        "radio": has_enum or kind == "boolean",
        "checkbox": kind == "boolean",
        "date": fmt == "date",
        "number": kind in {"integer", "number"} and not has_enum,
    }[widget]


def _condition_problems(where: str, show_if: dict[str, Any], properties: dict[str, Any],
                        before: set[str]) -> Iterator[tuple[str, str]]:
    other = show_if["field"]
    if other not in properties:
        yield f"{where}.field", f"refers to '{other}', which is not a field of this form"
        return
    if other not in before:
        yield f"{where}.field", f"refers to '{other}', which must be placed before this field"
        return
    values = [show_if["equals"]] if "equals" in show_if else show_if["in"]
    for value in values:
        if not _fits(properties[other], value):
            yield where, f"{value!r} is not a value '{other}' can have"


def _fill_cyrillic(text: dict[str, str]) -> None:
    if "uz_cyrl" not in text:
        text["uz_cyrl"] = to_cyrillic(text["uz"])


def _texts(data: dict[str, Any]) -> Iterator[dict[str, str]]:
    yield data["title"]
    for section in data["ui"]["sections"]:
        yield section["title"]
    for ui in data["ui"]["fields"].values():
        yield from (ui[key] for key in ("label", "help", "pattern_error") if key in ui)
        yield from ui.get("options", {}).values()


def cross_problems(data: dict[str, Any], relative: str, stem: str,
                   document_codes: frozenset[str]) -> list[Problem]:
    found: list[tuple[str, str]] = []
    properties = data["schema"]["properties"]
    ui_fields = data["ui"]["fields"]
    if data["name"] != stem:
        found.append(("name", f"name {data['name']!r} does not match the file name {stem + '.yaml'!r}"))

    order: list[str] = []
    for i, section in enumerate(data["ui"]["sections"]):
        for j, name in enumerate(section["fields"]):
            where = f"ui.sections[{i}].fields[{j}]"
            if name not in properties:
                found.append((where, f"'{name}' is not a property in schema.properties"))
            elif name in order:
                found.append((where, f"'{name}' is placed in more than one section"))
            else:
                order.append(name)
    for name in properties:
        if name not in order:
            found.append((f"schema.properties.{name}", "is not placed in any section of ui.sections"))
        if name not in ui_fields:
            found.append((f"ui.fields.{name}", "is missing: every field needs a label"))
    for name in ui_fields:
        if name not in properties:
            found.append((f"ui.fields.{name}", "is not a property in schema.properties"))
    for index, name in enumerate(data["schema"].get("required", ())):
        if name not in properties:
            found.append((f"schema.required[{index}]", f"'{name}' is not a property in schema.properties"))

    for name, prop in properties.items():
        ui = ui_fields.get(name, {})
        found += _property_problems(name, prop, ui)
        widget = ui.get("widget")
        if widget and not _widget_fits(widget, prop):
            found.append((f"ui.fields.{name}.widget", f"{widget} is for {WIDGETS[widget]}"))
        labelled = set(ui.get("options", {}))
        wanted = {json.dumps(v) if isinstance(v, bool) else str(v) for v in prop.get("enum", ())}
        if "options" in ui and "enum" not in prop:
            found.append((f"ui.fields.{name}.options", "the field has no enum"))
        found += [(f"ui.fields.{name}.options", f"the value {v!r} has no label")
                  for v in sorted(wanted - labelled)]
        if "enum" in prop:
            found += [(f"ui.fields.{name}.options.{v}", "is not a value in the enum")
                      for v in sorted(labelled - wanted)]
        if "show_if" in ui and name in order:
            found += _condition_problems(f"ui.fields.{name}.show_if", ui["show_if"], properties,
                                         set(order[:order.index(name)]))

    seen: set[str] = set()
    for index, document in enumerate(data.get("documents", ())):
        where = f"documents[{index}]"
        if document["code"] not in document_codes:
            found.append((f"{where}.code", f"unknown document type {document['code']!r}"))
        if document["code"] in seen:
            found.append((f"{where}.code", f"document {document['code']!r} is listed twice"))
        seen.add(document["code"])
        if "show_if" in document:
            found += _condition_problems(f"{where}.show_if", document["show_if"], properties, set(order))
    return [Problem(relative, where, reason) for where, reason in found]


# --- The whole directory --------------------------------------------------------------------


def read_form(path: Path, relative: str,
              document_codes: frozenset[str]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One definition, complete with defaults and Uzbek Cyrillic, or its problems.

    Read once per modification of the file: loading runs at every start and in many
    tests. The returned data is shared between callers and must not be modified.
    """
    stat = path.stat()
    data, problems = _read_once(path, relative, stat.st_mtime_ns, stat.st_size, document_codes)
    return data, list(problems)


@lru_cache(maxsize=1024)
def _read_once(path: Path, relative: str, mtime_ns: int, size: int,
               document_codes: frozenset[str]) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    data, problems = _read(path, relative, document_codes)
    return data, tuple(problems)


def _read(path: Path, relative: str,
          document_codes: frozenset[str]) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except UnicodeDecodeError:
        return None, [Problem(relative, "", "the file is not UTF-8 text")]
    except yaml.YAMLError as error:
        return None, [Problem(relative, "", f"not valid YAML: {error}")]
    if data is None:
        return None, [Problem(relative, "", "the file is empty")]
    data = _plain(data)
    problems = schema_problems(data, relative)
    if problems:
        return None, problems
    problems = cross_problems(data, relative, path.stem, document_codes)
    if problems:
        return None, problems
    for text in _texts(data):
        _fill_cyrillic(text)
    for document in data.get("documents", ()):
        for key, default in DOCUMENT_DEFAULTS.items():
            document.setdefault(key, list(default) if isinstance(default, list) else default)
    return data, []


def read_forms(root: Path, services: Path) -> FormsRead:
    """Parse and check every ``<name>.yaml`` in ``root``."""
    base = root.parent
    result = FormsRead()
    codes = document_types(services)
    for path in sorted(root.glob("*.yaml")):
        relative = path.relative_to(base).as_posix()
        data, problems = read_form(path, relative, codes)
        result.problems += problems
        if data is not None:
            result.definitions.append(Definition(relative, data))
    result.problems.sort()
    return result


class FormsInvalid(Exception):
    """Raised by a strict load: nothing was loaded because of these problems."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = tuple(str(p) for p in problems)
        super().__init__("\n".join(self.problems))

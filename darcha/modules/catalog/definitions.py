"""Reading service definitions from YAML: line-aware parsing, schema validation, cross-checks.

Nothing here touches the database: the result is plain data plus a list of problems, each
with the file, line, field and a reason a content writer can act on.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fnmatch import fnmatch
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
LANGUAGES = ("uz", "uz_cyrl", "ru", "en")
LEVELS = ("informational", "semi-automated", "automated", "interactive")
AUDIENCES = ("individual", "legal-entity", "foreigner")
CHANNELS = ("online", "service-centre", "mobile")

# Shared dictionaries: the kind stored in the database → the file names that define it.
DICTIONARIES = {
    "category": ("_categories.yaml",),
    "life-situation": ("_life_situations.yaml",),
    "document": ("_documents.yaml", "_documents_*.yaml"),
    "result": ("_results.yaml", "_results_*.yaml"),
}
# Categories and life situations have a title and a summary; documents and results are
# a bare name in four languages.
_TITLED = {"category", "life-situation"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, in the words ``darcha check`` prints."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass(frozen=True)
class Term:
    kind: str
    code: str
    title: dict[str, str]
    summary: dict[str, str]
    position: int


@dataclass(frozen=True)
class Definition:
    file: str
    data: dict[str, Any]

    @property
    def code(self) -> str:
        return self.data["code"]


@dataclass
class Catalog:
    """Everything read from a services directory; ``problems`` empty means it may all load."""

    definitions: list[Definition] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def invalid_files(self) -> set[str]:
        return {p.file for p in self.problems}


def services_dir() -> Path:
    return Path(getattr(settings, "CATALOG_SERVICES_DIR", settings.REPO_DIR / "services"))


def schema_path() -> Path:
    return Path(
        getattr(
            settings, "CATALOG_SCHEMA_PATH", settings.REPO_DIR / "schemas" / "service-definition.schema.json"
        )
    )


@cache
def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# --- YAML with line numbers ------------------------------------------------------------------


class _Located:
    """Parsed YAML value plus the line (1-based) of every field path in it."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.duplicates: list[tuple[Path_, int]] = []

    def line(self, path: Iterable[str | int]) -> int:
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


_SCALARS = yaml.SafeLoader("")
_STR = "tag:yaml.org,2002:str"


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == _STR:
        return node.value
    try:
        value = _SCALARS.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError):
        # e.g. an impossible date such as 2019-02-30: keep the text, the schema names it.
        return node.value
    if isinstance(value, datetime | date):
        # Dates are ISO strings in the stored definition, as in JSON.
        return value.isoformat()
    return value


def _build(node: yaml.Node, path: Path_, located: _Located) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            key = str(key)
            child = (*path, key)
            if key in result:
                located.duplicates.append((child, key_node.start_mark.line + 1))
                continue
            located.lines[child] = key_node.start_mark.line + 1
            result[key] = _build(value_node, child, located)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), located) for index, item in enumerate(node.value)]
    return _scalar(node)


def read_yaml(path: Path, relative: str) -> tuple[Any, _Located, list[Problem]]:
    located = _Located()
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except UnicodeDecodeError:
        return None, located, [Problem(relative, 1, "", "the file is not UTF-8 text")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, located, [Problem(relative, line, "", f"not valid YAML: {error.problem or error}")]
    if node is None:
        return None, located, [Problem(relative, 1, "", "the file is empty")]
    data = _build(node, (), located)
    problems = [
        Problem(relative, line, field_name(where), "this key appears twice; keep one")
        for where, line in located.duplicates
    ]
    return data, located, problems


def field_name(path: Iterable[str | int]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


# --- Schema errors in plain words -----------------------------------------------------------


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _missing(error) -> str:
    """The one property a ``required`` error is about (jsonschema names it only in the message)."""
    match = _REQUIRED.match(error.message)
    return match.group(1) if match else error.message


def _reason(error) -> str:
    validator, value, expected = error.validator, error.instance, error.validator_value
    if validator == "required":
        return f"required field '{_missing(error)}' is missing"
    if validator == "additionalProperties":
        return "unknown field; check the spelling against the schema"
    if validator == "enum":
        return f"{value!r} is not allowed; use one of: {', '.join(map(str, expected))}"
    if validator == "const":
        return f"must be {expected!r}"
    if validator == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        words = {
            "string": "text in quotes",
            "integer": "a whole number",
            "array": "a list",
            "object": "a mapping",
            "boolean": "true or false",
            "null": "null",
        }
        wanted = " or ".join(words.get(w, w) for w in wanted.split(" or "))
        return f"must be {wanted}, not {value!r}"
    if validator == "pattern":
        if expected == CODE_PATTERN.pattern:
            return _reason_code(value)
        if "0-9]{4}-" in expected:
            return f"{value!r} is not a date written as YYYY-MM-DD"
        if "\\." in expected:
            return f'{value!r} is not a decimal number written in quotes, e.g. "0.5"'
        return f"{value!r} must not be blank"
    if validator == "format":
        return f"{value!r} is not a real calendar date (YYYY-MM-DD)"
    if validator == "minLength":
        return "must not be empty"
    if validator == "maxLength":
        return f"is too long: at most {expected} characters"
    if validator == "minimum":
        return f"must be at least {expected}, not {value!r}"
    if validator == "maximum":
        return f"must be at most {expected}, not {value!r}"
    if validator == "minItems":
        return f"must list at least {expected} item" + ("s" if expected != 1 else "")
    if validator == "uniqueItems":
        return "lists the same item more than once"
    return error.message


def _leaf_errors(errors) -> Iterable:
    for error in errors:
        # if/then wrappers carry no message of their own: report what is inside.
        if error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def schema_problems(data: Any, located: _Located, relative: str) -> list[Problem]:
    problems = []
    errors = list(_leaf_errors(_validator(schema_path()).iter_errors(data)))
    # A value that is not even shaped like a date need not also be told it is no real date.
    misshapen = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "format" and path in misshapen:
            continue
        if error.validator == "required":
            path = (*path, _missing(error))
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            for extra in (k for k in error.instance if k not in allowed):
                problems.append(
                    Problem(
                        relative, located.line((*path, extra)), field_name((*path, extra)), _reason(error)
                    )
                )
            continue
        problems.append(Problem(relative, located.line(path), field_name(path), _reason(error)))
    return problems


# --- Shared dictionaries --------------------------------------------------------------------


def _dictionary_files(root: Path, patterns: Iterable[str]) -> list[Path]:
    found: dict[Path, None] = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            found[path] = None
    return list(found)


def _names(
    value: Any, path: Path_, located: _Located, relative: str, problems: list[Problem]
) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(
            Problem(relative, located.line(path), field_name(path), "must map uz, ru and en to text")
        )
        return {}
    for language in ("uz", "ru", "en"):
        if not isinstance(value.get(language), str) or not value[language].strip():
            problems.append(
                Problem(
                    relative,
                    located.line(path),
                    field_name((*path, language)),
                    f"required field '{language}' is missing",
                )
            )
    for language in value:
        if language not in LANGUAGES:
            problems.append(
                Problem(
                    relative,
                    located.line((*path, language)),
                    field_name((*path, language)),
                    f"unknown language; use {', '.join(LANGUAGES)}",
                )
            )
    return {k: v for k, v in value.items() if k in LANGUAGES and isinstance(v, str)}


def read_dictionaries(root: Path, base: Path) -> tuple[list[Term], list[Problem]]:
    terms: list[Term] = []
    problems: list[Problem] = []
    for kind, patterns in DICTIONARIES.items():
        defined_in: dict[str, str] = {}
        for path in _dictionary_files(root, patterns):
            relative = path.relative_to(base).as_posix()
            data, located, found = parsed(path, relative, definition=False)
            problems += found
            if data is None:
                continue
            if not isinstance(data, dict):
                problems.append(Problem(relative, 1, "", "must be a mapping of code → names"))
                continue
            for code, entry in data.items():
                line = located.line((code,))
                if not CODE_PATTERN.match(code):
                    problems.append(Problem(relative, line, code, _reason_code(code)))
                    continue
                if code in defined_in:
                    problems.append(
                        Problem(relative, line, code, f"'{code}' is already defined in {defined_in[code]}")
                    )
                    continue
                defined_in[code] = relative
                if kind in _TITLED:
                    if not isinstance(entry, dict):
                        problems.append(Problem(relative, line, code, "must have a title and a summary"))
                        continue
                    title = _names(entry.get("title"), (code, "title"), located, relative, problems)
                    summary = _names(entry.get("summary"), (code, "summary"), located, relative, problems)
                else:
                    title, summary = _names(entry, (code,), located, relative, problems), {}
                terms.append(Term(kind, code, title, summary, len(defined_in)))
    return terms, problems


def _reason_code(code: str) -> str:
    return f"{code!r} is not a valid code: use lowercase latin letters and digits in words joined by hyphens"


# --- The whole directory --------------------------------------------------------------------


def _cross_problems(
    data: dict[str, Any],
    located: _Located,
    relative: str,
    path: Path,
    codes: dict[str, set[str]],
    agency_exists: Callable[[str], bool],
) -> list[Problem]:
    problems = []

    def unknown(where: Path_, what: str, value: str) -> None:
        problems.append(
            Problem(relative, located.line(where), field_name(where), f"unknown {what} {value!r}")
        )

    code = data["code"]
    if code != path.stem:
        problems.append(
            Problem(
                relative,
                located.line(("code",)),
                "code",
                f"code {code!r} does not match the file name {path.name!r}",
            )
        )
    if path.parent.name != data["category"]:
        problems.append(
            Problem(
                relative,
                located.line(("category",)),
                "category",
                f"category {data['category']!r} does not match the folder {path.parent.name!r}",
            )
        )
    if not agency_exists(data["agency"]):
        unknown(("agency",), "agency", data["agency"])
    if data["category"] not in codes["category"]:
        unknown(("category",), "category", data["category"])
    for index, situation in enumerate(data["life_situations"]):
        if situation not in codes["life-situation"]:
            unknown(("life_situations", index), "life situation", situation)
    seen: set[str] = set()
    for index, document in enumerate(data["documents"]):
        if document["code"] not in codes["document"]:
            unknown(("documents", index, "code"), "document type", document["code"])
        if document["code"] in seen:
            problems.append(
                Problem(
                    relative,
                    located.line(("documents", index)),
                    field_name(("documents", index)),
                    f"document {document['code']!r} is listed twice",
                )
            )
        seen.add(document["code"])
    if data["result"] not in codes["result"]:
        unknown(("result",), "result type", data["result"])
    exempted: set[str] = set()
    for index, exemption in enumerate(data["fee"].get("exemptions", [])):
        if exemption["category"] in exempted:
            problems.append(
                Problem(
                    relative,
                    located.line(("fee", "exemptions", index)),
                    field_name(("fee", "exemptions", index)),
                    f"exemption for {exemption['category']!r} is given twice",
                )
            )
        exempted.add(exemption["category"])
    return problems


def parsed(path: Path, relative: str, *, definition: bool) -> tuple[Any, _Located, list[Problem]]:
    """A file read (and, for a definition, schema-checked) once per modification.

    Loading runs at every start and in many tests; the returned data is shared between
    callers and must not be modified.
    """
    stat = path.stat()
    data, located, problems = _parsed_once(path, relative, stat.st_mtime_ns, stat.st_size, definition)
    return data, located, list(problems)


@lru_cache(maxsize=20_000)
def _parsed_once(path: Path, relative: str, mtime_ns: int, size: int, definition: bool):
    data, located, problems = read_yaml(path, relative)
    if definition and data is not None:
        problems += schema_problems(data, located, relative)
    return data, located, tuple(problems)


def read_catalog(root: Path, agency_exists: Callable[[str], bool]) -> Catalog:
    """Parse and check every definition and dictionary under ``root``."""
    base = root.parent
    catalog = Catalog()
    catalog.terms, catalog.problems = read_dictionaries(root, base)
    codes: dict[str, set[str]] = {kind: set() for kind in DICTIONARIES}
    for term in catalog.terms:
        codes[term.kind].add(term.code)
    first_file: dict[str, str] = {}
    for path in sorted(root.glob("*/*.yaml")):
        relative = path.relative_to(base).as_posix()
        data, located, problems = parsed(path, relative, definition=True)
        if data is not None and not problems:
            problems += _cross_problems(data, located, relative, path, codes, agency_exists)
            if (code := data["code"]) in first_file:
                problems.append(
                    Problem(
                        relative,
                        located.line(("code",)),
                        "code",
                        f"code {code!r} is already used by {first_file[code]}",
                    )
                )
            else:
                first_file[code] = relative
        catalog.problems += problems
        if data is not None and not problems:
            catalog.definitions.append(Definition(relative, data))
    dictionary_names = [pattern for patterns in DICTIONARIES.values() for pattern in patterns]
    stray = [p for p in root.glob("*.yaml") if not any(fnmatch(p.name, n) for n in dictionary_names)]
    catalog.problems += [
        Problem(
            p.relative_to(base).as_posix(),
            1,
            "",
            "definitions belong in a category folder: services/<category>/",
        )
        for p in sorted(stray)
    ]
    catalog.problems.sort()
    return catalog


class DefinitionsInvalid(Exception):
    """Raised by a strict load: nothing was loaded because of these problems."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))

"""The frozen values the forms module hands to other modules."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings

# Portal language code (settings.LANGUAGES) → key of translatable content.
CONTENT_KEYS = {"uz": "uz", "uz-cyrl": "uz_cyrl", "uz_cyrl": "uz_cyrl", "ru": "ru", "en": "en"}


def content_key(language: str | None) -> str:
    return CONTENT_KEYS.get((language or "").lower(), "uz")


def portal_language(language: str | None) -> str:
    """The Django language code for ``language``, accepting content keys too."""
    key = content_key(language or settings.LANGUAGE_CODE)
    return "uz-cyrl" if key == "uz_cyrl" else key


def localized(names: dict[str, str] | None, language: str | None) -> str:
    """The text in the asked language; loading fills Uzbek Cyrillic, so Uzbek is only a fallback."""
    if not names:
        return ""
    return names.get(content_key(language)) or names.get("uz") or names.get("en") or ""


def json_text(value: Any) -> str:
    """A JSON value as the string an HTML control submits for it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def same_value(left: Any, right: Any) -> bool:
    """JSON equality: unlike Python's, true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


@dataclass(frozen=True)
class Condition:
    """``show_if``: the field (or document) applies only when ``field`` has one of ``values``."""

    field: str
    values: tuple[Any, ...]

    @classmethod
    def from_definition(cls, show_if: dict[str, Any] | None) -> "Condition | None":
        if not show_if:
            return None
        values = (show_if["equals"],) if "equals" in show_if else tuple(show_if["in"])
        return cls(show_if["field"], values)

    def holds(self, values: dict[str, Any]) -> bool:
        """Whether it holds for data in which every hidden field is already left out."""
        return self.field in values and any(same_value(values[self.field], wanted) for wanted in self.values)


@dataclass(frozen=True)
class Field:
    """One property of the form's schema with its presentation."""

    name: str
    section: int
    schema: dict[str, Any]
    ui: dict[str, Any]
    required: bool
    condition: Condition | None

    @property
    def type(self) -> str:
        return self.schema["type"]

    @property
    def format(self) -> str | None:
        return self.schema.get("format")

    @property
    def widget(self) -> str:
        if widget := self.ui.get("widget"):
            return widget
        if self.type == "boolean":
            return "checkbox"
        if "enum" in self.schema or self.format == "soato-district":
            return "select"
        if self.format == "date":
            return "date"
        if self.type in ("integer", "number"):
            return "number"
        return "text"

    @property
    def must_tick(self) -> bool:
        return self.type == "boolean" and self.schema.get("const") is True

    def label(self, language: str) -> str:
        return localized(self.ui["label"], language)

    def help(self, language: str) -> str:
        return localized(self.ui.get("help"), language)

    def option_label(self, value: Any, language: str) -> str:
        return localized(self.ui.get("options", {}).get(json_text(value)), language) or json_text(value)


@dataclass(frozen=True)
class DocumentSlot:
    """A file the applicant uploads: a document type code from the catalog's dictionaries."""

    code: str
    required: bool
    max_mb: int
    types: tuple[str, ...]
    condition: Condition | None

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024


@dataclass(frozen=True)
class Section:
    title: dict[str, str]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FormInfo:
    """A form as one version of its definition defined it."""

    name: str
    version: int
    content_hash: str
    definition: dict[str, Any]
    loaded_at: datetime
    is_current: bool

    @property
    def title(self) -> dict[str, str]:
        return self.definition["title"]

    def text(self, language: str) -> str:
        return localized(self.title, language)

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the data, as published."""
        return self.definition["schema"]

    @property
    def sample(self) -> dict[str, Any]:
        return self.definition["sample"]

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return tuple(Section(s["title"], tuple(s["fields"])) for s in self.definition["ui"]["sections"])

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        """Every field in the order it is shown."""
        required = set(self.schema.get("required", ()))
        ui = self.definition["ui"]["fields"]
        return tuple(
            Field(name, index, self.schema["properties"][name], ui[name], name in required,
                  Condition.from_definition(ui[name].get("show_if")))
            for index, section in enumerate(self.sections)
            for name in section.fields
        )

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @cached_property
    def documents(self) -> tuple[DocumentSlot, ...]:
        return tuple(
            DocumentSlot(d["code"], d["required"], d["max_mb"], tuple(d["types"]),
                         Condition.from_definition(d.get("show_if")))
            for d in self.definition.get("documents", ())
        )

    def shown(self, data: dict[str, Any]) -> tuple[Field, ...]:
        """The fields that apply to ``data``: conditions chain, so a field that depends on a
        hidden field is hidden too."""
        kept: dict[str, Any] = {}
        shown = []
        for field in self.fields:
            if field.condition is None or field.condition.holds(kept):
                shown.append(field)
                if field.name in data:
                    kept[field.name] = data[field.name]
        return tuple(shown)

    def visible(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` with only the fields that apply to it."""
        names = {field.name for field in self.shown(data)}
        return {name: value for name, value in data.items() if name in names}

    def documents_for(self, data: dict[str, Any]) -> tuple[DocumentSlot, ...]:
        """The uploads that apply to this (clean) data; hidden conditional ones are left out."""
        shown = self.visible(data)
        return tuple(d for d in self.documents if d.condition is None or d.condition.holds(shown))


@dataclass(frozen=True)
class Answer:
    """One answered field, as a person reads it (for review pages and the back office)."""

    name: str
    section: str
    label: str
    value: str


@dataclass(frozen=True)
class LoadReport:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    withdrawn: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

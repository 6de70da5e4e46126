"""The default texts of notification templates: YAML files, one per template, in templates_data/."""

from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from darcha.modules.notifications.models import Channel, Language

DATA_DIR = Path(__file__).resolve().parent / "templates_data"

# YAML field of each channel → TemplateText field. An in-app notification has a title
# and a body; an e-mail a subject, a plain text and an HTML body; an SMS a text.
CHANNEL_FIELDS: dict[str, dict[str, str]] = {
    Channel.SMS: {"text": "body"},
    Channel.EMAIL: {"subject": "subject", "text": "body", "html": "html"},
    Channel.IN_APP: {"title": "subject", "body": "body"},
}
# Uzbek Cyrillic may be left out: it is transliterated from Uzbek Latin.
REQUIRED_LANGUAGES = (Language.UZ, Language.RU, Language.EN)

_TEXTS = {
    "type": "object",
    "properties": {lang: {"type": "string", "minLength": 1} for lang in Language.values},
    "required": [language.value for language in REQUIRED_LANGUAGES],
    "additionalProperties": False,
}
SCHEMA = {
    "type": "object",
    "properties": {
        "key": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", "maxLength": 100},
        "description": {"type": "string", "maxLength": 300},
        "sample_context": {"type": "object"},
        "sms_max_segments": {"type": "integer", "minimum": 1, "maximum": 10},
        **{
            channel.value: {
                "type": "object",
                "properties": {name: _TEXTS for name in fields},
                "required": list(fields),
                "additionalProperties": False,
            }
            for channel, fields in CHANNEL_FIELDS.items()
        },
    },
    "required": ["key", "sample_context"],
    "additionalProperties": False,
}
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class TemplateFile:
    key: str
    description: str
    sample_context: dict
    sms_max_segments: int
    # (channel, language) → {TemplateText field: text}
    texts: dict[tuple[str, str], dict[str, str]]


class TemplateFileError(ValueError):
    pass


def read(path: Path) -> TemplateFile:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise TemplateFileError(f"{path.name}: {exc}") from exc
    if error := jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(data)):
        where = "/".join(str(part) for part in error.absolute_path) or "the file"
        raise TemplateFileError(f"{path.name}: {where}: {error.message}")
    if not any(channel in data for channel in CHANNEL_FIELDS):
        raise TemplateFileError(f"{path.name}: needs texts for at least one of {', '.join(CHANNEL_FIELDS)}")
    if path.stem != data["key"]:
        raise TemplateFileError(f"{path.name}: the file must be named after its key {data['key']}.yaml")
    texts: dict[tuple[str, str], dict[str, str]] = {}
    for channel, fields in CHANNEL_FIELDS.items():
        for name, field in fields.items():
            for language, text in data.get(channel, {}).get(name, {}).items():
                texts.setdefault((channel, language), {})[field] = text
    return TemplateFile(
        key=data["key"],
        description=data.get("description", ""),
        sample_context=data["sample_context"],
        sms_max_segments=data.get("sms_max_segments", 1),
        texts=texts,
    )


def paths() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))

import copy
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from darcha.modules.forms import api
from darcha.modules.reference import api as reference

REAL_FORMS = Path(settings.REPO_DIR) / "forms"

# Valid values for the Darcha formats (the PINFL is the example from the domain facts).
PINFL = "31505901234568"
CHILD_PINFL = "61403220261171"
STIR = "207123456"
CHILONZOR = "1726294"


def _text(uz: str, ru: str, en: str) -> dict[str, str]:
    return {"uz": uz, "ru": ru, "en": en}


# A small form with every kind of field, condition and keyword the engine supports.
TEST_FORM = {
    "name": "test-application",
    "title": _text("Sinov arizasi", "Тестовое заявление", "Test application"),
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": ["full_name", "children", "language", "start_date", "pinfl", "phone", "district",
                     "category", "details", "consent"],
        "properties": {
            "full_name": {"type": "string", "minLength": 3, "maxLength": 20},
            "series": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{7}$", "maxLength": 9},
            "children": {"type": "integer", "minimum": 1, "maximum": 10},
            "area": {"type": "number", "minimum": 0.5, "maximum": 500},
            "language": {"type": "string", "enum": ["uz", "ru", "en"]},
            "start_date": {"type": "string", "format": "date", "formatMinimum": "2024-01-01",
                           "formatMaximum": "2099-12-31"},
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "pinfl": {"type": "string", "format": "pinfl"},
            "stir": {"type": "string", "format": "stir"},
            "phone": {"type": "string", "format": "uz-phone"},
            "district": {"type": "string", "format": "soato-district"},
            "kindergarten": {"type": "string", "format": "kindergarten"},
            "preferential": {"type": "boolean"},
            "category": {"type": "string", "enum": ["disability", "low-income", "single-parent"]},
            "details": {"type": "string", "maxLength": 200},
            "note": {"type": "string", "maxLength": 500},
            "consent": {"type": "boolean", "const": True},
        },
    },
    "ui": {
        "sections": [
            {"title": _text("Ariza beruvchi", "Заявитель", "Applicant"),
             "fields": ["full_name", "series", "children", "area", "language", "start_date", "email"]},
            {"title": _text("Raqamlar", "Номера", "Numbers"),
             "fields": ["pinfl", "stir", "phone", "district", "kindergarten"]},
            {"title": _text("Imtiyoz", "Льгота", "Preference"),
             "fields": ["preferential", "category", "details", "note", "consent"]},
        ],
        "fields": {
            "full_name": {"label": _text("To‘liq ism", "Полное имя", "Full name"),
                          "help": _text("Pasportdagidek", "Как в паспорте", "As in the passport")},
            "series": {"label": _text("Seriya", "Серия", "Series"),
                       "pattern_error": _text("Masalan AA1234567", "Например AA1234567",
                                              "For example AA1234567")},
            "children": {"label": _text("Bolalar soni", "Число детей", "Number of children")},
            "area": {"label": _text("Maydon", "Площадь", "Area")},
            "language": {"label": _text("Til", "Язык", "Language"), "widget": "radio",
                         "options": {"uz": _text("O‘zbek", "Узбекский", "Uzbek"),
                                     "ru": _text("Rus", "Русский", "Russian"),
                                     "en": _text("Ingliz", "Английский", "English")}},
            "start_date": {"label": _text("Boshlanish sanasi", "Дата начала", "Start date")},
            "email": {"label": _text("Pochta", "Почта", "E-mail")},
            "pinfl": {"label": _text("JShShIR", "ПИНФЛ", "PINFL")},
            "stir": {"label": _text("STIR", "ИНН", "STIR")},
            "phone": {"label": _text("Telefon", "Телефон", "Phone")},
            "district": {"label": _text("Tuman", "Район", "District")},
            "kindergarten": {"label": _text("Bog‘cha", "Детский сад", "Kindergarten")},
            "preferential": {"label": _text("Imtiyozim bor", "Есть льгота", "I have a preference")},
            "category": {"label": _text("Imtiyoz turi", "Вид льготы", "Kind of preference"),
                         "show_if": {"field": "preferential", "equals": True},
                         "options": {"disability": _text("Nogironlik", "Инвалидность", "Disability"),
                                     "low-income": _text("Kam ta’minlangan", "Малообеспеченные",
                                                         "Low income"),
                                     "single-parent": _text("Yolg‘iz ota-ona", "Одинокий родитель",
                                                            "Single parent")}},
            "details": {"label": _text("Tafsilotlar", "Подробности", "Details"),
                        "show_if": {"field": "category", "in": ["disability", "low-income"]}},
            "note": {"label": _text("Izoh", "Примечание", "Note"), "widget": "textarea"},
            "consent": {"label": _text("Roziman", "Согласен", "I agree")},
        },
    },
    "documents": [
        {"code": "birth-certificate", "required": True},
        {"code": "disability-certificate", "required": True, "max_mb": 5, "types": ["pdf"],
         "show_if": {"field": "category", "equals": "disability"}},
    ],
    "sample": {
        "full_name": "Ali Valiyev", "children": 2, "language": "uz", "start_date": "2030-09-01",
        "pinfl": PINFL, "phone": "+998901234567", "district": CHILONZOR, "preferential": False,
        "consent": True,
    },
}

# What a browser posts for TEST_FORM's sample (checkboxes send "true" only when ticked).
POSTED = {
    "full_name": "Ali Valiyev", "children": "2", "language": "uz", "start_date": "01.09.2030", "pinfl": PINFL,
    "phone": "90 123 45 67", "district": CHILONZOR, "consent": "true",
}


def definition(**changes) -> dict:
    """The test form with ``changes`` applied at top level (``None`` removes a key)."""
    data = copy.deepcopy(TEST_FORM)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write(root: Path, data: dict, name: str | None = None) -> Path:
    path = root / f"{name or data.get('name', 'test-application')}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def forms_root(tmp_path) -> Path:
    root = tmp_path / "forms"
    root.mkdir()
    return root


@pytest.fixture
def areas(db):
    reference.load_reference_data()


@pytest.fixture
def form(forms_root, areas) -> api.FormInfo:
    write(forms_root, definition())
    api.load_forms(forms_root)
    return api.form("test-application")

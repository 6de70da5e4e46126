"""Form definitions: the published schema, the cross-checks and what loading fills in."""

import copy

import pytest

from darcha.modules.forms import api
from darcha.modules.forms.definitions import document_types, read_form, services_dir
from darcha.modules.forms.tests.conftest import definition, write

CODES = document_types(services_dir())


def problems_of(root, data, name=None) -> list[str]:
    path = write(root, data, name)
    result, problems = read_form(path, f"forms/{path.name}", CODES)
    assert (result is None) == bool(problems)
    return [f"{p.field}: {p.reason}" for p in problems]


def changed(path: str, value) -> dict:
    """The test form with the value at a dotted path replaced (``None`` removes it)."""
    data = definition()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is None:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


def test_the_test_form_is_valid_and_gets_cyrillic_and_document_defaults(forms_root):
    path = write(forms_root, definition())
    data, problems = read_form(path, "forms/test-application.yaml", CODES)
    assert problems == []
    assert data["title"]["uz_cyrl"] == "Синов аризаси"
    assert data["ui"]["fields"]["full_name"]["label"]["uz_cyrl"] == "Тўлиқ исм"
    assert data["ui"]["fields"]["category"]["options"]["low-income"]["uz_cyrl"] == "Кам таъминланган"
    assert data["documents"][0] == {"code": "birth-certificate", "required": True, "max_mb": 10,
                                    "types": ["pdf", "jpeg", "png"]}
    assert data["documents"][1]["max_mb"] == 5 and data["documents"][1]["types"] == ["pdf"]


def test_a_given_uzbek_cyrillic_text_is_kept(forms_root):
    data = definition(title={"uz": "Sinov", "uz_cyrl": "Синов (қўлда)", "ru": "Тест", "en": "Test"})
    path = write(forms_root, data)
    loaded, _problems = read_form(path, "forms/test-application.yaml", CODES)
    assert loaded["title"]["uz_cyrl"] == "Синов (қўлда)"


SCHEMA_CASES = [
    ("name", None, "name: required field 'name' is missing"),
    ("sample", None, "sample: required field 'sample' is missing"),
    ("name", "Test_Application", "name: 'Test_Application' is not a valid name"),
    ("colour", "blue", "colour: unknown field"),
    ("title.ru", None, "title.ru: required field 'ru' is missing"),
    ("title.en", "   ", "title.en: must not be blank"),
    ("title.kk", "Sinaq", "title.kk: unknown field"),
    ("schema.type", "array", "schema.type: must be \"object\""),
    ("schema.additionalProperties", True, "schema.additionalProperties: must be false"),
    ("schema.properties.children.type", "array",
     "schema.properties.children.type: 'array' is not allowed; use one of: string, integer, number, boolean"),
    ("schema.properties.pinfl.format", "passport",
     "schema.properties.pinfl.format: 'passport' is not allowed; use one of: date, email, pinfl"),
    ("schema.properties.children.multipleOf", 2, "schema.properties.children.multipleOf: unknown field"),
    ("schema.properties.full_name.maxLength", "20",
     "schema.properties.full_name.maxLength: must be a whole number"),
    ("schema.properties.start_date.formatMinimum", "yesterday",
     "schema.properties.start_date.formatMinimum: 'yesterday' does not match the pattern"),
    ("ui.sections", [], "ui.sections: must not be empty"),
    ("ui.sections.0.fields", ["full_name", "full_name"],
     "ui.sections[0].fields: lists the same item more than once"),
    ("ui.fields.full_name.label", None, "ui.fields.full_name.label: required field 'label' is missing"),
    ("ui.fields.full_name.widget", "slider", "ui.fields.full_name.widget: 'slider' is not allowed"),
    ("ui.fields.category.show_if", {"field": "preferential", "equals": True, "in": [True]},
     "ui.fields.category.show_if: give exactly one of 'equals' or 'in'"),
    ("ui.fields.category.show_if", {"field": "preferential"},
     "ui.fields.category.show_if: give exactly one of 'equals' or 'in'"),
    ("documents.0.types", ["pdf", "gif"],
     "documents[0].types[1]: 'gif' is not allowed; use one of: pdf, jpeg, png"),
    ("documents.0.max_mb", 0, "documents[0].max_mb: must be at least 1, not 0"),
    ("documents.0.required", None, "documents[0].required: required field 'required' is missing"),
    ("sample", [], "sample: must be a mapping, not []"),
]


@pytest.mark.parametrize(("path", "value", "expected"), SCHEMA_CASES)
def test_each_schema_error_names_the_field_and_the_reason(forms_root, path, value, expected):
    found = problems_of(forms_root, changed(path, value))
    assert any(p.startswith(expected) for p in found), found


def test_a_bad_field_name_is_explained(forms_root):
    data = definition()
    data["schema"]["properties"]["Full-Name"] = {"type": "string", "maxLength": 5}
    found = problems_of(forms_root, data)
    assert any("'Full-Name' is not a valid field name" in p for p in found), found


CROSS_CASES = [
    ("name", "other-form", "name: name 'other-form' does not match the file name 'test-application.yaml'"),
    ("ui.sections.0.fields",
     ["full_name", "ghost", "series", "children", "area", "language", "start_date", "email"],
     "ui.sections[0].fields[1]: 'ghost' is not a property in schema.properties"),
    ("ui.sections.0.fields", ["series", "children", "area", "language", "start_date", "email"],
     "schema.properties.full_name: is not placed in any section of ui.sections"),
    ("ui.sections.1.fields", ["pinfl", "stir", "phone", "district", "kindergarten", "full_name"],
     "ui.sections[1].fields[5]: 'full_name' is placed in more than one section"),
    ("ui.fields.ghost", {"label": {"uz": "a", "ru": "b", "en": "c"}},
     "ui.fields.ghost: is not a property in schema.properties"),
    ("ui.fields.full_name", None, "ui.fields.full_name: is missing: every field needs a label"),
    ("schema.required", ["full_name", "ghost"], "schema.required[1]: 'ghost' is not a property"),
    ("schema.properties.full_name.minimum", 3,
     "schema.properties.full_name.minimum: does not apply to a field of type string"),
    ("schema.properties.consent.maxLength", 3,
     "schema.properties.consent.maxLength: does not apply to a field of type boolean"),
    ("schema.properties.language.enum", ["uz", 7],
     "schema.properties.language.enum[1]: 7 is not of type string"),
    ("schema.properties.consent.const", "yes",
     "schema.properties.consent.const: 'yes' is not of type boolean"),
    ("schema.properties.full_name.minLength", 30,
     "schema.properties.full_name.minLength: is greater than maxLength"),
    ("schema.properties.children.minimum", 11, "schema.properties.children.minimum: is greater than maximum"),
    ("schema.properties.series.pattern", "^[A-Z",
     "schema.properties.series.pattern: is not a valid regular expression"),
    ("schema.properties.email.formatMinimum", "today",
     "schema.properties.email.formatMinimum: applies only with format: date"),
    ("schema.properties.full_name.maxLength", None,
     "schema.properties.full_name: free text needs a maxLength"),
    ("ui.fields.full_name.pattern_error", {"uz": "a", "ru": "b", "en": "c"},
     "ui.fields.full_name.pattern_error: the field has no pattern"),
    ("ui.fields.full_name.widget", "checkbox",
     "ui.fields.full_name.widget: checkbox is for a yes/no (boolean) field"),
    ("ui.fields.children.widget", "date",
     "ui.fields.children.widget: date is for a field with the date format"),
    ("ui.fields.language.options.en", None, "ui.fields.language.options: the value 'en' has no label"),
    ("ui.fields.language.options.kk", {"uz": "a", "ru": "b", "en": "c"},
     "ui.fields.language.options.kk: is not a value in the enum"),
    ("ui.fields.full_name.options", {"a": {"uz": "a", "ru": "b", "en": "c"}},
     "ui.fields.full_name.options: the field has no enum"),
    ("ui.fields.category.show_if", {"field": "ghost", "equals": True},
     "ui.fields.category.show_if.field: refers to 'ghost', which is not a field of this form"),
    ("ui.fields.category.show_if", {"field": "note", "equals": "x"},
     "ui.fields.category.show_if.field: refers to 'note', which must be placed before this field"),
    ("ui.fields.category.show_if", {"field": "category", "equals": "x"},
     "ui.fields.category.show_if.field: refers to 'category', which must be placed before this field"),
    ("ui.fields.category.show_if", {"field": "preferential", "equals": "yes"},
     "ui.fields.category.show_if: 'yes' is not a value 'preferential' can have"),
    ("ui.fields.details.show_if", {"field": "category", "in": ["disability", "rich"]},
     "ui.fields.details.show_if: 'rich' is not a value 'category' can have"),
    ("documents.0.code", "spaceship-licence", "documents[0].code: unknown document type 'spaceship-licence'"),
    ("documents.1.code", "birth-certificate",
     "documents[1].code: document 'birth-certificate' is listed twice"),
    ("documents.1.show_if", {"field": "ghost", "equals": 1},
     "documents[1].show_if.field: refers to 'ghost', which is not a field of this form"),
]


@pytest.mark.parametrize(("path", "value", "expected"), CROSS_CASES)
def test_each_cross_check_names_the_field_and_the_reason(forms_root, path, value, expected):
    found = problems_of(forms_root, changed(path, value), name="test-application")
    assert expected in found or any(p.startswith(expected) for p in found), found


def test_unreadable_files_are_reported(forms_root):
    (forms_root / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (forms_root / "empty.yaml").write_text("", encoding="utf-8")
    (forms_root / "latin1.yaml").write_bytes("name: o\xe7\n".encode("latin-1"))
    problems = api.check_forms(forms_root)
    assert problems[0] == "forms/broken.yaml: not valid YAML: " + problems[0].split("not valid YAML: ")[1]
    assert "forms/empty.yaml: the file is empty" in problems
    assert "forms/latin1.yaml: the file is not UTF-8 text" in problems


@pytest.mark.django_db
def test_check_forms_validates_each_sample_against_its_form(forms_root, areas):
    write(forms_root, definition())
    assert api.check_forms(forms_root) == []
    sample = copy.deepcopy(definition()["sample"])
    sample.update(children=11, phone="12345", colour="blue")
    del sample["full_name"]
    write(forms_root, definition(sample=sample))
    assert api.check_forms(forms_root) == [
        "forms/test-application.yaml: sample.children: Enter a number that is 10 or less.",
        "forms/test-application.yaml: sample.colour: This field is not part of the form.",
        "forms/test-application.yaml: sample.full_name: This field is required.",
        "forms/test-application.yaml: sample.phone: Enter a phone number with 9 digits after +998, "
        "for example +998 90 123-45-67.",
    ]

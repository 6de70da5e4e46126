"""The definition schema and cross-checks: every problem names file, line, field and reason."""

import json

import pytest
from django.conf import settings

from darcha.modules.catalog.definitions import Problem, read_catalog
from darcha.modules.catalog.tests.conftest import definition, write

SCHEMA = json.loads((settings.REPO_DIR / "schemas" / "service-definition.schema.json").read_text())
AGENCIES = {"maktabgacha", "adliya"}


def check(root):
    return read_catalog(root, agency_exists=AGENCIES.__contains__).problems


def line_of(path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if text.lstrip().startswith(prefix))


def only(problems) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_example_definition_and_the_dictionaries_are_valid(services_root):
    write(services_root, definition())
    catalog = read_catalog(services_root, agency_exists=AGENCIES.__contains__)
    assert catalog.problems == []
    assert [d.code for d in catalog.definitions] == ["kindergarten-placement"]
    kinds = {t.kind for t in catalog.terms}
    assert kinds == {"category", "life-situation", "document", "result"}
    assert sum(t.kind == "document" for t in catalog.terms) >= 80
    assert sum(t.kind == "result" for t in catalog.terms) >= 30


def test_the_real_definitions_directory_has_no_problems(db):
    from darcha.modules.catalog import api

    problems = api.check_definitions()
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("field", SCHEMA["required"])
def test_each_missing_required_field_is_reported(services_root, field):
    path = write(services_root, definition(**{field: None}))
    problem = only(check(services_root))
    assert problem == Problem(
        "services/education/kindergarten-placement.yaml", 1, field, f"required field '{field}' is missing"
    )
    assert path.exists()


def test_a_missing_translation_points_at_its_parent_line(services_root):
    data = definition()
    del data["title"]["en"]
    path = write(services_root, data)
    assert only(check(services_root)) == Problem(
        "services/education/kindergarten-placement.yaml",
        line_of(path, "title:"),
        "title.en",
        "required field 'en' is missing",
    )


def test_a_wrong_enum_value_lists_the_allowed_values(services_root):
    path = write(services_root, definition(level="online"))
    problem = only(check(services_root))
    assert (problem.line, problem.field) == (line_of(path, "level:"), "level")
    assert problem.reason == (
        "'online' is not allowed; use one of: informational, semi-automated, automated, interactive"
    )


def test_a_wrong_audience_is_reported_with_its_index(services_root):
    path = write(services_root, definition(audience=["individual", "citizen"]))
    problem = only(check(services_root))
    assert problem.field == "audience[1]"
    assert problem.line == line_of(path, "- citizen")
    assert "'citizen' is not allowed" in problem.reason


@pytest.mark.parametrize(
    "code", ["Kindergarten", "kinder_garten", "kinder--garten", "-kinder", "9lives", "bog‘cha"]
)
def test_a_code_not_in_lowercase_hyphenated_form_is_refused(services_root, code):
    write(services_root, definition(code=code), name="bad")
    problem = only(check(services_root))
    assert (problem.file, problem.line, problem.field) == ("services/education/bad.yaml", 1, "code")
    assert problem.reason.startswith(f"{code!r} is not a valid code")


def test_a_code_longer_than_60_characters_is_refused(services_root):
    code = "a" * 61
    write(services_root, definition(code=code))
    assert only(check(services_root)).reason == "is too long: at most 60 characters"


FEE_CASES = [
    ({"kind": "paid"}, "fee.kind", "'paid' is not allowed; use one of: free, fixed, bhm"),
    ({"kind": "fixed"}, "fee.amount_tiyin", "required field 'amount_tiyin' is missing"),
    ({"kind": "fixed", "amount_tiyin": 0}, "fee.amount_tiyin", "must be at least 1, not 0"),
    ({"kind": "fixed", "amount_tiyin": "20000"}, "fee.amount_tiyin", "must be a whole number, not '20000'"),
    (
        {"kind": "fixed", "amount_tiyin": 100, "multiple": "1"},
        "fee.multiple",
        "unknown field; check the spelling against the schema",
    ),
    (
        {"kind": "free", "amount_tiyin": 100},
        "fee.amount_tiyin",
        "unknown field; check the spelling against the schema",
    ),
    ({"kind": "bhm"}, "fee.multiple", "required field 'multiple' is missing"),
    ({"kind": "bhm", "multiple": 0.5}, "fee.multiple", "must be text in quotes, not 0.5"),
    (
        {"kind": "bhm", "multiple": "half"},
        "fee.multiple",
        "'half' is not a decimal number written in quotes, e.g. \"0.5\"",
    ),
    (
        {"kind": "bhm", "multiple": "1", "exemptions": [{"category": "veteran", "multiple": "0"}]},
        "fee.exemptions[0].category",
        "'veteran' is not allowed; use one of: disabled-person, low-income-family, pensioner, war-veteran, "
        "student, large-family, orphan",
    ),
    (
        {"kind": "bhm", "multiple": "1", "exemptions": [{"category": "pensioner"}]},
        "fee.exemptions[0].multiple",
        "required field 'multiple' is missing",
    ),
    ({}, "fee.kind", "required field 'kind' is missing"),
]


@pytest.mark.parametrize(("fee", "field", "reason"), FEE_CASES)
def test_bad_fees_are_explained(services_root, fee, field, reason):
    path = write(services_root, definition(fee=fee))
    problem = only(check(services_root))
    assert (problem.field, problem.reason) == (field, reason)
    assert line_of(path, "fee:") <= problem.line <= line_of(path, "term_days:")


def test_an_exemption_given_twice_is_refused(services_root):
    fee = {
        "kind": "bhm",
        "multiple": "1",
        "exemptions": [
            {"category": "pensioner", "multiple": "0"},
            {"category": "pensioner", "multiple": "0.5"},
        ],
    }
    write(services_root, definition(fee=fee))
    problem = only(check(services_root))
    assert (problem.field, problem.reason) == (
        "fee.exemptions[1]",
        "exemption for 'pensioner' is given twice",
    )


def test_dates_and_numbers_of_legal_acts_are_checked(services_root):
    acts = [
        {"type": "law", "number": 595, "date": "2019-02-30"},
        {"type": "decree", "number": "1", "date": "2019"},
    ]
    path = write(services_root, definition(legal_basis=acts))
    problems = check(services_root)
    assert {(p.field, p.reason) for p in problems} == {
        ("legal_basis[0].number", "must be text in quotes, not 595"),
        ("legal_basis[0].date", "'2019-02-30' is not a real calendar date (YYYY-MM-DD)"),
        (
            "legal_basis[1].type",
            "'decree' is not allowed; use one of: law, presidential-decree, "
            "presidential-resolution, cabinet-resolution, ministerial-order, code",
        ),
        ("legal_basis[1].date", "'2019' is not a date written as YYYY-MM-DD"),
    }
    assert {p.line for p in problems if p.field.startswith("legal_basis[0]")} == {
        line_of(path, "number: 595"),
        line_of(path, "date: '2019-02-30'"),
    }


def test_popularity_and_term_are_bounded(services_root):
    write(services_root, definition(popularity=101, term_days=-1))
    assert {(p.field, p.reason) for p in check(services_root)} == {
        ("popularity", "must be at most 100, not 101"),
        ("term_days", "must be at least 0, not -1"),
    }


def test_empty_lists_and_repeated_items(services_root):
    write(services_root, definition(channels=[], legal_basis=[], audience=["individual", "individual"]))
    assert {(p.field, p.reason) for p in check(services_root)} == {
        ("channels", "must list at least 1 item"),
        ("legal_basis", "must list at least 1 item"),
        ("audience", "lists the same item more than once"),
    }


def test_an_unknown_field_is_named_with_its_line(services_root):
    path = write(services_root, definition(titel={"uz": "x"}))
    problem = only(check(services_root))
    assert (problem.line, problem.field) == (line_of(path, "titel:"), "titel")
    assert problem.reason == "unknown field; check the spelling against the schema"


def test_a_blank_title_is_refused(services_root):
    data = definition()
    data["title"]["ru"] = "  "
    write(services_root, data)
    assert (only(check(services_root)).field, only(check(services_root)).reason) == (
        "title.ru",
        "'  ' must not be blank",
    )


def test_refs_must_keep_their_keys(services_root):
    write(services_root, definition(refs={"form": None}))
    assert {p.field for p in check(services_root)} == {
        "refs.workflow",
        "refs.prefill",
        "refs.result_template",
    }


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"agency": "maktab"}, "agency", "unknown agency 'maktab'"),
        ({"category": "schools"}, "category", "unknown category 'schools'"),
        (
            {"life_situations": ["child-born", "graduation"]},
            "life_situations[1]",
            "unknown life situation 'graduation'",
        ),
        (
            {"documents": [{"code": "passport", "required": True}, {"code": "selfie", "required": True}]},
            "documents[1].code",
            "unknown document type 'selfie'",
        ),
        ({"result": "voucher"}, "result", "unknown result type 'voucher'"),
        (
            {"documents": [{"code": "passport", "required": True}, {"code": "passport", "required": False}]},
            "documents[1]",
            "document 'passport' is listed twice",
        ),
    ],
)
def test_codes_are_checked_against_reference_data_and_dictionaries(services_root, changes, field, reason):
    folder = "education" if "category" not in changes else "schools"
    path = write(services_root, definition(**changes), folder=folder)
    problem = only(check(services_root))
    assert (problem.field, problem.reason) == (field, reason)
    key = field.split(".")[0].split("[")[0]
    assert problem.line >= line_of(path, f"{key}:")


def test_the_code_must_match_the_file_name(services_root):
    path = write(services_root, definition(), name="kindergarten")
    assert only(check(services_root)) == Problem(
        "services/education/kindergarten.yaml",
        line_of(path, "code:"),
        "code",
        "code 'kindergarten-placement' does not match the file name 'kindergarten.yaml'",
    )


def test_the_category_must_match_the_folder(services_root):
    path = write(services_root, definition(), folder="health")
    assert only(check(services_root)) == Problem(
        "services/health/kindergarten-placement.yaml",
        line_of(path, "category:"),
        "category",
        "category 'education' does not match the folder 'health'",
    )


def test_a_code_used_twice_is_refused_in_the_second_file(services_root):
    write(services_root, definition())
    write(services_root, definition(category="health"))
    assert only(check(services_root)) == Problem(
        "services/health/kindergarten-placement.yaml",
        1,
        "code",
        "code 'kindergarten-placement' is already used by services/education/kindergarten-placement.yaml",
    )


def test_broken_yaml_is_reported_at_its_line(services_root):
    (services_root / "education").mkdir()
    (services_root / "education" / "broken.yaml").write_text("code: broken\ntitle: [unclosed\nlevel: x\n")
    problem = only(check(services_root))
    assert problem.file == "services/education/broken.yaml"
    assert problem.line == 3
    assert problem.reason.startswith("not valid YAML")


def test_a_key_written_twice_is_reported(services_root):
    path = write(services_root, definition())
    text = path.read_text(encoding="utf-8") + "popularity: 50\n"
    path.write_text(text, encoding="utf-8")
    assert only(check(services_root)) == Problem(
        "services/education/kindergarten-placement.yaml",
        len(text.splitlines()),
        "popularity",
        "this key appears twice; keep one",
    )


def test_empty_and_non_mapping_files(services_root):
    (services_root / "education").mkdir()
    (services_root / "education" / "empty.yaml").write_text("")
    (services_root / "education" / "list.yaml").write_text("- code: list\n")
    assert {(p.file, p.reason) for p in check(services_root)} == {
        ("services/education/empty.yaml", "the file is empty"),
        ("services/education/list.yaml", "must be a mapping, not [{'code': 'list'}]"),
    }


def test_a_definition_outside_a_category_folder_is_reported(services_root):
    (services_root / "loose.yaml").write_text("code: loose\n")
    assert (
        only(check(services_root)).reason == "definitions belong in a category folder: services/<category>/"
    )


def test_a_dictionary_code_defined_in_two_files_is_refused(services_root):
    extra = services_root / "_documents_health.yaml"
    extra.write_text(
        'x-ray: {uz: "Rentgen", ru: "Рентген", en: "X-ray"}\npassport: {uz: "P", ru: "P", en: "P"}\n'
    )
    assert only(check(services_root)) == Problem(
        "services/_documents_health.yaml",
        2,
        "passport",
        "'passport' is already defined in services/_documents.yaml",
    )


def test_extra_dictionary_files_are_merged(services_root):
    (services_root / "_results_health.yaml").write_text(
        'x-ray-image: {uz: "Rentgen", ru: "Снимок", en: "X-ray"}\n'
    )
    write(services_root, definition(result="x-ray-image"))
    catalog = read_catalog(services_root, agency_exists=AGENCIES.__contains__)
    assert catalog.problems == []
    assert any(t.code == "x-ray-image" and t.kind == "result" for t in catalog.terms)


def test_a_dictionary_entry_needs_three_languages(services_root):
    (services_root / "_documents_x.yaml").write_text('scan: {uz: "Skan", en: "Scan", de: "Scan"}\n')
    assert {(p.field, p.reason) for p in check(services_root)} == {
        ("scan.ru", "required field 'ru' is missing"),
        ("scan.de", "unknown language; use uz, uz_cyrl, ru, en"),
    }


def test_problems_print_as_file_line_field_reason():
    problem = Problem("services/a/b.yaml", 7, "fee.kind", "'x' is not allowed")
    assert str(problem) == "services/a/b.yaml:7: fee.kind: 'x' is not allowed"

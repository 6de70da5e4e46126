"""Server-side validation of posted forms and of JSON, with messages in the user's language."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation

from darcha.modules.forms import api
from darcha.modules.forms.tests.conftest import CHILONZOR, PINFL, POSTED, definition, write
from darcha.modules.identity import api as identity

pytestmark = pytest.mark.django_db


def posted(**changes) -> dict:
    """The posted sample with ``changes`` (``None`` leaves a field out)."""
    raw = {**POSTED, **changes}
    return {name: value for name, value in raw.items() if value is not None}


def errors_for(form, language="en", /, **changes) -> dict[str, list[str]]:
    return api.validate(form, posted(**changes), language=language)[1]


def test_the_posted_sample_is_clean_and_typed(form):
    clean, errors = api.validate(form, posted(), language="en")
    assert errors == {}
    assert clean == {
        "full_name": "Ali Valiyev", "children": 2, "language": "uz", "start_date": "2030-09-01",
        "pinfl": PINFL,
        "phone": "+998901234567", "district": CHILONZOR, "preferential": False, "consent": True,
    }
    assert api.validate_json(form, clean, language="en") == {}


MESSAGES = [
    # (changes, field, English, Russian)
    ({"full_name": "  "}, "full_name", "This field is required.", "Обязательное поле."),
    ({"full_name": "Al"}, "full_name", "Enter at least 3 characters.", "Введите не менее 3 символов."),
    ({"full_name": "A" * 21}, "full_name", "Enter at most 20 characters.", "Введите не более 20 символов."),
    ({"series": "12"}, "series", "For example AA1234567", "Например AA1234567"),
    ({"children": "two"}, "children", "Enter a whole number.", "Введите целое число."),
    ({"children": "2.5"}, "children", "Enter a whole number.", "Введите целое число."),
    ({"children": "0"}, "children", "Enter a number that is 1 or more.", "Введите число не меньше 1."),
    ({"children": "11"}, "children", "Enter a number that is 10 or less.", "Введите число не больше 10."),
    ({"area": "a lot"}, "area", "Enter a number.", "Введите число."),
    ({"area": "0,2"}, "area", "Enter a number that is 0.5 or more.", "Введите число не меньше 0.5."),
    ({"area": "500.5"}, "area", "Enter a number that is 500 or less.", "Введите число не больше 500."),
    ({"language": "fr"}, "language", "Choose one of the options.", "Выберите один из вариантов."),
    ({"start_date": "2030/13/01"}, "start_date", "Enter a date in the form DD.MM.YYYY.",
     "Введите дату в формате ДД.ММ.ГГГГ."),
    ({"start_date": "31.02.2030"}, "start_date", "Enter a date in the form DD.MM.YYYY.",
     "Введите дату в формате ДД.ММ.ГГГГ."),
    ({"start_date": "31.12.2023"}, "start_date", "Enter a date on or after 01.01.2024.",
     "Введите дату не ранее 01.01.2024."),
    ({"start_date": "2100-01-01"}, "start_date", "Enter a date on or before 31.12.2099.",
     "Введите дату не позднее 31.12.2099."),
    ({"email": "ali@"}, "email", "Enter an e-mail address in the form name@example.uz.",
     "Введите адрес электронной почты в виде name@example.uz."),
    ({"district": "1726999"}, "district", "Choose a district from the list.", "Выберите район из списка."),
    ({"district": None}, "district", "This field is required.", "Обязательное поле."),
    ({"kindergarten": "12-3"}, "kindergarten",
     "Enter the kindergarten code: the 7-digit code of its district, a hyphen and its number, for example "
     "1726294-12.",
     "Введите код детского сада: 7-значный код его района, дефис и номер сада, например 1726294-12."),
    ({"kindergarten": "1726999-12"}, "kindergarten", "There is no district with the code 1726999.",
     "Нет района с кодом 1726999."),
    ({"preferential": "maybe"}, "preferential", "Choose yes or no.", "Выберите «да» или «нет»."),
    ({"consent": None}, "consent", "Tick this box to continue.", "Поставьте отметку, чтобы продолжить."),
    ({"full_name": "Ali\x00Vali"}, "full_name",
     "Remove the special characters from this text and type it again.",
     "Уберите из текста специальные символы и введите его заново."),
]


@pytest.mark.parametrize(("changes", "field", "english", "russian"), MESSAGES)
def test_each_error_has_a_clear_message_in_the_users_language(form, changes, field, english, russian):
    assert errors_for(form, "en", **changes) == {field: [english]}
    assert errors_for(form, "ru", **changes) == {field: [russian]}


def test_messages_follow_the_language_and_script(form):
    assert errors_for(form, "uz", full_name="") == {"full_name": ["Bu maydonni to‘ldiring."]}
    assert errors_for(form, "uz-cyrl", full_name="") == {"full_name": ["Бу майдонни тўлдиринг."]}
    assert errors_for(form, "uz_cyrl", full_name="") == {"full_name": ["Бу майдонни тўлдиринг."]}


def test_a_pattern_without_its_own_message_gets_a_general_one(forms_root, areas):
    data = definition()
    del data["ui"]["fields"]["series"]["pattern_error"]
    write(forms_root, data)
    api.load_forms(forms_root)
    form = api.form("test-application")
    assert errors_for(form, "en", series="12") == {"series": ["Check the format of this value."]}
    assert errors_for(form, "ru", series="12") == {"series": ["Проверьте формат значения."]}


def identity_message(check, value, language) -> str:
    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            check(value)
        return " ".join(str(m) for m in raised.value.messages)


@pytest.mark.parametrize(("field", "value", "check"), [
    ("pinfl", "31505901234567", identity.validate_pinfl),
    ("pinfl", "3150590123456", identity.validate_pinfl),
    ("pinfl", "31505901234568 9", identity.validate_pinfl),
    ("stir", "123", identity.validate_stir),
    ("phone", "+7 912 345 67 89", identity.normalize_uz_phone),
    ("phone", "90 123", identity.normalize_uz_phone),
])
def test_pinfl_stir_and_phone_are_checked_by_identity_with_its_messages(form, field, value, check):
    for language in ("en", "ru"):
        expected = identity_message(check, value.replace(" ", "") if field != "phone" else value, language)
        assert errors_for(form, language, **{field: value}) == {field: [expected]}
    assert "last digit" in identity_message(identity.validate_pinfl, "31505901234567", "en")


def test_identifiers_are_typed_loosely_and_stored_normalised(form):
    clean, errors = api.validate(form, posted(pinfl="3150 5901 2345 68", stir=" 207 123 456 ",
                                              phone="(90) 123-45-67"), language="en")
    assert errors == {}
    assert (clean["pinfl"], clean["stir"], clean["phone"]) == (PINFL, "207123456", "+998901234567")


@pytest.mark.parametrize("typed", ["2030-09-01", "01.09.2030", "1.9.2030", "01/09/2030", " 01.09.2030 "])
def test_dates_are_accepted_in_iso_and_as_day_month_year(form, typed):
    clean, errors = api.validate(form, posted(start_date=typed), language="en")
    assert (errors, clean["start_date"]) == ({}, "2030-09-01")


def test_numbers_accept_spaces_and_a_decimal_comma(form):
    clean, errors = api.validate(form, posted(children="1 0", area="2,5"), language="en")
    assert errors == {}
    assert (clean["children"], clean["area"]) == (10, 2.5)
    clean, _errors = api.validate(form, posted(area="250"), language="en")
    assert clean["area"] == 250 and isinstance(clean["area"], int)


def test_a_query_dict_is_read_like_a_browser_posts_it(form):
    query = QueryDict(mutable=True)
    for name, value in posted(csrfmiddlewaretoken="abc", preferential="true").items():
        query[name] = value
    query.appendlist("language", "ru")  # the last value wins, as with any Django form
    clean, errors = api.validate(form, query, language="en")
    assert errors == {"category": ["This field is required."]}
    assert clean["language"] == "ru"
    assert "csrfmiddlewaretoken" not in clean


def test_clean_data_keeps_only_the_fields_that_passed(form):
    clean, errors = api.validate(form, posted(children="99", note="  Kept  "), language="en")
    assert list(errors) == ["children"]
    assert "children" not in clean
    assert clean["note"] == "Kept"


def test_errors_come_in_form_order(form):
    _clean, errors = api.validate(form, {}, language="en")
    assert list(errors) == ["full_name", "children", "language", "start_date", "pinfl", "phone", "district",
                            "consent"]


# --- Conditional fields -------------------------------------------------------------------------


def test_hidden_fields_are_not_required_and_their_values_are_dropped(form):
    clean, errors = api.validate(form, posted(category="disability", details="Wheelchair"), language="en")
    assert errors == {}
    assert "category" not in clean and "details" not in clean


def test_a_shown_conditional_field_is_required(form):
    _clean, errors = api.validate(form, posted(preferential="true"), language="en")
    assert errors == {"category": ["This field is required."]}


def test_conditions_chain_through_fields(form):
    clean, errors = api.validate(form, posted(preferential="true", category="disability"), language="en")
    assert errors == {"details": ["This field is required."]}
    clean, errors = api.validate(form, posted(preferential="true", category="single-parent", details="x"),
                                 language="en")
    assert errors == {}
    assert clean["category"] == "single-parent" and "details" not in clean
    clean, errors = api.validate(form, posted(preferential="true", category="low-income", details="Two jobs"),
                                 language="en")
    assert (errors, clean["details"]) == ({}, "Two jobs")


def test_bad_values_in_hidden_fields_are_ignored(form):
    _clean, errors = api.validate(form, posted(category="nonsense", details="x" * 999), language="en")
    assert errors == {}


def test_documents_follow_the_conditions(form):
    assert [d.code for d in form.documents_for({"preferential": False, "category": "disability"})] == [
        "birth-certificate"]
    slots = form.documents_for({"preferential": True, "category": "disability"})
    assert [(d.code, d.required, d.max_bytes, d.types) for d in slots] == [
        ("birth-certificate", True, 10 * 1024 * 1024, ("pdf", "jpeg", "png")),
        ("disability-certificate", True, 5 * 1024 * 1024, ("pdf",)),
    ]


# --- JSON -------------------------------------------------------------------------------------------


def test_validate_json_accepts_the_sample(form):
    assert api.validate_json(form, form.sample, language="en") == {}


@pytest.mark.parametrize(("changes", "field", "english"), [
    ({"children": "2"}, "children", "Enter a whole number."),
    ({"children": True}, "children", "Enter a whole number."),
    ({"area": "2.5"}, "area", "Enter a number."),
    ({"full_name": 5}, "full_name", "Enter text."),
    ({"consent": "true"}, "consent", "Choose yes or no."),
    ({"consent": False}, "consent", "Tick this box to continue."),
    ({"start_date": "01.09.2030"}, "start_date", "Enter a date in the form DD.MM.YYYY."),
    ({"start_date": "2030-02-30"}, "start_date", "Enter a date in the form DD.MM.YYYY."),
    ({"category": "disability"}, "category",
     "This field does not apply to your other answers; leave it out."),
    ({"colour": "blue"}, "colour", "This field is not part of the form."),
    ({"full_name": "Ali\u0000"}, "full_name",
     "Remove the special characters from this text and type it again."),
])
def test_validate_json_applies_the_same_rules_to_typed_values(form, changes, field, english):
    assert api.validate_json(form, {**form.sample, **changes}, language="en") == {field: [english]}


def test_validate_json_requires_conditional_fields_only_when_they_apply(form):
    data = {**form.sample, "preferential": True}
    assert api.validate_json(form, data, language="ru") == {"category": ["Обязательное поле."]}
    accepted = {**data, "category": "low-income", "details": "Pensioner"}
    assert api.validate_json(form, accepted, language="en") == {}


def test_validate_json_refuses_what_is_not_an_object(form):
    errors = api.validate_json(form, ["a"], language="en")
    assert errors == {"__all__": ["Send the form data as a JSON object."]}


# --- Answers ----------------------------------------------------------------------------------------


def test_answers_read_as_a_person_reads_them(form):
    data = {**form.sample, "preferential": True, "category": "single-parent", "details": "hidden"}
    answers = api.answers(form, data, language="ru")
    assert [(a.section, a.label, a.value) for a in answers if a.name in {
        "language", "start_date", "district", "preferential", "category", "consent"}] == [
        ("Заявитель", "Язык", "Узбекский"),
        ("Заявитель", "Дата начала", "01.09.2030"),
        ("Номера", "Район", "Чиланзарский район"),
        ("Льгота", "Есть льгота", "Да"),
        ("Льгота", "Вид льготы", "Одинокий родитель"),
        ("Льгота", "Согласен", "Да"),
    ]
    assert "details" not in [a.name for a in answers]

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from darcha.modules.identity.validators import (
    PinflInfo,
    is_legal_entity_stir,
    make_pinfl,
    normalize_uz_phone,
    validate_kz_iin,
    validate_person_name,
    validate_pinfl,
    validate_stir,
)

TODAY = date(2025, 9, 1)


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        func(*args, **kwargs)
    return caught.value.code


# --- PINFL ------------------------------------------------------------------------------


def test_pinfl_domain_example():
    assert validate_pinfl("31505901234568", today=TODAY) == PinflInfo(date(1990, 5, 15), "M")
    assert make_pinfl(date(1990, 5, 15), "M", 123, 456) == "31505901234568"


def test_pinfl_centuries_and_sex():
    assert validate_pinfl(make_pinfl(date(1899, 12, 31), "F", 1, 1), today=TODAY) == PinflInfo(
        date(1899, 12, 31), "F"
    )
    assert make_pinfl(date(1899, 12, 31), "F", 1, 1)[0] == "2"
    assert make_pinfl(date(2005, 1, 2), "M", 1, 1)[0] == "5"
    assert make_pinfl(date(2005, 1, 2), "F", 1, 1)[0] == "6"
    assert validate_pinfl(make_pinfl(date(2005, 1, 2), "F", 7, 9), today=TODAY).sex == "F"


def test_pinfl_accepts_surrounding_spaces():
    assert validate_pinfl(" 31505901234568\n", today=TODAY).birth_date == date(1990, 5, 15)


def with_check_digit(first13: str) -> str:
    from darcha.modules.identity.validators import pinfl_check_digit

    return first13 + str(pinfl_check_digit(first13))


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "pinfl_format"),
        ("3150590123456", "pinfl_format"),
        ("315059012345681", "pinfl_format"),
        ("3150590123456a", "pinfl_format"),
        ("3150590123 456", "pinfl_format"),
        ("３１５０５９０１２３４５６８", "pinfl_format"),  # full-width digits
        (with_check_digit("0150590123456"), "pinfl_century"),
        (with_check_digit("7150590123456"), "pinfl_century"),
        (with_check_digit("8150590123456"), "pinfl_century"),
        (with_check_digit("9150590123456"), "pinfl_century"),
        (with_check_digit("3310290123456"), "pinfl_date"),  # 31 February
        (with_check_digit("3151390123456"), "pinfl_date"),  # month 13
        (with_check_digit("3000190123456"), "pinfl_date"),  # day 0
        (with_check_digit("5290201123456"), "pinfl_date"),  # 29 Feb 2001
        (with_check_digit("5020925123456"), "pinfl_future"),  # 2 Sep 2025, the day after TODAY
        (with_check_digit("3150590000456"), "pinfl_area"),
        (with_check_digit("3150590123000"), "pinfl_serial"),
        ("31505901234567", "pinfl_check"),
    ],
)
def test_pinfl_errors(value, code):
    assert error_code(validate_pinfl, value, today=TODAY) == code


def test_pinfl_leap_day_and_today_are_valid():
    assert validate_pinfl(make_pinfl(date(2000, 2, 29), "M", 5, 5), today=TODAY).birth_date == date(
        2000, 2, 29
    )
    assert validate_pinfl(make_pinfl(TODAY, "F", 5, 5), today=TODAY).birth_date == TODAY


def test_pinfl_future_uses_local_today_by_default():
    assert error_code(validate_pinfl, make_pinfl(date(2099, 1, 1), "M", 1, 1)) == "pinfl_future"


def test_pinfl_error_messages_are_distinct_and_translated():
    values = {
        "pinfl_format": "123",
        "pinfl_century": with_check_digit("0150590123456"),
        "pinfl_date": with_check_digit("3310290123456"),
        "pinfl_future": with_check_digit("5020925123456"),
        "pinfl_area": with_check_digit("3150590000456"),
        "pinfl_serial": with_check_digit("3150590123000"),
        "pinfl_check": "31505901234567",
    }
    messages = set()
    for value in values.values():
        with pytest.raises(ValidationError) as caught:
            validate_pinfl(value, today=TODAY)
        messages.add(str(caught.value.message))
    assert len(messages) == len(values)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ((date(2100, 1, 1), "M", 1, 1), "year"),
        ((date(1799, 12, 31), "M", 1, 1), "year"),
        ((date(1990, 1, 1), "X", 1, 1), "sex"),
        ((date(1990, 1, 1), "M", 0, 1), "area"),
        ((date(1990, 1, 1), "M", 1, 1000), "serial"),
    ],
)
def test_make_pinfl_rejects_what_cannot_be_encoded(args, problem):
    with pytest.raises(ValueError, match=problem):
        make_pinfl(*args)


pinfl_parts = st.tuples(
    st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    st.sampled_from(["M", "F"]),
    st.integers(1, 999),
    st.integers(1, 999),
)


@given(pinfl_parts)
def test_made_pinfl_always_validates_and_round_trips(parts):
    birth_date, sex, area, serial = parts
    pinfl = make_pinfl(birth_date, sex, area, serial)
    assert len(pinfl) == 14
    assert validate_pinfl(pinfl, today=TODAY) == PinflInfo(birth_date, sex)
    assert pinfl[7:10] == f"{area:03d}" and pinfl[10:13] == f"{serial:03d}"


@given(pinfl_parts, st.integers(1, 9))
def test_any_changed_check_digit_fails(parts, shift):
    pinfl = make_pinfl(*parts)
    wrong = pinfl[:13] + str((int(pinfl[13]) + shift) % 10)
    assert error_code(validate_pinfl, wrong, today=TODAY) == "pinfl_check"


# --- STIR -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["200000001", "412345678", "512345678", "612345678", "798765432"])
def test_stir_valid(value):
    assert validate_stir(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678",
        "1234567890",
        "123456789",
        "312345678",
        "812345678",
        "912345678",
        "012345678",
        "20000000a",
        "2000 0000 1",
    ],
)
def test_stir_invalid(value):
    assert error_code(validate_stir, value) == "stir_format"


def test_legal_entity_stir():
    assert is_legal_entity_stir("201234567")
    assert not is_legal_entity_stir("401234567")
    assert not is_legal_entity_stir("2012345")


# --- Phones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "+998 90 123-45-67",
        "998901234567",
        "901234567",
        "+998901234567",
        "(90) 123 45 67",
        "00998901234567",
        "+998 (90) 123.45.67",
    ],
)
def test_phone_normalized(value):
    assert normalize_uz_phone(value) == "+998901234567"


@pytest.mark.parametrize("value", ["+7 916 123-45-67", "+90 532 123 45 67", "79161234567", "+1 202 555 0100"])
def test_phone_foreign_rejected_with_sms_message(value):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_uz_phone(value)
    assert caught.value.code == "phone_not_uz"
    assert "+998" in str(caught.value.message)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345",
        "+998 90 123",
        "+998 90 123 45 678",
        "90123456a",
        "+998 01 234 56 78",
        "+998+901234567",
        "+99890123456",
    ],
)
def test_phone_malformed(value):
    assert error_code(normalize_uz_phone, value) == "phone_format"


# --- Names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Alisher",
        "G‘ulomjon",
        "O'g'iloy",
        "Ma’mura",
        "Oʻtkir",
        "Ўткир",
        "Ғайрат",
        "Қаҳҳор",
        "Anna-Maria",
        "Abdulla Qodiriy",
        "Ли",
        "Ömer",
        "Ahmad`jon",
        "Ermek Қайратұлы",
    ],
)
def test_name_valid(value):
    assert validate_person_name(value) == value


def test_name_trimmed_and_composed():
    assert validate_person_name("  Jose\u0301 ") == "José"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "name_empty"),
        ("   ", "name_empty"),
        ("A" * 61, "name_too_long"),
        ("Ali1", "name_characters"),
        ("Ali_Vali", "name_characters"),
        ("Ali@", "name_characters"),
        ("محمد", "name_characters"),
        ("'-'", "name_characters"),
        ("Ali\x00", "name_control"),
        ("Al\ti", "name_control"),
        ("Ali\u200bjon", "name_invisible"),
        ("Ali\u200f", "name_invisible"),
        ("A\u2060li", "name_invisible"),
        ("\ufeffAli", "name_invisible"),
        ("Ali\u00adjon", "name_invisible"),
        ("\u202eilA", "name_invisible"),
        ("\u2066Ali\u2069", "name_invisible"),
    ],
)
def test_name_invalid(value, code):
    assert error_code(validate_person_name, value) == code


def test_name_max_length_is_configurable():
    assert validate_person_name("A" * 100, max_length=100) == "A" * 100
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_person_name("Abc", max_length=2)
    assert caught.value.code == "name_too_long"
    assert "2" in str(caught.value.message % caught.value.params)


# --- Kazakhstan IIN/BIN -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["791028302728", "061211600012"])
def test_kz_iin_valid(value):
    assert validate_kz_iin(value) == value


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("79102830272", "kz_iin_format"),
        ("7910283027280", "kz_iin_format"),
        ("79102830272x", "kz_iin_format"),
        ("791028302729", "kz_iin_check"),
        ("061211600013", "kz_iin_check"),
    ],
)
def test_kz_iin_invalid(value, code):
    assert error_code(validate_kz_iin, value) == code


def kz_checks(first11: str) -> tuple[int, int]:
    digits = [int(d) for d in first11]
    return (
        sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11,
        sum(d * w for d, w in zip(digits, [*range(3, 12), 1, 2], strict=True)) % 11,
    )


def test_kz_iin_second_weights_used_when_first_gives_ten():
    first11 = "00000000010"
    first, second = kz_checks(first11)
    assert first == 10 and second != 10
    assert validate_kz_iin(first11 + str(second)) == first11 + str(second)
    assert error_code(validate_kz_iin, first11 + str((second + 1) % 10)) == "kz_iin_check"


def test_kz_iin_invalid_when_both_checks_give_ten():
    first11 = next(f"{n:011d}" for n in range(10**6) if kz_checks(f"{n:011d}") == (10, 10))
    assert all(error_code(validate_kz_iin, first11 + str(last)) == "kz_iin_check" for last in range(10))

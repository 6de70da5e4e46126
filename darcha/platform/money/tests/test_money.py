from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from darcha.platform.money.api import Money, NoBaseAmountError, bhm_multiple, bhm_on, format_money
from darcha.platform.money.models import BaseCalculationAmount


def test_money_is_integer_tiyin():
    assert Money.som(412_000) == Money(41_200_000, "UZS")
    assert Money.som("0.50") == Money(50)
    with pytest.raises(TypeError):
        Money(1.5)
    with pytest.raises(TypeError):
        Money(Decimal(1))
    with pytest.raises(ValueError, match="currency"):
        Money(1, "XXX")


def test_add_and_subtract():
    assert Money(150) + Money(250) == Money(400)
    assert Money(150) - Money(250) == Money(-100)
    with pytest.raises(TypeError):
        Money(1) + 1


def test_multiply_rounds_half_up_to_whole_tiyin():
    assert Money(100) * Decimal("0.125") == Money(13)  # 12.5 → 13
    assert Money(100) * Decimal("0.124") == Money(12)
    assert Money(-100) * Decimal("0.125") == Money(-13)  # half away from zero
    assert 3 * Money(5) == Money(15)
    with pytest.raises(TypeError):
        Money(100) * 0.5
    with pytest.raises(TypeError):
        Money(100) * True


@given(st.integers(-(10**15), 10**15), st.integers(-(10**15), 10**15))
def test_addition_is_exact(a, b):
    assert (Money(a) + Money(b)).amount == a + b


@pytest.mark.parametrize(
    ("amount", "lang", "text"),
    [
        (41_200_000, "uz", "412 000 so‘m"),
        (41_200_000, "uz-cyrl", "412 000 сўм"),
        (41_200_000, "ru", "412 000 сум"),
        (41_200_000, "en", "UZS 412,000"),
        (125_050, "uz", "1 250,50 so‘m"),
        (125_050, "en", "UZS 1,250.50"),
        (5, "ru", "0,05 сум"),
        (0, "uz", "0 so‘m"),
        (-150_000, "uz", "-1 500 so‘m"),
        (-150_000, "en", "-UZS 1,500"),
        (123_456_789_00, "uz", "123 456 789 so‘m"),
    ],
)
def test_format_money(amount, lang, text):
    assert format_money(Money(amount), lang) == text


def test_format_money_uses_the_active_language():
    with translation.override("uz-cyrl"):
        assert format_money(Money(100)) == "1 сўм"


# --- BHM ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "som"),
    [
        (date(2021, 2, 1), 245_000),
        (date(2022, 3, 31), 245_000),
        (date(2022, 4, 1), 270_000),
        (date(2022, 11, 30), 270_000),
        (date(2022, 12, 1), 300_000),
        (date(2023, 5, 31), 300_000),
        (date(2023, 6, 1), 330_000),
        (date(2024, 9, 30), 330_000),
        (date(2024, 10, 1), 375_000),
        (date(2025, 7, 31), 375_000),
        (date(2025, 8, 1), 412_000),
        (date(2030, 1, 1), 412_000),
    ],
)
def test_bhm_on_dates_around_each_change(day, som):
    assert bhm_on(day) == Money.som(som)


@pytest.mark.django_db
def test_bhm_before_the_first_date_is_a_clear_error():
    with translation.override("en"), pytest.raises(NoBaseAmountError, match="2021-01-31"):
        bhm_on(date(2021, 1, 31))


@pytest.mark.django_db
def test_bhm_multiple():
    assert bhm_multiple(Decimal("0.5"), on=date(2025, 8, 1)) == Money.som(206_000)
    assert bhm_multiple(5, on=date(2024, 11, 1)) == Money.som(1_875_000)
    # 0.333 × 412 000 so‘m is exactly 137 196 so‘m; 0.3333333 gives 137 333,3196 so‘m,
    # which is rounded to a whole tiyin.
    assert bhm_multiple(Decimal("0.333"), on=date(2025, 8, 1)) == Money.som(137_196)
    assert bhm_multiple(Decimal("0.3333333"), on=date(2025, 8, 1)) == Money(13_733_332)


@pytest.mark.django_db
def test_bhm_follows_operator_edits():
    BaseCalculationAmount.objects.create(valid_from=date(2026, 8, 1), amount_tiyin=45_000_000)
    assert bhm_on(date(2026, 7, 31)) == Money.som(412_000)
    assert bhm_on(date(2026, 8, 1)) == Money.som(450_000)

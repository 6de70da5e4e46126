"""Fees on a given day: free, fixed, and BHM multiples with dated BHM and exemptions."""

from datetime import date
from decimal import Decimal

import pytest

from darcha.modules.catalog import api
from darcha.modules.catalog.fees import fee_amount, fee_quote
from darcha.modules.catalog.records import Exemption, FeeRule
from darcha.platform.money.api import Money, NoBaseAmountError
from darcha.platform.money.models import BaseCalculationAmount

pytestmark = pytest.mark.django_db

BEFORE, AFTER = date(2031, 7, 31), date(2031, 8, 1)
PASSPORT_FEE = FeeRule(
    kind="bhm",
    multiple=Decimal("0.5"),
    exemptions=(Exemption("disabled-person", Decimal("0")), Exemption("low-income-family", Decimal("0.25"))),
)


@pytest.fixture(autouse=True)
def bhm():
    """Two dated base calculation amounts: 400 000 so‘m, then 440 000 so‘m from 1 August."""
    BaseCalculationAmount.objects.update_or_create(
        valid_from=date(2031, 1, 1), defaults={"amount_tiyin": 40_000_000}
    )
    BaseCalculationAmount.objects.update_or_create(valid_from=AFTER, defaults={"amount_tiyin": 44_000_000})


def test_a_free_service_costs_nothing():
    assert fee_amount(FeeRule(kind="free"), on=AFTER) == Money(0)


def test_a_fixed_fee_does_not_depend_on_the_day():
    rule = FeeRule(kind="fixed", amount_tiyin=2_000_000)
    assert fee_amount(rule, on=BEFORE) == fee_amount(rule, on=AFTER) == Money(2_000_000)


def test_a_bhm_multiple_follows_the_bhm_in_force_on_the_day():
    assert fee_amount(PASSPORT_FEE, on=BEFORE) == Money(20_000_000)
    assert fee_amount(PASSPORT_FEE, on=AFTER) == Money(22_000_000)


def test_exemptions_lower_the_fee_and_the_lowest_wins():
    assert fee_amount(PASSPORT_FEE, on=AFTER, applicant_categories=["low-income-family"]) == Money(11_000_000)
    assert fee_amount(PASSPORT_FEE, on=AFTER, applicant_categories=["disabled-person"]) == Money(0)
    both = ["low-income-family", "disabled-person"]
    assert fee_amount(PASSPORT_FEE, on=AFTER, applicant_categories=both) == Money(0)


def test_an_exemption_that_does_not_apply_changes_nothing():
    assert fee_amount(PASSPORT_FEE, on=AFTER, applicant_categories=["student"]) == Money(22_000_000)


def test_rounding_is_to_the_tiyin_half_up():
    rule = FeeRule(kind="bhm", multiple=Decimal("0.0000125"))
    assert fee_amount(rule, on=AFTER) == Money(550)  # 44 000 000 × 0.0000125 = 550
    assert fee_amount(FeeRule(kind="bhm", multiple=Decimal("0.00000001")), on=AFTER) == Money(0)


def test_a_quote_lists_the_general_and_the_reduced_amounts_from_one_read_of_the_bhm(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        quote = fee_quote(PASSPORT_FEE, on=AFTER)
    assert (quote.kind, quote.amount, quote.multiple) == ("bhm", Money(22_000_000), Decimal("0.5"))
    assert quote.exemptions == (("disabled-person", Money(0)), ("low-income-family", Money(11_000_000)))
    assert quote.bhm == Money(44_000_000)


def test_a_quote_of_a_fixed_fee_reads_no_bhm(django_assert_num_queries):
    with django_assert_num_queries(0):
        quote = fee_quote(FeeRule(kind="fixed", amount_tiyin=2_000_000), on=AFTER)
    assert (quote.amount, quote.exemptions, quote.bhm) == (Money(2_000_000), (), None)


def test_a_day_before_any_known_bhm_is_an_error():
    with pytest.raises(NoBaseAmountError):
        fee_amount(PASSPORT_FEE, on=date(1990, 1, 1))


def test_the_api_computes_the_fee_of_a_service_by_its_code(catalog):
    assert api.service_fee("foreign-passport", on=AFTER) == Money(22_000_000)
    assert api.service_fee(
        "foreign-passport", on=BEFORE, applicant_categories=["low-income-family"]
    ) == Money(10_000_000)
    assert api.service_fee("university-application", on=AFTER) == Money(2_000_000)
    assert api.service_fee("kindergarten-placement", on=AFTER) == Money(0)
    assert api.service_fee("no-such-service") is None


def test_the_fee_of_the_version_an_application_was_made_under(catalog):
    from darcha.modules.catalog.tests.conftest import definition, write

    data = api.service_version("foreign-passport", 1)
    assert data.fee.multiple == Decimal("0.5")
    raw = definition(
        "foreign-passport",
        category="personal-documents",
        agency="iiv",
        popularity=70,
        subcategory="passport",
        life_situations=["lost-documents"],
        level="semi-automated",
        channels=["service-centre"],
        result="passport",
        title={"uz": "Xorijga chiqish pasporti", "ru": "Заграничный паспорт", "en": "Travel passport"},
        fee={"kind": "bhm", "multiple": "1"},
    )
    write(catalog, raw)
    api.load_definitions(catalog)
    assert api.service_fee("foreign-passport", on=AFTER) == Money(44_000_000)
    assert api.service_fee("foreign-passport", on=AFTER, version=1) == Money(22_000_000)

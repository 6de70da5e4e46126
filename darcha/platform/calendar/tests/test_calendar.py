from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from darcha.platform.calendar.api import add_working_days, is_working_day, working_days_between
from darcha.platform.calendar.models import CalendarOverride

pytestmark = pytest.mark.django_db

HOLIDAY = CalendarOverride.Kind.HOLIDAY
WORKING_DAY = CalendarOverride.Kind.WORKING_DAY


def test_weekdays_work_and_weekends_rest():
    assert is_working_day(date(2025, 6, 11))  # Wednesday
    assert not is_working_day(date(2025, 6, 14))  # Saturday
    assert not is_working_day(date(2025, 6, 15))  # Sunday


def test_public_holidays_from_the_library():
    assert not is_working_day(date(2025, 3, 21))  # Navro‘z, a Friday
    assert not is_working_day(date(2025, 9, 1))  # Independence Day, a Monday
    assert not is_working_day(date(2025, 3, 10))  # Women's Day fell on Saturday, moved to Monday


def test_days_moved_by_decree_in_the_library():
    assert not is_working_day(date(2025, 1, 2))  # Thursday given as a day off…
    assert is_working_day(date(2025, 1, 4))  # …in exchange for this Saturday


def test_override_moves_a_day():
    saturday, friday = date(2027, 4, 3), date(2027, 4, 2)
    CalendarOverride.objects.create(date=saturday, kind=WORKING_DAY, note="Decree: Saturday worked")
    CalendarOverride.objects.create(date=friday, kind=HOLIDAY, name={"uz": "Dam olish kuni"})
    assert is_working_day(saturday)
    assert not is_working_day(friday)
    assert add_working_days(date(2027, 4, 1), 1) == saturday


def test_overrides_once_read_are_kept_for_a_while(settings, django_assert_num_queries):
    tuesday = date(2027, 5, 4)
    assert add_working_days(date(2027, 5, 3), 1) == tuesday
    with django_assert_num_queries(0):
        assert add_working_days(date(2027, 5, 3), 1) == tuesday
    # Another process's edit (no signal reaches this one) shows once the time is up.
    CalendarOverride.objects.bulk_create([CalendarOverride(date=tuesday, kind=HOLIDAY)])
    assert add_working_days(date(2027, 5, 3), 1) == tuesday
    settings.CALENDAR_OVERRIDES_TTL = 0
    assert add_working_days(date(2027, 5, 3), 1) == date(2027, 5, 5)


def test_override_corrects_a_lunar_holiday_the_library_estimated():
    estimated = date(2026, 3, 20)  # the library's estimate of Ramazon hayit 2026, a Friday
    assert not is_working_day(estimated)
    announced = date(2026, 3, 19)
    CalendarOverride.objects.create(date=estimated, kind=WORKING_DAY, note="Hayit announced for 19 March")
    CalendarOverride.objects.create(date=announced, kind=HOLIDAY, name={"uz": "Ramazon hayiti"})
    assert is_working_day(estimated)
    assert not is_working_day(announced)
    assert working_days_between(date(2026, 3, 17), date(2026, 3, 20)) == 2  # 18 and 20 March


def test_add_working_days_over_a_weekend():
    assert add_working_days(date(2025, 6, 13), 1) == date(2025, 6, 16)  # Friday + 1 = Monday
    assert add_working_days(date(2025, 6, 14), 1) == date(2025, 6, 16)  # Saturday + 1 = Monday
    assert add_working_days(date(2025, 6, 13), 0) == date(2025, 6, 13)
    assert add_working_days(date(2025, 6, 9), 5) == date(2025, 6, 16)


def test_add_working_days_across_the_new_year():
    # 31 December 2025 and 1–2 January 2026 are days off, then a weekend.
    assert add_working_days(date(2025, 12, 30), 1) == date(2026, 1, 5)
    assert add_working_days(date(2025, 12, 30), 2) == date(2026, 1, 6)
    assert working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 1


def test_working_days_between():
    assert working_days_between(date(2025, 6, 9), date(2025, 6, 9)) == 0
    assert working_days_between(date(2025, 6, 9), date(2025, 6, 16)) == 5
    assert working_days_between(date(2025, 6, 16), date(2025, 6, 9)) == -5


def test_negative_n_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(date(2025, 6, 9), -1)


def test_long_spans_take_few_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        result = add_working_days(date(2025, 1, 1), 300)
    assert working_days_between(date(2025, 1, 1), result) == 300


OVERRIDES = {
    date(2025, 12, 27): WORKING_DAY,  # a Saturday
    date(2026, 6, 10): HOLIDAY,  # a Wednesday
    date(2027, 2, 26): HOLIDAY,  # a Friday
}


@settings(deadline=None, max_examples=40)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 300))
def test_add_working_days_lands_on_the_nth_working_day(start, n):
    for day, kind in OVERRIDES.items():
        CalendarOverride.objects.get_or_create(date=day, defaults={"kind": kind})
    result = add_working_days(start, n)
    assert working_days_between(start, result) == n
    if n:
        assert is_working_day(result)
        assert working_days_between(start, result - timedelta(1)) == n - 1

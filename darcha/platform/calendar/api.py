"""Working days of Uzbekistan: a five-day week, the public holidays and days moved by decree
from the ``holidays`` library, and the overrides operators enter (lunar holidays announced each
year, late decrees), which take precedence."""

import time
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from darcha.platform.calendar.models import CalendarOverride

__all__ = ["add_working_days", "forget_overrides", "is_working_day", "load_holidays", "working_days_between"]

WEEKEND = {5, 6}  # Saturday, Sunday


@lru_cache(maxsize=64)
def _library_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days made working) for a year, as the library knows them."""
    calendar = holidays.country_holidays("UZ", years=year)
    return frozenset(calendar), frozenset(calendar.weekend_workdays)


def load_holidays() -> None:
    """Loads this and next year's public holidays: the library imports the country's calendar
    on first use, which takes a web process about 0.4 s."""
    this_year = date.today().year
    _library_year(this_year)
    _library_year(this_year + 1)


# Every submission computes deadlines, while overrides change a few times a year: each
# process keeps what it read for CALENDAR_OVERRIDES_TTL seconds (default 60) and forgets at
# once when it saves or deletes an override itself.
_read: dict[tuple[date, date], tuple[float, dict[date, bool]]] = {}


def _overrides(first: date, last: date) -> dict[date, bool]:
    """Operator overrides in [first, last]: date → is a working day."""
    now = time.monotonic()
    kept = _read.get((first, last))
    if kept and now - kept[0] < getattr(settings, "CALENDAR_OVERRIDES_TTL", 60.0):
        return kept[1]
    rows = CalendarOverride.objects.filter(date__range=(first, last)).values_list("date", "kind")
    overrides = {day: kind == CalendarOverride.Kind.WORKING_DAY for day, kind in rows}
    if len(_read) >= 256:
        _read.clear()
    _read[(first, last)] = (now, overrides)
    return overrides


@receiver([post_save, post_delete], sender=CalendarOverride)
def forget_overrides(**kwargs) -> None:
    _read.clear()


def _by_library(d: date) -> bool:
    days_off, working_weekend_days = _library_year(d.year)
    if d in working_weekend_days:
        return True
    return d.weekday() not in WEEKEND and d not in days_off


def _is_working(d: date, overrides: dict[date, bool]) -> bool:
    return overrides[d] if d in overrides else _by_library(d)


def is_working_day(d: date) -> bool:
    return _is_working(d, _overrides(d, d))


def _working_days(first: date, last: date) -> list[date]:
    """The working days in [first, last], with one query for the overrides."""
    overrides = _overrides(first, last)
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return [d for d in days if _is_working(d, overrides)]


def add_working_days(start: date, n: int) -> date:
    """The day on which n working days have passed after start (start itself not counted).

    Friday + 1 is the next Monday when nothing intervenes; n = 0 gives start.
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    if n == 0:
        return start
    first, counted = start + timedelta(1), 0
    while True:
        # A generous window (weekends and holidays included) usually takes one query.
        last = first + timedelta((n - counted) * 2 + 14)
        days = _working_days(first, last)
        if counted + len(days) >= n:
            return days[n - counted - 1]
        counted += len(days)
        first = last + timedelta(1)


def working_days_between(a: date, b: date) -> int:
    """The number of working days in (a, b]; negative when b is before a."""
    if b < a:
        return -working_days_between(b, a)
    return len(_working_days(a + timedelta(1), b)) if b > a else 0

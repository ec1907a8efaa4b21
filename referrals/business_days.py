"""Business days of the city's offices: no weekends, Japanese public holidays (with substitute
holidays and 国民の休日, from the maintained `holidays` library) and the year-end closure
(12/29–1/3)."""

import datetime
from functools import lru_cache
from statistics import median

import holidays

YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


@lru_cache(maxsize=64)
def _public_holidays(year):
    return frozenset(holidays.Japan(years=year))


def is_business_day(day: datetime.date) -> bool:
    return (
        day.weekday() < 5
        and (day.month, day.day) not in YEAR_END
        and day not in _public_holidays(day.year)
    )


def next_business_day(day: datetime.date) -> datetime.date:
    """The day itself if offices are open, else the next day they are."""
    while not is_business_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` business days after start (0: start, or the next open day)."""
    day = next_business_day(start)
    for _ in range(days):
        day = next_business_day(day + datetime.timedelta(days=1))
    return day


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after start up to and including end (0 when answered the same day)."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_business_day(day)
    return count


def median_business_days(pairs):
    """Median business days over (start, end) pairs, or None when there are none."""
    values = [business_days_between(a, b) for a, b in pairs]
    return median(values) if values else None

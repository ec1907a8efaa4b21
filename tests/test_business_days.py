"""Business days of the city's offices: weekends, public holidays and the year-end closure."""

import datetime

import holidays
import pytest

from referrals.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    median_business_days,
    next_business_day,
)

D = datetime.date


def test_it_knows_the_calendar_it_relies_on():
    """The holiday library agrees with the dates these tests reason about."""
    japan = holidays.Japan(years=[2026, 2027])
    for day in [
        D(2026, 4, 29),  # 昭和の日 (Wed)
        D(2026, 5, 3),  # 憲法記念日 (Sun)
        D(2026, 5, 4),  # みどりの日
        D(2026, 5, 5),  # こどもの日
        D(2026, 5, 6),  # 振替休日 for 5/3
        D(2026, 9, 21),  # 敬老の日
        D(2026, 9, 22),  # 国民の休日 (between two holidays)
        D(2026, 9, 23),  # 秋分の日
        D(2027, 1, 11),  # 成人の日
        D(2027, 3, 21),  # 春分の日 (Sun)
        D(2027, 3, 22),  # 振替休日
    ]:
        assert day in japan, day
    for day in [D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 7), D(2026, 12, 29), D(2027, 1, 4)]:
        assert day not in japan, day
    assert D(2026, 4, 28).weekday() == 1  # Tuesday
    assert D(2026, 12, 28).weekday() == 0  # Monday
    assert D(2027, 1, 4).weekday() == 0  # Monday


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (D(2026, 4, 27), True),  # Monday
        (D(2026, 4, 25), False),  # Saturday
        (D(2026, 4, 26), False),  # Sunday
        (D(2026, 4, 29), False),  # 昭和の日
        (D(2026, 4, 30), True),
        (D(2026, 5, 1), True),
        (D(2026, 5, 4), False),
        (D(2026, 5, 5), False),
        (D(2026, 5, 6), False),  # 振替休日
        (D(2026, 5, 7), True),
        (D(2026, 9, 22), False),  # 国民の休日
        (D(2027, 3, 22), False),  # 振替休日
        (D(2026, 12, 28), True),  # 御用納め
        (D(2026, 12, 29), False),
        (D(2026, 12, 30), False),
        (D(2026, 12, 31), False),
        (D(2027, 1, 1), False),
        (D(2027, 1, 2), False),
        (D(2027, 1, 3), False),
        (D(2027, 1, 4), True),  # 御用始め
        (D(2025, 12, 29), False),  # the closure is every year, whatever the weekday
        (D(2025, 12, 26), True),
    ],
)
def test_it_tells_open_days_from_closed_ones(day, open_):
    assert is_business_day(day) is open_


def test_it_skips_weekends():
    friday = D(2026, 6, 5)
    assert add_business_days(friday, 1) == D(2026, 6, 8)  # Monday
    assert add_business_days(friday, 5) == D(2026, 6, 12)
    assert add_business_days(D(2026, 6, 1), 4) == D(2026, 6, 5)  # Mon + 4 = Fri, no weekend


def test_it_counts_across_golden_week_2026():
    # 4/28 Tue → 4/29 holiday → 4/30 Thu is 1 → 5/1 Fri is 2.
    assert add_business_days(D(2026, 4, 28), 1) == D(2026, 4, 30)
    assert add_business_days(D(2026, 4, 28), 2) == D(2026, 5, 1)
    # 5/2 Sat, 5/3 Sun, 5/4–5/6 holidays (5/6 the substitute for 5/3): the next open day is 5/7.
    assert add_business_days(D(2026, 5, 1), 1) == D(2026, 5, 7)
    assert add_business_days(D(2026, 4, 28), 5) == D(2026, 5, 11)


def test_it_treats_substitute_and_national_holidays_as_closed():
    assert add_business_days(D(2026, 5, 5), 0) == D(2026, 5, 7)
    # Silver Week 2026: 9/19 Sat – 9/23 Wed closed (9/22 is 国民の休日).
    assert add_business_days(D(2026, 9, 18), 1) == D(2026, 9, 24)
    # 3/20/2027 Sat, 3/21 Sun 春分の日, 3/22 Mon 振替休日.
    assert add_business_days(D(2027, 3, 19), 1) == D(2027, 3, 23)


def test_it_counts_across_the_year_end_closure():
    assert add_business_days(D(2026, 12, 28), 1) == D(2027, 1, 4)
    assert add_business_days(D(2026, 12, 25), 2) == D(2027, 1, 4)  # Fri → Mon 12/28 → Mon 1/4
    # 1/5 Tue, 1/6 Wed, 1/7 Thu, 1/8 Fri, then 1/11 成人の日: the fifth is 1/12.
    assert add_business_days(D(2026, 12, 28), 5) == D(2027, 1, 8)
    assert add_business_days(D(2026, 12, 28), 6) == D(2027, 1, 12)


def test_it_starts_counting_from_the_next_open_day_when_started_on_a_closed_one():
    assert add_business_days(D(2026, 5, 2), 0) == D(2026, 5, 7)
    assert add_business_days(D(2026, 5, 2), 2) == D(2026, 5, 11)
    assert add_business_days(D(2026, 12, 30), 1) == D(2027, 1, 5)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 6, 3), D(2026, 6, 3)),  # open: the day itself
        (D(2026, 6, 6), D(2026, 6, 8)),  # Saturday → Monday
        (D(2026, 4, 29), D(2026, 4, 30)),
        (D(2026, 5, 3), D(2026, 5, 7)),
        (D(2026, 5, 6), D(2026, 5, 7)),
        (D(2026, 9, 19), D(2026, 9, 24)),
        (D(2026, 9, 22), D(2026, 9, 24)),
        (D(2027, 3, 20), D(2027, 3, 23)),
        (D(2026, 12, 29), D(2027, 1, 4)),
        (D(2027, 1, 1), D(2027, 1, 4)),
        (D(2027, 1, 9), D(2027, 1, 12)),  # Sat, Sun, then 成人の日
    ],
)
def test_it_finds_the_next_business_day(day, expected):
    assert next_business_day(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 6, 3), D(2026, 6, 3), 0),  # answered the same day
        (D(2026, 6, 3), D(2026, 6, 1), 0),  # end before start
        (D(2026, 6, 3), D(2026, 6, 4), 1),
        (D(2026, 6, 5), D(2026, 6, 8), 1),  # Fri → Mon
        (D(2026, 6, 5), D(2026, 6, 7), 0),  # Fri → Sun: no business day in between
        (D(2026, 4, 28), D(2026, 5, 7), 3),  # 4/30, 5/1, 5/7
        (D(2026, 5, 1), D(2026, 5, 7), 1),
        (D(2026, 9, 18), D(2026, 9, 24), 1),
        (D(2027, 3, 19), D(2027, 3, 23), 1),
        (D(2026, 12, 28), D(2027, 1, 4), 1),
        (D(2026, 12, 25), D(2027, 1, 8), 6),  # 12/28, 1/4, 1/5, 1/6, 1/7, 1/8
        (D(2026, 5, 2), D(2026, 5, 7), 1),  # started on a closed day
    ],
)
def test_it_counts_business_days_between_two_dates(start, end, expected):
    assert business_days_between(start, end) == expected


def test_it_is_the_inverse_of_adding_business_days():
    for start in [D(2026, 4, 28), D(2026, 9, 18), D(2026, 12, 28), D(2027, 3, 19)]:
        for days in range(8):
            assert business_days_between(start, add_business_days(start, days)) == days


def test_it_takes_the_median_in_business_days():
    pairs = [
        (D(2026, 4, 28), D(2026, 5, 7)),  # 3
        (D(2026, 12, 28), D(2027, 1, 4)),  # 1
        (D(2026, 6, 3), D(2026, 6, 3)),  # 0
    ]
    assert median_business_days(pairs) == 1
    assert median_business_days(pairs[:2]) == 2  # (1 + 3) / 2
    assert median_business_days([]) is None
    assert median_business_days(iter(pairs)) == 1

"""Deadlines in working days: Monday to Friday, without Indonesian public holidays.

Public holidays come from the maintained `holidays` package (Indonesia's moving Islamic,
Chinese and Balinese holidays change every year). Dates are local dates in Asia/Jakarta
(`timezone.localdate()`), never UTC.
"""

from __future__ import annotations

import datetime
from functools import cache

import holidays

_ONE_DAY = datetime.timedelta(days=1)


@cache
def _public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first one after it."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start`.

    A request filed on a weekend or holiday counts from the next working day, as if filed then:
    filed on Saturday with 3 days, it is due on Thursday (Monday + 3), like one filed on Monday.
    """
    day = next_working_day(start)
    for _ in range(days):
        day = next_working_day(day + _ONE_DAY)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days after `start` up to and including `end` (negative if end is
    earlier); the inverse of `add_working_days` for a working `start`."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += _ONE_DAY
    return count

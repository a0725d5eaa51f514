"""Deadlines in working days: weekends and Indonesian public holidays do not count."""

import datetime

import holidays
import pytest

from services.deadlines import add_working_days, is_working_day, working_days_between

D = datetime.date


def test_the_holidays_library_knows_independence_day_2026():
    assert D(2026, 8, 17) in holidays.country_holidays("ID", years=2026)


def test_three_working_days_from_friday_skip_the_weekend_and_independence_day():
    # Friday 14 Aug 2026; Monday 17 Aug is Hari Kemerdekaan.
    assert add_working_days(D(2026, 8, 14), 3) == D(2026, 8, 20)


def test_three_working_days_from_a_wednesday_cross_the_weekend():
    assert add_working_days(D(2026, 11, 18), 3) == D(2026, 11, 23)


def test_a_request_filed_on_saturday_counts_from_monday():
    saturday, monday = D(2026, 11, 21), D(2026, 11, 23)
    assert add_working_days(saturday, 3) == add_working_days(monday, 3) == D(2026, 11, 26)


def test_christmas_and_new_year_are_not_working_days():
    assert not is_working_day(D(2026, 12, 25))
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.parametrize(
    ("start", "days"), [(D(2026, 8, 14), 3), (D(2026, 11, 18), 10), (D(2026, 12, 21), 7)]
)
def test_working_days_between_counts_back_what_was_added(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days


def test_working_days_between_a_date_and_itself_is_zero_and_backwards_is_negative():
    assert working_days_between(D(2026, 8, 14), D(2026, 8, 14)) == 0
    assert working_days_between(D(2026, 8, 20), D(2026, 8, 14)) == -3

"""Month arithmetic in one type."""

import datetime as dt

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.month import Month, month_strings


def test_parse_and_print_round_trip():
    month = Month.parse("2024-03")
    assert (month.year, month.number) == (2024, 3)
    assert str(month) == "2024-03"
    assert Month.parse(month) is month
    assert Month.parse(pd.Period("2024-03", freq="M")) == month


@pytest.mark.parametrize("text", ["2024-13", "March", "2024-3", "24-03", ""])
def test_bad_months_are_one_clear_error(text):
    with pytest.raises(WorkbenchError, match=r"not YYYY-MM.*Hint: write the month as '2024-03'"):
        Month.parse(text)


def test_previous_next_and_year_boundaries():
    assert str(Month.parse("2024-01").previous) == "2023-12"
    assert str(Month.parse("2023-12").next) == "2024-01"
    assert str(Month.parse("2024-03").shift(-14)) == "2023-01"


def test_window_and_range():
    first, last = Month.parse("2024-03").window(6)
    assert (str(first), str(last)) == ("2023-10", "2024-03")
    assert Month.parse("2024-03").window_label(1) == "2024-03..2024-03"
    assert month_strings("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert Month.range("2024-02", "2024-01") == []
    with pytest.raises(WorkbenchError, match="window_months is 0"):
        Month.parse("2024-03").window(0)


def test_days_and_bounds_in_a_time_zone():
    feb = Month.parse("2024-02")
    assert feb.last_day == dt.date(2024, 2, 29) and len(feb.days()) == 29
    start, end = feb.bounds("Europe/Paris")
    assert start == pd.Timestamp("2024-02-01", tz="Europe/Paris")
    assert end == pd.Timestamp("2024-03-01", tz="Europe/Paris")


def test_ordering():
    assert Month.parse("2023-12") < Month.parse("2024-01")
    assert max(Month.parse("2024-01"), Month.parse("2023-05")) == Month.parse("2024-01")

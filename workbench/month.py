"""One calendar month, parsed once: ``Month.parse("2024-03")``.

Every piece of month arithmetic the workbench needs (the previous month, the rolling window,
the months between two months, the bounds of a month in the organisation's time zone) lives
here, so a month is validated in one place and never re-parsed from a string by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

import pandas as pd

from workbench.errors import ConfigError

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@total_ordering
@dataclass(frozen=True)
class Month:
    """A calendar month (``str(month)`` is ``YYYY-MM``, which is also how JSON stores it).

    Attributes:
        year: The year, e.g. 2024.
        number: The month number, 1-12.
    """

    year: int
    number: int

    @classmethod
    def parse(cls, value: str | Month | pd.Period) -> Month:
        """Parse ``YYYY-MM`` (or pass a Month through); a clear ConfigError otherwise."""
        if isinstance(value, Month):
            return value
        if isinstance(value, pd.Period):
            return cls(int(value.year), int(value.month))
        text = str(value).strip()
        if not MONTH_RE.match(text):
            raise ConfigError(f"month {value!r} is not YYYY-MM",
                              hint="write the month as '2024-03'")
        return cls(int(text[:4]), int(text[5:7]))

    @classmethod
    def of(cls, moment: pd.Timestamp | dt.date) -> Month:
        """The month a timestamp or date falls in (in its own time zone)."""
        return cls(int(moment.year), int(moment.month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.number) < (other.year, other.number)

    def shift(self, months: int) -> Month:
        """The month ``months`` later (negative: earlier)."""
        index = self.year * 12 + (self.number - 1) + int(months)
        return Month(index // 12, index % 12 + 1)

    @property
    def previous(self) -> Month:
        """The month before."""
        return self.shift(-1)

    @property
    def next(self) -> Month:
        """The month after."""
        return self.shift(1)

    def window(self, months: int) -> tuple[Month, Month]:
        """The ``months`` months ending at this one (inclusive), as ``(first, last)``."""
        if int(months) < 1:
            raise ConfigError(f"window_months is {months}",
                              hint="set window_months to 1 or more (default 6)")
        return self.shift(-(int(months) - 1)), self

    def window_label(self, months: int) -> str:
        """``YYYY-MM..YYYY-MM`` for the rolling window ending at this month."""
        first, last = self.window(months)
        return f"{first}..{last}"

    @staticmethod
    def range(first: str | Month, last: str | Month) -> list[Month]:
        """Every month from ``first`` to ``last`` inclusive, oldest first (empty if reversed)."""
        start, end = Month.parse(first), Month.parse(last)
        out = []
        while start <= end:
            out.append(start)
            start = start.next
        return out

    @property
    def period(self) -> pd.Period:
        """The month as a pandas monthly Period."""
        return pd.Period(str(self), freq="M")

    @property
    def first_day(self) -> dt.date:
        """The first calendar day."""
        return dt.date(self.year, self.number, 1)

    @property
    def last_day(self) -> dt.date:
        """The last calendar day."""
        return self.next.first_day - dt.timedelta(days=1)

    def days(self) -> list[dt.date]:
        """Every calendar day of the month."""
        return [self.first_day + dt.timedelta(days=i) for i in range(self.last_day.day)]

    def bounds(self, tz: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``[start, end)`` of the month as timestamps (local midnight in ``tz`` when given)."""
        start = pd.Timestamp(self.first_day)
        end = pd.Timestamp(self.next.first_day)
        if tz:
            start, end = start.tz_localize(tz), end.tz_localize(tz)
        return start, end


def month_strings(first: str | Month, last: str | Month) -> list[str]:
    """``Month.range`` as ``YYYY-MM`` strings (what tables and JSON hold)."""
    return [str(m) for m in Month.range(first, last)]

"""Small pure helpers on the canonical ``posts`` frame, shared by the KPIs and the statistics.

They sit below both :mod:`workbench.kpis` and :mod:`workbench.stats` so neither imports the
other in a circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.month import Month


def month_period(month: str) -> pd.Period:
    """``"2024-03"`` → monthly Period."""
    return Month.parse(month).period


def in_period(times: pd.Series, period: pd.Period) -> pd.Series:
    """Whether each time falls in ``period`` on its own wall clock (organisation-local).

    The same as ``times.dt.tz_localize(None).dt.to_period("M") == period`` (a tz-aware time
    counts by its local date) without converting the whole column: this runs for every KPI
    and month, hundreds of times per report.
    """
    start, end = period.start_time, (period + 1).start_time
    tz = getattr(times.dt, "tz", None)
    if tz is not None:  # month boundaries are local midnights, never in a DST gap
        start, end = (t.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
                      for t in (start, end))
    return ((times >= start) & (times < end)).fillna(False)


def posts_in_month(posts: pd.DataFrame, platform: str, month: str | pd.Period) -> pd.DataFrame:
    """Posts of ``platform`` published in ``month`` (organisation-local calendar)."""
    period = month if isinstance(month, pd.Period) else month_period(month)
    if posts.empty:
        return posts
    mask = (posts["platform"] == platform).fillna(False) & in_period(posts["published_at"],
                                                                      period)
    return posts[mask.to_numpy(dtype=bool)]


EXPOSURE_KINDS = ("reach", "impressions", "views")


def exposure_of(posts: pd.DataFrame) -> pd.Series:
    """Each post's exposure by its ``exposure_kind`` (reach, impressions or views).

    A Float64 series: the post's value of the column its ``exposure_kind`` names, NA when
    that value is missing or the kind is none of the three. Built on plain arrays (the KPIs
    call it for every platform and month).
    """
    values = np.full(len(posts), np.nan)
    missing = np.ones(len(posts), dtype=bool)
    kinds = posts["exposure_kind"].to_numpy(dtype=object, na_value=None)
    for kind in EXPOSURE_KINDS:
        rows = kinds == kind
        if not rows.any():
            continue
        column = posts[kind].astype("Float64").array
        values[rows] = column.to_numpy(dtype="float64", na_value=np.nan)[rows]
        missing[rows] = column.isna()[rows]
    return pd.Series(pd.arrays.FloatingArray(values, missing), index=posts.index)


def too_young(month_posts: pd.DataFrame) -> pd.Series:
    """Posts left out of the age basis (too young, or older ones without a growth curve)."""
    from workbench.stats.age_basis import USABLE_STATUSES

    status = month_posts["basis_status"]
    return ~status.isin([*USABLE_STATUSES, "no_snapshots"]).fillna(False)

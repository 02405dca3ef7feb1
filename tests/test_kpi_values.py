"""KpiValues' month and platform split against each KPI computed on the whole tables.

KpiValues finds every month's rows in one pass and splits them by platform (and metric);
each KPI's ``compute`` on the full tables filters them itself (``posts_in_month``,
``daily_in_month``, …). The two must agree on every KPI and month, edge rows included:
posts at local midnight on month boundaries, missing times, platforms and metrics, GA4
month-level rows beside daily ones, duplicate manual rows.
"""

import numpy as np
import pandas as pd
import pytest

from workbench.kpis import KpiValues, _unpack, basis_posts, campaign_rows, kpi_specs
from workbench.schema import conform, conform_posts
from workbench.stats.frames import exposure_of

TZ = "America/Toronto"
PLATFORMS = ["facebook", "instagram", "linkedin", "tiktok", None]
MONTHS = pd.period_range("2024-01", "2024-07", freq="M")


def _posts(rng: np.random.Generator, n: int = 240) -> pd.DataFrame:
    local = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h")
    # a few exactly at local midnight on the first of a month, and one missing time
    local = local.where(rng.random(n) > 0.05, local.normalize().to_period("M").to_timestamp())
    published = pd.Series(local).dt.tz_localize(TZ, nonexistent="shift_forward",
                                                ambiguous=True)
    published[3] = pd.NaT
    kinds = rng.choice(["reach", "impressions", "views", None], n)
    frame = pd.DataFrame({
        "platform": rng.choice(PLATFORMS, n, p=[0.3, 0.25, 0.2, 0.2, 0.05]),
        "post_id": [f"p{i}" for i in range(n)],
        "published_at": published,
        "exposure_kind": kinds,
        "reach": rng.integers(0, 5000, n),
        "impressions": rng.integers(0, 9000, n),
        "views": rng.integers(0, 4000, n),
        "interactions": pd.array(np.where(rng.random(n) < 0.1, None,
                                          rng.integers(0, 300, n)), dtype="Int64"),
        "format": rng.choice(["video", "reel", "photo", None], n),
    })
    frame["published_at_utc"] = frame["published_at"].dt.tz_convert("UTC")
    frame["snapshot_at"] = pd.Timestamp("2024-08-05", tz="UTC")
    return conform_posts(frame, TZ)


def _tables(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    posts = _posts(rng)
    dates = pd.date_range("2024-01-01", "2024-07-31", freq="D")
    n = len(dates) * 3
    daily = conform(pd.DataFrame({
        "platform": rng.choice(PLATFORMS, n, p=[0.3, 0.3, 0.2, 0.15, 0.05]),
        "account": "A",
        "date": np.tile(dates, 3),
        "metric": rng.choice(["follows", "net_follows", "profile_visits", "unique_visitors",
                              None], n),
        "value": rng.integers(0, 20, n).astype(float),
    }), "daily")
    web_daily = pd.DataFrame({
        "date": np.tile(dates, 2), "month": None,
        "dimension": rng.choice(["channel_group", "total", None], 2 * len(dates)),
        "dimension_value": rng.choice(["Direct", "Organic Search", "Organic Social"],
                                      2 * len(dates)),
        "metric": rng.choice(["sessions", "users"], 2 * len(dates)),
        "value": rng.integers(1, 90, 2 * len(dates)).astype(float),
    })
    web_monthly = pd.DataFrame({
        "date": pd.NaT, "month": ["2024-03", "2024-03", "2024-05", "2024-06"],
        "dimension": [None, "total", "channel_group", None],
        "dimension_value": [None, None, "Direct", None],
        "metric": ["users", "sessions", "sessions", "users"],
        "value": [700.0, 900.0, 300.0, 650.0],
    })
    web = conform(pd.concat([web_daily, web_monthly], ignore_index=True), "web")
    manual = conform(pd.DataFrame([
        {"month": "2024-04", "platform": "facebook", "kpi": "reach", "value": 5000.0},
        {"month": "2024-04", "platform": "facebook", "kpi": "reach", "value": 100.0},
        {"month": "2024-03", "platform": "instagram", "kpi": "reach", "value": None},
        {"month": "2024-05", "platform": "website", "kpi": "visits", "value": 1200.0},
        {"month": "2024-06", "platform": "services", "kpi": "interpretation_hours",
         "value": 40.0},
        {"month": None, "platform": "facebook", "kpi": "reach", "value": 1.0},
    ]), "manual")
    ads = conform(pd.DataFrame([
        {"period_start": f"2024-0{m}-01", "period_end": f"2024-0{m}-2{m}", "campaign": "C",
         "impressions": 100 * m, "clicks": 7 * m, "cost": 9.5 * m, "currency": "CAD",
         "conversions": float(m), "all_time": False, "level": "campaign"}
        for m in range(1, 8)
    ]), "ads")
    return {"posts": posts, "daily": daily, "web": web, "manual": manual, "ads": ads}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_kpi_and_month_agrees_with_filtering_the_whole_tables(seed):
    tables = _tables(seed)
    specs = kpi_specs(["interpretation_hours"])
    values = KpiValues(tables)
    plain = {**values.full, "ads": campaign_rows(values.full["ads"])}
    checked = 0
    for period in MONTHS:
        for spec in specs:
            expected = _unpack(spec.compute(plain, period), spec)
            assert values.get(spec, period) == expected, (spec.platform, spec.kpi, period)
            checked += expected[0] is not None
    assert checked > 100  # most KPI-months have a value: the comparison is not vacuous


def test_posts_on_the_basis_are_split_apart_from_all_posts():
    tables = _tables(3)
    values = KpiValues(tables)
    on_basis = basis_posts(tables["posts"], None, None).assign(
        interactions=lambda f: f["interactions"] * 2)
    spec = next(s for s in kpi_specs() if (s.platform, s.kpi) == ("facebook",
                                                                  "post_engagement"))
    period = MONTHS[3]
    plain = {**values.full, "posts": on_basis}
    assert values.get(spec, period, on_basis) == _unpack(spec.compute(plain, period), spec)
    assert values.get(spec, period, on_basis)[0] == 2 * values.get(spec, period)[0]


def _exposure_by_masks(posts: pd.DataFrame) -> pd.Series:
    """The definition of exposure_of, one pandas mask per kind."""
    exposure = pd.Series(pd.NA, index=posts.index, dtype="Float64")
    for kind in ("reach", "impressions", "views"):
        mask = (posts["exposure_kind"] == kind).fillna(False)
        exposure = exposure.mask(mask, posts[kind].astype("Float64"))
    return exposure


@pytest.mark.parametrize("dtype", ["Int64", "Float64", "float64", "int64"])
@pytest.mark.parametrize("n", [0, 1, 7, 60])
def test_exposure_of_matches_its_definition(dtype, n):
    rng = np.random.default_rng(n)

    def column() -> pd.Series:
        values = rng.integers(0, 1000, n).astype(float)
        if dtype == "int64":
            return pd.Series(values.astype("int64"))
        values[rng.random(n) < 0.3] = np.nan
        return pd.Series(values).astype(dtype)

    posts = pd.DataFrame({
        "exposure_kind": pd.Series(rng.choice(["reach", "impressions", "views", None, "x"], n),
                                   dtype="string"),
        "reach": column(), "impressions": column(), "views": column(),
    }, index=rng.permutation(n) + 100)
    pd.testing.assert_series_equal(exposure_of(posts), _exposure_by_masks(posts))

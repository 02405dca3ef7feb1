"""Month-over-month KPI change (statistics.md §6): decomposition, change interval, noise band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.schema import conform_posts
from workbench.stats.kpi_change import (
    change_interval,
    decompose_change,
    decomposition_sentence,
    noise_band,
    noise_band_detail,
    permutation_ratio_interval,
)

TZ = "America/Toronto"
PARAMS = {"seed": 20240301, "bootstrap_reps": 499}


def month_posts(rng, month, n, rate=0.03, alpha=0.7, reach_mean=1500, platform="facebook"):
    period = pd.Period(month, freq="M")
    start = period.start_time.tz_localize(TZ)
    span = (period.end_time.tz_localize(TZ) - start).total_seconds()
    published = start + pd.to_timedelta(rng.uniform(0, span, n), unit="s")
    reach = np.maximum(np.round(np.exp(rng.normal(np.log(reach_mean), 1.0, n))), 1).astype(int)
    mu = rate * reach
    y = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    return pd.DataFrame(
        {
            "platform": platform,
            "post_id": [f"{month}-{i}" for i in range(n)],
            "published_at": published,
            "published_at_utc": published.tz_convert("UTC"),
            "format": rng.choice(["photo", "video", "reel"], n),
            "exposure_kind": "reach",
            "reach": reach,
            "views": reach * 2,
            "interactions": y,
            "snapshot_at": (period + 2).start_time.tz_localize("UTC"),
            "boosted": False,
            "is_share": False,
        }
    )


def two_months(seed, n0=40, n1=40, rate1=0.03, reach1=1500):
    rng = np.random.default_rng(seed)
    frame = pd.concat(
        [
            month_posts(rng, "2024-02", n0),
            month_posts(rng, "2024-03", n1, rate=rate1, reach_mean=reach1),
        ],
        ignore_index=True,
    )
    return conform_posts(frame, TZ)


def test_decomposition_multiplies_back():
    posts = two_months(1, n0=35, n1=48, rate1=0.04, reach1=1200)
    table = decompose_change(posts, "facebook", "2024-03").set_index("factor")
    product = table.loc[["posts", "exposure_per_post", "interactions_per_exposure"], "ratio"].prod()
    assert product == pytest.approx(table.loc["interactions", "ratio"], rel=1e-12)
    assert table.loc["posts", "current"] == 48
    assert table.loc["posts", "previous"] == 35
    shares = table.loc[
        ["posts", "exposure_per_post", "interactions_per_exposure"], "share_of_change"
    ]
    assert shares.sum() == pytest.approx(1.0)
    march = posts[posts["published_at"].dt.month == 3]
    assert table.loc["interactions", "current"] == march["interactions"].sum()
    assert "interactions =" in decomposition_sentence(table.reset_index())


def test_decomposition_uses_local_month():
    # 2024-03-01 01:30 Toronto is still February in UTC-8 exports; it belongs to March.
    local = pd.Timestamp("2024-03-01 01:30", tz=TZ)
    frame = pd.DataFrame(
        {
            "platform": ["facebook", "facebook"],
            "post_id": ["a", "b"],
            "published_at": [local, pd.Timestamp("2024-02-10 12:00", tz=TZ)],
            "published_at_utc": [local.tz_convert("UTC"), pd.Timestamp("2024-02-10 17:00Z")],
            "exposure_kind": "reach",
            "reach": [100, 200],
            "interactions": [10, 10],
        }
    )
    table = decompose_change(conform_posts(frame, TZ), "facebook", "2024-03").set_index("factor")
    assert table.loc["posts", "current"] == 1 and table.loc["posts", "previous"] == 1


def test_empty_previous_month_gives_nan():
    posts = two_months(2)
    posts = posts[posts["published_at"].dt.month == 3]
    table = decompose_change(posts, "facebook", "2024-03")
    assert table["ratio"].isna().all()
    assert decomposition_sentence(table).startswith("No comparison")


def test_interval_covers_true_change_and_is_seeded():
    covered = 0
    runs = 30
    for seed in range(runs):
        posts = two_months(100 + seed, n0=40, n1=40, rate1=0.03)  # no true change
        low, high = change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS)
        assert low is not None and low < high
        covered += low <= 0.0 <= high
    assert covered / runs >= 0.85

    posts = two_months(7, rate1=0.06)  # true change +100 % (per-post rate doubles)
    low, high = change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS)
    assert low < 100.0 < high
    again = change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS)
    assert again == (low, high)


@pytest.mark.parametrize("kpi", ["top_post_reach", "avg_views_per_video"])
def test_other_post_kpis_have_intervals(kpi):
    posts = two_months(3)
    low, high = change_interval(posts, "facebook", kpi, "2024-03", PARAMS)
    assert low is not None and high is not None and low < high


def _interactions(rng, n, sigma=1.0, viral=0.0, alpha=0.7):
    reach = np.maximum(np.round(np.exp(rng.normal(np.log(1500), sigma, n))), 1)
    mu = 0.03 * reach * np.where(rng.random(n) < viral, 10.0, 1.0)
    return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float), reach


@pytest.mark.parametrize(
    ("sigma", "viral", "statistic"),
    [
        (1.0, 0.0, "mean"),  # the §6.3 scenario: BCa excluded the truth in 10-11 % here
        (1.2, 0.02, "mean"),  # heavier tails + viral posts: BCa 13 %
        (1.0, 0.0, "max"),  # top_post_reach
    ],
)
def test_no_change_interval_type_one_error(sigma, viral, statistic):
    """400 seeded null runs, 40 vs 40 posts: the 95 % interval excludes 1 in ≈ 5 % (MC SE 1.1 %).

    The report labels a change "a real change" when this interval excludes 0 %; a regression
    back to an anti-conservative interval (≥ 8.5 %) fails here.
    """
    rng = np.random.default_rng(42)
    excluded = 0
    runs = 400
    for rep in range(runs):
        (y0, reach0), (y1, reach1) = (
            _interactions(rng, 40, sigma, viral),
            _interactions(rng, 40, sigma, viral),
        )
        current, previous = (y1, y0) if statistic == "mean" else (reach1, reach0)
        low, high = permutation_ratio_interval(
            current, previous, statistic=statistic, n_permutations=499, seed=rep
        )
        excluded += not (low <= 1.0 <= high)
    assert 0.015 <= excluded / runs <= 0.085


def test_interval_of_total_includes_the_volume_change():
    # Same per-post distribution, 25 → 60 posts: the total is expected to be 2.4×.
    rng = np.random.default_rng(9)
    frame = pd.concat(
        [month_posts(rng, "2024-02", 25), month_posts(rng, "2024-03", 60)], ignore_index=True
    )
    posts = conform_posts(frame, TZ)
    low, high = change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS)
    table = decompose_change(posts, "facebook", "2024-03").set_index("factor")
    change = table.loc["interactions", "change_pct"]
    assert low < change < high
    assert low < 140.0 < high
    mean_low, mean_high = permutation_ratio_interval(
        posts.loc[posts["published_at"].dt.month == 3, "interactions"].to_numpy(float),
        posts.loc[posts["published_at"].dt.month == 2, "interactions"].to_numpy(float),
        n_permutations=499,
        seed=PARAMS["seed"],
    )
    assert low == pytest.approx(100 * (mean_low * 60 / 25 - 1))
    assert high == pytest.approx(100 * (mean_high * 60 / 25 - 1))


def test_no_interactions_this_month_gives_no_interval():
    posts = two_months(11)
    posts = posts.assign(
        interactions=posts["interactions"].where(posts["published_at"].dt.month == 2, 0)
    )
    assert change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS) == (
        None,
        None,
    )


def test_too_few_posts_no_interval():
    posts = two_months(4, n0=3, n1=40)
    assert change_interval(posts, "facebook", "post_engagement", "2024-03", PARAMS) == (None, None)


def test_noise_band():
    rng = np.random.default_rng(5)
    months = [str(p) for p in pd.period_range("2022-01", "2024-03", freq="M")]
    values = pd.Series(1000 * np.exp(np.cumsum(rng.normal(0, 0.15, len(months)))), index=months)
    band = noise_band(values, "2024-03")
    assert band is not None
    low, high = band
    assert low < 0 < high
    # ±2 robust SD of N(0, 0.15) log changes ≈ −26 % … +35 %
    assert -45 < low < -12 and 15 < high < 60
    detail = noise_band_detail(values, "2024-03")
    assert detail["n_changes"] == 24
    spiked = values.copy()
    spiked["2024-03"] = spiked["2024-02"] * 3
    assert noise_band_detail(spiked, "2024-03")["unusual"] is True


def test_noise_band_needs_history():
    values = pd.Series([100.0, 120.0, 90.0], index=["2024-01", "2024-02", "2024-03"])
    assert noise_band(values, "2024-03") is None
    gap = pd.Series(
        [100.0, 110.0, 120.0, 130.0], index=["2023-01", "2023-03", "2023-05", "2023-07"]
    )
    assert noise_band(gap, "2023-08") is None  # no consecutive pairs

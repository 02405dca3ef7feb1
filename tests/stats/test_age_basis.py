"""Post metrics at a fixed age from every download of every post (issue 11 §1)."""

import numpy as np
import pandas as pd
import pytest

from workbench.sample.outcomes import growth
from workbench.stats.age_basis import (
    basis_label,
    fit_growth_curve,
    metrics_at_age,
    posts_at_basis,
)


def _snapshots(rng, n_posts=120, platform="facebook", ages_per_post=(1, 3)):
    """post_snapshots rows: lifetime counts along the sample generator's growth curve."""
    rows, finals = [], {}
    published = pd.Timestamp("2024-03-01", tz="UTC")
    for i in range(n_posts):
        final_y = int(rng.negative_binomial(2, 2 / (2 + 300)))
        final_reach = int(rng.lognormal(8, 0.8))
        post_id = f"p{i}"
        finals[post_id] = (final_y, final_reach)
        k = int(rng.integers(ages_per_post[0], ages_per_post[1] + 1))
        for age in np.sort(rng.uniform(1.0, 60.0, k)):
            share = growth(age)
            rows.append({"platform": platform, "post_id": post_id,
                         "snapshot_at": published + pd.Timedelta(days=float(age)),
                         "age_days": float(age),
                         "interactions": int(np.floor(final_y * share)),
                         "reach": int(np.floor(final_reach * share))})
    frame = pd.DataFrame(rows)
    for c in ("interactions", "reach"):
        frame[c] = frame[c].astype("Int64")
    return frame, finals


def test_basis_label_words():
    assert basis_label(7) == "interactions in the first 7 days"
    assert basis_label(1, "reach") == "reach in the first 1 day"


def test_exact_interpolated_and_too_young():
    snaps = pd.DataFrame({
        "platform": ["facebook"] * 5,
        "post_id": ["a", "a", "b", "c", "c"],
        "snapshot_at": pd.to_datetime(["2024-03-05"] * 5, utc=True),
        "age_days": [3.0, 11.0, 4.0, 7.2, 30.0],
        "interactions": pd.array([10, 30, 5, 40, 90], dtype="Int64"),
    })
    out = metrics_at_age(snaps, 7).set_index("post_id")
    assert out.loc["a", "basis_status"] == "interpolated"
    assert out.loc["a", "interactions"] == pytest.approx(20.0)  # halfway from 3 to 11 days
    assert out.loc["b", "basis_status"] == "too_young"
    assert pd.isna(out.loc["b", "interactions"])
    assert out.loc["c", "basis_status"] == "exact"
    assert out.loc["c", "interactions"] == 40
    assert not snaps.empty and list(snaps["age_days"]) == [3.0, 11.0, 4.0, 7.2, 30.0]


def test_no_curve_without_repeated_downloads():
    snaps = pd.DataFrame({
        "platform": ["facebook"], "post_id": ["a"],
        "snapshot_at": pd.to_datetime(["2024-03-30"], utc=True),
        "age_days": [25.0], "interactions": pd.array([50], dtype="Int64"),
    })
    out = metrics_at_age(snaps, 7)
    assert out.loc[0, "basis_status"] == "no_curve"
    assert pd.isna(out.loc[0, "interactions"])


def test_growth_curve_recovers_the_planted_curve():
    snaps, _ = _snapshots(np.random.default_rng(1), n_posts=300)
    curve = fit_growth_curve(snaps, "reach")
    from workbench.stats.age_basis import _curve_at

    for young, old in ((7, 28), (7, 49), (3, 10)):
        fitted = _curve_at(curve, old) - _curve_at(curve, young)
        planted = np.log(growth(old) / growth(young))
        assert fitted == pytest.approx(planted, abs=0.05)


def test_basis_total_matches_the_truth_at_the_basis():
    snaps, finals = _snapshots(np.random.default_rng(2), n_posts=200)
    out = metrics_at_age(snaps, 7)
    usable = out[out["basis_status"].isin(["exact", "interpolated", "curve"])]
    assert len(usable) > 150
    truth = sum(np.floor(finals[p][1] * growth(7)) for p in usable["post_id"])
    assert usable["reach"].sum() == pytest.approx(truth, rel=0.03)
    young = out[out["basis_status"] == "too_young"]
    assert (young["oldest_age_days"] < 7).all()


def test_posts_at_basis_replaces_metrics_and_keeps_every_post():
    snaps = pd.DataFrame({
        "platform": ["facebook"] * 3, "post_id": ["a", "a", "b"],
        "snapshot_at": pd.to_datetime(["2024-03-05"] * 3, utc=True),
        "age_days": [3.0, 11.0, 4.0],
        "interactions": pd.array([10, 30, 5], dtype="Int64"),
        "reach": pd.array([100, 300, 50], dtype="Int64"),
    })
    posts = pd.DataFrame({
        "platform": ["facebook", "facebook", "facebook"], "post_id": ["a", "b", "z"],
        "interactions": pd.array([30, 5, 8], dtype="Int64"),
        "reach": pd.array([300, 50, 80], dtype="Int64"),
    })
    out = posts_at_basis(posts, snaps, 7)
    assert list(out["basis_status"]) == ["interpolated", "too_young", "no_snapshots"]
    assert out["interactions"].tolist()[0] == 20
    assert pd.isna(out["interactions"].iloc[1])
    assert out["interactions"].iloc[2] == 8  # no snapshots: the newest value stays
    assert posts["interactions"].tolist() == [30, 5, 8]  # input untouched
    assert str(out["interactions"].dtype) == "Int64"

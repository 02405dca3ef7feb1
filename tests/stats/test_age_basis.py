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
        "age_days": [3.0, 11.0, 1.0, 7.2, 30.0],
        "interactions": pd.array([10, 30, 5, 40, 90], dtype="Int64"),
    })
    out = metrics_at_age(snaps, 7).set_index("post_id")
    assert out.loc["a", "basis_status"] == "interpolated"
    assert out.loc["a", "interactions"] == pytest.approx(20.0)  # halfway from 3 to 11 days
    assert out.loc["b", "basis_status"] == "too_young"
    assert pd.isna(out.loc["b", "interactions"])
    assert out.loc["c", "basis_status"] == "exact"
    assert out.loc["c", "interactions"] == 40
    assert not snaps.empty and list(snaps["age_days"]) == [3.0, 11.0, 1.0, 7.2, 30.0]


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
        "age_days": [3.0, 11.0, 1.0],
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


TZ = "America/Toronto"


def _frames_from_truth(truth):
    """posts (newest download) and post_snapshots (every download) as ingest builds them."""
    from workbench.schema import conform_posts

    posts, snaps = [], []
    for p in truth["posts"]:
        if not p["snapshots"]:
            continue
        published = pd.Timestamp(p["published_at"])
        exposure = p["exposure_kind"]
        posts.append({"platform": p["platform"], "post_id": p["post_id"],
                      "published_at": published, "exposure_kind": exposure,
                      "format": p["format"], exposure: p["newest"]["reach"],
                      "interactions": p["newest"]["interactions"]})
        for s in p["snapshots"]:
            taken = pd.Timestamp(s["snapshot_at"])
            snaps.append({"platform": p["platform"], "post_id": p["post_id"],
                          "snapshot_at": taken,
                          "age_days": (taken - published).total_seconds() / 86400,
                          "interactions": s["interactions"], exposure: s["reach"]})
    frame = pd.DataFrame(posts)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True).dt.tz_convert(TZ)
    frame["published_at_utc"] = frame["published_at"].dt.tz_convert("UTC")
    return conform_posts(frame, TZ), pd.DataFrame(snaps)


@pytest.fixture(scope="module")
def autumn_sample(tmp_path_factory):
    from workbench.sample.generator import generate_sample

    params = {"name": "Sample Org", "timezone": TZ}
    out = tmp_path_factory.mktemp("age_basis") / "raw"
    return generate_sample(out, seed=7, start="2024-09", end="2024-11", params=params)


def test_sample_redownloads_posts_at_several_ages(autumn_sample):
    _, snaps = _frames_from_truth(autumn_sample)
    meta = snaps[snaps["platform"].isin(["facebook", "instagram"])]
    per_post = meta.groupby(["platform", "post_id"]).size()
    assert (per_post >= 2).mean() > 0.6
    assert meta["age_days"].min() < 3 and meta["age_days"].max() > 45


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_reported_change_matches_the_matured_truth(autumn_sample, platform):
    from workbench.kpis import kpi_table

    posts, snaps = _frames_from_truth(autumn_sample)
    truth = autumn_sample["kpis_at_age"]["7"]
    frame = kpi_table({"posts": posts, "post_snapshots": snaps}, "2024-11", post_age_days=7)
    downloaded = kpi_table({"posts": posts}, "2024-11")
    for name in ("post_engagement", "top_post_reach"):
        true_ratio = truth["2024-11"][platform][name] / truth["2024-10"][platform][name]
        row = frame[(frame.platform == platform) & (frame.kpi == name)].iloc[0]
        old = downloaded[(downloaded.platform == platform) & (downloaded.kpi == name)].iloc[0]
        assert row.basis.endswith("in the first 7 days")
        ratio = 1 + row.change_pct / 100
        assert np.sign(ratio - 1) == np.sign(true_ratio - 1)
        assert ratio == pytest.approx(true_ratio, rel=0.05)
        # as downloaded, the older month had grown longer: further from the truth
        assert abs(np.log(1 + old.change_pct / 100) - np.log(true_ratio)) > abs(
            np.log(ratio) - np.log(true_ratio))


def test_platform_without_repeated_downloads_borrows_the_curve_of_all_platforms():
    """TikTok in the sample: posts downloaded once, at 10-40 days, too few pairs for a curve
    of its own; each is scaled back to 7 days along the curve of every platform's pairs and
    says so, and lands on the planted value (one curve for all platforms, as generated)."""
    rng = np.random.default_rng(5)
    facebook, _ = _snapshots(rng, n_posts=200)
    tiktok, finals = _snapshots(rng, n_posts=6, platform="tiktok", ages_per_post=(1, 1))
    tiktok = tiktok.assign(age_days=np.linspace(10.0, 40.0, len(tiktok)))
    tiktok["interactions"] = [int(np.floor(finals[p][0] * growth(a))) for p, a in
                              zip(tiktok["post_id"], tiktok["age_days"], strict=True)]
    tiktok["interactions"] = tiktok["interactions"].astype("Int64")
    assert fit_growth_curve(tiktok, "interactions") is None  # too few pairs on its own
    out = metrics_at_age(pd.concat([facebook, tiktok], ignore_index=True), 7)
    mine = out[out["platform"] == "tiktok"].set_index("post_id")
    assert set(mine["basis_status"]) == {"curve"}
    assert set(mine["basis_curve"]) == {"all platforms"}
    assert set(out.loc[out["platform"] == "facebook", "basis_curve"].dropna()) == {
        "own platform"}
    truth = np.array([finals[p][0] * growth(7) for p in mine.index])
    assert mine["interactions"].to_numpy(dtype=float).sum() == pytest.approx(truth.sum(),
                                                                              rel=0.05)

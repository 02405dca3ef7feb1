"""Topic ranking (statistics.md §5): planted winner found, quotas/floors/caps, determinism."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.schema import conform_posts
from workbench.stats.topics import (
    TopicRanking,
    clip_shares,
    effective_counts,
    largest_remainder,
    month_window,
    rank_topics,
)

TZ = "America/Toronto"
TOPICS = ["employment", "housing", "youth", "volunteering", "language_classes", "donor_thanks"]


def make_params(**extra):
    params = {
        "timezone": TZ,
        "window_months": 6,
        "min_post_age_days": 7,
        "seed": 20240301,
        "topics": {
            "employment": {},
            "housing": {},
            "youth": {},
            "volunteering": {},
            "language_classes": {"quota": 0.10},
            "donor_thanks": {"quota": 0.05},
        },
        "topic_ranking": {"draws": 4000},
    }
    params.update(extra)
    return params


def simulate(seed, n=240, rate_ratios=None, alpha=0.7, end="2024-06"):
    """Posts over the 6 months ending at ``end`` with topic rate ratios planted."""
    rng = np.random.default_rng(seed)
    rate_ratios = rate_ratios or {}
    last = pd.Period(end, freq="M")
    start = (last - 5).start_time.tz_localize(TZ)
    span = (last.end_time.tz_localize(TZ) - start).total_seconds()
    published = start + pd.to_timedelta(np.sort(rng.uniform(0, span, n)), unit="s")
    platform = rng.choice(["facebook", "instagram"], n)
    topic = rng.choice(TOPICS, n)
    reach = np.maximum(np.round(np.exp(rng.normal(np.log(1500), 1.0, n))), 1).astype(int)
    ratio = np.array([rate_ratios.get(t, 1.0) for t in topic])
    mu = 0.03 * reach * ratio * np.where(platform == "instagram", 1.3, 1.0)
    y = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    posts = pd.DataFrame(
        {
            "platform": platform,
            "post_id": [f"p{i}" for i in range(n)],
            "published_at": published,
            "published_at_utc": published.tz_convert("UTC"),
            "format": "photo",
            "exposure_kind": "reach",
            "reach": reach,
            "interactions": y,
            "snapshot_at": (last + 1).end_time.tz_localize("UTC"),
            "boosted": False,
            "is_share": False,
        }
    )
    labels = pd.DataFrame(
        {"platform": platform, "post_id": posts["post_id"], "topic": topic, "human_centred": False}
    )
    return conform_posts(posts, TZ), labels


def test_month_window():
    assert month_window("2024-03", 6) == ("2023-10", "2024-03")


def test_planted_topic_has_highest_p_best():
    posts, labels = simulate(1, rate_ratios={"housing": 2.0})
    ranking = rank_topics(posts, labels, params=make_params(), month="2024-06")
    frame = ranking.to_frame()
    assert ranking.best_topic() == "housing"
    housing = frame.set_index("topic").loc["housing"]
    assert housing["p_best"] > 0.8
    assert housing["ci_low"] > 1.0
    assert ranking.mode == "thompson"


def test_inputs_not_mutated_and_deterministic():
    posts, labels = simulate(2, rate_ratios={"youth": 1.8})
    before = posts.copy()
    first = rank_topics(posts, labels, params=make_params(), month="2024-06")
    second = rank_topics(posts, labels, params=make_params(), month="2024-06")
    pd.testing.assert_frame_equal(posts, before)
    pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())
    other_seed = rank_topics(posts, labels, params=make_params(seed=7), month="2024-06")
    assert not np.allclose(first.to_frame()["p_best"], other_seed.to_frame()["p_best"])


def test_quotas_floors_caps_and_sum():
    posts, labels = simulate(3, rate_ratios={"employment": 3.0})
    ranking = rank_topics(posts, labels, params=make_params(), month="2024-06")
    frame = ranking.to_frame().set_index("topic")
    assert ranking.mode == "thompson"
    assert frame["recommended_share"].sum() == pytest.approx(1.0)
    assert frame.loc["language_classes", "recommended_share"] == pytest.approx(0.10)
    assert frame.loc["donor_thanks", "recommended_share"] == pytest.approx(0.05)
    free = frame.loc[frame["quota"].isna(), "recommended_share"] / 0.85
    k_free = len(free)
    assert (free >= 1 / (2 * k_free) - 1e-9).all()
    assert (free <= 0.40 + 1e-9).all()
    assert free["employment"] == pytest.approx(0.40)  # capped
    assert frame["recommended_posts"].sum() == ranking.planned_posts


def test_no_effect_rarely_confident():
    confident = 0
    for seed in range(10):
        posts, labels = simulate(100 + seed)
        frame = rank_topics(posts, labels, params=make_params(), month="2024-06").to_frame()
        confident += int(frame["p_best"].max() > 0.8)
    assert confident <= 2


def test_keep_current_mix_with_few_posts():
    posts, labels = simulate(4, n=45)
    ranking = rank_topics(posts, labels, params=make_params(), month="2024-06")
    assert ranking.mode == "keep_current_mix"
    frame = ranking.to_frame().set_index("topic")
    assert frame["recommended_share"].sum() == pytest.approx(1.0)
    assert frame.loc["language_classes", "recommended_share"] == pytest.approx(0.10)
    assert any("keep the current mix" in line for line in ranking.plan_text())


def test_to_json_is_json_safe():
    posts, labels = simulate(5)
    ranking = rank_topics(posts, labels, params=make_params(), month="2024-06")
    payload = ranking.to_json()
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text)["window"] == "2024-01..2024-06"
    assert len(payload["topics"]) == len(TOPICS)
    assert isinstance(ranking, TopicRanking)
    assert "<table" in ranking._repr_html_()


def test_clip_shares_and_rounding():
    shares = clip_shares(np.array([0.9, 0.05, 0.03, 0.02]), floor=0.125, cap=0.4)
    assert shares.sum() == pytest.approx(1.0)
    assert shares.max() <= 0.4 + 1e-12 and shares.min() >= 0.125 - 1e-12
    counts = largest_remainder(shares, 17)
    assert counts.sum() == 17


def test_effective_counts_inflation():
    y = np.array([10.0, 20.0, 30.0])
    mu = np.array([10.0, 20.0, 30.0])
    out = effective_counts(y, mu, 0.5, pd.Series(["a", "a", "b"]))
    # D = 1 + α Σμ² / E
    assert out.loc["a", "inflation"] == pytest.approx(1 + 0.5 * (100 + 400) / 30)
    assert out.loc["b", "observed_eff"] == pytest.approx(30 / (1 + 0.5 * 30))

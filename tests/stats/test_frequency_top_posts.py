"""Posting frequency and fair top posts on simulated data."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workbench.sample.outcomes import StrategyPlant
from workbench.sample.strategy import PROFILE, strategy_sample
from workbench.stats.frequency import (
    FREQUENCY_ID,
    FREQUENCY_IDS,
    FREQUENCY_PER_POST_ID,
    PLAN_LITTLE,
    PLAN_TAKES,
    frequency_rows,
    judge_frequency,
    posting_frequency,
    weekly_post_counts,
)
from workbench.stats.hypotheses import HYPOTHESIS_FIELDS, HypothesisResult, adjust_results
from workbench.stats.outcomes import audience_at_publish, prepare_posts
from workbench.stats.top_posts import fair_top_posts


def _history(posts):
    prepared = prepare_posts(posts, None, tz="America/Toronto")
    audience, source, _ = audience_at_publish(prepared.data, None)
    return prepared.data.assign(audience=audience, audience_source=source)


@pytest.fixture(scope="module")
def cannibalised():
    """Facebook, 3 → 4 posts a week with reach × 0.5 above 3 (the week's total × 0.67)."""
    plant = StrategyPlant(hashtag_reach=1.0, frequency_decay=0.5, strong_month=None,
                          local_tags=tuple(PROFILE["local_hashtags"]))
    posts, _ = strategy_sample(seed=5, plant=plant)
    counts = weekly_post_counts(posts, "America/Toronto")
    return posting_frequency(_history(posts), "facebook", knot=3, week_posts=counts["facebook"],
                             window="2024-01..2025-06")


def test_strong_cannibalisation_is_firm_and_worded(cannibalised):
    result = cannibalised
    # Truth: the week's total goes from 3 to 4 posts × (4/3)·0.5 = 0.67.
    assert result.total_ci[0] <= 4 / 3 * 0.5 <= result.total_ci[1]
    assert result.plan == PLAN_TAKES and result.firm
    assert "takes engagement from the other 3" in result.sentence()
    assert result.sentence().endswith("; strong.")
    assert result.to_dict()["firm"] is True


def test_frequency_rows_carry_the_design_fields_and_agree_with_the_answer(cannibalised):
    rows = frequency_rows(cannibalised)
    assert [r.id for r in rows] == list(FREQUENCY_IDS)
    frame = pd.concat([r.to_frame() for r in rows], ignore_index=True)
    assert list(frame.columns[:len(HYPOTHESIS_FIELDS)]) == list(HYPOTHESIS_FIELDS)
    total = rows[0]
    assert total.outcome == "weekly_interactions" and total.platform == "facebook"
    assert total.estimate == pytest.approx(cannibalised.total_ratio)
    assert (total.ci_low, total.ci_high) == pytest.approx(cannibalised.total_ci)
    assert total.n == cannibalised.n_weeks
    assert sum(total.n_group.values()) == cannibalised.n_weeks
    assert total.n_group["with"] == sum(n for k, n in cannibalised.weekly_posts.items() if k > 3)
    # p of R = 1 agrees with the interval: it excludes 1 exactly when p < 0.05
    for row in rows:
        assert (row.ci_high < 1 or row.ci_low > 1) == (row.p_value < 0.05), row.id
    assert rows[1].p_value == pytest.approx(cannibalised.p_value)
    assert rows[0].warnings[0] == "going from 3 to 4 posts a week"


def _in_family(rows, size):
    """``rows`` adjusted (BH) together with ``size`` null comparisons at p = 0.9."""
    nulls = [HypothesisResult(id=f"topic:t{i}", platform="all", window="w", outcome="o",
                              estimate=1.0, ci_low=0.8, ci_high=1.2, p_value=0.9,
                              p_adjusted=0.9, n=100, n_group={"with": 50, "without": 50},
                              method="negbin", mde=1.3, underpowered=False,
                              confidence="inconclusive", covariates=[])
             for i in range(size)]
    adjusted, _ = adjust_results([*nulls, *rows], {"alpha": 0.05, "fdr_q": 0.10})
    return adjusted[size:]


def test_the_plan_uses_the_answer_only_when_the_adjusted_evidence_is_firm(cannibalised):
    rows = frequency_rows(cannibalised)
    alone = judge_frequency(cannibalised, _in_family(rows, 0))
    assert alone.in_family and alone.plan == PLAN_TAKES and alone.plan_confidence == "strong"
    assert alone.plan_line().startswith("Posting frequency, Facebook: keep to 3 posts a week")
    # A p-value just strong on its own (p = 0.01) is no longer firm in a family of 40:
    # BH gives 0.01·41/… > alpha, so the label drops and the plan says nothing.
    weak = [r if r.id != FREQUENCY_ID else replace(r, p_value=0.01) for r in rows]
    weak = [r if r.id != FREQUENCY_PER_POST_ID else replace(r, p_value=0.2) for r in weak]
    assert judge_frequency(cannibalised, _in_family(weak, 0)).plan == PLAN_TAKES
    crowded = judge_frequency(cannibalised, _in_family(weak, 40))
    assert crowded.confidence[FREQUENCY_ID] != "strong"
    assert crowded.p_adjusted[FREQUENCY_ID] > 0.05
    assert crowded.plan is None and crowded.plan_line() is None
    assert crowded.sentence().endswith(
        "the data cannot yet say firmly whether an extra post adds or takes engagement; "
        f"{crowded.confidence[FREQUENCY_ID]}.")
    # Diminishing returns rest on the per-post row.
    little = [r if r.id != FREQUENCY_ID else replace(r, p_value=0.5) for r in rows]
    judged = judge_frequency(cannibalised, _in_family(little, 0))
    assert judged.plan == PLAN_LITTLE and judged.plan_confidence == "strong"
    assert "adds less than an average post" in judged.plan_line()


def test_too_few_weeks_is_insufficient():
    posts, _ = strategy_sample(seed=5, start="2025-01", end="2025-03")
    data = _history(posts)
    result = posting_frequency(data, "facebook")
    assert result.method == "insufficient" and result.plan is None
    assert "too few weeks" in result.sentence()
    (row,) = frequency_rows(result)
    assert row.id == FREQUENCY_ID and row.method == "insufficient"
    assert row.confidence == "inconclusive" and row.n == result.n_weeks


def _frame(platform, y, exposure, month="2025-06"):
    n = len(y)
    return pd.DataFrame({
        "platform": platform, "post_id": [f"{platform}{i}" for i in range(n)],
        "published_local": pd.Timestamp("2025-06-10", tz="America/Toronto"),
        "fmt": "photo", "month": month, "y": np.asarray(y, dtype="float64"),
        "exposure": np.asarray(exposure, dtype="float64"),
    })


def test_fair_score_shrinks_small_counts():
    # Below MIN_POSTS_MODEL: ratio-of-sums baseline, dispersion 1. A post with 3 interactions
    # where about 1 is expected must not outrank one with 300 where about 100 are expected.
    small = _frame("linkedin", [3, 0.5, 0.5, 0.5, 0.5, 0.5], [100] * 6)
    big = _frame("facebook", [300, 50, 50, 50, 50, 50], [1000] * 6)
    top = fair_top_posts(pd.concat([small, big], ignore_index=True), "2025-06", n=3)
    assert top.top.iloc[0]["post_id"] == "facebook0"
    scored = top.scored.set_index("post_id")
    # Same raw ratio (3.27× each); the post with more evidence ranks first.
    assert np.isclose(scored.loc["facebook0", "times_usual_raw"],
                      scored.loc["linkedin0", "times_usual_raw"])
    assert scored.loc["facebook0", "rank"] < scored.loc["linkedin0", "rank"]
    assert list(top.best_by_platform["platform"]) == ["facebook", "linkedin"]
    assert top.to_dict()["top"][0]["sentence"].startswith("Facebook photo post of 2025-06-10")

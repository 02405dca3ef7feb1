"""Posting frequency and fair top posts on simulated data."""

import numpy as np
import pandas as pd

from workbench.sample.outcomes import StrategyPlant
from workbench.sample.strategy import PROFILE, strategy_sample
from workbench.stats.frequency import PLAN_TAKES, posting_frequency, weekly_post_counts
from workbench.stats.outcomes import audience_at_publish, prepare_posts
from workbench.stats.top_posts import fair_top_posts


def _history(posts):
    prepared = prepare_posts(posts, None, tz="America/Toronto")
    audience, source, _ = audience_at_publish(prepared.data, None)
    return prepared.data.assign(audience=audience, audience_source=source)


def test_strong_cannibalisation_is_firm_and_worded():
    plant = StrategyPlant(hashtag_reach=1.0, frequency_decay=0.5, strong_month=None,
                          local_tags=tuple(PROFILE["local_hashtags"]))
    posts, _ = strategy_sample(seed=5, plant=plant)
    data = _history(posts)
    counts = weekly_post_counts(posts, "America/Toronto")
    result = posting_frequency(data, "facebook", knot=3, week_posts=counts["facebook"])
    # Truth: the week's total goes from 3 to 4 posts × (4/3)·0.5 = 0.67.
    assert result.total_ci[0] <= 4 / 3 * 0.5 <= result.total_ci[1]
    assert result.plan == PLAN_TAKES and result.firm
    assert "takes engagement from the other 3" in result.sentence()
    assert result.to_dict()["firm"] is True


def test_too_few_weeks_is_insufficient():
    posts, _ = strategy_sample(seed=5, start="2025-01", end="2025-03")
    data = _history(posts)
    result = posting_frequency(data, "facebook")
    assert result.method == "insufficient" and result.plan is None
    assert "too few weeks" in result.sentence()


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

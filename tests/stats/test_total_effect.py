import json
import math

import numpy as np
import pandas as pd
import pytest

from workbench.stats.hypotheses import run_hypotheses, test_label
from workbench.stats.outcomes import (
    AUDIENCE_FOLLOWERS,
    AUDIENCE_MEDIAN_EXPOSURE,
    audience_at_publish,
    follower_series,
    prepare_posts,
)
from workbench.stats.simulate import simulate_daily, simulate_posts, three_number_check

PARAMS = {"seed": 1, "permutations": 199}


def test_followers_from_gains_anchored_on_levels():
    days = pd.date_range("2024-01-01", periods=10, freq="D")
    daily = pd.concat([
        pd.DataFrame({"platform": "facebook", "account": "A", "date": days,
                      "metric": "follows", "value": 10.0}),
        pd.DataFrame({"platform": "facebook", "account": "A", "date": days[[2]],
                      "metric": "followers_total", "value": [1000.0]}),
        # an overlapping download repeats a day: counted once
        pd.DataFrame({"platform": "facebook", "account": "A", "date": days[[5]],
                      "metric": "follows", "value": [10.0]}),
        # gains only, no level: no series
        pd.DataFrame({"platform": "linkedin", "account": "B", "date": days,
                      "metric": "follows", "value": 3.0}),
    ], ignore_index=True)
    series = follower_series(daily)
    fb = series[("facebook", "A")]
    assert fb[days[2]] == 1000 and fb[days[9]] == 1070 and fb[days[0]] == 980
    assert ("linkedin", "B") not in series and ("linkedin", "") not in series


def test_audience_fallback_is_said():
    posts, labels = simulate_posts(np.random.default_rng(1), 80,
                                   platform_mix={"facebook": 0.5, "linkedin": 0.5})
    fb = posts[posts["platform"] == "facebook"]
    daily = simulate_daily(fb)
    data = prepare_posts(posts, labels).data
    audience, source, notes = audience_at_publish(data, daily)
    is_fb = (data["platform"] == "facebook").to_numpy()
    assert (source[is_fb] == AUDIENCE_FOLLOWERS).all()
    assert (source[~is_fb] == AUDIENCE_MEDIAN_EXPOSURE).all()
    assert audience.notna().all() and (audience > 0).all()
    assert any("no follower level for linkedin" in n for n in notes)


def test_three_numbers_multiply_up_on_planted_distribution_effect():
    frame = three_number_check(reps=8, n=320, irr_label=1.3, reach_boost_label=1.5, seed=3)
    assert (frame["audience"] == AUDIENCE_FOLLOWERS).all()
    assert frame["estimate_reach"].map(math.log).mean() == pytest.approx(math.log(1.5), abs=0.1)
    assert frame["estimate"].map(math.log).mean() == pytest.approx(math.log(1.3), abs=0.1)
    assert frame["estimate_total"].map(math.log).mean() == pytest.approx(math.log(1.95),
                                                                          abs=0.12)
    assert frame["product_gap"].abs().median() < 0.15
    assert frame["covers_total"].mean() >= 0.75


def test_records_and_daily_argument():
    posts, labels = simulate_posts(np.random.default_rng(4), 200, irr_label=1.2,
                                   reach_boost_label=1.4)
    daily = simulate_daily(posts)
    # positional signature unchanged; daily is optional
    table = run_hypotheses(posts, labels, {**PARAMS, "window_months": 6}, "2024-06", daily)
    row = next(r for r in table if r.id == "human_centred")
    assert row.audience_offset == {"facebook": AUDIENCE_FOLLOWERS}
    assert row.ci_reach_low < row.estimate_reach < row.ci_reach_high
    assert row.ci_total_low < row.estimate_total < row.ci_total_high
    record = table.to_records(details=True)[0]
    json.dumps(record, allow_nan=False)
    for key in ("estimate_reach", "ci_reach_low", "ci_reach_high", "estimate_total",
                "ci_total_low", "ci_total_high", "product_gap", "audience_offset"):
        assert key in record
    no_daily = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert no_daily.audience_offset == {"facebook": AUDIENCE_MEDIAN_EXPOSURE}


def test_product_check_note_when_it_fails(monkeypatch):
    from workbench.stats import influence

    posts, labels = simulate_posts(np.random.default_rng(6), 160)
    real = influence.three_numbers

    def off(frame, label, terms, *, per_reach):
        return real(frame, label, terms, per_reach=per_reach * 1.5)

    monkeypatch.setattr("workbench.stats.hypotheses.three_numbers", off)
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert abs(result.product_gap) > 0.15
    assert any(w.startswith("the three rate ratios do not multiply up") for w in
               result.warnings)

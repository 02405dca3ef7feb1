"""Selection-honest findings: partial pooling within a family (issue 11 §3)."""

import numpy as np
import pytest
from scipy import stats

from workbench.stats.hypotheses import HypothesisResult, pool_findings
from workbench.stats.pooling import family_of, pool_log_ratios, se_from_interval


def test_se_from_interval_round_trips():
    se = 0.2
    z = stats.norm.ppf(0.975)
    assert se_from_interval(np.exp(-z * se), np.exp(z * se)) == pytest.approx(se)
    assert np.isnan(se_from_interval(float("nan"), 2.0))


def test_pooled_estimates_shrink_towards_no_difference():
    raw = np.exp([0.6, 0.1, -0.05, 0.02, -0.1, 0.0])
    se = np.full(6, 0.25)
    pooled = pool_log_ratios(raw, se)
    logs = np.log(pooled["estimate_pooled"].to_numpy())
    assert np.all(np.abs(logs) <= np.abs(np.log(raw)) + 1e-9)
    assert logs[0] > 0  # the order of the big one is kept
    assert (pooled["ci_low_pooled"] < pooled["estimate_pooled"]).all()
    assert (pooled["estimate_pooled"] < pooled["ci_high_pooled"]).all()


def test_too_small_family_is_not_pooled():
    pooled = pool_log_ratios([1.5, 0.8], [0.2, 0.2])
    assert pooled["estimate_pooled"].isna().all()
    assert family_of("topic:housing") == "topic" and family_of("human_centred") == "label"
    assert family_of("format:reel") == family_of("language:fr") == "strategy"
    assert family_of("hashtags_local:interactions") == "strategy"


def test_selected_findings_cover_the_planted_effects():
    """Fast version of benchmarks/selection.py: the sample's planted effects, top 3 selected."""
    rng = np.random.default_rng(3)
    theta = np.log([1.3] * 5 + [1.15] * 5 + [1.2, 1.3, 0.8, 0.75] + [1.0] * 11)
    family = np.array([0] * 10 + [1] * 15)
    hits_raw = hits_pooled = 0
    reps = 40
    for _ in range(reps):
        se = rng.uniform(0.08, 0.35, len(theta))
        b = theta + se * rng.standard_normal(len(theta))
        chosen = np.argsort(-np.abs(b / se))[:3]
        low, high = np.empty_like(b), np.empty_like(b)
        for f in (0, 1):
            members = family == f
            pooled = pool_log_ratios(np.exp(b[members]), se[members])
            low[members] = np.log(pooled["ci_low_pooled"].to_numpy())
            high[members] = np.log(pooled["ci_high_pooled"].to_numpy())
        t = theta[chosen]
        hits_pooled += np.sum((low[chosen] <= t) & (t <= high[chosen]))
        hits_raw += np.sum(np.abs(b[chosen] - t) <= 1.96 * se[chosen])
    assert hits_pooled / (3 * reps) >= 0.9  # benchmark: 0.97 at 2,000 replications
    assert hits_pooled > hits_raw  # the raw intervals of the winners miss more often


def _result(hid, estimate, low, high, method="negbin"):
    return HypothesisResult(
        id=hid, platform="all", window="2024-01..2024-06", outcome="interactions",
        estimate=estimate, ci_low=low, ci_high=high, p_value=0.01, p_adjusted=0.02, n=200,
        n_group={"with": 50, "without": 150}, method=method, mde=1.3, underpowered=False,
        confidence="suggestive", covariates=["platform"])


def test_pool_findings_fills_one_number_per_question():
    results = [_result("topic:a", 2.1, 1.5, 3.1), _result("topic:b", 0.9, 0.7, 1.2),
               _result("topic:c", 1.0, 0.8, 1.25), _result("topic:d", 1.1, 0.85, 1.4),
               _result("human_centred", 1.3, 1.1, 1.5), _result("brand_colours", 1.1, 0.9, 1.3)]
    pooled = pool_findings(results)
    top = pooled[0]
    assert top.pooling_family == "topic"
    assert 1.0 < top.estimate_pooled < 2.1
    assert top.ci_low_pooled < top.estimate_pooled < top.ci_high_pooled
    assert np.isnan(pooled[4].estimate_pooled)  # a family of two is not pooled
    record = top.to_record(details=True)
    assert record["estimate_pooled"] == pytest.approx(top.estimate_pooled)


def test_topic_ranking_and_finding_are_reconciled():
    import pandas as pd

    from workbench.stats.pooling import reconcile_topics

    ranking = pd.DataFrame({"topic": ["employment", "housing", "youth"],
                            "rate_ratio": [1.25, 0.95, 1.6]})
    findings = pd.DataFrame({
        "id": ["topic:employment", "topic:housing", "topic:youth", "topic:youth"],
        "platform": ["all", "all", "all", "facebook"],
        "estimate": [2.1, 0.97, 0.8, 3.0],
        "estimate_pooled": [1.3, float("nan"), 0.9, 3.0],
    })
    out = reconcile_topics(ranking, findings).set_index("topic")
    assert out.loc["employment", "finding_rate_ratio"] == 1.3  # the pooled number
    assert out.loc["employment", "agree"] and out.loc["employment", "note"] == ""
    assert out.loc["housing", "finding_rate_ratio"] == 0.97  # raw when not pooled
    assert not out.loc["youth", "agree"]
    assert "typical post" in out.loc["youth", "note"]


def test_findings_say_how_many_posts_are_new():
    from workbench.stats.hypotheses import run_hypotheses
    from workbench.stats.simulate import simulate_posts

    posts, labels = simulate_posts(np.random.default_rng(5), 120)
    table = run_hypotheses(posts, labels, {"seed": 1, "permutations": 99, "window_months": 6},
                           "2024-06")
    row = next(r for r in table if r.id == "human_centred" and r.platform == "all")
    note = next(w for w in row.warnings if "new since last month" in w)
    new = int(note.split(" of ")[0])
    assert 0 < new < row.n + 1

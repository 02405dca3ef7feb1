"""The run's alpha and fdr_q decide the labels, the posting-time verdicts and the mix (§4)."""

import pandas as pd

from tests.stats.test_topics import make_params, simulate
from workbench.stats.confidence import confidence_label, label_levels
from workbench.stats.posting_times import _decide
from workbench.stats.topics import rank_topics


def test_label_levels_follow_alpha_and_fdr_q():
    assert label_levels({}) == (0.05, 0.10)
    assert label_levels({"alpha": 0.01, "fdr_q": 0.2}) == (0.01, 0.2)
    assert label_levels({"alpha": 0.05, "fdr_q": 0.001}) == (0.001, 0.001)  # strong ⊂ suggestive


def test_changing_alpha_and_fdr_q_changes_the_label():
    args = (0.03, 1.2, 1.9, False, "negbin")
    assert confidence_label(*args) == "strong"
    strict = dict(zip(("strong_at", "suggestive_at"), label_levels(
        {"alpha": 0.001, "fdr_q": 0.001}), strict=True))
    assert confidence_label(*args, **strict) == "inconclusive"
    loose = dict(zip(("strong_at", "suggestive_at"), label_levels(
        {"alpha": 0.01, "fdr_q": 0.10}), strict=True))
    assert confidence_label(*args, **loose) == "suggestive"


def test_run_hypotheses_labels_use_the_settings():
    from workbench.stats.hypotheses import HypothesisResult, adjust_results

    base = dict(platform="all", window="2024-01..2024-06", outcome="interactions",
                estimate=1.5, ci_low=1.2, ci_high=1.9, p_adjusted=None, n=200,
                n_group={"with": 100, "without": 100}, method="negbin", mde=1.3,
                underpowered=False, confidence="", covariates=[])
    results = [HypothesisResult(id="human_centred", p_value=0.004, **base),
               HypothesisResult(id="brand_colours", p_value=0.5, **base)]
    default = [r.confidence for r in adjust_results(results, {})[0]]
    strict = [r.confidence
              for r in adjust_results(results, {"alpha": 0.001, "fdr_q": 0.001})[0]]
    assert default[0] == "strong"
    assert strict[0] == "inconclusive"


def _slots():
    return pd.DataFrame({"slot": ["weekday 10-14"], "daytype": ["weekday"],
                         "daypart": ["10-14"], "n": [40], "median": [1.3], "low80": [1.1],
                         "high80": [1.5], "p_above_1": [0.95], "p_best": [0.3],
                         "supported": [True]})


def test_posting_time_verdict_uses_fdr_q():
    best, *_ = _decide(_slots(), n_posts=200, window_months=6, platform="facebook",
                       p_rule=0.04, max_p=0.10)
    assert best == "weekday 10-14"
    best, *_ = _decide(_slots(), n_posts=200, window_months=6, platform="facebook",
                       p_rule=0.04, max_p=0.001)
    assert best is None


def test_content_mix_uses_fdr_q():
    posts, labels = simulate(1, rate_ratios={"housing": 2.0})
    moved = rank_topics(posts, labels, params=make_params(), month="2024-06")
    kept = rank_topics(posts, labels, params=make_params(fdr_q=1e-6), month="2024-06")
    assert moved.mode == "thompson"
    assert kept.mode == "keep_current_mix"
    assert "set by fdr_q" in " ".join(kept.plan_text())

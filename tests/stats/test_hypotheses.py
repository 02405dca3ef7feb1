import json
import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.stats.hypotheses import (
    HYPOTHESIS_FIELDS,
    rolling_window,
    run_hypotheses,
    stratified_permutation_p,
    test_label,
    test_topics,
)
from workbench.stats.outcomes import prepare_posts
from workbench.stats.simulate import simulate_posts

PARAMS = {"window_months": 6, "fdr_q": 0.10, "alpha": 0.05, "min_posts_per_group": 5,
          "min_post_age_days": 7, "mde_warn_ratio": 1.5, "seed": 1, "permutations": 999}
DESIGN_FIELDS = ["id", "platform", "window", "outcome", "estimate", "ci_low", "ci_high",
                 "p_value", "p_adjusted", "n", "n_group", "method", "mde", "underpowered",
                 "confidence", "covariates"]


def dataset(n, seed=0, **kwargs):
    return simulate_posts(np.random.default_rng(seed), n, **kwargs)


def test_planted_effect_recovered_end_to_end():
    posts, labels = dataset(600, irr_label=1.5, alpha=0.5,
                            platform_mix={"facebook": 0.6, "instagram": 0.4})
    table = run_hypotheses(posts, labels, PARAMS, "2024-06")
    frame = table.to_frame()
    assert list(frame.columns) == DESIGN_FIELDS + ["warnings"]
    assert tuple(DESIGN_FIELDS) == HYPOTHESIS_FIELDS
    pooled = frame[(frame["id"] == "human_centred") & (frame["platform"] == "all")].iloc[0]
    assert pooled["ci_low"] < 1.5 < pooled["ci_high"] and pooled["ci_low"] > 1
    assert pooled["method"] == "negbin" and pooled["window"] == "2024-01..2024-06"
    assert pooled["confidence"] == "strong"
    assert "platform" in pooled["covariates"]
    assert set(frame["platform"]) == {"all", "facebook", "instagram"}
    assert frame["id"].str.startswith("topic:").sum() >= 4
    # BH: adjusted >= raw, and filled for every tested row.
    tested = frame["p_value"].notna()
    assert (frame.loc[tested, "p_adjusted"] >= frame.loc[tested, "p_value"] - 1e-12).all()
    records = table.to_records()
    json.dumps(records, allow_nan=False)
    assert list(records[0]) == DESIGN_FIELDS + ["warnings"]
    assert table._repr_html_().startswith("<table")


def test_no_effect_brand_colours_usually_not_strong():
    posts, labels = dataset(400, seed=3, irr_label=1.0)
    prepared = prepare_posts(posts, labels)
    result = test_label(prepared, "brand_colours", params=PARAMS)
    assert result.method == "negbin"
    assert result.ci_low < 1 < result.ci_high


def test_insufficient_below_five_per_group():
    posts, labels = dataset(60, seed=2)
    labels = labels.assign(human_centred=False)
    labels.loc[labels.index[:4], "human_centred"] = True
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert result.method == "insufficient"
    assert result.n_group == {"with": 4, "without": 56}
    assert math.isnan(result.p_value) and result.confidence == "inconclusive"
    assert result.warnings[0].startswith("insufficient data: 4 vs 56 posts")
    assert result.to_record()["p_value"] is None


def test_permutation_path_for_small_n_and_na_labels_counted():
    posts, labels = dataset(30, seed=5)
    labels = labels.astype({"human_centred": "boolean"})
    labels.loc[labels.index[:3], "human_centred"] = pd.NA
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert result.method == "permutation"
    assert result.n == 27 and result.n_label_missing == 3
    assert "3 posts without this label were left out" in result.warnings
    assert any("approximate" in w for w in result.warnings)
    assert 0 < result.p_value <= 1
    assert len(result.covariates) <= 1


def test_stratified_permutation_exact_by_hand():
    # One stratum, 4 posts, 2 labelled: 6 arrangements; T = sum of labelled centred values.
    log_rate = np.array([0.0, 1.0, 2.0, 3.0])
    label = np.array([0, 0, 1, 1])
    p = stratified_permutation_p(log_rate, label, np.zeros(4), n_resamples=999)
    # centred: -1.5 -0.5 0.5 1.5; sums over pairs: -2,-1,0,0,1,2 -> |T|>=2 in 2 of 6
    assert p == pytest.approx(2 / 6)
    # A stratum holding one label level carries no weight.
    p2 = stratified_permutation_p(np.r_[log_rate, 9.0, 9.5], np.r_[label, 1, 1],
                                  np.r_[np.zeros(4), 1, 1], n_resamples=999)
    assert p2 == pytest.approx(2 / 6)
    # Monte Carlo branch: p = (1 + exceed) / (B + 1)
    rng = np.random.default_rng(0)
    big = stratified_permutation_p(rng.normal(size=200), rng.integers(0, 2, 200),
                                   rng.integers(0, 3, 200), n_resamples=499, seed=1)
    assert 1 / 500 <= big <= 1


def test_elasticity_check_switches_to_covariate_model():
    posts, labels = dataset(600, seed=8, elasticity=0.6, reach_boost_label=1.5)
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert result.elasticity_ci[1] < 1
    assert result.estimate == pytest.approx(result.estimate_covariate_model)
    assert any("did not grow in proportion" in w for w in result.warnings)
    assert result.ci_low < 1 < result.ci_high


def test_interaction_gives_per_platform_results():
    rng = np.random.default_rng(11)
    fb, fb_labels = simulate_posts(rng, 300, irr_label=2.0, alpha=0.3)
    ig, ig_labels = simulate_posts(rng, 300, irr_label=0.6, alpha=0.3,
                                   platform_mix={"instagram": 1.0})
    ig = ig.assign(post_id="ig" + ig["post_id"])
    ig_labels = ig_labels.assign(post_id="ig" + ig_labels["post_id"])
    prepared = prepare_posts(pd.concat([fb, ig], ignore_index=True),
                             pd.concat([fb_labels, ig_labels], ignore_index=True))
    result = test_label(prepared, "human_centred", params=PARAMS)
    assert result.platform_interaction_p < 0.05
    assert [r.platform for r in result.per_platform] == ["facebook", "instagram"]
    assert result.per_platform[0].estimate > 1 > result.per_platform[1].estimate
    assert any("not the same on every platform" in w for w in result.warnings)


def test_confounding_warning_in_plain_words():
    posts, labels = dataset(400, seed=4, p_video_given_label=(0.1, 0.9))
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    assert any(w.startswith("Posts telling a person's story differ from other posts in format")
               for w in result.warnings)


def test_topics_each_vs_rest():
    posts, labels = dataset(300, seed=6)
    results = test_topics(prepare_posts(posts, labels), params=PARAMS)
    assert [r.id for r in results] == ["topic:employment", "topic:housing",
                                       "topic:language_classes", "topic:volunteering"]
    assert all("format" not in " ".join(r.covariates) for r in results)
    assert all(r.n == 300 for r in results)


def test_window_and_month_validation():
    assert rolling_window("2024-03", 6) == ("2023-10", "2024-03")
    with pytest.raises(WorkbenchError, match="not YYYY-MM"):
        rolling_window("March", 6)
    posts, labels = dataset(50)
    with pytest.raises(WorkbenchError, match="no label column"):
        test_label(prepare_posts(posts, labels), "colourful", params=PARAMS)

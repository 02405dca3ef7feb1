import json
import math

import numpy as np
import pandas as pd

from workbench.stats.hypotheses import DETAIL_FIELDS, TABLE_COLUMNS, run_hypotheses, test_label
from workbench.stats.influence import conclusion
from workbench.stats.outcomes import prepare_posts
from workbench.stats.simulate import influence_check, simulate_posts

PARAMS = {"seed": 1, "permutations": 199}


def test_planted_viral_post_heads_the_cooks_list():
    # A single post at 50x its rate: listed first in most datasets (§9.3). At 10x and
    # alpha 0.7 even the true model ranks it first only ~70 % of the time (see the report).
    check = influence_check(reps=30, n=80, viral_mult=50.0, seed=7)
    assert check["failures"] <= 2
    assert check["first"] >= 0.85
    assert check["top5"] >= 0.9


def test_influence_frame_and_records():
    posts, labels = simulate_posts(np.random.default_rng(3), 160, planted_viral=1,
                                   viral_mult=60.0)
    posts = posts.assign(permalink="https://example.org/" + posts["post_id"])
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    frame = result.influence
    assert list(frame.columns) == ["platform", "post_id", "permalink", "cooks_distance",
                                   "irr_without", "above_threshold"]
    assert len(frame) == 5 and frame["cooks_distance"].is_monotonic_decreasing
    assert frame.iloc[0]["post_id"] == "sim00000"
    assert frame.iloc[0]["permalink"] == "https://example.org/sim00000"
    assert math.isclose(result.influence_threshold, 4 / result.n)
    assert np.isfinite(result.estimate_without_influential)
    assert np.isfinite(result.loo_max_irr) and result.loo_max_post.startswith("facebook:")
    record = result.to_record(details=True)
    json.dumps(record, allow_nan=False)
    assert list(record)[: len(TABLE_COLUMNS)] == list(TABLE_COLUMNS)
    assert set(DETAIL_FIELDS) <= set(record)
    assert record["influential_posts"][0]["post_id"] == "sim00000"
    assert record["estimate_without_influential"] == result.estimate_without_influential
    # Default records keep exactly the DESIGN.md fields (+ warnings).
    assert list(result.to_record()) == list(TABLE_COLUMNS)


def test_driven_by_a_few_posts_warning():
    # No label effect, but the three most viral posts are all labelled: the apparent
    # difference disappears without them.
    rng = np.random.default_rng(0)
    posts, labels = simulate_posts(rng, 120, alpha=0.3, planted_viral=3, viral_mult=40.0)
    labels.loc[labels.index[:3], "human_centred"] = True
    result = test_label(prepare_posts(posts, labels), "human_centred", params=PARAMS)
    # Issue 11 §4: viral posts switch estimate, interval and p to the stratified permutation
    # test, which the three posts no longer fool (the NB model alone said "higher").
    assert result.method == "permutation_shift"
    assert conclusion(result.ci_low, result.ci_high) == "unclear"
    assert result.estimate_offset_model > result.estimate
    assert result.influence is not None  # the analyst still sees which posts drove the model
    influential = set(result.influence["post_id"].head(5))
    assert {"sim00000", "sim00001", "sim00002"} <= influential


def test_topics_and_no_diagnostics_skip_influence():
    posts, labels = simulate_posts(np.random.default_rng(2), 120)
    prepared = prepare_posts(posts, labels)
    assert test_label(prepared, "human_centred", params=PARAMS, diagnostics=False).influence \
        is None
    table = run_hypotheses(posts, labels, {**PARAMS, "window_months": 6}, "2024-06")
    rows = {r.id: r for r in table}
    assert rows["human_centred"].influence is not None
    assert all(r.influence is None for r in table if r.id.startswith("topic:"))
    records = table.to_records(details=True)
    json.dumps(records, allow_nan=False)
    assert isinstance(pd.DataFrame(records), pd.DataFrame)


def test_viral_post_switches_the_p_value_to_the_permutation_check():
    """§9.3 / issue 11 §4: with a viral post, estimate, interval and p come from one test."""
    from workbench.stats.hypotheses import VIRAL_PEARSON, _max_pearson, test_label
    from workbench.stats.nb import fit_nb
    from workbench.stats.outcomes import prepare_posts
    from workbench.stats.simulate import simulate_posts

    rng = np.random.default_rng(11)

    def flagged(**viral) -> int:
        count = 0
        for _ in range(20):
            posts, labels = simulate_posts(rng, 160, **viral)
            prepared = prepare_posts(posts, labels)
            fit = fit_nb(prepared.data, "y", "exposure", ["human_centred", "C(fmt_group)"])
            count += _max_pearson(fit, prepared.data) > VIRAL_PEARSON
        return count

    clean, viral = flagged(), flagged(planted_viral=1, viral_mult=30.0)
    # NB tails alone cross the line in a minority of windows; a 30x post (whose own NB draw
    # can still be modest) in most
    assert clean <= 6 and viral >= 12 and viral > clean
    viral_posts, viral_labels = simulate_posts(rng, 160, planted_viral=1, viral_mult=30.0)
    result = test_label(prepare_posts(viral_posts, viral_labels), "human_centred",
                        params={"seed": 1, "permutations": 199})
    assert result.method in ("negbin", "permutation_shift") and 0 <= result.p_value <= 1
    if result.method == "permutation_shift":  # the interval agrees with the p-value
        excludes_one = result.ci_low > 1 or result.ci_high < 1
        assert excludes_one == (result.p_value < 0.05)

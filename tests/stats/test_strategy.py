"""Strategy comparisons (issue 15): hashtags, formats, language, frequency, fair top posts."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workbench.experiments.design import make_design
from workbench.sample.strategy import PROFILE, strategy_sample
from workbench.stats.hypotheses import HYPOTHESIS_FIELDS
from workbench.stats.strategy import (
    HASHTAG_ID,
    format_reference,
    local_hashtag_flags,
    strategy_comparisons,
)

PARAMS = dict(PROFILE, window_months=6, permutations=199, posting_frequency_knot=3, seed=3)


@pytest.fixture(scope="module")
def sample():
    return strategy_sample(seed=11, start="2024-01", end="2025-06")


@pytest.fixture(scope="module")
def results(sample):
    posts, _ = sample
    return strategy_comparisons(posts, None, None, PARAMS, "2025-06")


def test_exact_hashtag_match():
    posts = pd.DataFrame({
        "caption": ["Job fair #LondonOntario", "Job fair #londonont!", "#LondonOntarioJobs",
                    "nothing here", "#LDNONT in caption"],
        "hashtags": [[], [], [], ["#LdnOnt"], None],
    })
    flags = local_hashtag_flags(posts, ["#LondonOnt", "#LdnOnt"])
    # "#LondonOntario" is not "#LondonOnt"; case is ignored; the export's list counts too.
    assert flags.tolist() == [False, True, False, True, True]


def test_rows_carry_design_fields(results):
    frame = results.rows_frame()
    assert list(frame.columns[: len(HYPOTHESIS_FIELDS)]) == list(HYPOTHESIS_FIELDS)
    ids = set(frame["id"])
    assert {HASHTAG_ID, "hashtags_local:interactions", "language:fr"} <= ids
    assert any(i.startswith("format:") for i in ids)
    payload = json.loads(json.dumps(results.to_json()))
    assert payload["hypotheses"][0]["outcome"] == "reach_per_follower"
    assert all(set(HYPOTHESIS_FIELDS) <= set(r) for r in payload["hypotheses"])


def test_planted_hashtag_reach_effect_recovered(results, sample):
    _, truth = sample
    row = next(r for r in results.rows if r.id == HASHTAG_ID and r.platform == "all")
    planted = truth["strategy"]["hashtag_reach"]
    assert row.estimate > 1 and row.ci_low <= planted <= row.ci_high
    secondary = next(r for r in results.rows if r.id == "hashtags_local:interactions")
    assert secondary.ci_low <= 1 <= secondary.ci_high  # nothing planted per person reached


def test_format_rows_are_per_platform_against_photo(results):
    rows = [r for r in results.rows if r.id.startswith("format:")]
    assert {r.platform for r in rows} >= {"facebook", "instagram"}
    assert all("compared with photo posts" in r.warnings[0] for r in rows
               if r.platform in ("facebook", "instagram"))
    # Permutation rows must be able to reject: the format is not a stratum of its own test.
    assert all(r.p_value < 1 for r in rows if r.method == "permutation")
    assert format_reference(pd.Series(["video"] * 6 + ["photo"] * 2), 5) == "video"


def test_planted_strong_linkedin_post_is_among_fair_top_posts(results, sample):
    _, truth = sample
    strong = truth["strategy"]["strong_post_id"]
    top = results.top_posts.top
    assert strong in set(top["post_id"])
    best = results.top_posts.best_by_platform.set_index("platform")
    assert best.loc["linkedin", "post_id"] == strong
    assert set(best.index) == {"facebook", "instagram", "linkedin", "tiktok"}
    assert "× its usual" in results.top_posts.sentences()[0]


def test_top_posts_are_ranked_by_the_fair_score_not_raw_interactions(results, sample):
    """Issue 15 §5: the list is in fair-score order with the raw figures beside it, and the
    planted strong post (truth.json: a small platform) makes it although raw interactions
    would have left it out."""
    _, truth = sample
    strong = truth["strategy"]["strong_post_id"]
    assert truth["strategy"]["strong_platform"] == "linkedin"
    scored, top = results.top_posts.scored, results.top_posts.top
    assert list(scored["rank"]) == list(range(1, len(scored) + 1))
    assert scored["times_usual"].is_monotonic_decreasing
    assert list(top["post_id"]) == list(scored["post_id"].head(len(top)))
    assert {"interactions", "exposure", "expected"} <= set(top.columns)
    # the score is interactions against the platform-format-month expectation
    assert (np.sign(top["times_usual"] - 1) == np.sign(top["interactions"] - top["expected"])).all()
    by_raw = scored.sort_values("interactions", ascending=False)["post_id"].head(len(top))
    assert strong not in set(by_raw)
    assert strong in set(top["post_id"])


def test_frequency_interval_covers_planted_returns(results, sample):
    _, truth = sample
    plant = truth["strategy"]
    facebook = next(f for f in results.frequency if f.platform == "facebook")
    assert facebook.knot == plant["frequency_knot"] == 3
    truth_ratio = (4 / 3) * plant["frequency_decay"]  # the week's total, 3 → 4 posts
    assert facebook.total_ci[0] <= truth_ratio <= facebook.total_ci[1]
    assert facebook.reach_ci[0] <= plant["frequency_decay"] <= facebook.reach_ci[1]
    assert "posts a week" in facebook.sentence()


def test_all_posts_tagged_gives_one_line_and_experiment(sample):
    posts, _ = sample
    tagged = posts.assign(hashtags=[["#LdnOnt"]] * len(posts))
    out = strategy_comparisons(tagged, None, None, PARAMS, "2025-06")
    assert not any(r.id.startswith("hashtags_local") for r in out.rows)
    n = out.hashtags.n_posts
    assert out.hashtags.statement == (
        f"all {n} posts used the local hashtags: no comparison is possible; an experiment "
        "that drops them from a random half for 8 weeks would settle it")
    spec = out.hashtags.experiment
    design = make_design(spec["name"], spec["hypothesis"], spec["arms"], spec["platforms"],
                         spec["start"], spec["weeks"], spec["posts_per_week"])
    assert design.weeks == 8 and design.hypothesis == "local_hashtag"
    assert out.hashtags.command.startswith("workbench experiment new local-hashtags-")
    assert out.sentences()[0] == out.hashtags.statement


def test_single_language_gives_no_language_rows(sample):
    posts, _ = sample
    english = posts.assign(caption="Join us for our free workshop this week at the library")
    out = strategy_comparisons(english, None, None, PARAMS, "2025-06")
    assert not any(r.id.startswith("language:") for r in out.rows)
    assert any("English: no language comparison" in n for n in out.notes)


def test_inputs_not_modified(sample):
    posts, _ = sample
    before = posts.copy()
    strategy_comparisons(posts, None, None, PARAMS, "2025-06")
    pd.testing.assert_frame_equal(posts, before)
    assert np.isfinite(before["interactions"].astype("float64")).all()


def test_leadership_sentence_prints_the_pooled_numbers_when_pooled():
    from dataclasses import replace as _replace

    from workbench.stats.hypotheses import HypothesisResult
    from workbench.stats.strategy import sentence

    raw = HypothesisResult(id="format:reel", platform="instagram", window="2025-01..2025-06",
                           outcome="interactions", estimate=2.4, ci_low=1.3, ci_high=4.4,
                           p_value=0.01, p_adjusted=0.05, n=60,
                           n_group={"with": 12, "without": 48}, method="negbin", mde=1.8,
                           underpowered=False, confidence="suggestive", covariates=["month"])
    assert "2.4" in sentence(raw) and "pooled" not in sentence(raw)
    pooled = _replace(raw, estimate_pooled=1.6, ci_low_pooled=1.1, ci_high_pooled=2.9)
    text = sentence(pooled)
    assert "1.6" in text and "1.10–2.90" in text and "pooled across" in text



def _creative_frame(values, labels, platforms=("facebook",), day0="2025-03-03"):
    """Posts with log((y + 0.5) / exposure) = value, one creative per value, on ``platforms``."""
    rows = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        for platform in platforms:
            rows.append({
                "platform": platform, "post_id": f"{platform}-{i}", "fmt_group": "static",
                "caption": f"Story number {i} of our clients" + (" #LdnOnt" if label else ""),
                "published_local": pd.Timestamp(day0, tz="America/Toronto")
                + pd.Timedelta(days=i),
                "y": 9, "exposure": 9.5 / np.exp(value), "label": bool(label)})
    frame = pd.DataFrame(rows)
    return frame, frame["label"].astype("boolean")


def test_creative_ids_join_cross_posts_of_one_caption_and_day():
    from workbench.stats.strategy import creative_ids

    day = pd.Timestamp("2025-03-03 10:00", tz="America/Toronto")
    frame = pd.DataFrame({
        "platform": ["facebook", "instagram", "linkedin", "facebook", "instagram", "tiktok"],
        "post_id": ["1", "2", "3", "4", "5", "6"],
        "caption": ["Meet Amélie, our volunteer #LdnOnt", "meet  AMELIE, our volunteer",
                    "Meet Amélie, our volunteer #London", "Meet Amélie, our volunteer",
                    "A different story", None],
        "published_local": [day, day + pd.Timedelta(hours=3), day, day + pd.Timedelta(days=1),
                            day, day],
    })
    ids = creative_ids(frame).tolist()
    # Hashtags, case, accents and spacing ignored; another day or caption is another creative;
    # a post without caption is its own creative.
    assert ids[0] == ids[1] == ids[2]
    assert len({ids[0], ids[3], ids[4], ids[5]}) == 4


def test_creative_shift_test_hand_computed_estimate():
    from workbench.stats.strategy import creative_shift_test

    frame, flags = _creative_frame([1.0, 2.0, 0.0, 0.5, 0.5], [1, 1, 0, 0, 0])
    estimate, low, high, p, units = creative_shift_test(frame, flags, n_resamples=999, seed=1)
    # One stratum: exp(mean of labelled − mean of unlabelled) = exp(1.5 − 1/3).
    assert estimate == pytest.approx(np.exp(1.5 - 1 / 3))
    assert units == 5
    # 10 arrangements and the observed one is the only one this extreme: p = 1/10; no shift
    # can be rejected at 5 % with so few creatives, so the interval is unbounded (NaN).
    assert p == pytest.approx(0.1, abs=0.03)
    assert np.isnan(low) and np.isnan(high)


def test_creative_shift_test_counts_a_cross_posted_creative_once():
    from workbench.stats.hypotheses import stratified_shift_test
    from workbench.stats.strategy import creative_shift_test

    rng = np.random.default_rng(4)
    values = rng.normal(0, 1, 40)
    labels = np.r_[np.ones(20), np.zeros(20)].astype(int)
    values[:20] += 0.45
    single, flags1 = _creative_frame(values, labels)
    triple, flags3 = _creative_frame(values, labels,
                                     platforms=("facebook", "instagram", "linkedin"))
    one = creative_shift_test(single, flags1, n_resamples=999, seed=2)
    three = creative_shift_test(triple, flags3, n_resamples=999, seed=2)
    # The same 40 creatives posted on three platforms: the same test, not three times the data.
    assert three[4] == 40 and one[:4] == pytest.approx(three[:4])
    log_rate = np.log((triple["y"] + 0.5) / triple["exposure"]).to_numpy()
    per_post = stratified_shift_test(log_rate, flags3.astype(int).to_numpy(),
                                     np.zeros(len(triple)), n_resamples=999, seed=2)
    assert per_post[3] < one[3]  # treating the copies as independent overstates the evidence


def test_creative_shift_interval_agrees_with_its_p():
    from workbench.stats.strategy import creative_shift_test

    rng = np.random.default_rng(8)
    for shift in (0.0, 0.2, 0.4, 0.6, 0.8):
        values = rng.normal(0, 0.8, 60)
        labels = (rng.random(60) < 0.5).astype(int)
        frame, flags = _creative_frame(values + shift * labels, labels,
                                       platforms=("facebook", "instagram"))
        estimate, low, high, p, _ = creative_shift_test(frame, flags, n_resamples=999, seed=3)
        assert low < estimate < high
        if abs(p - 0.05) > 0.01:  # away from the permutation resolution at the boundary
            assert (p < 0.05) == (low > 1 or high < 1)


def test_hashtag_secondary_is_tested_by_creative(results):
    row = next(r for r in results.rows
               if r.id == "hashtags_local:interactions" and r.platform == "all")
    assert row.method == "permutation_shift"
    assert any("moves the label between whole creatives" in w for w in row.warnings)
    assert row.covariates == ["platform", "format (static/video/link-text)"]
    assert row.ci_low < row.estimate < row.ci_high
    assert (row.p_value < 0.05) == (row.ci_low > 1 or row.ci_high < 1)


def _model_row(**changes):
    from workbench.stats.hypotheses import HypothesisResult

    row = HypothesisResult(id="hashtags_local:interactions", platform="all",
                           window="2025-01..2025-06", outcome="interactions", estimate=1.5,
                           ci_low=1.1, ci_high=2.0, p_value=0.01, p_adjusted=0.01, n=40,
                           n_group={"with": 20, "without": 20}, method="negbin", mde=1.4,
                           underpowered=False, confidence="strong", covariates=["platform"],
                           warnings=["heavy tails / outliers: robust SE used",
                                     "Posts marked x differ from other posts in format "
                                     "(Cramér's V = 0.40); part of any difference ..."])
    return replace(row, **changes)


def test_secondary_keeps_the_model_row_when_no_stratum_mixes_the_label():
    from workbench.stats.strategy import _by_creative

    values = np.linspace(-1, 1, 20)
    tagged, flags_t = _creative_frame(values[:10], [1] * 10, platforms=("instagram",))
    plain, flags_p = _creative_frame(values[10:], [0] * 10, platforms=("facebook",),
                                     day0="2025-05-01")
    data = pd.concat([tagged, plain], ignore_index=True)
    flags = pd.concat([flags_t, flags_p], ignore_index=True)
    row = _by_creative(_model_row(), data, flags, PARAMS, 199)
    assert (row.method, row.estimate, row.p_value) == ("negbin", 1.5, 0.01)
    assert row.warnings[-1].startswith("no platform and format holds creatives with and "
                                       "without the local hashtags")


def test_secondary_replaces_the_model_numbers_and_their_notes():
    from workbench.stats.strategy import _by_creative, creative_shift_test

    rng = np.random.default_rng(5)
    labels = np.r_[np.ones(15), np.zeros(15)].astype(int)
    frame, flags = _creative_frame(rng.normal(0, 1, 30) + 0.3 * labels, labels,
                                   platforms=("facebook", "instagram"))
    row = _by_creative(_model_row(n=60), frame, flags, PARAMS, 199)
    seedless = creative_shift_test(frame, flags, n_resamples=199, seed=0)
    assert row.method == "permutation_shift" and row.estimate == pytest.approx(seedless[0])
    assert row.p_adjusted == row.p_value and row.covariates[0] == "platform"
    # the model's SE note is gone, the confounding check stays
    assert not any("robust SE" in w for w in row.warnings)
    assert any("Cramér's V" in w for w in row.warnings)
    assert row.warnings[0].startswith("a creative posted on several platforms")

"""A label does not firm up on the same posts seen twice (issue 11 §4, `hold_firm_up`).

Hand-built windows: months 2024-01..2024-05 are last month's posts (already counted), 2024-06
is the new month. The planted effect is put on the old posts only (the label would firm up on
old posts alone: held) or on the new posts too (the new posts confirm it alone: allowed).
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from workbench import wording as W
from workbench.analysis.month import findings, previous_labels
from workbench.stats.confidence import confidence_label
from workbench.stats.hypotheses import hold_firm_up, run_hypotheses, test_label
from workbench.stats.outcomes import prepare_posts
from workbench.stats.simulate import simulate_posts

PARAMS = {"seed": 1, "permutations": 199, "window_months": 6, "alpha": 0.05, "fdr_q": 0.10}
WINDOW = ("2024-01", "2024-06")
LAST = {"confidence": "inconclusive", "window": "2023-12..2024-05"}


def _posts(new_irr: float, n_new: int, seed: int = 7):
    """250 old posts (Jan-May, label 1.6×) and ``n_new`` June posts (label ``new_irr``)."""
    rng = np.random.default_rng(seed)
    old = simulate_posts(rng, 250, irr_label=1.6, p_video_given_label=(0.4, 0.4),
                         start="2024-01", months=5)
    new = simulate_posts(rng, n_new, irr_label=new_irr, p_video_given_label=(0.4, 0.4),
                         start="2024-06", months=1)
    frames = []
    for part, (posts, labels) in zip(("old", "new"), (old, new), strict=True):
        posts, labels = posts.copy(), labels.copy()
        posts["post_id"] = part + posts["post_id"].astype(str)
        labels["post_id"] = part + labels["post_id"].astype(str)
        frames.append((posts, labels))
    posts = pd.concat([f[0] for f in frames], ignore_index=True)
    posts["snapshot_at"] = posts["published_at_utc"].max() + pd.Timedelta(days=30)
    return posts, pd.concat([f[1] for f in frames], ignore_index=True)


def _labelled(prepared):
    result = test_label(prepared, "human_centred", params=PARAMS, diagnostics=False)
    return replace(result, confidence=confidence_label(
        result.p_value, result.ci_low, result.ci_high, result.underpowered, result.method))


def test_a_label_that_firms_up_on_old_posts_only_is_held():
    prepared = prepare_posts(*_posts(new_irr=1.0, n_new=40), window=WINDOW)
    result = _labelled(prepared)
    assert result.confidence == "strong"  # the whole window says strong ...
    (held,) = hold_firm_up([result], prepared, {("human_centred", "all"): LAST}, PARAMS,
                           note=W.label_held_sentence)
    assert held.confidence == "inconclusive"  # ... but the June posts alone do not
    assert held.label_held_from == "strong"
    assert held.new_posts_n == int((prepared.data["month"] == "2024-06").sum()) > 0
    assert held.new_posts_p > 0.05
    assert held.estimate == result.estimate  # the number is untouched, only the label
    assert held.label_note.startswith("Kept at last month's label, inconclusive, rather than "
                                      "strong: only the ")
    assert f"{held.new_posts_n} of {len(prepared.data)} posts new since last month" in (
        held.label_note)
    assert held.label_note in held.warnings
    assert held.label_note.endswith(".") and ". " not in held.label_note  # one sentence


def test_a_label_confirmed_by_the_new_posts_alone_may_firm_up():
    prepared = prepare_posts(*_posts(new_irr=2.0, n_new=150), window=WINDOW)
    result = _labelled(prepared)
    assert result.confidence == "strong"
    (kept,) = hold_firm_up([result], prepared, {("human_centred", "all"): LAST}, PARAMS,
                           note=W.label_held_sentence)
    assert kept.confidence == "strong" and kept.label_held_from is None
    assert kept.new_posts_p <= 0.05 and kept.new_posts_estimate > 1
    assert kept.label_note is None and kept.warnings == result.warnings


def test_the_rule_only_bites_when_the_label_rises_on_overlapping_windows():
    prepared = prepare_posts(*_posts(new_irr=1.0, n_new=40), window=WINDOW)
    result = _labelled(prepared)
    same = {("human_centred", "all"): {"confidence": "strong", "window": "2023-12..2024-05"}}
    apart = {("human_centred", "all"): {**LAST, "window": "2023-07..2023-12"}}
    other_platform = {("human_centred", "facebook"): LAST}
    for previous in (same, apart, other_platform, {}):
        assert hold_firm_up([result], prepared, previous, PARAMS) == [result]
    # no window recorded: last month's is taken as this one shifted back a month
    (held,) = hold_firm_up([result], prepared, {("human_centred", "all"): {
        "confidence": "suggestive"}}, PARAMS)
    assert held.confidence == "suggestive" and held.label_held_from == "strong"


def test_alpha_decides_what_confirms():
    prepared = prepare_posts(*_posts(new_irr=1.0, n_new=40), window=WINDOW)
    result = _labelled(prepared)
    (held,) = hold_firm_up([result], prepared, {("human_centred", "all"): LAST}, PARAMS)
    loose = {**PARAMS, "alpha": min(1.0, held.new_posts_p + 0.01)}
    (kept,) = hold_firm_up([result], prepared, {("human_centred", "all"): LAST}, loose)
    assert held.label_held_from == "strong" and kept.label_held_from is None


def test_label_held_sentence_words_each_reason():
    base = {"estimate": 1.5, "label_held_from": "strong"}
    assert W.label_held_sentence({**base, "new_posts_estimate": 1.1, "new_posts_p": 0.31},
                                 "suggestive", 30, 180, 0.05) == (
        "Kept at last month's label, suggestive, rather than strong: only the 30 of 180 posts "
        "new since last month's report are new evidence, and on their own they do not confirm "
        "it (p = 0.31, above 0.05).")
    assert "point the other way (about 0.80×)" in W.label_held_sentence(
        {**base, "new_posts_estimate": 0.8, "new_posts_p": 0.01}, "suggestive", 30, 180, 0.05)
    assert "too few to test on their own" in W.label_held_sentence(
        {**base, "new_posts_estimate": None, "new_posts_p": None}, "suggestive", 3, 180, 0.05)
    assert "none of its posts are new" in W.label_held_sentence(base, "suggestive", 0, 180, 0.05)


def test_run_hypotheses_reads_last_months_labels(tmp_path):
    posts, labels = _posts(new_irr=1.0, n_new=40)
    plain = run_hypotheses(posts, labels, PARAMS, "2024-06")
    row = next(r for r in plain if r.id == "human_centred" and r.platform == "all")
    assert row.confidence == "strong" and row.label_held_from is None
    # last month's results.json, as the runner wrote it
    month_dir = tmp_path / "2024-05"
    month_dir.mkdir()
    month_dir.joinpath("results.json").write_text(
        '{"hypotheses": [{"id": "human_centred", "platform": "all", "confidence": '
        '"inconclusive", "window": "2023-12..2024-05"}, {"id": "posting_time", "platform": '
        '"facebook", "confidence": "inconclusive"}]}', encoding="utf-8")
    ctx = SimpleNamespace(params={"reports_dir": str(tmp_path)}, previous_month="2024-05")
    previous = previous_labels(ctx)
    assert previous == {("human_centred", "all"): LAST}
    table = run_hypotheses(posts, labels, PARAMS, "2024-06", previous=previous,
                           held_note=W.label_held_sentence)
    row = next(r for r in table if r.id == "human_centred" and r.platform == "all")
    assert row.confidence == "inconclusive" and row.label_held_from == "strong"
    record = next(r for r in table.to_records(details=True) if r["id"] == "human_centred"
                  and r["platform"] == "all")
    assert record["label_note"] == row.label_note and record["new_posts_n"] == row.new_posts_n
    assert previous_labels(SimpleNamespace(params={"reports_dir": str(tmp_path)},
                                           previous_month="2024-04")) == {}


def test_a_kept_label_says_why_on_the_leadership_page():
    row = {"id": "human_centred", "platform": "all", "method": "negbin", "estimate": 1.5,
           "ci_low": 1.2, "ci_high": 1.9, "p_adjusted": 0.01, "confidence": "suggestive",
           "n_group": {"with": 80, "without": 120}, "window": "2024-01..2024-06",
           "covariates": [], "label_note": "Kept at last month's label, suggestive, rather "
           "than strong: only the 30 of 200 posts new since last month's report are new "
           "evidence, and on their own they do not confirm it (p = 0.31, above 0.05)."}
    out = findings([], [row], {}, {}, {})
    assert out[0]["confidence"] == "suggestive"
    assert out[0]["text"].endswith(row["label_note"])


@pytest.mark.parametrize("text", ["", "2024-13..2024-14", "garbage"])
def test_an_unreadable_window_falls_back_to_the_month_before(text):
    prepared = prepare_posts(*_posts(new_irr=1.0, n_new=40), window=WINDOW)
    result = _labelled(prepared)
    (held,) = hold_firm_up([result], prepared, {("human_centred", "all"): {
        "confidence": "inconclusive", "window": text}}, PARAMS)
    assert held.label_held_from == "strong"


def _format_posts(new_video_irr: float, n_new: int, seed: int = 7):
    """250 old posts (Jan-May, videos 1.8× photos) and ``n_new`` June posts (videos
    ``new_video_irr`` × photos); no label effect."""
    rng = np.random.default_rng(seed)
    parts = []
    for part, n, irr, start, months in (("old", 250, 1.8, "2024-01", 5),
                                        ("new", n_new, new_video_irr, "2024-06", 1)):
        posts, labels = simulate_posts(rng, n, irr_video=irr, p_video_given_label=(0.4, 0.4),
                                       start=start, months=months)
        posts, labels = posts.copy(), labels.copy()
        posts["post_id"] = part + posts["post_id"].astype(str)
        labels["post_id"] = part + labels["post_id"].astype(str)
        parts.append((posts, labels))
    posts = pd.concat([p for p, _ in parts], ignore_index=True)
    posts["snapshot_at"] = posts["published_at_utc"].max() + pd.Timedelta(days=30)
    return posts, pd.concat([lab for _, lab in parts], ignore_index=True)


@pytest.mark.parametrize("new_video_irr, n_new, held", [(1.0, 40, True), (1.8, 150, False)])
def test_strategy_rows_are_held_like_the_content_rows(new_video_irr, n_new, held):
    """Issue 11 §4 for the strategy rows: a format row that firms up on last month's posts
    keeps last month's label unless the June posts alone confirm it; the posting-frequency
    rows (whole history every month) are never held."""
    from workbench.analysis.month import strategy_retest
    from workbench.stats.strategy import strategy_comparisons

    posts, labels = _format_posts(new_video_irr, n_new)
    params = {**PARAMS, "min_post_age_days": 7}
    rows = strategy_comparisons(posts, labels, None, params, "2024-06", permutations=199).rows
    previous = {(r.id, r.platform): LAST for r in rows}
    ctx = SimpleNamespace(posts=posts, labels=labels, tables={}, params=params,
                          month="2024-06")
    calls = []

    def retest(result, last):
        calls.append((result.id, last))
        return strategy_retest(ctx)(result, last)

    plain = run_hypotheses(posts, labels, params, "2024-06", extra_results=rows)
    table = run_hypotheses(posts, labels, params, "2024-06", extra_results=rows,
                           previous=previous, held_note=W.label_held_sentence,
                           retest_extra=retest)
    before = {(r.id, r.platform): r for r in plain}
    after = {(r.id, r.platform): r for r in table}
    video = after[("format:video", "facebook")]
    assert before[("format:video", "facebook")].confidence == "strong"
    assert ("format:video", ("2023-12", "2024-05")) in calls
    if held:
        assert video.confidence == "inconclusive" and video.label_held_from == "strong"
        assert video.new_posts_p > 0.05 and video.label_note in video.warnings
    else:
        assert video.confidence == "strong" and video.label_held_from is None
        assert video.new_posts_p <= 0.05 and video.new_posts_estimate > 1
    frequency = [key for key in after if key[0].startswith("posting_frequency")]
    assert frequency and all(after[k].confidence == before[k].confidence
                             and after[k].label_held_from is None for k in frequency)
    assert not any(c[0].startswith("posting_frequency") for c in calls)


def _timed_posts(new_ratio: float, n_new: int):
    """Facebook posts Jan-May with evenings at 2× (last month's window) and ``n_new`` June
    posts with evenings at ``new_ratio`` ×."""
    from workbench.stats.simulate import simulate_timed_posts

    old = simulate_timed_posts(3, 300, evening_ratio=2.0, end="2024-05")
    old = old[pd.to_datetime(old["published_at"]).dt.strftime("%Y-%m") >= "2024-01"]
    new = simulate_timed_posts(4, 6 * n_new, evening_ratio=new_ratio, end="2024-06")
    new = new[pd.to_datetime(new["published_at"]).dt.strftime("%Y-%m") == "2024-06"]
    new = new.assign(post_id="new" + new["post_id"].astype(str))
    posts = pd.concat([old, new], ignore_index=True)
    return posts.assign(snapshot_at=posts["snapshot_at"].max())


@pytest.mark.parametrize("new_ratio, n_new, held", [(1.0, 40, True), (2.5, 150, False)])
def test_posting_time_verdict_is_held_like_the_content_rows(new_ratio, n_new, held):
    """Issue 11 §4 for the posting-time verdicts: naming a best time (or a firmer label) on
    mostly last month's posts stands only when the June posts alone show that time matters."""
    from workbench.analysis.month import hold_posting_time
    from workbench.stats.posting_times import analyse_posting_times

    params = {"timezone": "America/Toronto", "window_months": 6, "min_post_age_days": 7,
              "seed": 11, "alpha": 0.05}
    posts = _timed_posts(new_ratio, n_new)
    judged = analyse_posting_times(posts, params=params, month="2024-06", platform="facebook")
    record = {**judged.hypothesis_record(), "confidence": "strong"}
    assert judged.best_slot is not None and judged.p_value < 0.05  # the window alone: firm
    ctx = SimpleNamespace(posts=posts, labels=None, params=params, month="2024-06")
    last = {"confidence": "inconclusive", "window": "2023-12..2024-05", "best_slot": None}
    out, out_record = hold_posting_time(ctx, judged, record, last)
    june = int((pd.to_datetime(posts["published_at"]).dt.strftime("%Y-%m") == "2024-06").sum())
    assert out_record["new_posts_n"] == june
    if held:
        assert out.best_slot is None and out.verdict.startswith("No posting time stands out")
        assert out_record["confidence"] == "inconclusive"
        assert out_record["label_held_from"] == "strong"
        assert out_record["new_posts_p"] > 0.05
        assert out_record["label_note"].startswith(
            "Posting times kept at last month's verdict (no time named as best): only the "
            f"{june} of ")
        assert out_record["label_note"] in out.notes
    else:
        assert out.best_slot == judged.best_slot and out_record["confidence"] == "strong"
        assert out_record["new_posts_p"] <= 0.05 and "label_note" not in out_record
    # no history, or last month already named a slot at the same label: nothing to hold
    assert hold_posting_time(ctx, judged, record, None) == (judged, record)
    same = {"confidence": "strong", "window": "2023-12..2024-05", "best_slot": "x"}
    assert hold_posting_time(ctx, judged, record, same) == (judged, record)


def test_previous_posting_times_read_from_last_months_results(tmp_path):
    from workbench.analysis.month import previous_posting_times

    month_dir = tmp_path / "2024-05"
    month_dir.mkdir()
    month_dir.joinpath("results.json").write_text(
        '{"hypotheses": [{"id": "human_centred", "platform": "all", "confidence": "strong"}, '
        '{"id": "posting_time", "platform": "facebook", "confidence": "suggestive", '
        '"window": "2023-12..2024-05"}], "posting_times": {"by_platform": {"facebook": '
        '{"best_slot": "weekday evening"}}}}', encoding="utf-8")
    ctx = SimpleNamespace(params={"reports_dir": str(tmp_path)}, previous_month="2024-05")
    assert previous_posting_times(ctx) == {"facebook": {
        "confidence": "suggestive", "window": "2023-12..2024-05",
        "best_slot": "weekday evening"}}
    assert previous_posting_times(SimpleNamespace(params={"reports_dir": str(tmp_path)},
                                                  previous_month="2024-04")) == {}

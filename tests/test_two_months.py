"""Two consecutive monthly reports: a label does not firm up on the same posts seen twice.

Issue 11 §4, end to end: the second month's analysis reads the first month's results.json
(the report leadership saw) from the reports folder, and a comparison whose label rises from
last month's keeps the firmer label only when the posts new since last month's window, tested
alone, reach ``alpha`` in the same direction. The unit tests of ``hold_firm_up`` use hand-built
rows; here the chain is the real one: sample-data, ingest, label, ``run_report`` twice.

To make the check decide something whatever the sample's labels are, last month's
results.json is edited after its report ran, as if leadership had been shown every content
finding as inconclusive: every label above "inconclusive" this month is then a firm-up, and
each must either be confirmed by the new posts alone or be held back.
"""

from __future__ import annotations

import json
import math

import pytest

from workbench.cli import main
from workbench.io.tables import load_tables
from workbench.month import Month
from workbench.report.runner import run_report

FIRST, SECOND = "2025-07", "2025-08"


@pytest.fixture(scope="module")
def two_months(tmp_path_factory, sample_params_dir):
    base = tmp_path_factory.mktemp("two-months")
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    pdir = ["--params-dir", str(sample_params_dir)]
    assert main([*pdir, "sample-data", "--out", str(raw), "--seed", "5",
                 "--start", "2025-01", "--end", SECOND]) == 0
    assert main([*pdir, "ingest", str(raw), "--out", str(processed)]) == 0
    assert main([*pdir, "label", str(processed)]) == 0
    first_dir = run_report(FIRST, raw, processed, reports, params_dir=sample_params_dir)
    first_path = first_dir / "results.json"
    first = json.loads(first_path.read_text(encoding="utf-8"))
    shown = json.loads(json.dumps(first))  # what leadership saw, before the edit
    for row in first["hypotheses"]:
        if row.get("id") != "posting_time":
            row["confidence"] = "inconclusive"
    first_path.write_text(json.dumps(first), encoding="utf-8")
    second_dir = run_report(SECOND, raw, processed, reports, params_dir=sample_params_dir)
    second = json.loads((second_dir / "results.json").read_text(encoding="utf-8"))
    html = (second_dir / "report.html").read_text(encoding="utf-8")
    return {"first": first, "shown": shown, "second": second, "html": html,
            "posts": load_tables(processed)["posts"]}


#: Posting-frequency rows are fitted on the whole history every month and are never held;
#: every other row (labels, topics, hashtags, formats, languages) is under the rule.
STRATEGY_IDS = ("posting_frequency",)


def _content_rows(results: dict) -> list[dict]:
    return [r for r in results["hypotheses"]
            if r.get("id") != "posting_time" and not str(r.get("id")).startswith(STRATEGY_IDS)]


def test_no_label_firms_up_without_the_new_posts(two_months):
    second = two_months["second"]
    alpha = float(second["params"]["alpha"])
    previous = {(r["id"], r["platform"]) for r in _content_rows(two_months["first"])}
    checked = held = confirmed = 0
    for row in _content_rows(second):
        if (row["id"], row["platform"]) not in previous or row.get("method") == "insufficient":
            continue
        firmer = row.get("label_held_from") or row["confidence"]
        if firmer == "inconclusive":
            continue  # no firm-up to check
        checked += 1
        assert row.get("new_posts_n") is not None, row["id"]
        p_new, estimate = row.get("new_posts_p"), row.get("new_posts_estimate")
        if row.get("label_held_from"):
            held += 1
            assert row["confidence"] == "inconclusive", row["id"]
            assert row.get("label_note") and row["label_note"] in row.get("warnings", []), row
            # Held only when the new posts alone do not confirm the direction at alpha.
            assert not (p_new is not None and math.isfinite(p_new) and p_new <= alpha
                        and (estimate > 1) == (row["estimate"] > 1)), row
        else:
            confirmed += 1
            assert p_new is not None and p_new <= alpha, row
            assert (estimate > 1) == (row["estimate"] > 1), row
    # Seeded: the sample's planted effects give firm-ups to judge (2 on this seed).
    assert checked >= 2, checked
    assert held + confirmed == checked


def _window(results: dict) -> list[str]:
    """The rolling window of a month's content rows (one window for all of them)."""
    windows = {r["window"] for r in _content_rows(results)}
    assert len(windows) == 1, windows
    return windows.pop().split("..")


def test_new_posts_are_those_outside_last_months_window(two_months):
    """``new_posts_n`` counts the comparison's posts published after last month's window;
    the truth here is the posts table itself (publication months), not the analysis."""
    first_window = _window(two_months["first"])
    posts = two_months["posts"]
    months = posts["published_at"].dt.tz_localize(None).dt.to_period("M").astype(str)
    second_window = _window(two_months["second"])
    in_second = (months >= second_window[0]) & (months <= second_window[1])
    after_first = months > first_window[1]
    assert first_window[1] == str(Month.parse(SECOND).previous)
    rows = [r for r in _content_rows(two_months["second"]) if r.get("new_posts_n") is not None]
    assert rows
    for row in rows:
        on = in_second if row["platform"] == "all" else in_second & (
            posts["platform"] == row["platform"])
        published_new = int((on & after_first).sum())
        # The comparison may leave out posts it cannot model (no exposure), never add any.
        assert 0 < row["new_posts_n"] <= published_new, (row["id"], row["platform"])
        assert row["new_posts_n"] >= 0.8 * published_new, (row["id"], row["platform"])

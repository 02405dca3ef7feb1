"""The strategy's lines and the fair top posts on the leadership page (issue 15)."""

from __future__ import annotations

import pandas as pd

from workbench.report.strategy import fair_top_posts_html, strategy_lines
from workbench.stats.hypotheses import HypothesisResult
from workbench.stats.strategy import HashtagSummary, StrategyResults
from workbench.stats.top_posts import TopPosts

STATEMENT = ("all 214 posts used the local hashtags: no comparison is possible; an experiment "
             "that drops them from a random half for 8 weeks would settle it")


def _best() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2], "platform": ["linkedin", "tiktok"], "post_id": ["1", "2"],
        "permalink": ["https://example.org/p/1", "javascript:alert(1)"],
        "published_local": pd.to_datetime(["2025-06-03 10:00", "2025-06-04 18:00"]),
        "format": ["photo", "video"], "interactions": [42.0, 900.0],
        "exposure": [300.0, 20000.0], "exposure_kind": ["impressions", "views"],
        "expected": [13.5, 800.0], "times_usual": [3.1, 1.1], "times_usual_raw": [3.1, 1.1],
        "baseline": ["model: format", "model: format"],
        "caption": ["<b>Thank you</b> volunteers", None]})


def _results(rows=(), statement=STATEMENT) -> StrategyResults:
    hashtags = HashtagSummary(tags=["#London"], n_posts=214, n_with=214, comparable=False,
                              statement=statement,
                              command="workbench experiment new local-hashtags-202507")
    empty = pd.DataFrame()
    return StrategyResults(month="2025-06", window="2025-01..2025-06", rows=list(rows),
                           hashtags=hashtags, languages={"en": 214}, frequency=[],
                           top_posts=TopPosts("2025-06", empty, empty, _best()),
                           notes=["every post with a recognisable language was in English"])


def test_the_all_posts_line_is_worded_exactly_with_the_experiment():
    lines = strategy_lines(_results())
    assert lines[0].startswith("A" + STATEMENT[1:] + " (set it up with: workbench experiment new ")
    assert lines[-1] == "every post with a recognisable language was in English"
    assert strategy_lines(None) == []


def test_comparisons_carry_their_confidence_per_platform_splits_left_out():
    common = {"estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8, "p_value": 0.001,
              "p_adjusted": 0.004, "n": 60, "n_group": {"with": 20, "without": 40},
              "method": "negbin", "covariates": ["weekend"], "mde": 1.6,
              "underpowered": False, "window": "2025-01..2025-06", "confidence": "strong",
              "outcome": "interactions_per_reach", "warnings": ["compared with photo posts on "
                                                                "Facebook"]}
    rows = [HypothesisResult(id="format:link", platform="facebook", **common),
            HypothesisResult(id="language:fr", platform="facebook", **common)]
    lines = strategy_lines(_results(rows, statement=None))
    assert len(lines) == 2  # the language row's per-platform split stays in the notebook
    assert lines[0].startswith("Link posts on Facebook got 0.50× the interactions per person "
                               "reached of photo posts") and lines[0].endswith("; strong.")


def test_top_posts_one_per_platform_by_fair_score_with_raw_figures():
    html = str(fair_top_posts_html(_results(), pd.DataFrame()))
    assert html.count("× its usual") == 2
    assert html.index("LinkedIn") < html.index("TikTok")  # 3.1× before 1.1×, not by raw count
    assert "3.1× its usual" in html and "42 interactions" in html and "300 impressions" in html
    assert "&lt;b&gt;Thank you&lt;/b&gt;" in html and "<b>Thank" not in html
    assert "javascript:" not in html

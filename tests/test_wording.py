"""The leadership page's words: comparisons named in the organisation's words, never ids."""

from __future__ import annotations

import re

from workbench import wording as W

IDS = ["format:carousel", "format:link", "language:fr", "hashtags_local",
       "hashtags_local:interactions", "human_centred", "topic:conversation_circles",
       "posting_frequency:per_post", "brand_colours"]


def test_inconclusive_line_names_comparisons_without_ids():
    line = W.inconclusive_summary(IDS)
    assert not re.search(r"\w:\w|\w_\w", line), line  # no "format:link", no "human_centred"
    assert line.startswith("No clear difference yet for 8 other content comparisons (")
    # sorted, de-duplicated (the hashtag rows are one question), first six then an ellipsis
    assert ("(a person's story, brand colours, carousel posts, conversation circles, "
            "link posts, local hashtags…)") in line


def test_a_question_stated_above_is_not_listed_again_as_open():
    line = W.inconclusive_summary(["human_centred", "topic:housing"], shown=["human_centred"])
    assert line == ("No clear difference yet for 1 other content comparison (housing); more "
                    "posts are needed before acting on them.")
    assert W.inconclusive_summary(["human_centred"], shown=["human_centred"]) == ""


def test_short_names():
    assert W.short_comparison_name("language:bilingual") == (
        "posts in bilingual (French and English)")
    assert W.short_comparison_name("posting_frequency") == "posting frequency"
    assert W.short_comparison_name("topic:job_postings") == "job postings"


def test_topic_ranking_says_why_its_number_differs_from_the_topic_finding():
    """Issue 11 §3: one question, two numbers on the page, and the page says why."""
    from workbench.analysis.month import findings

    row = {"id": "topic:job_postings", "platform": "all", "method": "negbin",
           "confidence": "suggestive", "p_adjusted": 0.01, "estimate": 2.14,
           "estimate_pooled": 1.88, "sentence": "Posts about job postings got about 1.9×."}
    ranking = {"best_topic": "job_postings", "plan": ["Over the window, job postings leads."],
               "topics": [{"topic": "job_postings", "rate_ratio": 1.25}]}
    out = findings([], [row], {}, ranking, {})
    topics = next(f for f in out if f["kind"] == "topics")
    assert ("The finding above (1.9× other posts) and this ranking (1.25× a typical post) "
            "measure job postings two ways") in topics["text"]
    # no finding on the same topic shown: the ranking line stands alone
    out = findings([], [{**row, "id": "topic:housing"}], {}, ranking, {})
    assert next(f for f in out if f["kind"] == "topics")["text"] == (
        "Over the window, job postings leads.")


def test_facebook_interactions_are_not_called_engagement():
    """Issue 11 §5: Meta's "post engagements" include clicks; ours do not, and say so."""
    assert W.kpi_label("post_engagement", None, "facebook") == (
        "Interactions on the month's posts (reactions, comments, shares)")
    assert "engagement" not in W.kpi_label("post_engagement").lower()
    finding = W.kpi_finding({"platform": "facebook", "kpi": "post_engagement", "value": 324,
                             "previous": 279, "change_pct": 16.1})
    assert finding["text"].startswith(
        "Facebook interactions on the month's posts (reactions, comments, shares) was 324, up 16%")

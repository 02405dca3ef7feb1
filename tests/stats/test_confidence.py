import pytest

from workbench.stats.confidence import CONFIDENCE_FOOTER, confidence_label, plain_finding


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.01, 1.1, 1.6, False, "negbin"), "strong"),
        ((0.01, 1.1, 1.6, True, "negbin"), "suggestive"),
        ((0.01, 1.1, 1.6, False, "permutation"), "suggestive"),
        ((0.07, 0.98, 1.6, False, "negbin"), "suggestive"),
        ((0.04, 0.98, 1.6, False, "negbin"), "suggestive"),
        ((0.30, 0.8, 1.6, False, "negbin"), "inconclusive"),
        ((None, None, None, True, "insufficient"), "inconclusive"),
        ((float("nan"), 1.1, 1.6, False, "negbin"), "inconclusive"),
        ((0.01, 0.5, 0.8, False, "negbin"), "strong"),
    ],
)
def test_confidence_label(args, expected):
    assert confidence_label(*args) == expected


def test_plain_finding_wording():
    record = {"id": "human_centred", "platform": "all", "window": "2024-01..2024-06",
              "estimate": 1.31, "ci_low": 1.05, "ci_high": 1.63, "method": "negbin",
              "confidence": "suggestive", "n_group": {"with": 38, "without": 51},
              "underpowered": False}
    text = plain_finding(record)
    assert text.startswith("Posts telling a person's story got about 1.3× the interactions "
                           "per person reached")
    assert "95 % interval 1.1–1.6" in text and "38 vs 51 posts" in text
    assert text.endswith("suggestive.")
    assert "cause" not in text
    insufficient = plain_finding({**record, "method": "insufficient", "estimate": None,
                                  "id": "topic:housing", "platform": "linkedin"})
    assert insufficient.startswith("Posts about housing on LinkedIn: too few posts")
    assert "not proof" in CONFIDENCE_FOOTER


def test_finding_says_what_it_was_adjusted_for_and_prints_the_pooled_number():
    from workbench.stats.confidence import adjusted_for, confidence_footer

    record = {"id": "topic:employment", "platform": "all", "n_group": {"with": 30, "without": 90},
              "window": "2024-06..2024-11", "method": "negbin", "confidence": "suggestive",
              "estimate": 2.1, "ci_low": 1.5, "ci_high": 3.1, "covariates": ["platform", "month"],
              "estimate_pooled": 1.3, "ci_low_pooled": 1.0, "ci_high_pooled": 1.8,
              "estimate_story_adjusted": 1.1, "ci_story_low": 0.8, "ci_story_high": 1.5}
    text = plain_finding(record)
    assert "about 1.3× the interactions" in text and "95 % interval 1.0–1.8" in text
    assert "2.1" not in text
    assert "adjusted for platform and month" in text
    assert "person's story: about 1.1×" in text
    assert adjusted_for({"covariates": []}) == "not adjusted for anything else"
    assert "less than 0.1 %" in confidence_footer({"alpha": 0.001, "fdr_q": 0.001})
    assert "unlikely to be chance" not in confidence_footer()

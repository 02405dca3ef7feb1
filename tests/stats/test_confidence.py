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

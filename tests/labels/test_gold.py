"""Rule labels against the hand-labelled gold set (tests/labels/gold_captions.csv)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.labels import cohen_kappa, evaluate_labels, label_posts
from workbench.labels.rules import topic_names
from workbench.schema import conform_posts

MIN_ACCURACY = {"human_centred": 0.85, "topic": 0.85}


def _gold_posts(gold: pd.DataFrame) -> pd.DataFrame:
    frame = gold.assign(post_id=gold["gold_id"], published_at="2024-03-01T12:00:00Z")
    return conform_posts(frame, "America/Toronto")


def _gold_truth(gold: pd.DataFrame) -> pd.DataFrame:
    return gold.rename(columns={"gold_id": "post_id"}).assign(
        human_centred=gold["human_centred"].map({"true": True, "false": False}))


def test_gold_set_is_big_bilingual_and_covers_every_topic(gold, params):
    assert len(gold) >= 80
    assert set(gold["language"]) == {"en", "fr"} and (gold["language"] == "fr").sum() >= 20
    assert set(gold["topic"]) == set(topic_names(params))
    assert set(gold["human_centred"]) == {"true", "false"}
    assert set(gold["audience"]) <= set(params["audiences"])
    assert not gold["gold_id"].duplicated().any()


def test_rules_reach_the_accuracy_bar_on_the_gold_set(gold, params):
    labels = label_posts(_gold_posts(gold), params)
    report = evaluate_labels(labels, _gold_truth(gold))
    print(f"\nRule labels vs gold set (n = {len(gold)}):\n{report.to_string(index=False)}")
    by_label = report.set_index("label")
    for label, bar in MIN_ACCURACY.items():
        assert by_label.loc[label, "n"] == len(gold)
        assert by_label.loc[label, "accuracy"] >= bar, f"{label} accuracy below {bar}"


def test_gold_accuracy_holds_per_language(gold, params):
    labels = label_posts(_gold_posts(gold), params)
    truth = _gold_truth(gold)
    for lang in ("en", "fr"):
        part = truth[truth["language"] == lang]
        report = evaluate_labels(labels, part).set_index("label")
        print(f"\n{lang}: {report['accuracy'].round(3).to_dict()}")
        assert report.loc["topic", "accuracy"] >= 0.8


DEV = Path(__file__).with_name("dev_captions.csv")
MIN_DEV_ACCURACY = {"human_centred": 0.85, "topic": 0.85}


def test_rules_reach_the_accuracy_bar_on_the_development_set(params):
    """Development set used for tuning: 80 captions written blind to the rules.

    They were written without seeing the keywords, but the cue mechanisms and the keyword
    lists in params/org.yaml were then tuned on them (with the gold set), so these numbers
    are optimistic too; the held-out set below is the honest estimate. Measured before that
    tuning: human-centred 0.825, topic 0.638. Like the held-out set it has no platform or
    format column: every caption is scored as a Facebook photo post.
    """
    dev = pd.read_csv(DEV, dtype=str, keep_default_na=False)
    dev = dev.assign(gold_id=[f"d{i:03d}" for i in range(len(dev))], platform="facebook",
                     format="photo")
    assert len(dev) >= 80 and set(dev["topic"]) <= set(topic_names(params))
    labels = label_posts(_gold_posts(dev), params)
    report = evaluate_labels(labels, _gold_truth(dev)).set_index("label")
    print(f"\nRule labels vs development set (n = {len(dev)}):\n{report.to_string()}")
    for label, bar in MIN_DEV_ACCURACY.items():
        assert report.loc[label, "n"] == len(dev)
        assert report.loc[label, "accuracy"] >= bar, f"{label} accuracy below {bar}"


def _kappa_from_confusion(a, b) -> float:
    """Independent reference: kappa from the confusion matrix (Cohen 1960)."""
    table = pd.crosstab(pd.Series(a), pd.Series(b)).to_numpy(dtype=float)
    n = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    p_o = np.trace(table) / n if table.shape[0] == table.shape[1] else None
    p_e = float(rows @ cols) / n**2
    return (p_o - p_e) / (1 - p_e)


@pytest.mark.parametrize("agreement", [0.3, 0.6, 0.9])
def test_cohen_kappa_matches_confusion_matrix_formula(rng, agreement):
    a = rng.choice(["x", "y", "z"], size=300, p=[0.5, 0.3, 0.2])
    b = np.where(rng.random(300) < agreement, a, rng.choice(["x", "y", "z"], size=300))
    assert cohen_kappa(a, b) == pytest.approx(_kappa_from_confusion(a, b))


def test_cohen_kappa_edge_cases(rng):
    a = rng.choice(["x", "y"], size=50)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(a, np.where(a == "x", "y", "x")) < 0
    assert np.isnan(cohen_kappa([], []))
    with pytest.raises(ValueError, match="raters labelled 2 and 1 items"):
        cohen_kappa(["x", "y"], ["x"])


def test_heldout_set_written_blind_to_the_rules(params):
    """Captions written without seeing the rules or keywords: an honest accuracy estimate.

    The gold set above was used while tuning keywords, so its accuracy is optimistic. This
    set was not; its numbers are the ones to quote. Measured when it was added (60 captions):
    human-centred 0.717 (kappa 0.43), topic 0.717 (kappa 0.69), audience 0.65; after the rules
    were improved on a separate development set (dev_captions.csv), without looking at this
    file: human-centred 0.950 (kappa 0.89), topic 0.933 (kappa 0.93), audience 0.75. The bars
    below guard against regressions; keywords must never be tuned on this file (that would make
    it one more training set).
    """
    from pathlib import Path

    heldout = pd.read_csv(Path(__file__).with_name("heldout_captions.csv"), dtype=str,
                          keep_default_na=False)
    # the set has no platform or format column: score every caption as a Facebook photo post
    heldout = heldout.assign(gold_id=[f"h{i:03d}" for i in range(len(heldout))],
                             platform="facebook", format="photo")
    assert len(heldout) >= 60 and set(heldout["topic"]) <= set(topic_names(params)) | {"other"}
    labels = label_posts(_gold_posts(heldout), params)
    report = evaluate_labels(labels, _gold_truth(heldout)).set_index("label")
    print(f"\nRule labels vs held-out set (n = {len(heldout)}):\n{report.to_string()}")
    assert report.loc["human_centred", "accuracy"] >= 0.85
    assert report.loc["topic", "accuracy"] >= 0.85

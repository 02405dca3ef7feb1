"""Label quality: rules against a gold set, and rules against the analyst's overrides.

Cohen's kappa is computed here (scikit-learn is not a dependency):
``κ = (p_o − p_e) / (1 − p_e)`` with ``p_o`` the observed agreement and ``p_e`` the
agreement expected from the two raters' marginal frequencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa between two raters' labels of the same items.

    Args:
        a: Labels from the first rater (e.g. the rules).
        b: Labels from the second rater (e.g. the gold set), same length and order.

    Returns:
        Kappa in [-1, 1]; 1.0 when both raters give every item the same single label
        (perfect agreement with no variation); NaN for no items.

    Examples:
        >>> cohen_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"])
        0.5
    """
    a = pd.Series(list(a), dtype="object").astype(str).to_numpy()
    b = pd.Series(list(b), dtype="object").astype(str).to_numpy()
    if len(a) != len(b):
        raise ValueError(f"raters labelled {len(a)} and {len(b)} items")
    if len(a) == 0:
        return float("nan")
    categories = np.union1d(a, b)
    p_o = float(np.mean(a == b))
    p_e = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    if p_e == 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1.0 - p_e)


def evaluate_labels(
    predicted: pd.DataFrame,
    truth: pd.DataFrame,
    fields: Iterable[str] = ("human_centred", "topic", "audience"),
    on: Sequence[str] = ("platform", "post_id"),
) -> pd.DataFrame:
    """Accuracy and Cohen's kappa per label field.

    Args:
        predicted: Labels to judge (e.g. from :func:`label_posts`).
        truth: Reference labels (gold set, or analyst overrides), same key columns.
        fields: Label columns to compare; items where ``truth`` is NA are skipped.
        on: Key columns matching rows of ``predicted`` and ``truth``.

    Returns:
        One row per field: ``label``, ``n`` (items compared), ``accuracy``, ``kappa``.
    """
    keys = list(on)
    rows = []
    for field in fields:
        if field not in truth.columns or field not in predicted.columns:
            continue
        pair = predicted[keys + [field]].merge(truth[keys + [field]], on=keys,
                                               suffixes=("_pred", "_true"))
        pair = pair[pair[f"{field}_true"].notna() & pair[f"{field}_pred"].notna()]
        pred = pair[f"{field}_pred"].astype(str).to_numpy()
        true = pair[f"{field}_true"].astype(str).to_numpy()
        rows.append({"label": field, "n": len(pair),
                     "accuracy": float(np.mean(pred == true)) if len(pair) else float("nan"),
                     "kappa": cohen_kappa(pred, true)})
    return pd.DataFrame(rows, columns=["label", "n", "accuracy", "kappa"])


def confusion(predicted: pd.Series, truth: pd.Series) -> pd.DataFrame:
    """Cross-tab of truth (rows) by prediction (columns), with totals."""
    return pd.crosstab(pd.Series(truth, name="truth").astype(str),
                       pd.Series(predicted, name="rules").astype(str), margins=True)


def rules_vs_overrides(labels: pd.DataFrame) -> pd.DataFrame:
    """Agreement between the rules and the analyst on the fields the analyst set.

    Args:
        labels: Labels table from :func:`label_posts` (with ``rule_*`` and
            ``overridden_fields`` columns).

    Returns:
        One row per field (``human_centred``, ``topic``, ``audience``): ``label``, ``n``
        (posts the analyst reviewed for that field), ``accuracy`` (share where the rule
        agreed), ``kappa``.
    """
    rows = []
    overridden = labels["overridden_fields"].fillna("").astype(str)
    for field in ("human_centred", "topic", "audience"):
        set_here = overridden.str.split(",").map(lambda fs, f=field: f in fs)
        part = labels[set_here]
        rule = part[f"rule_{field}"].astype(str).to_numpy()
        analyst = part[field].astype(str).to_numpy()
        rows.append({"label": field, "n": len(part),
                     "accuracy": float(np.mean(rule == analyst)) if len(part) else float("nan"),
                     "kappa": cohen_kappa(rule, analyst)})
    return pd.DataFrame(rows, columns=["label", "n", "accuracy", "kappa"])


def posts_to_review(labels: pd.DataFrame, posts: pd.DataFrame | None = None,
                    n: int = 20) -> pd.DataFrame:
    """The ``n`` least confident posts the analyst has not overridden yet.

    Args:
        labels: Labels table.
        posts: Optional posts table, to show the caption, date and permalink.
        n: How many to return.

    Returns:
        Rows sorted by ``confidence`` (the smaller of topic and human confidence), lowest first.
    """
    table = labels[labels["label_source"] != "override"]
    table = table.assign(confidence=table[["topic_confidence", "human_confidence"]].min(axis=1))
    cols = ["platform", "post_id", "topic", "human_centred", "audience", "brand_colours",
            "confidence"]
    if posts is not None:
        extra = posts[["platform", "post_id", "published_at", "caption", "permalink"]]
        table = table.merge(extra.astype({"platform": "string", "post_id": "string"}),
                            on=["platform", "post_id"], how="left")
        cols += ["published_at", "caption", "permalink"]
    return table.sort_values(["confidence", "platform", "post_id"]).head(n)[cols]

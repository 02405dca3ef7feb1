"""Pure label functions: posts (+ image measurements + overrides) -> ``labels``.

Nothing here reads or writes files; see :mod:`workbench.labels.run` for that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.labels.colour import is_brand
from workbench.labels.rules import (
    PreparedText,
    check_label_params,
    local_hashtags,
    parse_hashtags,
    rule_human,
    rule_topic,
    topic_audience,
)
from workbench.schema import LABELS_COLUMNS, LABELS_DTYPES

#: The label fields an analyst can override.
OVERRIDE_FIELDS = ("human_centred", "topic", "audience", "brand_colours")

#: Columns of the labels table beyond DESIGN.md's, in order.
EXTRA_DTYPES: dict[str, str] = {
    "topic_confidence": "Float64",
    "human_confidence": "Float64",
    "local_hashtag": "boolean",
    "local_hashtags": "object",  # list[str]
    "rule_human_centred": "boolean",
    "rule_topic": "string",
    "rule_audience": "string",
    "overridden_fields": "string",  # comma-separated OVERRIDE_FIELDS set by the analyst
}
LABELS_OUTPUT_COLUMNS = (*LABELS_COLUMNS, *EXTRA_DTYPES)


def label_version(params: Mapping[str, Any]) -> str:
    """A short fingerprint of the rule settings, so labels from other rules can be told apart.

    It changes when topics, cue words, weights, thresholds or brand colours change; analyst
    overrides do not change it.
    """
    cfg = {k: v for k, v in (params.get("labels") or {}).items() if k != "overrides_file"}
    basis = {"topics": params.get("topics"), "labels": cfg,
             "brand_colours": params.get("brand_colours")}
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()
    return f"rules-1.{digest[:8]}"


def _post_tags(caption: Any, listed: Any) -> list[str]:
    """Hashtags from the export's list and from the caption, without duplicates."""
    tags = [str(t) if str(t).startswith("#") else f"#{t}"
            for t in (listed if isinstance(listed, (list, tuple)) else [])]
    tags += parse_hashtags(caption)
    seen: set[str] = set()
    out = []
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def rule_labels(posts: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
    """Labels from caption rules only (no images, no overrides).

    Returns:
        One row per post: ``platform``, ``post_id``, ``human_centred``, ``human_confidence``,
        ``topic``, ``topic_confidence``, ``audience``, ``local_hashtags``, ``local_hashtag``.
    """
    check_label_params(params)
    local = params.get("local_hashtags") or []
    formats = posts["format"] if "format" in posts else pd.Series(pd.NA, index=posts.index)
    tag_lists = posts["hashtags"] if "hashtags" in posts else pd.Series(None, index=posts.index)
    rows = []
    for platform, post_id, caption, fmt, listed in zip(
        posts["platform"], posts["post_id"], posts["caption"], formats, tag_lists, strict=True
    ):
        text = PreparedText.of(caption)
        topic, topic_conf = rule_topic(text, params)
        human, human_conf = rule_human(text, fmt, params)
        local_tags = local_hashtags(_post_tags(caption, listed), local)
        rows.append({
            "platform": platform, "post_id": post_id,
            "human_centred": human, "human_confidence": human_conf,
            "topic": topic, "topic_confidence": topic_conf,
            "audience": topic_audience(topic, platform, params),
            "local_hashtags": local_tags, "local_hashtag": bool(local_tags),
        })
    columns = ["platform", "post_id", "human_centred", "human_confidence", "topic",
               "topic_confidence", "audience", "local_hashtags", "local_hashtag"]
    return pd.DataFrame(rows, columns=columns, index=posts.index)


def label_posts(
    posts: pd.DataFrame,
    params: Mapping[str, Any],
    images: pd.DataFrame | None = None,
    overrides: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Label every post: caption rules, then image measurements, then analyst overrides.

    Args:
        posts: Canonical posts (``platform``, ``post_id``, ``caption``, ``format``,
            ``hashtags`` used).
        params: Parameters with ``topics``, ``audiences``, ``brand_colours``, ``labels``.
        images: Optional image measurements (``platform``, ``post_id``,
            ``brand_colour_share`` and ``share_<colour>`` columns, as from
            :func:`workbench.labels.colour.measure_images`). Posts without one get
            ``brand_colours`` NA.
        overrides: Optional analyst overrides: ``platform``, ``post_id`` and any of
            ``human_centred``, ``topic``, ``audience``, ``brand_colours`` (NA = keep).
            Overrides always win; rows for posts not in ``posts`` are ignored here.

    Returns:
        The ``labels`` table (DESIGN.md columns first, then :data:`EXTRA_DTYPES`), one row
        per post, in the order of ``posts``. ``label_source`` is ``override`` when the
        analyst set any field, else ``image`` when brand colours were measured, else
        ``rule``.
    """
    rules = rule_labels(posts, params)
    out = rules.assign(
        rule_human_centred=rules["human_centred"], rule_topic=rules["topic"],
        rule_audience=rules["audience"], brand_colours=pd.NA, brand_colour_share=pd.NA,
        label_source="rule", overridden_fields="",
    )
    out = conform_labels(out.reset_index(drop=True))
    keys = pd.MultiIndex.from_arrays([out["platform"], out["post_id"]])

    if images is not None and len(images):
        cfg = params.get("labels") or {}
        share_threshold = float(cfg.get("brand_share_threshold", 0.12))
        require_all = bool(cfg.get("brand_require_all", False))
        measured = images.drop_duplicates(["platform", "post_id"], keep="last")
        measured = measured.set_index(["platform", "post_id"])
        share_cols = [c for c in measured.columns if c.startswith("share_")]
        found = keys.isin(measured.index)
        rows = measured.reindex(keys[found])
        shares = rows["brand_colour_share"].astype("Float64").to_numpy()
        if share_cols:
            flags = [is_brand({c: float(v) for c, v in zip(share_cols, vals, strict=True)},
                              share_threshold, require_all)
                     for vals in rows[share_cols].astype(float).to_numpy()]
        else:
            flags = [float(s) >= share_threshold for s in shares]
        out.loc[found, "brand_colour_share"] = shares
        out.loc[found, "brand_colours"] = flags
        out.loc[found, "label_source"] = "image"

    if overrides is not None and len(overrides):
        table = overrides.drop_duplicates(["platform", "post_id"], keep="last")
        table = table.astype({"platform": "string", "post_id": "string"})
        table = table.set_index(["platform", "post_id"])
        found = keys.isin(table.index)
        rows = table.reindex(keys[found])
        changed = pd.Series("", index=out.index[found], dtype="string")
        for field in OVERRIDE_FIELDS:
            if field not in rows.columns:
                continue
            values = rows[field].astype(LABELS_DTYPES[field])
            given = values.notna().to_numpy()
            target = out.index[found][given]
            out.loc[target, field] = values.to_numpy()[given]
            changed.loc[target] = changed.loc[target] + "," + field
        changed = changed.str.lstrip(",")
        touched = changed[changed != ""].index
        out.loc[touched, "overridden_fields"] = changed.loc[touched]
        out.loc[touched, "label_source"] = "override"
        # An overridden topic keeps the rule audience only when the analyst set none.
        topic_only = [i for i in touched
                      if "topic" in changed.loc[i] and "audience" not in changed.loc[i]]
        for i in topic_only:
            out.loc[i, "audience"] = topic_audience(out.loc[i, "topic"], out.loc[i, "platform"],
                                                    params)
    out["label_version"] = label_version(params)
    return conform_labels(out)


def conform_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly :data:`LABELS_OUTPUT_COLUMNS`, canonical dtypes first."""
    dtypes = {**LABELS_DTYPES, **EXTRA_DTYPES}
    out = pd.DataFrame(index=frame.index)
    for column, dtype in dtypes.items():
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        if column == "local_hashtags":
            out[column] = values.map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
        else:
            out[column] = values.astype("object").astype(dtype)
    return out


def join_labels(posts: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Left-join labels onto posts by ``platform`` + ``post_id`` (row count kept).

    Args:
        posts: Canonical posts.
        labels: The labels table (one row per post). Columns that ``posts`` already has,
            other than the keys, are not joined.

    Returns:
        ``posts`` with the label columns added; posts without labels get NA.

    Raises:
        ValueError: ``labels`` has several rows for one post (a bug upstream).
    """
    keys = ["platform", "post_id"]
    extra = [c for c in labels.columns if c not in posts.columns]
    right = labels[keys + extra].astype({"platform": "string", "post_id": "string"})
    if right.duplicated(keys).any():
        dup = right.loc[right.duplicated(keys), keys].iloc[0].tolist()
        raise ValueError(f"labels has several rows for post {dup}")
    left = posts.astype({"platform": "string", "post_id": "string"})
    joined = left.merge(right, on=keys, how="left", validate="many_to_one")
    return joined

"""Label files: ``workbench label`` and ``workbench labels-export``.

Files read and written (PROCESSED_DIR is e.g. ``data/processed``):

* reads ``PROCESSED_DIR/posts.parquet``;
* reads images ``MEDIA_DIR/<platform>/<post_id>.(png|jpg|jpeg)``; MEDIA_DIR defaults to
  ``<raw_dir>/media`` with ``raw_dir`` taken from ``PROCESSED_DIR/ingest_log.json`` (no log,
  no images: brand colours stay NA);
* writes ``PROCESSED_DIR/labels.parquet`` (atomically);
* keeps the analyst's overrides in a durable store, **outside** PROCESSED_DIR so a
  re-ingest never loses them and never inside ``data/raw`` (raw files are never written):
  ``labels.overrides_file`` in the parameters, default ``label_overrides.csv`` in
  PROCESSED_DIR's parent folder (``data/label_overrides.csv`` for ``data/processed``). Every
  run re-applies it; ``--overrides FILE`` merges FILE into it first (newer cells win).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputFormatError, WorkbenchError
from workbench.io.atomic import write_bytes_atomic, write_parquet_atomic
from workbench.labels.colour import measure_images
from workbench.labels.core import label_posts
from workbench.labels.overrides import (
    EXPORT_COLUMNS,
    csv_bytes,
    merge_store,
    read_override_file,
    read_store,
    resolve_overrides,
    store_as_overrides,
    write_store,
)

EXCERPT_CHARS = 120


def overrides_store_path(processed_dir: Path, params: Mapping[str, Any]) -> Path:
    """Where the analyst's overrides are kept (see the module docstring)."""
    configured = (params.get("labels") or {}).get("overrides_file")
    if configured:
        return Path(configured)
    return Path(processed_dir).resolve().parent / "label_overrides.csv"


def default_media_dir(processed_dir: Path) -> Path | None:
    """``<raw_dir>/media`` from ``ingest_log.json``, or None when the log does not say."""
    log = Path(processed_dir) / "ingest_log.json"
    try:
        raw_dir = json.loads(log.read_text(encoding="utf-8")).get("raw_dir")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(raw_dir) / "media" if raw_dir else None


def read_posts(processed_dir: Path) -> pd.DataFrame:
    """Read ``posts.parquet``; a clear error when ingest has not been run."""
    path = Path(processed_dir) / "posts.parquet"
    if not path.exists():
        raise InputFormatError("posts table not found", file=path,
                               hint="run `workbench ingest RAW_DIR --out "
                                    f"{processed_dir}` first")
    return pd.read_parquet(path)


def run_label(
    processed_dir: Path,
    params: dict,
    overrides: Path | None = None,
    media_dir: Path | None = None,
) -> str:
    """Label every post and write ``labels.parquet``; apply and keep analyst overrides.

    Args:
        processed_dir: Folder with ``posts.parquet`` (written by ``workbench ingest``).
        params: Merged parameters.
        overrides: An edited review CSV to merge into the override store first.
        media_dir: Folder of post images (default: ``<raw_dir>/media`` from the ingest log).

    Returns:
        A printable summary, including one line per problem found (bad override rows,
        unreadable images) — those are reported, and everything else is applied.
    """
    processed_dir = Path(processed_dir)
    posts = read_posts(processed_dir)
    media_dir = Path(media_dir) if media_dir else default_media_dir(processed_dir)
    images, problems = measure_images(media_dir, posts, params)
    problems = list(problems)

    store_path = overrides_store_path(processed_dir, params)
    store, store_problems = read_store(store_path, params)
    problems += store_problems
    applied_new = 0
    if overrides is not None:
        current = label_posts(posts, params, images, store_as_overrides(store))
        frame, file_problems = read_override_file(Path(overrides))
        new, row_problems = resolve_overrides(frame, posts, current, params, source=overrides)
        problems += file_problems + row_problems
        applied_new = int(new["matched"].sum())
        if len(new):
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            store = merge_store(store, new, stamp)
            write_store(store, store_path)

    labels = label_posts(posts, params, images, store_as_overrides(store))
    write_parquet_atomic(labels, processed_dir / "labels.parquet")
    return summarise(labels, images, store, applied_new, store_path, problems, overrides)


def summarise(labels: pd.DataFrame, images: pd.DataFrame, store: pd.DataFrame,
              applied_new: int, store_path: Path, problems: list[WorkbenchError],
              overrides: Path | None) -> str:
    """The printable summary of a labelling run."""
    n = len(labels)
    in_posts = labels["label_source"].eq("override").sum()
    lines = [
        f"Labelled {n} posts: {int(labels['human_centred'].sum())} human-centred, "
        f"{int(labels['topic'].ne('other').sum())} with a topic, "
        f"{int(labels['brand_colours'].notna().sum())} with a brand-colour label "
        f"({len(images)} images measured).",
        f"Overrides: {int(in_posts)} posts overridden from {store_path} "
        f"({len(store)} kept in total).",
    ]
    if overrides is not None:
        lines.append(f"From {overrides}: {applied_new} rows applied.")
    if problems:
        lines.append(f"{len(problems)} problem(s), everything else applied:")
        lines += [f"  - {p.one_line()}" for p in problems]
    return "\n".join(lines)


def review_table(posts: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The review CSV's rows: least confident first (EXPORT_COLUMNS)."""
    keys = ["platform", "post_id"]
    left = posts.astype({"platform": "string", "post_id": "string"})
    table = left.merge(labels.drop(columns=[c for c in labels.columns
                                            if c in left.columns and c not in keys]),
                       on=keys, how="left")
    caption = table["caption"].fillna("").astype(str).str.replace(r"\s+", " ", regex=True)
    long = caption.str.len() > EXCERPT_CHARS
    excerpt = caption.where(~long, caption.str.slice(0, EXCERPT_CHARS - 1) + "…")
    when = pd.to_datetime(table["published_at"], utc=True, errors="coerce")
    if "published_at" in posts and len(posts):
        stamps = posts["published_at"]
        tz = getattr(getattr(stamps, "dt", None), "tz", None)
        when = when.dt.tz_convert(tz) if tz is not None else when
    table = table.assign(
        date=when.dt.strftime("%Y-%m-%d %H:%M"),
        caption_excerpt=excerpt,
        confidence=table[["topic_confidence", "human_confidence"]].min(axis=1).round(3),
        topic_confidence=table["topic_confidence"].round(3),
        human_confidence=table["human_confidence"].round(3),
        brand_colour_share=table["brand_colour_share"].round(3),
        reviewed="",
    )
    table = table.sort_values(["confidence", "platform", "date", "post_id"], na_position="first",
                              kind="stable")
    return table[list(EXPORT_COLUMNS)].reset_index(drop=True)


def export_labels_csv(processed_dir: Path, out: Path, params: dict) -> Path:
    """Write the review CSV (least confident first) for the analyst to edit.

    Labels are recomputed from the posts, the images and the stored overrides, so the file
    always shows what ``workbench label`` would write. Edit the ``human_centred``, ``topic``,
    ``audience`` or ``brand_colours`` cells (or put ``x`` in ``reviewed`` to confirm a row as
    it is), save as CSV, then run ``workbench label PROCESSED_DIR --overrides FILE``.

    Args:
        processed_dir: Folder with ``posts.parquet``.
        out: CSV to write (UTF-8 with BOM, IDs protected from Excel).
        params: Merged parameters.

    Returns:
        The path written.
    """
    posts, labels, _ = current_labels(processed_dir, params)
    return write_bytes_atomic(Path(out), csv_bytes(review_table(posts, labels)))


def current_labels(
    processed_dir: Path, params: dict, media_dir: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[WorkbenchError]]:
    """Posts and their labels as ``workbench label`` would write them now (nothing written).

    Returns:
        ``(posts, labels, problems)``; problems are unreadable images or store cells.
    """
    processed_dir = Path(processed_dir)
    posts = read_posts(processed_dir)
    media_dir = Path(media_dir) if media_dir else default_media_dir(processed_dir)
    images, problems = measure_images(media_dir, posts, params)
    store, store_problems = read_store(overrides_store_path(processed_dir, params), params)
    labels = label_posts(posts, params, images, store_as_overrides(store))
    return posts, labels, list(problems) + store_problems


def label_counts(labels: pd.DataFrame) -> pd.DataFrame:
    """Posts per topic and platform, with the human-centred and brand-colour shares."""
    table = labels.assign(brand_known=labels["brand_colours"].notna())
    grouped = table.groupby("topic", observed=True)
    out = pd.DataFrame({
        "posts": grouped.size(),
        "human_centred_share": grouped["human_centred"].mean().round(2),
        "brand_measured": grouped["brand_known"].sum(),
        "overridden": grouped["label_source"].apply(lambda s: int((s == "override").sum())),
    })
    by_platform = pd.crosstab(table["topic"], table["platform"])
    return out.join(by_platform).sort_values("posts", ascending=False)

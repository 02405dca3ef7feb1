"""The analyst's label overrides: the review CSV, its validation, and the durable store.

The review CSV (``workbench labels-export``) and the store (``label_overrides.csv``) share
one format, written for spreadsheets: UTF-8 with a byte-order mark (so Excel shows accents),
and ``post_id`` written as ``="1234567890123456"`` so Excel keeps long IDs as text instead of
rounding them to ``1.23457E+15``. Reading undoes that, accepts ``;`` or tab separators
(Excel in a French locale), Windows-1252 files (Excel's plain "CSV" save), ``TRUE``/``VRAI``/
``oui``/``x`` for booleans, and topic names in any case or with spaces.

Problems in one row (an unknown post, a value outside the taxonomy, a duplicate) are
returned as errors naming the file, row and column; the other rows are still applied.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputFormatError, WorkbenchError
from workbench.io.atomic import write_bytes_atomic
from workbench.labels.core import OVERRIDE_FIELDS
from workbench.labels.rules import audience_names, fold, topic_names

KEY_COLUMNS = ("platform", "post_id", "permalink")
#: Columns of the review CSV, in order. Only OVERRIDE_FIELDS and ``reviewed`` are read back.
EXPORT_COLUMNS = (
    "platform", "post_id", "permalink", "date", "caption_excerpt",
    "human_centred", "topic", "audience", "brand_colours",
    "confidence", "topic_confidence", "human_confidence", "brand_colour_share",
    "label_source", "reviewed",
)
#: Columns of the durable store.
STORE_COLUMNS = ("platform", "post_id", "permalink", *OVERRIDE_FIELDS, "updated_at")
#: Columns shown for information only; accepted and ignored when read back.
INFO_COLUMNS = frozenset(EXPORT_COLUMNS) - set(KEY_COLUMNS) - set(OVERRIDE_FIELDS) - {"reviewed"}
KNOWN_COLUMNS = frozenset(EXPORT_COLUMNS) | frozenset(STORE_COLUMNS)

TRUE_WORDS = {"true", "yes", "y", "1", "1.0", "vrai", "oui", "x", "human", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "0.0", "faux", "non", "f"}
_EXCEL_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_HINT_BOOL = "write true or false (yes/no, oui/non and Excel's TRUE/FALSE also work)"


# --------------------------------------------------------------------------- writing


def excel_text(value: Any) -> str:
    """Protect an ID from Excel's number conversion: ``123`` -> ``="123"``."""
    return "" if value is None or value is pd.NA else f'="{value}"'


def unexcel(value: Any) -> str:
    """Undo :func:`excel_text` and other spreadsheet decorations of an ID; strip spaces."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    text = text.strip()
    match = re.fullmatch(r'="(.*)"', text)
    if match:
        text = match.group(1)
    if text.startswith("'"):
        text = text[1:]
    if re.fullmatch(r"\d+\.0", text):  # a spreadsheet that turned the ID into a float
        text = text[:-2]
    return text.strip()


def csv_bytes(frame: pd.DataFrame, id_columns: tuple[str, ...] = ("post_id",)) -> bytes:
    """Encode ``frame`` as an Excel-friendly CSV (UTF-8 BOM, IDs protected, NA as blank)."""
    out = frame.astype("object").where(frame.notna(), "")
    for col in id_columns:
        if col in out:
            out[col] = out[col].map(lambda v: excel_text(v) if v != "" else "")
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8-sig")


def write_store(frame: pd.DataFrame, path: Path) -> Path:
    """Write the durable override store atomically."""
    return write_bytes_atomic(path, csv_bytes(frame.reindex(columns=list(STORE_COLUMNS))))


# --------------------------------------------------------------------------- reading


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # Excel's plain "CSV (Comma delimited)" save


def read_override_file(path: Path) -> tuple[pd.DataFrame, list[WorkbenchError]]:
    """Read an override CSV as text, with each row's spreadsheet row number.

    Args:
        path: The CSV (review export edited by the analyst, or the store).

    Returns:
        ``(frame, problems)``: ``frame`` has the known columns (as strings, blanks as "")
        plus ``row`` (header = row 1); unknown columns are dropped and reported.

    Raises:
        InputFormatError: The file cannot be read, or has neither ``post_id`` nor
            ``permalink`` so no row can be matched to a post.
    """
    path = Path(path)
    try:
        text = _decode(path)
    except OSError as exc:
        raise InputFormatError(f"cannot read the overrides file ({exc.strerror})", file=path,
                               hint="check the path given to --overrides") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            sep=delimiter, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFormatError(f"not a readable CSV ({str(exc).strip()})", file=path,
                               hint="save it from the spreadsheet as CSV UTF-8") from exc
    rename = {c: re.sub(r"[\s\-]+", "_", str(c).strip().lower()) for c in frame.columns}
    frame = frame.rename(columns=rename)
    problems: list[WorkbenchError] = []
    unknown = [c for c in frame.columns if c not in KNOWN_COLUMNS]
    for col in unknown:
        problems.append(InputFormatError(
            "unknown column ignored", file=path, column=col,
            hint="the columns read back are platform, post_id, permalink, "
                 f"{', '.join(OVERRIDE_FIELDS)} and reviewed",
        ))
    if "post_id" not in frame.columns and "permalink" not in frame.columns:
        raise InputFormatError("no 'post_id' or 'permalink' column, so no row can be matched "
                               "to a post", file=path,
                               hint="start from the file written by `workbench labels-export`")
    frame = frame.drop(columns=unknown)
    frame = frame.assign(row=range(2, len(frame) + 2))
    # Rows the spreadsheet left entirely empty are not rows.
    data_cols = [c for c in frame.columns if c != "row"]
    blank = frame[data_cols].apply(lambda col: col.str.strip() == "").all(axis=1)
    return frame[~blank].reset_index(drop=True), problems


def _norm_permalink(value: Any) -> str:
    text = unexcel(value).lower()
    text = re.sub(r"^https?://(www\.)?", "", text)
    return text.rstrip("/")


def _parse_bool(text: str) -> bool | None:
    word = fold(text).strip()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


def _parse_name(text: str, allowed: list[str]) -> str:
    key = re.sub(r"[\s\-]+", "_", fold(text).strip()).replace("'", "")
    lookup = {re.sub(r"[\s\-]+", "_", fold(a)).replace("'", ""): a for a in allowed}
    if key in lookup:
        return lookup[key]
    raise ValueError(text)


def parse_override_values(
    frame: pd.DataFrame, params: Mapping[str, Any], source: Path | str | None
) -> tuple[pd.DataFrame, list[WorkbenchError]]:
    """Turn the text cells of OVERRIDE_FIELDS (and ``reviewed``) into typed values.

    Blank cells become NA (nothing to override). Invalid cells are reported with their row
    and column and become NA; the rest of the row is kept.
    """
    topics = topic_names(params)
    audiences = audience_names(params)
    problems: list[WorkbenchError] = []
    parsed: dict[str, list[Any]] = {f: [] for f in (*OVERRIDE_FIELDS, "reviewed")}
    for record in frame.to_dict("records"):
        row = int(record["row"])
        for field in (*OVERRIDE_FIELDS, "reviewed"):
            text = str(record.get(field, "") or "").strip()
            value: Any = pd.NA
            if text:
                try:
                    if field in ("human_centred", "brand_colours"):
                        value = _parse_bool(text)
                    elif field == "reviewed":
                        value = fold(text) not in FALSE_WORDS
                    elif field == "topic":
                        value = _parse_name(text, topics)
                    else:
                        value = _parse_name(text, audiences)
                except ValueError:
                    allowed = {"topic": topics, "audience": audiences}.get(field)
                    hint = (f"use one of: {', '.join(allowed)}" if allowed else _HINT_BOOL)
                    problems.append(InputFormatError(
                        f"{text!r} is not a valid {field}; this cell was not applied",
                        file=source, row=row, column=field, hint=hint))
            parsed[field].append(value)
    out = frame.assign(**{f: pd.Series(v, index=frame.index, dtype="object")
                          for f, v in parsed.items()})
    return out, problems


def match_posts(
    frame: pd.DataFrame, posts: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """Find each override row's post: by platform + post_id, else by permalink.

    Returns:
        ``(platform, post_id)`` of the matched post for each row (NA where none matched).
    """
    ids = posts.astype({"platform": "string", "post_id": "string"})
    by_id = {(str(p), str(i)): (str(p), str(i)) for p, i in zip(ids["platform"], ids["post_id"],
                                                               strict=True)}
    by_link = {}
    if "permalink" in posts:
        for p, i, link in zip(ids["platform"], ids["post_id"], posts["permalink"], strict=True):
            if isinstance(link, str) and link.strip():
                by_link[_norm_permalink(link)] = (str(p), str(i))
    platforms, post_ids = [], []
    for record in frame.to_dict("records"):
        platform = fold(str(record.get("platform", "") or "")).strip()
        post_id = unexcel(record.get("post_id", ""))
        link = _norm_permalink(record.get("permalink", ""))
        hit = by_id.get((platform, post_id)) if post_id else None
        if hit is None and link:
            hit = by_link.get(link)
        platforms.append(hit[0] if hit else pd.NA)
        post_ids.append(hit[1] if hit else pd.NA)
    return (pd.Series(platforms, index=frame.index, dtype="string"),
            pd.Series(post_ids, index=frame.index, dtype="string"))


def resolve_overrides(
    frame: pd.DataFrame,
    posts: pd.DataFrame,
    current: pd.DataFrame,
    params: Mapping[str, Any],
    source: Path | str | None = None,
) -> tuple[pd.DataFrame, list[WorkbenchError]]:
    """Validate an edited review CSV and keep what the analyst decided.

    A cell counts as an override when the row is marked ``reviewed`` (the analyst confirms
    every label shown) or when it differs from the current label. Rows for posts not in
    ``posts`` are reported and still returned (with ``matched`` false) so the store keeps
    them: a post missing from this ingest may come back.

    Args:
        frame: Rows from :func:`read_override_file`.
        posts: Current posts.
        current: Current labels (rules + images + stored overrides).
        params: Parameters (taxonomy of topics and audiences).
        source: File name for messages.

    Returns:
        ``(overrides, problems)``; ``overrides`` has STORE_COLUMNS minus ``updated_at``, plus
        ``row`` and ``matched``.
    """
    values, problems = parse_override_values(frame, params, source)
    platform, post_id = match_posts(values, posts)
    current_by_key = current.astype({"platform": "string", "post_id": "string"}).set_index(
        ["platform", "post_id"])
    records = []
    for i, record in enumerate(values.to_dict("records")):
        row = int(record["row"])
        matched = not pd.isna(post_id.iloc[i])
        given = {f: record[f] for f in OVERRIDE_FIELDS if not pd.isna(record[f])}
        raw_id = unexcel(record.get("post_id", ""))
        if not matched:
            what = (f"{record.get('platform', '')} post {raw_id}" if raw_id
                    else f"permalink {record.get('permalink', '')}")
            hint = "check the post_id and permalink; the override is kept and will apply if " \
                   "the post comes back"
            if _EXCEL_SCIENTIFIC.match(raw_id):
                hint = ("the post_id was rounded by Excel; keep the permalink column, or "
                        "re-export and edit that file")
            problems.append(InputFormatError(f"{what} is not in posts.parquet", file=source,
                                             row=row, column="post_id", hint=hint))
            if not given or not raw_id or _EXCEL_SCIENTIFIC.match(raw_id):
                continue
            key = (fold(str(record.get("platform", ""))).strip(), raw_id)
        else:
            key = (str(platform.iloc[i]), str(post_id.iloc[i]))
            now = current_by_key.loc[key] if key in current_by_key.index else None
            if now is not None and record["reviewed"] is not True:
                given = {f: v for f, v in given.items()
                         if pd.isna(now[f]) or str(now[f]) != str(v)}
            if not given:
                continue
        link = record.get("permalink", "")
        records.append({"platform": key[0], "post_id": key[1],
                        "permalink": link if isinstance(link, str) else "",
                        **{f: given.get(f, pd.NA) for f in OVERRIDE_FIELDS},
                        "row": row, "matched": matched})
    out = pd.DataFrame(records, columns=["platform", "post_id", "permalink", *OVERRIDE_FIELDS,
                                         "row", "matched"])
    dup = out.duplicated(["platform", "post_id"], keep="last")
    for _, earlier in out[dup].iterrows():
        later = out[(out["platform"] == earlier["platform"])
                    & (out["post_id"] == earlier["post_id"])]["row"].iloc[-1]
        problems.append(InputFormatError(
            f"duplicate row for {earlier['platform']} post {earlier['post_id']}; row {later} "
            "is used instead", file=source, row=int(earlier["row"]),
            hint="keep one row per post"))
    return out[~dup].reset_index(drop=True), problems


def read_store(path: Path, params: Mapping[str, Any]) -> tuple[pd.DataFrame, list[WorkbenchError]]:
    """Read the durable override store (missing file = no overrides).

    Returns:
        ``(store, problems)``: one row per post with typed OVERRIDE_FIELDS (NA = not set).
    """
    path = Path(path)
    if not path.exists():
        return empty_store(), []
    frame, problems = read_override_file(path)
    values, value_problems = parse_override_values(frame, params, path)
    problems += value_problems
    values = values.assign(platform=values["platform"].map(lambda s: fold(str(s)).strip())
                           if "platform" in values else "",
                           post_id=values["post_id"].map(unexcel) if "post_id" in values else "")
    values = values.reindex(columns=list(STORE_COLUMNS)).fillna({"updated_at": ""})
    values = values.drop_duplicates(["platform", "post_id"], keep="last")
    return values.reset_index(drop=True), problems


def empty_store() -> pd.DataFrame:
    """A store with no overrides."""
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in STORE_COLUMNS})


def merge_store(store: pd.DataFrame, new: pd.DataFrame, stamp: str) -> pd.DataFrame:
    """Update the store with new overrides, field by field (a blank new cell keeps the old)."""
    old = store.set_index(["platform", "post_id"])
    rows = {k: dict(v) for k, v in old.iterrows()}
    for record in new.to_dict("records"):
        key = (record["platform"], record["post_id"])
        row = rows.get(key, {f: pd.NA for f in STORE_COLUMNS if f not in ("platform", "post_id")})
        for field in OVERRIDE_FIELDS:
            if not pd.isna(record[field]):
                row[field] = record[field]
        if record.get("permalink"):
            row["permalink"] = record["permalink"]
        row["updated_at"] = stamp
        rows[key] = row
    out = pd.DataFrame([{"platform": k[0], "post_id": k[1], **v} for k, v in rows.items()],
                       columns=list(STORE_COLUMNS))
    return out.sort_values(["platform", "post_id"]).reset_index(drop=True)


def store_as_overrides(store: pd.DataFrame) -> pd.DataFrame:
    """The store in the shape :func:`label_posts` takes (typed fields, NA = keep)."""
    out = store[["platform", "post_id", *OVERRIDE_FIELDS]]
    return out.astype({"platform": "string", "post_id": "string", "human_centred": "boolean",
                       "topic": "string", "audience": "string", "brand_colours": "boolean"})

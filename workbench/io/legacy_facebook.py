"""Legacy "Facebook Insights Data Export (Post Level)" archives (export-formats.md §3).

Two forms: a CSV with two header rows (metric names, then descriptions) and an ``.xls`` that
is really SpreadsheetML 2003 XML (xlrd refuses it). The XML is parsed directly; invalid
UTF-8 byte sequences (seen in real files) are replaced before parsing, and control
characters XML forbids are removed. ``Posted`` is US Pacific time (like the modern Meta
exports, export-formats §1.5) and is converted to the organisation zone.

Kind ``legacy_facebook_posts`` → ``posts`` (platform facebook, exposure ``reach``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io._tabular import hashtags, norm, snapshot_at, sum_all, to_count
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

SOURCE_TZ = "America/Los_Angeles"
SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Legacy ``Type`` → canonical format.
FORMATS = {"photo": "photo", "link": "link", "status": "text", "video": "video",
           "shared video": "video", "event": "other", "offer": "other", "note": "text"}

#: Canonical post column → Key Metrics header (first match wins).
KEY_METRICS = {
    "post_id": "post id",
    "permalink": "permalink",
    "caption": "post message",
    "type": "type",
    "posted": "posted",
    "reach": "lifetime post total reach",
    "paid_reach": "lifetime post paid reach",
    "impressions": "lifetime post total impressions",
    "clicks": "lifetime post consumptions",
}
#: Interaction counts: stories (counts) first, "talking about this" (people) as fallback.
ACTIONS = {
    "reactions": ("like",),
    "comments": ("comment",),
    "shares": ("share",),
}
_STORY_PREFIXES = ("lifetime post stories by action type", "lifetime talking about this")


# --- reading -------------------------------------------------------------------------------


def read_spreadsheet_xml(raw: RawFile) -> dict[str, list[list[str | None]]]:
    """Worksheets of a SpreadsheetML 2003 file as rows of cell text (honours ``ss:Index``).

    Raises:
        InputFormatError: Not SpreadsheetML, or damaged beyond the byte-level repairs.
    """
    text = raw.data.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = _BAD_XML_CHARS.sub("", text)
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip())  # the str is decoded already
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputFormatError(
            f"the SpreadsheetML (.xls) file is not readable XML ({exc})",
            file=raw.path,
            hint="open it in Excel and save it as .xlsx, or download the export again",
        ) from exc
    sheets: dict[str, list[list[str | None]]] = {}
    for sheet in root.iter(f"{SS}Worksheet"):
        name = sheet.get(f"{SS}Name", f"Sheet{len(sheets) + 1}")
        rows = []
        for row in sheet.iter(f"{SS}Row"):
            cells: list[str | None] = []
            for cell in row.iter(f"{SS}Cell"):
                index = cell.get(f"{SS}Index")
                if index and index.isdigit():
                    cells += [None] * (int(index) - 1 - len(cells))
                data = cell.find(f"{SS}Data")
                cells.append("".join(data.itertext()) if data is not None else None)
            rows.append(cells)
        sheets[name] = rows
    if not sheets:
        raise InputFormatError("the .xls holds no worksheet", file=raw.path,
                               hint="download the export again")
    return sheets


def _frame(rows: list[list[str | None]], *, description_row: bool) -> pd.DataFrame:
    """Rows (header first) as a frame; duplicate names get their description appended."""
    header = [(c or "").strip() for c in rows[0]]
    descriptions = rows[1] if description_row and len(rows) > 1 else []
    names, seen = [], set()
    for i, name in enumerate(header):
        key = norm(name)
        if key in seen:
            note = descriptions[i] if i < len(descriptions) and descriptions[i] else str(i)
            unit = re.search(r"\(([^)]*)\)\s*$", note or "")
            key = f"{key} ({norm(unit.group(1)) if unit else i})"
        seen.add(key)
        names.append(key)
    body = rows[2:] if description_row else rows[1:]
    width = len(names)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in body]
    body = [r for r in body if any(c not in (None, "") for c in r)]
    return pd.DataFrame(body, columns=names, dtype="string")


# --- posts ---------------------------------------------------------------------------------


def _posted(values: pd.Series, raw: RawFile) -> pd.Series:
    text = values.str.strip()
    stamp = pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S.%f", errors="coerce")
    stamp = stamp.fillna(pd.to_datetime(text, format="%m/%d/%Y %I:%M:%S %p", errors="coerce"))
    stamp = stamp.fillna(pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S", errors="coerce"))
    bad = stamp.isna() & text.notna()
    if bad.any():
        at = int(bad.to_numpy().argmax())
        raise InputFormatError(
            f"'Posted' value {text.iloc[at]!r} is not a date and time", file=raw.path,
            row=at + 3, column="Posted", hint="use the export as downloaded from Facebook")
    local = stamp.dt.tz_localize(SOURCE_TZ, ambiguous="NaT", nonexistent="shift_forward")
    return local.dt.tz_convert("UTC")


def _posts(frame: pd.DataFrame, actions: pd.DataFrame | None, raw, ctx) -> pd.DataFrame:
    missing = [h for h in ("post id", "posted") if h not in frame.columns]
    if missing:
        raise InputFormatError(
            f"column '{missing[0].title()}' not found in the post-level export",
            file=raw.path, row=1, column=missing[0].title(),
            hint="this reader is for 'Facebook Insights Data Export (Post Level)' files")
    frame = frame[frame["post id"].notna()]
    if actions is not None:
        frame = frame.merge(actions, on="post id", how="left", suffixes=("", " (actions)"))

    def column(key):
        return frame[key] if key in frame.columns else pd.Series(pd.NA, index=frame.index,
                                                                 dtype="string")

    def action(name):
        for prefix in _STORY_PREFIXES:
            for suffix in ACTIONS[name]:
                for key in (f"{prefix} - {suffix}", f"{prefix} (post) by action type - {suffix}",
                            f"{prefix}: {suffix}"):
                    if key in frame.columns:
                        return to_count(frame[key])
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")

    post_id = column("post id").str.strip()
    published = _posted(column("posted"), raw)
    caption = column("post message")
    counts = pd.DataFrame({k: action(k) for k in ACTIONS})
    paid = to_count(column(KEY_METRICS["paid_reach"]))
    posts = pd.DataFrame({
        "platform": "facebook",
        "account": _account(raw, ctx),
        "account_id": post_id.str.extract(r"^(\d+)_", expand=False),
        "post_id": post_id,
        "permalink": column("permalink"),
        "published_at": published,
        "published_at_utc": published,
        "format": column("type").str.strip().str.lower().map(FORMATS, na_action="ignore"),
        "caption": caption,
        "hashtags": hashtags(caption),
        "exposure_kind": "reach",
        "reach": to_count(column(KEY_METRICS["reach"])),
        "impressions": to_count(column(KEY_METRICS["impressions"])),
        "reactions": counts["reactions"],
        "comments": counts["comments"],
        "shares": counts["shares"],
        "clicks": to_count(column(KEY_METRICS["clicks"])),
        # statistics.md §1.2: Facebook interactions = reactions + comments + shares
        "interactions": sum_all(counts, list(ACTIONS)),
        "boosted": paid > 0,
        "snapshot_at": _snapshot(raw),
        "source_file": str(raw.path),
    })
    return schema.conform_posts(posts, ctx.tz)


def _account(raw: RawFile, ctx: ParseContext) -> str | None:
    match = re.search(r"\(Post Level\) - (.+?) - ", raw.name)
    if match:
        return match.group(1)
    configured = (ctx.params.get("platforms") or {}).get("facebook") or {}
    return configured.get("account") if isinstance(configured, dict) else None


def _snapshot(raw: RawFile) -> pd.Timestamp:
    # "… (Post Level) - <Page> - 2017-10-22.xls": the download date
    match = re.search(r" - (\d{4}-\d{2}-\d{2})\.\w+$", raw.name)
    if match:
        return pd.Timestamp(match.group(1), tz="UTC")
    return snapshot_at(raw)


def _actions_from_sheets(sheets) -> pd.DataFrame | None:
    """Join the per-action breakdown sheets (share, like, comment) on Post ID."""
    found = None
    # sheet names are cut to 31 characters ("Lifetime Post Stories by act...")
    for prefix, full in (("lifetime post stories by act", _STORY_PREFIXES[0]),
                         ("lifetime talking about this", _STORY_PREFIXES[1])):
        for name, rows in sheets.items():
            if norm(name).startswith(prefix) and rows:
                frame = _frame(rows, description_row=False)
                keep = [c for c in ("post id", "share", "like", "comment") if c in frame.columns]
                if "post id" in keep and len(keep) > 1:
                    # a listed post's empty action cell is a zero count (the real export
                    # leaves e.g. "share" empty on posts nobody shared), not a missing value
                    actions = [c for c in keep if c != "post id"]
                    frame[actions] = frame[actions].replace("", pd.NA).fillna("0")
                    found = frame[keep].rename(columns={c: f"{full} - {c}" for c in keep
                                                        if c != "post id"})
                    return found.drop_duplicates("post id")
    return found


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a legacy post-level Insights export (CSV or SpreadsheetML .xls)."""
    notes = [f"'Posted' read as US Pacific time ({SOURCE_TZ}) and converted to {ctx.tz}"]
    if raw.container == "xml":
        sheets = read_spreadsheet_xml(raw)
        key = next((rows for name, rows in sheets.items() if norm(name) == "key metrics"),
                   next(iter(sheets.values())))
        if len(key) < 2:
            raise InputFormatError("sheet 'Key Metrics' has no data", file=raw.path,
                                   hint="download the export again")
        frame = _frame(key, description_row=True)
        actions = _actions_from_sheets(sheets)
        try:
            raw.data.decode("utf-8")
        except UnicodeDecodeError:
            notes.append("invalid UTF-8 bytes replaced by U+FFFD before parsing the XML")
    else:
        rows = _csv_rows(raw)
        frame = _frame(rows, description_row=True)
        actions = None
    posts = _posts(frame, actions, raw, ctx)
    stamps = posts["published_at_utc"].dropna()
    return ParsedExport(
        path=raw.path, kind="legacy_facebook_posts", tables={"posts": posts},
        account=posts["account"].dropna().iloc[0] if posts["account"].notna().any() else None,
        date_min=stamps.min() if len(stamps) else None,
        date_max=stamps.max() if len(stamps) else None,
        snapshot_at=posts["snapshot_at"].iloc[0] if len(posts) else None,
        notes=notes,
    )


def _csv_rows(raw: RawFile) -> list[list[str | None]]:
    frame = raw.read_csv(header=None, delimiter=",")
    return [[None if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(
        index=False)]


# --- detection -----------------------------------------------------------------------------


def sniff(raw: RawFile) -> bool:
    """CSV or SpreadsheetML whose first header row has Post ID, Posted and Lifetime metrics."""
    if raw.container == "xml":
        head = raw.data[:200_000]
        return (b"urn:schemas-microsoft-com:office:spreadsheet" in head
                and b"Lifetime Post Total Reach" in head and b"Post ID" in head)
    if raw.container != "text":
        return False
    header = {norm(c) for c in raw.header_row(0, delimiter=",")}
    return {"post id", "posted", "lifetime post total reach"} <= header


register(ExportKind("legacy_facebook_posts",
                    "Legacy Facebook Insights Data Export (Post Level)", sniff, parse,
                    priority=45))

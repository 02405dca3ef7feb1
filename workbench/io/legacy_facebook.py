"""Legacy "Facebook Insights Data Export" archives (classic Page Insights, before 2023).

Three exports, each a CSV with two header rows (metric names, then descriptions) or an
``.xls`` that is really SpreadsheetML 2003 XML (xlrd refuses it). The XML is parsed
directly; invalid UTF-8 byte sequences (seen in real files) are replaced before parsing, and
control characters XML forbids are removed. ``Posted`` is US Pacific time (like the modern
Meta exports, §1.5) and is converted to the organisation zone. The page name and the
download date come from the file name (``… - <Page> - <YYYY-MM-DD>[ - <YYYY-MM-DD>].csv``).

Kinds:
    ``legacy_facebook_posts`` ("(Post Level)") → ``posts`` (exposure ``reach``, clicks);
    ``legacy_facebook_video_posts`` ("(Video Posts)") → ``posts`` with ``views`` from
    ``Lifetime Total Video Views``; the same posts as the Post Level file of that download,
    so ingest merges the two rows (same snapshot) instead of letting one wipe the other;
    ``legacy_facebook_page`` (no bracket: one row per day) → ``daily`` ``followers_total``
    (Lifetime Total Likes), ``follows`` (Daily New Likes), ``unfollows``, ``reach``,
    ``impressions``, ``engaged_users``: follower gains for the years before 2023.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io._tabular import (
    hashtags,
    long_daily,
    norm,
    snapshot_at,
    sum_all,
    to_count,
    to_number,
)
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
    "views": "lifetime total video views",
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
                if data is None:
                    cells.append(None)
                elif len(data):  # rich text: runs in child elements
                    cells.append("".join(data.itertext()))
                else:  # plain text (nearly every cell): what itertext would join
                    cells.append(data.text or "")
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

    # Facebook writes an action-type column only for the actions that happened in the range
    # and leaves a post's cell empty when it had none: with the breakdown present, an absent
    # column or an empty cell is a zero count (a post with no share), not a missing value.
    for prefix in _STORY_PREFIXES:
        breakdown = [c for c in frame.columns if c.startswith(prefix)]
        if breakdown:
            break

    def action(name):
        for prefix in _STORY_PREFIXES:
            for suffix in ACTIONS[name]:
                for key in (f"{prefix} - {suffix}", f"{prefix} (post) by action type - {suffix}",
                            f"{prefix}: {suffix}"):
                    if key in frame.columns:
                        counts = to_count(frame[key])
                        return counts.fillna(0) if breakdown else counts
        if breakdown:
            return pd.Series(0, index=frame.index, dtype="Int64")
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
        "views": to_count(column(KEY_METRICS["views"])),
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


#: "Facebook Insights Data Export[ (Post Level|Video Posts)] - <Page> - <date>[ - <date>].ext";
#: the page name may itself hold " - " ("Association - MTBA"), so it runs to the first date.
_NAME = re.compile(
    r"Facebook Insights Data Export(?: \((?:Post Level|Video Posts)\))? - (?P<page>.+?)"
    r" - (?P<first>\d{4}-\d{2}-\d{2})(?: - (?P<last>\d{4}-\d{2}-\d{2}))?"
    r"(?: \(\d+\))?\.\w+$")


def _account(raw: RawFile, ctx: ParseContext) -> str | None:
    match = _NAME.search(raw.name)
    if match:
        return match.group("page")
    configured = (ctx.params.get("platforms") or {}).get("facebook") or {}
    return configured.get("account") if isinstance(configured, dict) else None


def _snapshot(raw: RawFile) -> pd.Timestamp:
    # "… - <Page> - 2017-10-22.xls" (the download day) or "… - 2014-01-01 - 2014-02-27.csv"
    # (the range asked for; the download came on or after its last day)
    match = _NAME.search(raw.name)
    if match:
        return pd.Timestamp(match.group("last") or match.group("first"), tz="UTC")
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
    """Parse a legacy post-level or video-posts Insights export (CSV or SpreadsheetML .xls)."""
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
    video = _is_video_export(set(frame.columns))
    if video:
        notes.append("a '(Video Posts)' export: views = 'Lifetime Total Video Views'; clicks "
                     "come from the '(Post Level)' export of the same download, merged at ingest")
    warnings = [] if len(posts) else ["no posts in the file (nothing published in its range)"]
    stamps = posts["published_at_utc"].dropna()
    return ParsedExport(
        path=raw.path, kind="legacy_facebook_video_posts" if video else "legacy_facebook_posts",
        tables={"posts": posts},
        account=_account(raw, ctx),
        date_min=stamps.min() if len(stamps) else None,
        date_max=stamps.max() if len(stamps) else None,
        snapshot_at=_snapshot(raw),
        warnings=warnings,
        notes=notes,
    )


def _csv_rows(raw: RawFile) -> list[list[str | None]]:
    frame = raw.read_csv(header=None, delimiter=",")
    return [[None if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(
        index=False)]


# --- page level (one row per day) -------------------------------------------------------

#: ``daily`` metric → page-level header (the first column of that name; later duplicates
#: are other breakdowns). Follows are gross daily gains, as the modern chart downloads give.
PAGE_METRICS = {
    "followers_total": "lifetime total likes",
    "follows": "daily new likes",
    "unfollows": "daily unlikes",
    "reach": "daily total reach",
    "impressions": "daily total impressions",
    "engaged_users": "daily page engaged users",
}
_PAGE_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y-%m-%dT%H:%M:%S.%f",
                      "%Y-%m-%dT%H:%M:%S")


def _page_dates(values: pd.Series, raw: RawFile, first_row: int) -> pd.Series:
    """Page-level dates: ``1/1/2014`` (older CSVs), ``2018-04-01`` (later ones) or XML stamps."""
    text = values.astype("string").str.strip()
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in _PAGE_DATE_FORMATS:
        missing = dates.isna() & text.notna()
        if not missing.any():
            break
        dates[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    bad = dates.isna() & text.notna()
    if bad.any():
        at = int(bad.to_numpy().argmax())
        raise InputFormatError(
            f"'Date' value {text.iloc[at]!r} is not a date", file=raw.path,
            row=first_row + at, column="Date",
            hint="use the page-level export as downloaded from Facebook")
    return dates.dt.normalize()


def parse_page(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a legacy page-level Insights export (one row per day) into ``daily``."""
    if raw.container == "xml":
        sheets = read_spreadsheet_xml(raw)
        rows = next((r for name, r in sheets.items() if norm(name) == "key metrics"),
                    next(iter(sheets.values())))
    else:
        rows = _csv_rows(raw)
    header = [norm(c) for c in rows[0]] if rows else []
    if "date" not in header:
        raise InputFormatError("column 'Date' not found in the page-level export",
                               file=raw.path, row=1, column="Date",
                               hint="use the page-level export as downloaded from Facebook")
    # row 2 holds the metric descriptions ("Daily: The number of …") and no date
    body = [r for r in rows[1:] if r and (r[0] or "").strip()]
    first_row = 3 if len(rows) > 1 and not (rows[1][0] or "").strip() else 2
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in body]

    def column(name: str) -> pd.Series:
        at = header.index(name)  # the first column of that name
        return pd.Series([r[at] for r in body], dtype="string")

    dates = _page_dates(column("date"), raw, first_row)
    series = {metric: to_number(column(name)) for metric, name in PAGE_METRICS.items()
              if name in header}
    if not series:
        raise InputFormatError(
            "none of 'Lifetime Total Likes', 'Daily New Likes', 'Daily Total Reach' found in "
            "the page-level export", file=raw.path, row=1,
            hint="use the page-level export as downloaded from Facebook")
    account = _account(raw, ctx)
    snapshot = _snapshot(raw)
    daily = long_daily(dates, series, platform="facebook", account=account,
                       source_file=str(raw.path), snapshot=snapshot)
    notes = ["follows = 'Daily New Likes' (gross page likes gained that day); "
             "followers_total = 'Lifetime Total Likes'; an empty cell is missing, not 0",
             f"{len(header) - 1} page metrics in the file; {len(series)} stored "
             f"({', '.join(series)})"]
    try:
        raw.data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append(f"the text is not UTF-8: read as {raw.encoding}")
    return ParsedExport(
        path=raw.path, kind="legacy_facebook_page", tables={"daily": daily}, account=account,
        date_min=dates.min() if len(dates) else None,
        date_max=dates.max() if len(dates) else None,
        snapshot_at=snapshot, notes=notes)


# --- detection -----------------------------------------------------------------------------


def _is_video_export(header: set[str]) -> bool:
    """The "(Video Posts)" export: video views per post and no engaged-users column.

    The Post Level export always has ``Lifetime Engaged Users`` (and only organic/paid video
    views); the Video Posts export has ``Lifetime Total Video Views`` and no engaged users.
    """
    return "lifetime total video views" in header and "lifetime engaged users" not in header


def _post_header(raw: RawFile) -> set[str] | None:
    """First header row of a post export (CSV or SpreadsheetML), normalised; None otherwise."""
    if raw.container == "xml":
        head = raw.data[:200_000]
        if not (b"urn:schemas-microsoft-com:office:spreadsheet" in head
                and b"Lifetime Post Total Reach" in head and b"Post ID" in head):
            return None
        found = {"post id", "posted", "lifetime post total reach"}
        for name in (b"Lifetime Total Video Views", b"Lifetime Engaged Users"):
            if name in head:
                found.add(norm(name.decode()))
        return found
    if raw.container != "text":
        return None
    header = {norm(c) for c in raw.header_row(0, delimiter=",")}
    return header if {"post id", "posted", "lifetime post total reach"} <= header else None


def sniff(raw: RawFile) -> bool:
    """A Post Level export: Post ID, Posted and Lifetime metrics, not the video export."""
    header = _post_header(raw)
    return header is not None and not _is_video_export(header)


def sniff_video(raw: RawFile) -> bool:
    """A "(Video Posts)" export: the post header with ``Lifetime Total Video Views``."""
    header = _post_header(raw)
    return header is not None and _is_video_export(header)


def sniff_page(raw: RawFile) -> bool:
    """The page-level export: ``Date`` then ``Lifetime Total Likes``/``Daily New Likes``."""
    if raw.container == "xml":
        head = raw.data[:200_000]
        return (b"urn:schemas-microsoft-com:office:spreadsheet" in head
                and b"Daily New Likes" in head and b"Post ID" not in head)
    if raw.container != "text":
        return False
    header = [norm(c) for c in raw.header_row(0, delimiter=",")]
    return (bool(header) and header[0] == "date"
            and ("lifetime total likes" in header or "daily new likes" in header))


register(ExportKind("legacy_facebook_page",
                    "Legacy Facebook Insights Data Export (page level, one row per day)",
                    sniff_page, parse_page, priority=45))
register(ExportKind("legacy_facebook_posts",
                    "Legacy Facebook Insights Data Export (Post Level)", sniff, parse,
                    priority=45))
register(ExportKind("legacy_facebook_video_posts",
                    "Legacy Facebook Insights Data Export (Video Posts)", sniff_video, parse,
                    priority=45))

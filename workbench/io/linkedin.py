"""LinkedIn Page analytics exports: content, followers and visitors (export-formats.md §4).

Real exports are BIFF8 ``.xls`` (read with xlrd); ``.xlsx`` re-saves are read with openpyxl.
Dates are ``MM/DD/YYYY`` text in UTC. Rates (CTR, engagement rate) are fractions that can
exceed 1; they are not stored in the canonical tables and never clipped.

The page is the vanity name in the file name (``<page>_<content|followers|visitors>_<ms>``);
when ``org.yaml`` names the organisation's LinkedIn page (``platforms.linkedin.account``) that
name is used, and a file from another page is read under its own name with a warning.

Kinds:
    ``linkedin_content`` (sheets ``Metrics`` + ``All posts``; ``Metrics`` alone when no post
    was published in the period) → ``posts`` and ``daily``;
    ``linkedin_followers`` (``New followers`` + demographics) → ``daily`` ``follows``;
    ``linkedin_visitors`` (``Visitor metrics`` + demographics) → ``daily`` ``page_views``,
    ``unique_visitors``;
    ``linkedin_competitor`` (``<Page>_competitor_analytics_<ms>.xlsx``, sheet ``COMPETITORS``):
    recognised only to be skipped as not an export we read (other pages' totals).
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from workbench import schema
from workbench.errors import InputFormatError, NotAnExportError
from workbench.io._tabular import (
    cell_text,
    constant_column,
    hashtags,
    long_daily,
    lookup,
    match_columns,
    norm,
    read_workbook,
    rows_to_frame,
    snapshot_at,
    sum_series,
    to_count,
    to_number,
    workbook_sheet_names,
)
from workbench.io.audience import audience_frame
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

PLATFORM = "linkedin"
ACTIVITY_RE = r"urn:li:(?:activity|share|ugcPost):(\d+)"
DEMOGRAPHIC_SHEETS = ("Location", "Job function", "Seniority", "Industry", "Company size")

#: ``All posts`` headers (current names first, older "Update …" aliases; export-formats §4.1).
POST_ALIASES: dict[str, tuple[str, ...]] = {
    "caption": ("Post title", "Update title", "Post Title"),
    "permalink": ("Post link", "Update link"),
    "post_type": ("Post type", "Update type"),
    "created": ("Created date", "Date", "Created Date"),
    "impressions": ("Impressions",),
    "views": ("Views", "Views (excluding off-site video views)"),
    "clicks": ("Clicks",),
    "likes": ("Likes", "Reactions"),
    "comments": ("Comments",),
    "reposts": ("Reposts", "Shares"),
    "follows": ("Follows", "Followers"),
    "content_type": ("Content Type", "Content type"),
}

#: LinkedIn ``Content Type`` → canonical format; blank means LinkedIn did not say (NA).
CONTENT_FORMATS = {
    "video": "video",
    "image": "photo",
    "photo": "photo",
    "images": "carousel",
    "document": "other",
    "article": "link",
    "link": "link",
    "text": "text",
    "poll": "other",
}


def _sheet(sheets: dict[str, list[list[object]]], name: str) -> list[list[object]] | None:
    for title, rows in sheets.items():
        if norm(title) == norm(name):
            return rows
    return None


def _header_index(rows: list[list[object]], required: str, path) -> int:
    """Row index of the header (the first row holding ``required``), skipping description rows."""
    for index, row in enumerate(rows[:6]):
        if any(norm(cell) == norm(required) for cell in row if cell is not None):
            return index
    raise InputFormatError(
        f"no header row with '{required}' in the first 6 rows",
        file=path,
        hint="download the LinkedIn export again; do not edit the sheet",
    )


def _dates(values: pd.Series, path, sheet: str) -> pd.Series:
    """``MM/DD/YYYY`` text (or real date cells of a re-saved workbook) → naive dates."""
    is_stamp = pd.Series([isinstance(v, datetime) for v in values.tolist()], index=values.index,
                         dtype=bool)
    text = cell_text(values.mask(is_stamp))
    parsed = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    if is_stamp.any():
        parsed = parsed.mask(is_stamp, pd.to_datetime(values.where(is_stamp), errors="coerce"))
    bad = parsed.isna() & values.notna()
    if bad.any():
        first = int(bad.to_numpy().argmax())
        raise InputFormatError(
            f"sheet '{sheet}': date {values.iloc[first]!r} is not MM/DD/YYYY",
            file=path,
            row=first,
            hint="use the export as downloaded from LinkedIn (dates are MM/DD/YYYY text)",
        )
    return parsed.astype("datetime64[ns]")


_FILE_PAGE = re.compile(r"(.+?)_(?:content|followers|visitors)_\d+")


def _key(name: object) -> str:
    """A page name compared loosely: case, spaces, dashes and punctuation ignored."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def _configured_pages(ctx: ParseContext) -> list[str]:
    configured = (ctx.params.get("platforms") or {}).get(PLATFORM) or {}
    if not isinstance(configured, dict):
        return []
    names = [configured.get("account"), *(configured.get("accounts") or [])]
    return [str(n) for n in names if n]


def file_page(raw: RawFile) -> str | None:
    """The page vanity name LinkedIn writes into the file name, if the name is LinkedIn's."""
    match = _FILE_PAGE.match(raw.path.stem)
    return match.group(1).strip() if match else None


def _account(raw: RawFile, ctx: ParseContext, warnings: list[str] | None = None) -> str | None:
    """The page: the organisation's configured name when the file is its page, else the file's.

    A file whose name shows another page than the one in ``org.yaml`` is read under that
    page's name and a warning says so (a neighbour's or a client's export dropped in by
    mistake would otherwise be counted as the organisation's).
    """
    configured = _configured_pages(ctx)
    page = file_page(raw)
    if page is None:
        return configured[0] if configured else None
    if not configured:
        return page
    for name in configured:
        a, b = _key(name), _key(page)
        if a and b and (a == b or a in b or b in a):
            return name
    if warnings is not None:
        warnings.append(f"the file name shows the LinkedIn page '{page}', not the "
                        f"organisation's page '{configured[0]}' (org.yaml): read as '{page}'; "
                        "move the file out of the raw folder if it belongs to another page")
    return page


def _long_daily(
    dates: pd.Series, series: dict[str, pd.Series], account, raw: RawFile, snapshot
) -> pd.DataFrame:
    return long_daily(dates, series, platform=PLATFORM, account=account,
                      source_file=str(raw.path), snapshot=snapshot)


def _pick_total(frame: pd.DataFrame, stem: str, notes: list[str], sheet: str) -> pd.Series | None:
    """``<stem> (total)`` if present, else organic + sponsored (noted), else None."""
    found = match_columns(
        frame.columns,
        {
            "total": (f"{stem} (total)",),
            "organic": (f"{stem} (organic)",),
            "sponsored": (f"{stem} (sponsored)",),
        },
    )
    if "total" in found:
        return to_number(frame[found["total"]])
    parts = [to_number(frame[found[k]]) for k in ("organic", "sponsored") if k in found]
    if not parts:
        return None
    notes.append(f"sheet '{sheet}': {stem} = sum of the organic and sponsored columns")
    return sum(parts[1:], parts[0])


# --- content ------------------------------------------------------------------------------


def parse_content(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a LinkedIn content export (``Metrics`` daily + ``All posts``)."""
    sheets = read_workbook(raw)
    snapshot = snapshot_at(raw)
    notes: list[str] = []
    warnings: list[str] = []
    account = _account(raw, ctx, warnings)
    tables: dict[str, pd.DataFrame] = {}

    posts_rows = _sheet(sheets, "All posts")
    header, found = [], {}
    if posts_rows is None:
        # LinkedIn leaves the sheet out when no post was created in the period
        warnings.append("no 'All posts' sheet: no post was published in the period (zero "
                        "posts); the daily 'Metrics' are read")
        tables["posts"] = schema.empty_table("posts", ctx.tz)
    else:
        header_at = _header_index(posts_rows, "Post link", raw.path) if any(
            norm(c) == "post link" for row in posts_rows[:6] for c in row
        ) else _header_index(posts_rows, "Update link", raw.path)
        header, frame = rows_to_frame(posts_rows, header_at)
        found = match_columns(frame.columns, POST_ALIASES)
        for needed in ("permalink", "created", "impressions"):
            if needed not in found:
                raise InputFormatError(
                    f"sheet 'All posts': column for {needed} not found (headers: "
                    f"{', '.join(header)})",
                    file=raw.path,
                    column=POST_ALIASES[needed][0],
                    hint="download the content export again without editing it",
                )
        tables["posts"] = _posts(frame, found, raw, ctx, account, snapshot, header_at, warnings)

    metrics_rows = _sheet(sheets, "Metrics")
    if metrics_rows is not None and metrics_rows:
        at = _header_index(metrics_rows, "Date", raw.path)
        _, metrics = rows_to_frame(metrics_rows, at)
        dates = _dates(metrics[match_columns(metrics.columns, {"d": ("Date",)})["d"]],
                       raw.path, "Metrics")
        series = {}
        for stem, metric in (
            ("Impressions", "impressions"),
            ("Reactions", "likes"),
            ("Comments", "comments"),
            ("Reposts", "shares"),
        ):
            values = _pick_total(metrics, stem, notes, "Metrics")
            if values is not None:
                series[metric] = values
        notes.append(
            "sheet 'Metrics': clicks and engagement rates are not stored (no daily metric name)"
        )
        tables["daily"] = _long_daily(dates, series, account, raw, snapshot)
    elif posts_rows is None:
        raise InputFormatError("sheets 'Metrics' and 'All posts' are both missing",
                               file=raw.path, hint="download the content export again")
    else:
        warnings.append("sheet 'Metrics' is missing: no daily content series")

    posts = tables["posts"]
    stamps = posts["published_at_utc"].dropna()
    if not len(stamps) and "daily" in tables and len(tables["daily"]):
        stamps = tables["daily"]["date"].dropna()
    return ParsedExport(
        path=raw.path,
        kind="linkedin_content",
        tables=tables,
        account=account,
        date_min=stamps.min() if len(stamps) else None,
        date_max=stamps.max() if len(stamps) else None,
        snapshot_at=snapshot,
        unknown_columns=[h for h in header if h and h not in found.values()
                         and norm(h) not in _KNOWN_UNSTORED],
        warnings=warnings,
        notes=notes + ["dates are UTC per the file's own note; a post's created date has no "
                         "time, so published_at is set to 12:00 UTC of that day"],
    )


_KNOWN_UNSTORED = {
    norm(h)
    for h in (
        "Campaign name", "Posted by", "Campaign start date", "Campaign end date", "Audience",
        "Offsite Views", "Click through rate (CTR)", "Engagement rate",
    )
}


def _posts(frame, found, raw, ctx, account, snapshot, header_at, warnings) -> pd.DataFrame:
    link = cell_text(frame[found["permalink"]])
    post_id = link.str.extract(ACTIVITY_RE, expand=False).astype("string")
    no_id = post_id.isna() & link.notna()
    if no_id.any():
        warnings.append(
            f"sheet 'All posts': {int(no_id.sum())} post link(s) without urn:li:activity id; "
            "the link itself is used as post_id"
        )
        post_id = post_id.fillna(link)
    keep = post_id.notna()
    if (~keep).any():
        warnings.append(f"sheet 'All posts': {int((~keep).sum())} row(s) without a post link "
                        "dropped")
    frame, link, post_id = frame[keep], link[keep], post_id[keep]
    created = _dates(frame[found["created"]], raw.path, "All posts")
    caption = cell_text(frame[found["caption"]]) if "caption" in found else None
    published = (created + pd.Timedelta(hours=12)).dt.tz_localize("UTC")

    def count(name):
        return to_count(frame[found[name]]) if name in found else pd.Series(
            pd.NA, index=frame.index, dtype="Int64")

    likes, comments, reposts = count("likes"), count("comments"), count("reposts")
    content_type = (cell_text(frame[found["content_type"]]).str.lower()
                    if "content_type" in found else pd.Series(pd.NA, index=frame.index))
    post_type = (cell_text(frame[found["post_type"]]).str.lower()
                 if "post_type" in found else pd.Series(pd.NA, index=frame.index))
    n = len(frame)
    return schema.conform_posts_columns(
        {
            # per-file constants as canonical arrays (conform then has nothing to cast)
            "platform": constant_column(PLATFORM, n, "string"),
            "account": constant_column(account, n, "string"),
            "post_id": post_id,
            "permalink": link,
            # LinkedIn gives a UTC day without a time: noon UTC keeps that day in the
            # Americas and Europe, so month bucketing is right; hour-of-day is meaningless.
            "published_at": published,
            "published_at_utc": published,
            "format": lookup(content_type, CONTENT_FORMATS),
            "caption": caption,
            "hashtags": hashtags(caption) if caption is not None else None,
            "exposure_kind": constant_column("impressions", n, "string"),
            "impressions": count("impressions"),
            "views": count("views"),
            "reactions": likes,
            "comments": comments,
            "shares": reposts,
            "clicks": count("clicks"),
            "follows": count("follows"),
            # statistics.md §1.2: LinkedIn interactions = likes + comments + reposts (no clicks)
            "interactions": sum_series([likes, comments, reposts]),
            "boosted": lookup(post_type, {"organic": False, "sponsored": True}),
            "snapshot_at": constant_column(snapshot, n, "datetime64[ns, UTC]"),
            "source_file": constant_column(str(raw.path), n, "string"),
        },
        ctx.tz,
    )


# --- followers and visitors ----------------------------------------------------------------


#: Demographic sheet -> ``audience.breakdown`` (LinkedIn's Location is a metro area or city).
DEMOGRAPHIC_BREAKDOWNS = {"Location": "city", "Job function": "job_function",
                          "Seniority": "seniority", "Industry": "industry",
                          "Company size": "company_size"}


def _demographics(sheets, raw, notes: list[str], warnings: list[str]) -> list[dict]:
    """Audience rows of the demographic sheets (counts; shares of the listed counts).

    LinkedIn lists counts (``Total followers`` / ``Total views``) for its top segments, so
    ``share`` is each count over the sheet's total and ``base_count`` that total. A cell
    that is not a count (``12%``, text) is left out with a warning naming the sheet.
    """
    out: list[dict] = []
    for name in DEMOGRAPHIC_SHEETS:
        rows = _sheet(sheets, name)
        if rows is None:
            notes.append(f"sheet '{name}' not present")
            continue
        filled = [r for r in rows if any(c not in (None, "") for c in r)]
        body = filled[1:] if filled and norm(filled[0][0]) == norm(name) else filled
        if not body:
            warnings.append(f"sheet '{name}': no rows (LinkedIn leaves it empty when too "
                            "few members share it)")
            continue
        counts, bad = [], 0
        for row in body:
            segment = str(row[0]).strip() if row and row[0] not in (None, "") else ""
            value = row[1] if len(row) > 1 else None
            number = value if isinstance(value, (int, float)) else None
            if number is None and isinstance(value, str) and re.fullmatch(r"\d+(\.0+)?",
                                                                          value.strip()):
                number = float(value)
            if not segment or number is None:
                bad += 1
                continue
            counts.append((segment, float(number)))
        if bad:
            warnings.append(f"sheet '{name}': {bad} row(s) without a segment and a count "
                            "were left out")
        total = sum(c for _, c in counts)
        for segment, count in counts:
            out.append({"breakdown": DEMOGRAPHIC_BREAKDOWNS[name], "segment": segment,
                        "count": count, "share": count / total if total else None,
                        "base_count": total, "section": name})
        notes.append(f"sheet '{name}': {len(counts)} segments -> audience "
                     f"{DEMOGRAPHIC_BREAKDOWNS[name]} (shares of the {total:g} listed)")
    return out


def parse_followers(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a LinkedIn followers export: ``New followers`` → daily ``follows``."""
    sheets = read_workbook(raw)
    rows = _sheet(sheets, "New followers")
    if rows is None:
        raise InputFormatError("sheet 'New followers' is missing", file=raw.path,
                               hint="download the followers export again")
    at = _header_index(rows, "Date", raw.path)
    header, frame = rows_to_frame(rows, at)
    found = match_columns(
        frame.columns,
        {
            "date": ("Date",),
            "total": ("Total followers",),
            "organic": ("Organic followers",),
            "sponsored": ("Sponsored followers",),
            "auto": ("Auto-invited followers",),
        },
    )
    notes: list[str] = []
    if "date" not in found:
        raise InputFormatError("sheet 'New followers': no 'Date' column", file=raw.path,
                               column="Date", hint="download the followers export again")
    dates = _dates(frame[found["date"]], raw.path, "New followers")
    if "total" in found:
        # 'Total followers' here is the daily gain, not the running total (export-formats §4.2).
        follows = to_number(frame[found["total"]])
        notes.append("follows = 'Total followers' of 'New followers' (daily gain: sponsored + "
                     "organic + auto-invited)")
    else:
        parts = [k for k in ("organic", "sponsored", "auto") if k in found]
        if not parts:
            raise InputFormatError(
                f"sheet 'New followers': no follower count column (headers: {', '.join(header)})",
                file=raw.path, column="Total followers",
                hint="download the followers export again")
        follows = sum((to_number(frame[found[k]]) for k in parts[1:]),
                      to_number(frame[found[parts[0]]]))
        notes.append("follows = sum of " + " + ".join(found[k] for k in parts))
    warnings: list[str] = []
    audience = _demographics(sheets, raw, notes, warnings)
    return _daily_export(raw, ctx, "linkedin_followers", dates, {"follows": follows}, notes,
                         warnings, audience, "followers")


def parse_visitors(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a LinkedIn visitors export: ``Visitor metrics`` → page views, unique visitors."""
    sheets = read_workbook(raw)
    rows = _sheet(sheets, "Visitor metrics")
    if rows is None:
        raise InputFormatError("sheet 'Visitor metrics' is missing", file=raw.path,
                               hint="download the visitors export again")
    at = _header_index(rows, "Date", raw.path)
    _, frame = rows_to_frame(rows, at)
    notes: list[str] = []
    warnings: list[str] = []
    date_col = match_columns(frame.columns, {"d": ("Date",)})["d"]
    dates = _dates(frame[date_col], raw.path, "Visitor metrics")
    series = {}
    views = match_columns(frame.columns, {
        "total": ("Total page views (total)",),
        "desktop": ("Total page views (desktop)",),
        "mobile": ("Total page views (mobile)",),
    })
    if "total" in views:
        series["page_views"] = to_number(frame[views["total"]])
    elif {"desktop", "mobile"} <= views.keys():
        series["page_views"] = to_number(frame[views["desktop"]]) + to_number(
            frame[views["mobile"]])
        notes.append("page_views = desktop + mobile page views (no total column)")
    uniques = match_columns(frame.columns, {"total": ("Total unique visitors (total)",)})
    if "total" in uniques:
        series["unique_visitors"] = to_number(frame[uniques["total"]])
    else:
        # unique visitors are not additive across devices: do not sum desktop + mobile
        warnings.append("no 'Total unique visitors (total)' column: unique_visitors not stored")
    if not series:
        raise InputFormatError(
            "sheet 'Visitor metrics': no 'Total page views' or 'Total unique visitors' columns",
            file=raw.path, hint="download the visitors export again")
    audience = _demographics(sheets, raw, notes, warnings)
    return _daily_export(raw, ctx, "linkedin_visitors", dates, series, notes, warnings,
                         audience, "visitors")


def _daily_export(raw, ctx, kind, dates, series, notes, warnings, audience=None,
                  base=None) -> ParsedExport:
    snapshot = snapshot_at(raw)
    account = _account(raw, ctx, warnings)
    daily = _long_daily(dates, series, account, raw, snapshot)
    tables = {"daily": daily}
    configured = _configured_pages(ctx)
    if audience and configured and account not in configured:
        # another page's demographics would be reported as the organisation's audience
        sheets = sorted({row["section"] for row in audience})
        warnings.append(f"sheets {', '.join(sheets)}: demographics of the page '{account}', "
                        "not the organisation's: not read")
    elif audience:
        # visitors' sheets cover the export's period; followers' are the page's followers now
        period = pd.to_datetime(dates).dropna() if base == "visitors" else pd.Series([])
        for row in audience:
            row.update(platform=PLATFORM, account=account, snapshot_at=snapshot, base=base,
                       period_start=period.min() if len(period) else None,
                       period_end=period.max() if len(period) else None)
        tables["audience"] = audience_frame(audience, str(raw.path))
    return ParsedExport(
        path=raw.path,
        kind=kind,
        tables=tables,
        account=account,
        date_min=daily["date"].min() if len(daily) else None,
        date_max=daily["date"].max() if len(daily) else None,
        snapshot_at=snapshot,
        warnings=warnings,
        notes=notes + ["dates are LinkedIn's UTC days"],
    )


# --- detection ----------------------------------------------------------------------------


def _has_sheets(raw: RawFile, *names: str) -> bool:
    titles = {norm(t) for t in workbook_sheet_names(raw)}
    return all(norm(n) in titles for n in names)


def _sniff_content(raw: RawFile) -> bool:
    """``All posts``, or (no post in the period) a ``Metrics`` sheet of LinkedIn's columns."""
    if _has_sheets(raw, "All posts"):
        return True
    if not _has_sheets(raw, "Metrics"):
        return False
    rows = _sheet(read_workbook(raw), "Metrics") or []
    cells = {norm(c) for row in rows[:3] for c in row if c is not None}
    return "date" in cells and bool(cells & {norm("Impressions (total)"),
                                              norm("Impressions (organic)")})


def _sniff_competitor(raw: RawFile) -> bool:
    """A competitor analytics workbook: sheet ``COMPETITORS`` (Page, Total Followers, …)."""
    return _has_sheets(raw, "COMPETITORS")


def parse_competitor(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Competitor analytics is not an export we read: always raises NotAnExportError."""
    raise NotAnExportError(
        "not an export we read: a LinkedIn competitor analytics report (other pages' "
        "follower and post totals); only the Page's own content, followers and visitors "
        "exports are read", file=raw.path,
        hint="move it out of the raw folder; it is skipped")


register(ExportKind(
    name="linkedin_competitor",
    label="LinkedIn competitor analytics (skipped: not an export we read)",
    sniff=_sniff_competitor,
    parse=parse_competitor,
    priority=50,
))
register(ExportKind(
    name="linkedin_content",
    label="LinkedIn Page content export",
    sniff=_sniff_content,
    parse=parse_content,
    priority=50,
))
register(ExportKind(
    name="linkedin_followers",
    label="LinkedIn Page followers export",
    sniff=lambda raw: _has_sheets(raw, "New followers"),
    parse=parse_followers,
    priority=50,
))
register(ExportKind(
    name="linkedin_visitors",
    label="LinkedIn Page visitors export",
    sniff=lambda raw: _has_sheets(raw, "Visitor metrics"),
    parse=parse_visitors,
    priority=50,
))

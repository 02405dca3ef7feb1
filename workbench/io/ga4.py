"""Google Analytics 4 report downloads (export-formats.md §7) → the ``web`` table.

Handles the standard report (``#`` comment block with ``# Start date: YYYYMMDD``), files with
several tables separated by blank lines (each parsed, none lost), and Explorations (range on
one ``# YYYYMMDD-YYYYMMDD`` line, a ``Grand total`` row with an extra trailing cell, dropped).
Time axes ``Date`` (``YYYYMMDD``), ``Nth day`` and ``Nth week`` become dates. Headers are
matched through one alias table (:data:`DIMENSIONS`, :data:`METRICS`); an unknown dimension
is kept under a derived name and reported in ``warnings`` (not fatal).

Demographics reports (country, city, language, age, gender) stay in ``web`` as before and are
*also* read into ``audience`` (:func:`demographics`).

Rows carry ``date`` when the table has a time axis, else ``month`` (``YYYY-MM``) when the
table's range is one calendar month, else neither (the range is in ``notes``).
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io._tabular import norm, to_number, to_numbers
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

#: Dimension aliases → canonical dimension name. French names are third-party, unverified.
DIMENSIONS: dict[str, str] = {
    "session default channel group": "channel_group",
    "session primary channel group (default channel group)": "channel_group",
    "session primary channel group": "channel_group",
    "default channel group": "channel_group",
    "groupe de canaux par défaut pour la session": "channel_group",
    "groupe de canaux principal de la session (groupe de canaux par défaut)": "channel_group",
    "first user primary channel group (default channel group)": "first_user_channel_group",
    "first user default channel group": "first_user_channel_group",
    "session source / medium": "source_medium",
    "session source": "source",
    "source": "source",
    "first user source / medium": "first_user_source_medium",
    "page path and screen class": "page",
    "page path + query string": "page",
    "page path": "page",
    "page title and screen class": "page_title",
    "page title": "page_title",
    "landing page": "landing_page",
    "landing page + query string": "landing_page",
    "event name": "event_name",
    "country": "country",
    "city": "city",
    "region": "region",
    "language": "language",
    "age": "age",
    "gender": "gender",
    "device category": "device_category",
    "country id": "country",
    "platform": "platform",
    "audience name": "audience",
    "audience": "audience",
}

#: Time-axis dimensions (converted to dates, never stored as a dimension).
TIME_AXES = {"date": "date", "nth day": "nth_day", "nth week": "nth_week",
             "nth month": "nth_month"}

#: Metric aliases → canonical metric name.
METRICS: dict[str, str] = {
    "sessions": "sessions",
    "total users": "users",
    "users": "users",
    "utilisateurs": "users",
    "nombre total d'utilisateurs": "users",
    "active users": "active_users",
    "utilisateurs actifs": "active_users",
    "new users": "new_users",
    "nouveaux utilisateurs": "new_users",
    "views": "views",
    "vues": "views",
    "key events": "key_events",
    "conversions": "key_events",
    "événements clés": "key_events",
    "engaged sessions": "engaged_sessions",
    "engagement rate": "engagement_rate",
    "average engagement time per session": "avg_engagement_time_per_session",
    "average engagement time per active user": "avg_engagement_time_per_active_user",
    "average engagement time": "avg_engagement_time",
    "average session duration": "avg_session_duration",
    "events per session": "events_per_session",
    "event count": "event_count",
    "event count per active user": "event_count_per_active_user",
    "session key event rate": "session_key_event_rate",
    "total revenue": "total_revenue",
    "views per active user": "views_per_active_user",
    "bounce rate": "bounce_rate",
    "exits": "exits",
    "sessions per user": "sessions_per_user",
    "sessions par utilisateur": "sessions_per_user",
}

_DATE_LINE = re.compile(r"^#\s*(start|end) date:\s*(\d{8})", re.IGNORECASE)
_RANGE_LINE = re.compile(r"^#\s*(\d{8})\s*-\s*(\d{8})\s*$")
_META_LINE = re.compile(r"^#\s*(-{5,}|account:|property:|start date:|end date:|\d{8}\s*-)",
                        re.IGNORECASE)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", norm(text)).strip("_") or "unnamed"


def split_tables(lines: list[str]) -> list[dict]:
    """Cut the file into tables: each with its comment lines, header line and data lines."""
    tables: list[dict] = []
    comments: list[str] = []
    current: dict | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip().rstrip(",")  # Excel re-saves pad comment lines with commas
        if stripped.startswith("#"):
            if current is not None:
                tables.append(current)
                current, comments = None, []
            comments.append(stripped)
        elif not stripped:
            if current is not None:
                tables.append(current)
                current, comments = None, []
        elif current is None:
            current = {"comments": comments, "header": line, "header_line": number, "rows": []}
            comments = []
        else:
            current["rows"].append((number, line))
    if current is not None:
        tables.append(current)
    return tables


def _range(comments: list[str], previous):
    start = end = None
    for line in comments:
        found = _DATE_LINE.match(line)
        if found:
            stamp = pd.Timestamp(found.group(2))
            start, end = (stamp, end) if found.group(1).lower() == "start" else (start, stamp)
        found = _RANGE_LINE.match(line)
        if found:
            start, end = pd.Timestamp(found.group(1)), pd.Timestamp(found.group(2))
    if start is None and end is None:
        return previous
    return start, end


def _title(comments: list[str]) -> str:
    texts = [c.lstrip("#").strip() for c in comments]
    for index, line in enumerate(comments):
        if _RANGE_LINE.match(line) and index > 0 and texts[index - 1]:
            return texts[index - 1]  # exploration: the name sits just above the range line
    for line, text in zip(comments, texts, strict=True):
        if text and not _META_LINE.match(line):
            return text
    return ""


def _day(stamp) -> str:
    return f"{stamp:%Y-%m-%d}" if stamp is not None else "?"


def comparison_blocks(blocks: list[dict], ranges: list[tuple]) -> list[int]:
    """Indexes of the tables that repeat the previous table for a comparison period.

    A "Reports snapshot" downloaded with a date-range comparison writes each table twice:
    first for the report's own period, then (same header, no title line) for the
    comparison period. The report's own period is the first table's.
    """
    if not ranges:
        return []
    primary = ranges[0]
    found = []
    for index in range(1, len(blocks)):
        same_header = norm(blocks[index]["header"]) == norm(blocks[index - 1]["header"])
        if (same_header and ranges[index] != ranges[index - 1]
                and ranges[index - 1] == primary and ranges[index] != primary):
            found.append(index)
    return found


def nth_dates(offsets: pd.Series, kind: str, start: pd.Timestamp) -> pd.Series:
    """GA4 ``Nth day`` / ``Nth week`` / ``Nth month`` offsets → the first day of each period.

    GA4 counts from the report's start date on its own calendar: day N is start + N days;
    week 0 is the partial week the report starts in and weeks run Sunday to Saturday (real
    snapshot files: each week's "Active users" equals the "7 days" active users of its
    Saturday in 16 of 16 weeks, against 3 of 16 for Monday weeks); month 0 is the rest of
    the start month. A period is dated at its first day inside the report's range.

    Args:
        offsets: The offsets as numbers (``0000`` → 0); NA stays NaT.
        kind: ``nth_day``, ``nth_week`` or ``nth_month``.
        start: The report's ``# Start date``.

    Returns:
        Naive dates aligned with ``offsets``.
    """
    numbers = pd.to_numeric(offsets, errors="coerce").astype("Float64")
    values = numbers.to_numpy(dtype="float64", na_value=float("nan"))
    if kind == "nth_day":
        dates = start + pd.to_timedelta(values, unit="D")
    elif kind == "nth_week":
        sunday = start - pd.Timedelta(days=(start.weekday() + 1) % 7)
        dates = sunday + pd.to_timedelta(values * 7, unit="D")
    elif kind == "nth_month":
        first = start.to_period("M")
        dates = pd.DatetimeIndex([
            (first + int(v)).to_timestamp() if v == v else pd.NaT for v in values])
    else:
        raise ValueError(kind)
    dates = pd.Series(pd.DatetimeIndex(dates), index=offsets.index).astype("datetime64[ns]")
    return dates.where(dates.isna() | (dates >= start), start)


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a GA4 report or exploration CSV (every table in it) into ``web`` rows."""
    delimiter = ","
    blocks = split_tables(raw.lines)
    if not blocks:
        raise InputFormatError("no table found under the '#' header block", file=raw.path,
                               hint="download the report again from GA4 (Share > Download file)")
    frames, warnings, notes = [], [], []
    date_range = (None, None)
    ranges = []
    for block in blocks:
        date_range = _range(block["comments"], date_range)
        ranges.append(date_range)
    comparison = comparison_blocks(blocks, ranges)
    if comparison:
        start, end = ranges[comparison[0]]
        notes.append(f"date-range comparison: {len(comparison)} table(s) of the comparison "
                     f"period {_day(start)}..{_day(end)} left out (the current period is kept; "
                     "download that period on its own to read it)")
    for index, block in enumerate(blocks, start=1):
        if index - 1 in comparison:
            continue
        date_range = ranges[index - 1]
        title = _title(block["comments"]) or f"table {index}"
        frame = _parse_block(block, delimiter, date_range, title, raw, warnings, notes)
        frames.append(frame)
    # the blocks come canonical, source_file included: conform only checks (and would fix)
    web = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    web = schema.conform(web, "web")
    dates = web["date"].dropna()
    date_range = ranges[0] if ranges else (None, None)
    starts = [b for b in (date_range[0],) if b is not None]
    tables = {"web": web}
    audience = demographics(web, ranges[0] if ranges else (None, None), notes, warnings)
    if audience is not None:
        tables["audience"] = audience
    return ParsedExport(
        path=raw.path,
        kind="ga4_report",
        tables=tables,
        date_min=dates.min() if len(dates) else (starts[0] if starts else None),
        date_max=dates.max() if len(dates) else date_range[1],
        warnings=warnings,
        notes=notes + ["dates are in the GA4 property's reporting time zone"],
    )


def _blank_to_na(cells: list[str]) -> pd.arrays.ArrowStringArray:
    """Cells as a string array, NA where only whitespace (Arrow's notion, as .str.strip)."""
    arr = pa.array(cells, type=pa.large_string())
    blank = pc.equal(pc.utf8_trim_whitespace(arr), "")
    return pd.arrays.ArrowStringArray(
        pa.chunked_array([pc.if_else(blank, pa.scalar(None, pa.large_string()), arr)]))


def _parse_block(block, delimiter, date_range, title, raw, warnings, notes) -> pd.DataFrame:
    header = [c.strip() for c in next(csv.reader([block["header"]], delimiter=delimiter))]
    width = len(header)
    rows = []
    dropped_totals = 0
    for number, line in block["rows"]:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        extra = [c.strip() for c in cells[width:] if c.strip()]
        if any(norm(c) == "grand total" for c in extra) or (
                cells and norm(cells[0]) == "grand total"):
            dropped_totals += 1  # exploration totals row: more cells than headers
            continue
        if extra:
            warnings.append(f"table '{title}' line {number}: {len(extra)} extra cell(s) ignored")
        rows.append(cells[:width] + [""] * (width - len(cells)))  # ragged rows are padded
    # one string column per position, blank cells NA: DataFrame(rows).mask(.str.strip() == "")
    # done per column in the same Arrow kernels, without the frame-wide mask/apply
    # kept as Series by position (what the DataFrame's columns were), without the frame
    index = pd.RangeIndex(len(rows))
    frame = {position: pd.Series(_blank_to_na([row[position] for row in rows]), index=index,
                                 name=position, copy=False)
             for position in range(width)}
    if dropped_totals:
        notes.append(f"table '{title}': 'Grand total' row dropped")

    time_col, time_kind = None, None
    dims: list[tuple[int, str]] = []
    metrics: list[tuple[int, str]] = []
    for position, name in enumerate(header):
        key = norm(name)
        if key in TIME_AXES and time_col is None:
            time_col, time_kind = position, TIME_AXES[key]
        elif key in DIMENSIONS:
            dims.append((position, DIMENSIONS[key]))
        elif key in METRICS:
            metrics.append((position, METRICS[key]))
        else:
            # numeric (or empty, as in ragged cohort rows) → a metric; text → a dimension
            numeric = to_number(frame[position], thousands=False)
            if numeric.notna().sum() == frame[position].notna().sum():
                metrics.append((position, _slug(name)))
                notes.append(f"table '{title}': metric '{name}' kept as '{_slug(name)}' "
                             "(not in the alias table)")
            else:
                dims.append((position, _slug(name)))
                warnings.append(
                    f"table '{title}': unknown dimension '{name}' kept as '{_slug(name)}'; "
                    "add it to workbench.io.ga4.DIMENSIONS if it matters")

    start, end = date_range
    dates = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if time_col is not None:
        values = frame[time_col].str.strip()
        if time_kind == "date":
            dates = pd.to_datetime(values, format="%Y%m%d", errors="coerce")
            if dates.isna().any() and values.notna().any():
                # not YYYYMMDD (cohort labels like "Jun 14 - Jun 20", Excel-mangled dates)
                warnings.append(f"table '{title}': 'Date' values like {values.iloc[0]!r} are "
                                "not YYYYMMDD; kept as dimension 'date_label'")
                dims.insert(0, (time_col, "date_label"))
                time_col = None
                dates = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        else:
            if start is None:
                raise InputFormatError(
                    f"table '{title}': '{header[time_col]}' offsets need a start date and the "
                    "'#' block has none", file=raw.path, row=block["header_line"],
                    hint="download the report again without editing the '#' lines")
            try:
                dates = nth_dates(values, time_kind, start)
            except (OverflowError, ValueError, pd.errors.OutOfBoundsTimedelta,
                    pd.errors.OutOfBoundsDatetime) as exc:  # e.g. a date where an offset goes
                raise InputFormatError(
                    f"table '{title}': '{header[time_col]}' values are not small day/week "
                    f"offsets ({exc})", file=raw.path, row=block["header_line"],
                    hint="download the report again without editing it") from exc
            if time_kind != "nth_day":
                notes.append(f"table '{title}': '{header[time_col]}' rows dated at the first "
                             "day of each GA4 period (weeks run Sunday to Saturday; period "
                             "0 starts on the report's start date)")
        if end is not None:
            late = dates > end
            if late.any():
                warnings.append(f"table '{title}': {int(late.sum())} row(s) dated after the "
                                f"report's end date {_day(end)} dropped")
                keep = ~late.to_numpy()
                frame = {position: column[keep].reset_index(drop=True)
                         for position, column in frame.items()}
                index = pd.RangeIndex(int(keep.sum()))
                dates = dates[keep].reset_index(drop=True)
    month = None
    if time_col is None and start is not None and end is not None:
        if (start.year, start.month) == (end.year, end.month):
            month = f"{start:%Y-%m}"
        else:
            notes.append(f"table '{title}': covers {start:%Y-%m-%d}..{end:%Y-%m-%d} "
                         "(not one month): rows have neither date nor month")

    if dims:
        dim_name = " + ".join(name for _, name in dims)
        dim_value = frame[dims[0][0]].astype("string")
        for position, _ in dims[1:]:
            dim_value = dim_value + " | " + frame[position].astype("string")
    else:
        dim_name, dim_value = "total", pd.Series(pd.NA, index=index, dtype="string")
    if not metrics:
        warnings.append(f"table '{title}': no metric columns")
        return schema.empty_table("web")
    # the long table (metric after metric) built column by column in the canonical dtypes:
    # one frame per metric plus concat, assign and casts cost more than the parse itself
    values = [column.array for column in
              to_numbers([frame[position] for position, _ in metrics], thousands=False)]
    per, k = len(index), len(metrics)
    n = per * k
    dim_array = dim_value.array
    return pd.DataFrame({
        "date": np.tile(dates.to_numpy().astype("datetime64[ns]"), k),
        "month": schema.constant_array(month, n, "string"),
        "dimension": schema.constant_array(dim_name, n, "string"),
        "dimension_value": type(dim_array)._concat_same_type([dim_array] * k),
        "metric": pd.array(np.repeat(np.array([m for _, m in metrics], dtype=object), per),
                           dtype="string"),
        "value": type(values[0])._concat_same_type(values),
        "source_file": schema.constant_array(str(raw.path), n, "string"),
        "table": schema.constant_array(title, n, "string"),
    }, index=pd.RangeIndex(n), copy=False)


#: GA4 dimensions that describe who the visitors are -> ``audience.breakdown``.
DEMOGRAPHIC_DIMENSIONS = {"country": "country", "city": "city", "language": "language",
                          "age": "age", "gender": "gender"}
#: The user count a demographic table is read from, best first.
USER_METRICS = ("active_users", "users", "new_users", "sessions")


def demographics(web: pd.DataFrame, date_range, notes: list[str],
                 warnings: list[str]) -> pd.DataFrame | None:
    """``audience`` rows of a GA4 demographics report (also kept in ``web``).

    A table is a demographics table when its title says so (``Demographic details: …``,
    the report under User > User attributes) or its dimension is age or gender. Other
    tables with a country or city (a Reports snapshot card listing the top few) stay in
    ``web`` only: their rows are not a breakdown of all visitors. ``count`` is the table's
    user count per segment, ``share`` that count over the table's total, ``base`` visitors.
    """
    if web.empty:
        return None
    # most reports hold no demographic dimension: then every group below is skipped
    if not any(str(d) in DEMOGRAPHIC_DIMENSIONS
               for d in web["dimension"].dropna().unique().tolist()):
        return None
    rows = []
    for (title, dimension), table in web.groupby(["table", "dimension"], sort=False):
        breakdown = DEMOGRAPHIC_DIMENSIONS.get(str(dimension))
        if breakdown is None:
            continue
        if "demographic" not in norm(str(title)) and breakdown not in {"age", "gender"}:
            continue
        if table["date"].notna().any():
            notes.append(f"table '{title}': a demographic table by date is kept in web only")
            continue
        metric = next((m for m in USER_METRICS if (table["metric"] == m).any()), None)
        if metric is None:
            warnings.append(f"table '{title}': no user count column, not read as audience")
            continue
        part = table[table["metric"] == metric]
        counts = part.groupby("dimension_value", sort=False)["value"].sum(min_count=1)
        total = float(counts.sum())
        for segment, count in counts.items():
            rows.append({"breakdown": breakdown, "segment": str(segment),
                         "count": count, "share": count / total if total else None,
                         "base_count": total, "section": str(title)})
        notes.append(f"table '{title}': {len(counts)} segments -> audience {breakdown} "
                     f"(shares of {metric.replace('_', ' ')})")
    if not rows:
        return None
    start, end = date_range
    for row in rows:
        row.update(platform="website", base="visitors", period_start=start, period_end=end)
    return schema.conform(pd.DataFrame(rows).assign(source_file=web["source_file"].iloc[0]),
                          "audience")


def sniff(raw: RawFile) -> bool:
    """GA4: a leading ``#`` block holding ``# Start date: YYYYMMDD`` or ``# YYYYMMDD-YYYYMMDD``."""
    if raw.container != "text":
        return False
    head = [line.strip().rstrip(",") for line in raw.first_lines(14)]
    if not head or not head[0].startswith("#"):
        return False
    return any(_DATE_LINE.match(line) or _RANGE_LINE.match(line) for line in head)


register(ExportKind("ga4_report", "Google Analytics 4 report download (CSV)", sniff, parse,
                    priority=40))

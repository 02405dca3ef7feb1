"""Google Ads (Ad Grant) Campaign report (export-formats.md §8) → the ``ads`` table.

Two title lines (``Campaign report``, then the period: US ``March 27, 2026 - April 23, 2026``,
UK ``27 January 2026 - 23 February 2026`` or ``All time``), then the header. Both the CSV
(UTF-8, comma) and the "Excel CSV" (UTF-16LE with BOM, tab) are read. ``Total: …`` rows are
dropped; `` --``, ``< 10%``, ``> 90%`` are missing; thousands separators are stripped (the
en-US/en-GB UI is the only one seen). The currency comes from ``Currency code``, never
assumed. ``All time`` files get ``all_time=True`` and no period.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io._tabular import match_columns, norm, rounded_count, to_number
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

#: Canonical ads column → header spellings (en-US and en-GB UIs).
COLUMNS: dict[str, tuple[str, ...]] = {
    "campaign": ("Campaign",),
    "impressions": ("Impr.", "Impressions"),
    "clicks": ("Clicks",),
    "cost": ("Cost",),
    "currency": ("Currency code",),
    "conversions": ("Conversions",),
}
REQUIRED = ("campaign", "impressions", "clicks", "cost", "currency")
PERIOD_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")
_TOTAL_ROW = re.compile(r"^\s*total\s*:", re.IGNORECASE)
_TITLE_WORDS = ("report", "rapport", "informe", "bericht", "relatório", "rapporto")


def _lines(raw: RawFile) -> tuple[list[list[str]], str]:
    lines = raw.lines
    header_line = lines[2] if len(lines) > 2 else ""
    delimiter = "\t" if "\t" in header_line else ","
    try:
        rows = list(csv.reader(io.StringIO(raw.text), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a bare carriage return inside a cell
        raise InputFormatError(f"the CSV cannot be parsed ({exc})", file=raw.path,
                               hint="the file may be damaged; download it again") from exc
    return rows, delimiter


def parse_period(text: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None, bool]:
    """Return (start, end, all_time) from the report's second title line.

    Raises:
        ValueError: The line is neither ``All time`` nor a ``<date> - <date>`` range.
    """
    text = text.strip().strip('"').strip()
    if norm(text) == "all time":
        return None, None, True
    parts = [p.strip() for p in re.split(r"\s+[-–]\s+", text)]
    if len(parts) != 2:
        raise ValueError(text)
    bounds = []
    for part in parts:
        for fmt in PERIOD_FORMATS:
            try:
                bounds.append(pd.Timestamp(pd.to_datetime(part, format=fmt)))
                break
            except (ValueError, TypeError):
                continue
        else:
            raise ValueError(text)
    return bounds[0], bounds[1], False


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Google Ads Campaign report (CSV or Excel CSV) into ``ads`` rows."""
    rows, delimiter = _lines(raw)
    if len(rows) < 3:
        raise InputFormatError("the report has no header row", file=raw.path,
                               hint="download the Campaign report again")
    header = [c.strip() for c in rows[2]]
    found = match_columns(header, COLUMNS)
    missing = [name for name in REQUIRED if name not in found]
    if "campaign" not in found or len(missing) > 2:
        raise InputFormatError(
            "Google Ads report in an unknown language or layout (headers seen: "
            + ", ".join(h for h in header if h) + ")",
            file=raw.path, row=3,
            hint="switch the Google Ads interface to English and download the Campaign "
                 "report again")
    if missing:
        raise InputFormatError(
            f"column '{COLUMNS[missing[0]][0]}' is missing from the Campaign report",
            file=raw.path, row=3, column=COLUMNS[missing[0]][0],
            hint="add it with Columns > Modify columns in Google Ads, then download again")
    period_text = rows[1][0] if rows[1] else ""
    try:
        start, end, all_time = parse_period(",".join(rows[1]) if delimiter == "," and len(
            rows[1]) > 1 else period_text)
    except ValueError:
        raise InputFormatError(
            f"the period line {period_text!r} is not a date range or 'All time'",
            file=raw.path, row=2,
            hint="download the report again; the second line must be its date range") from None
    width = len(header)
    body = [r[:width] + [""] * (width - len(r)) for r in rows[3:] if any(c.strip() for c in r)]
    position = {name: header.index(col) for name, col in found.items()}
    # only the columns read (reports carry ~17), as string columns built from the lists
    frame = pd.DataFrame(
        {p: pd.array([row[p] for row in body], dtype="string")
         for p in sorted({0, *position.values()})},
        index=pd.RangeIndex(len(body)),
    )
    is_total = frame[0].str.match(_TOTAL_ROW.pattern, case=False).fillna(False)
    frame = frame[~is_total]
    ads = pd.DataFrame({
        "period_start": start,
        "period_end": end,
        "campaign": frame[position["campaign"]].str.strip(),
        "impressions": rounded_count(to_number(frame[position["impressions"]])),
        "clicks": rounded_count(to_number(frame[position["clicks"]])),
        "cost": to_number(frame[position["cost"]]),
        "currency": frame[position["currency"]].str.strip(),
        "conversions": (to_number(frame[position["conversions"]])
                        if "conversions" in position else pd.NA),
        "source_file": str(raw.path),
        "all_time": all_time,
    })
    ads = schema.conform(ads, "ads")
    currencies = sorted(set(ads["currency"].dropna()))
    notes = [f"{int(is_total.sum())} 'Total: …' row(s) dropped",
             f"currency read from 'Currency code': {', '.join(currencies) or 'none'}"]
    warnings = []
    if all_time:
        warnings.append("an 'All time' report: marked all_time, never summed with monthly ones")
    if len(currencies) > 1:
        warnings.append(f"several currencies in one report: {', '.join(currencies)}")
    return ParsedExport(
        path=raw.path, kind="google_ads_campaigns", tables={"ads": ads},
        date_min=start, date_max=end, warnings=warnings, notes=notes,
        unknown_columns=[h for h in header if h and h not in found.values()],
    )


def sniff(raw: RawFile) -> bool:
    """A one-cell title naming a report or campaigns, then a period line, then a header."""
    if raw.container != "text":
        return False
    lines = raw.first_lines(4)
    if len(lines) < 3:
        return False
    title = norm(lines[0]).strip('"')
    header = lines[2]
    cells = header.count("\t") + 1 if "\t" in header else header.count(",") + 1
    if cells < 4 or "," in title or "\t" in title:
        return False
    header_cells = {norm(c) for c in re.split(r"[\t,]", header)}
    return any(w in title for w in _TITLE_WORDS) and (
        "impr." in header_cells or "campaign" in header_cells or "campagne" in header_cells
        or "campaña" in header_cells)


register(ExportKind("google_ads_campaigns", "Google Ads Campaign report", sniff, parse,
                    priority=40))

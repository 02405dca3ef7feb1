"""``manual_kpis.csv``: figures only visible in a platform's UI or in internal records.

Columns ``month,platform,kpi,value,note`` (``note`` optional, any order, header case-insensitive,
BOM allowed). ``month`` must be ``YYYY-MM``; ``value`` numeric (thousands separators and spaces
allowed). The same (month, platform, kpi) twice in one file is an error: which one is meant?
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import InputFormatError
from workbench.io.rawfile import RawFile
from workbench.io.registry import (
    ExportKind,
    ParseContext,
    ParsedExport,
    register,
    snapshot_from_file,
)
from workbench.schema import conform

REQUIRED = ("month", "platform", "kpi", "value")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _header(raw: RawFile) -> tuple[list[str], str] | None:
    if raw.container != "text":
        return None
    lines = raw.first_lines(1)
    if not lines:
        return None
    delimiter = raw.sniff_delimiter(lines)
    return [c.lower() for c in raw.header_row(0, delimiter)], delimiter


def sniff_manual(raw: RawFile) -> bool:
    """Return True when the header is ``month,platform,kpi,value[,note]`` (any order)."""
    head = _header(raw)
    return bool(head) and set(REQUIRED) <= set(head[0]) <= set(REQUIRED) | {"note"}


def _bad_row(raw: RawFile, index: int, column: str, message: str, hint: str) -> InputFormatError:
    return InputFormatError(message, file=raw.path, row=int(index) + 2, column=column, hint=hint)


def parse_manual(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse ``manual_kpis.csv`` into the ``manual`` table.

    Raises:
        InputFormatError: A month not written YYYY-MM, a non-numeric value, an empty
            platform/kpi, or the same KPI twice; the error names the row.

    """
    headers, delimiter = _header(raw)
    frame = raw.read_csv(delimiter=delimiter)
    frame.columns = headers
    frame = frame.dropna(how="all")
    text = {c: frame[c].astype("string").str.strip() for c in frame.columns}

    month = text["month"]
    bad_month = ~month.str.match(MONTH_PATTERN).fillna(False).astype(bool)
    if bad_month.any():
        first = bad_month.idxmax()
        raise _bad_row(raw, first, "month", f"{month[first]!r} is not a month like 2024-03",
                       "write the month as YYYY-MM; format the column as text in the "
                       "spreadsheet so it is not turned into a date")
    for column in ("platform", "kpi"):
        empty = text[column].isna()
        if empty.any():
            raise _bad_row(raw, empty.idxmax(), column, f"the {column} is empty",
                           f"fill in the {column} (e.g. instagram, reach)")
    value_text = text["value"]
    cleaned = value_text.str.replace(r"[,\s\u00a0\u202f]", "", regex=True)
    value = pd.to_numeric(cleaned, errors="coerce")
    bad_value = value.isna()
    if bad_value.any():
        first = bad_value.idxmax()
        shown = "empty" if pd.isna(value_text[first]) else f"{value_text[first]!r}"
        raise _bad_row(raw, first, "value", f"the value is {shown}, not a number",
                       "write a plain number such as 1234 or 1,234")

    out = pd.DataFrame(
        {
            "month": month,
            "platform": text["platform"].str.lower(),
            "kpi": text["kpi"].str.lower(),
            "value": value,
            "note": text["note"] if "note" in text else pd.NA,
            "source_file": str(raw.path),
        }
    )
    duplicated = out.duplicated(["month", "platform", "kpi"])
    if duplicated.any():
        first = duplicated.idxmax()
        raise _bad_row(raw, first, "kpi",
                       f"{out.at[first, 'platform']} {out.at[first, 'kpi']} for "
                       f"{out.at[first, 'month']} is given twice",
                       "keep one row per month, platform and kpi")
    manual = conform(out, "manual")
    months = manual["month"]
    return ParsedExport(
        path=raw.path,
        kind=MANUAL.name,
        tables={"manual": manual},
        date_min=pd.Timestamp(months.min() + "-01") if len(manual) else None,
        date_max=pd.Timestamp(months.max() + "-01") if len(manual) else None,
        snapshot_at=snapshot_from_file(raw.path),
    )


MANUAL = register(ExportKind(
    name="manual_kpis",
    label="manual KPIs (manual_kpis.csv)",
    sniff=sniff_manual,
    parse=parse_manual,
    priority=30,
))

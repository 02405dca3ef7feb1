"""Small helpers shared by the non-Meta parsers: header matching, numbers, workbooks.

Kept private (underscore) so the parser modules stay the public surface.
"""

from __future__ import annotations

import functools
import io
import os
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io.rawfile import RawFile

HASHTAG_RE = r"(#[^\s#.,;:!?()\[\]{}\"'“”]+)"
_SPACES = re.compile(r"\s+")
_HASHTAGS = re.compile(HASHTAG_RE)

#: Cell texts that mean "no value" in the exports (export-formats.md §0.1 item 7).
MISSING_TOKENS = frozenset({"", "--", "-", "undefined", "nan", "n/a", "null", "< 10%", "> 90%"})


def norm(text: object) -> str:
    """Lower-case, trim and collapse the whitespace of a header cell."""
    if type(text) is str:  # headers repeat from file to file: remembered
        return _norm_text(text)
    return _SPACES.sub(" ", str(text if text is not None else "")).strip().lower()


@functools.lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def match_columns(headers: Iterable[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map canonical names to the first header matching one of their aliases.

    Args:
        headers: The headers as found in the file.
        aliases: Canonical name → accepted header spellings (compared with :func:`norm`).

    Returns:
        Canonical name → the header as it appears in the file, for the names found.

    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(norm(header), header)
    found = {}
    for canonical, names in aliases.items():
        for name in names:
            if norm(name) in by_norm:
                found[canonical] = by_norm[norm(name)]
                break
    return found


def to_number(values: pd.Series, *, thousands: bool = True) -> pd.Series:
    """Parse text cells to Float64: placeholders become NA; ``1,234`` means 1234.

    Args:
        values: Cells as read (text, numbers or NA).
        thousands: Strip ``,`` thousands separators (en-US/en-GB exports only).

    """
    if values.dtype == object:
        numbers = _plain_numbers(values)
        if numbers is not None:
            return numbers
    fast = _to_number_arrow(values, thousands)
    if fast is not None:
        return fast
    text = values.astype("string").str.strip()
    text = text.mask(text.str.lower().isin(MISSING_TOKENS))
    if thousands:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("Float64")


def to_numbers(columns: list[pd.Series], *, thousands: bool = True) -> list[pd.Series]:
    """:func:`to_number` of each of ``columns``, clean text columns parsed in one pass.

    When every column is text whose cells all cast to float as they are (the usual export),
    the cells laid end to end are cast once and cut back into columns: per cell the same
    as :func:`to_number`'s first Arrow cast. Otherwise each column takes :func:`to_number`.
    """
    if len(columns) > 1 and all(c.dtype == "string" for c in columns):
        try:
            arr = pa.concat_arrays([pa.array(c.array).cast(pa.large_string())
                                    for c in columns])
            parsed = floating(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError,
                ValueError):
            parsed = None
        if parsed is not None:
            out, at = [], 0
            for column in columns:
                out.append(pd.Series(parsed[at:at + len(column)], index=column.index,
                                     copy=False))
                at += len(column)
            return out
    return [to_number(column, thousands=thousands) for column in columns]


def _plain_numbers(values: pd.Series) -> pd.Series | None:
    """Workbook cells that are all Python floats, ints or None, as Float64; else None.

    The same numbers the text route gives (``str(5.0)`` -> ``"5.0"`` -> 5.0; NaN and None are
    NA) without the round trip through text.
    """
    items = values.tolist()
    if not all(type(v) is float or type(v) is int or v is None for v in items):
        return None  # text, bools, dates: the text route judges them
    try:
        data = np.array([np.nan if v is None else v for v in items], dtype="float64")
    except OverflowError:  # an int beyond float range
        return None
    return pd.Series(floating(data), index=values.index, copy=False)


_MISSING_ARROW = pa.array(sorted(MISSING_TOKENS), type=pa.string())


def _to_number_arrow(values: pd.Series, thousands: bool) -> pd.Series | None:
    """:func:`to_number` in Arrow kernels when every cell parses cleanly, else None."""
    if values.dtype != "string" and values.dtype != object:
        return None
    try:
        arr = pa.array(values.astype("string").array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    try:
        # clean numbers (the usual export) cast as they are: a cell with spaces, commas or
        # a placeholder fails the cast, and "nan" becomes NaN, i.e. NA, as the full route
        # gives; so only failures need the trimming and placeholder kernels below
        parsed = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(floating(parsed), index=values.index, copy=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.is_in(pc.utf8_lower(arr), value_set=_MISSING_ARROW),
                         pa.scalar(None, pa.string()), arr)
        if thousands:
            arr = pc.replace_substring(arr, ",", "")
        parsed = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            ValueError):
        return None  # something to_numeric must judge (coerced to NA there)
    return pd.Series(floating(parsed), index=values.index, copy=False)


def floating(parsed: np.ndarray) -> pd.arrays.FloatingArray:
    """float64 with NaN -> Float64 (NaN is NA), as ``astype("Float64")`` but direct."""
    parsed = np.array(parsed, dtype="float64")  # own, writable copy
    return pd.arrays.FloatingArray(parsed, np.isnan(parsed))


def to_count(values: pd.Series, *, thousands: bool = True) -> pd.Series:
    """Like :func:`to_number` but as nullable integers (fractions are rounded)."""
    return rounded_count(to_number(values, thousands=thousands))


def rounded_count(numbers: pd.Series) -> pd.Series:
    """Float64 numbers as Int64, rounded: ``numbers.round().astype("Int64")``, made direct."""
    data = numbers.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(data)
    if not (np.abs(data[known]) < 2.0**53).all():  # inf or huge: let astype judge
        return numbers.round().astype("Int64")
    rounded = np.where(known, np.round(data), 0).astype("int64")
    return pd.Series(pd.arrays.IntegerArray(rounded, ~known), index=numbers.index, copy=False)


def hashtags(captions: pd.Series) -> pd.Series:
    """List of ``#tags`` in each caption (empty list for NA)."""
    # a plain loop: .str.findall runs Python's re per cell anyway, plus Series overhead
    texts = captions.astype("string").tolist()
    found = [_HASHTAGS.findall(text) if isinstance(text, str) else [] for text in texts]
    return pd.Series(found, index=captions.index, dtype="object")


def sum_all(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row sums that are NA when any component is NA (never a silent 0)."""
    if columns and all(frame[c].dtype == "Int64" for c in columns):
        return sum_series([frame[c] for c in columns])
    return frame[columns].astype("Int64").sum(axis=1, skipna=False).astype("Int64")


def sum_series(parts: list[pd.Series]) -> pd.Series:
    """:func:`sum_all` over aligned Int64 Series, without building a frame of them."""
    if not all(part.dtype == "Int64" for part in parts):
        return sum_all(pd.DataFrame({i: part for i, part in enumerate(parts)}),
                       list(range(len(parts))))
    total = np.sum([part.to_numpy(dtype="int64", na_value=0) for part in parts], axis=0)
    missing = np.any([part.isna().to_numpy() for part in parts], axis=0)
    return pd.Series(pd.arrays.IntegerArray(np.where(missing, 0, total), missing),
                     index=parts[0].index, copy=False)


def lookup(values: pd.Series, mapping: dict, default: object = np.nan) -> pd.Series:
    """``values.map(mapping)`` (NA and unknown -> ``default``) as a plain loop.

    For the small per-file columns parsers map (formats, flags): ``Series.map`` costs
    more in set-up than the lookups.
    """
    found = [mapping.get(v, default) if isinstance(v, str) else default
             for v in values.tolist()]
    return pd.Series(found, index=values.index, dtype="object")


def snapshot_at(raw: RawFile, default: pd.Timestamp | None = None) -> pd.Timestamp:
    """When ``raw`` was downloaded: a unix-ms stamp in the name, else file mtime, else now.

    LinkedIn names files ``<page>_content_<unix ms>.xls``; that stamp is the download time.
    """
    stamp = re.search(r"_(1[5-9]\d{11})(?:\D|$)", raw.name)
    if stamp:
        return pd.Timestamp(int(stamp.group(1)), unit="ms", tz="UTC")
    if default is not None:
        return default
    try:
        return pd.Timestamp(datetime.fromtimestamp(Path(raw.path).stat().st_mtime, tz=UTC))
    except OSError:
        return pd.Timestamp.now(tz="UTC").floor("s")


# --- workbooks ---------------------------------------------------------------------------

_WORKBOOK_CACHE: dict[str, object] = {"data": None, "sheets": None}


def is_xlsx(raw: RawFile) -> bool:
    """Return True when the ZIP container is an Office Open XML workbook."""
    return "xl/workbook.xml" in (raw.zip_names or ())


def read_workbook(raw: RawFile) -> dict[str, list[list[object]]]:
    """Every sheet of a BIFF8 ``.xls`` or an ``.xlsx`` as rows of cell values.

    Text stays text; numbers are floats; real date cells become ``datetime``. The last
    workbook read is cached because several sniffers look at the same file.

    Raises:
        InputFormatError: The bytes are not a readable workbook.

    """
    if _WORKBOOK_CACHE["data"] is raw.data:
        return _WORKBOOK_CACHE["sheets"]  # type: ignore[return-value]
    if raw.container == "ole":
        sheets = _read_xls(raw)
    elif is_xlsx(raw):
        sheets = _read_xlsx(raw)
    else:
        raise InputFormatError(
            f"not an Excel workbook ({raw.container} content)",
            file=raw.path,
            hint="download the export again as .xls/.xlsx, or as CSV",
        )
    _WORKBOOK_CACHE.update(data=raw.data, sheets=sheets)
    return sheets


def workbook_sheet_names(raw: RawFile) -> list[str]:
    """Sheet names of a workbook, or ``[]`` for anything else (never raises)."""
    if raw.container not in {"ole", "zip"}:
        return []
    try:
        return list(read_workbook(raw))
    except Exception:  # noqa: BLE001 - a sniffer helper must never raise
        return []


def _read_xls(raw: RawFile) -> dict[str, list[list[object]]]:
    import xlrd

    try:
        with open(os.devnull, "w") as quiet:  # xlrd prints its warnings to stdout
            book = xlrd.open_workbook(file_contents=raw.data, logfile=quiet)
    except Exception as exc:  # xlrd raises bare XLRDError/AssertionError/struct.error
        raise InputFormatError(
            f"the .xls cannot be read as an Excel workbook ({str(exc).splitlines()[0][:80]})",
            file=raw.path,
            hint="open it in Excel and check it; if it is damaged, download it again",
        ) from exc
    sheets = {}
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            # types and values row-wise: the same cells as sheet.row(r), without a Cell each
            types, values = sheet.row_types(r), sheet.row_values(r)
            row = list(values)
            for i, kind in enumerate(types):
                if kind == xlrd.XL_CELL_DATE:
                    row[i] = xlrd.xldate_as_datetime(values[i], book.datemode)
                elif kind in empty:
                    row[i] = None
            rows.append(row)
        sheets[sheet.name] = rows
    return sheets


def _read_xlsx(raw: RawFile) -> dict[str, list[list[object]]]:
    import openpyxl

    try:
        with warnings.catch_warnings():  # "no default style": workbooks from Ads Manager etc.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(raw.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputFormatError(
            f"the .xlsx cannot be read as an Excel workbook ({str(exc).splitlines()[0][:80]})",
            file=raw.path,
            hint="open it in Excel and check it; if it is damaged, download it again",
        ) from exc
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def rows_to_frame(rows: list[list[object]], header_index: int) -> tuple[list[str], pd.DataFrame]:
    """Build a frame of text cells from sheet rows, header at ``header_index``.

    Ragged rows are padded; fully empty rows dropped. Numbers stay numbers (object dtype).
    """
    header = [str(c).strip() if c is not None else "" for c in rows[header_index]]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[header_index + 1 :]]
    body = [r for r in body if any(c not in (None, "") for c in r)]
    names = _unique(header)
    frame = pd.DataFrame(body, columns=names, dtype="object")
    return header, frame


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return out


def _cell_text_one(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed strings; floats that are whole numbers lose their ``.0``."""
    # a list comprehension: Series.map costs more than the cells of a small sheet
    texts = [_cell_text_one(v) for v in values.tolist()]
    return pd.Series(pd.array(texts, dtype="string"), index=values.index, copy=False)


def constant_column(value: object, n: int, dtype: str) -> object:
    """A new array of ``n`` x ``value`` in ``dtype`` (see :func:`schema.constant`).

    A bare array: it lines up by position with any row labels (filtered frames too).
    """
    fast = schema.constant_array(value, n, dtype)
    return fast if fast is not None else schema.constant(value, n, dtype).array


def long_daily(dates: pd.Series, series: dict[str, pd.Series], *, platform: str,
               account: object, source_file: str, snapshot: pd.Timestamp) -> pd.DataFrame:
    """The canonical ``daily`` rows of several metric columns over one date column.

    Rows go metric after metric, as a concat of one (date, metric, value) frame per metric
    would stack them; built column by column in the canonical dtypes, because the concat,
    assign and casts cost several ms a file. ``series`` values are aligned with ``dates``.
    """
    metrics = list(series)
    if not metrics:
        return schema.empty_table("daily")
    values = [v.array if v.dtype == "Float64" else v.astype("Float64").array
              for v in series.values()]
    per = len(dates)
    n = per * len(metrics)
    # new arrays only (no Series to align): the frame owns them
    daily = pd.DataFrame({
        "platform": constant_column(platform, n, "string"),
        "account": constant_column(account, n, "string"),
        "date": np.tile(dates.to_numpy(dtype="datetime64[ns]"), len(metrics)),
        "metric": pd.array(np.repeat(np.array(metrics, dtype=object), per), dtype="string"),
        "value": type(values[0])._concat_same_type(values),
        "source_file": constant_column(source_file, n, "string"),
        "snapshot_at": constant_column(snapshot, n, "datetime64[ns, UTC]"),
    }, index=pd.RangeIndex(n), copy=False)
    return schema.conform(daily, "daily")

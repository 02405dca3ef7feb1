"""Reading raw export bytes: container magic, BOM-based encoding, delimiter sniffing.

Raw files are opened read-only and never written. See export-formats.md §0.1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype
from pandas.arrays import ArrowStringArray

from workbench.errors import InputFormatError

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

#: Leading bytes of binary containers we recognise, to name them in errors.
MAGIC = (
    (b"PK\x03\x04", "zip"),  # also .xlsx
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # BIFF8 .xls
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
)


@dataclass
class RawFile:
    """One raw export, read once into memory.

    Attributes:
        path: Where the file is.
        data: Its bytes, exactly as on disk.

    """

    path: Path
    data: bytes
    _encoding: str | None = field(default=None, repr=False)

    @classmethod
    def read(cls, path: str | Path) -> RawFile:
        """Read ``path`` (read-only) into a RawFile."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFormatError(
                f"cannot read the file ({exc.strerror})",
                file=path,
                hint="check the path and the file permissions",
            ) from exc
        return cls(path=path, data=data)

    @property
    def name(self) -> str:
        """The file name."""
        return self.path.name

    @cached_property
    def container(self) -> str:
        """``zip``, ``ole``, ``pdf``, ``png``, ``jpeg``, ``gif``, ``xml``, ``empty`` or ``text``."""
        if not self.data.strip():
            return "empty"
        for magic, name in MAGIC:
            if self.data.startswith(magic):
                return name
        head = self.data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
        if head.startswith(b"<?xml") or head.startswith(b"<Workbook"):
            return "xml"
        return "text"

    @cached_property
    def zip_names(self) -> tuple[str, ...] | None:
        """The member names of a ZIP container (read once), or None for anything else."""
        if self.container != "zip":
            return None
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                return tuple(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None

    @cached_property
    def encoding(self) -> str:
        """Text encoding from the BOM; else UTF-8 when it decodes, else cp1252."""
        for bom, encoding in BOMS:
            if self.data.startswith(bom):
                return encoding
        try:
            self.data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            return "cp1252"

    @cached_property
    def text(self) -> str:
        """The decoded text (BOM removed, newlines as in the file)."""
        try:
            text = self.data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"the text is not valid {self.encoding} (byte {exc.start})",
                file=self.path,
                hint="download the export again; do not re-save it from Excel",
            ) from exc
        return text.lstrip("\ufeff")

    @cached_property
    def lines(self) -> list[str]:
        """The text split into lines (without line endings)."""
        return self.text.splitlines()

    def first_lines(self, n: int = 12) -> list[str]:
        """Return the first ``n`` lines, cheaply (only the head of the file is decoded)."""
        if "lines" in self.__dict__:
            return self.lines[:n]
        size = 8192
        while size < len(self.data):
            decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
            lines = decoder.decode(self.data[:size]).lstrip("\ufeff").splitlines()
            if len(lines) > n:  # the n-th line is complete: another one starts after it
                return lines[:n]
            size *= 4
        return self.text.splitlines()[:n]

    def sniff_delimiter(self, sample_lines: list[str] | None = None) -> str:
        """Return ``,``, ``;`` or tab, honouring a leading ``sep=`` line."""
        lines = sample_lines if sample_lines is not None else self.first_lines(20)
        if lines and lines[0].lower().startswith("sep="):
            sep = lines[0][4:5]
            return sep or ","
        sample = "\n".join(lines)
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        return best if counts[best] > 0 else ","

    def read_csv(
        self, *, skiprows: int = 0, delimiter: str | None = None, dtype: object = str, **kwargs
    ) -> pd.DataFrame:
        """Parse the text with a real CSV parser, every cell as a string.

        ``dtype=object`` keeps cells as Python ``str`` (faster to parse than the Arrow-backed
        default string dtype when the caller converts the columns anyway).
        Duplicate headers are kept distinct by pandas (``Views``, ``Views.1``); callers that
        care should read the header with :meth:`header_row` first.

        Small, clean UTF-8 files are parsed with :mod:`csv` and the frame is built directly
        (:meth:`_read_csv_fast`): ``pd.read_csv`` has a fixed cost of about a millisecond per
        call, which dominates on the small files exports are. The result is the frame
        ``pd.read_csv`` gives (:meth:`_read_csv_pandas`); anything the fast path is not sure
        to read the same way goes to pandas.
        """
        delimiter = delimiter or self.sniff_delimiter()
        frame = self._read_csv_fast(skiprows=skiprows, delimiter=delimiter, dtype=dtype,
                                    **kwargs)
        if frame is None:
            return self._read_csv_pandas(skiprows=skiprows, delimiter=delimiter, dtype=dtype,
                                         **kwargs)
        if self.ends_mid_row(delimiter, skiprows):
            raise self._mid_row_error()
        return frame

    def _read_csv_pandas(
        self, *, skiprows: int = 0, delimiter: str | None = None, dtype: object = str, **kwargs
    ) -> pd.DataFrame:
        """:meth:`read_csv` through ``pd.read_csv`` (the reference the fast path matches)."""
        delimiter = delimiter or self.sniff_delimiter()
        if self.encoding in ("utf-8", "utf-8-sig"):
            # the C parser decodes UTF-8 itself, faster than going through a Python str
            source, kwargs = io.BytesIO(self.data), {"encoding": self.encoding, **kwargs}
        else:
            source = io.StringIO(self.text)
        try:
            frame = pd.read_csv(
                source,
                sep=delimiter,
                skiprows=skiprows,
                dtype=dtype,
                keep_default_na=False,
                na_values=[""],
                engine="c",
                **kwargs,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            if "EOF inside string" in str(exc):  # a quoted cell that never closes
                raise self._mid_row_error() from exc
            raise InputFormatError(
                f"the CSV cannot be parsed ({str(exc).splitlines()[0]})",
                file=self.path,
                hint="the file may be truncated or damaged; download it again",
            ) from exc
        if self.ends_mid_row(delimiter, skiprows):
            raise self._mid_row_error()
        return frame

    def _read_csv_fast(
        self, *, skiprows: int = 0, delimiter: str | None = None, dtype: object = str, **kwargs
    ) -> pd.DataFrame | None:
        """The frame :meth:`_read_csv_pandas` gives, built from :func:`csv.reader` rows.

        Returns None (the caller then uses pandas) for anything not proven to read the same:
        arguments other than ``usecols`` (positions) and ``header=None``, a ``skiprows``, a
        dtype other than ``object``/``str``/``"string"``, a file that is not UTF-8 or is
        larger than :data:`FAST_CSV_MAX_BYTES`, a NUL or a carriage return other than in
        CRLF line ends, a quote that is not a clean field quote, a carriage return inside a
        cell, rows of different lengths (pandas would fill, fail or take an index column),
        a single column (pandas skips whitespace-only lines), no data row, or a ``usecols``
        pandas would reject. The mid-row check is not run here (see :meth:`read_csv`).
        """
        header = kwargs.pop("header", "infer")
        usecols = kwargs.pop("usecols", None)
        if kwargs or skiprows != 0 or header not in ("infer", 0, None):
            return None
        if dtype is object or dtype is str:
            target = dtype
        elif isinstance(dtype, str) and dtype == "string":
            target = dtype
        else:
            return None
        delimiter = delimiter or self.sniff_delimiter()
        if delimiter not in _FAST_DELIMITERS or len(self.data) > FAST_CSV_MAX_BYTES:
            return None
        if self.encoding not in ("utf-8", "utf-8-sig"):
            return None
        text = self.data.decode(self.encoding)  # utf-8-sig drops one BOM, as pandas does
        if text.startswith("\ufeff") or "\x00" in text:
            return None
        has_cr = "\r" in text
        if has_cr and text.count("\r") != text.count("\r\n"):
            return None
        if '"' in text and _CLEAN_CSV[delimiter].fullmatch(text) is None:
            return None
        try:
            rows = [row for row in csv.reader(io.StringIO(text, newline=""),
                                              delimiter=delimiter, strict=True) if row]
        except csv.Error:
            return None
        if len(rows) < 2:
            return None
        width = len(rows[0])
        if width < 2 or any(len(row) != width for row in rows):
            return None
        if has_cr and any("\r" in cell for row in rows for cell in row):
            return None
        if header is None:
            names: list = list(range(width))
            body = rows
        else:
            names = _mangled_names(rows[0])
            body = rows[1:]
        positions = range(width)
        if usecols is not None:
            if not isinstance(usecols, list | tuple) or not usecols or not all(
                    type(p) is int and 0 <= p < width for p in usecols):
                return None
            if len(set(usecols)) != len(usecols):
                return None
            positions = sorted(usecols)
        if header is not None and len(set(names)) != len(names):
            return None
        cells = np.array(body, dtype=object)  # rows x width: every row has the header's width
        if usecols is not None:
            cells = cells[:, positions]
        kept = [names[pos] for pos in positions]
        if target is object:
            cells[cells == ""] = np.nan
            # dtype=object keeps pandas from inferring its string dtype for object arrays
            frame = pd.DataFrame(cells, index=pd.RangeIndex(len(body)), columns=pd.Index(kept),
                                 dtype=object, copy=False)
        else:
            frame = _string_frame(cells, kept, pandas_dtype(target))
        if header is None:  # pandas names them with an int64 Index, not a RangeIndex
            frame.columns = pd.Index(kept, dtype="int64")
        return frame

    def _mid_row_error(self) -> InputFormatError:
        return InputFormatError(
            "the file ends mid-row: download it again (it was cut off during the download "
            "or a copy, so its last rows are missing)", file=self.path)

    def ends_mid_row(self, delimiter: str | None = None, skiprows: int = 0) -> bool:
        """True when the text was cut off inside its last row.

        Signs: a quoted cell that never closes, or, when there is no final newline, a last
        row with fewer cells than both the header and the row before it (a file whose rows
        are all short, like a hand-written CSV without its last empty column, is not cut).
        Exports that simply end without a newline (TikTok, GA4) pass.
        """
        data = self.data
        if not data.strip():
            return False
        if self.encoding.startswith("utf-8"):
            quotes, tail_is_newline = data.count(b'"'), data.endswith((b"\n", b"\r"))
            text = None
        else:
            text = self.text
            quotes, tail_is_newline = text.count('"'), text.endswith(("\n", "\r"))
        if tail_is_newline:
            return False  # an unclosed quote with a final newline makes the parser fail
        text = self.text if text is None else text
        if quotes % 2:
            return True
        delimiter = delimiter or self.sniff_delimiter()
        last_start = _last_record_start(text)
        records = list(csv.reader(io.StringIO(text[last_start:], newline=""), delimiter=delimiter))
        if not records:
            return False
        last = len(records[-1])
        lines = self.first_lines(skiprows + 1)
        if skiprows >= len(lines):
            return False
        header = len(next(csv.reader([lines[skiprows]], delimiter=delimiter), []))
        if last >= header or last_start == 0:
            return False
        previous = _previous_record(text, last_start, delimiter)
        return previous is not None and previous > last and previous >= header

    def header_row(self, line_index: int = 0, delimiter: str | None = None) -> list[str]:
        """Parse one line as CSV and return its cells stripped of whitespace."""
        lines = self.first_lines(line_index + 1)
        if line_index >= len(lines):
            return []
        delimiter = delimiter or self.sniff_delimiter()
        row = next(csv.reader([lines[line_index]], delimiter=delimiter), [])
        return [cell.strip() for cell in row]


#: Files larger than this go to ``pd.read_csv`` (its fixed cost no longer dominates).
FAST_CSV_MAX_BYTES = 1 << 20

_FAST_DELIMITERS = (",", ";", "\t")

#: A text whose every quote is a clean field quote: a field is either quoted (inner quotes
#: doubled, closed right before a delimiter or line end) or free of quotes.
_CLEAN_CSV = {
    d: re.compile(
        rf'(?:(?:"[^"]*(?:""[^"]*)*"|[^"{d}\r\n]*)(?:{d}(?:"[^"]*(?:""[^"]*)*"|[^"{d}\r\n]*))*'
        rf"(?:\r\n|\n|\Z))*"
    )
    for d in _FAST_DELIMITERS
}


def _string_frame(cells: np.ndarray, names: list, dtype: pd.StringDtype) -> pd.DataFrame:
    """A frame of ``dtype`` columns from an object array of cells (``""`` is missing)."""
    n = cells.shape[0]
    if dtype.storage != "pyarrow":
        cells[cells == ""] = np.nan
        return pd.DataFrame({name: pd.array(cells[:, j], dtype=dtype)
                             for j, name in enumerate(names)},
                            index=pd.RangeIndex(n), copy=False)
    # one Arrow conversion for all columns (column-major), then zero-copy slices: the
    # per-column conversions were most of the cost on small files
    flat = cells.T.ravel()
    whole = pa.array(flat, type=pa.large_string(), mask=flat == "")
    return pd.DataFrame(
        {name: ArrowStringArray(pa.chunked_array([whole.slice(j * n, n)]), dtype=dtype)
         for j, name in enumerate(names)},
        index=pd.RangeIndex(n), copy=False)


def _mangled_names(header: list[str]) -> list[str]:
    """Column names as pandas' C parser gives them for the header cells ``header``.

    Empty cells become ``Unnamed: <position>``; repeated names get ``.1``, ``.2`` … with named
    columns numbered before unnamed ones (pandas ``parsers.pyx`` ``_get_header``).
    """
    names = list(header)
    unnamed = [i for i, name in enumerate(names) if name == ""]
    for i in unnamed:
        names[i] = f"Unnamed: {i}"
    unnamed_set = set(unnamed)
    counts: dict[str, int] = {}
    for i in [i for i in range(len(names)) if i not in unnamed_set] + unnamed:
        col = old = names[i]
        count = counts.get(col, 0)
        while count > 0:
            counts[old] = count + 1
            col = f"{old}.{count}"
            count = count + 1 if col in names else counts.get(col, 0)
        names[i] = col
        counts[col] = count + 1
    return names


def _last_record_start(text: str) -> int:
    """Index where the last CSV record starts: after the last newline outside quotes."""
    end = len(text.rstrip("\r\n"))
    pos = end
    while True:
        newline = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos))
        if newline < 0:
            return 0
        if text.count('"', 0, newline) % 2 == 0:
            return newline + 1
        pos = newline


def _previous_record(text: str, last_start: int, delimiter: str) -> int | None:
    """Cell count of the record before the one starting at ``last_start``."""
    body = text[:last_start].rstrip("\r\n")
    if not body:
        return None
    start = _last_record_start(body)
    rows = list(csv.reader(io.StringIO(body[start:], newline=""), delimiter=delimiter))
    return len(rows[-1]) if rows else None

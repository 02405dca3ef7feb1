"""Reading raw export bytes: container magic, BOM-based encoding, delimiter sniffing.

Raw files are opened read-only and never written. See export-formats.md §0.1.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

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
        """
        delimiter = delimiter or self.sniff_delimiter()
        if self.encoding in ("utf-8", "utf-8-sig"):
            # the C parser decodes UTF-8 itself, faster than going through a Python str
            source, kwargs = io.BytesIO(self.data), {"encoding": self.encoding, **kwargs}
        else:
            source = io.StringIO(self.text)
        try:
            return pd.read_csv(
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
            raise InputFormatError(
                f"the CSV cannot be parsed ({str(exc).splitlines()[0]})",
                file=self.path,
                hint="the file may be truncated or damaged; download it again",
            ) from exc

    def header_row(self, line_index: int = 0, delimiter: str | None = None) -> list[str]:
        """Parse one line as CSV and return its cells stripped of whitespace."""
        lines = self.first_lines(line_index + 1)
        if line_index >= len(lines):
            return []
        delimiter = delimiter or self.sniff_delimiter()
        row = next(csv.reader([lines[line_index]], delimiter=delimiter), [])
        return [cell.strip() for cell in row]

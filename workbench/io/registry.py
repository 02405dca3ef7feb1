"""Export kinds and content-based detection.

Each parser module defines one or more :class:`ExportKind` objects and registers them with
:func:`register`. :func:`detect` asks every kind, most specific first, whether it recognises
a file from its *content* (never from its name alone) and returns the one that does.
"""

from __future__ import annotations

import csv
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from workbench.errors import InputFormatError, NotAnExportError
from workbench.io.rawfile import RawFile

#: Parser modules imported (and so registered) by :func:`load_parsers`.
PARSER_MODULES = [
    "workbench.io.meta",
    "workbench.io.manual",
    "workbench.io.linkedin",
    "workbench.io.tiktok",
    "workbench.io.ga4",
    "workbench.io.google_ads",
    "workbench.io.legacy_facebook",
    "workbench.io.column_map",
]


@dataclass
class ParseContext:
    """What a parser may need besides the file.

    Attributes:
        tz: The organisation's IANA time zone (``params/org.yaml`` ``timezone``); the ingest
            always passes it. UTC only for a parser called on its own.
        params: The merged run parameters (org profile included).
    """

    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedExport:
    """The result of parsing one raw export.

    Attributes:
        path: The file read.
        kind: The export kind's ``name``.
        tables: Canonical table name (posts, daily, web, ads, manual) → conformed frame.
        account: The account (page, username, property) the file holds, if any.
        date_min: First date covered (publish date or series date), if any.
        date_max: Last date covered, if any.
        snapshot_at: When the export was downloaded (UTC).
        unknown_columns: Headers we do not map; kept out of the tables, listed in the log.
        warnings: Non-fatal problems, one line each.
        notes: Facts worth logging (e.g. how a year-less date was resolved).
    """

    path: Path
    kind: str
    tables: dict[str, pd.DataFrame]
    account: str | None = None
    date_min: pd.Timestamp | None = None
    date_max: pd.Timestamp | None = None
    snapshot_at: pd.Timestamp | None = None
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Total rows over all tables."""
        return sum(len(t) for t in self.tables.values())


@dataclass
class ExportKind:
    """A kind of export the workbench can read.

    Attributes:
        name: Stable identifier, e.g. ``meta_facebook_posts``; written to ingest_log.json.
        label: Human name, e.g. "Meta Business Suite Facebook posts export".
        sniff: ``RawFile -> bool``; must not raise for any bytes.
        parse: ``(RawFile, ParseContext) -> ParsedExport``; raises InputFormatError.
        priority: Higher is asked first (more specific kinds first).
    """

    name: str
    label: str
    sniff: Callable[[RawFile], bool]
    parse: Callable[[RawFile, ParseContext], ParsedExport]
    priority: int = 0


_KINDS: dict[str, ExportKind] = {}
_loaded = False


def register(kind: ExportKind) -> ExportKind:
    """Add ``kind`` to the registry (idempotent by name) and return it."""
    _KINDS[kind.name] = kind
    return kind


def load_parsers() -> None:
    """Import every parser module so its kinds are registered."""
    global _loaded
    if _loaded:
        return
    for module in PARSER_MODULES:
        importlib.import_module(module)
    _loaded = True


def kinds() -> list[ExportKind]:
    """All registered kinds, most specific first."""
    load_parsers()
    return sorted(_KINDS.values(), key=lambda k: -k.priority)


def detect(raw: RawFile) -> ExportKind:
    """Return the kind of ``raw`` from its content.

    Raises:
        InputFormatError: The file is empty (a failed download: it may have been an export).
        NotAnExportError: Anything that is not an export we read (a PDF, an image, an Ads
            Manager report, an unknown table); the message says what the file seems to be.
    """
    container = raw.container
    if container == "empty":
        raise InputFormatError("the file is empty", file=raw.path,
                               hint="download the export again, or delete the file")
    if container in {"pdf", "png", "jpeg", "gif"} or (
            container == "text" and looks_binary(raw.data)):
        raise NotAnExportError(describe_foreign(raw), file=raw.path)
    for kind in kinds():
        try:
            if kind.sniff(raw):
                return kind
        except InputFormatError:
            raise
        except Exception:  # a sniffer must never crash detection  # noqa: BLE001
            continue
    raise NotAnExportError(describe_foreign(raw), file=raw.path)


# --- what a foreign file seems to be, in the analyst's words -------------------------------

_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))
#: Leading bytes of media files people drop beside exports (offset, magic, what it is).
_MEDIA = (
    (4, b"ftypheic", "an image (HEIC, from an iPhone)"),
    (4, b"ftypheix", "an image (HEIC, from an iPhone)"),
    (4, b"ftypmif1", "an image (HEIF)"),
    (4, b"ftyp", "a video (MP4 or MOV)"),
    (8, b"WEBP", "an image (WebP)"),
    (8, b"AVI ", "a video (AVI)"),
    (0, b"ID3", "an audio file (MP3)"),
    (0, b"OggS", "an audio or video file (Ogg)"),
    (0, b"\x1aE\xdf\xa3", "a video (WebM or MKV)"),
    (0, b"7z\xbc\xaf", "a 7-Zip archive"),
    (0, b"Rar!", "a RAR archive"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text file at all (media, archives, program files).

    NUL bytes or many control characters in the first kilobyte, unless the NULs fall every
    other byte as in UTF-16 text without a byte-order mark.
    """
    head = data[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or not head:
        return False
    nuls = head.count(0)
    if nuls:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        utf16 = max(odd, even) >= 0.4 * (len(head) // 2) and min(odd, even) <= 2
        return not utf16
    controls = sum(head.count(bytes([b])) for b in _CONTROL)
    return controls > len(head) // 20

#: Date column names of Meta chart downloads in the interface languages seen.
_CHART_DATE_NAMES = {"date", "data", "fecha", "datum", "date (utc)", "tarih", "日期"}
_IMAGES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF"}


def describe_foreign(raw: RawFile) -> str:
    """Say what a file that no parser claims seems to be, in plain words (never raises).

    The phrase starts "not a known export: ..." for tables and workbooks so a reader sees at
    once that the file was looked at and set aside, e.g. "not a known export: a Meta Ads
    Manager report (ad spend and results); only organic-content exports are read".
    """
    if raw.container == "pdf":
        return "a PDF document, not an analytics export"
    if raw.container in _IMAGES:
        return (f"an image ({_IMAGES[raw.container]}), not an analytics export; images for "
                "labels go in data/raw/media/")
    try:
        what = _seems(raw)
    except Exception:  # noqa: BLE001 - a description must never crash detection
        what = "a file whose content we do not recognise"
    return f"not a known export: {what}"


def _seems(raw: RawFile) -> str:
    container = raw.container
    for offset, magic, what in _MEDIA:
        if raw.data[offset:offset + len(magic)] == magic:
            return f"{what}, not an analytics export"
    if container == "zip":
        return _seems_zip(raw)
    if container == "ole":
        return _seems_workbook(raw, "an old-format Office file (Word, PowerPoint or Excel "
                                    "97-2003) that is not an export we read")
    if container == "text" and looks_binary(raw.data):
        return "a binary file of a kind we do not recognise (not a table)"
    head = raw.data[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<meta", b"<head")) or (
            b"<table" in head or b"<html" in head):
        return "a web page saved from a browser (perhaps a table copied from a screen)"
    if container == "xml":
        return "an XML document (perhaps an Excel XML spreadsheet) that is not an export we read"
    return _seems_text(raw)


def _seems_zip(raw: RawFile) -> str:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "a damaged ZIP archive or Office document that cannot be opened"
    if "xl/workbook.xml" in names:
        return _seems_workbook(raw, "an Excel workbook that is not an export we read")
    if "word/document.xml" in names:
        return "a Word document, not an analytics export"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation, not an analytics export"
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (LibreOffice), not an export we read"
    members = [n for n in names if not n.endswith("/") and not is_mac_junk(n)]
    shown = ", ".join(repr(PurePosixPath(n).name) for n in members[:3])
    more = ", ..." if len(members) > 3 else ""
    return f"a ZIP archive holding no export we read ({len(members)} files: {shown}{more})"


def is_mac_junk(name: str) -> bool:
    """True for macOS resource forks (`._*`, `__MACOSX/`) and `.DS_Store` entries."""
    parts = PurePosixPath(name).parts
    return (any(part == "__MACOSX" for part in parts)
            or PurePosixPath(name).name.startswith("._")
            or PurePosixPath(name).name == ".DS_Store")


def _seems_workbook(raw: RawFile, fallback: str) -> str:
    from workbench.io._tabular import read_workbook

    try:
        sheets = read_workbook(raw)
    except Exception:  # noqa: BLE001 - not a readable workbook
        return fallback
    names = list(sheets)
    if any(n.strip().lower() in {"competitors", "competitor analytics"} for n in names):
        return ("a LinkedIn competitor analytics report (other pages' figures), not your "
                "page's export")
    header: list[str] = []
    for rows in sheets.values():
        for row in rows[:15]:
            cells = [str(c).strip() for c in row if c not in (None, "")]
            if len(cells) >= 2:
                header = cells
                break
        if header:
            break
    special = _foreign_table(header, workbook=True)
    if special:
        return special
    shown = ", ".join(repr(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
    cols = _columns(header)
    return (f"an Excel workbook (sheets {shown}{cols}) that is not a LinkedIn export or "
            "any other export we read")


def _columns(header: list[str]) -> str:
    if not header:
        return ""
    shown = ", ".join(repr(c[:40]) for c in header[:3]) + (", ..." if len(header) > 3 else "")
    return f"; columns {shown}"


#: Column names of YouTube Studio exports in the interface languages seen.
_YOUTUBE = {"video title", "título do vídeo", "título del video", "titre de la vidéo",
            "titolo del video"}
#: Columns that only GA4 report downloads have.
_GA4 = {"total users", "active users", "event count", "sessions", "new users", "views per user"}


def _foreign_table(header: list[str], *, workbook: bool = False) -> str | None:
    """Name a known foreign table from its header cells, else None."""
    low = {h.strip().lower() for h in header}
    if "reporting starts" in low or any(h.startswith("amount spent (") for h in low):
        return ("a Meta Ads Manager report (ad spend and results); only organic-content "
                "exports are read")
    google_ads = bool(low & {"campaign", "ad group", "ad state", "ad status", "keyword",
                             "search term", "row type"})
    performance = bool(low & {"impr.", "impressions", "clicks", "cost"})
    if google_ads and {"row type", "action"} <= low or (
            "campaign type" in low and "networks" in low and not performance):
        return "a Google Ads Editor export (campaign settings), not a performance report"
    if google_ads and performance:
        return "a Google Ads report in a layout or language we do not read"
    if {"clicks", "impressions"} <= low and low & {"ctr", "avg. ctr", "position"} or (
            header and header[0].lower() in {"top queries", "top pages"}):
        return ("a search-engine performance download (Google Search Console or Bing "
                "Webmaster Tools), not an export we read")
    if "search interest" in low:
        return "a Google Trends download, not an export we read"
    if low & _YOUTUBE:
        return "a YouTube Studio export; YouTube is not a platform the workbench reads"
    if workbook and header and header[0].lower() in _CHART_DATE_NAMES and (
            len(header) == 2 or "primary" in low):
        return ("a Meta chart download re-saved as an Excel workbook; we read the CSV "
                "exactly as downloaded, so download it again")
    if workbook and low & _GA4:
        return ("a GA4 report re-saved as an Excel workbook; we read the CSV exactly as "
                "downloaded, so download it again")
    if workbook and "post id" in low and ("publish time" in low or "permalink" in low):
        return ("a Meta posts export re-saved as an Excel workbook; we read the CSV exactly "
                "as downloaded, so download it again")
    if ("campaign" in low or "ad group" in low) and low & {"ad status", "ad type",
                                                             "headline 1"}:
        return ("a Google Ads table of ads and their settings, not a performance report "
                "(it has no report title and date-range lines)")
    return None


def _seems_text(raw: RawFile) -> str:
    try:
        lines = [line for line in raw.first_lines(12) if line.strip()]
    except Exception:  # noqa: BLE001
        lines = []
    if not lines:
        return "a file whose content we do not recognise"
    text_head = "\n".join(lines)
    if "\x00" in text_head or sum(not ch.isprintable() and ch not in "\t" for ch in
                                  text_head) > len(text_head) // 10:
        return "a binary file of a kind we do not recognise"
    if lines[0].lstrip().startswith(("{", "[")) and not lines[0].lstrip().startswith("[\""):
        return "a JSON data file, not an export we read"
    title = None
    had_sep = lines[0].lower().startswith("sep=")
    if had_sep:
        delimiter = lines[0][4:5] or ","
        lines = lines[1:]
    else:
        delimiter = raw.sniff_delimiter(lines)
    rows = [[c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])]
            for line in lines[:6]]
    header = next((row for row in rows if len([c for c in row if c]) >= 2), [])
    special = _foreign_table(header)
    if special:
        return special
    # a Meta chart download: "sep=" or a title line, then "Date","<value column>"
    for i, row in enumerate(rows[:3]):
        if 2 <= len(row) <= 4 and row[0].lower() in _CHART_DATE_NAMES:
            if i > 0 and len(rows[i - 1]) == 1:
                title = rows[i - 1][0]
            if not (title or had_sep or row[1].lower() == "primary"):
                break  # a plain two-column table with a date: nothing says Meta
            named = f"title {title!r} and column {row[1]!r}" if title else f"column {row[1]!r}"
            return f"a Meta chart download whose {named} we do not know"
    if not header:
        first = lines[0].strip()
        first = first if len(first) <= 60 else first[:57] + "..."
        return f"a text file, not a table (it starts {first!r})"
    shown = ", ".join(repr(c[:40]) for c in header[:3]) + (", ..." if len(header) > 3 else "")
    return f"a table with columns {shown} that is not an export we read"


def snapshot_from_file(path: str | Path) -> pd.Timestamp:
    """When the export was downloaded: the file's modification time, in UTC.

    Browsers set the mtime at download; copying with ``cp -p``/unzipping keeps it. Parsers
    that find a better signal in the content (e.g. a download date) use that instead.
    """
    mtime = Path(path).stat().st_mtime
    return pd.Timestamp(datetime.fromtimestamp(mtime, tz=UTC))

"""Export kinds and content-based detection.

Each parser module defines one or more :class:`ExportKind` objects and registers them with
:func:`register`. :func:`detect` asks every kind, most specific first, whether it recognises
a file from its *content* (never from its name alone) and returns the one that does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputFormatError
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
        InputFormatError: Empty file, a non-export (PDF, image), or unrecognised content.
    """
    container = raw.container
    if container == "empty":
        raise InputFormatError("the file is empty", file=raw.path, hint="download the export again")
    if container in {"pdf", "png", "jpeg", "gif"}:
        raise InputFormatError(
            f"this is a {container.upper()} file, not an analytics export",
            file=raw.path,
            hint="move it out of the raw folder (images for labels go in data/raw/media/)",
        )
    for kind in kinds():
        try:
            if kind.sniff(raw):
                return kind
        except InputFormatError:
            raise
        except Exception:  # a sniffer must never crash detection  # noqa: BLE001
            continue
    seen = _describe_head(raw)
    raise InputFormatError(
        f"not a known export ({seen})",
        file=raw.path,
        hint="run `workbench check` on it, or map its columns with a column-map file in params/",
    )


def _describe_head(raw: RawFile) -> str:
    if raw.container != "text":
        return f"{raw.container} container"
    try:
        first = next((line for line in raw.lines if line.strip()), "")
    except InputFormatError:
        return "undecodable text"
    first = first.strip()
    if len(first) > 80:
        first = first[:77] + "..."
    return f"first line: {first!r}"


def snapshot_from_file(path: str | Path) -> pd.Timestamp:
    """When the export was downloaded: the file's modification time, in UTC.

    Browsers set the mtime at download; copying with ``cp -p``/unzipping keeps it. Parsers
    that find a better signal in the content (e.g. a download date) use that instead.
    """
    mtime = Path(path).stat().st_mtime
    return pd.Timestamp(datetime.fromtimestamp(mtime, tz=UTC))

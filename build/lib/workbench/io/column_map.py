"""Generic "map your columns" reader for posts CSVs without a parser (Later, Buffer, …).

A map is a YAML file under ``params/column_maps/`` (see ``later_example.yaml``): ``name``,
``platform``, ``match`` (headers that must *all* be in the header row — detection is by
content), ``columns`` (source header → canonical posts column), ``date_format``,
``timezone``, optional ``account``, ``exposure_kind``, ``interactions``.

Where the maps come from: the sniffer gets only the file, so it loads the maps lazily from
the default directory (``<project root>/params/column_maps``, re-read when a file there
changes). At parse time ``ParseContext.params["column_maps_dir"]`` overrides that
directory; a file only a non-default map matches is therefore detected only by callers
that parse it with that context (e.g. ``column_map.parse`` directly or ``find_map``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workbench import schema
from workbench.config import DEFAULT_PARAMS_DIR, read_yaml
from workbench.errors import ConfigError, InputFormatError
from workbench.io._tabular import hashtags, norm, snapshot_at, sum_all, to_count
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

DEFAULT_DIR = DEFAULT_PARAMS_DIR / "column_maps"

#: statistics.md §1.2 interaction components per platform (canonical column names).
DEFAULT_INTERACTIONS = {
    "facebook": ["reactions", "comments", "shares"],
    "instagram": ["reactions", "comments", "shares", "saves"],
    "linkedin": ["reactions", "comments", "shares"],
    "tiktok": ["reactions", "comments", "shares"],
}
FORMAT_WORDS = {
    "image": "photo", "photo": "photo", "picture": "photo", "video": "video", "reel": "reel",
    "reels": "reel", "carousel": "carousel", "album": "carousel", "link": "link",
    "text": "text", "status": "text", "live": "live", "story": "other",
}
_TEXT_COLUMNS = {"platform", "account", "post_id", "permalink", "caption", "format",
                 "account_id"}
_MAPPABLE = (set(schema.POST_COUNT_COLUMNS) | _TEXT_COLUMNS | {"published_at"}) - {
    "interactions"}


@dataclass
class ColumnMap:
    """One validated column map."""

    name: str
    path: Path
    platform: str
    match: list[str]
    columns: dict[str, str]
    date_format: str | None
    timezone: str
    account: str | None = None
    exposure_kind: str | None = None
    interactions: list[str] = field(default_factory=list)
    label: str = ""

    def matches(self, headers: list[str]) -> bool:
        """Return True when every ``match`` header is in ``headers`` (case-insensitive)."""
        present = {norm(h) for h in headers}
        return all(norm(h) in present for h in self.match)


def _validate(path: Path, data: dict) -> ColumnMap:
    def fail(message: str, key: str) -> ConfigError:
        return ConfigError(message, file=path, column=key,
                           hint="compare with params/column_maps/later_example.yaml")

    platform = str(data.get("platform", ""))
    if platform not in schema.PLATFORMS:
        raise fail(f"platform must be one of {', '.join(schema.PLATFORMS)}", "platform")
    match = data.get("match")
    if not isinstance(match, list) or not match:
        raise fail("match must be a non-empty list of header names", "match")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("columns must map source headers to canonical columns", "columns")
    bad = sorted(str(t) for t in columns.values() if t not in _MAPPABLE)
    if bad:
        raise fail(f"unknown canonical column(s): {', '.join(bad)}", "columns")
    for needed in ("post_id", "published_at"):
        if needed not in columns.values():
            raise fail(f"no source column maps to '{needed}'", "columns")
    timezone = str(data.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown time zone {timezone!r}", "timezone") from None
    exposure = data.get("exposure_kind")
    if exposure is not None and exposure not in schema.EXPOSURE_KINDS:
        raise fail(f"exposure_kind must be one of {', '.join(schema.EXPOSURE_KINDS)}",
                   "exposure_kind")
    interactions = data.get("interactions") or DEFAULT_INTERACTIONS[platform]
    return ColumnMap(
        name=str(data.get("name") or path.stem), path=path, platform=platform,
        match=[str(m) for m in match], columns={str(k): str(v) for k, v in columns.items()},
        date_format=data.get("date_format"), timezone=timezone,
        account=data.get("account"), exposure_kind=exposure,
        interactions=[str(i) for i in interactions], label=str(data.get("label", "")),
    )


_CACHE: dict[Path, tuple[tuple, list[ColumnMap]]] = {}


def load_maps(directory: str | Path | None = None) -> list[ColumnMap]:
    """All maps in ``directory`` (default ``params/column_maps``), cached until files change.

    Raises:
        ConfigError: A map file is not valid YAML or misses a required key.
    """
    directory = Path(directory) if directory else DEFAULT_DIR
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
    cached = _CACHE.get(directory)
    if cached and cached[0] == stamp:
        return cached[1]
    maps = [_validate(f, read_yaml(f)) for f in files]
    _CACHE[directory] = (stamp, maps)
    return maps


def _headers(raw: RawFile) -> list[str]:
    return raw.header_row(0) if raw.lines else []


def find_map(raw: RawFile, directory: str | Path | None = None) -> ColumnMap | None:
    """The first map (by file name) whose ``match`` headers are all in ``raw``'s header."""
    headers = _headers(raw)
    return next((m for m in load_maps(directory) if m.matches(headers)), None)


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Read a posts CSV with the column map that matches its header row."""
    directory = ctx.params.get("column_maps_dir") or DEFAULT_DIR
    mapping = find_map(raw, directory)
    if mapping is None:
        raise InputFormatError(
            f"no column map in {directory} matches the headers "
            f"({', '.join(_headers(raw)[:12])})",
            file=raw.path, row=1,
            hint="copy params/column_maps/later_example.yaml and set `match` and `columns` "
                 "to this file's headers")
    frame = raw.read_csv()
    by_norm = {norm(c): c for c in frame.columns}
    data: dict[str, pd.Series] = {}
    for source, target in mapping.columns.items():
        column = by_norm.get(norm(source))
        if column is not None and target not in data:
            data[target] = frame[column]
    posts = pd.DataFrame(index=frame.index)
    for target, values in data.items():
        if target in schema.POST_COUNT_COLUMNS:
            posts[target] = to_count(values)
        elif target != "published_at":
            posts[target] = values.astype("string").str.strip()
    published = _published(data["published_at"], mapping, raw)
    posts = posts.assign(
        platform=mapping.platform,
        published_at=published,
        published_at_utc=published,
        snapshot_at=snapshot_at(raw),
        source_file=str(raw.path),
    )
    if "account" not in posts and mapping.account:
        posts["account"] = mapping.account
    if "format" in posts:
        posts["format"] = posts["format"].str.lower().map(FORMAT_WORDS).fillna("other")
    if "caption" in posts:
        posts["hashtags"] = hashtags(posts["caption"])
    if mapping.exposure_kind:
        posts["exposure_kind"] = mapping.exposure_kind
    parts = [c for c in mapping.interactions if c in posts]
    if parts and len(parts) == len(mapping.interactions):
        posts["interactions"] = sum_all(posts, parts)
    notes = [f"read with column map '{mapping.name}' ({mapping.path})",
             f"times read as {mapping.timezone}"]
    if len(parts) != len(mapping.interactions):
        notes.append("interactions not computed: the map lacks "
                     + ", ".join(c for c in mapping.interactions if c not in posts))
    posts = schema.conform_posts(posts, ctx.tz)
    stamps = posts["published_at_utc"].dropna()
    unmapped = [c for c in frame.columns if norm(c) not in {norm(s) for s in mapping.columns}]
    return ParsedExport(
        path=raw.path, kind=f"column_map:{mapping.name}", tables={"posts": posts},
        account=mapping.account, date_min=stamps.min() if len(stamps) else None,
        date_max=stamps.max() if len(stamps) else None, snapshot_at=posts["snapshot_at"].max()
        if len(posts) else None, unknown_columns=unmapped, notes=notes,
    )


def _published(values: pd.Series, mapping: ColumnMap, raw: RawFile) -> pd.Series:
    text = values.astype("string").str.strip()
    stamps = pd.to_datetime(text, format=mapping.date_format, errors="coerce")
    bad = stamps.isna() & text.notna()
    if bad.any():
        at = int(bad.to_numpy().argmax())
        source = next(s for s, t in mapping.columns.items() if t == "published_at")
        raise InputFormatError(
            f"{text.iloc[at]!r} does not match date_format {mapping.date_format!r}",
            file=raw.path, row=at + 2, column=source,
            hint=f"fix date_format in {mapping.path.name}")
    if stamps.dt.tz is None:
        stamps = stamps.dt.tz_localize(mapping.timezone, ambiguous="NaT",
                                       nonexistent="shift_forward")
    return stamps.dt.tz_convert("UTC")


def sniff(raw: RawFile) -> bool:
    """A text file whose header row a map in the default directory matches (never raises)."""
    if raw.container != "text":
        return False
    try:
        return find_map(raw) is not None
    except (ConfigError, InputFormatError, OSError, csv.Error, io.UnsupportedOperation):
        return False


register(ExportKind("column_map", "Posts CSV read through a column map", sniff, parse,
                    priority=5))

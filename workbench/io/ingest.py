"""``workbench ingest``: every export under RAW_DIR -> canonical Parquet tables + a log.

A folder is read as a whole. A file that is not an export we read (a PDF, an Ads Manager
report, a table copied from a screen: :class:`NotAnExportError`) is skipped with one warning
line and listed under ``skipped`` in ``ingest_log.json`` (fatal with ``strict``). A recognised
export that is damaged stops the ingest: a :class:`MultipleErrors` lists one line per bad
file and PROCESSED_DIR is left exactly as it was. RAW_DIR is only ever read. A ``.zip`` that
no parser claims (an analyst's zip of a folder of exports) is read like that folder, within
:data:`ZIP_MAX_MEMBERS` files and :data:`ZIP_MAX_BYTES` unpacked.

Dedupe rules (statistics.md §9.4, DESIGN.md):

* posts by (platform, post_id): the newest snapshot wins (metrics are lifetime to date); ties
  broken by the range end in the Meta file name, then by path;
* daily by (platform, account, metric, date): newest snapshot wins, same tie-breaks;
* manual by (month, platform, kpi): the later file (newest snapshot, then path) wins, with a
  warning when the files disagree on the value;
* ads by level, campaign, item and period: the newest download wins
  (:func:`workbench.io.google_ads.dedupe_ads`);
* audience by (platform, account, breakdown, segment, snapshot, period): every snapshot is
  kept (the composition's history), a repeated one once;
* web is concatenated as parsed;
* post_snapshots keeps every download of every post (one row per post and snapshot time).
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import json
import multiprocessing as mp
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from workbench.config import org_timezone
from workbench.errors import InputFormatError, MultipleErrors, NotAnExportError, WorkbenchError
from workbench.io.atomic import write_json_atomic, write_parquet_atomic
from workbench.io.google_ads import dedupe_ads
from workbench.io.meta import range_from_file_name
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport, detect, is_mac_junk
from workbench.schema import TABLE_DTYPES, conform, conform_posts, empty_table

#: Tables the parsers fill.
TABLES = ("posts", "daily", "web", "ads", "manual", "audience")
#: Tables ingest writes: the parsed ones plus every download of every post.
WRITTEN_TABLES = (*TABLES, "post_snapshots")
LOG_NAME = "ingest_log.json"
IGNORE_FILE = ".workbenchignore"
SKIPPED_DIRS = {"media", "__macosx"}
#: A zip of exports may hold at most this many files and unpack to at most this many bytes.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_BYTES = 512 * 1024 * 1024
#: Zips inside zips are unpacked this many levels deep (a zip quine stops here).
ZIP_MAX_DEPTH = 3
SKIPPED_SUFFIXES = {".md", ".txt"}
SKIPPED_NAMES = {"truth.json", "thumbs.db", "desktop.ini"}
DEDUPE_KEYS = {
    "posts": ["platform", "post_id"],
    "daily": ["platform", "account", "metric", "date"],
    "manual": ["month", "platform", "kpi"],
    # the same snapshot downloaded twice (or copied into two folders) counts once
    "audience": ["platform", "account", "breakdown", "segment", "snapshot_at", "period_start",
                 "period_end"],
}


@dataclass
class IngestResult:
    """What :func:`ingest` wrote.

    Attributes:
        raw_dir: The folder read.
        out_dir: The folder written.
        log: The content of ``ingest_log.json``.
        tables: The canonical tables as written.

    """

    raw_dir: Path
    out_dir: Path
    log: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> str:
        """Return a short human summary: files, rows per table, duplicates, warnings."""
        files = self.log["files"]
        rows = ", ".join(f"{name} {len(self.tables[name])}" for name in TABLES)
        skipped = self.log.get("skipped", [])
        lines = [f"Ingested {len(files)} files from {self.raw_dir} into {self.out_dir} "
                 f"({rows} rows)" + (f"; skipped {len(skipped)} that are not exports we read."
                                     if skipped else ".")]
        for entry in skipped:
            lines.append(f"  skipped: {entry['file']}: {entry['reason']}")
        for name, counts in self.log["dedupe"].items():
            if counts["dropped"]:
                lines.append(f"  {name}: {counts['dropped']} duplicate rows from overlapping "
                             f"downloads dropped (newest kept)")
        for change in self.log["metric_definition_changes"]:
            lines.append(f"  note: {change['platform']} {change['metric']} is present in "
                         f"{len(change['files_with'])} files and absent in "
                         f"{len(change['files_without'])}: do not pool across the change")
        for entry in files:
            for warning in entry["warnings"]:
                lines.append(f"  warning: {entry['path']}: {warning}")
        for warning in self.log["warnings"]:
            lines.append(f"  warning: {warning}")
        return "\n".join(lines)


def _ignore_patterns(raw_dir: Path) -> list[str]:
    path = raw_dir / IGNORE_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _ignored(rel: PurePosixPath, patterns: list[str]) -> bool:
    text = rel.as_posix()
    for pattern in patterns:
        stem = pattern.rstrip("/")
        if fnmatch.fnmatch(text, stem) or fnmatch.fnmatch(text, stem + "/*"):
            return True
        # a pattern without a slash matches any file or folder name at any depth
        if "/" not in stem and any(fnmatch.fnmatch(part, stem) for part in rel.parts):
            return True
    return False


def discover_files(raw_dir: str | Path) -> list[Path]:
    """List the export files under ``raw_dir``, sorted, skipping what is not an export.

    Skipped: hidden files and folders (macOS ``._*`` files too), ``media/`` and macOS
    ``__MACOSX/`` folders, notes
    (README, ``*.md``, ``*.txt``), ``truth.json``, Office lock files, and anything matching a
    glob in ``RAW_DIR/.workbenchignore`` (one pattern a line, ``#`` comments).

    Args:
        raw_dir: The raw-exports folder.

    Returns:
        Absolute-or-as-given paths of the candidate export files.

    """
    raw_dir = Path(raw_dir)
    patterns = _ignore_patterns(raw_dir)
    candidates: list[tuple[str, ...]] = []
    # os.walk on names, not Path.rglob: the same files (symlinked folders are not entered,
    # as rglob does not), without building a Path for every entry of a large archive
    for folder, dirs, names in os.walk(raw_dir):
        parts = () if folder == str(raw_dir) else tuple(
            Path(folder).relative_to(raw_dir).parts)
        dirs[:] = [d for d in dirs
                   if not d.startswith(".") and d.lower() not in SKIPPED_DIRS]
        for name in names:
            lower = name.lower()
            if (name.startswith(".") or lower in SKIPPED_NAMES
                    or os.path.splitext(lower)[1] in SKIPPED_SUFFIXES
                    or lower.startswith("readme") or lower.startswith("~$")):
                continue
            candidates.append((*parts, name))
    found = []
    for parts in sorted(candidates):  # the order of sorted Paths: part by part
        path = raw_dir.joinpath(*parts)
        if not path.is_file():
            continue
        if patterns and _ignored(PurePosixPath(*parts), patterns):
            continue
        found.append(path)
    return found


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _file_entry(rel: str, raw: RawFile, parsed: ParsedExport, label: str) -> dict[str, Any]:
    return {
        "path": rel,
        "sha256": hashlib.sha256(raw.data).hexdigest(),
        "size": len(raw.data),
        "mtime": raw.path.stat().st_mtime,
        "kind": parsed.kind,
        "label": label,
        "rows": parsed.rows,
        "table_rows": {name: len(frame) for name, frame in parsed.tables.items()},
        "account": parsed.account,
        "date_min": _iso(parsed.date_min),
        "date_max": _iso(parsed.date_max),
        "snapshot_at": _iso(parsed.snapshot_at),
        "unknown_columns": list(parsed.unknown_columns),
        "warnings": list(parsed.warnings),
        "notes": list(parsed.notes),
    }


def _file_order(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """Per source file: snapshot, range end from the Meta file name, path (tie-break order)."""
    rows = []
    for entry in entries:
        name_range = range_from_file_name(PurePosixPath(entry["path"]).name)
        rows.append({
            "source_file": entry["path"],
            "_snapshot": pd.Timestamp(entry["snapshot_at"]) if entry["snapshot_at"] else pd.NaT,
            "_range_end": name_range[1] if name_range else pd.NaT,
        })
    order = pd.DataFrame(rows, columns=["source_file", "_snapshot", "_range_end"])
    order["_snapshot"] = pd.to_datetime(order["_snapshot"], utc=True)
    order["_range_end"] = pd.to_datetime(order["_range_end"])
    order["source_file"] = order["source_file"].astype("string")
    return order


_ORDER_KEYS = ["_snapshot", "_range_end", "source_file"]


def _newest_first_order(frame: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted oldest -> newest download (snapshot, name range end, path).

    The keys are constant within a file and ``source_file`` differs between files, so the
    files are ranked once (a few hundred rows) and the rows sorted by their file's rank: the
    same stable order as sorting the rows by the three keys, without a string merge and a
    three-key sort over every row.
    """
    files = pd.Index(order["source_file"])
    if not files.is_unique:
        return _newest_first_order_by_merge(frame, order)
    position = files.get_indexer(frame["source_file"])
    if (position < 0).any():  # a row from a file without an order entry
        return _newest_first_order_by_merge(frame, order)
    ranked = order.sort_values(_ORDER_KEYS, na_position="first", kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[files.get_indexer(ranked["source_file"])] = np.arange(len(order))
    keyed = frame.reset_index(drop=True).assign(  # fresh row labels, as a merge gives
        _snapshot=order["_snapshot"].array.take(position),
        _range_end=order["_range_end"].array.take(position))
    return keyed.take(np.argsort(rank[position], kind="stable"))


def _newest_first_order_by_merge(frame: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.merge(order, on="source_file", how="left")
    return keyed.sort_values(_ORDER_KEYS, na_position="first", kind="stable")


def _dedupe(name: str, frame: pd.DataFrame, order: pd.DataFrame,
            warnings: list[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    if name == "ads" and not frame.empty:  # re-downloads: newest file wins, per level/period
        kept = dedupe_ads(frame)
        return kept, {"rows_in": len(frame), "dropped": len(frame) - len(kept)}
    keys = DEDUPE_KEYS.get(name)
    if keys is None or frame.empty:
        return frame, {"rows_in": len(frame), "dropped": 0}
    ordered = _newest_first_order(frame, order)
    if name == "manual":
        _warn_manual_conflicts(ordered, keys, warnings)
    if name == "posts":
        ordered = _merge_same_download(ordered, keys)
    kept = ordered.drop_duplicates(keys, keep="last").drop(columns=["_snapshot", "_range_end"])
    return kept, {"rows_in": len(frame), "dropped": len(frame) - len(kept)}


def _merge_same_download(ordered: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of one post from files of the same download complete each other.

    A legacy Facebook "(Post Level)" and "(Video Posts)" export of one range hold the same
    posts with different metrics (clicks in one, video views in the other) and the same
    snapshot: the row kept takes the other rows' values where its own are missing. Rows from
    different snapshots are not merged (a newer download replaces an older one).
    """
    group = [*keys, "_snapshot"]
    same = ordered.duplicated(group, keep=False) & ordered["_snapshot"].notna()
    if not same.any():
        return ordered
    part = ordered[same]
    metrics = [c for c in part.columns if c not in group]
    filled = part.groupby(group, sort=False)[metrics].ffill().reindex(ordered.index)
    merged = ordered.copy()
    for column in metrics:
        merged[column] = ordered[column].where(~same, filled[column])
    return merged


def _warn_manual_conflicts(ordered: pd.DataFrame, keys: list[str], warnings: list[str]) -> None:
    repeated = ordered[ordered.duplicated(keys, keep=False)]
    if repeated.empty:
        return
    for key, group in repeated.groupby(keys, sort=True, dropna=False):
        if group["value"].nunique(dropna=False) > 1:
            month, platform, kpi = key
            kept = group.iloc[-1]
            others = "; ".join(f"{row.source_file} says {row.value:g}"
                               for row in group.iloc[:-1].itertuples())
            warnings.append(
                f"manual {platform} {kpi} {month}: {kept['source_file']} (newest, kept) says "
                f"{kept['value']:g}, but {others}"
            )


def _definition_changes(posts: pd.DataFrame) -> list[dict[str, Any]]:
    """Exposure metrics present in some files of a platform and absent in others (§9.7)."""
    changes = []
    if posts.empty:
        return changes
    for metric in ("views", "impressions", "reach"):
        # per (platform, file): any value at all (one grouped reduction, no Python lambda)
        present = posts[metric].notna().groupby(
            [posts["platform"], posts["source_file"]], observed=True).any()
        for platform, by_file in present.groupby(level="platform"):
            with_files = sorted(by_file[by_file].index.get_level_values("source_file"))
            without = sorted(by_file[~by_file].index.get_level_values("source_file"))
            if with_files and without:
                changes.append({"platform": platform, "metric": metric,
                                "files_with": with_files, "files_without": without})
    return changes


def _stack(parsed: list[tuple[str, ParsedExport]], name: str) -> pd.DataFrame | None:
    """One table over files, ``source_file`` relative to RAW_DIR; None when no rows."""
    frames, rels = [], []
    for rel, result in parsed:
        frame = result.tables.get(name)
        if frame is not None and len(frame):
            frames.append(frame)
            rels.extend([rel] * len(frame))
    if not frames:
        return None
    combined = pd.concat(frames, ignore_index=True)
    # one column for all files (same as assigning it per frame before the concat)
    combined["source_file"] = pd.array(rels, dtype="string")
    return combined


def _combine(pieces: list[pd.DataFrame], name: str, tz: str) -> pd.DataFrame:
    """Concatenate the stacked pieces of one table (files in order), or an empty table."""
    if not pieces:
        return empty_table(name, tz)
    return pd.concat(pieces, ignore_index=True)


def _same_dtype(actual: Any, expected: str, tz: str) -> bool:
    if isinstance(actual, pd.DatetimeTZDtype):  # the unit (s/us/ns) does not matter here
        return expected == "object" and str(actual.tz) == tz or (
            expected.startswith("datetime64[ns, UTC") and str(actual.tz) == "UTC")
    return str(actual) == expected


def _conformed(frame: pd.DataFrame, name: str, tz: str) -> pd.DataFrame:
    """Conform ``frame`` unless it already has the canonical columns and dtypes (saves time)."""
    expected = TABLE_DTYPES[name]
    if list(frame.columns) == list(expected) and all(
        _same_dtype(frame[c].dtype, expected[c], tz) for c in expected
    ):
        return frame.reset_index(drop=True)
    return conform_posts(frame, tz) if name == "posts" else conform(frame, name)


#: Below this many files the process pool costs more than it saves.
PARALLEL_MIN_FILES = 20
#: Environment variable: number of parsing processes (1 = serial, in this process).
WORKERS_ENV = "WORKBENCH_WORKERS"

_ParseOutcome = tuple[str, "ParsedExport | None", "dict[str, Any] | None", list[WorkbenchError]]


def _parse_file(source: tuple[Path, str, str], ctx: ParseContext,
                workdir: Path | None = None) -> list[_ParseOutcome]:
    """Read, detect and parse one file: [(rel, result, log entry, errors)].

    ``source`` is (the file on disk, its path relative to RAW_DIR as logged, the path errors
    name); for a member of a zip of exports the last two end ``archive.zip/member``. A
    ``.zip`` that no parser claims (an analyst's zip of exports) is unpacked into a new
    folder under ``workdir`` and gives one outcome per member, in order (see
    :func:`expand_zip`). This is decided here, in the process that parses, so a zip export
    (TikTok's) is read and detected once.
    """
    path, rel, shown = source
    try:
        raw = RawFile.read(path)
        try:
            kind = detect(raw)
        except WorkbenchError:
            if workdir is not None and path.suffix.lower() == ".zip":
                members = expand_zip(path, rel, Path(tempfile.mkdtemp(dir=workdir)), shown)
                if members is not None:
                    return [outcome for member in members
                            for outcome in _parse_file(member, ctx)]
            raise
        result = kind.parse(raw, ctx)
    except MultipleErrors as exc:
        return [(rel, None, None, [_named(e, path, shown) for e in exc.errors])]
    except WorkbenchError as exc:
        return [(rel, None, None, [_named(exc, path, shown)])]
    return [(rel, result, _file_entry(rel, raw, result, kind.label), [])]


def _named(exc: WorkbenchError, path: Path, shown: str) -> WorkbenchError:
    """The error naming the file as the analyst knows it (a zip member: ``x.zip/member``)."""
    if exc.file is None or exc.file == str(path):
        exc.file = shown
    return exc


def _portable(exc: WorkbenchError) -> tuple[type, tuple, dict[str, Any]]:
    """A WorkbenchError as picklable parts (its keyword-only fields do not survive pickle)."""
    return type(exc), exc.args, dict(vars(exc))


def _restore(parts: tuple[type, tuple, dict[str, Any]]) -> WorkbenchError:
    cls, args, state = parts
    exc = cls.__new__(cls)
    exc.args = args
    vars(exc).update(state)
    return exc


def _stacked_outcomes(outcomes: list[_ParseOutcome]) -> dict[str, pd.DataFrame]:
    """Every table of the parsed files stacked over them (tables without rows left out)."""
    parsed = [(rel, result) for rel, result, _, _ in outcomes if result is not None]
    stacked = {name: _stack(parsed, name) for name in TABLES}
    return {name: frame for name, frame in stacked.items() if frame is not None}


def _pieces(*stacks: dict[str, pd.DataFrame]) -> dict[str, list[pd.DataFrame]]:
    """Per table, the stacked frames of ``stacks`` in order (to concatenate)."""
    return {name: [stack[name] for stack in stacks if name in stack] for name in TABLES}


def _parse_chunk(sources: list[tuple[Path, str, str]], ctx: ParseContext,
                 workdir: Path) -> tuple[list[tuple], dict[str, pd.DataFrame]]:
    """Worker side: parse ``paths`` in order; errors travel as portable parts.

    The chunk's tables come back stacked (one frame per table, not one per file): pickling
    a frame costs about the same whatever its length, so this cuts the transfer to the
    main process, and its concat, by the chunk size.
    """
    outcomes = _parse_chunk_here(sources, ctx, workdir)
    out = [(rel, None, entry, [_portable(e) for e in errors])
           for rel, _result, entry, errors in outcomes]
    return out, _stacked_outcomes(outcomes)


def _workers(n_files: int) -> int:
    """How many parsing processes: ``WORKBENCH_WORKERS``, else up to 2 (1 = serial)."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        try:
            wanted = max(1, int(setting))
        except ValueError:
            wanted = 1
    else:
        wanted = min(2, os.cpu_count() or 1)
        if "fork" not in mp.get_all_start_methods():
            wanted = 1  # spawn re-imports everything per worker: not worth it by default
    if n_files < PARALLEL_MIN_FILES:
        return 1
    return wanted


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored on exit).

    Parsing allocates millions of small pandas objects while the parsed results pile up,
    so every full collection re-scans them all: about 10% of the parse time. The garbage
    cycles left meanwhile are small (~30 MB over ten years of exports). Forked workers
    inherit the paused state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_all(files: list[tuple[Path, str, str]], ctx: ParseContext, workdir: Path,
               ) -> tuple[list[_ParseOutcome], dict[str, list[pd.DataFrame]]]:
    """Parse every file: here, and in forked worker processes when worthwhile.

    With ``n`` workers, ``n - 1`` processes are forked and this process is the ``n``-th: the
    forked ones take chunks of files from the front of the list, this one takes them from
    the back, one at a time, until they meet (a chunk no worker has started is taken back
    with :meth:`concurrent.futures.Future.cancel`). This process would otherwise sit idle
    while it waits, and its own chunks are neither pickled nor stacked twice.

    Returns:
        The outcomes in file order (without the parsed tables), and per table the stacked
        pieces, in file order, to concatenate.

    """
    workers = _workers(len(files))
    if workers <= 1:
        return _parse_here(files, ctx, workdir)
    chunks = _chunks(files, workers)
    method = "fork" if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers - 1,
                             mp_context=mp.get_context(method)) as pool:
        futures = [pool.submit(_parse_chunk, chunk, ctx, workdir) for chunk in chunks]
        first_mine, mine = len(chunks), []  # this process's chunks, last first
        while first_mine > 0 and futures[first_mine - 1].cancel():
            first_mine -= 1
            mine.append(_parse_chunk_here(chunks[first_mine], ctx, workdir))
        outcomes: list[_ParseOutcome] = []
        stacks = []
        for future in futures[:first_mine]:
            chunk, tables = future.result()
            for rel, result, entry, errors in chunk:
                outcomes.append((rel, result, entry, [_restore(e) for e in errors]))
            stacks.append(tables)
    here = [outcome for chunk in reversed(mine) for outcome in chunk]
    return [*outcomes, *here], _pieces(*stacks, _stacked_outcomes(here))


#: Files per chunk near where this process and the workers meet (see :func:`_chunks`).
SMALL_CHUNK = 4


def _chunks(files: list, workers: int) -> list[list]:
    """Chunks of ``files``: large at the front, small from where the processes may meet.

    A worker's chunk comes back as one pickled, stacked result, so large chunks cost less
    per file; but when this process and the workers meet, a worker may still hold two
    chunks (the one it parses and the next one queued), and this process waits for them.
    The workers take the front of the list and share the work with this process, which
    takes the back: they meet at about ``(workers - 1) / workers`` of it, so the chunks
    are large up to well before that point and small after it.
    """
    size = max(1, min(16, len(files) // (workers * 8)))
    small = min(size, SMALL_CHUNK)
    split = int(len(files) * 0.8 * (workers - 1) / workers) // size * size
    return ([files[i : i + size] for i in range(0, split, size)]
            + [files[i : i + small] for i in range(split, len(files), small)])


def _parse_chunk_here(chunk: list[tuple[Path, str, str]], ctx: ParseContext,
                      workdir: Path) -> list[_ParseOutcome]:
    """Parse a chunk in this process: the outcomes with their parsed tables."""
    return [outcome for source in chunk for outcome in _parse_file(source, ctx, workdir)]


def _parse_here(files: list[tuple[Path, str, str]], ctx: ParseContext, workdir: Path,
                ) -> tuple[list[_ParseOutcome], dict[str, list[pd.DataFrame]]]:
    """Parse every file in this process (no workers)."""
    outcomes = _parse_chunk_here(files, ctx, workdir)
    return outcomes, _pieces(_stacked_outcomes(outcomes))


# --- zips of exports --------------------------------------------------------------------


def expand_zip(path: Path, rel: str, workdir: Path, shown: str | None = None,
               depth: int = 0, budget: list[int] | None = None,
               ) -> list[tuple[Path, str, str]] | None:
    """Unpack an analyst's zip of exports into ``workdir``; None when a parser reads the zip.

    A zip that a parser claims as a whole (TikTok's analytics download) is parsed as one
    file. Any other zip is read like the folder it was made of: macOS ``__MACOSX/`` and
    ``._*`` entries, hidden files and notes are left out, as in a folder; a zip inside it is
    unpacked the same way (down to :data:`ZIP_MAX_DEPTH` levels).

    Args:
        path: The zip on disk.
        rel: Its path as logged (relative to RAW_DIR).
        workdir: A scratch folder to unpack into.
        shown: Its path as errors name it (default: ``path``).
        depth: How deep inside other zips it is.
        budget: Files and bytes unpacked so far from the outermost zip (the caps hold for
            the zip and every zip inside it together).

    Returns:
        None, or (file on disk, path as logged, path as errors name it) per member.

    Raises:
        InputFormatError: The zip holds more than :data:`ZIP_MAX_MEMBERS` files or unpacks
            to more than :data:`ZIP_MAX_BYTES` (a zip bomb), or it is password-protected.
    """
    shown = str(path) if shown is None else shown
    budget = [0, 0] if budget is None else budget
    raw = RawFile.read(path)
    if raw.container != "zip":
        return None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # detection will say what it is
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" in names or "word/document.xml" in names or (
                "ppt/presentation.xml" in names):
            return None  # an Office document, not an archive of files
        try:
            detect(raw)
            return None  # a zip export (TikTok) is one file
        except WorkbenchError:
            pass
        members = [info for info in archive.infolist() if _wanted_member(info)]
        if not members:
            return None
        _check_zip_size(archive.infolist(), shown)
        out = []
        base = (workdir / f"zip{len(list(workdir.iterdir()))}").resolve()
        for info in members:
            target = (base / PurePosixPath(info.filename)).resolve()
            if base not in target.parents:
                continue  # "../" tricks: never write outside the work folder
            target.parent.mkdir(parents=True, exist_ok=True)
            budget[0] += 1
            if budget[0] > ZIP_MAX_MEMBERS:
                raise _zip_bomb(shown)
            try:
                with archive.open(info) as source, open(target, "wb") as sink:
                    while chunk := source.read(1 << 20):
                        budget[1] += len(chunk)
                        if budget[1] > ZIP_MAX_BYTES:  # the sizes in the header can lie
                            raise _zip_bomb(shown)
                        sink.write(chunk)
            except RuntimeError as exc:  # encrypted member
                raise InputFormatError(
                    "the ZIP archive is password-protected", file=shown,
                    hint="unzip it yourself and put the exports in the folder") from exc
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise InputFormatError(
                    f"the ZIP archive is damaged ({info.filename} cannot be unpacked)",
                    file=shown, hint="make the zip again, or put the exports in the folder"
                ) from exc
            stamp = time.mktime((*info.date_time, 0, 0, -1))  # zip times are local
            os.utime(target, (stamp, stamp))
            member = (target, f"{rel}/{info.filename}", f"{shown}/{info.filename}")
            nested = None
            if target.suffix.lower() == ".zip" and depth < ZIP_MAX_DEPTH:
                nested = expand_zip(target, member[1], workdir, member[2], depth + 1, budget)
            out.extend(nested if nested is not None else [member])
        return out


def _wanted_member(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    if info.is_dir() or is_mac_junk(name):
        return False
    rel = PurePosixPath(name)
    if any(part.startswith(".") for part in rel.parts):
        return False
    if any(part.lower() in SKIPPED_DIRS for part in rel.parts[:-1]):
        return False
    lower = rel.name.lower()
    return not (lower in SKIPPED_NAMES or rel.suffix.lower() in SKIPPED_SUFFIXES
                or lower.startswith("readme") or lower.startswith("~$"))


def _check_zip_size(infos: list[zipfile.ZipInfo], rel: str) -> None:
    if len(infos) > ZIP_MAX_MEMBERS or sum(i.file_size for i in infos) > ZIP_MAX_BYTES:
        raise _zip_bomb(rel)


def _zip_bomb(rel: str) -> InputFormatError:
    return InputFormatError(
        f"the ZIP archive is too big to unpack (more than {ZIP_MAX_MEMBERS} files or "
        f"{ZIP_MAX_BYTES // 2**20} MB unpacked)", file=rel,
        hint="unzip the exports you need into the raw folder instead")


# --- post snapshots ------------------------------------------------------------------------


def post_snapshots(posts: pd.DataFrame, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every download of every post: one row per (platform, post_id, snapshot_at).

    Args:
        posts: Post rows of every file, before the newest-download-wins dedupe.
        order: Per source file its tie-break order (see :func:`_file_order`); when two files
            hold the same post at the same snapshot time the later one in this order wins.

    Returns:
        The ``post_snapshots`` table, sorted by platform, post and snapshot; ``age_days`` is
        the snapshot minus the publish time in days.

    """
    if posts.empty:
        return empty_table("post_snapshots")
    frame = _newest_first_order(posts, order) if order is not None else posts
    frame = frame.drop_duplicates(["platform", "post_id", "snapshot_at"], keep="last")
    snapshot = pd.to_datetime(frame["snapshot_at"], utc=True)
    published = pd.to_datetime(frame["published_at_utc"], utc=True)
    age = (snapshot - published) / pd.Timedelta(days=1)
    columns = {c: frame[c] for c in TABLE_DTYPES["post_snapshots"] if c in frame.columns}
    columns["age_days"] = age.astype("Float64")
    table = conform(pd.DataFrame(columns), "post_snapshots")
    return table.sort_values(["platform", "post_id", "snapshot_at"], kind="stable",
                             ignore_index=True)


# --- the ingest -----------------------------------------------------------------------------


def _strict_error(exc: WorkbenchError) -> WorkbenchError:
    return NotAnExportError(exc.message, file=exc.file,
                            hint="move it out of the raw folder, or ingest without --strict")


def ingest(raw_dir: Path, out_dir: Path, params: dict, *, strict: bool = False) -> IngestResult:
    """Parse every export under ``raw_dir`` and write the canonical tables to ``out_dir``.

    Args:
        raw_dir: The folder of exports as downloaded (read only, never modified).
        out_dir: Where ``posts/post_snapshots/daily/web/ads/manual/audience.parquet`` and
            ``ingest_log.json`` go.
        params: Merged run parameters (time zone, platform accounts).
        strict: Make files that are not exports we read fatal instead of skipped.

    Returns:
        The written log and tables. ``log["skipped"]`` lists each file that is not an export
        we read as ``{"file": <path under RAW_DIR>, "reason": <what it seems to be>}``.

    Raises:
        InputFormatError: ``raw_dir`` is missing or holds no file.
        MultipleErrors: One or more exports are damaged, or (``strict``) a file is not an
            export we read, or no file at all is an export we read (one line each); nothing
            is written.

    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise InputFormatError("the raw-exports folder does not exist", file=raw_dir,
                               hint="create it and put the downloaded exports in it")
    files = discover_files(raw_dir)
    if not files:
        raise InputFormatError("no export files found", file=raw_dir,
                               hint="put this month's downloads under data/raw/<month>/")
    tz = org_timezone(params)
    ctx = ParseContext(tz=tz, params=params)

    entries: list[dict[str, Any]] = []
    errors: list[WorkbenchError] = []
    foreign: list[WorkbenchError] = []
    # (file on disk, path as logged, path errors name); zips of exports unpack when parsed
    sources = [(path, path.relative_to(raw_dir).as_posix(), str(path)) for path in files]
    with tempfile.TemporaryDirectory(prefix="workbench-zip-") as workdir:
        with _gc_paused():
            outcomes, pieces = _parse_all(sources, ctx, Path(workdir))
    skipped: list[dict[str, Any]] = []
    for rel, _result, entry, file_errors in outcomes:
        if not file_errors:
            entries.append(entry)
        for exc in file_errors:
            if isinstance(exc, NotAnExportError):
                foreign.append(exc)
                skipped.append({"file": rel, "reason": exc.message.rstrip(".")})
            else:
                errors.append(exc)
    if strict:
        errors.extend(_strict_error(exc) for exc in foreign)
    if not errors and not entries:
        errors = [*foreign, InputFormatError(
            f"none of the {len(foreign)} files is an export we read (each is listed above)",
            file=raw_dir, hint="put this month's downloads under data/raw/<month>/")]
    if errors:
        raise MultipleErrors(errors)

    order = _file_order(entries)
    warnings: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    dedupe: dict[str, dict[str, int]] = {}
    for name in TABLES:
        combined = _combine(pieces[name], name, tz)
        deduped, dedupe[name] = _dedupe(name, combined, order, warnings)
        tables[name] = _conformed(deduped, name, tz)
        if name == "posts":
            changes = _definition_changes(combined)
            tables["post_snapshots"] = post_snapshots(combined, order)

    log = {
        "raw_dir": str(raw_dir.resolve()),
        "generated_at": datetime.now(UTC).isoformat(),
        "timezone": tz,
        "files": entries,
        "skipped": skipped,
        "sources": [_source_entry(path, raw_dir) for path in files],
        "tables": {name: len(tables[name]) for name in WRITTEN_TABLES},
        "dedupe": dedupe,
        "metric_definition_changes": changes,
        "warnings": warnings,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in WRITTEN_TABLES:
        write_parquet_atomic(tables[name], out_dir / f"{name}.parquet")
    # the log goes last: its mtime marks a complete ingest for needs_ingest()
    write_json_atomic(out_dir / LOG_NAME, log, one_item_per_line=True)
    return IngestResult(raw_dir=raw_dir, out_dir=out_dir, log=log, tables=tables)


def _source_entry(path: Path, raw_dir: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": path.relative_to(raw_dir).as_posix(), "size": stat.st_size,
            "mtime": stat.st_mtime}


def needs_ingest(raw_dir: Path, processed_dir: Path) -> bool:
    """Return True when the processed tables are missing or out of date with RAW_DIR.

    True when ``ingest_log.json`` is missing or unreadable, a table file is missing, the set
    of files under RAW_DIR changed (added, removed, newly ignored; skipped files and zips
    count too), or a raw file changed since the ingest: its modification time or size
    differs from the one logged (logs without modification times fall back to "newer than
    ingest_log.json").
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    log_path = processed_dir / LOG_NAME
    if not log_path.exists():
        return True
    if any(not (processed_dir / f"{name}.parquet").exists() for name in WRITTEN_TABLES):
        return True
    try:
        log = json.loads(log_path.read_text(encoding="utf-8"))
        listed = log["sources"] if "sources" in log else log["files"]
        logged = {entry["path"]: entry for entry in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return True
    files = discover_files(raw_dir) if raw_dir.is_dir() else []
    current = {path.relative_to(raw_dir).as_posix(): path for path in files}
    if set(current) != set(logged):
        return True
    log_mtime = log_path.stat().st_mtime
    for rel, path in current.items():
        stat, entry = path.stat(), logged[rel]
        if entry.get("size") is not None and stat.st_size != entry["size"]:
            return True
        if entry.get("mtime") is not None:
            if stat.st_mtime != entry["mtime"]:
                return True
        elif stat.st_mtime > log_mtime:
            return True
    return False

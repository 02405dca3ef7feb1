"""Reading the canonical tables that ``workbench ingest`` wrote to PROCESSED_DIR."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputFormatError
from workbench.schema import TABLE_DTYPES, conform, conform_posts, empty_table

LOG_NAME = "ingest_log.json"
#: Tables ingest always writes; ``labels`` is added by ``workbench label`` when present.
INGESTED_TABLES = ("posts", "post_snapshots", "daily", "web", "ads", "manual", "audience")
#: Tables added after the first release: an older ingest without them loads them empty.
LATER_TABLES = ("audience",)
INGEST_HINT = "run `workbench ingest` first (e.g. workbench ingest data/raw --out data/processed)"


def read_ingest_log(processed_dir: str | Path) -> dict[str, Any]:
    """Return the content of ``ingest_log.json``.

    Raises:
        InputFormatError: The folder was never ingested (or the log is unreadable).

    """
    path = Path(processed_dir) / LOG_NAME
    if not path.exists():
        raise InputFormatError("no ingested tables here (ingest_log.json is missing)",
                               file=processed_dir, hint=INGEST_HINT)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputFormatError(f"ingest_log.json is not valid JSON ({exc})", file=path,
                               hint=INGEST_HINT) from exc


def load_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """Load one canonical table by name (see :data:`TABLE_DTYPES`).

    The names: ``posts``, ``post_snapshots``, ``daily``, ``web``, ``ads``, ``manual``,
    ``audience``, ``labels``.

    ``posts.published_at`` keeps the time zone it was written with; ``hashtags`` are lists.

    Raises:
        InputFormatError: Unknown table name, or the table file is missing.

    """
    if name not in TABLE_DTYPES:
        raise InputFormatError(f"unknown table {name!r}",
                               hint="use one of: " + ", ".join(TABLE_DTYPES))
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.exists() and name in LATER_TABLES:
        return empty_table(name)  # ingested before the table existed: nothing of it read
    if not path.exists():
        hint = ("run `workbench label` first" if name == "labels" else INGEST_HINT)
        raise InputFormatError(f"the {name} table is missing", file=path, hint=hint)
    frame = pd.read_parquet(path, engine="pyarrow")
    if name != "posts":
        return conform(frame, name)
    # pyarrow returns list columns as numpy arrays; the contract is list[str]
    frame["hashtags"] = frame["hashtags"].map(
        lambda tags: [str(t) for t in tags] if tags is not None and not _is_na(tags) else []
    )
    tz = getattr(frame["published_at"].dtype, "tz", None)
    return conform_posts(frame, str(tz) if tz is not None else "UTC")


def _is_na(value: Any) -> bool:
    return not hasattr(value, "__len__") and pd.isna(value)


def load_tables(processed_dir: str | Path, tz: str | None = None) -> dict[str, pd.DataFrame]:
    """Load every canonical table of ``processed_dir``.

    Args:
        processed_dir: The folder ``workbench ingest`` wrote.
        tz: If given, ``posts.published_at`` is converted to this IANA zone.

    Returns:
        ``posts``, ``post_snapshots``, ``daily``, ``web``, ``ads``, ``manual``,
        ``audience`` (and ``labels`` when it exists).

    Raises:
        InputFormatError: The folder was never ingested: "run `workbench ingest`".

    """
    read_ingest_log(processed_dir)
    tables = {name: load_table(processed_dir, name) for name in INGESTED_TABLES}
    if (Path(processed_dir) / "labels.parquet").exists():
        tables["labels"] = load_table(processed_dir, "labels")
    if tz is not None:
        tables["posts"] = conform_posts(tables["posts"], tz)
    return tables


class LazyTables(Mapping):
    """The canonical tables of a processed folder, each read when first asked for.

    A mapping like :func:`load_tables` gives (``labels`` empty when the posts were never
    labelled). A report's notebooks open the month only to show its cached results: they
    never read a table, so none is loaded. Pickled with the tables read so far.
    """

    def __init__(self, processed_dir: str | Path):
        self._dir = Path(processed_dir)
        self._loaded: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._loaded:
            if name not in _LAZY_NAMES:
                raise KeyError(name)
            if name == "labels" and not (self._dir / "labels.parquet").exists():
                self._loaded[name] = empty_table("labels")
            else:
                self._loaded[name] = load_table(self._dir, name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_LAZY_NAMES)

    def __len__(self) -> int:
        return len(_LAZY_NAMES)

    def __contains__(self, name: object) -> bool:
        return name in _LAZY_NAMES

    def __repr__(self) -> str:
        return f"LazyTables({str(self._dir)!r}, loaded={sorted(self._loaded)})"


_LAZY_NAMES = (*INGESTED_TABLES, "labels")

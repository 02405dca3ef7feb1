"""What every analysis starts from: the month, its settings and the canonical tables.

``open_month`` ingests and labels when the processed tables are missing or older than the raw
files. It reports on the fictional sample organisation only when asked (``sample=True``); a
raw folder that does not exist is a clear error, never a silent switch to fake data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import PROJECT_ROOT, load_params
from workbench.errors import ConfigError
from workbench.month import Month
from workbench.params import RunParams

#: Where ``sample=True`` keeps the sample organisation's exports and tables.
SAMPLE_RAW = PROJECT_ROOT / "data" / "sample" / "raw"
SAMPLE_PROCESSED = PROJECT_ROOT / "data" / "sample" / "processed"


@dataclass
class MonthContext:
    """The month under report and everything loaded for it.

    Attributes:
        month: ``YYYY-MM`` under report.
        params: Layered parameters (org profile included, every run default filled).
        tables: Canonical tables by name (posts, labels, daily, web, ads, manual); from
            :func:`open_month`, each is read from the processed folder when first used.
        ingest_log: The ``ingest_log.json`` of the processed folder.
        processed_dir: The processed folder read.
        raw_dir: The raw exports folder.
        params_dir: The folder holding org.yaml and monthly.yaml.
    """

    month: str
    params: dict[str, Any]
    tables: Mapping[str, pd.DataFrame]
    ingest_log: dict[str, Any] = field(default_factory=dict)
    processed_dir: Path | None = None
    raw_dir: Path | None = None
    params_dir: Path | None = None

    @property
    def run(self) -> RunParams:
        """The settings, typed."""
        return RunParams.from_mapping(self.params)

    @property
    def period(self) -> Month:
        """The report month as a :class:`~workbench.month.Month`."""
        return Month.parse(self.month)

    @property
    def org_name(self) -> str:
        """The organisation's display name."""
        return str(self.params.get("name") or "Organisation")

    @property
    def tz(self) -> str:
        """The organisation's IANA time zone."""
        return str(self.params["timezone"])

    @property
    def window_months(self) -> int:
        """Length of the rolling window for content tests."""
        return int(self.params["window_months"])

    @property
    def window(self) -> tuple[str, str]:
        """``(first, last)`` months of the rolling window ending at the report month."""
        first, last = self.period.window(self.window_months)
        return str(first), str(last)

    @property
    def previous_month(self) -> str:
        """The month before the report month."""
        return str(self.period.previous)

    @property
    def posts(self) -> pd.DataFrame:
        """Canonical posts."""
        return self.tables["posts"]

    @property
    def labels(self) -> pd.DataFrame:
        """Canonical labels (may be empty)."""
        return self.tables["labels"]

    def posts_with_labels(self) -> pd.DataFrame:
        """Posts with their labels joined on (platform, post_id)."""
        from workbench.labels import join_labels

        return join_labels(self.posts, self.labels)


def data_months(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Months with published posts, oldest first."""
    posts = tables["posts"]
    if posts.empty:
        return []
    return sorted(posts["published_at"].dt.tz_localize(None).dt.to_period("M").astype(str).unique())


def latest_complete_month_of(tables: Mapping[str, pd.DataFrame], ingest_log: Mapping[str, Any]
                             ) -> str:
    """The latest month that ended before the newest export was downloaded.

    Exports downloaded on 4 November hold October complete; the month of the download itself
    is still running and is never the default.
    """
    snapshots = []
    posts = tables["posts"]
    if not posts.empty and posts["snapshot_at"].notna().any():
        snapshots.append(posts["snapshot_at"].max())
    for entry in ingest_log.get("files", []):
        if entry.get("snapshot_at"):
            snapshots.append(pd.Timestamp(entry["snapshot_at"]))
    months = data_months(tables)
    if not snapshots:
        if not months:
            raise ConfigError(
                "no posts in the processed tables, so there is no month to report",
                hint="put the month's exports in data/raw/ and run `workbench ingest`",
            )
        return months[-1]
    newest = max(pd.Timestamp(s) for s in snapshots)
    newest = newest.tz_convert("UTC") if newest.tzinfo else newest.tz_localize("UTC")
    candidate = str(Month.of(newest).previous)
    if months and candidate > months[-1]:
        candidate = months[-1]
    return candidate


def check_raw_dir(raw_dir: Path) -> None:
    """A clear error when the raw exports folder does not exist (never a silent fallback)."""
    if not Path(raw_dir).is_dir():
        raise ConfigError(
            "the raw exports folder does not exist",
            file=raw_dir,
            hint="download the month's exports into data/raw/<month>/ and pass that folder as "
                 "raw_dir, or use sample=True for the fictional sample organisation",
        )


#: Set by the report runner for its notebooks' kernels: the processed folder it has just
#: brought up to date and analysed. Each notebook then shows those tables, as the month's
#: results do, instead of checking the raw folder again (and re-ingesting mid-report if a
#: file changed meanwhile, which would make a notebook disagree with the results).
TABLES_CHECKED_ENV = "WORKBENCH_TABLES_CHECKED"


def _checked_by_the_runner(processed_dir: Path) -> bool:
    checked = os.environ.get(TABLES_CHECKED_ENV, "")
    try:
        return bool(checked) and Path(checked).resolve() == Path(processed_dir).resolve() and (
            Path(processed_dir) / "labels.parquet").exists()
    except OSError:
        return False


def ensure_processed(
    raw_dir: Path, processed_dir: Path, params: dict[str, Any], *, sample: bool = False
) -> None:
    """Ingest and label when the processed tables are missing or older than the raw files.

    Inside a report's notebook (:data:`TABLES_CHECKED_ENV` names ``processed_dir``) the
    runner has just done this: nothing is checked again.

    Args:
        raw_dir: The raw exports folder.
        processed_dir: The processed folder.
        params: Layered parameters.
        sample: Generate the sample organisation's exports into ``raw_dir`` when it does not
            exist (only when asked for the sample).
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if sample and not (raw_dir / "truth.json").exists():
        from workbench.sample import generate_sample

        print(f"Generating the SAMPLE organisation's exports (fictional) into {raw_dir}.")
        generate_sample(raw_dir, experiment=True)  # the sample organisation's own profile
    check_raw_dir(raw_dir)
    if _checked_by_the_runner(processed_dir):
        return
    from workbench.io.ingest import ingest, needs_ingest
    from workbench.labels import run_label

    if needs_ingest(raw_dir, processed_dir):
        result = ingest(raw_dir, processed_dir, params)
        print(result.summary())
        run_label(processed_dir, params)
    elif not (processed_dir / "labels.parquet").exists():
        run_label(processed_dir, params)


def open_month(
    month: str = "",
    *,
    sample: bool = False,
    raw_dir: str | Path = PROJECT_ROOT / "data" / "raw",
    processed_dir: str | Path = PROJECT_ROOT / "data" / "processed",
    params_dir: str | Path = PROJECT_ROOT / "params",
    params_json: str = "",
    overrides: Mapping[str, Any] | None = None,
) -> MonthContext:
    """Open the month to analyse.

    Args:
        month: ``YYYY-MM``; empty = the ``month`` setting, else the latest complete month.
        sample: Use the fictional sample organisation (generated into ``data/sample/`` on
            first use); ``raw_dir`` and ``processed_dir`` are then ignored.
        raw_dir: Raw exports folder (must exist; refreshes stale processed tables).
        processed_dir: Processed canonical tables.
        params_dir: Folder with org.yaml and monthly.yaml.
        params_json: The runner's layered parameters as JSON; wins over ``params_dir``.
        overrides: Settings to change for this session (``{"window_months": 3}``).

    Returns:
        The loaded :class:`MonthContext`.

    Raises:
        ConfigError: The raw folder does not exist, a setting is invalid, or the month is
            not ``YYYY-MM``.
    """
    from workbench.io.tables import LazyTables, read_ingest_log
    from workbench.params import validate_run_settings

    if params_json:
        params = json.loads(params_json)
    elif sample:  # the sample organisation's own profile, never params/org.yaml
        from workbench.sample.profile import sample_params

        params = sample_params(params_dir)
    else:
        params = load_params(params_dir)
    params = validate_run_settings({**params, **dict(overrides or {})})
    if sample:
        raw_dir, processed_dir = SAMPLE_RAW, SAMPLE_PROCESSED
        print("Using the SAMPLE organisation's data (fictional): set sample = False and "
              "raw_dir to report on your own exports.")
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    ensure_processed(raw_dir, processed_dir, params, sample=sample)
    log = read_ingest_log(processed_dir)
    tables = LazyTables(processed_dir)  # read when used (labels empty when never labelled)
    chosen = month or params.get("month") or latest_complete_month_of(tables, log)
    params["month"] = str(Month.parse(str(chosen)))
    return MonthContext(
        month=params["month"],
        params=params,
        tables=tables,
        ingest_log=log,
        processed_dir=processed_dir,
        raw_dir=raw_dir,
        params_dir=Path(params_dir),
    )

"""What every notebook opens first: the month, its parameters and the canonical tables.

``open_month`` makes a notebook runnable on its defaults in JupyterLab (it ingests and labels
when the processed tables are missing or older than the raw files, and can generate the sample
organisation's exports when asked to use the sample folder), and gives papermill runs the
exact parameters the runner layered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import MONTH_RE, load_params, org_timezone
from workbench.errors import ConfigError
from workbench.kpis import months_between


@dataclass
class MonthContext:
    """The month under report and everything loaded for it.

    Attributes:
        month: ``YYYY-MM`` under report.
        params: Layered parameters (org profile included).
        tables: Canonical tables by name (posts, labels, daily, web, ads, manual).
        ingest_log: The ``ingest_log.json`` of the processed folder.
        results_dir: Where notebooks record results for results.json ("" interactively).
        processed_dir: The processed folder read.
    """

    month: str
    params: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    ingest_log: dict[str, Any] = field(default_factory=dict)
    results_dir: str = ""
    processed_dir: Path | None = None
    raw_dir: Path | None = None
    params_dir: Path | None = None

    @property
    def org_name(self) -> str:
        """The organisation's display name."""
        return str(self.params.get("name", "Organisation"))

    @property
    def tz(self) -> str:
        """The organisation's IANA time zone."""
        return org_timezone(self.params)

    @property
    def window_months(self) -> int:
        """Length of the rolling window for content tests."""
        return int(self.params.get("window_months", 6))

    @property
    def window(self) -> tuple[str, str]:
        """``(first, last)`` months of the rolling window ending at the report month."""
        last = pd.Period(self.month, freq="M")
        return str(last - (self.window_months - 1)), self.month

    @property
    def previous_month(self) -> str:
        """The month before the report month."""
        return str(pd.Period(self.month, freq="M") - 1)

    def window_month_list(self) -> list[str]:
        """Every month of the window, oldest first."""
        return months_between(*self.window)

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

    def record(self, name: str, payload: Any) -> None:
        """Record ``payload`` for results.json (no-op interactively)."""
        from workbench.report.record import record

        record(self.results_dir, name, payload)


def _data_months(tables: dict[str, pd.DataFrame]) -> list[str]:
    posts = tables["posts"]
    if posts.empty:
        return []
    return sorted(posts["published_at"].dt.tz_localize(None).dt.to_period("M").astype(str).unique())


def latest_complete_month_of(tables: dict[str, pd.DataFrame], ingest_log: dict[str, Any]) -> str:
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
    months = _data_months(tables)
    if not snapshots:
        if not months:
            raise ConfigError(
                "no posts in the processed tables, so there is no month to report",
                hint="put the month's exports in data/raw/ and run `workbench ingest`",
            )
        return months[-1]
    newest = max(pd.Timestamp(s) for s in snapshots)
    newest = newest.tz_convert("UTC") if newest.tzinfo else newest.tz_localize("UTC")
    candidate = str(newest.tz_localize(None).to_period("M") - 1)
    if months and candidate > months[-1]:
        candidate = months[-1]
    return candidate


def ensure_processed(
    raw_dir: Path, processed_dir: Path, params: dict[str, Any], *, sample_if_missing: bool = False
) -> None:
    """Ingest and label when the processed tables are missing or older than the raw files.

    Args:
        raw_dir: The raw exports folder.
        processed_dir: The processed folder.
        params: Layered parameters.
        sample_if_missing: Generate the sample organisation's exports into ``raw_dir`` when it
            does not exist (used by notebooks opened on their defaults).
    """
    from workbench.io.ingest import ingest, needs_ingest
    from workbench.labels import run_label

    if not raw_dir.exists() and sample_if_missing:
        from workbench.sample import generate_sample

        print(f"No exports at {raw_dir}: generating the SAMPLE organisation's data (fictional).")
        generate_sample(raw_dir, experiment=True)  # the sample organisation's own profile
    if needs_ingest(raw_dir, processed_dir):
        result = ingest(raw_dir, processed_dir, params)
        print(result.summary())
        run_label(processed_dir, params)
    elif not (processed_dir / "labels.parquet").exists():
        run_label(processed_dir, params)


def open_month(
    month: str = "",
    *,
    raw_dir: str | Path = "../data/sample/raw",
    processed_dir: str | Path = "../data/sample/processed",
    params_dir: str | Path = "../params",
    params_json: str = "",
    results_dir: str = "",
    window_months: int | None = None,
    alpha: float | None = None,
    fdr_q: float | None = None,
    sample_if_missing: bool = True,
) -> MonthContext:
    """Open the month a notebook reports on.

    Args:
        month: ``YYYY-MM``; empty = the latest complete month in the data.
        raw_dir: Raw exports folder (used only to refresh stale processed tables).
        processed_dir: Processed canonical tables.
        params_dir: Folder with org.yaml and monthly.yaml.
        params_json: The runner's layered parameters as JSON; wins over ``params_dir``.
        results_dir: Where to record results for results.json (empty interactively).
        window_months: Overrides the parameter of the same name when given.
        alpha: Overrides the parameter of the same name when given.
        fdr_q: Overrides the parameter of the same name when given.
        sample_if_missing: Generate sample exports when ``raw_dir`` does not exist.

    Returns:
        The loaded :class:`MonthContext`.
    """
    from workbench.io.tables import load_tables, read_ingest_log

    params = json.loads(params_json) if params_json else load_params(params_dir)
    for key, value in (("window_months", window_months), ("alpha", alpha), ("fdr_q", fdr_q)):
        if value is not None:
            params[key] = value
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    ensure_processed(raw_dir, processed_dir, params, sample_if_missing=sample_if_missing)
    tables = load_tables(processed_dir)
    if "labels" not in tables:
        from workbench.schema import empty_table

        tables["labels"] = empty_table("labels")
    log = read_ingest_log(processed_dir)
    month = month or params.get("month") or latest_complete_month_of(tables, log)
    if not MONTH_RE.match(str(month)):
        raise ConfigError(f"month {month!r} is not YYYY-MM", hint="pass month='2024-03'")
    params["month"] = str(month)
    return MonthContext(
        month=str(month),
        params=params,
        tables=tables,
        ingest_log=log,
        results_dir=results_dir,
        processed_dir=processed_dir,
        raw_dir=raw_dir,
        params_dir=Path(params_dir),
    )

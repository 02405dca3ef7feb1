"""``workbench report --month YYYY-MM``: run the monthly notebooks with papermill.

Steps: layer the parameters; ingest and label when the processed tables are older than the
raw files; execute every notebook of :data:`NOTEBOOKS` into a staging folder (each records its
results); assemble ``results.json`` from those records with provenance; convert the leadership
notebook into ``report.html``; then swap the staging folder in as ``reports/<month>/`` in one
rename. A failed run keeps its partial notebook in ``reports/<month>/failed/`` and leaves the
previous good report untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.config import MONTH_RE, PROJECT_ROOT, load_params
from workbench.errors import ConfigError, ReportError
from workbench.io.atomic import replace_dir_atomic, write_json_atomic, write_text_atomic
from workbench.report.display import esc
from workbench.report.record import collect, jsonable

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: Executed in this order; the last one is the leadership summary that becomes report.html.
NOTEBOOKS = (
    "01_data_quality.ipynb",
    "02_kpis.ipynb",
    "03_content_hypotheses.ipynb",
    "04_posting_times.ipynb",
    "05_next_month.ipynb",
    "06_leadership_summary.ipynb",
)
LEADERSHIP_NOTEBOOK = NOTEBOOKS[-1]


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The project's git commit (with ``-dirty`` when the tree has changes), if any."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def first_line(text: object) -> str:
    """The first line of an exception value (empty when there is none)."""
    return str(text).splitlines()[0] if text else ""


def _ipc_kernel_manager():
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP.

    The kernel only ever runs on this machine; IPC keeps its traffic off the network (and
    ipykernel stops warning about unencrypted TCP on every notebook).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    return IPCKernelManager


def execute_staged(source: Path, staging: Path, final_dir: Path, parameters: dict) -> Path:
    """Execute ``source`` with papermill into ``staging``; on failure keep it in ``failed/``.

    On a cell error the partial executed notebook is copied to ``final_dir/failed/``, the
    staging folder is removed (so the previous good output stays untouched) and papermill's
    ``PapermillExecutionError`` is re-raised for the caller to word.

    Returns:
        The executed notebook's path inside ``staging``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output = staging / source.name
    try:
        pm.execute_notebook(
            str(source),
            str(output),
            parameters=parameters,
            cwd=str(source.parent),
            kernel_name="python3",
            progress_bar=sys.stderr.isatty(),
            log_output=False,
            kernel_manager_class=_ipc_kernel_manager(),
        )
    except PapermillExecutionError:
        failed = final_dir / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        if output.exists():
            shutil.copy2(output, failed / source.name)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output


def latest_complete_month(raw_dir: Path, processed_dir: Path, params: dict[str, Any]) -> str:
    """The latest complete month in the data (ingesting first when needed)."""
    from workbench.io.tables import load_tables, read_ingest_log
    from workbench.report.context import ensure_processed, latest_complete_month_of

    ensure_processed(Path(raw_dir), Path(processed_dir), params)
    return latest_complete_month_of(load_tables(processed_dir), read_ingest_log(processed_dir))


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(ingest_log: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"file": f.get("path"), "sha256": f.get("sha256"), "kind": f.get("kind")}
        for f in ingest_log.get("files", [])
    ]


def _check_month_has_data(processed_dir: Path, month: str) -> None:
    from workbench.io.tables import load_tables

    tables = load_tables(processed_dir)
    posts = tables["posts"]
    months = set()
    if not posts.empty:
        months = set(posts["published_at"].dt.tz_localize(None).dt.to_period("M").astype(str))
    daily = tables.get("daily")
    if daily is not None and not daily.empty:
        months |= set(daily["date"].dt.to_period("M").astype(str))
    if month not in months:
        span = f"{min(months)} to {max(months)}" if months else "none"
        raise ConfigError(
            f"no posts or daily figures for {month} in {processed_dir} (months with data: {span})",
            hint="choose a month with data (MONTH=YYYY-MM) or add that month's exports",
        )


def run_report(
    month: str | None,
    raw_dir: Path,
    processed_dir: Path,
    reports_dir: Path,
    *,
    params_dir: Path | None = None,
    params_file: Path | None = None,
    overrides: list[tuple[str, str]] | tuple = (),
    notebooks_dir: Path | None = None,
    notebooks: tuple[str, ...] = NOTEBOOKS,
) -> Path:
    """Run the monthly report and return ``reports/<month>/``.

    Args:
        month: ``YYYY-MM``; None = the ``month`` parameter, else the latest complete month.
        raw_dir: Raw exports folder (never written).
        processed_dir: Processed tables folder (re-ingested when older than the raw files).
        reports_dir: Where ``<month>/`` is written.
        params_dir: Folder with org.yaml and monthly.yaml (default ``params/``).
        params_file: Extra YAML parameters (``--params``).
        overrides: ``-p KEY VALUE`` pairs.
        notebooks_dir: Folder of the notebooks to run (default: the project's ``notebooks/``).
        notebooks: Notebook file names to execute, in order; the last becomes report.html.

    Raises:
        ReportError: A notebook failed (its partial copy is kept under ``failed/``).
        ConfigError: Bad parameters or a month without data.
    """
    from papermill.exceptions import PapermillExecutionError

    from workbench.io.tables import read_ingest_log
    from workbench.report.context import ensure_processed
    from workbench.report.html import render_index_html, render_report_html

    raw_dir, processed_dir, reports_dir = Path(raw_dir), Path(processed_dir), Path(reports_dir)
    params_dir = Path(params_dir) if params_dir else PROJECT_ROOT / "params"
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS_DIR
    params = load_params(params_dir, params_file, overrides)
    if month:
        params["month"] = month
    if not raw_dir.exists():
        raise ConfigError(
            "the raw exports folder does not exist",
            file=raw_dir,
            hint="download the month's exports into data/raw/<month>/",
        )
    ensure_processed(raw_dir, processed_dir, params)
    month = params.get("month") or latest_complete_month(raw_dir, processed_dir, params)
    if not MONTH_RE.match(str(month)):
        raise ConfigError(f"month {month!r} is not YYYY-MM", hint="use --month 2024-03")
    month = str(month)
    params["month"] = month
    # notebooks find stored experiment analyses under <reports>/experiments/
    params["reports_dir"] = str(reports_dir.resolve())
    _check_month_has_data(processed_dir, month)

    reports_dir.mkdir(parents=True, exist_ok=True)
    final_dir = reports_dir / month
    staging = reports_dir / f".staging-{month}"
    if staging.exists():
        shutil.rmtree(staging)
    results_dir = staging / "_results"
    results_dir.mkdir(parents=True)
    notebook_params = {
        "month": month,
        "raw_dir": str(raw_dir.resolve()),
        "processed_dir": str(processed_dir.resolve()),
        "params_dir": str(params_dir.resolve()),
        "params_json": json.dumps(jsonable(params)),
        "results_dir": str(results_dir.resolve()),
        "window_months": int(params.get("window_months", 6)),
        "alpha": float(params.get("alpha", 0.05)),
        "fdr_q": float(params.get("fdr_q", 0.10)),
    }
    started = time.monotonic()
    for index, name in enumerate(notebooks, start=1):
        source = notebooks_dir / name
        if not source.exists():
            shutil.rmtree(staging, ignore_errors=True)
            raise ConfigError(
                "notebook not found", file=source, hint="restore it from the workbench repository"
            )
        print(f"[{index}/{len(notebooks)}] {name} ...", flush=True)
        t0 = time.monotonic()
        try:
            execute_staged(source, staging, final_dir, notebook_params)
        except PapermillExecutionError as exc:
            raise ReportError(
                f"notebook {name} failed in cell {exc.exec_count}: {exc.ename}: "
                f"{first_line(exc.evalue)}",
                file=final_dir / "failed" / name,
                hint="open the failed notebook to see the traceback; the previous report was "
                "left in place",
            ) from exc
        print(f"      done in {time.monotonic() - t0:.1f} s", flush=True)

    recorded = collect(results_dir)
    ingest_log = read_ingest_log(processed_dir)
    results = {
        "month": month,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "workbench_version": __version__,
        "git_commit": git_commit(),
        "params": jsonable(params),
        "inputs": _inputs(ingest_log),
        "notebooks": {name: _file_sha256(notebooks_dir / name) for name in notebooks},
        "kpis": recorded.pop("kpis", []),
        "hypotheses": recorded.pop("hypotheses", []),
        "posting_times": recorded.pop("posting_times", {}),
        "topics": recorded.pop("topics", {}),
        "warnings": recorded.pop("warnings", []),
    }
    results.update(recorded)  # further sections (data_quality, next_month, findings, ...)
    write_json_atomic(staging / "results.json", results)
    footer = (
        f"Generated {results['generated_at']} by workbench {__version__}"
        f"{' (' + results['git_commit'][:12] + ')' if results['git_commit'] else ''}"
        f" from {len(results['inputs'])} export files. Full details: results.json and the "
        "analyst notebooks in this folder."
    )
    html = render_report_html(staging / LEADERSHIP_NOTEBOOK, params, month, footer_html=esc(footer))
    write_text_atomic(staging / "report.html", html)
    shutil.rmtree(results_dir)
    replace_dir_atomic(staging, final_dir)
    write_text_atomic(reports_dir / "index.html", render_index_html(reports_dir, params))
    print(f"Report for {month} written in {time.monotonic() - started:.0f} s: {final_dir}")
    return final_dir

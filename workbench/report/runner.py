"""``workbench report --month YYYY-MM``: compute the month once, show it in the notebooks.

Steps: layer the parameters; ingest and label when the processed tables are older than the
raw files; compute the month's analysis once (:func:`workbench.analysis.analyse_month`, cached
on disk); execute the notebooks of :data:`NOTEBOOKS` side by side into a staging folder (they
only display the cached results, so their order does not matter); write ``results.json`` from
the :class:`~workbench.analysis.MonthResults` with provenance; convert the leadership notebook
into ``report.html``; then swap the staging folder in as ``reports/<month>/`` in one rename.
A failed run keeps its partial notebook in ``reports/<month>/failed/`` and leaves the previous
good report untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.analysis.context import (
    TABLES_CHECKED_ENV,
    check_raw_dir,
    ensure_processed,
    latest_complete_month_of,
)
from workbench.config import PROJECT_ROOT, load_params
from workbench.errors import ConfigError, ReportError
from workbench.io.atomic import replace_dir_atomic, write_json_atomic, write_text_atomic
from workbench.jsonsafe import jsonable
from workbench.kernels import preloader_for
from workbench.month import Month
from workbench.report.display import esc
from workbench.staging import execute_many, first_line

__all__ = ["NOTEBOOKS", "first_line", "latest_complete_month", "run_report"]

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: The report's notebooks (independent: each displays the month's results); the last one is
#: the leadership summary that becomes report.html.
NOTEBOOKS = (
    "01_data_quality.ipynb",
    "02_kpis.ipynb",
    "03_content_hypotheses.ipynb",
    "04_posting_times.ipynb",
    "05_next_month.ipynb",
    "07_audience.ipynb",
    "06_leadership_summary.ipynb",
)
LEADERSHIP_NOTEBOOK = NOTEBOOKS[-1]
#: The notebooks that take longest to show their results (the most figures), started first
#: so the quick ones, not these, are the last to run on a busy machine.
SLOWEST_FIRST = ("02_kpis.ipynb", "06_leadership_summary.ipynb", "04_posting_times.ipynb",
                 "07_audience.ipynb")

#: What the notebooks' kernels import (their set-up cells, and the modules of the month's
#: results they unpickle), loaded once for all of them (:mod:`workbench.kernels`).
REPORT_MODULES = (
    "pyarrow.parquet",  # the tables each notebook opens
    "workbench.analysis.context",
    "workbench.analysis.results",
    "workbench.report.audience",
    "workbench.report.display",
    "workbench.report.figures",
    "workbench.report.sections",
    "workbench.report.strategy",
    "workbench.report.website",
    "workbench.stats.frequency",
    "workbench.stats.hypotheses",
    "workbench.stats.posting_times",
    "workbench.stats.strategy",
    "workbench.stats.top_posts",
    "workbench.stats.topics",
    "workbench.website.results",
)

#: What the half of the month's analysis computed in a process forked from the kernels'
#: preloader needs (:func:`workbench.analysis.month.side_sections`): imported there first,
#: so that half starts before the kernels' own modules are imported.
SIDE_MODULES = (
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "statsmodels.discrete.discrete_model",
    "statsmodels.genmod.generalized_linear_model",
    "workbench.analysis.month",
    "workbench.audience",
    "workbench.kpis",
    "workbench.website.results",
    "workbench.website.social",
)


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


def latest_complete_month(raw_dir: Path, processed_dir: Path, params: dict[str, Any]) -> str:
    """The latest complete month in the data (ingesting first when needed)."""
    from workbench.io.tables import load_tables, read_ingest_log

    ensure_processed(Path(raw_dir), Path(processed_dir), params)
    return latest_complete_month_of(load_tables(processed_dir), read_ingest_log(processed_dir))


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(ingest_log: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"file": f.get("path"), "sha256": f.get("sha256"), "kind": f.get("kind")}
        for f in ingest_log.get("files", [])
    ]


def _check_month_has_data(tables, processed_dir: Path, month: str) -> None:
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


def _offload(preloader, side):
    """``analyse_month``'s offload: the side sections already asked for, else a new call."""
    if preloader is None:
        return None
    from workbench.analysis.month import side_sections

    def offload(function, argument):
        if side is not None and function is side_sections and not side.taken:
            side.taken = True
            return side
        return preloader.submit(function, argument)

    return offload


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
    workers: int | None = None,
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
        notebooks: Notebook file names to execute; the last becomes report.html.
        workers: Notebooks executed side by side (default: ``WORKBENCH_WORKERS`` or the
            machine's cores).

    Raises:
        ReportError: A notebook failed (its partial copy is kept under ``failed/``).
        ConfigError: Bad parameters or a month without data.
    """
    from workbench.analysis import analyse_month, open_month
    from workbench.analysis.month import claim_month, side_sections
    from workbench.io.tables import read_ingest_log
    from workbench.report.html import render_index_html, render_report_html

    started = time.monotonic()
    # Absolute paths only: papermill changes the process's working directory while each
    # notebook runs, and the notebooks run side by side in threads, so a relative path
    # (``make report`` passes ``reports/sample``) would point elsewhere mid-run.
    raw_dir, processed_dir = Path(raw_dir).resolve(), Path(processed_dir).resolve()
    reports_dir = Path(reports_dir).resolve()
    params_dir = Path(params_dir).resolve() if params_dir else PROJECT_ROOT / "params"
    params_file = Path(params_file).resolve() if params_file else None
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    params = load_params(params_dir, params_file, overrides)
    if month:
        params["month"] = str(Month.parse(month))
    check_raw_dir(raw_dir)
    ensure_processed(raw_dir, processed_dir, params)
    month = params.get("month") or latest_complete_month(raw_dir, processed_dir, params)
    month = str(Month.parse(str(month)))
    params["month"] = month
    # notebooks find stored experiment analyses under <reports>/experiments/
    params["reports_dir"] = str(reports_dir.resolve())
    sources = [notebooks_dir / name for name in notebooks]
    for source in sources:
        if not source.exists():
            raise ConfigError(
                "notebook not found", file=source, hint="restore it from the workbench repository"
            )

    params_json = json.dumps(jsonable(params))
    ctx = open_month(month, raw_dir=raw_dir.resolve(), processed_dir=processed_dir.resolve(),
                     params_dir=params_dir.resolve(), params_json=params_json)
    _check_month_has_data(ctx.tables, processed_dir, month)
    reports_dir.mkdir(parents=True, exist_ok=True)
    final_dir = reports_dir / month
    staging = reports_dir / f".staging-{month}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    notebook_params = {
        "month": month,
        "sample": False,
        "raw_dir": str(raw_dir.resolve()),
        "processed_dir": str(processed_dir.resolve()),
        "params_dir": str(params_dir.resolve()),
        "params_json": params_json,
    }
    # The notebooks only display the month's results: their kernels start now, while this
    # process computes the month once; they wait for the cached result, never recompute it.
    t0 = time.monotonic()
    print(f"Analysing {month} while {len(sources)} notebooks start ...", flush=True)
    # the kernels are forked from one process that imports their libraries once (its imports
    # overlap the month's analysis), or launched the usual way where that cannot be done
    preloader = preloader_for("python3", REPORT_MODULES, SIDE_MODULES)
    if preloader:  # the notebooks show the tables checked above, as the results do
        preloader.kernel_env[TABLES_CHECKED_ENV] = str(processed_dir)
    with ThreadPoolExecutor(max_workers=1) as background, \
            contextlib.closing(preloader) if preloader else contextlib.nullcontext():
        # released before waiting for the notebooks, even on error
        with claim_month(ctx) as computing:
            # Half of the month's sections run in a process forked from the preloader, asked
            # for before the kernels so it starts as soon as its modules are imported.
            side = preloader.submit(side_sections, ctx) if computing and preloader else None
            run_order = sorted(sources, key=lambda source: (
                SLOWEST_FIRST.index(source.name) if source.name in SLOWEST_FIRST
                else len(SLOWEST_FIRST)))
            notebooks_done = background.submit(
                execute_many, run_order, staging, final_dir, notebook_params,
                max_workers=workers, preloader=preloader,
                progress=lambda name: print(f"      {name} done", flush=True))
            try:
                results = analyse_month(ctx, offload=_offload(preloader, side))
            finally:
                if side is not None and not side.taken:
                    side.discard()  # computed elsewhere (or failed) after all
            print(f"      month analysed in {time.monotonic() - t0:.1f} s", flush=True)
        failure = notebooks_done.result()
    if failure is not None:
        raise ReportError(
            f"notebook {failure.name} failed in cell {failure.exec_count}: {failure.ename}: "
            f"{failure.evalue}",
            file=final_dir / "failed" / failure.name,
            hint="open the failed notebook to see the traceback; the previous report was "
            "left in place",
        )
    print(f"      notebooks done in {time.monotonic() - t0:.1f} s", flush=True)

    ingest_log = read_ingest_log(processed_dir)
    document = {
        "month": month,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "workbench_version": __version__,
        "git_commit": git_commit(),
        "params": jsonable(params),
        "inputs": _inputs(ingest_log),
        "notebooks": {name: _file_sha256(notebooks_dir / name) for name in notebooks},
        **results.to_json(),
    }
    write_json_atomic(staging / "results.json", document)
    footer = (
        f"Generated {document['generated_at']} by workbench {__version__}"
        f"{' (' + document['git_commit'][:12] + ')' if document['git_commit'] else ''}"
        f" from {len(document['inputs'])} export files. Full details: results.json and the "
        "analyst notebooks in this folder."
    )
    html = render_report_html(staging / notebooks[-1], params, month, footer_html=esc(footer))
    write_text_atomic(staging / "report.html", html)
    replace_dir_atomic(staging, final_dir)
    write_text_atomic(reports_dir / "index.html", render_index_html(reports_dir, params))
    print(f"Report for {month} written in {time.monotonic() - started:.0f} s: {final_dir}")
    return final_dir

"""``workbench experiment analyze``: execute the analysis notebook and write the report.

The notebook (``notebooks/experiment_analysis.ipynb``) calls `notebook_analysis`, which
analyses the experiment and writes ``results.json`` into the staging folder; this module then
renders ``report.html`` (no code) and swaps the staging folder in as
``reports/experiments/NAME/`` (keeping the schedule files written at registration). A failed
run keeps the partial notebook under ``failed/`` and leaves the previous analysis in place.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.config import PROJECT_ROOT, load_params
from workbench.errors import ExperimentError
from workbench.experiments import registry as reg

NOTEBOOK = "experiment_analysis.ipynb"


def notebook_analysis(name: str, processed_dir: str | Path, *, registry_dir: str | Path = "",
                      params_dir: str | Path = "", reports_dir: str | Path = "",
                      results_dir: str | Path = "", extra_registries: tuple = ()):
    """What the analysis notebook runs: the ExperimentResult, or None with a printed reason.

    Returns None (after printing a clear message, without raising) when no experiment is
    registered or the processed tables do not exist, so the notebook runs on its defaults.
    """
    from workbench.experiments.core import analyze_tables, holm_family, write_analysis
    from workbench.io.tables import load_tables

    params = load_params(Path(params_dir) if params_dir else None)
    registry = Path(registry_dir) if registry_dir else reg.DEFAULT_REGISTRY
    registries = [registry, *[Path(r) for r in extra_registries]]
    if not name:
        known = [r["name"] for _, r in reg.list_registrations(registries)]
        print("No experiment chosen." + (f" Registered: {', '.join(known)}." if known else
                                         " None is registered yet: plan one with "
                                         "`workbench experiment new`."))
        return None
    if not (Path(processed_dir) / "ingest_log.json").exists():
        print(f"No processed tables in {processed_dir}: run `workbench ingest` first.")
        return None
    record = reg.read_registration(registry, name)
    tables = load_tables(processed_dir)
    schedule_csv = Path(reports_dir) / "experiments" / name / "schedule.csv" if reports_dir \
        else None
    result = analyze_tables(record, tables, params, schedule_csv=schedule_csv)
    result = holm_family(record, result, registries, tables, params)
    if results_dir:
        write_analysis(result, Path(results_dir))
    return result


def analyze_experiment(name: str, processed_dir: Path, *, registry: Path | None = None,
                       reports_dir: Path = Path("reports"), params_dir: Path | None = None,
                       notebooks_dir: Path | None = None) -> Path:
    """Run the analysis notebook for ``name``; return ``reports_dir/experiments/NAME/``."""
    from papermill.exceptions import PapermillExecutionError

    from workbench.io.atomic import replace_dir_atomic, write_text_atomic
    from workbench.report.runner import execute_staged, first_line

    registry = Path(registry) if registry else reg.DEFAULT_REGISTRY
    record = reg.read_registration(registry, name)  # fail fast: unknown or edited
    params = load_params(params_dir)
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else PROJECT_ROOT / "notebooks"
    source = notebooks_dir / NOTEBOOK
    if not source.exists():
        raise ExperimentError("analysis notebook not found", file=source,
                              hint="restore it from the workbench repository")
    final_dir = Path(reports_dir) / "experiments" / name
    staging = final_dir.parent / f".{name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if final_dir.is_dir():  # keep what registration wrote (schedule.csv, hootsuite_*.csv)
        for path in final_dir.iterdir():
            if path.is_file() and (path.name == "schedule.csv" or path.name.startswith(
                    "hootsuite_")):
                shutil.copy2(path, staging / path.name)
    parameters = {
        "name": name,
        "processed_dir": str(Path(processed_dir).resolve()),
        "registry_dir": str(registry.resolve()),
        "params_dir": str(Path(params_dir).resolve()) if params_dir else "",
        "reports_dir": str(Path(reports_dir).resolve()),
        "results_dir": str(staging.resolve()),
    }
    try:
        execute_staged(source, staging, final_dir, parameters)
    except PapermillExecutionError as exc:
        raise ExperimentError(f"the analysis notebook failed: {exc.ename}: "
                              f"{first_line(exc.evalue)}",
                              file=final_dir / "failed" / NOTEBOOK,
                              hint="open the failed notebook to see why; the previous "
                                   "analysis was left in place") from exc
    if not (staging / "results.json").exists():
        shutil.rmtree(staging, ignore_errors=True)
        raise ExperimentError("the analysis wrote no results", file=final_dir,
                              hint="check the processed folder holds the experiment's posts")
    write_text_atomic(staging / "report.html", render_html(staging / NOTEBOOK, params, record))
    replace_dir_atomic(staging, final_dir)
    return final_dir


def render_html(notebook: Path, params: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """The code-free leadership page of an executed analysis notebook."""
    from workbench.report.display import esc
    from workbench.report.html import notebook_body_html, page_html

    return page_html(
        dict(params), f"experiment {record['name']}",
        f"Content experiment {record['name']} · {record['start']} to {record['end']}",
        notebook_body_html(notebook),
        esc(f"Pre-registered {record['registered_at']}; registration hash "
            f"{record['registration_hash'][:12]}"))

"""``workbench experiment analyze``: execute the analysis notebook and write its page.

The notebook (``notebooks/experiment_analysis.ipynb``) analyses the experiment and writes
``results.json`` into the staging folder (:func:`workbench.experiments.run.notebook_analysis`);
this module renders ``report.html`` (no code) and swaps the staging folder in as
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
from workbench.experiments.run import NOTEBOOK


def analyze_experiment(name: str, processed_dir: Path, *, registry: Path | None = None,
                       reports_dir: Path = Path("reports"), params_dir: Path | None = None,
                       notebooks_dir: Path | None = None) -> Path:
    """Run the analysis notebook for ``name``; return ``reports_dir/experiments/NAME/``."""
    from papermill.exceptions import PapermillExecutionError

    from workbench.io.atomic import replace_dir_atomic, write_text_atomic
    from workbench.staging import execute_staged, first_line

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

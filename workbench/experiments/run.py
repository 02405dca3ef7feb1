"""What the experiment analysis notebook runs: `notebook_analysis`.

The notebook (``notebooks/experiment_analysis.ipynb``) calls `notebook_analysis`, which
analyses the experiment and writes ``results.json`` into the staging folder; the page and the
staging are :mod:`workbench.report.experiment`'s and :mod:`workbench.staging`'s.
"""

from __future__ import annotations

from pathlib import Path

from workbench.config import load_params
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

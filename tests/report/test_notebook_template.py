"""The report notebooks share one parameters cell and one setup cell (the template)."""

from pathlib import Path

import nbformat
import pytest

from workbench.report.notebooks import PARAMETERS_SOURCE, SETUP_SOURCE, template_cells
from workbench.report.runner import NOTEBOOKS

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_and_setup_cells_match_the_template(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    parameters, setup = template_cells(notebook)
    assert parameters.source == PARAMETERS_SOURCE, (
        f"{name}: parameters cell differs from the template; run "
        "workbench.report.notebooks.apply_template")
    assert setup.source == SETUP_SOURCE, f"{name}: setup cell differs from the template"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_report_notebooks_only_display(name):
    """No notebook recomputes the month or passes results to another."""
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for forbidden in ("record(", "recorded", "run_hypotheses", "analyse_posting_times",
                      "rank_topics", "kpi_table(", "results.json"):
        assert forbidden not in code, f"{name} uses {forbidden}"


def test_no_default_repeats_a_setting():
    """Run settings (window, alpha, FDR q, seed) have their defaults in monthly.yaml only."""
    for name in ("window_months", "alpha", "fdr_q", "seed"):
        assert name not in PARAMETERS_SOURCE

"""``import workbench as wb`` gives what an analyst uses in a cell, and stays quick to import."""

import subprocess
import sys

import pytest

import workbench as wb

NAMES = ("open_month", "load_tables", "analyse_month", "kpi_table", "label_posts",
         "run_report", "MonthResults", "RunParams", "Month", "load_run_params")


@pytest.mark.parametrize("name", NAMES)
def test_names_resolve_to_the_package_functions(name):
    value = getattr(wb, name)
    assert value.__module__.startswith("workbench."), name
    assert name in dir(wb)


def test_unknown_names_fail_like_any_module():
    with pytest.raises(AttributeError, match="no attribute 'open_mnth'"):
        wb.open_mnth  # noqa: B018


def test_import_does_not_load_the_heavy_layers():
    code = ("import sys, workbench; "
            "print(any(m.startswith(('pandas', 'statsmodels', 'papermill')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"

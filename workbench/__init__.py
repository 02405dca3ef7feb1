"""workbench: monthly social-media and website analytics for newcomer-serving nonprofits.

What an analyst uses in a notebook cell::

    import workbench as wb

    ctx = wb.open_month("2024-03", raw_dir="data/raw", processed_dir="data/processed")
    results = wb.analyse_month(ctx)          # computed once, cached on disk
    results.kpis.table                       # the KPI table
    results.hypotheses.frame()               # the content comparisons
    wb.kpi_table(ctx.tables, "2024-02")      # any month's KPIs
    wb.run_report("2024-03", "data/raw", "data/processed", "reports")

The names load lazily, so ``import workbench`` stays quick (the command line imports it).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name → the module that defines it.
_API = {
    "open_month": "workbench.analysis.context",
    "MonthContext": "workbench.analysis.context",
    "analyse_month": "workbench.analysis.month",
    "MonthResults": "workbench.analysis.results",
    "load_tables": "workbench.io.tables",
    "ingest": "workbench.io.ingest",
    "kpi_table": "workbench.kpis",
    "kpi_history": "workbench.kpis",
    "label_posts": "workbench.labels.core",
    "join_labels": "workbench.labels.core",
    "run_hypotheses": "workbench.stats.hypotheses",
    "run_report": "workbench.report.runner",
    "load_params": "workbench.config",
    "load_run_params": "workbench.config",
    "RunParams": "workbench.params",
    "Month": "workbench.month",
    "PLATFORMS": "workbench.platforms",
    "WorkbenchError": "workbench.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

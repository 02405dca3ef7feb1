"""The month's analysis, computed once: ``open_month`` → ``analyse_month`` → ``MonthResults``."""

from workbench.analysis.context import MonthContext, open_month
from workbench.analysis.month import analyse_month
from workbench.analysis.results import MonthResults

__all__ = ["MonthContext", "MonthResults", "analyse_month", "open_month"]

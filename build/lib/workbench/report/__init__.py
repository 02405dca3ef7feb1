"""Monthly reports: the notebook context, recorded results, figures, HTML and the runner."""

from workbench.report.context import MonthContext, open_month
from workbench.report.record import record, recorded

__all__ = ["MonthContext", "open_month", "record", "recorded"]

"""Organic content experiments: plan, pre-register, analyse; and the decisions log.

``workbench experiment new`` writes an immutable registration (``params/experiments/NAME.yaml``)
and a block-randomised schedule; ``workbench experiment analyze`` matches the published posts
to the planned slots and estimates the arm rate ratio (NB model, randomization-test p-value).
The monthly analysis calls `experiments_status` and `decisions_review`;
`workbench.report.experiment` executes the analysis notebook and renders its page.
"""

from workbench.experiments.core import analyze_tables, new_experiment, plan_experiment
from workbench.experiments.decisions import decisions_review, read_decisions
from workbench.experiments.design import make_design, make_schedule
from workbench.experiments.status import experiments_status

__all__ = [
    "analyze_tables",
    "decisions_review",
    "experiments_status",
    "make_design",
    "make_schedule",
    "new_experiment",
    "plan_experiment",
    "read_decisions",
]

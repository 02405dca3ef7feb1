"""Organic content experiments: plan, pre-register, analyse; and the decisions log.

``workbench experiment new`` writes an immutable registration (``params/experiments/NAME.yaml``)
and a block-randomised schedule; ``workbench experiment analyze`` matches the published posts
to the planned slots and estimates the arm rate ratio (NB model, randomization-test p-value).
The monthly report calls `experiments_status` and `decisions_review`.
"""

from workbench.experiments.core import analyze_tables, new_experiment, plan_experiment
from workbench.experiments.decisions import decisions_review, read_decisions
from workbench.experiments.design import make_design, make_schedule
from workbench.experiments.run import analyze_experiment
from workbench.experiments.status import experiments_status

__all__ = [
    "analyze_experiment",
    "analyze_tables",
    "decisions_review",
    "experiments_status",
    "make_design",
    "make_schedule",
    "new_experiment",
    "plan_experiment",
    "read_decisions",
]

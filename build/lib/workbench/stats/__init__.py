"""Statistics engine: content hypotheses, power, multiple testing (reference/statistics.md).

Import the submodules directly (``from workbench.stats.hypotheses import run_hypotheses``);
this package file stays light so that importing one part does not load the others.
"""

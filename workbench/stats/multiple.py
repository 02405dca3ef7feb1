"""Multiple-testing adjustment of the month's family (statistics.md §3).

Exploratory family (every p-value printed in the month's report): Benjamini-Hochberg at
q = params ``fdr_q``. Pre-registered (confirmatory) hypotheses: Holm among themselves at
params ``alpha``. Missing p-values (insufficient data) are not members of either family.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module

stats = lazy_module("scipy.stats")
multitest = lazy_module("statsmodels.stats.multitest")


def _as_array(p_values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if p is None else float(p) for p in p_values], dtype="float64")


def bh_adjust(p_values: Iterable[float | None]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN/None entries stay NaN and are not counted.

    Uses ``scipy.stats.false_discovery_control(p, method="bh")``.
    """
    p = _as_array(p_values)
    out = np.full_like(p, np.nan)
    present = ~np.isnan(p)
    if present.any():
        out[present] = stats.false_discovery_control(p[present], method="bh")
    return out


def holm_adjust(p_values: Iterable[float | None], alpha: float = 0.05) -> np.ndarray:
    """Holm adjusted p-values (``multipletests(method="holm")``); NaN entries stay NaN."""
    p = _as_array(p_values)
    out = np.full_like(p, np.nan)
    present = ~np.isnan(p)
    if present.any():
        out[present] = multitest.multipletests(p[present], alpha=alpha, method="holm")[1]
    return out


def adjust_family(
    ids: Sequence[str],
    p_values: Sequence[float | None],
    *,
    registered: Iterable[str] = (),
    alpha: float = 0.05,
) -> np.ndarray:
    """Adjusted p-value for every member of the month's family.

    Args:
        ids: Hypothesis id of each p-value (e.g. ``human_centred``, ``topic:housing``);
            an id may repeat (one row per platform).
        p_values: Raw p-values (NaN/None when no test was run).
        registered: Ids pre-registered as confirmatory: their rows are Holm-adjusted among
            themselves; all other rows are BH-adjusted together.
        alpha: Level passed to Holm (does not change the adjusted values).

    Returns:
        Adjusted p-values in the input order.
    """
    registered = set(registered)
    p = _as_array(p_values)
    is_registered = np.array([i in registered for i in ids], dtype=bool)
    out = np.full_like(p, np.nan)
    if (~is_registered).any():
        out[~is_registered] = bh_adjust(p[~is_registered])
    if is_registered.any():
        out[is_registered] = holm_adjust(p[is_registered], alpha=alpha)
    return out


def adjust_frame(frame: pd.DataFrame, *, registered: Iterable[str] = (), alpha: float = 0.05
                 ) -> pd.DataFrame:
    """Return ``frame`` (columns ``id``, ``p_value``) with ``p_adjusted`` filled."""
    adjusted = adjust_family(list(frame["id"]), list(frame["p_value"]), registered=registered,
                             alpha=alpha)
    return frame.assign(p_adjusted=adjusted)

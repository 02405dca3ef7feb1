"""Power, minimum detectable effect and the "underpowered" banner (statistics.md §7).

All power numbers come from ``statsmodels.stats.rates.power_negbin_ratio_2indep``
(Zhu & Lakkis 2014) with ``method_var="alt"``; the solvers for MDE and sample size are
``scipy.optimize.brentq`` around it. Never compute "observed power" from an observed effect.
"""

from __future__ import annotations

import math

import numpy as np

from workbench.errors import WorkbenchError
from workbench.lazy import lazy_module

optimize = lazy_module("scipy.optimize")
stats = lazy_module("scipy.stats")
rates = lazy_module("statsmodels.stats.rates")

TARGET_POWER = 0.80
#: Dispersion used when the fit found none (Poisson fallback); the formula needs α > 0.
MIN_DISPERSION = 1e-6
_MAX_IRR = 1000.0


def _check_groups(n1: float, n0: float) -> None:
    if not (n1 > 0 and n0 > 0):
        raise WorkbenchError(
            f"power needs posts in both groups (got {n1:g} and {n0:g})",
            hint="widen the window or pool platforms",
        )


def power_at(
    irr: float,
    n1: float,
    n0: float,
    mu0: float,
    dispersion: float,
    *,
    sig_level: float = 0.05,
) -> float:
    """Power of the two-sided NB rate-ratio test (§7.1).

    Args:
        irr: True rate ratio of group 1 vs group 0.
        n1: Posts in group 1 (labelled).
        n0: Posts in group 0.
        mu0: Mean interactions per post in group 0.
        dispersion: NB2 α (from the rolling-window fit).
        sig_level: Test level.
    """
    _check_groups(n1, n0)
    result = rates.power_negbin_ratio_2indep(
        mu0 * irr,
        mu0,
        n1,
        nobs_ratio=n0 / n1,
        exposure=1,
        value=1,
        alpha=sig_level,
        dispersion=max(dispersion, MIN_DISPERSION),
        method_var="alt",
    )
    return float(result.power)


def mde(
    n1: float,
    n0: float,
    mu0: float,
    dispersion: float,
    *,
    power: float = TARGET_POWER,
    sig_level: float = 0.05,
    vif: float = 1.0,
) -> float:
    """Smallest rate ratio (> 1) detected with ``power`` (MDE₈₀ by default).

    Args:
        n1: Posts in group 1.
        n0: Posts in group 0.
        mu0: Mean interactions per post in group 0.
        dispersion: NB2 α.
        power: Target power.
        sig_level: Test level.
        vif: Variance inflation of the label from covariate adjustment, 1/(1 − R²);
            applied by shrinking both groups to n / vif effective posts.

    Returns:
        The MDE as a rate ratio; ``inf`` when even a 1000× effect is not detectable.
    """
    _check_groups(n1, n0)
    n1_eff, n0_eff = n1 / vif, n0 / vif

    def gap(log_irr: float) -> float:
        return power_at(math.exp(log_irr), n1_eff, n0_eff, mu0, dispersion,
                        sig_level=sig_level) - power

    if gap(math.log(_MAX_IRR)) < 0:
        return float("inf")
    return float(math.exp(optimize.brentq(gap, 1e-9, math.log(_MAX_IRR), xtol=1e-6)))


def mde_from_se(
    se_log_irr: float, *, sig_level: float = 0.05, power: float = TARGET_POWER
) -> float:
    """MDE from the SE actually used for inference: exp((z₁₋α/₂ + z_power) · SE) (§7.1)."""
    z = stats.norm.ppf(1 - sig_level / 2) + stats.norm.ppf(power)
    return float(np.exp(z * se_log_irr))


def posts_needed(
    irr: float = 1.3,
    *,
    mu0: float,
    dispersion: float,
    share_labelled: float = 0.4,
    power: float = TARGET_POWER,
    sig_level: float = 0.05,
) -> int:
    """Total posts needed to detect ``irr`` with ``power`` ("what would settle it", §7.3).

    Args:
        irr: Effect to detect (default 1.3).
        mu0: Mean interactions per post in the comparison group.
        dispersion: NB2 α from the rolling window.
        share_labelled: Share of posts in group 1.
        power: Target power.
        sig_level: Test level.

    Returns:
        Total posts (both groups), rounded up.
    """
    if not 0 < share_labelled < 1:
        raise WorkbenchError(
            f"share_labelled is {share_labelled}, not between 0 and 1",
            hint="pass the share of posts that carry the label, e.g. 0.4",
        )
    if irr == 1:
        return 10**9

    def gap(total: float) -> float:
        return power_at(irr, share_labelled * total, (1 - share_labelled) * total, mu0,
                        dispersion, sig_level=sig_level) - power

    if gap(2.0) >= 0:
        return 2
    high = 10.0
    while gap(high) < 0:
        high *= 2
        if high > 1e9:
            return 10**9
    return int(math.ceil(optimize.brentq(gap, 2.0, high, xtol=0.5)))


def is_underpowered(mde_value: float, warn_ratio: float = 1.5) -> bool:
    """True when the 80 %-power MDE exceeds ``warn_ratio`` (params ``mde_warn_ratio``)."""
    return bool(not np.isfinite(mde_value) or mde_value > warn_ratio)


def power_banner(mde_value: float, n: int, *, warn_ratio: float = 1.5, limited_at: float = 1.3
                 ) -> str | None:
    """The §7.3 banner for an MDE, or None when power is adequate.

    Args:
        mde_value: MDE₈₀ as a rate ratio.
        n: Posts in the comparison.
        warn_ratio: Above this: "Underpowered".
        limited_at: Above this (up to ``warn_ratio``): "Limited power".
    """
    shown = "1000+" if not np.isfinite(mde_value) else f"{mde_value:.1f}"
    if is_underpowered(mde_value, warn_ratio):
        return (
            f"Underpowered: with {n} posts this comparison can only detect differences of "
            f"about ×{shown} or more. Treat the result as descriptive."
        )
    if mde_value > limited_at:
        return f"Limited power: effects smaller than ×{shown} will usually be missed."
    return None


def type_m_ratio(
    se_log_irr: float,
    *,
    true_irr: float = 1.2,
    sig_level: float = 0.05,
    draws: int = 20_000,
    seed: int = 0,
) -> float:
    """Exaggeration ratio E[|b̂| | significant] / |b| (Gelman & Carlin 2014, §7.3).

    Args:
        se_log_irr: SE of the log rate ratio used for inference.
        true_irr: Plausible true effect.
        sig_level: Test level.
        draws: Monte Carlo draws.
        seed: Random seed.
    """
    rng = np.random.default_rng(seed)
    b = math.log(true_irr)
    estimates = rng.normal(b, se_log_irr, draws)
    significant = np.abs(estimates / se_log_irr) > stats.norm.ppf(1 - sig_level / 2)
    if not significant.any():
        return float("inf")
    return float(np.abs(estimates[significant]).mean() / abs(b))

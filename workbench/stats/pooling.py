"""Selection-honest findings: partial pooling of the log rate ratios of a family (issue 11 §3).

The summary picks the findings with the smallest adjusted p out of 10-30 comparisons; their raw
estimates are biased away from 1 (the winner's curse: a comparison is selected partly because
its noise pushed it out). This module shrinks every comparison of a family towards "no
difference" by how noisy it is and by how spread out the family's true effects look, and gives
the interval the report prints for a selected finding.

Model (hierarchical normal on the log scale, statistics.md §4.3 uses the same for cells):

    b_i | θ_i ~ N(θ_i, s_i²)                  b_i = log(rate ratio), s_i its standard error
    θ_i | π, τ ~ (1 − π) N(0, 0.02²) + π N(0, τ²)   "essentially no difference" or a real effect
    π ~ Uniform(0, 1), τ ~ Uniform(0, TAU_MAX)      share and spread of the real effects

θ_i's posterior is a mixture of normals N(w b_i, w s_i²), w = sd²/(sd² + s_i²), one per prior
component, weighted by the marginal likelihood of (π, τ) on a grid and by how well each
component explains b_i. Integrating over (π, τ) instead of plugging in estimates keeps the
intervals honest when the family is small; the spike-and-slab form keeps them honest when most
comparisons are null and a few are large (a single normal prior shrank those too far: coverage
0.86 for the selected in the sparse world of the benchmark).

Why this and not Benjamini-Yekutieli FCR intervals: BY intervals for R selected out of m are
raw intervals at level 1 − Rq/m (99.4 % for 3 of 25 at q = 0.05): they keep coverage but stay
centred on the biased raw estimate, so the number printed is still the inflated one and the
interval becomes too wide to use. Pooling gives one corrected number per question and an
interval of ordinary width; its coverage of the planted effects for the selected findings is
measured in ``benchmarks/selection.py`` (nominal or better in every world tried there,
including sparse worlds the normal prior does not describe).

Centre 0 rather than an estimated mean: the comparisons of a family (each topic vs the rest;
each label vs its absence) have no common direction, and shrinking towards "no difference" is
the conservative direction for a leadership summary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module

special = lazy_module("scipy.special")
stats = lazy_module("scipy.stats")

#: Upper end of the uniform prior on τ (log scale; e^1.5 ≈ 4.5× spread of true rate ratios).
TAU_MAX = 1.5
_TAU_GRID = 61
_SHARE_GRID = 25
_THETA_GRID = 1201
#: Prior sd of a comparison with essentially no difference (±4 % on the rate ratio).
NULL_SD = 0.02
#: Families with fewer members are not pooled (the raw result stands).
MIN_FAMILY = 3
POOLED_COLUMNS = ("estimate_pooled", "ci_low_pooled", "ci_high_pooled", "p_above_1_pooled",
                  "tau", "family_size")


def se_from_interval(ci_low: float, ci_high: float, level: float = 0.95) -> float:
    """Standard error of the log rate ratio implied by a symmetric-on-log interval."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)) or ci_low <= 0 or ci_high <= ci_low:
        return float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    return float((np.log(ci_high) - np.log(ci_low)) / (2 * z))


def pool_log_ratios(
    estimates: Sequence[float],
    standard_errors: Sequence[float],
    *,
    level: float = 0.95,
    tau_max: float = TAU_MAX,
) -> pd.DataFrame:
    """Partially pooled rate ratios of one family (module docstring for the model).

    Args:
        estimates: Raw rate ratios (> 0); NaN members are left out of the fit and get NaN.
        standard_errors: Standard errors of their logs.
        level: Interval level.
        tau_max: Upper end of the uniform prior on τ.

    Returns:
        One row per input, in order: ``estimate_pooled`` (exp of the posterior median),
        ``ci_low_pooled``, ``ci_high_pooled`` (equal-tailed posterior interval),
        ``p_above_1_pooled`` (posterior P(rate ratio > 1)), ``tau`` (posterior median of τ)
        and ``family_size``. All NaN when fewer than ``MIN_FAMILY`` members are usable.
    """
    ratio = np.asarray(estimates, dtype=float)
    se = np.asarray(standard_errors, dtype=float)
    usable = np.isfinite(ratio) & (ratio > 0) & np.isfinite(se) & (se > 0)
    out = pd.DataFrame(np.nan, index=range(len(ratio)), columns=list(POOLED_COLUMNS))
    out["family_size"] = int(usable.sum())
    if usable.sum() < MIN_FAMILY:
        return out
    b, s = np.log(ratio[usable]), se[usable]
    # Components of the prior: "essentially no difference" (sd NULL_SD) and a slab of sd τ;
    # weights over a grid of (π = share of real effects, τ), both uniform a priori.
    tau = np.linspace(tau_max / (_TAU_GRID - 1), tau_max, _TAU_GRID - 1)
    share = np.linspace(0.02, 1.0, _SHARE_GRID)
    sds = np.concatenate([[NULL_SD], tau])  # component 0 = null
    dens = stats.norm.pdf(b[None, :], 0.0, np.sqrt(s[None, :] ** 2 + sds[:, None] ** 2))
    # member densities under (π, τ): (1 − π) f0 + π f_τ   → (share, tau, member)
    mix = (1 - share)[:, None, None] * dens[0][None, None, :] + share[:, None, None] * dens[
        1:][None, :, :]
    loglik = np.log(mix).sum(axis=2)
    weight = np.exp(loglik - loglik.max())
    weight /= weight.sum()
    # Each member's posterior is a mixture of normals, one per prior component.
    slab = (weight[:, :, None] * share[:, None, None] * dens[1:][None, :, :] / mix).sum(axis=0)
    null = (weight[:, :, None] * (1 - share)[:, None, None] * dens[0][None, None, :] / mix).sum(
        axis=(0, 1))
    comp_weight = np.vstack([null[None, :], slab])  # (component, member)
    shrink = sds[:, None] ** 2 / (sds[:, None] ** 2 + s[None, :] ** 2)
    mean = shrink * b[None, :]
    sd = np.sqrt(shrink * s[None, :] ** 2)
    span = np.abs(b).max() + 8 * s.max()
    theta = np.linspace(-span, span, _THETA_GRID)
    tail = (1 - level) / 2
    tau_weight = weight.sum(axis=0)
    tau_median = float(tau[min(np.searchsorted(np.cumsum(tau_weight), 0.5), len(tau) - 1)])
    cdf = np.empty((len(b), len(theta)))
    for j in range(len(b)):
        keep = comp_weight[:, j] > 1e-9 * comp_weight[:, j].max()
        cdf[j] = comp_weight[keep, j] @ special.ndtr(
            (theta[None, :] - mean[keep, j, None]) / sd[keep, j, None])
    rows = []
    for j in range(len(b)):
        low, median, high = np.interp([tail, 0.5, 1 - tail], cdf[j], theta)
        above = float(1.0 - np.interp(0.0, theta, cdf[j]))
        rows.append((np.exp(median), np.exp(low), np.exp(high), above))
    values = np.array(rows)
    index = np.flatnonzero(usable)
    out.loc[index, "estimate_pooled"] = values[:, 0]
    out.loc[index, "ci_low_pooled"] = values[:, 1]
    out.loc[index, "ci_high_pooled"] = values[:, 2]
    out.loc[index, "p_above_1_pooled"] = values[:, 3]
    out.loc[index, "tau"] = tau_median
    return out


#: Ids of the strategy comparisons (workbench.stats.strategy), pooled as their own family.
STRATEGY_PREFIXES = ("format:", "language:", "hashtags_local")
#: Every pooling family, in the order :func:`workbench.stats.hypotheses.pool_findings` pools.
FAMILIES = ("label", "topic", "strategy")
#: Posting-frequency rows (workbench.stats.frequency): not pooled. They are not picked out of
#: many look-alike comparisons (every platform's answer is printed) and their main number,
#: the week's total with one more post, has no common centre with the rate ratios above.
UNPOOLED_PREFIXES = ("posting_frequency",)


def family_of(hypothesis_id: str) -> str:
    """The pooling family of a hypothesis id.

    ``topic`` for ``topic:<name>``; ``strategy`` for the formats, languages and local hashtags;
    ``frequency`` (not in `FAMILIES`: never pooled) for the posting-frequency rows; ``label``
    for the rest (human-centred, brand colours).
    """
    hypothesis_id = str(hypothesis_id)
    if hypothesis_id.startswith(UNPOOLED_PREFIXES):
        return "frequency"
    if hypothesis_id.startswith("topic:"):
        return "topic"
    if hypothesis_id.startswith(STRATEGY_PREFIXES):
        return "strategy"
    return "label"


#: Ranking and finding of a topic "agree" when on the same side of 1 and within this ratio.
AGREEMENT_RATIO = 1.15
TOPIC_DIFFERENCE_REASON = (
    "the ranking compares the topic with a typical post of the same platform and month "
    "(format not adjusted for, since format comes with the topic) and weights recent months "
    "more; the finding compares it with all other posts, adjusted for its covariates"
)


def reconcile_topics(ranking: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One number per topic question: the ranking's and the finding's, and why they differ.

    Args:
        ranking: ``TopicRanking.to_frame()`` (``topic``, ``rate_ratio``).
        findings: Hypothesis rows (``id`` = ``topic:<name>``, ``platform``,
            ``estimate_pooled`` or ``estimate``) of the same window; the ``all`` rows are used.

    Returns:
        ``topic``, ``ranking_rate_ratio``, ``finding_rate_ratio`` (pooled when available),
        ``agree`` (same side of 1 and within ×1.15 of each other) and ``note`` (the reason
        when they do not agree, "" otherwise).
    """
    rows = findings[findings["id"].astype(str).str.startswith("topic:")]
    if "platform" in rows.columns:
        rows = rows[rows["platform"].astype(str) == "all"]
    number = rows["estimate_pooled"] if "estimate_pooled" in rows.columns else rows["estimate"]
    number = number.where(number.notna(), rows["estimate"])
    by_topic = dict(zip(rows["id"].astype(str).str.removeprefix("topic:"), number,
                        strict=True))
    out = []
    for topic, ranked in zip(ranking["topic"].astype(str), ranking["rate_ratio"], strict=True):
        found = by_topic.get(topic, float("nan"))
        agree = bool(np.isfinite(found) and np.isfinite(ranked) and (
            abs(np.log(found) - np.log(ranked)) <= np.log(AGREEMENT_RATIO)
            and (np.sign(np.log(found)) == np.sign(np.log(ranked))
                 or min(abs(np.log(found)), abs(np.log(ranked))) < np.log(1.05))))
        note = "" if agree or not np.isfinite(found) else TOPIC_DIFFERENCE_REASON
        out.append({"topic": topic, "ranking_rate_ratio": float(ranked),
                    "finding_rate_ratio": float(found), "agree": agree, "note": note})
    return pd.DataFrame(out, columns=["topic", "ranking_rate_ratio", "finding_rate_ratio",
                                      "agree", "note"])

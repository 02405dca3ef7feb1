"""Influential posts and the three numbers of a content effect (statistics.md §9.2, §9.3).

`post_influence` answers "is this result driven by a few posts?": it refits the label's NB
model as a statsmodels GLM with ``NegativeBinomial(alpha=α̂)`` (the discrete NB's influence
diagnostics raise, §2.2), lists the five posts with the largest Cook's distance, the largest
leave-one-out change in the IRR and the IRR without those five posts, and says whether the
conclusion flips without them.

`three_numbers` reports, for H1/H2, the IRR on reach (exposure ~ label, offset log audience),
the IRR per reach (the primary estimate) and the IRR on total interactions (offset log
audience), with the consistency check IRR_total ≈ IRR_reach × IRR_per-reach.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module
from workbench.stats.nb import NBFit, fit_nb

glm_module = lazy_module("statsmodels.genmod.generalized_linear_model")
families = lazy_module("statsmodels.genmod.families")

#: Posts listed per result (§9.3).
TOP_POSTS = 5
#: Posts with the largest one-step leave-one-out change that are refitted exactly.
LOO_CANDIDATES = 10
#: Tolerance of the product relation IRR_total ≈ IRR_reach × IRR_per-reach (§9.2).
PRODUCT_TOLERANCE = 0.15
INFLUENCE_COLUMNS = ("platform", "post_id", "permalink", "cooks_distance", "irr_without",
                     "above_threshold")


def conclusion(ci_low: float, ci_high: float) -> str:
    """``higher`` / ``lower`` when the CI excludes 1 on that side, else ``unclear``."""
    if ci_low > 1:
        return "higher"
    if ci_high < 1:
        return "lower"
    return "unclear"


@dataclass(frozen=True)
class Influence:
    """Influential posts of one comparison (§9.3).

    Attributes:
        posts: The ``TOP_POSTS`` posts with the largest Cook's distance: platform, post_id,
            permalink, cooks_distance, irr_without (the IRR refitted without that one post),
            above_threshold (Cook's distance > 4/n).
        threshold: 4/n.
        loo_max_irr: The leave-one-out IRR farthest from the full-data IRR (log scale), among
            the listed posts and the `LOO_CANDIDATES` posts with the largest one-step change
            (GLMInfluence ``d_params``), each refitted exactly.
        loo_max_post: ``platform:post_id`` of that post.
        estimate_without: IRR of the discrete NB refit without the listed posts.
        ci_without: Its max-SE 95 % interval.
        flips: True when the reported conclusion (CI excludes 1) does not survive dropping
            the listed posts (the CI then includes 1, or excludes it on the other side).
        appears: True when the reported CI includes 1 but excludes it without the listed
            posts. No warning: dropping the posts chosen for their influence on the label
            is a search for a difference (under no effect it happens in about 1 dataset in
            10, `workbench.stats.simulate.influence_check`); the numbers are reported.
        note: The warning to show when ``flips``, else None.
    """

    posts: pd.DataFrame
    threshold: float
    loo_max_irr: float = float("nan")
    loo_max_post: str | None = None
    estimate_without: float = float("nan")
    ci_without: tuple[float, float] = (float("nan"), float("nan"))
    flips: bool = False
    appears: bool = False
    note: str | None = None


def _fit_nb(data: pd.DataFrame, outcome: str, exposure: str | None, terms: Sequence[str],
            *, offset: bool) -> NBFit:
    """`fit_nb`, with a fit whose covariance statsmodels cannot give counted as not fitted."""
    try:
        return fit_nb(data, outcome, exposure, terms, offset=offset)
    except (ValueError, np.linalg.LinAlgError):
        return fit_nb(data.iloc[:0], outcome, exposure, terms, offset=offset)


def glm_refit(fit: NBFit):
    """The GLM twin of a converged discrete fit (NB with α̂ fixed, or Poisson), or None."""
    if not fit.converged or fit.result is None:
        return None
    model = fit.result.model
    family = (families.Poisson() if fit.family == "poisson"
              else families.NegativeBinomial(alpha=fit.alpha))
    offset = getattr(model, "offset", None)
    glm = glm_module.GLM(model.endog, model.exog, family=family, offset=offset)
    return _fit_glm(glm, fit.params.to_numpy())


def _fit_glm(glm, start: np.ndarray):
    """IRLS from ``start`` (§2.2), Newton when IRLS meets invalid weights; None on failure."""
    for method in ("IRLS", "newton"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = glm.fit(start_params=np.asarray(start), method=method, maxiter=100)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        if np.all(np.isfinite(result.params)):
            return result
    return None


def _glm_without(glm_res, drop: np.ndarray, column: int) -> float:
    """Label coefficient of the same GLM (α fixed) refitted without rows ``drop``."""
    model = glm_res.model
    keep = np.ones(len(model.endog), dtype=bool)
    keep[drop] = False
    offset = getattr(model, "offset", None)
    sub = glm_module.GLM(model.endog[keep], model.exog[keep], family=model.family,
                 offset=None if offset is None else np.asarray(offset)[keep])
    result = _fit_glm(sub, glm_res.params)
    return float("nan") if result is None else float(np.asarray(result.params)[column])


def post_influence(
    frame: pd.DataFrame,
    fit: NBFit,
    label: str,
    *,
    terms: Sequence[str],
    ci: tuple[float, float],
    top: int = TOP_POSTS,
) -> Influence | None:
    """Cook's distances, leave-one-out change and the IRR without the top posts (§9.3).

    Args:
        frame: The rows the fit was made on (``platform``, ``post_id``, optional ``permalink``
            and every column of ``fit``), indexed like ``fit.mu``.
        fit: The converged primary fit (offset or elasticity model).
        label: Design column of the hypothesis (its IRR is the result's estimate).
        terms: The fit's covariate terms (without ``label``), for the refit without the posts.
        ci: The result's reported interval (the conclusion compared against).
        top: Posts listed.

    Returns:
        Influence, or None when the fit did not converge or the GLM refit failed.
    """
    glm_res = glm_refit(fit)
    if glm_res is None or label not in fit.params.index:
        return None
    column = list(fit.params.index).index(label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        influence = glm_res.get_influence()
        cooks = np.asarray(influence.cooks_distance[0], dtype="float64")
        d_label = np.asarray(influence.d_params, dtype="float64")[:, column]
    n = len(cooks)
    threshold = 4.0 / n
    rows = frame.loc[fit.mu.index]
    order = np.argsort(-np.nan_to_num(cooks, nan=-np.inf), kind="stable")[: min(top, n)]
    b = float(fit.params[label])
    glm_b = float(glm_res.params[column])
    # d_params is the one-step change params − params₍₋ᵢ₎; it is crude for the very posts
    # that matter (a viral post's step overshoots), so it only picks candidates: the listed
    # posts and the LOO_CANDIDATES largest one-step changes are refitted exactly (GLM, α̂).
    candidates = np.union1d(order, np.argsort(-np.abs(np.nan_to_num(d_label)))[:LOO_CANDIDATES])
    exact = pd.Series({int(i): _glm_without(glm_res, np.array([i]), column)
                       for i in candidates}, dtype="float64")
    keys = (rows["platform"].astype("string") + ":" + rows["post_id"].astype("string")).to_numpy(
        dtype=object)
    finite = exact.dropna()
    worst = int((finite - glm_b).abs().idxmax()) if len(finite) else int(order[0])
    loo_b = exact.reindex(order).to_numpy()
    permalink = (rows["permalink"].astype("string") if "permalink" in rows.columns
                 else pd.Series(pd.NA, index=rows.index, dtype="string"))
    posts = pd.DataFrame({
        "platform": rows["platform"].astype("string").to_numpy()[order],
        "post_id": rows["post_id"].astype("string").to_numpy()[order],
        "permalink": permalink.to_numpy()[order],
        "cooks_distance": cooks[order],
        "irr_without": np.exp(b + loo_b - glm_b),
        "above_threshold": cooks[order] > threshold,
    }, columns=list(INFLUENCE_COLUMNS))
    posts = posts.astype({"platform": "string", "post_id": "string", "permalink": "string"})

    # IRR without the listed posts: the discrete NB refit (α re-estimated), same terms/offset.
    without = frame.drop(index=fit.mu.index[order])
    refit = _fit_nb(without, fit.outcome, fit.exposure, [label, *terms], offset=fit.offset)
    estimate_without, ci_without = float("nan"), (float("nan"), float("nan"))
    flips, appears, note = False, False, None
    if refit.converged and label in refit.params.index:
        estimate_without, ci_without = refit.irr(label), refit.ci(label)
        before, after = conclusion(*ci), conclusion(*ci_without)
        flips = before != "unclear" and after != before
        appears = before == "unclear" and after != "unclear"
        if flips:
            listed = ", ".join(keys[order])
            note = (f"driven by a few posts: {listed} (without them the rate ratio is "
                    f"{estimate_without:.2f}×, 95 % CI {ci_without[0]:.2f}–{ci_without[1]:.2f})")
    return Influence(
        posts=posts, threshold=threshold,
        loo_max_irr=float(math.exp(b + exact.get(worst, np.nan) - glm_b)),
        loo_max_post=str(keys[worst]), estimate_without=estimate_without,
        ci_without=ci_without, flips=flips, appears=appears, note=note,
    )


@dataclass(frozen=True)
class ThreeNumbers:
    """IRR on reach, per reach and on total interactions (§9.2).

    Attributes:
        estimate_reach: IRR of exposure (reach/impressions/views) ~ label, offset log audience.
        ci_reach: Its max-SE 95 % interval.
        estimate_per_reach: The per-exposure IRR the product is checked against (the offset
            model's, where the decomposition is exact).
        estimate_total: IRR of interactions ~ label, offset log audience.
        ci_total: Its max-SE 95 % interval.
        product_gap: IRR_total / (IRR_reach × IRR_per-reach) − 1.
        audience: Audience source per platform (followers, or the median-exposure fallback).
        n: Posts in the two follower-offset fits.
        notes: Warnings (product check failed, fallbacks used, fits that did not converge).
    """

    estimate_reach: float = float("nan")
    ci_reach: tuple[float, float] = (float("nan"), float("nan"))
    estimate_per_reach: float = float("nan")
    estimate_total: float = float("nan")
    ci_total: tuple[float, float] = (float("nan"), float("nan"))
    product_gap: float = float("nan")
    audience: dict[str, str] = field(default_factory=dict)
    n: int = 0
    notes: list[str] = field(default_factory=list)


def three_numbers(
    frame: pd.DataFrame,
    label: str,
    terms: Sequence[str],
    *,
    per_reach: float,
) -> ThreeNumbers:
    """Fit the reach and total-interactions models with offset log(audience) (§9.2).

    Reach is never a covariate of the total-effect model. The covariates are the primary
    fit's terms (same budget).

    Args:
        frame: Rows of the comparison with ``y``, ``exposure``, ``audience``,
            ``audience_source``, ``platform`` and the term columns.
        label: 0/1 design column of the hypothesis.
        terms: The primary fit's covariate terms.
        per_reach: The per-exposure IRR of the offset model.

    Returns:
        ThreeNumbers (NaN estimates when a fit did not converge, with a note).
    """
    data = frame.assign(exposure_count=np.round(frame["exposure"].to_numpy(dtype="float64")))
    sources = data.groupby(data["platform"].astype("string"))["audience_source"].agg(
        lambda s: s.mode().iloc[0] if len(s.dropna()) else None)
    audience = {str(k): str(v) for k, v in sources.dropna().items()}
    reach = _fit_nb(data, "exposure_count", "audience", [label, *terms], offset=True)
    total = _fit_nb(data, "y", "audience", [label, *terms], offset=True)
    notes: list[str] = []
    out = {"audience": audience, "n": int(total.n)}
    if reach.converged and label in reach.params.index:
        out.update(estimate_reach=reach.irr(label), ci_reach=reach.ci(label))
    else:
        notes.append("the reach model (exposure per follower) did not converge")
    if total.converged and label in total.params.index:
        out.update(estimate_total=total.irr(label), ci_total=total.ci(label))
    else:
        notes.append("the total-interactions model (interactions per follower) did not "
                     "converge")
    gap = float("nan")
    if "estimate_reach" in out and "estimate_total" in out and per_reach > 0:
        gap = out["estimate_total"] / (out["estimate_reach"] * per_reach) - 1
        if abs(gap) > PRODUCT_TOLERANCE:
            notes.append(
                f"the three rate ratios do not multiply up: total {out['estimate_total']:.2f}× "
                f"vs reach {out['estimate_reach']:.2f}× × per reach {per_reach:.2f}× = "
                f"{out['estimate_reach'] * per_reach:.2f}× ({gap:+.0%}); read the per-reach "
                "and total effects with care"
            )
    return ThreeNumbers(estimate_per_reach=per_reach, product_gap=gap, notes=notes, **out)

"""Negative-binomial (NB2) rate models with the max-SE rule (statistics.md §2.1-2.3).

`fit_nb` fits ``y ~ NB2(μ, α)`` with ``log μ = log(exposure) + Xβ`` by maximum likelihood
(α estimated, ``statsmodels.discrete.discrete_model.NegativeBinomial``) and reports, per
coefficient, SE = max(model SE × √(n/(n−k)), HC3 sandwich SE) with t(n−k) inference.

Both SEs carry a small-sample correction (statistics.md §2.3). The model SE plugs in α̂, which
the likelihood underestimates by about the share of the data the k coefficients use (median
α̂ 1.08 for a true 1.2 at n = 80, k = 8 and at n = 40, k = 4: (n−k)/n = 0.9), so its variance
is scaled by n/(n−k), as σ̂² is in least squares. The sandwich's scores are divided by 1 − hᵢ,
hᵢ the leverage of post i in the weighted fit (HC3; MacKinnon & White 1985, Long & Ervin 2000),
since a post with large exposure pulls the fit towards itself and hides its own residual.
Before (model SE alone, sandwich × √(n/(n−k))) a true null was rejected 8.2 % of the time at
n = 80, α = 1.2 (benchmarks/stats_calibration.md).

The design matrix is built here rather than by a formula engine so that reference levels are
the most frequent level of each factor (stable SEs, §2.1) and column names are predictable:
a numeric/boolean term ``x`` gives the column ``x``; a factor term ``f`` (string, category or
``"C(f)"``) gives ``f[level]`` for every non-reference level.
"""

from __future__ import annotations

import functools
import html
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module

# the statsmodels modules used, not statsmodels.api (which imports all of statsmodels,
# a third of a second of each process that fits)
discrete = lazy_module("statsmodels.discrete.discrete_model")
special = lazy_module("scipy.special")
stats = lazy_module("scipy.stats")
sm_exceptions = lazy_module("statsmodels.tools.sm_exceptions")

#: α̂ below this is the underdispersion boundary: refit as Poisson (§2.2).
ALPHA_BOUNDARY = 1e-4
#: SE_HC0 above this multiple of the model SE raises the heavy-tails flag (§2.3).
HEAVY_TAIL_RATIO = 1.3
OTHER_LEVEL = "other"
INTERCEPT = "Intercept"
_FACTOR_RE = re.compile(r"^C\((?P<name>[^)]+)\)$")


def _term_column(term: str) -> tuple[str, bool]:
    """Column name of a term and whether it is forced to be a factor (``C(name)``)."""
    match = _FACTOR_RE.match(term.strip())
    return (match["name"].strip(), True) if match else (term.strip(), False)


def _is_factor(values: pd.Series) -> bool:
    return not (pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values))


def reference_level(values: pd.Series) -> str:
    """The most frequent level (ties broken alphabetically), used as the reference."""
    counts = values.astype("string").value_counts()
    top = counts[counts == counts.max()]
    return str(sorted(top.index.astype(str))[0])


def design_matrix(data: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix (intercept first) for ``terms`` over ``data``.

    Args:
        data: The frame holding the term columns (not modified).
        terms: Column names; boolean/numeric columns enter as they are, string/category
            columns (or ``"C(name)"``) as dummies against their most frequent level.

    Returns:
        Float frame with the same index as ``data``.
    """
    return pd.DataFrame(_design_columns(data, terms), index=data.index)


def _design_columns(data: pd.DataFrame, terms: Sequence[str],
                    rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The columns of :func:`design_matrix` as arrays, over ``rows`` (positions) only."""
    n = len(data) if rows is None else len(rows)
    columns: dict[str, np.ndarray] = {INTERCEPT: np.ones(n)}
    for term in terms:
        name, forced = _term_column(term)
        values = data[name]
        if forced or _is_factor(values):
            levels = values.astype("string").fillna(OTHER_LEVEL).to_numpy(dtype=object)
            if rows is not None:
                levels = levels[rows]
            uniques, codes, counts = np.unique(levels, return_inverse=True, return_counts=True)
            # Reference: the most frequent level, ties broken alphabetically (np.unique sorts).
            reference = int(np.argmax(counts))
            for position, level in enumerate(uniques):
                if position != reference:
                    columns[f"{name}[{level}]"] = (codes == position).astype("float64")
        else:
            numbers = pd.to_numeric(values).astype("float64").to_numpy()
            columns[name] = numbers if rows is None else numbers[rows]
    return columns


def merge_sparse_levels(
    data: pd.DataFrame, column: str, *, min_count: int = 5, outcome: str | None = "y"
) -> tuple[pd.DataFrame, list[str]]:
    """Merge levels with fewer than ``min_count`` posts (or all-zero outcome) into "other".

    Levels whose posts all have ``outcome`` = 0 are merged too (they cause separation, §2.1).
    Returns a new frame and the list of merged level names; ``data`` is not modified.
    """
    levels = data[column].astype("string").fillna(OTHER_LEVEL)
    uniques, codes, counts = np.unique(levels.to_numpy(dtype=object), return_inverse=True,
                                       return_counts=True)
    merged = {str(lv) for lv, c in zip(uniques, counts, strict=True) if c < min_count}
    if outcome is not None and outcome in data.columns:
        totals = np.bincount(codes, weights=data[outcome].to_numpy(dtype="float64"),
                             minlength=len(uniques))
        merged |= {str(lv) for lv, t in zip(uniques, totals, strict=True) if t == 0}
    merged = sorted(merged - {OTHER_LEVEL})
    if not merged:
        return data.assign(**{column: levels}), []
    new_levels = levels.mask(levels.isin(merged), OTHER_LEVEL)
    # An "other" level that is still tiny stays: the budget rule may drop the term instead.
    return data.assign(**{column: new_levels}), merged


def _independent_columns(columns: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray,
                                                                   list[str]]:
    """Drop constant and linearly dependent columns (keeping the intercept and the earliest).

    Returns (kept names, matrix, dropped names). The matrix is column-major, as a frame's
    ``to_numpy()`` gives it, so the fits that take it compute exactly what they computed
    from the frame.
    """
    items = [(name, np.asarray(values, dtype="float64")) for name, values in columns.items()]
    dropped = [name for name, values in items[1:] if np.ptp(values) == 0]
    items = [(name, values) for name, values in items if name not in dropped]

    def matrix(chosen: list[tuple[str, np.ndarray]]) -> np.ndarray:
        out = np.empty((len(chosen), len(chosen[0][1]) if chosen else 0))
        for i, (_, values) in enumerate(chosen):
            out[i] = values
        return out.T  # column-major

    full = matrix(items)
    if np.linalg.matrix_rank(full) == full.shape[1]:
        return [name for name, _ in items], full, dropped
    kept: list[tuple[str, np.ndarray]] = []
    for name, values in items:
        if np.linalg.matrix_rank(matrix([*kept, (name, values)])) == len(kept) + 1:
            kept.append((name, values))
        else:
            dropped.append(name)
    return [name for name, _ in kept], matrix(kept), dropped


@dataclass(frozen=True)
class NBFit:
    """A fitted NB2 (or Poisson at the α boundary) rate model with max-SE inference.

    Attributes:
        params: Regression coefficients (log rate ratios), α excluded.
        se_model: Model-based (inverse Hessian) SEs × √(n/(n−k)).
        se_robust: HC3 sandwich SEs (scores divided by 1 − leverage).
        se: The SE used for inference: elementwise max of the two.
        cov_model: Model-based covariance of ``params`` × n/(n−k).
        cov_robust: HC3 covariance of ``params`` (for multi-df Wald tests).
        alpha: Estimated NB2 dispersion (0 for the Poisson fallback; NaN when not fitted).
        n: Posts in the fit.
        k: Regression coefficients (α excluded).
        llf: Log-likelihood.
        converged: False when no fit converged; then no estimate may be reported.
        family: ``"negbin"`` or ``"poisson"``.
        outcome: Outcome column.
        exposure: Exposure column, or None.
        offset: True when log(exposure) is an offset; False when it is a free centred covariate
            ``log_exposure_c`` (the elasticity/covariate model).
        terms: Terms requested.
        mu: Fitted means per post (index of the data).
        dropped_columns: Design columns dropped as constant or collinear.
        notes: Plain-language remarks (fallbacks, dropped columns).
        result: The underlying statsmodels results object (None when not fitted).
    """

    params: pd.Series
    se_model: pd.Series
    se_robust: pd.Series
    se: pd.Series
    cov_model: pd.DataFrame
    cov_robust: pd.DataFrame
    alpha: float
    n: int
    k: int
    llf: float
    converged: bool
    family: str
    outcome: str
    exposure: str | None
    offset: bool
    terms: tuple[str, ...]
    mu: pd.Series
    dropped_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    result: object | None = None

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom n − k used for the t quantiles."""
        return self.n - self.k

    def irr(self, name: str) -> float:
        """Rate ratio exp(β) of design column ``name``."""
        return float(np.exp(self.params[name])) if self.converged else float("nan")

    def ci(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Max-SE t(n−k) interval for the rate ratio of ``name``."""
        if not self.converged:
            return float("nan"), float("nan")
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        b, s = self.params[name], self.se[name]
        return float(np.exp(b - q * s)), float(np.exp(b + q * s))

    def p_value(self, name: str) -> float:
        """Two-sided max-SE t(n−k) p-value for ``name``."""
        if not self.converged:
            return float("nan")
        t_stat = self.params[name] / self.se[name]
        return float(2 * stats.t.sf(abs(t_stat), self.df_resid))

    def heavy_tails(self, name: str) -> bool:
        """True when the sandwich SE exceeds 1.3 × the model SE (outliers, §2.3)."""
        ratio = self.se_robust[name] / self.se_model[name] if self.converged else 0.0
        return bool(ratio > HEAVY_TAIL_RATIO)

    def wald_p(self, names: Sequence[str]) -> float:
        """Robust joint Wald F-test p of ``names`` = 0 (F(df, n−k), HC3 covariance)."""
        if not self.converged:
            return float("nan")
        names = [n for n in names if n in self.params.index]
        if not names:
            return float("nan")
        b = self.params[names].to_numpy()
        cov = self.cov_robust.loc[names, names].to_numpy()
        stat = float(b @ np.linalg.pinv(cov) @ b) / len(names)
        return float(stats.f.sf(stat, len(names), self.df_resid))

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Per-term table: term, irr, ci_low, ci_high, p_value, se_model, se_robust, se."""
        rows = []
        for name in self.params.index:
            low, high = self.ci(name, level)
            rows.append(
                {
                    "term": name,
                    "irr": self.irr(name),
                    "ci_low": low,
                    "ci_high": high,
                    "p_value": self.p_value(name),
                    "se_model": float(self.se_model[name]),
                    "se_robust": float(self.se_robust[name]),
                    "se": float(self.se[name]),
                }
            )
        return pd.DataFrame(
            rows,
            columns=["term", "irr", "ci_low", "ci_high", "p_value", "se_model", "se_robust", "se"],
        )

    def _repr_html_(self) -> str:
        head = (
            f"<p>{self.family} fit of {html.escape(self.outcome)}, n = {self.n}, k = {self.k}, "
            f"α̂ = {self.alpha:.3g}, converged = {self.converged}</p>"
        )
        return head + self.to_frame().to_html(index=False, float_format="{:.3g}".format)


def lr_p(full: NBFit, reduced: NBFit) -> float:
    """Likelihood-ratio p of ``full`` against the nested ``reduced`` fit (χ², Δk df)."""
    if not (full.converged and reduced.converged) or full.family != reduced.family:
        return float("nan")
    df = full.k - reduced.k
    if df <= 0:
        return float("nan")
    stat = max(2.0 * (full.llf - reduced.llf), 0.0)
    return float(stats.chi2.sf(stat, df))


def score_obs(model, params: np.ndarray) -> np.ndarray:
    """Per-observation scores; analytic for NB2 (α last, on the α scale).

    statsmodels differentiates the NB2 log-likelihood numerically (complex step), which took
    most of a month's analysis time; the closed form below agrees with it to 1e-12.
    """
    if not (isinstance(model, discrete.NegativeBinomial) and model.loglike_method == "nb2"):
        return model.score_obs(params)
    params = np.asarray(params, dtype="float64")
    beta, alpha = params[:-1], params[-1]
    exog = np.asarray(model.exog, dtype="float64")
    y = np.asarray(model.endog, dtype="float64")
    linear = exog @ beta
    for extra in (getattr(model, "offset", None), getattr(model, "exposure", None)):
        if extra is not None:
            linear = linear + np.asarray(extra, dtype="float64")
    mu = np.exp(linear)
    size = 1.0 / alpha
    d_beta = exog * ((y - mu) / (1.0 + alpha * mu))[:, None]
    d_size = (special.digamma(y + size) - special.digamma(size)
              + np.log(size / (size + mu)) + (mu - y) / (size + mu))
    return np.column_stack([d_beta, -d_size / alpha**2])


def hessian_nb2(model, params: np.ndarray) -> np.ndarray:
    """Statsmodels' NB2 Hessian (``NegativeBinomial._hessian_nb2``) in matrix form.

    statsmodels fills the β block one entry at a time, a Python loop over k² sums of n terms
    called at every Newton step: a third of a month's analysis time. Same formulas, same
    parameterisation (``model._transparams``: log α during a BFGS fit), agrees to 1e-10.
    """
    params = np.asarray(params, dtype="float64")
    alpha = np.exp(params[-1]) if model._transparams else params[-1]
    size = 1.0 / alpha
    exog = np.asarray(model.exog, dtype="float64")
    y = np.asarray(model.endog, dtype="float64")
    mu = np.asarray(model.predict(params[:-1]), dtype="float64")
    dim = exog.shape[1]
    hess = np.empty((dim + 1, dim + 1))
    weight = size * mu * (size + y) / (mu + size) ** 2
    hess[:dim, :dim] = -(exog * weight[:, None]).T @ exog
    cross = -(exog * (mu * (y - mu) * size**2 / (mu + size) ** 2)[:, None]).sum(axis=0)
    hess[-1, :-1] = cross
    hess[:-1, -1] = cross
    d1, d2 = -(alpha**-2), 2 * alpha**-3
    d_alpha = d1 * (special.digamma(size + y) - special.digamma(size)
                    + np.log(size / (size + mu)) - (y - mu) / (size + mu))
    hess[-1, -1] = (d2 * d_alpha / d1 + d1**2 * (
        special.polygamma(1, size + y) - special.polygamma(1, size) + 1 / size
        - 1 / (size + mu) + (y - mu) / (mu + size) ** 2)).sum()
    return hess


def leverage(exog: np.ndarray, mu: np.ndarray, alpha: float) -> np.ndarray:
    """Leverage hᵢ of each post in the weighted fit: diag of W½X(XᵀWX)⁻¹XᵀW½.

    W = μ/(1 + αμ), the NB2 working weights of the log link (μ for the Poisson, α = 0).
    """
    weight = mu / (1.0 + alpha * mu)
    information = (exog * weight[:, None]).T @ exog
    return weight * np.einsum("ij,jk,ik->i", exog, np.linalg.inv(information), exog)


#: Leverage is capped here so a post that alone determines a coefficient (h = 1) does not
#: divide by zero; its score is then inflated tenfold.
MAX_LEVERAGE = 0.9


def _sandwich(model, params: np.ndarray, hat: np.ndarray | None = None) -> np.ndarray:
    """Sandwich covariance H⁻¹ (Σ s̃ᵢs̃ᵢᵀ) H⁻¹ over all parameters (α included).

    With ``hat`` (the leverages) the scores are s̃ᵢ = sᵢ / (1 − hᵢ) (HC3), else sᵢ (HC0).
    """
    hessian = model.hessian(params)
    scores = score_obs(model, params)
    if hat is not None:
        scores = scores / (1.0 - np.minimum(hat, MAX_LEVERAGE))[:, None]
    bread = np.linalg.inv(-hessian)
    return bread @ (scores.T @ scores) @ bread


def _fit_discrete(model) -> tuple[object | None, bool]:
    """Fit with Newton, retry with BFGS; return (result, converged)."""
    for method in ("newton", "bfgs"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sm_exceptions.ConvergenceWarning)
                warnings.simplefilter("ignore", sm_exceptions.HessianInversionWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                result = model.fit(disp=0, maxiter=300 if method == "newton" else 1000,
                                   method=method)
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            continue
        params = np.asarray(result.params)
        if result.mle_retvals.get("converged", False) and np.all(np.isfinite(params)):
            return result, True
    return None, False


def _not_fitted(outcome, exposure, offset, terms, n, notes, dropped) -> NBFit:
    empty = pd.Series(dtype="float64")
    return NBFit(
        params=empty, se_model=empty, se_robust=empty, se=empty,
        cov_model=pd.DataFrame(), cov_robust=pd.DataFrame(), alpha=float("nan"), n=n, k=0,
        llf=float("nan"), converged=False, family="negbin", outcome=outcome, exposure=exposure,
        offset=offset, terms=tuple(terms), mu=pd.Series(dtype="float64"),
        dropped_columns=tuple(dropped), notes=notes,
    )


def fit_nb(
    data: pd.DataFrame,
    outcome: str,
    exposure: str | None,
    terms: Sequence[str],
    offset: bool = True,
) -> NBFit:
    """Fit an NB2 rate model with α estimated and max-SE inference (§2.2-2.3).

    Args:
        data: One row per post (not modified); rows with a missing outcome, exposure or term
            value are left out.
        outcome: Count column (``"y"``).
        exposure: Exposure column, or None for a per-post model without exposure.
        terms: Covariate terms (see module docstring); the intercept is always included.
        offset: True: log(exposure) is an offset (interactions ∝ exposure). False: the
            centred log(exposure) enters as the free covariate ``log_exposure_c`` whose
            coefficient is the elasticity (§1.3).

    Returns:
        NBFit. When α̂ < 1e-4 (no overdispersion) the model is refitted as Poisson with the
        same SE rule and a note; when nothing converges ``converged`` is False and every
        estimate is NaN (an IRR from a non-converged fit is never reported).
    """
    terms = tuple(terms)
    needed = [outcome, *([exposure] if exposure else []), *(_term_column(t)[0] for t in terms)]
    # Rows with every needed value (and a positive exposure), found column by column on
    # arrays: the frame-level filter cost more than the fit.
    keep = np.ones(len(data), dtype=bool)
    for name in dict.fromkeys(needed):
        keep &= data[name].notna().to_numpy(dtype=bool)
    if exposure:
        exposures = pd.to_numeric(data[exposure], errors="coerce").astype("float64").to_numpy()
        keep &= exposures > 0
    rows = np.flatnonzero(keep)
    index = data.index[rows]
    notes: list[str] = []
    n = len(rows)
    if n == 0:
        return _not_fitted(outcome, exposure, offset, terms, 0, ["no posts to fit"], ())

    columns = _design_columns(data, terms, rows)
    endog = pd.to_numeric(data[outcome]).astype("float64").to_numpy()[rows]
    log_exposure = None
    if exposure:
        log_exposure = np.log(exposures[rows])
        if not offset:
            columns["log_exposure_c"] = log_exposure - log_exposure.mean()
    names, exog_array, dropped = _independent_columns(columns)
    if dropped:
        notes.append("left out (constant or collinear): " + ", ".join(dropped))
    k = exog_array.shape[1]
    if n - k < 1:
        notes.append(f"too few posts ({n}) for {k} coefficients")
        return _not_fitted(outcome, exposure, offset, terms, n, notes, dropped)

    model_offset = log_exposure if (exposure and offset) else None
    # The design as an array, column-major as statsmodels took it from a frame (the same
    # fit), without its pandas wrapping; names are put back on the results below.
    nb_model = discrete.NegativeBinomial(endog, exog_array, offset=model_offset,
                                   loglike_method="nb2")
    nb_model.hessian = functools.partial(hessian_nb2, nb_model)  # the same, in matrix form
    result, converged = _fit_discrete(nb_model)
    family = "negbin"
    alpha = float(np.asarray(result.params)[-1]) if converged else float("nan")
    if not converged or alpha < ALPHA_BOUNDARY:
        # Boundary (underdispersion) or failure: Poisson, same max-SE rule (§2.2).
        poisson = discrete.Poisson(endog, exog_array, offset=model_offset)
        result, converged = _fit_discrete(poisson)
        if not converged:
            notes.append("the model did not converge; no estimate reported")
            return _not_fitted(outcome, exposure, offset, terms, n, notes, dropped)
        notes.append("no overdispersion detected: Poisson model used")
        family, alpha, model = "poisson", 0.0, poisson
    else:
        model = nb_model

    all_params = np.asarray(result.params, dtype="float64")
    try:
        cov_model_all = np.asarray(result.cov_params(), dtype="float64")
    except ValueError:  # statsmodels found no covariance (singular Hessian): no estimate
        notes.append("the model's covariance could not be computed; no estimate reported")
        return _not_fitted(outcome, exposure, offset, terms, n, notes, dropped)
    params = pd.Series(all_params[:k], index=names)
    linear = exog_array @ params.to_numpy() + (model_offset if model_offset is not None
                                               else 0.0)
    mu = pd.Series(np.exp(linear), index=index)
    # Small-sample corrections (module docstring): n/(n−k) on the model variance, HC3 scores.
    try:
        hat = leverage(exog_array, mu.to_numpy(), alpha)
        cov_hc3_all = _sandwich(model, all_params, hat)
    except np.linalg.LinAlgError:
        cov_hc3_all = np.full_like(cov_model_all, np.nan)
    cov_model = pd.DataFrame(cov_model_all[:k, :k] * n / (n - k), index=names, columns=names)
    cov_robust = pd.DataFrame(cov_hc3_all[:k, :k], index=names, columns=names)
    se_model = pd.Series(np.sqrt(np.diag(cov_model)), index=names)
    se_robust = pd.Series(np.sqrt(np.diag(cov_robust)), index=names)
    se = np.fmax(se_model, se_robust)  # fmax ignores a NaN sandwich
    return NBFit(
        params=params, se_model=se_model, se_robust=se_robust, se=se,
        cov_model=cov_model, cov_robust=cov_robust, alpha=alpha, n=n, k=k,
        llf=float(result.llf), converged=True, family=family, outcome=outcome,
        exposure=exposure, offset=offset, terms=terms, mu=mu, dropped_columns=tuple(dropped),
        notes=notes, result=result,
    )


def cluster_se(fit: NBFit, groups: pd.Series) -> tuple[pd.Series, int]:
    """Cluster-robust SEs of ``fit`` by ``groups`` (e.g. ISO week), statsmodels' correction.

    cov = H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ · G/(G−1) · (n−1)/(n−k); inference uses t(G−1) (§2.3 item 4).

    Args:
        fit: A converged NBFit.
        groups: Cluster label per post, indexed like the data the fit was made on.

    Returns:
        (SEs of the regression coefficients, number of clusters G).
    """
    if not fit.converged or fit.result is None:
        return pd.Series(dtype="float64"), 0
    model = fit.result.model
    params = np.asarray(fit.result.params, dtype="float64")
    scores = score_obs(model, params)
    codes, uniques = pd.factorize(groups.loc[fit.mu.index])
    n_groups = len(uniques)
    if n_groups < 2:
        return pd.Series(np.nan, index=fit.params.index), n_groups
    summed = np.zeros((n_groups, scores.shape[1]))
    np.add.at(summed, codes, scores)
    bread = np.linalg.inv(-model.hessian(params))
    cov = bread @ (summed.T @ summed) @ bread
    cov *= n_groups / (n_groups - 1) * (fit.n - 1) / (fit.n - fit.k)
    return pd.Series(np.sqrt(np.diag(cov)[: fit.k]), index=fit.params.index), n_groups

"""Posting frequency: does one more post a week add engagement or take it from the others?

Per platform, over the organisation's history (issue 15 §3):

* **weekly total interactions** — one row per ISO week with posts: Σ interactions ~ NB2 with
  offset log(posts that week × audience) and a piecewise-linear term in posts per week,
  ``log μ_w = log(n_w·A_w) + β0 + γ1·n_w + γ2·max(n_w − κ, 0) + season``. The per-post
  average therefore changes by exp(γ1) per extra post up to the knot κ and by exp(γ1 + γ2)
  above it; the week's total going from κ to κ + 1 posts changes by
  ``R = (κ + 1)/κ · exp(γ1 + γ2)``;
* **reach per post** — one row per post: reach ~ NB2 with offset log(audience) (followers at
  the publish date) and the same piecewise term, season and format.

Season is one pair of week-of-year harmonics; when no follower level exists (the audience
falls back to a constant), a linear time trend stands in for the growing audience.
Inference is the max-SE rule of :mod:`workbench.stats.nb` applied to the linear combination
γ1 + γ2 (the larger of its model and scaled-HC0 variances, t(n − k) quantiles); the
post-level reach model also takes the week-clustered variance when it is larger (posts per
week is shared by every post of a week), with t(G − 1).

Evidence is "firm" when the 95 % interval of R lies entirely above 1 (the extra post adds
engagement), entirely below 1 (it takes engagement from the others), or entirely below
(κ + 1)/κ (it adds less than an average post: diminishing returns). `FrequencyResult.plan`
gives the next month's plan one of those flags, or None when the evidence is not firm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module
from workbench.platforms import PLATFORM_LABELS
from workbench.stats.nb import NBFit, fit_nb, merge_sparse_levels
from workbench.stats.outcomes import AUDIENCE_FOLLOWERS

stats = lazy_module("scipy.stats")

MIN_WEEKS = 20
MIN_WEEKS_EACH_SIDE = 5
PLAN_ADDS = "extra_post_adds"
PLAN_TAKES = "extra_post_takes"
PLAN_LITTLE = "extra_post_adds_less_than_average"


@dataclass(frozen=True)
class FrequencyResult:
    """What one more post a week does on one platform.

    Attributes:
        platform: Platform.
        window: ``YYYY-MM..YYYY-MM`` of the history used.
        n_weeks: Weeks with at least one post.
        n_posts: Posts in those weeks.
        knot: κ, the posts-per-week level the question is asked at ("a (κ+1)th post").
        weekly_posts: {posts per week: number of weeks}.
        total_ratio: R, the week's total interactions with κ + 1 posts over κ posts.
        total_ci: 95 % interval of R.
        per_post_ratio: exp(γ1 + γ2): an average post's interactions, one more post a week.
        marginal_share: κ·(R − 1): what the extra post adds, as a share of an average post
            (1 = a full post's worth, 0 = nothing, < 0 = it takes from the others).
        marginal_share_ci: Its interval.
        reach_ratio: Reach per post with κ + 1 posts a week over κ (post-level model).
        reach_ci: 95 % interval of ``reach_ratio``.
        p_value: Two-sided p of γ1 + γ2 = 0 (no change in the per-post average).
        plan: `PLAN_ADDS`, `PLAN_TAKES`, `PLAN_LITTLE` or None (evidence not firm).
        method: ``negbin`` or ``insufficient``.
        covariates: What the models adjust for.
        notes: Plain-language remarks.
    """

    platform: str
    window: str
    n_weeks: int
    n_posts: int
    knot: int | None
    weekly_posts: dict[int, int]
    total_ratio: float = float("nan")
    total_ci: tuple[float, float] = (float("nan"), float("nan"))
    per_post_ratio: float = float("nan")
    marginal_share: float = float("nan")
    marginal_share_ci: tuple[float, float] = (float("nan"), float("nan"))
    reach_ratio: float = float("nan")
    reach_ci: tuple[float, float] = (float("nan"), float("nan"))
    p_value: float = float("nan")
    plan: str | None = None
    method: str = "insufficient"
    covariates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def firm(self) -> bool:
        """True when the evidence is firm enough for the next month's plan."""
        return self.plan is not None

    def sentence(self) -> str:
        """The plain-language answer for the leadership page."""
        name = PLATFORM_LABELS.get(self.platform, self.platform)
        if self.method != "negbin":
            return (f"{name}: too few weeks of posts ({self.n_weeks}) to tell whether posting "
                    "more often adds engagement.")
        k = self.knot
        low, high = self.total_ci
        change = (f"{_pct(self.total_ratio)} total interactions in the week (95 % interval "
                  f"{_pct(low)} to {_pct(high)})")
        head = f"{name}: going from {k} to {k + 1} posts a week went with {change}"
        if self.plan == PLAN_ADDS:
            tail = "an extra post adds engagement"
        elif self.plan == PLAN_TAKES:
            tail = (f"the extra post takes engagement from the other {k}: posting more often "
                    "does not pay")
        elif self.plan == PLAN_LITTLE:
            tail = (f"the extra post adds less than an average post (about "
                    f"{max(self.marginal_share, 0):.0%} of one); the rest is taken from the "
                    f"other {k}")
        else:
            tail = "the data cannot yet say whether an extra post adds or takes engagement"
        return f"{head}; {tail}."

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN → None)."""
        return _json({
            "platform": self.platform, "window": self.window, "n_weeks": self.n_weeks,
            "n_posts": self.n_posts, "knot": self.knot,
            "weekly_posts": {str(k): v for k, v in self.weekly_posts.items()},
            "total_ratio": self.total_ratio, "total_ci": list(self.total_ci),
            "per_post_ratio": self.per_post_ratio, "marginal_share": self.marginal_share,
            "marginal_share_ci": list(self.marginal_share_ci),
            "reach_ratio": self.reach_ratio, "reach_ci": list(self.reach_ci),
            "p_value": self.p_value, "plan": self.plan, "firm": self.firm,
            "method": self.method, "covariates": list(self.covariates),
            "notes": list(self.notes), "sentence": self.sentence(),
        })


def _pct(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.0f} %"


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def cluster_cov(fit: NBFit, groups: pd.Series) -> tuple[pd.DataFrame, int]:
    """Cluster-robust covariance of the regression coefficients (as `nb.cluster_se`)."""
    model = fit.result.model
    params = np.asarray(fit.result.params, dtype="float64")
    scores = model.score_obs(params)
    codes, uniques = pd.factorize(groups.loc[fit.mu.index])
    summed = np.zeros((len(uniques), scores.shape[1]))
    np.add.at(summed, codes, scores)
    bread = np.linalg.inv(-model.hessian(params))
    cov = bread @ (summed.T @ summed) @ bread
    g = len(uniques)
    cov *= g / max(g - 1, 1) * (fit.n - 1) / (fit.n - fit.k)
    names = fit.params.index
    return pd.DataFrame(cov[: fit.k, : fit.k], index=names, columns=names), g


def combination(fit: NBFit, names: list[str], level: float = 0.95,
                clusters: pd.Series | None = None) -> tuple[float, float, float, float]:
    """Estimate, CI and p of Σ β[names] with the max-SE rule (larger of both variances).

    With ``clusters`` (e.g. ISO week for a regressor that is constant within a week) the
    cluster-robust variance joins the maximum and the t quantile uses G − 1 df when it wins.
    """
    names = [n for n in names if n in fit.params.index]
    if not fit.converged or not names:
        return (float("nan"),) * 4
    b = float(fit.params[names].sum())
    ones = np.ones(len(names))
    var_model = float(ones @ fit.cov_model.loc[names, names].to_numpy() @ ones)
    var_robust = float(ones @ fit.cov_robust.loc[names, names].to_numpy() @ ones)
    variance = float(np.nanmax([var_model, var_robust]))
    df = fit.df_resid
    if clusters is not None and fit.result is not None:
        cov, g = cluster_cov(fit, clusters)
        var_cluster = float(ones @ cov.loc[names, names].to_numpy() @ ones)
        if g >= MIN_WEEKS and var_cluster > variance:
            variance, df = var_cluster, g - 1
    se = math.sqrt(variance)
    q = stats.t.ppf(0.5 + level / 2, df)
    p = float(2 * stats.t.sf(abs(b / se), df)) if se > 0 else float("nan")
    return b, b - q * se, b + q * se, p


def _season(published_local: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    local = published_local
    woy = local.dt.isocalendar()["week"].astype("float64").to_numpy()
    angle = 2 * np.pi * woy / 52.18
    return np.sin(angle), np.cos(angle)


def posting_frequency(
    data: pd.DataFrame,
    platform: str,
    *,
    knot: int | None = None,
    window: str = "",
    week_posts: pd.Series | None = None,
) -> FrequencyResult:
    """Weekly posts against weekly total interactions and reach per post on one platform.

    Args:
        data: Prepared posts over the history (``PreparedPosts.data``) with an ``audience``
            column (`workbench.stats.outcomes.audience_at_publish`) and ``audience_source``;
            not modified.
        platform: Platform to analyse.
        knot: κ, the posts-per-week level asked about; default the median weekly posts.
        window: Label of the history used.
        week_posts: Posts per ISO week (index ``YYYY-Www``) on this platform counting every
            published post (boosted, shared and young ones compete for the same audience);
            default: the analysable posts in ``data``. See `weekly_post_counts`.

    Returns:
        FrequencyResult (``method="insufficient"`` with fewer than 20 weeks of posts).
    """
    rows = data.loc[(data["platform"].astype("string") == platform).fillna(False).to_numpy()]
    rows = rows.reset_index(drop=True)
    notes: list[str] = []
    weeks = rows["iso_week"].astype("string")
    counted = weeks.value_counts() if week_posts is None else week_posts
    n_week = weeks.map(counted).fillna(weeks.map(weeks.value_counts())).astype("int64")
    per_week = n_week.groupby(weeks.to_numpy()).first()
    distribution = {int(k): int(v) for k, v in per_week.value_counts().sort_index().items()}
    n_weeks = int(len(per_week))
    if n_weeks < MIN_WEEKS:
        return FrequencyResult(platform, window, n_weeks, len(rows), None, distribution,
                               notes=[f"{n_weeks} weeks with posts; at least {MIN_WEEKS} are "
                                      "needed"])
    if knot is None:
        knot = max(1, int(np.round(np.median(per_week.to_numpy()))))
    above = int((per_week > knot).sum())
    below = int((per_week <= knot).sum())
    piecewise = above >= MIN_WEEKS_EACH_SIDE and below >= MIN_WEEKS_EACH_SIDE
    if not piecewise:
        notes.append(f"too few weeks on one side of {knot} posts a week for a bend: one slope "
                     "is fitted over the whole range")

    followers = bool(("audience_source" in rows.columns)
                     and (rows["audience_source"] == AUDIENCE_FOLLOWERS).all())
    audience = rows["audience"].astype("float64") if followers else pd.Series(
        1.0, index=rows.index)
    s1, c1 = _season(rows["published_local"])
    start = rows["published_local"].min()
    trend = ((rows["published_local"] - start).dt.total_seconds() / (365.25 * 86400)).to_numpy()
    frame = rows.assign(
        n_week=n_week.astype("float64"),
        above=np.maximum(n_week.to_numpy(dtype="float64") - knot, 0.0),
        season_s=s1, season_c=c1, trend=trend, audience_w=audience.to_numpy(),
    )
    terms = ["n_week", *(["above"] if piecewise else []), "season_s", "season_c"]
    covariates = ["week of year"]
    if followers:
        covariates.append("followers (offset)")
    else:
        terms.append("trend")
        covariates.append("time trend (no follower level)")
        notes.append("no follower series for this platform: a time trend stands in for the "
                     "growing audience")

    weekly = frame.groupby("iso_week", as_index=False).agg(
        y=("y", "sum"), n_week=("n_week", "first"), above=("above", "first"),
        season_s=("season_s", "mean"), season_c=("season_c", "mean"),
        trend=("trend", "mean"), audience_w=("audience_w", "mean"))
    weekly["exposure_w"] = weekly["n_week"] * weekly["audience_w"]
    total_fit = fit_nb(weekly, "y", "exposure_w", terms, offset=True)
    slope = ["n_week", "above"] if piecewise else ["n_week"]
    b, low, high, p = combination(total_fit, slope)
    factor = (knot + 1) / knot

    reach_terms = [*terms]
    reach_frame, _ = merge_sparse_levels(frame.assign(reach_y=frame["exposure"].round()),
                                         "fmt", outcome=None)
    if reach_frame["fmt"].nunique() > 1:
        reach_terms.append("C(fmt)")
        covariates.append("format (reach model)")
    reach_fit = fit_nb(reach_frame, "reach_y", "audience_w" if followers else None,
                       reach_terms, offset=True)
    # Posts per week is the same for every post of a week: cluster by week (Moulton).
    rb, rlow, rhigh, _ = combination(reach_fit, slope, clusters=reach_frame["iso_week"])
    notes.extend(total_fit.notes)
    if not total_fit.converged:
        return FrequencyResult(platform, window, n_weeks, len(rows), knot, distribution,
                               covariates=covariates,
                               notes=[*notes, "the weekly model did not converge"])
    ratio = factor * math.exp(b)
    ci = (factor * math.exp(low), factor * math.exp(high))
    if ci[0] > 1:
        plan = PLAN_ADDS
    elif ci[1] < 1:
        plan = PLAN_TAKES
    elif ci[1] < factor:
        plan = PLAN_LITTLE
    else:
        plan = None
    return FrequencyResult(
        platform=platform, window=window, n_weeks=n_weeks, n_posts=len(rows), knot=knot,
        weekly_posts=distribution, total_ratio=ratio, total_ci=ci,
        per_post_ratio=math.exp(b), marginal_share=knot * (ratio - 1),
        marginal_share_ci=(knot * (ci[0] - 1), knot * (ci[1] - 1)),
        reach_ratio=math.exp(rb) if np.isfinite(rb) else float("nan"),
        reach_ci=(math.exp(rlow), math.exp(rhigh)) if np.isfinite(rb) else (
            float("nan"), float("nan")),
        p_value=p, plan=plan, method="negbin", covariates=covariates, notes=notes,
    )


def weekly_post_counts(posts: pd.DataFrame, tz: str | None) -> dict[str, pd.Series]:
    """Published posts per local ISO week for each platform (one count per post id).

    Args:
        posts: Canonical ``posts`` table (``platform``, ``post_id``, ``published_at_utc``).
        tz: Organisation time zone (None: UTC weeks).

    Returns:
        {platform: Series of counts indexed by ``YYYY-Www``}.
    """
    frame = posts.drop_duplicates(["platform", "post_id"])
    when = pd.to_datetime(frame["published_at_utc"], utc=True)
    if tz:
        when = when.dt.tz_convert(tz)
    iso = when.dt.isocalendar()
    week = iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
    out = {}
    for platform, counts in week.groupby(frame["platform"].astype("string")):
        out[str(platform)] = counts.value_counts()
    return out


def frequency_knot(params: Mapping[str, Any] | None, platform: str) -> int | None:
    """κ from params ``posting_frequency_knot`` (an int or a {platform: int} map), or None."""
    value = (params or {}).get("posting_frequency_knot")
    if isinstance(value, Mapping):
        value = value.get(platform)
    return None if value is None else int(value)

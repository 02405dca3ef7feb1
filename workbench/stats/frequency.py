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
γ1 + γ2 (the larger of its model variance × n/(n − k) and its HC3 sandwich variance, t(n − k)
quantiles); the post-level reach model also takes the week-clustered variance when it is larger
(posts per week is shared by every post of a week), with t(G − 1).

Three rows per platform join the month's family of comparisons (the DESIGN.md hypothesis
fields, `frequency_rows`), adjusted once with the content rows:

* ``posting_frequency`` — R, the week's total interactions with κ + 1 posts over κ posts
  (null R = 1: the extra post adds nothing to the week);
* ``posting_frequency:per_post`` — exp(γ1 + γ2), an average post's interactions one more post
  a week (null 1: the extra post adds a full post's worth, nothing is taken from the others);
* ``posting_frequency:reach`` — reach per post with one more post a week (null 1).

The evidence is "firm" only when the row it rests on is labelled strong (family-adjusted p
below ``alpha``, interval excluding 1, not underpowered): the extra post **adds** engagement
(R strong above 1), **takes** it from the others (R strong below 1), or adds **less than an
average post** (R not firm, the per-post ratio strong below 1: diminishing returns).
`FrequencyResult.plan` gives the next month's plan that flag, or None when nothing is firm.
Until `judge_frequency` applies the family's adjusted p-values the labels use the raw p (a
family of one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module
from workbench.params import setting
from workbench.platforms import PLATFORM_LABELS
from workbench.stats import power
from workbench.stats.confidence import confidence_label, label_levels
from workbench.stats.hypotheses import HypothesisResult
from workbench.stats.nb import NBFit, fit_nb, merge_sparse_levels
from workbench.stats.outcomes import AUDIENCE_FOLLOWERS
from workbench.stats.pooling import se_from_interval

stats = lazy_module("scipy.stats")

MIN_WEEKS = 20
MIN_WEEKS_EACH_SIDE = 5
PLAN_ADDS = "extra_post_adds"
PLAN_TAKES = "extra_post_takes"
PLAN_LITTLE = "extra_post_adds_less_than_average"
#: Row ids of the month's family (see the module docstring).
FREQUENCY_ID = "posting_frequency"
FREQUENCY_PER_POST_ID = "posting_frequency:per_post"
FREQUENCY_REACH_ID = "posting_frequency:reach"
FREQUENCY_IDS = (FREQUENCY_ID, FREQUENCY_PER_POST_ID, FREQUENCY_REACH_ID)
#: Outcome names of the three rows.
FREQUENCY_OUTCOMES = {FREQUENCY_ID: "weekly_interactions",
                      FREQUENCY_PER_POST_ID: "interactions_per_post",
                      FREQUENCY_REACH_ID: "reach_per_post"}
#: Prefix of the first warning of every frequency row; the sentence reads κ from it.
KNOT_NOTE = "going from {k} to {k1} posts a week"


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
        plan: `PLAN_ADDS`, `PLAN_TAKES`, `PLAN_LITTLE` or None: the firm answer the next
            month's plan uses (module docstring), None when no row it rests on is strong.
        method: ``negbin`` or ``insufficient``.
        covariates: What the models adjust for.
        notes: Plain-language remarks.
        per_post_ci: 95 % interval of ``per_post_ratio``.
        total_p: Two-sided p of R = 1 (the extra post adds nothing to the week's total).
        reach_p: Two-sided p of ``reach_ratio`` = 1.
        n_weeks_above: Weeks with more than κ posts.
        p_adjusted: Adjusted p by row id (`FREQUENCY_IDS`); the raw p until the month's
            family is adjusted (`judge_frequency`).
        confidence: Confidence label by row id, from ``p_adjusted``.
        in_family: True once `judge_frequency` applied the month's family adjustment.
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
    per_post_ci: tuple[float, float] = (float("nan"), float("nan"))
    total_p: float = float("nan")
    reach_p: float = float("nan")
    n_weeks_above: int = 0
    p_adjusted: dict[str, float] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)
    in_family: bool = False

    @property
    def firm(self) -> bool:
        """True when the evidence is firm enough for the next month's plan."""
        return self.plan is not None

    @property
    def plan_confidence(self) -> str:
        """The label the answer rests on (the per-post row's for diminishing returns)."""
        row = FREQUENCY_PER_POST_ID if self.plan == PLAN_LITTLE else FREQUENCY_ID
        return self.confidence.get(row, "inconclusive")

    def sentence(self) -> str:
        """The plain-language answer for the leadership page, with its confidence."""
        name = PLATFORM_LABELS.get(self.platform, self.platform)
        if self.method != "negbin":
            return (f"{name}: too few weeks of posts ({self.n_weeks}) to tell whether posting "
                    "more often adds engagement; inconclusive.")
        k = self.knot
        low, high = self.total_ci
        change = (f"{_pct(self.total_ratio)} total interactions in the week (95 % interval "
                  f"{_pct(low)} to {_pct(high)})")
        head = f"{name}: going from {k} to {k + 1} posts a week went with {change}"
        if np.isfinite(self.reach_ratio):
            head += (f" and {_pct(self.reach_ratio)} reach per post ({_pct(self.reach_ci[0])} "
                     f"to {_pct(self.reach_ci[1])})")
        if self.plan == PLAN_ADDS:
            tail = "an extra post adds engagement"
        elif self.plan == PLAN_TAKES:
            tail = (f"the extra post takes engagement from the other {k}: posting more often "
                    "does not pay")
        elif self.plan == PLAN_LITTLE:
            tail = (f"the extra post adds less than an average post ({self._per_post()}; "
                    f"about {max(self.marginal_share, 0) * 100:.0f} % of a post's worth is "
                    f"added, the rest is taken from the other {k})")
        else:
            tail = ("the data cannot yet say firmly whether an extra post adds or takes "
                    "engagement")
        return f"{head}; {tail}; {self.plan_confidence}."

    def plan_line(self) -> str | None:
        """Next month's plan line when the evidence is firm (`plan`), else None."""
        if self.plan is None or self.method != "negbin":
            return None
        name = PLATFORM_LABELS.get(self.platform, self.platform)
        k = self.knot
        low, high = self.total_ci
        evidence = (f"{_pct(self.total_ratio)} total interactions in the week, 95 % interval "
                    f"{_pct(low)} to {_pct(high)}; {self.plan_confidence}")
        if self.plan == PLAN_LITTLE:
            evidence = f"{self._per_post()}; {self.plan_confidence}"
        if self.plan == PLAN_ADDS:
            return (f"Posting frequency, {name}: post {k + 1} times a week rather than {k}: "
                    f"the extra post added engagement ({evidence}).")
        if self.plan == PLAN_TAKES:
            return (f"Posting frequency, {name}: keep to {k} posts a week: a post beyond "
                    f"{k} took engagement from the others ({evidence}).")
        return (f"Posting frequency, {name}: a post beyond {k} a week adds less than an "
                f"average post (about {max(self.marginal_share, 0) * 100:.0f} % of one); put "
                f"the effort into the {k} posts rather than an extra one ({evidence}).")

    def _per_post(self) -> str:
        low, high = self.per_post_ci
        return (f"{_pct(self.per_post_ratio)} interactions per post, 95 % interval "
                f"{_pct(low)} to {_pct(high)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN → None)."""
        return _json({
            "platform": self.platform, "window": self.window, "n_weeks": self.n_weeks,
            "n_posts": self.n_posts, "knot": self.knot,
            "weekly_posts": {str(k): v for k, v in self.weekly_posts.items()},
            "total_ratio": self.total_ratio, "total_ci": list(self.total_ci),
            "total_p": self.total_p,
            "per_post_ratio": self.per_post_ratio, "per_post_ci": list(self.per_post_ci),
            "marginal_share": self.marginal_share,
            "marginal_share_ci": list(self.marginal_share_ci),
            "reach_ratio": self.reach_ratio, "reach_ci": list(self.reach_ci),
            "reach_p": self.reach_p,
            "p_value": self.p_value, "p_adjusted": dict(self.p_adjusted),
            "confidence": dict(self.confidence), "in_family": self.in_family,
            "plan": self.plan, "firm": self.firm, "plan_line": self.plan_line(),
            "method": self.method, "covariates": list(self.covariates),
            "notes": list(self.notes), "sentence": self.sentence(),
        })


def frequency_rows(result: FrequencyResult, params: Mapping[str, Any] | None = None
                   ) -> list[HypothesisResult]:
    """The month's-family rows of one platform's answer (DESIGN.md hypothesis fields).

    ``posting_frequency`` (R against 1), ``posting_frequency:per_post`` and
    ``posting_frequency:reach`` (against 1); one ``insufficient`` ``posting_frequency`` row
    when there were too few weeks. ``n`` counts weeks (posts for the reach row), ``n_group``
    the weeks above κ posts (``with``) and at or below it (``without``). ``p_adjusted`` is the
    raw p (a family of one) until the family is adjusted.
    """
    warn_ratio = float(setting(params, "mde_warn_ratio"))
    strong_at, suggestive_at = label_levels(
        {"alpha": setting(params, "alpha"), "fdr_q": setting(params, "fdr_q")})
    groups = {"with": result.n_weeks_above, "without": result.n_weeks - result.n_weeks_above}
    if result.method != "negbin":
        return [HypothesisResult(
            id=FREQUENCY_ID, platform=result.platform, window=result.window,
            outcome=FREQUENCY_OUTCOMES[FREQUENCY_ID], estimate=float("nan"),
            ci_low=float("nan"), ci_high=float("nan"), p_value=float("nan"),
            p_adjusted=float("nan"), n=result.n_weeks, n_group=groups, method="insufficient",
            mde=float("nan"), underpowered=True, confidence="inconclusive", covariates=[],
            warnings=[*result.notes])]
    note = KNOT_NOTE.format(k=result.knot, k1=result.knot + 1)
    specs = (
        (FREQUENCY_ID, result.total_ratio, result.total_ci, result.total_p, result.n_weeks),
        (FREQUENCY_PER_POST_ID, result.per_post_ratio, result.per_post_ci, result.p_value,
         result.n_weeks),
        (FREQUENCY_REACH_ID, result.reach_ratio, result.reach_ci, result.reach_p,
         result.n_posts),
    )
    rows = []
    for hid, estimate, (low, high), p, n in specs:
        if not np.isfinite(estimate):
            continue
        se = se_from_interval(low, high)
        mde = power.mde_from_se(se) if np.isfinite(se) else float("nan")
        underpowered = power.is_underpowered(mde, warn_ratio)
        rows.append(HypothesisResult(
            id=hid, platform=result.platform, window=result.window,
            outcome=FREQUENCY_OUTCOMES[hid], estimate=float(estimate), ci_low=float(low),
            ci_high=float(high), p_value=float(p), p_adjusted=float(p), n=int(n),
            n_group=dict(groups), method="negbin", mde=mde, underpowered=underpowered,
            confidence=confidence_label(p, low, high, underpowered, "negbin",
                                        strong_at=strong_at, suggestive_at=suggestive_at),
            covariates=list(result.covariates), warnings=[note, *result.notes]))
    return rows


def judge_frequency(result: FrequencyResult, rows: list[HypothesisResult], *,
                    in_family: bool = True) -> FrequencyResult:
    """``result`` with the adjusted p, labels and the firm plan from its family ``rows``.

    Args:
        result: One platform's answer.
        rows: Its rows (`frequency_rows`) as adjusted in the month's family (other rows and
            other platforms' rows are ignored).
        in_family: False when the rows were not adjusted with a family (a family of one).
    """
    mine = {r.id: r for r in rows if r.platform == result.platform and r.id in FREQUENCY_IDS}
    p_adjusted = {hid: float(r.p_adjusted) for hid, r in mine.items()}
    confidence = {hid: str(r.confidence) for hid, r in mine.items()}
    plan = None
    if result.method == "negbin":
        if confidence.get(FREQUENCY_ID) == "strong":
            plan = PLAN_ADDS if result.total_ratio > 1 else PLAN_TAKES
        elif confidence.get(FREQUENCY_PER_POST_ID) == "strong" and result.per_post_ratio < 1:
            plan = PLAN_LITTLE
    return replace(result, p_adjusted=p_adjusted, confidence=confidence, plan=plan,
                   in_family=in_family)


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
    b, se, df = combination_se(fit, names, clusters=clusters)
    if not np.isfinite(b):
        return (float("nan"),) * 4
    q = stats.t.ppf(0.5 + level / 2, df)
    return b, b - q * se, b + q * se, shifted_p(b, se, df)


def combination_se(fit: NBFit, names: list[str], clusters: pd.Series | None = None
                   ) -> tuple[float, float, float]:
    """Σ β[names], its standard error and the t degrees of freedom (see `combination`)."""
    names = [n for n in names if n in fit.params.index]
    if not fit.converged or not names:
        return (float("nan"),) * 3
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
    return b, math.sqrt(variance), float(df)


def shifted_p(b: float, se: float, df: float, null: float = 0.0) -> float:
    """Two-sided t p-value of b = ``null`` (NaN without a positive SE)."""
    if not (np.isfinite(b) and np.isfinite(se)) or se <= 0:
        return float("nan")
    return float(2 * stats.t.sf(abs((b - null) / se), df))


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
    params: Mapping[str, Any] | None = None,
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
        params: Run settings for the rows' labels (``alpha``, ``fdr_q``,
            ``mde_warn_ratio``; defaults from params/monthly.yaml).

    Returns:
        FrequencyResult (``method="insufficient"`` with fewer than 20 weeks of posts), judged
        as a family of one (`judge_frequency` with its own rows); the month adjusts it again
        with its family.
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
        short = FrequencyResult(platform, window, n_weeks, len(rows), None, distribution,
                                notes=[f"{n_weeks} weeks with posts; at least {MIN_WEEKS} are "
                                       "needed"])
        return judge_frequency(short, frequency_rows(short, params), in_family=False)
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
    b, se, df = combination_se(total_fit, slope)
    q = float(stats.t.ppf(0.975, df)) if np.isfinite(df) else float("nan")
    low, high, p = b - q * se, b + q * se, shifted_p(b, se, df)
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
    rb, rlow, rhigh, reach_p = combination(reach_fit, slope, clusters=reach_frame["iso_week"])
    notes.extend(total_fit.notes)
    if not total_fit.converged:
        failed = FrequencyResult(platform, window, n_weeks, len(rows), knot, distribution,
                                 covariates=covariates,
                                 notes=[*notes, "the weekly model did not converge"],
                                 n_weeks_above=above)
        return judge_frequency(failed, frequency_rows(failed, params), in_family=False)
    ratio = factor * math.exp(b)
    ci = (factor * math.exp(low), factor * math.exp(high))
    result = FrequencyResult(
        platform=platform, window=window, n_weeks=n_weeks, n_posts=len(rows), knot=knot,
        weekly_posts=distribution, total_ratio=ratio, total_ci=ci,
        per_post_ratio=math.exp(b), marginal_share=knot * (ratio - 1),
        marginal_share_ci=(knot * (ci[0] - 1), knot * (ci[1] - 1)),
        reach_ratio=math.exp(rb) if np.isfinite(rb) else float("nan"),
        reach_ci=(math.exp(rlow), math.exp(rhigh)) if np.isfinite(rb) else (
            float("nan"), float("nan")),
        p_value=p, method="negbin", covariates=covariates, notes=notes,
        per_post_ci=(math.exp(low), math.exp(high)),
        # R = 1 ⇔ γ1 + γ2 = −log((κ + 1)/κ)
        total_p=shifted_p(b, se, df, null=-math.log(factor)),
        reach_p=float(reach_p), n_weeks_above=above,
    )
    return judge_frequency(result, frequency_rows(result, params), in_family=False)


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

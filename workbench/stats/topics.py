"""Topic ranking and next month's content mix (statistics.md §5, hypothesis H4).

Each topic's rate ratio θ_k (interactions per exposure relative to what platform and month
predict) gets a gamma-Poisson posterior built from *overdispersion-scaled* effective counts;
P(best) comes from Monte Carlo draws, and next month's shares follow a top-two Thompson rule
with floors, caps and fixed quotas for mission topics (``params.topics.<name>.quota``).

The module also holds the pieces the posting-time heat map reuses (§4.3): the rolling window,
the baseline NB fit with an exposure offset, and the effective-count posterior.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.jsonsafe import jsonable
from workbench.lazy import lazy_module
from workbench.month import Month
from workbench.params import setting
from workbench.stats.nb import NBFit, fit_nb, merge_sparse_levels
from workbench.stats.outcomes import PreparedPosts, prepare_posts

sps = lazy_module("scipy.stats")

#: Default prior strength a₀ of Gamma(a₀, a₀) (prior 95 % interval ≈ 0.43–1.82).
DEFAULT_PRIOR_STRENGTH = 8.0
#: Default recency half-life in months (§5.2).
DEFAULT_HALF_LIFE_MONTHS = 3.0
#: Monte Carlo draws for P(best) (§5.3).
DEFAULT_DRAWS = 20_000
#: Share cap per free topic (§5.4).
DEFAULT_CAP = 0.40
#: Evidence guard (§5.4 step 5).
MIN_P_BEST_TO_MOVE = 0.35
MIN_POSTS_TO_MOVE = 60
NO_TOPIC = "(no topic)"
HEURISTIC_NOTE = (
    "This is an allocation heuristic that balances trying topics and using what works; "
    "it is not a proof that a topic is better."
)


# --------------------------------------------------------------------------------------------
# Shared helpers (also used by posting_times)
# --------------------------------------------------------------------------------------------


def month_window(month: str, window_months: int) -> tuple[str, str]:
    """Inclusive ``(first, last)`` months of the rolling window ending at ``month``."""
    first, last = Month.parse(month).window(window_months)
    return str(first), str(last)


def prepare_window(
    posts: pd.DataFrame,
    labels: pd.DataFrame | None,
    *,
    params: Mapping[str, Any],
    month: str,
    platform: str | None = None,
) -> PreparedPosts:
    """Analysable posts of the rolling window ending at ``month`` (optionally one platform)."""
    window = month_window(month, int(setting(params, "window_months")))
    if platform is not None:
        posts = posts.loc[posts["platform"].astype("string") == platform]
    return prepare_posts(
        posts,
        labels,
        window=window,
        min_age_days=float(setting(params, "min_post_age_days")),
    )


def budgeted_terms(
    data: pd.DataFrame, candidates: Sequence[str], k_used: int
) -> tuple[pd.DataFrame, list[str], int]:
    """Add factor covariates in priority order while k ≤ n/10 (§2.1).

    Sparse levels (< 5 posts, or all-zero outcome) are merged into "other" first.

    Args:
        data: Prepared posts (not modified).
        candidates: Factor columns in priority order (e.g. platform, fmt_group, month).
        k_used: Coefficients already committed (intercept and required terms).

    Returns:
        (data with merged levels, the factor terms admitted, k).
    """
    n = len(data)
    terms: list[str] = []
    out = data
    for name in candidates:
        merged, _ = merge_sparse_levels(out, name)
        levels = merged[name].value_counts()
        extra = len(levels) - 1
        if extra < 1 or k_used + extra > n / 10:
            continue
        out = merged
        terms.append(f"C({name})")
        k_used += extra
    return out, terms, k_used


def fit_baseline(data: pd.DataFrame, terms: Sequence[str]) -> NBFit:
    """NB2 fit of ``y`` with offset log(exposure) on ``terms`` (§2.2), or raise if it fails."""
    fit = fit_nb(data, "y", "exposure", list(terms), offset=True)
    if not fit.converged:
        raise WorkbenchError(
            "the count model did not converge",
            hint="widen the window (window_months) or check the exposure columns",
        )
    return fit


def effective_counts(
    y: np.ndarray,
    mu: np.ndarray,
    alpha: float,
    groups: pd.Series,
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Overdispersion-scaled effective counts per group (§5.2, §4.3).

    O = Σ w y, E = Σ w μ̂, V = Σ w² (μ̂ + α μ̂²), D = V / E; O* = O / D, E* = E / D. With w = 1,
    D = 1 + α Σ μ̂² / E (the §4.3 heat-map formula).

    Returns:
        Frame indexed by group with ``n``, ``observed``, ``expected``, ``inflation``,
        ``observed_eff``, ``expected_eff``.
    """
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    frame = pd.DataFrame(
        {
            "group": np.asarray(groups, dtype=object),
            "n": 1,
            "observed": w * np.asarray(y, dtype=float),
            "expected": w * np.asarray(mu, dtype=float),
            "variance": w**2 * (mu + alpha * mu**2),
        }
    )
    out = frame.groupby("group", sort=False).sum()
    out["inflation"] = (out["variance"] / out["expected"]).clip(lower=1.0)
    out["observed_eff"] = out["observed"] / out["inflation"]
    out["expected_eff"] = out["expected"] / out["inflation"]
    return out.drop(columns="variance")


def gamma_summary(shape: np.ndarray, rate: np.ndarray) -> pd.DataFrame:
    """Posterior mean, median, 80 %/95 % intervals and P(θ > 1) of Gamma(shape, rate)."""
    shape = np.asarray(shape, dtype=float)
    scale = 1.0 / np.asarray(rate, dtype=float)
    dist = sps.gamma(shape, scale=scale)
    return pd.DataFrame(
        {
            "mean": shape * scale,
            "median": dist.ppf(0.5),
            "low80": dist.ppf(0.10),
            "high80": dist.ppf(0.90),
            "low95": dist.ppf(0.025),
            "high95": dist.ppf(0.975),
            "p_above_1": dist.sf(1.0),
        }
    )


def fit_prior_strength(observed_eff: np.ndarray, expected_eff: np.ndarray) -> float:
    """Empirical-Bayes a₀ ∈ [2, 100] maximising the gamma-Poisson marginal likelihood (§5.2)."""
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln

    o = np.asarray(observed_eff, dtype=float)
    e = np.asarray(expected_eff, dtype=float)

    def negative_loglik(log_a: float) -> float:
        a = math.exp(log_a)
        ll = (
            gammaln(a + o)
            - gammaln(a)
            - gammaln(o + 1)
            + a * np.log(a / (a + e))
            + o * np.log(np.where(e > 0, e, 1.0) / (a + e))
        )
        return -float(ll.sum())

    best = minimize_scalar(negative_loglik, bounds=(math.log(2), math.log(100)), method="bounded")
    return float(math.exp(best.x))


# --------------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------------


def clip_shares(raw: np.ndarray, floor: float, cap: float) -> np.ndarray:
    """Shares summing to 1 with floor ≤ s ≤ cap, proportional to ``raw`` elsewhere.

    Clipped topics are fixed and the rest renormalised until nothing moves (water-filling), so
    floors and caps still hold after renormalising.
    """
    raw = np.asarray(raw, dtype=float)
    k = len(raw)
    if k == 0:
        return raw
    cap = max(cap, 1.0 / k)  # a cap below 1/K cannot be met
    floor = min(floor, 1.0 / k)
    shares = raw / raw.sum() if raw.sum() > 0 else np.full(k, 1.0 / k)
    fixed = np.zeros(k, dtype=bool)
    for _ in range(2 * k + 2):
        free_mass = 1.0 - shares[fixed].sum()
        free_raw = raw[~fixed]
        if (~fixed).any():
            total = free_raw.sum()
            scaled = (
                free_raw / total * free_mass
                if total > 0
                else np.full(free_raw.size, free_mass / free_raw.size)
            )
            shares[~fixed] = scaled
        low = ~fixed & (shares < floor - 1e-12)
        high = ~fixed & (shares > cap + 1e-12)
        # Caps first, then floors, one side per pass: fixing both at once can leave mass over.
        if high.any():
            shares[high] = cap
            fixed |= high
        elif low.any():
            shares[low] = floor
            fixed |= low
        else:
            break
    return shares


def largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` by largest-remainder rounding of shares·total."""
    exact = np.asarray(shares, dtype=float) * total
    counts = np.floor(exact).astype(int)
    left = total - counts.sum()
    if left > 0:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:left]] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRanking:
    """Topic posteriors and the recommended mix for next month (§5.3-§5.4).

    Attributes:
        table: One row per topic (see :meth:`to_frame`).
        month: The month the window ends at.
        window: ``YYYY-MM..YYYY-MM``.
        platform: Platform analysed, or ``all`` (platform is then a baseline covariate).
        n_posts: Analysable posts in the window (all topics, including unlabelled).
        mode: ``thompson`` (a new mix) or ``keep_current_mix`` (evidence guard, §5.4 step 5)
            or ``insufficient`` (no model could be fitted).
        planned_posts: Next month's post count the integer plan is for.
        alpha: α̂ of the baseline fit.
        prior_strength: a₀ used.
        covariates: Baseline covariates used.
        notes: Plain-language remarks.
    """

    table: pd.DataFrame
    month: str
    window: str
    platform: str
    n_posts: int
    mode: str
    planned_posts: int
    alpha: float | None
    prior_strength: float
    covariates: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    #: The run's false-discovery level; the mix moves only on evidence at this level.
    fdr_q: float = 0.10

    def to_frame(self) -> pd.DataFrame:
        """Topic, n, rate_ratio (posterior mean), interval, p_best, shares, quota, note."""
        return self.table.copy()

    def best_topic(self) -> str | None:
        """The topic with the highest P(best), or None."""
        if self.table.empty or self.table["p_best"].isna().all():
            return None
        return str(self.table.loc[self.table["p_best"].idxmax(), "topic"])

    def plan_text(self) -> list[str]:
        """The plan as plain sentences for the report."""
        lines: list[str] = []
        if self.mode == "insufficient":
            return [f"Not enough posts in {self.window} to rank topics ({self.n_posts} posts)."]
        top = self.table.sort_values("p_best", ascending=False).iloc[0]
        lines.append(
            f"Over {self.window} ({self.n_posts} posts), {_words(top['topic'])} has the highest "
            f"chance of being the best topic (P(best) = {top['p_best']:.2f}; "
            f"{top['rate_ratio']:.2f}× a typical post, 80 % interval "
            f"{top['ci_low']:.2f}–{top['ci_high']:.2f}, {int(top['n'])} posts)."
        )
        if self.mode == "keep_current_mix":
            lines.append(
                "The evidence is not strong enough to change the mix: keep the current mix "
                f"(a change needs ≥ {MIN_POSTS_TO_MOVE} posts in the window and a topic with "
                f"P(best) ≥ {MIN_P_BEST_TO_MOVE:.2f} that beats a typical post with "
                f"probability ≥ {1 - self.fdr_q:.2f}, set by fdr_q)."
            )
        else:
            parts = [
                f"{_words(row.topic)} {row.recommended_posts}"
                for row in self.table.itertuples()
                if row.recommended_posts > 0
            ]
            lines.append(
                f"Suggested split of next month's {self.planned_posts} posts: "
                + ", ".join(parts)
                + "."
            )
        quota = self.table.loc[self.table["quota"].notna()]
        for row in quota.itertuples():
            lines.append(
                f"{_words(row.topic).capitalize()} keeps its fixed quota of {row.quota:.0%} of "
                "posts (mission topic, not optimised)."
            )
        lines.append(HEURISTIC_NOTE)
        return lines

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict for results.json ``topics``."""
        rows = []
        for record in self.table.to_dict(orient="records"):
            rows.append({key: _json_value(value) for key, value in record.items()})
        return {
            "month": self.month,
            "window": self.window,
            "platform": self.platform,
            "n_posts": int(self.n_posts),
            "mode": self.mode,
            "planned_posts": int(self.planned_posts),
            "alpha": _json_value(self.alpha),
            "prior_strength": float(self.prior_strength),
            "covariates": list(self.covariates),
            "best_topic": self.best_topic(),
            "topics": rows,
            "plan": self.plan_text(),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.plan_text())
        table = self.table.to_html(index=False, escape=True, float_format=lambda v: f"{v:.3g}")
        return f"<ul>{items}</ul>{table}"


def _json_value(value: Any) -> Any:
    """JSON-safe value (NaN/NA → None); anything JSON cannot hold becomes its string."""
    out = jsonable(value)
    return out if out is None or isinstance(out, (bool, int, float, str, list, dict)) else str(out)


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


def _topic_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    settings = dict(params.get("topic_ranking") or {})
    return {
        "half_life": float(settings.get("half_life_months", DEFAULT_HALF_LIFE_MONTHS)),
        "prior": settings.get("prior_strength", DEFAULT_PRIOR_STRENGTH),
        "draws": int(settings.get("draws", DEFAULT_DRAWS)),
        "cap": float(settings.get("cap", DEFAULT_CAP)),
        "floor": settings.get("floor"),
        "rule": str(settings.get("rule", "top_two")),
        "planned_posts": settings.get("planned_posts"),
    }


def _quotas(params: Mapping[str, Any]) -> dict[str, float]:
    quotas: dict[str, float] = {}
    for name, spec in (params.get("topics") or {}).items():
        if isinstance(spec, Mapping) and spec.get("quota") is not None:
            quotas[str(name)] = float(spec["quota"])
    total = sum(quotas.values())
    if total >= 1.0:
        raise WorkbenchError(
            f"topic quotas add up to {total:.0%}, leaving nothing to plan",
            hint="lower the quota values under 'topics' in params/org.yaml",
        )
    return quotas


def _recency_weights(data: pd.DataFrame, month: str, half_life: float) -> np.ndarray:
    if not np.isfinite(half_life) or half_life <= 0:
        return np.ones(len(data))
    end = pd.Period(month, freq="M").end_time.tz_localize("UTC")
    published = pd.to_datetime(data["published_at_utc"], utc=True)
    age_months = (end - published).dt.total_seconds().to_numpy() / (86400 * 30.4375)
    return 0.5 ** (np.clip(age_months, 0, None) / half_life)


def _win_probabilities(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(best) and P(best or second best) per column of ``draws`` (S × K)."""
    k = draws.shape[1]
    if k == 1:
        return np.ones(1), np.ones(1)
    best = np.argmax(draws, axis=1)
    p_best = np.bincount(best, minlength=k) / draws.shape[0]
    second = np.argsort(draws, axis=1)[:, -2]
    p_second = np.bincount(second, minlength=k) / draws.shape[0]
    return p_best, p_best + p_second


def rank_topics(
    posts: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    params: Mapping[str, Any],
    month: str,
    platform: str | None = None,
) -> TopicRanking:
    """Rank topics and recommend next month's mix (statistics.md §5).

    The baseline is the §2 NB model without topic and without format (platform and month as
    the k ≤ n/10 budget allows); per topic the recency-weighted, overdispersion-scaled
    counts give θ_k ~ Gamma(a₀ + O*, a₀ + E*). Quota topics get their fixed share; the rest
    is split by top-two Thompson weights with floor 1/(2K) and cap 0.40.

    Args:
        posts: Canonical posts (not modified).
        labels: Canonical labels (``topic`` column).
        params: Run parameters: ``window_months``, ``min_post_age_days``, ``seed``,
            ``topics.<name>.quota``; optional ``topic_ranking`` mapping with
            ``half_life_months``, ``prior_strength`` (number or ``"eb"``), ``draws``,
            ``floor``, ``cap``, ``rule`` (``top_two`` | ``thompson``), ``planned_posts``.
        month: Last month of the rolling window, ``YYYY-MM``.
        platform: One platform, or None to pool all (platform enters the baseline).

    Returns:
        TopicRanking.
    """
    settings = _topic_settings(params)
    quotas = _quotas(params)
    prepared = prepare_window(posts, labels, params=params, month=month, platform=platform)
    data = prepared.data
    window_label = prepared.window_label
    scope = platform or "all"
    notes = list(prepared.notes)
    if prepared.n_excluded:
        notes.append(f"{prepared.n_excluded} posts left out (boosted, shared, missing or young)")
    configured = [str(t) for t in (params.get("topics") or {})]
    seen = sorted(set(data["topic"].dropna().astype(str)) - set(configured))
    topics = configured + seen
    if "platform" in posts.columns:
        month_posts = (
            posts.loc[posts["platform"].astype("string") == platform] if platform else posts
        )
        published = pd.to_datetime(month_posts["published_at_utc"], utc=True)
        tz = str(params["timezone"])
        in_month = published.dt.tz_convert(tz).dt.strftime("%Y-%m") == month
        planned_default = int(in_month.sum())
    else:
        planned_default = 0
    planned = int(settings["planned_posts"] or planned_default or max(len(data), 1))

    if len(data) < 20 or not topics:
        table = _empty_table(topics, quotas)
        return TopicRanking(
            table=table,
            month=month,
            window=window_label,
            platform=scope,
            n_posts=len(data),
            mode="insufficient",
            planned_posts=planned,
            alpha=None,
            prior_strength=float(DEFAULT_PRIOR_STRENGTH),
            notes=notes,
        )

    candidates = ["platform", "month"] if platform is None else ["month"]
    model_data, terms, _ = budgeted_terms(data, candidates, k_used=1)
    fit = fit_baseline(model_data, terms)
    notes.extend(fit.notes)
    mu = fit.mu.reindex(data.index).to_numpy(dtype=float)
    weights = _recency_weights(data, month, settings["half_life"])
    groups = data["topic"].astype("string").fillna(NO_TOPIC)
    counts = effective_counts(data["y"].to_numpy(float), mu, fit.alpha, groups, weights)
    counts = counts.reindex(topics)
    counts["n"] = counts["n"].fillna(0).astype(int)
    counts = counts.fillna(0.0).assign(n=lambda f: f["n"].astype(int))
    n_unlabelled = int((groups == NO_TOPIC).sum())
    if n_unlabelled:
        notes.append(f"{n_unlabelled} posts without a topic are in the baseline, not ranked")

    prior = settings["prior"]
    if str(prior).lower() == "eb":
        observed = counts.loc[counts["n"] > 0]
        prior_strength = (
            fit_prior_strength(observed["observed_eff"], observed["expected_eff"])
            if len(observed) >= 6
            else DEFAULT_PRIOR_STRENGTH
        )
    else:
        prior_strength = float(prior)
    shape = prior_strength + counts["observed_eff"].to_numpy()
    rate = prior_strength + counts["expected_eff"].to_numpy()
    summary = gamma_summary(shape, rate)

    # Diagnostics (§5.1, §5.4): is a topic effect really a format or storytelling effect?
    diagnostics = {}
    extra_sets = {"rate_ratio_format_adjusted": ["fmt_group"]}
    hc = data["human_centred"]
    if hc.notna().all() and hc.nunique() == 2:
        extra_sets["rate_ratio_storytelling_adjusted"] = ["human_centred"]
    for column, extra in extra_sets.items():
        diagnostics[column] = _adjusted_means(
            data, [*candidates, *extra], extra, groups, weights, topics, prior_strength
        )

    rng = np.random.default_rng(int(setting(params, "seed")))
    draws = rng.gamma(shape, 1.0 / rate, size=(settings["draws"], len(topics)))
    p_best, _ = _win_probabilities(draws)
    expected_loss = (draws.max(axis=1, keepdims=True) - draws).mean(axis=0)

    is_quota = np.array([t in quotas for t in topics])
    free_index = np.flatnonzero(~is_quota)
    quota_total = sum(quotas.get(t, 0.0) for t in topics)
    free_mass = 1.0 - quota_total
    p_best_free, p_top_two_free = _win_probabilities(draws[:, free_index])
    raw = p_top_two_free / 2 if settings["rule"] == "top_two" else p_best_free
    k_free = len(free_index)
    floor = float(settings["floor"]) if settings["floor"] is not None else 1 / (2 * max(k_free, 1))

    # The mix moves only when the leading topic beats a typical post with posterior probability
    # ≥ 1 − fdr_q (the run's false-discovery level decides, like the labels do).
    fdr_q = float(params.get("fdr_q") or 0.10)
    leader = int(np.argmax(p_best))
    leader_above_1 = float((draws[:, leader] > 1.0).mean())
    enough = (len(data) >= MIN_POSTS_TO_MOVE and p_best.max() >= MIN_P_BEST_TO_MOVE
              and leader_above_1 >= 1.0 - fdr_q)
    free_shares = np.zeros(k_free)
    if enough:
        mode = "thompson"
        free_shares = clip_shares(raw, floor, settings["cap"])
    else:
        mode = "keep_current_mix"
        current = counts["n"].to_numpy()[free_index].astype(float)
        free_shares = current / current.sum() if current.sum() > 0 else np.full(k_free, 1 / k_free)
    shares = np.array([quotas.get(t, 0.0) for t in topics])
    shares[free_index] = free_mass * free_shares

    quota_posts = np.array([round(quotas.get(t, 0.0) * planned) for t in topics])
    posts_plan = quota_posts.copy()
    n_free_posts = max(planned - int(quota_posts.sum()), 0)
    posts_plan[free_index] = largest_remainder(free_shares, n_free_posts)

    notes_per_topic = []
    for i, topic in enumerate(topics):
        note = []
        if topic in quotas:
            note.append("fixed quota (mission topic)")
        if counts["n"].iloc[i] == 0:
            note.append("no posts in window: prior only")
        elif counts["n"].iloc[i] < 5:
            note.append("thin evidence (< 5 posts)")
        notes_per_topic.append("; ".join(note))

    table = pd.DataFrame(
        {
            "topic": pd.array(topics, dtype="string"),
            "n": counts["n"].to_numpy(),
            "weighted_exposure": counts["expected"].to_numpy(),
            "rate_ratio": summary["mean"].to_numpy(),
            "median": summary["median"].to_numpy(),
            "ci_low": summary["low80"].to_numpy(),
            "ci_high": summary["high80"].to_numpy(),
            "ci95_low": summary["low95"].to_numpy(),
            "ci95_high": summary["high95"].to_numpy(),
            "p_above_1": summary["p_above_1"].to_numpy(),
            **diagnostics,
            "p_best": p_best,
            "expected_loss": expected_loss,
            "recommended_share": shares,
            "recommended_posts": posts_plan.astype(int),
            "quota": pd.array([quotas.get(t) for t in topics], dtype="Float64"),
            "note": pd.array(notes_per_topic, dtype="string"),
        }
    )
    return TopicRanking(
        table=table,
        month=month,
        window=window_label,
        platform=scope,
        n_posts=len(data),
        mode=mode,
        planned_posts=planned,
        alpha=fit.alpha,
        prior_strength=prior_strength,
        covariates=tuple(terms),
        notes=notes,
        fdr_q=fdr_q,
    )


def _adjusted_means(
    data: pd.DataFrame,
    candidates: list[str],
    required: list[str],
    groups: pd.Series,
    weights: np.ndarray,
    topics: list[str],
    prior_strength: float,
) -> np.ndarray:
    """Posterior mean θ_k with extra baseline terms (NaN when they do not fit the budget)."""
    nan = np.full(len(topics), np.nan)
    model_data, terms, _ = budgeted_terms(data, candidates, k_used=1)
    if not all(any(r in term for term in terms) for r in required):
        return nan
    fit = fit_nb(model_data, "y", "exposure", terms, offset=True)
    if not fit.converged:
        return nan
    mu = fit.mu.reindex(data.index).to_numpy(dtype=float)
    counts = effective_counts(data["y"].to_numpy(float), mu, fit.alpha, groups, weights)
    counts = counts.reindex(topics).fillna(0.0)
    return (prior_strength + counts["observed_eff"].to_numpy()) / (
        prior_strength + counts["expected_eff"].to_numpy()
    )


def _empty_table(topics: list[str], quotas: Mapping[str, float]) -> pd.DataFrame:
    n = len(topics)
    nan = np.full(n, np.nan)
    return pd.DataFrame(
        {
            "topic": pd.array(topics, dtype="string"),
            "n": np.zeros(n, dtype=int),
            "weighted_exposure": nan,
            "rate_ratio": nan,
            "median": nan,
            "ci_low": nan,
            "ci_high": nan,
            "ci95_low": nan,
            "ci95_high": nan,
            "p_above_1": nan,
            "rate_ratio_format_adjusted": nan,
            "p_best": nan,
            "expected_loss": nan,
            "recommended_share": nan,
            "recommended_posts": np.zeros(n, dtype=int),
            "quota": pd.array([quotas.get(t) for t in topics], dtype="Float64"),
            "note": pd.array(["not enough posts"] * n, dtype="string"),
        }
    )


def _words(topic: object) -> str:
    """A topic id in words for the page (``language_classes`` → "language classes")."""
    return str(topic).replace("_", " ")

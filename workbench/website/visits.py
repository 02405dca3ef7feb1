"""Link posts and website visits: an honest daily association, never a causal claim.

Per day: the link posts published (format ``link`` or a caption with a web address) and
the clicks they gathered, against the sessions referred by social platforms (GA4 daily
source/medium rows). :func:`link_association` fits a quasi-Poisson model (Pearson-scaled
errors, or HAC errors when day-to-day correlation makes them larger; t and F reference
distributions): ``log E[sessions_t] = a + Σ_l b_l · x_{t-l} + day of week + month``
for lags ``l`` = 0, 1, 2. The month terms absorb slow trends (a growing audience would
otherwise make any rising input look related). The result is a rate ratio per extra link
post (or per 10 clicks), summed over the lags, with its interval and a joint test;
the wording says "associated with", never "caused".
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.lazy import lazy_module
from workbench.website.settings import WebsiteSettings
from workbench.website.sources import is_paid, platform_of, source_rows

glm_module = lazy_module("statsmodels.genmod.generalized_linear_model")
families = lazy_module("statsmodels.genmod.families")
sm_tools = lazy_module("statsmodels.tools.tools")
stats = lazy_module("scipy.stats")

URL_RE = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(org|ca|com|net|info)(/\S*)?\b",
                    re.IGNORECASE)
MIN_DAYS = 28
HAC_LAGS = 3


def is_link_post(format_: object, caption: object, site: str | None = None) -> bool:
    """True for a post of format ``link`` or whose caption carries a web address."""
    if isinstance(format_, str) and format_.lower() == "link":
        return True
    if not isinstance(caption, str):
        return False
    if site:
        host = re.sub(r"^https?://", "", site).removeprefix("www.").rstrip("/").lower()
        if host and host in caption.lower():
            return True
    return URL_RE.search(caption) is not None


def daily_link_activity(posts: pd.DataFrame, settings: WebsiteSettings | None = None
                        ) -> pd.DataFrame:
    """Link posts and their clicks per local publication day.

    Args:
        posts: The canonical ``posts`` table (``published_at`` in the organisation's zone).
        settings: The platforms counted and the site address (a caption naming it is a link).

    Returns:
        ``date``, ``link_posts``, ``link_clicks`` (clicks of the day's link posts, NA when
        the export gives none), ``posts`` (all posts), one row per day from the first to the
        last publication day (days without posts are 0: nothing was published).
    """
    settings = settings or WebsiteSettings()
    columns = ["date", "posts", "link_posts", "link_clicks"]
    if posts is None or posts.empty:
        return pd.DataFrame(columns=columns)
    mine = posts[posts["platform"].isin(list(settings.social_platforms))]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    stamps = mine["published_at"]
    days = pd.to_datetime(stamps.map(lambda t: t.date() if pd.notna(t) else pd.NaT))
    link = [is_link_post(f, c, settings.site) for f, c in zip(
        mine["format"].tolist(), mine["caption"].tolist(), strict=True)]
    frame = pd.DataFrame({"date": days.to_numpy(), "link": link,
                          "clicks": pd.to_numeric(mine["clicks"], errors="coerce").to_numpy()})
    frame = frame[frame["date"].notna()]
    clicks = frame[frame["link"]].groupby("date")["clicks"].sum(min_count=1)
    per_day = frame.groupby("date").agg(posts=("link", "size"), link_posts=("link", "sum"))
    full = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
    out = per_day.reindex(full, fill_value=0)
    out["link_clicks"] = clicks.reindex(full)
    out.loc[out["link_posts"] == 0, "link_clicks"] = 0.0
    out = out.rename_axis("date").reset_index()
    return out[columns].astype({"posts": "int64", "link_posts": "int64",
                                "link_clicks": "float64"})


def daily_social_sessions(web: pd.DataFrame, settings: WebsiteSettings | None = None
                          ) -> pd.DataFrame:
    """Organic sessions referred by the social platforms per day (GA4 daily rows).

    Returns:
        ``date``, ``sessions``; empty when ``web`` has no dated source/medium rows.
    """
    settings = settings or WebsiteSettings()
    rows = source_rows(web, metrics=("sessions",), granularity="day")
    if rows.empty:
        return pd.DataFrame(columns=["date", "sessions"])
    platform = rows["source"].map(platform_of)
    paid = rows["medium"].map(is_paid).astype(bool)
    social = rows[platform.isin(list(settings.social_platforms)) & ~paid]
    days = pd.date_range(rows["date"].min(), rows["date"].max(), freq="D")
    # a day in the table with no social row had no social session
    sessions = social.groupby("date")["value"].sum().reindex(days, fill_value=0)
    return pd.DataFrame({"date": days, "sessions": sessions.astype("float64").to_numpy()})


@dataclass
class Association:
    """How daily social-referral sessions moved with link posts (or clicks).

    Attributes:
        input: ``link_posts`` or ``link_clicks``.
        per: The input step the ratios refer to (1 post, 10 clicks).
        method: ``quasi_poisson`` or ``insufficient``.
        n_days: Days in the model.
        lags: One row per lag: ``lag``, ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value``.
        total_ratio: Rate ratio summed over the lags (``exp(Σ b_l · per)``), with
            ``total_ci``.
        p_value: Joint Wald test that every lag coefficient is 0.
        sentence: The finding in plain, non-causal words.
        notes: Caveats.
    """

    input: str
    per: float
    method: str
    n_days: int
    lags: pd.DataFrame
    total_ratio: float | None = None
    total_ci: tuple[float | None, float | None] = (None, None)
    p_value: float | None = None
    sentence: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-safe form (results.json ``website.posts_and_visits``)."""
        return {"input": self.input, "per": self.per, "method": self.method,
                "n_days": self.n_days, "total_ratio": self.total_ratio,
                "ci_low": self.total_ci[0], "ci_high": self.total_ci[1],
                "p_value": self.p_value, "sentence": self.sentence, "notes": list(self.notes),
                "lags": self.lags.to_dict(orient="records")}


def _design(frame: pd.DataFrame, column: str, lags: tuple[int, ...], per: float
            ) -> tuple[pd.DataFrame, list[str]]:
    data = frame.sort_values("date").reset_index(drop=True)
    names = []
    for lag in lags:
        name = f"{column}_lag{lag}"
        data[name] = data[column].shift(lag) / per
        names.append(name)
    data = data.dropna(subset=names + ["sessions"])
    dow = pd.get_dummies(data["date"].dt.day_of_week, prefix="dow", drop_first=True, dtype=float)
    month = pd.get_dummies(data["date"].dt.strftime("%Y-%m"), prefix="m", drop_first=True,
                           dtype=float)
    x = pd.concat([data[names].astype(float), dow, month], axis=1)
    x = sm_tools.add_constant(x, has_constant="add")
    x = x.loc[:, (x != 0).any(axis=0)]  # a weekday or month absent from the window
    return data.assign(**{c: x[c] for c in x.columns if c not in data}), names


def link_association(activity: pd.DataFrame, sessions: pd.DataFrame, input: str = "link_posts",
                     lags: tuple[int, ...] = (0, 1, 2), per: float | None = None,
                     alpha: float = 0.05) -> Association:
    """Fit the daily association between an input (link posts or clicks) and sessions.

    Args:
        activity: :func:`daily_link_activity` output.
        sessions: :func:`daily_social_sessions` output.
        input: ``link_posts`` or ``link_clicks``.
        lags: Days of delay modelled (0 = the same day).
        per: Step of the input the ratios refer to (default 1 post, 10 clicks).
        alpha: Level of the intervals and the test.

    Returns:
        :class:`Association`; ``method`` is ``insufficient`` with fewer than 28 days in
        common (or no variation in the input).
    """
    per = per if per is not None else (10.0 if input == "link_clicks" else 1.0)
    empty_lags = pd.DataFrame(columns=["lag", "rate_ratio", "ci_low", "ci_high", "p_value"])
    notes = []
    if activity is None or sessions is None or activity.empty or sessions.empty:
        return Association(input, per, "insufficient", 0, empty_lags,
                           sentence="Not enough data: link posts and daily social-referral "
                                    "sessions are both needed.",
                           notes=["needs the posts table and a daily GA4 source / medium "
                                  "table (an Exploration with Date and Session source / "
                                  "medium)"])
    frame = sessions.merge(activity[["date", input]], on="date", how="inner")
    if input == "link_clicks" and frame[input].isna().any():
        notes.append(f"{int(frame[input].isna().sum())} day(s) with link posts but no click "
                     "counts left out")
    data, names = _design(frame, input, tuple(lags), per)
    n = len(data)
    if n < MIN_DAYS or data[names[0]].nunique() < 2:
        return Association(input, per, "insufficient", n, empty_lags,
                           sentence=f"Not enough data: {n} days in common (at least "
                                    f"{MIN_DAYS} with some link posts are needed).",
                           notes=notes)
    x_cols = [c for c in data.columns if c == "const" or c in names or c.startswith(("dow_",
                                                                                    "m_"))]
    x = data[x_cols].astype(float)
    y = data["sessions"].astype(float)
    k = x.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = glm_module.GLM(y, x, family=families.Poisson())
        quasi = model.fit(scale="X2")  # over-dispersion: Pearson scale
        hac = model.fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS, "use_correction": True})
    beta = quasi.params[names].to_numpy()
    cov_q = quasi.cov_params().loc[names, names].to_numpy()
    cov_h = hac.cov_params().loc[names, names].to_numpy() * n / (n - k)
    # the larger of the two: day-to-day correlation widens HAC, small samples narrow it
    cov = cov_h if np.trace(cov_h) > np.trace(cov_q) else cov_q
    df = n - k
    crit = stats.t.ppf(1 - alpha / 2, df)
    se = np.sqrt(np.diag(cov))
    rows = []
    for lag, b, s in zip(lags, beta, se, strict=True):
        rows.append({"lag": int(lag), "rate_ratio": float(np.exp(b)),
                     "ci_low": float(np.exp(b - crit * s)),
                     "ci_high": float(np.exp(b + crit * s)),
                     "p_value": float(2 * stats.t.sf(abs(b / s), df)) if s > 0 else None})
    total = float(beta.sum())
    total_se = float(np.sqrt(cov.sum()))
    try:
        wald = float(beta @ np.linalg.solve(cov, beta))
        p_joint = float(stats.f.sf(wald / len(beta), len(beta), df))
    except np.linalg.LinAlgError:
        p_joint = None
    z = crit
    ratio = float(np.exp(total))
    ci = (float(np.exp(total - z * total_se)), float(np.exp(total + z * total_se)))
    more = "one more link post" if input == "link_posts" else f"{per:g} more link clicks"
    step = "link post" if input == "link_posts" else f"{per:g} link clicks"
    days = f"that day and the {max(lags)} days after" if max(lags) else "that day"
    if p_joint is not None and p_joint < alpha:
        direction = "more" if ratio > 1 else "fewer"
        sentence = (f"Days with {more} were followed by {abs(ratio - 1) * 100:.0f} % "
                    f"{direction} social-referral sessions {days} (rate ratio {ratio:.2f}, "
                    f"{100 * (1 - alpha):.0f} % CI {ci[0]:.2f}-{ci[1]:.2f}; {n} days). An "
                    "association over time: other things that changed on those days may "
                    "explain it.")
    else:
        subject = "link posts" if input == "link_posts" else "link clicks"
        sentence = (f"No clear association between {subject} and social-referral sessions "
                    f"{days} "
                    f"(rate ratio {ratio:.2f} per {step}, {100 * (1 - alpha):.0f} % CI "
                    f"{ci[0]:.2f}-{ci[1]:.2f}; {n} days).")
    notes.append("weekday and month effects are in the model; standard errors allow for "
                 "over-dispersion (Pearson scale) and day-to-day correlation (HAC), the larger "
                 "of the two")
    return Association(input, per, "quasi_poisson", n, pd.DataFrame(rows), ratio, ci, p_joint,
                       sentence, notes)

"""The leadership KPI table (DESIGN.md "KPI vocabulary").

Pure functions over the canonical tables. Every KPI row carries its definition (`kind`) and
`source`, so a reader can tell a true monthly unique figure from a sum of daily values.

Months are calendar months in the organisation's time zone for posts (``published_at`` is
already converted) and the platform's own day for daily series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.jsonsafe import jsonable
from workbench.month import Month, month_strings

KPI_COLUMNS = (
    "platform",
    "kpi",
    "value",
    "previous",
    "change_pct",
    "ci_low",
    "ci_high",
    "kind",
    "source",
    "note",
)

SOCIAL = ("facebook", "instagram", "linkedin", "tiktok")
#: GA4 default channel groups → website KPI names.
CHANNEL_KPIS = {
    "Direct": "visits_direct",
    "Organic Search": "visits_organic_search",
    "Organic Social": "visits_organic_social",
    "Referral": "visits_referral",
    "Paid Search": "visits_paid_search",
}
#: Post-based KPIs whose change gets a bootstrap interval (statistics.md §6.3).
POST_BASED_KPIS = ("post_engagement", "top_post_reach", "avg_views_per_video")


@dataclass(frozen=True)
class KpiSpec:
    """How one KPI is computed."""

    platform: str
    kpi: str
    kind: str  # total | unique | sum_of_daily | mean
    source: str
    compute: Callable[[dict[str, pd.DataFrame], pd.Period], float | None]


def month_period(month: str) -> pd.Period:
    """``"2024-03"`` → monthly Period."""
    return Month.parse(month).period


def posts_in_month(posts: pd.DataFrame, platform: str, month: str | pd.Period) -> pd.DataFrame:
    """Posts of ``platform`` published in ``month`` (organisation-local calendar)."""
    period = month if isinstance(month, pd.Period) else month_period(month)
    if posts.empty:
        return posts
    local = posts["published_at"]
    published_month = local.dt.tz_localize(None).dt.to_period("M")
    return posts[(posts["platform"] == platform) & (published_month == period)]


def exposure_of(posts: pd.DataFrame) -> pd.Series:
    """Each post's exposure by its ``exposure_kind`` (reach, impressions or views)."""
    exposure = pd.Series(pd.NA, index=posts.index, dtype="Float64")
    for kind in ("reach", "impressions", "views"):
        mask = (posts["exposure_kind"] == kind).fillna(False)
        exposure = exposure.mask(mask, posts[kind].astype("Float64"))
    return exposure


def _na_sum(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.sum()) if len(values) else None


def _post_count(platform: str):
    def compute(tables, period):
        posts = tables["posts"]
        if not (posts["platform"] == platform).any():
            return None  # a platform the organisation does not export: no row, not 0
        return float(len(posts_in_month(posts, platform, period)))

    return compute


def _post_sum(platform: str, column: str):
    def compute(tables, period):
        month_posts = posts_in_month(tables["posts"], platform, period)
        return _na_sum(month_posts[column]) if len(month_posts) else None

    return compute


def _top_exposure(platform: str):
    def compute(tables, period):
        month_posts = posts_in_month(tables["posts"], platform, period)
        if month_posts.empty:
            return None
        exposure = exposure_of(month_posts).dropna()
        return float(exposure.max()) if len(exposure) else None

    return compute


def _avg_video_views(platform: str):
    def compute(tables, period):
        month_posts = posts_in_month(tables["posts"], platform, period)
        videos = month_posts[month_posts["format"].isin(["video", "reel"]).fillna(False)]
        views = videos["views"].dropna()
        return float(views.mean()) if len(views) else None

    return compute


def daily_in_month(daily: pd.DataFrame, platform: str, metric: str, period: pd.Period):
    """Daily rows of one platform/metric inside ``period``."""
    if daily.empty:
        return daily
    in_month = daily["date"].dt.to_period("M") == period
    return daily[(daily["platform"] == platform) & (daily["metric"] == metric) & in_month]


def _daily_sum(platform: str, metric: str):
    def compute(tables, period):
        rows = daily_in_month(tables["daily"], platform, metric, period)
        return _na_sum(rows["value"]) if len(rows) else None

    return compute


def _manual(platform: str, kpi: str):
    def compute(tables, period):
        manual = tables["manual"]
        if manual.empty:
            return None
        rows = manual[
            (manual["platform"] == platform)
            & (manual["kpi"] == kpi)
            & (manual["month"] == str(period))
        ]
        return _na_sum(rows["value"]) if len(rows) else None

    return compute


def _web_metric(metric: str, channel: str | None = None):
    """Website sessions/users for the month from the GA4 ``web`` table.

    Sessions add up over channel groups; users do not (one user can arrive by two
    channels), so unique visitors are only read from a table without a dimension.
    """

    def compute(tables, period):
        web = tables["web"]
        if web.empty:
            return None
        month_key = web["month"].fillna(web["date"].dt.strftime("%Y-%m"))
        rows = web[(web["metric"] == metric) & (month_key == str(period))]
        if channel is not None:
            rows = rows[
                (rows["dimension"] == "channel_group") & (rows["dimension_value"] == channel)
            ]
        elif metric == "sessions":
            by_channel = rows[rows["dimension"] == "channel_group"]
            totals = rows[rows["dimension"].isna() | (rows["dimension"] == "total")]
            rows = totals if len(totals) else by_channel
        else:
            rows = rows[rows["dimension"].isna() | (rows["dimension"] == "total")]
        rows = rows.drop_duplicates(
            subset=["date", "month", "dimension", "dimension_value", "metric"]
        )
        return _na_sum(rows["value"]) if len(rows) else None

    return compute


def _ads(column: str):
    def compute(tables, period):
        ads = _ads_in_month(tables["ads"], period)
        if ads.empty:
            return None
        if column == "ctr":
            impressions = ads["impressions"].astype("Float64").sum()
            return (
                float(ads["clicks"].astype("Float64").sum() / impressions) if impressions else None
            )
        return _na_sum(ads[column].astype("Float64"))

    return compute


def _ads_in_month(ads: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    """Campaign rows whose report period lies inside the month; All-time reports never."""
    if ads.empty:
        return ads
    start, end = period.start_time, period.end_time.normalize()
    monthly = ads[~ads["all_time"].fillna(False).astype(bool)]
    inside = (monthly["period_start"] >= start) & (monthly["period_end"] <= end)
    return monthly[inside.fillna(False)]


def _first_available(*computes):
    def compute(tables, period):
        for fn in computes:
            value = fn(tables, period)
            if value is not None:
                return value
        return None

    return compute


def kpi_specs() -> list[KpiSpec]:
    """Every KPI of DESIGN.md, in report order."""
    specs: list[KpiSpec] = []
    for platform in SOCIAL:
        specs.append(KpiSpec(platform, "posts", "total", "posts", _post_count(platform)))
        engagement_source = (
            "posts: Reactions, Comments and Shares"
            if platform == "facebook"
            else "posts: interactions"
        )
        specs.append(
            KpiSpec(
                platform,
                "post_engagement",
                "total",
                engagement_source,
                _post_sum(platform, "interactions"),
            )
        )
        specs.append(
            KpiSpec(
                platform, "top_post_reach", "total", "posts: max exposure", _top_exposure(platform)
            )
        )
        specs.append(
            KpiSpec(
                platform,
                "new_followers",
                "sum_of_daily",
                "daily: follows",
                _daily_sum(platform, "follows"),
            )
        )
        if platform in ("facebook", "instagram"):
            specs.append(KpiSpec(platform, "reach", "unique", "manual", _manual(platform, "reach")))
        if platform == "instagram":
            specs.append(
                KpiSpec(
                    platform,
                    "profile_visits",
                    "sum_of_daily",
                    "daily: profile_visits",
                    _daily_sum(platform, "profile_visits"),
                )
            )
        if platform == "linkedin":
            specs.append(
                KpiSpec(
                    platform,
                    "visitors",
                    "sum_of_daily",
                    "daily: unique_visitors",
                    _daily_sum(platform, "unique_visitors"),
                )
            )
        if platform == "tiktok":
            specs.append(
                KpiSpec(
                    platform,
                    "avg_views_per_video",
                    "mean",
                    "posts: views",
                    _avg_video_views(platform),
                )
            )
    specs.append(
        KpiSpec(
            "website",
            "visits",
            "total",
            "manual (Squarespace) or GA4 sessions",
            _first_available(_manual("website", "visits"), _web_metric("sessions")),
        )
    )
    specs.append(
        KpiSpec(
            "website",
            "unique_visitors",
            "unique",
            "manual (Squarespace) or GA4 users",
            _first_available(_manual("website", "unique_visitors"), _web_metric("users")),
        )
    )
    for channel, kpi in CHANNEL_KPIS.items():
        specs.append(
            KpiSpec(
                "website",
                kpi,
                "total",
                f"GA4 sessions: {channel}",
                _web_metric("sessions", channel),
            )
        )
    for column in ("clicks", "impressions", "cost", "conversions", "ctr"):
        kind = "mean" if column == "ctr" else "total"
        specs.append(KpiSpec("ads", column, kind, "Google Ads campaign report", _ads(column)))
    for kpi in ("translation_revenue", "translation_inquiries"):
        specs.append(KpiSpec("services", kpi, "total", "manual", _manual("services", kpi)))
    return specs


def _table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    from workbench.schema import empty_table

    frame = tables.get(name)
    return frame if frame is not None else empty_table(name)


def kpi_table(
    tables: dict[str, pd.DataFrame],
    month: str,
    *,
    change_interval: Callable[[str, str], tuple[float | None, float | None]] | None = None,
    include_empty: bool = False,
) -> pd.DataFrame:
    """Compute the DESIGN.md KPI table for ``month`` with the previous month beside it.

    Args:
        tables: Canonical tables by name (posts, daily, web, ads, manual); missing ones empty.
        month: ``"YYYY-MM"``.
        change_interval: Optional ``(platform, kpi) -> (ci_low, ci_high)`` giving the interval of
            ``change_pct`` where the statistics spec has one (post-based KPIs).
        include_empty: Keep KPIs with no value this month and last (default: dropped, so a
            platform the organisation does not use leaves no empty rows).

    Returns:
        One row per KPI with the columns of :data:`KPI_COLUMNS`.
    """
    full = {name: _table(tables, name) for name in ("posts", "daily", "web", "ads", "manual")}
    period = month_period(month)
    previous_period = period - 1
    rows = []
    for spec in kpi_specs():
        value = spec.compute(full, period)
        previous = spec.compute(full, previous_period)
        if value is None and previous is None and not include_empty:
            continue
        change = None
        if value is not None and previous not in (None, 0):
            change = 100.0 * (value - previous) / previous
        ci_low = ci_high = None
        if change is not None and change_interval is not None and spec.kpi in POST_BASED_KPIS:
            ci_low, ci_high = change_interval(spec.platform, spec.kpi)
        note = (
            "sum of daily values"
            if spec.kind == "sum_of_daily"
            else ("monthly unique (not a sum of daily reach)" if spec.kind == "unique" else "")
        )
        rows.append(
            {
                "platform": spec.platform,
                "kpi": spec.kpi,
                "value": value,
                "previous": previous,
                "change_pct": change,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "kind": spec.kind,
                "source": spec.source,
                "note": note,
            }
        )
    return kpi_frame(rows)


def kpi_frame(rows: list[dict]) -> pd.DataFrame:
    """KPI rows (dicts, e.g. read back from results.json) as the typed KPI table."""
    frame = pd.DataFrame(rows, columns=list(KPI_COLUMNS))
    for column in ("value", "previous", "change_pct", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def kpi_history(tables: dict[str, pd.DataFrame], months: list[str]) -> pd.DataFrame:
    """Long table (platform, kpi, month, value, kind) of every KPI over ``months``, for trends."""
    full = {name: _table(tables, name) for name in ("posts", "daily", "web", "ads", "manual")}
    rows = []
    for spec in kpi_specs():
        for month in months:
            value = spec.compute(full, month_period(month))
            rows.append(
                {
                    "platform": spec.platform,
                    "kpi": spec.kpi,
                    "month": month,
                    "value": np.nan if value is None else value,
                    "kind": spec.kind,
                }
            )
    history = pd.DataFrame(rows, columns=["platform", "kpi", "month", "value", "kind"])
    present = history.groupby(["platform", "kpi"])["value"].transform(lambda v: v.notna().any())
    return history[present].reset_index(drop=True)


def months_between(first: str, last: str) -> list[str]:
    """Inclusive list of ``YYYY-MM`` strings from ``first`` to ``last``."""
    return month_strings(first, last)


def kpi_records(frame: pd.DataFrame) -> list[dict]:
    """KPI rows as JSON-safe dicts (NaN → None) for results.json."""
    return jsonable(frame)

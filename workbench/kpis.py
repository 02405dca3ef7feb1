"""The leadership KPI table (DESIGN.md "KPI vocabulary").

Pure functions over the canonical tables. Every KPI row carries its definition (`kind`) and
`source`, so a reader can tell a true monthly unique figure from a sum of daily values.

Months are calendar months in the organisation's time zone for posts (``published_at`` is
already converted) and the platform's own day for daily series.

Honest comparisons (issue 11):

* post metrics (``post_engagement``, ``top_post_reach``) are compared on an **age basis** when
  ``post_snapshots`` and ``post_age_days`` are given: every post's value at the same age
  (:mod:`workbench.stats.age_basis`), the row's ``basis`` says which ("interactions in the
  first 7 days"); otherwise ``basis`` says "as downloaded" and the ages of the two months may
  differ;
* every other change gets the organisation's usual month-to-month range (``band_low``,
  ``band_high``, ``band_status``) from its own history (:func:`workbench.stats.kpi_change.
  noise_band_detail`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.io.google_ads import drop_nested_periods
from workbench.jsonsafe import jsonable
from workbench.month import month_strings
from workbench.stats.frames import (
    exposure_of,
    in_period,
    month_period,
    posts_in_month,
    too_young,
)

KPI_COLUMNS = (
    "platform",
    "kpi",
    "value",
    "previous",
    "change_pct",
    "ci_low",
    "ci_high",
    "band_low",
    "band_high",
    "band_status",
    "range",
    "basis",
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
#: Post metrics compared on the age basis (issue 11 §1), with the metric named in ``basis``.
AGE_BASIS_KPIS = {"post_engagement": "interactions", "top_post_reach": "reach"}
#: KPIs whose change is planned, not measured: no noise band (the team chose the count).
NO_BAND_KPIS = ("posts",)
#: ``range`` of a change: its post-level interval, or its usual month-to-month range.
RANGE_INTERVAL = "interval"
RANGE_BAND = "noise band"
#: ``band_status`` words (issue 11 §2).
BAND_WITHIN = "within the usual range"
BAND_UNUSUAL = "unusual"
BAND_TOO_LITTLE = "too little history"
#: More posts of a month than this share off the age basis: compare as downloaded instead.
MAX_UNPLACED = 0.5
#: ``basis`` of a post metric compared as downloaded (no snapshots or no basis set).
AS_DOWNLOADED = "as downloaded (posts of the two months may be of different ages)"
#: Source words of Facebook's post_engagement: not Meta's "post engagements" (which count clicks).
FACEBOOK_ENGAGEMENT_SOURCE = "posts: interactions (reactions, comments, shares)"


@dataclass(frozen=True)
class KpiValue:
    """A computed KPI whose definition depends on the data (e.g. GA4 users: monthly or daily)."""

    value: float | None
    kind: str
    source: str
    note: str = ""


def _unpack(result, spec: KpiSpec) -> tuple[float | None, str, str, str]:
    if isinstance(result, KpiValue):
        return result.value, result.kind, result.source, result.note
    return result, spec.kind, spec.source, ""


@dataclass(frozen=True)
class KpiSpec:
    """How one KPI is computed."""

    platform: str
    kpi: str
    kind: str  # total | unique | sum_of_daily | mean
    source: str
    compute: Callable[[dict[str, pd.DataFrame], pd.Period], float | None]


class KpiValues:
    """Each KPI's value per month for one set of tables, computed once.

    The KPI table, its noise bands (two years of months per KPI) and the trend history ask
    for the same KPI-months again and again; computing each once made the month's KPIs about
    four times faster. Only valid for the ``tables`` it was made for (not modified meanwhile).
    """

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.full = {name: _table(tables, name) for name in ("posts", "daily", "web", "ads",
                                                              "manual")}
        if not self.full["ads"].empty:  # the same rows every month asks for, filtered once
            self.full["ads"] = campaign_rows(self.full["ads"])
        self._seen: dict[tuple[str, str, str, str], tuple[float | None, str, str, str]] = {}
        self._months: dict[tuple[str, bool], dict[str, Any]] = {}
        self._shared: dict[str, dict[str, Any]] = {}
        # row positions by calendar month, per posts frame (all posts, posts on the basis)
        self._posts_months: dict[int, tuple[dict, dict, frozenset]] = {}
        self._daily_months: tuple[dict, dict] | None = None
        self._web_months: dict[str, np.ndarray] | None = None
        self._manual: dict[tuple, np.ndarray] | None = None

    def get(self, spec: KpiSpec, period: pd.Period, on_basis: pd.DataFrame | None = None
            ) -> tuple[float | None, str, str, str]:
        """(value, kind, source, note) of ``spec`` in ``period``; ``on_basis``: posts to use."""
        key = (spec.platform, spec.kpi, str(period), "basis" if on_basis is not None else "")
        if key not in self._seen:
            tables = self._month_tables(period, on_basis)
            self._seen[key] = _unpack(spec.compute(tables, period), spec)
        return self._seen[key]

    def _month_tables(self, period: pd.Period, on_basis: pd.DataFrame | None
                      ) -> dict[str, Any]:
        """The tables cut to ``period`` once, for all the KPIs that ask for that month.

        Each KPI filters its table by month again; on a month's rows that costs little,
        where filtering the whole history for each of about 60 KPIs did (a third of the
        month's KPI time). The rows of every month are found in one pass over each table
        (the noise bands ask for two years of months), and the month's posts and daily rows
        are split by platform (and metric) once. Platforms are taken from all posts: a
        platform without posts this month has 0 posts, one the organisation does not export
        has none.
        """
        key = (str(period), on_basis is not None)
        if key not in self._months:
            posts = self.full["posts"] if on_basis is None else on_basis
            if id(posts) not in self._posts_months:
                months = (np.array([], dtype="int64") if posts.empty
                          else _month_numbers(posts["published_at"]))
                self._posts_months[id(posts)] = (
                    _positions_by(months), _group_positions(months, posts, ["platform"]),
                    frozenset(posts["platform"].dropna()))
            by_month, by_platform, platforms = self._posts_months[id(posts)]
            number = _month_number(period)
            self._months[key] = {
                **self._shared_month(period),
                "posts": _rows(posts, by_month.get(number)),
                EXPORTED_PLATFORMS: platforms,
                POSTS_BY_PLATFORM: _RowsByKey(str(period), posts, {
                    tuple(rest): positions
                    for (month, *rest), positions in by_platform.items() if month == number}),
            }
        return self._months[key]

    def _shared_month(self, period: pd.Period) -> dict[str, Any]:
        """The month's daily, web and ads rows (the same whichever posts are used)."""
        name = str(period)
        if name not in self._shared:
            daily, web = self.full["daily"], self.full["web"]
            if self._daily_months is None:
                months = (np.array([], dtype="int64") if daily.empty
                          else _month_numbers(daily["date"]))
                self._daily_months = (_positions_by(months),
                                      _group_positions(months, daily, ["platform", "metric"]))
            if self._web_months is None:
                self._web_months = {} if web.empty else _positions_by(_web_months(web))
            if self._manual is None:
                self._manual = _group_positions(None, self.full["manual"],
                                                ["platform", "kpi", "month"])
            by_month, by_series = self._daily_months
            number = _month_number(period)
            self._shared[name] = {
                "daily": _rows(daily, by_month.get(number)),
                DAILY_BY_SERIES: _RowsByKey(name, daily, {
                    tuple(rest): positions
                    for (month, *rest), positions in by_series.items() if month == number}),
                "web": _rows(web, self._web_months.get(name)),
                WEB_MONTH: name,
                "ads": _ads_in_month(self.full["ads"], period),
                ADS_MONTH: name,
                "manual": self.full["manual"],
                MANUAL_ROWS: self._manual,
            }
        return self._shared[name]


def _month_number(period: pd.Period) -> int:
    return period.year * 12 + period.month - 1


def _month_numbers(times: pd.Series) -> np.ndarray:
    """Each time's calendar month on its own wall clock as ``year*12 + month - 1`` (-1: none).

    A tz-aware time counts by its local date, as :func:`~workbench.stats.frames.in_period`.
    """
    years = times.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    months = times.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    numbers = years * 12 + months - 1
    return np.where(np.isnan(numbers), -1, numbers).astype("int64")


def _web_months(web: pd.DataFrame) -> np.ndarray:
    """Each GA4 row's month as ``YYYY-MM``: month-level rows by ``month``, daily by ``date``.

    The same rows as :func:`_web_in_month` selects for each month.
    """
    numbers = _month_numbers(web["date"])
    by_date = np.array([f"{n // 12:04d}-{n % 12 + 1:02d}" if n >= 0 else "" for n in numbers],
                       dtype=object)
    month = web["month"].astype("string")
    return np.where(month.isna().to_numpy(), by_date,
                    month.fillna("").to_numpy(dtype=object))


def _positions_by(keys: np.ndarray) -> dict[Any, np.ndarray]:
    """Row positions (ascending) of each key value."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(keys) else []
    bounds = [*starts[1:], len(keys)] if len(keys) else []
    return {ordered[start].item() if hasattr(ordered[start], "item") else ordered[start]:
            order[start:end] for start, end in zip(starts, bounds, strict=True)}


def _rows(frame: pd.DataFrame, positions: np.ndarray | None) -> pd.DataFrame:
    """The rows at ``positions`` (none: no rows), as a boolean filter would give them."""
    if frame.empty:
        return frame
    return frame.take(positions if positions is not None else np.array([], dtype="int64"))


class _RowsByKey:
    """A month's rows of one table by key (platform, …), each taken when first asked for."""

    def __init__(self, month: str, frame: pd.DataFrame, positions: dict[tuple, np.ndarray]):
        self.month, self._frame, self._positions = month, frame, positions
        self._taken: dict[tuple, pd.DataFrame] = {}

    def get(self, key: tuple) -> pd.DataFrame:
        """The rows of ``key`` (no rows when there are none)."""
        if key not in self._taken:
            positions = self._positions.get(key)
            self._taken[key] = self._frame.take(
                positions if positions is not None else np.array([], dtype="int64"))
        return self._taken[key]


def _group_positions(months: np.ndarray | None, frame: pd.DataFrame, columns: list[str]
                     ) -> dict[tuple, np.ndarray]:
    """Row positions (ascending) of each (month, *values of ``columns``), in one pass.

    Rows with no month (-1) or a missing value are left out, as an equality filter leaves
    them out. ``months`` None: group by the columns alone.
    """
    if frame.empty:
        return {}
    valid = np.ones(len(frame), dtype=bool) if months is None else months >= 0
    combined = np.zeros(len(frame), dtype="int64") if months is None else months.copy()
    labels = []
    for column in columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        valid &= codes >= 0
        combined = combined * (len(uniques) + 1) + codes
        labels.append(uniques)
    groups = {}
    for key, positions in _positions_by(np.where(valid, combined, -1)).items():
        if key < 0:
            continue
        values = []
        for uniques in reversed(labels):
            key, code = divmod(key, len(uniques) + 1)
            values.append(uniques[code])
        groups[(*(() if months is None else (key,)), *reversed(values))] = positions
    return groups


#: Keys of a month's tables (:meth:`KpiValues._month_tables`) that are not tables: the
#: platforms with posts in any month, the month whose ads rows ``ads`` already holds, and
#: (month, rows by key) of the month's posts by platform and daily rows by platform and metric.
EXPORTED_PLATFORMS, ADS_MONTH = "_exported_platforms", "_ads_month"
POSTS_BY_PLATFORM, DAILY_BY_SERIES = "_posts_by_platform", "_daily_by_series"
#: Row positions of the ``manual`` table by (platform, kpi, month); the month ``web`` holds.
MANUAL_ROWS, WEB_MONTH = "_manual_rows", "_web_month"


def _platform_posts(tables: dict[str, Any], platform: str, period: pd.Period) -> pd.DataFrame:
    """The posts of ``platform`` in ``period``: split once when the tables are the month's."""
    split = tables.get(POSTS_BY_PLATFORM)
    if split is not None and split.month == str(period):
        return split.get((platform,))
    return posts_in_month(tables["posts"], platform, period)


def _na_sum(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.sum()) if len(values) else None


def _post_count(platform: str):
    def compute(tables, period):
        posts = tables["posts"]
        exported = tables.get(EXPORTED_PLATFORMS)
        if platform not in (exported if exported is not None
                            else set(posts["platform"].dropna())):
            return None  # a platform the organisation does not export: no row, not 0
        return float(len(_platform_posts(tables, platform, period)))

    return compute


def _post_sum(platform: str, column: str):
    def compute(tables, period):
        month_posts = _platform_posts(tables, platform, period)
        if not len(month_posts):
            return None
        if "basis_status" in month_posts.columns:
            return basis_total(month_posts, column)
        return _na_sum(month_posts[column])

    return compute


def basis_total(month_posts: pd.DataFrame, column: str) -> float | None:
    """Σ ``column`` over a month's posts on the age basis, posts too young scaled in.

    Posts too young for the basis have NA values; the month's total is then the mean of the
    others times the month's post count (a post left out would otherwise read as a drop).
    """
    values = pd.to_numeric(month_posts[column], errors="coerce").astype("Float64")
    young = too_young(month_posts)
    known = values[~young].dropna()
    if not len(known):
        return None
    # A post whose export lacks the value stays out (NA is not 0); a young one is scaled in.
    return float(known.sum()) * (len(known) + int(young.sum())) / len(known)


def _top_exposure(platform: str):
    def compute(tables, period):
        month_posts = _platform_posts(tables, platform, period)
        if month_posts.empty:
            return None
        exposure = exposure_of(month_posts).dropna()
        return float(exposure.max()) if len(exposure) else None

    return compute


def _avg_video_views(platform: str):
    def compute(tables, period):
        month_posts = _platform_posts(tables, platform, period)
        videos = month_posts[month_posts["format"].isin(["video", "reel"]).fillna(False)]
        views = videos["views"].dropna()
        return float(views.mean()) if len(views) else None

    return compute


def daily_in_month(daily: pd.DataFrame, platform: str, metric: str, period: pd.Period):
    """Daily rows of one platform/metric inside ``period``."""
    if daily.empty:
        return daily
    in_month = in_period(daily["date"], period)
    keep = ((daily["platform"] == platform) & (daily["metric"] == metric)).fillna(False)
    return daily[(keep & in_month).to_numpy(dtype=bool)]


def _daily_sum(platform: str, metric: str):
    def compute(tables, period):
        split = tables.get(DAILY_BY_SERIES)
        if split is not None and split.month == str(period):
            rows = split.get((platform, metric))
        else:
            rows = daily_in_month(tables["daily"], platform, metric, period)
        return _na_sum(rows["value"]) if len(rows) else None

    return compute


def _manual(platform: str, kpi: str):
    def compute(tables, period):
        manual = tables["manual"]
        if manual.empty:
            return None
        positions = tables.get(MANUAL_ROWS)
        if positions is not None:
            found = positions.get((platform, kpi, str(period)))
            return None if found is None else _na_sum(manual["value"].take(found))
        rows = manual[
            (manual["platform"] == platform)
            & (manual["kpi"] == kpi)
            & (manual["month"] == str(period))
        ]
        return _na_sum(rows["value"]) if len(rows) else None

    return compute


def _web_users():
    """GA4 unique visitors of the month: a month-level users figure, never daily users summed.

    One person visiting on two days is one user of the month but two daily users, so a sum of
    daily users is labelled ``sum_of_daily`` ("sum of daily users") instead.
    """
    monthly_users = _web_metric("users")

    def compute(tables, period):
        web = tables["web"]
        if web.empty:
            return None
        users = web[(web["metric"] == "users")
                    & (web["dimension"].isna() | (web["dimension"] == "total"))]
        month_level = users[users["date"].isna() & (users["month"] == str(period))]
        if len(month_level):
            return KpiValue(_na_sum(month_level.drop_duplicates(subset=["month", "metric"])[
                "value"]), "unique", "GA4 users (month)")
        value = monthly_users(tables, period)
        if value is None:
            return None
        return KpiValue(value, "sum_of_daily", "GA4 daily users",
                        "sum of daily users (one person on two days counts twice)")

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
        in_month = (True if tables.get(WEB_MONTH) == str(period)  # already the month's rows
                    else _web_in_month(web, period))
        rows = web[((web["metric"] == metric) & in_month).fillna(False).to_numpy(dtype=bool)]
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


def _web_in_month(web: pd.DataFrame, period: pd.Period) -> pd.Series:
    """GA4 rows of ``period``: month-level rows by their ``month``, daily rows by ``date``."""
    return ((web["month"] == str(period)).fillna(False)
            | (web["month"].isna() & in_period(web["date"], period)))


def _ads(column: str):
    def compute(tables, period):
        ads = tables["ads"]
        if tables.get(ADS_MONTH) != str(period):  # not already the month's rows
            ads = _ads_in_month(ads, period)
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
    """Campaign rows whose report period lies inside the month; All-time reports never.

    Only the campaign level counts (keyword, search-term, … rows repeat the same clicks at
    a finer grain: adding levels would double them); rows without a level come from
    tables ingested before levels existed, which were campaign reports. A report of part
    of the month nested in a wider one of the same month is left out (see
    :func:`workbench.io.google_ads.drop_nested_periods`).
    """
    if ads.empty:
        return ads
    start, end = period.start_time, period.end_time.normalize()
    monthly = campaign_rows(ads)
    inside = (monthly["period_start"] >= start) & (monthly["period_end"] <= end)
    return drop_nested_periods(monthly[inside.fillna(False)])


def campaign_rows(ads: pd.DataFrame) -> pd.DataFrame:
    """Campaign-level rows of reports with a period (no All-time report); idempotent."""
    monthly = ads[~ads["all_time"].fillna(False).astype(bool).to_numpy()]
    if "level" in monthly.columns:
        monthly = monthly[(monthly["level"].fillna("campaign") == "campaign").to_numpy()]
    return monthly


def _first_available(*computes):
    def compute(tables, period):
        for fn in computes:
            value = fn(tables, period)
            if value is not None:
                return value
        return None

    return compute


def service_kpis(params: dict | None) -> list[str]:
    """The service KPIs ``org.yaml`` lists under ``services.kpis`` (none when absent)."""
    return [str(k) for k in (((params or {}).get("services") or {}).get("kpis") or {})]


def kpi_specs(service_kpis: Iterable[str] = ()) -> list[KpiSpec]:
    """Every KPI of DESIGN.md, in report order."""
    specs: list[KpiSpec] = []
    for platform in SOCIAL:
        specs.append(KpiSpec(platform, "posts", "total", "posts", _post_count(platform)))
        engagement_source = (
            FACEBOOK_ENGAGEMENT_SOURCE if platform == "facebook" else "posts: interactions"
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
        if platform == "tiktok":
            # TikTok's follower history gives the net change (gains − losses): its own metric,
            # never mixed into the gross new followers above.
            specs.append(
                KpiSpec(
                    platform,
                    "net_follower_change",
                    "sum_of_daily",
                    "daily: net_follows",
                    _daily_sum(platform, "net_follows"),
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
            _first_available(_manual("website", "unique_visitors"), _web_users()),
        )
    )
    for channel, kpi in CHANNEL_KPIS.items():
        specs.append(
            KpiSpec(
                "website",
                kpi,
                "total",
                f"manual or GA4 sessions: {channel}",
                _first_available(_manual("website", kpi), _web_metric("sessions", channel)),
            )
        )
    for column in ("clicks", "impressions", "cost", "conversions", "ctr"):
        kind = "mean" if column == "ctr" else "total"
        specs.append(KpiSpec("ads", column, kind, "Google Ads campaign report", _ads(column)))
    for kpi in service_kpis:  # the organisation's own, from org.yaml (service_kpis())
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
    service_kpis: Iterable[str] = (),
    post_age_days: float | None = None,
    noise_bands: bool = True,
    on_basis: pd.DataFrame | None = None,
    values: KpiValues | None = None,
) -> pd.DataFrame:
    """Compute the DESIGN.md KPI table for ``month`` with the previous month beside it.

    Args:
        tables: Canonical tables by name (posts, daily, web, ads, manual, and optionally
            post_snapshots); missing ones empty.
        month: ``"YYYY-MM"``.
        change_interval: Optional ``(platform, kpi) -> (ci_low, ci_high)`` giving the interval of
            ``change_pct`` where the statistics spec has one (post-based KPIs). Compute it on
            :func:`basis_posts` so it matches the values on the age basis.
        include_empty: Keep KPIs with no value this month and last (default: dropped, so a
            platform the organisation does not use leaves no empty rows).
        service_kpis: The organisation's service KPIs (:func:`service_kpis` of the params),
            read from the ``manual`` table under platform ``services``.
        post_age_days: Age basis of the post metrics (``post_age_days`` in monthly.yaml);
            None or no ``post_snapshots`` → post metrics as downloaded, and ``basis`` says so.
        noise_bands: Add ``band_low``/``band_high``/``band_status`` from the KPI's own history
            to every change without a post-level interval.
        on_basis: :func:`basis_posts` of these tables, when the caller has it already.
        values: A :class:`KpiValues` of these tables shared with other calls (the history).

    Returns:
        One row per KPI with the columns of :data:`KPI_COLUMNS`.
    """
    values = values or KpiValues(tables)
    full = values.full
    snapshots = tables.get("post_snapshots")
    if on_basis is None:
        on_basis = full["posts"]
        if post_age_days is not None and snapshots is not None and len(snapshots):
            on_basis = basis_posts(full["posts"], snapshots, post_age_days)
    period = month_period(month)
    previous_period = period - 1
    rows = []
    for spec in kpi_specs(service_kpis):
        basis = None
        basis_posts_used = None
        if spec.kpi in AGE_BASIS_KPIS:
            basis, usable = _basis_of(on_basis, spec, period, post_age_days)
            if usable:
                basis_posts_used = on_basis
        value, kind, source, extra_note = values.get(spec, period, basis_posts_used)
        previous, *_ = values.get(spec, previous_period, basis_posts_used)
        if value is None and previous is None and not include_empty:
            continue
        change = None
        if value is not None and previous not in (None, 0):
            change = 100.0 * (value - previous) / previous
        ci_low = ci_high = None
        if change is not None and change_interval is not None and spec.kpi in POST_BASED_KPIS:
            ci_low, ci_high = change_interval(spec.platform, spec.kpi)
        band_low = band_high = band_status = None
        no_interval = spec.kpi in POST_BASED_KPIS and ci_low is None
        if noise_bands and change is not None and spec.kpi not in NO_BAND_KPIS and (
            spec.kpi not in POST_BASED_KPIS or (no_interval and change_interval is not None)
        ):
            # A post metric without an interval (too few posts in a month) is judged like a
            # page-level figure: against its own month-to-month history on the same basis.
            band_low, band_high, band_status = _band(spec, values, period, basis_posts_used)
        range_kind = (RANGE_INTERVAL if ci_low is not None
                      else RANGE_BAND if band_low is not None else None)
        note = extra_note or (
            "sum of daily values"
            if kind == "sum_of_daily"
            else ("monthly unique (not a sum of daily reach)" if kind == "unique" else "")
        )
        if basis is not None and basis != AS_DOWNLOADED and "basis_status" in on_basis.columns:
            note = _basis_note(on_basis, spec, period, post_age_days) or note
        if spec.kpi in POST_BASED_KPIS and no_interval and band_status is not None:
            why = _no_interval_reason(basis_posts_used if basis_posts_used is not None
                                      else full["posts"], spec, period)
            instead = (": judged against its usual month-to-month range instead"
                       if band_low is not None else ", and too little history for its usual "
                       "month-to-month range")
            note = "; ".join(part for part in (note, why + instead) if part)
        rows.append(
            {
                "platform": spec.platform,
                "kpi": spec.kpi,
                "value": value,
                "previous": previous,
                "change_pct": change,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "band_low": band_low,
                "band_high": band_high,
                "band_status": band_status,
                "range": range_kind,
                "basis": basis,
                "kind": kind,
                "source": source,
                "note": note,
            }
        )
    return kpi_frame(rows)


def post_age_basis(params: dict | None) -> float | None:
    """The age basis of post metrics from the run's settings (``post_age_days``).

    ``null`` means "compare as downloaded".
    """
    params = params or {}
    value = params.get("post_age_days")
    return None if value is None else float(value)


def leadership_kpi_table(
    tables: dict[str, pd.DataFrame], month: str, params: dict | None, *,
    on_basis: pd.DataFrame | None = None, values: KpiValues | None = None,
) -> pd.DataFrame:
    """The KPI table as the report shows it: age basis, permutation intervals, noise bands.

    Post metrics on the ``post_age_days`` basis (when ``tables`` holds ``post_snapshots``),
    their change intervals computed on the same basis posts, and noise bands for the rest.
    ``on_basis`` (:func:`basis_posts` of these tables) and ``values`` save recomputing what
    the caller already has.
    """
    from workbench.stats.kpi_change import change_interval

    params = dict(params or {})
    basis = post_age_basis(params)
    posts = _table(tables, "posts")
    if on_basis is None:
        on_basis = basis_posts(posts, tables.get("post_snapshots"), basis)

    def interval(platform: str, kpi: str) -> tuple[float | None, float | None]:
        # On the basis exactly where the KPI row is (both months placed), else as downloaded.
        usable = False
        if kpi in AGE_BASIS_KPIS:
            spec = KpiSpec(platform, kpi, "total", "", lambda _tables, _period: None)
            usable = _basis_of(on_basis, spec, month_period(month), basis)[1]
        return change_interval(on_basis if usable else posts, platform, kpi, month, params)

    return kpi_table(tables, month, change_interval=interval, post_age_days=basis,
                     service_kpis=service_kpis(params), on_basis=on_basis, values=values)


def basis_posts(
    posts: pd.DataFrame, snapshots: pd.DataFrame | None, post_age_days: float | None
) -> pd.DataFrame:
    """Posts with their metrics at the age basis (:func:`workbench.stats.age_basis.posts_at_basis`).

    The frame to give :func:`workbench.stats.kpi_change.change_interval` and
    :func:`~workbench.stats.kpi_change.decompose_change`, so intervals and the decomposition
    use the same basis as the KPI row.
    """
    from workbench.stats.age_basis import posts_at_basis

    return posts_at_basis(posts, snapshots, post_age_days)


def _basis_of(on_basis: pd.DataFrame, spec: KpiSpec, period: pd.Period,
              post_age_days: float | None) -> tuple[str, bool]:
    """(``basis`` words, whether both months can be compared on the age basis)."""
    from workbench.stats.age_basis import basis_label

    if post_age_days is None or "basis_status" not in on_basis.columns:
        return AS_DOWNLOADED, False
    for which in (period, period - 1):
        month_posts = posts_in_month(on_basis, spec.platform, which)
        if not len(month_posts):
            continue
        status = month_posts["basis_status"]
        # Every post downloaded at least once, and most of them placed on the basis.
        if (status == "no_snapshots").any() or too_young(month_posts).mean() > MAX_UNPLACED:
            return AS_DOWNLOADED, False
    metric = AGE_BASIS_KPIS[spec.kpi]
    if spec.kpi == "top_post_reach":  # the platform's exposure: TikTok views, LinkedIn impressions
        kinds = on_basis.loc[on_basis["platform"] == spec.platform, "exposure_kind"].dropna()
        if kinds.nunique() == 1:
            metric = str(kinds.iloc[0])
    return basis_label(post_age_days, metric), True


def _basis_note(on_basis: pd.DataFrame, spec: KpiSpec, period: pd.Period,
                post_age_days: float | None) -> str:
    """"3 of 31 posts younger than 7 days: estimated from the other 28" (or "")."""
    parts = []
    for label, which in (("this month", period), ("last month", period - 1)):
        month_posts = posts_in_month(on_basis, spec.platform, which)
        if not len(month_posts):
            continue
        projected = int((month_posts["basis_status"] == "projected").sum())
        young = int(too_young(month_posts).sum())
        n = len(month_posts)
        if projected:
            parts.append(f"{label}: {projected} of {n} posts younger than {post_age_days:g} days,"
                         " projected along the growth curve of the other posts")
        if young:
            how = (f"estimated from the other {n - young}" if spec.kpi == "post_engagement"
                   else "left out")
            parts.append(f"{label}: {young} of {n} posts could not be placed at "
                         f"{post_age_days:g} days (too young), {how}")
    if "basis_curve" in on_basis.columns:
        from workbench.stats.age_basis import POOLED_CURVE

        both = pd.concat([posts_in_month(on_basis, spec.platform, which)
                          for which in (period, period - 1)])
        if (both["basis_curve"] == POOLED_CURVE).fillna(False).any():
            parts.append("too few posts downloaded more than once on this platform for its own "
                         "growth curve: placed at the basis with the curve of all platforms")
    return "; ".join(parts)


def _no_interval_reason(posts: pd.DataFrame, spec: KpiSpec, period: pd.Period) -> str:
    """Why a post metric has no interval: "no interval (3 posts last month, 5 needed)"."""
    from workbench.stats.kpi_change import MIN_POSTS_FOR_INTERVAL

    counts = [(label, len(posts_in_month(posts, spec.platform, which)))
              for label, which in (("this month", period), ("last month", period - 1))]
    few = [f"{n} post{'s' if n != 1 else ''} {label}" for label, n in counts
           if n < MIN_POSTS_FOR_INTERVAL]
    if few:
        return f"no interval ({', '.join(few)}; {MIN_POSTS_FOR_INTERVAL} needed)"
    return "no interval (the posts' values do not bound one)"


def _band(spec: KpiSpec, kpi_values: KpiValues, period: pd.Period,
          on_basis: pd.DataFrame | None = None) -> tuple[float | None, float | None, str]:
    """The usual month-to-month range of this KPI from its own history, and the verdict.

    ``on_basis``: the posts on the age basis when the row is on it (post metrics), so the
    history is on the same basis as the change judged against it.
    """
    from workbench.stats.kpi_change import HISTORY_MONTHS, noise_band_detail

    months = pd.period_range(period - (HISTORY_MONTHS + 1), period, freq="M")
    values = {}
    for which in months:
        value, *_ = kpi_values.get(spec, which, on_basis)
        if value is not None:
            values[str(which)] = value
    detail = noise_band_detail(pd.Series(values, dtype="float64"), str(period))
    if detail is None:
        return None, None, BAND_TOO_LITTLE
    status = BAND_UNUSUAL if detail["unusual"] else BAND_WITHIN
    return detail["low_pct"], detail["high_pct"], status


def kpi_frame(rows: list[dict]) -> pd.DataFrame:
    """KPI rows (dicts, e.g. read back from results.json) as the typed KPI table."""
    frame = pd.DataFrame(rows, columns=list(KPI_COLUMNS))
    for column in ("value", "previous", "change_pct", "ci_low", "ci_high", "band_low",
                   "band_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def kpi_history(
    tables: dict[str, pd.DataFrame], months: list[str], service_kpis: Iterable[str] = (),
    values: KpiValues | None = None,
) -> pd.DataFrame:
    """Long table (platform, kpi, month, value, kind) of every KPI over ``months``, for trends.

    ``values``: a :class:`KpiValues` of these tables shared with the KPI table.
    """
    values = values or KpiValues(tables)
    rows = []
    for spec in kpi_specs(service_kpis):
        for month in months:
            value, *_ = values.get(spec, month_period(month))
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

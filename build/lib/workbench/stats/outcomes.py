"""Analysable posts: outcome, exposure, maturity and exclusions (statistics.md §1).

`prepare_posts` turns the canonical ``posts`` (and optionally ``labels``) tables into the one
frame every content model in :mod:`workbench.stats` fits on, and lists every post it leaves
out with the reason, so nothing is dropped silently (TikTok top-videos exports included, §9.6).
`audience_at_publish` gives the followers at each post's publish date for the §9.2 models.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.config import MONTH_RE
from workbench.errors import InputFormatError, WorkbenchError

#: Exposure column per platform (§0, §1.3): reach where it exists, else impressions, else views.
EXPOSURE_BY_PLATFORM: dict[str, str] = {
    "facebook": "reach",
    "instagram": "reach",
    "linkedin": "impressions",
    "tiktok": "views",
}

#: Collapsed format used when the covariate budget is tight (§2.1).
FORMAT_GROUPS: dict[str, str] = {
    "photo": "static",
    "carousel": "static",
    "video": "video",
    "reel": "video",
    "live": "video",
    "link": "link_text",
    "text": "link_text",
}

#: Label columns joined from the ``labels`` table.
LABEL_COLUMNS = (
    "human_centred",
    "topic",
    "audience",
    "brand_colours",
    "brand_colour_share",
    "label_source",
    "label_version",
)

#: Exclusion reasons, in the order they are checked (a post gets the first that applies).
REASON_DUPLICATE = "duplicate snapshot (older download of the same post)"
REASON_BOOSTED = "boosted (paid delivery)"
REASON_SHARE = "share of another page's post"
REASON_Y_MISSING = "interactions missing"
REASON_EXPOSURE_MISSING = "exposure missing"
REASON_EXPOSURE_ERROR = "exposure 0 but interactions > 0 (data error)"
REASON_EXPOSURE_ZERO = "exposure 0"
REASON_YOUNG = "younger than {days:g} days (metrics still growing)"
REASON_TIKTOK_SELECTION = "TikTok export lists only its top videos (selection bias)"

#: Rows of a TikTok ``Content.csv`` at or below which the file is taken as TikTok's top-videos
#: list rather than every video of the range (export-formats.md §5.3: 12-13 rows per file).
TIKTOK_TOP_LIST_ROWS = 13

REQUIRED_POST_COLUMNS = ("platform", "post_id", "published_at_utc", "interactions")


@dataclass(frozen=True)
class PreparedPosts:
    """Posts ready for the content models, plus what was left out and why.

    Attributes:
        data: One row per analysable post. Canonical post columns plus ``y`` (interactions),
            ``exposure``, ``log_exposure``, ``age_days``, ``published_local``, ``month``
            (``YYYY-MM``, local), ``hour`` (fractional local hour), ``weekday`` (0 = Monday),
            ``weekend``, ``hs1``/``hc1``/``hs2``/``hc2`` (hour harmonics), ``iso_week``,
            ``fmt`` (format, NA → ``other``), ``fmt_group`` (static / video / link_text /
            other) and the label columns (NA when a post has no label).
        excluded: One row per exclusion reason: ``reason``, ``count``, ``post_ids``
            (``platform:post_id`` strings) and ``data_error`` (True for impossible values).
        window: The inclusive ``(first, last)`` month range applied, or None.
        min_age_days: The maturity threshold applied.
        n_outside_window: Posts dropped because they were published outside ``window``.
        notes: Plain-language remarks (e.g. posts whose age is unknown).
    """

    data: pd.DataFrame
    excluded: pd.DataFrame
    window: tuple[str, str] | None = None
    min_age_days: float = 7
    n_outside_window: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of analysable posts."""
        return len(self.data)

    @property
    def n_excluded(self) -> int:
        """Number of posts left out (inside the window)."""
        return int(self.excluded["count"].sum()) if len(self.excluded) else 0

    @property
    def window_label(self) -> str:
        """The window as ``YYYY-MM..YYYY-MM`` (from the data when no window was given)."""
        if self.window is not None:
            return f"{self.window[0]}..{self.window[1]}"
        if len(self.data) == 0:
            return ""
        return f"{self.data['month'].min()}..{self.data['month'].max()}"

    def to_frame(self) -> pd.DataFrame:
        """The exclusions table (reason, count, post ids, data_error)."""
        return self.excluded.copy()

    def _repr_html_(self) -> str:
        head = (
            f"<p>{self.n} analysable posts, window {html.escape(self.window_label) or 'all'}; "
            f"{self.n_excluded} left out.</p>"
        )
        table = self.excluded.drop(columns=["post_ids"]).to_html(index=False, escape=True)
        return head + table


def _check_columns(frame: pd.DataFrame, required: tuple[str, ...], table: str) -> None:
    for column in required:
        if column not in frame.columns:
            raise InputFormatError(
                f"the {table} table has no '{column}' column",
                column=column,
                hint=f"pass the canonical {table} table written by `workbench ingest`",
            )


def _check_window(window: tuple[str, str] | None) -> tuple[str, str] | None:
    if window is None:
        return None
    if isinstance(window, str) or len(window) != 2:
        raise WorkbenchError(
            f"window {window!r} is not a pair of months",
            hint="pass window=('2024-01', '2024-06')",
        )
    first, last = (str(m) for m in window)
    for month in (first, last):
        if not MONTH_RE.match(month):
            raise WorkbenchError(
                f"window month {month!r} is not YYYY-MM", hint="write months as '2024-03'"
            )
    if first > last:
        raise WorkbenchError(
            f"window starts ({first}) after it ends ({last})", hint="swap the two months"
        )
    return first, last


def _local_times(posts: pd.DataFrame, tz: str | None) -> pd.Series:
    """Local publish time: ``published_at`` (organisation zone) or UTC converted to ``tz``."""
    utc = pd.to_datetime(posts["published_at_utc"], utc=True)
    if tz is not None:
        return utc.dt.tz_convert(tz)
    if "published_at" in posts.columns and posts["published_at"].notna().any():
        local = posts["published_at"]
        if not isinstance(local.dtype, pd.DatetimeTZDtype):
            try:
                local = pd.to_datetime(local)
            except (ValueError, TypeError):
                local = pd.Series(pd.NaT, index=posts.index)
        if isinstance(local.dtype, pd.DatetimeTZDtype):
            # Rows where the local stamp is missing fall back to UTC in the same zone.
            return local.where(local.notna(), utc.dt.tz_convert(local.dt.tz))
    raise InputFormatError(
        "'published_at' is missing or has no time zone",
        column="published_at",
        hint="conform posts with workbench.schema.conform_posts(frame, tz) or pass tz=",
    )


def _join_labels(posts: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    if labels is None:
        out = posts.copy()
        for column in LABEL_COLUMNS:
            out[column] = pd.NA
        out["human_centred"] = out["human_centred"].astype("boolean")
        out["brand_colours"] = out["brand_colours"].astype("boolean")
        out["topic"] = out["topic"].astype("string")
        return out
    _check_columns(labels, ("platform", "post_id"), "labels")
    keyed = labels.assign(
        platform=labels["platform"].astype("string"), post_id=labels["post_id"].astype("string")
    )
    duplicated = keyed.duplicated(["platform", "post_id"], keep=False)
    if duplicated.any():
        first = keyed.loc[duplicated].iloc[0]
        raise WorkbenchError(
            f"the labels table has {int(duplicated.sum())} rows for repeated posts "
            f"(e.g. {first['platform']}:{first['post_id']})",
            column="post_id",
            hint="keep one label row per (platform, post_id); rerun `workbench label`",
        )
    keep = ["platform", "post_id", *[c for c in LABEL_COLUMNS if c in keyed.columns]]
    base = posts.drop(columns=[c for c in LABEL_COLUMNS if c in posts.columns])
    out = base.merge(keyed[keep], on=["platform", "post_id"], how="left", validate="many_to_one")
    for column in LABEL_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("human_centred", "brand_colours"):
        out[column] = out[column].astype("boolean")
    out["topic"] = out["topic"].astype("string")
    return out


def _exposure(posts: pd.DataFrame) -> pd.Series:
    """Exposure per post, chosen by platform (or by ``exposure_kind`` for other platforms)."""
    exposure = pd.Series(np.nan, index=posts.index, dtype="float64")
    kinds = posts["platform"].map(EXPOSURE_BY_PLATFORM)
    if "exposure_kind" in posts.columns:
        kinds = kinds.fillna(posts["exposure_kind"]).astype("object")
    for kind in ("reach", "impressions", "views"):
        if kind not in posts.columns:
            continue
        rows = kinds == kind
        values = pd.to_numeric(posts[kind], errors="coerce").astype("Float64")
        exposure = exposure.where(~rows, values.to_numpy(dtype="float64", na_value=np.nan))
    return exposure


#: TikTok Content.csv files seen list 12-13 videos when the range held more (§9.6).
TIKTOK_TOP_LIST_MIN_ROWS = 12


def tiktok_top_list_posts(posts: pd.DataFrame,
                          max_rows: int | None = TIKTOK_TOP_LIST_ROWS) -> pd.Series:
    """True for TikTok posts known only from exports that list just the top videos (§9.6).

    TikTok Studio's ``Content.csv`` lists only the top ~12-13 videos of the download's range,
    so a comparison on it is biased toward winners. Rule (decided here, statistics.md §9.6):
    a TikTok file holding between :data:`TIKTOK_TOP_LIST_MIN_ROWS` and ``max_rows`` post rows
    is at the cap, so probably a cut top-videos list; a TikTok post is flagged when every file
    it appears in is at the cap. A shorter file is complete (the account posted fewer videos
    than the cap) and a longer one is not a top list. The row count is the file's own
    (``source_rows``, recorded by the parser before deduplication); for older processed data
    without it, the rows per ``source_file`` still in the table are counted. The daily
    ``video_views`` series is not used: older videos keep drawing views. Rows without
    ``source_file`` are never flagged (their file cannot be counted).

    Args:
        posts: Canonical ``posts`` rows.
        max_rows: Largest row count treated as a top-videos list; None disables the check.

    Returns:
        Boolean Series indexed like ``posts``.
    """
    flagged = pd.Series(False, index=posts.index)
    if max_rows is None or "source_file" not in posts.columns:
        return flagged
    tiktok = (posts["platform"].astype("string") == "tiktok").fillna(False).to_numpy(bool)
    source = posts["source_file"].astype("string")
    known = tiktok & source.notna().to_numpy(bool)
    if not known.any():
        return flagged
    files = source[known]
    counted = files.map(files.value_counts()).astype("float64")
    if "source_rows" in posts.columns:
        recorded = pd.to_numeric(posts.loc[known, "source_rows"], errors="coerce")
        counted = recorded.astype("float64").fillna(counted)
    at_cap = ((counted >= TIKTOK_TOP_LIST_MIN_ROWS) & (counted <= max_rows)).to_numpy(bool)
    keys = posts.loc[known, "post_id"].astype("string")
    complete_somewhere = pd.Series(~at_cap, index=keys.index).groupby(
        keys.to_numpy()).transform("any")
    flagged.loc[known] = ~complete_somewhere.to_numpy(bool)
    return flagged


def prepare_posts(
    posts: pd.DataFrame,
    labels: pd.DataFrame | None = None,
    *,
    window: tuple[str, str] | None = None,
    min_age_days: float = 7,
    tz: str | None = None,
    tiktok_top_list_rows: int | None = TIKTOK_TOP_LIST_ROWS,
) -> PreparedPosts:
    """Build the analysable-post frame for the content models (statistics.md §1).

    Args:
        posts: The canonical ``posts`` table (not modified).
        labels: The canonical ``labels`` table, joined on ``(platform, post_id)``; None to
            analyse without labels (label columns become NA).
        window: Inclusive ``("YYYY-MM", "YYYY-MM")`` range of local publish months; None
            keeps every month.
        min_age_days: Posts younger than this at download (``snapshot_at``) are left out.
        tz: Organisation time zone; when given, local times are derived from
            ``published_at_utc`` instead of ``published_at``.
        tiktok_top_list_rows: TikTok posts known only from files of at most this many rows
            are left out as a top-videos selection (`tiktok_top_list_posts`); None keeps them.

    Returns:
        PreparedPosts with ``.data`` (analysable posts) and ``.excluded`` (reason, count,
        post ids) — posts inside the window that cannot be analysed are never dropped silently.

    Raises:
        InputFormatError: A required column is missing or times have no zone.
        WorkbenchError: Bad window, or the labels table repeats a post.
    """
    _check_columns(posts, REQUIRED_POST_COLUMNS, "posts")
    window = _check_window(window)
    frame = posts.copy()
    frame["platform"] = frame["platform"].astype("string")
    frame["post_id"] = frame["post_id"].astype("string")
    notes: list[str] = []
    # Counted on the whole table: a file's row count does not depend on the window.
    frame["_top_list"] = tiktok_top_list_posts(frame, tiktok_top_list_rows).to_numpy()

    local = _local_times(frame, tz)
    frame["published_local"] = local
    frame["month"] = local.dt.strftime("%Y-%m").astype("string")

    n_outside = 0
    if window is not None:
        inside = (frame["month"] >= window[0]) & (frame["month"] <= window[1])
        inside = inside.fillna(False).astype(bool)
        n_outside = int((~inside).sum())
        frame = frame.loc[inside]

    frame = _join_labels(frame.reset_index(drop=True), labels)

    # Features used by every model.
    local = frame["published_local"]
    frame["y"] = pd.to_numeric(frame["interactions"], errors="coerce").astype("float64")
    frame["exposure"] = _exposure(frame)
    with np.errstate(divide="ignore"):
        frame["log_exposure"] = np.log(frame["exposure"].where(frame["exposure"] > 0))
    if "snapshot_at" in frame.columns:
        snapshot = pd.to_datetime(frame["snapshot_at"], utc=True)
        published = pd.to_datetime(frame["published_at_utc"], utc=True)
        frame["age_days"] = (snapshot - published).dt.total_seconds() / 86400.0
    else:
        frame["age_days"] = np.nan
    frame["age_days"] = frame["age_days"].astype("float64")
    frame["hour"] = (local.dt.hour + local.dt.minute / 60.0).astype("float64")
    frame["weekday"] = local.dt.day_of_week.astype("int64")
    frame["weekend"] = frame["weekday"] >= 5
    angle = 2 * np.pi * frame["hour"] / 24.0
    frame["hs1"], frame["hc1"] = np.sin(angle), np.cos(angle)
    frame["hs2"], frame["hc2"] = np.sin(2 * angle), np.cos(2 * angle)
    iso = local.dt.isocalendar()
    frame["iso_week"] = (
        iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
    )
    fmt = frame["format"].astype("string") if "format" in frame.columns else pd.NA
    frame["fmt"] = pd.Series(fmt, index=frame.index, dtype="string").fillna("other")
    frame["fmt_group"] = frame["fmt"].map(FORMAT_GROUPS).fillna("other").astype("string")

    # Exclusions: each post gets the first reason that applies (§1.4).
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")

    def flag(mask: pd.Series, text: str) -> None:
        nonlocal reason
        mask = mask.fillna(False).astype(bool) & reason.isna()
        reason = reason.mask(mask, text)

    if "snapshot_at" in frame.columns:
        # Keep the newest download of each post (§9.4); older copies are counted, not used.
        order = pd.to_datetime(frame["snapshot_at"], utc=True).rank(method="first")
        newest = order.groupby([frame["platform"], frame["post_id"]]).transform("max")
        flag(order != newest, REASON_DUPLICATE)
    else:
        flag(frame.duplicated(["platform", "post_id"], keep="last"), REASON_DUPLICATE)
    flag(frame["_top_list"], REASON_TIKTOK_SELECTION)
    if "boosted" in frame.columns:
        flag(frame["boosted"].astype("boolean"), REASON_BOOSTED)
    if "is_share" in frame.columns:
        flag(frame["is_share"].astype("boolean"), REASON_SHARE)
    flag(frame["y"].isna(), REASON_Y_MISSING)
    flag(frame["exposure"].isna(), REASON_EXPOSURE_MISSING)
    flag((frame["exposure"] == 0) & (frame["y"] > 0), REASON_EXPOSURE_ERROR)
    flag(frame["exposure"] <= 0, REASON_EXPOSURE_ZERO)
    young = REASON_YOUNG.format(days=min_age_days)
    flag(frame["age_days"] < min_age_days, young)
    if frame["age_days"].isna().any():
        notes.append(
            f"{int(frame['age_days'].isna().sum())} posts have no download time (snapshot_at); "
            "their age could not be checked"
        )

    ids = frame["platform"].astype("object") + ":" + frame["post_id"].astype("object")
    rows = []
    order_of_reasons = [
        REASON_DUPLICATE,
        REASON_TIKTOK_SELECTION,
        REASON_BOOSTED,
        REASON_SHARE,
        REASON_Y_MISSING,
        REASON_EXPOSURE_MISSING,
        REASON_EXPOSURE_ERROR,
        REASON_EXPOSURE_ZERO,
        young,
    ]
    for text in order_of_reasons:
        hit = (reason == text).fillna(False).astype(bool)
        if hit.any():
            rows.append(
                {
                    "reason": text,
                    "count": int(hit.sum()),
                    "post_ids": list(ids[hit]),
                    "data_error": text == REASON_EXPOSURE_ERROR,
                }
            )
    excluded = pd.DataFrame(rows, columns=["reason", "count", "post_ids", "data_error"])
    excluded = excluded.astype({"reason": "string", "count": "int64", "data_error": "bool"})

    if (reason == REASON_TIKTOK_SELECTION).any():
        notes.append(
            "TikTok posts left out of the content tests: every TikTok export holding them lists "
            f"at most {tiktok_top_list_rows} videos, TikTok's top videos of the range, so any "
            "comparison on them would favour winners (statistics.md §9.6)"
        )
    frame = frame.drop(columns="_top_list")
    data = frame.loc[reason.isna()].reset_index(drop=True)
    return PreparedPosts(
        data=data,
        excluded=excluded,
        window=window,
        min_age_days=min_age_days,
        n_outside_window=n_outside,
        notes=notes,
    )


def ratio_of_sums(data: pd.DataFrame, group: str, outcome: str = "y") -> pd.DataFrame:
    """Descriptive rate per group as Σy / Σexposure (never the mean of ratios, §1.5).

    Args:
        data: Prepared posts (``PreparedPosts.data``).
        group: Column to group by.
        outcome: Count column.

    Returns:
        Frame with ``group``, ``n``, ``interactions``, ``exposure`` and ``rate``.
    """
    keys = data[group]
    levels = sorted(set(keys.dropna()))
    rows = []
    for level in levels:
        rows_of_level = (keys == level).fillna(False).to_numpy()
        interactions = float(data[outcome].to_numpy()[rows_of_level].sum())
        exposure = float(data["exposure"].to_numpy()[rows_of_level].sum())
        rows.append({group: level, "n": int(rows_of_level.sum()), "interactions": interactions,
                     "exposure": exposure,
                     "rate": interactions / exposure if exposure > 0 else float("nan")})
    return pd.DataFrame(rows, columns=[group, "n", "interactions", "exposure", "rate"])


#: ``audience_source`` values of `audience_at_publish`.
AUDIENCE_FOLLOWERS = "followers at publish date"
AUDIENCE_MEDIAN_EXPOSURE = "median exposure of the platform's month (no follower level)"


def _daily_values(daily: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One value per (platform, account, date) of ``metric`` (overlapping files: the last)."""
    rows = daily.loc[(daily["metric"].astype("string") == metric).fillna(False).to_numpy(bool)]
    out = pd.DataFrame({
        "platform": rows["platform"].astype("string").to_numpy(),
        "account": rows["account"].astype("string").fillna("").to_numpy()
        if "account" in rows.columns else "",
        "date": pd.to_datetime(rows["date"]).dt.tz_localize(None).dt.normalize().to_numpy()
        if isinstance(rows["date"].dtype, pd.DatetimeTZDtype)
        else pd.to_datetime(rows["date"]).dt.normalize().to_numpy(),
        "value": pd.to_numeric(rows["value"], errors="coerce").astype("float64").to_numpy(),
    }).dropna(subset=["date", "value"])
    return out.groupby(["platform", "account", "date"], as_index=False)["value"].last()


def follower_series(daily: pd.DataFrame | None) -> dict[tuple[str, str], pd.Series]:
    """Followers per calendar day for each (platform, account) of the ``daily`` table (§1.3).

    followers(t) = cumulative ``follows`` (additive daily gains, missing days count 0) plus an
    offset anchored on the ``followers_total`` levels: where a level is known the series
    equals it, between two levels the offset is interpolated linearly in time, beyond the
    first/last level it is held. A (platform, account) without any ``followers_total`` row
    has no series (its level is unknown, so cumulative gains alone cannot give a count).
    The key ``(platform, "")`` holds the sum over the platform's accounts.

    Args:
        daily: Canonical ``daily`` table (``platform``, ``account``, ``date``, ``metric``,
            ``value``), or None.

    Returns:
        dict (platform, account) → float Series indexed by naive daily dates (positive values
        only; days at or below 0 are dropped).
    """
    if daily is None or len(daily) == 0 or not {"platform", "date", "metric", "value"} <= set(
            daily.columns):
        return {}
    levels = _daily_values(daily, "followers_total")
    gains = _daily_values(daily, "follows")
    out: dict[tuple[str, str], pd.Series] = {}
    for (platform, account), known in levels.groupby(["platform", "account"]):
        known = known.set_index("date")["value"].sort_index()
        gained = gains.loc[(gains["platform"] == platform) & (gains["account"] == account)]
        gained = gained.set_index("date")["value"].sort_index()
        start = min(known.index.min(), gained.index.min() if len(gained) else known.index.min())
        end = max(known.index.max(), gained.index.max() if len(gained) else known.index.max())
        days = pd.date_range(start, end, freq="D")
        cumulative = gained.reindex(days, fill_value=0.0).cumsum()
        offset = (known - cumulative.reindex(known.index)).reindex(days)
        offset = offset.interpolate(method="time", limit_area="inside").ffill().bfill()
        series = (cumulative + offset).astype("float64")
        out[(str(platform), str(account))] = series[series > 0]
    for platform in sorted({p for p, _ in out}):
        parts = [s for (p, _), s in out.items() if p == platform]
        if len(parts) > 1:
            total = pd.concat(parts, axis=1).dropna().sum(axis=1)
            out[(platform, "")] = total[total > 0]
        else:
            out[(platform, "")] = parts[0]
    return out


def audience_at_publish(
    data: pd.DataFrame, daily: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Audience size per post for the "total effect" models (statistics.md §1.3, §9.2).

    Followers at the post's local publish date from `follower_series` (the post's account,
    else the platform's accounts summed); a post dated outside the series takes its nearest
    day. Platforms without a follower level use the documented fallback: the median exposure
    of the platform's posts in the post's month (in ``data``), so that the "reach" model
    compares a post's exposure with what the platform's posts typically got that month.

    Args:
        data: Prepared posts (``PreparedPosts.data``: ``platform``, ``published_local``,
            ``month``, ``exposure``, optionally ``account``).
        daily: Canonical ``daily`` table, or None (every platform uses the fallback).

    Returns:
        (audience per post, source per post — `AUDIENCE_FOLLOWERS` or
        `AUDIENCE_MEDIAN_EXPOSURE` —, notes), indexed like ``data``.
    """
    series = follower_series(daily)
    audience = pd.Series(np.nan, index=data.index, dtype="float64")
    source = pd.Series(AUDIENCE_MEDIAN_EXPOSURE, index=data.index, dtype="string")
    notes: list[str] = []
    if len(data) == 0:
        return audience, source, notes
    platforms = data["platform"].astype("string")
    accounts = (data["account"].astype("string").fillna("") if "account" in data.columns
                else pd.Series("", index=data.index, dtype="string"))
    local = data["published_local"]
    dates = pd.to_datetime(local.dt.tz_localize(None) if isinstance(
        local.dtype, pd.DatetimeTZDtype) else local).dt.normalize()
    for platform in sorted(set(platforms.dropna())):
        rows = (platforms == platform).fillna(False).to_numpy(bool)
        if (platform, "") not in series:
            continue
        outside = 0
        for account in sorted(set(accounts[rows])):
            these = rows & (accounts == account).to_numpy(bool)
            values = series.get((platform, account), series[(platform, "")])
            if len(values) == 0:
                continue
            when = dates[these]
            outside += int(((when < values.index.min()) | (when > values.index.max())).sum())
            position = values.index.get_indexer(when, method="nearest")
            audience.loc[these] = values.to_numpy()[position]
            source.loc[these] = AUDIENCE_FOLLOWERS
        if outside:
            notes.append(f"{platform}: {outside} posts fall outside the dates of the follower "
                         "series; the nearest day's followers were used")
    fallback = source == AUDIENCE_MEDIAN_EXPOSURE
    if fallback.any():
        medians = data.groupby([platforms, data["month"].astype("string")])[
            "exposure"].transform("median")
        audience = audience.where(~fallback.to_numpy(bool), medians.astype("float64"))
        names = sorted(set(platforms[fallback.to_numpy(bool)].dropna()))
        notes.append(
            f"no follower level for {', '.join(names)}: the follower-based models use the "
            "median exposure of the platform's posts in the month instead (statistics.md §9.2 "
            "fallback)"
        )
    return audience, source, notes

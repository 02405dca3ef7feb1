"""Canonical table schemas (DESIGN.md "Canonical tables").

Parsers build frames with these columns and call the matching ``conform_*`` function, which
adds any missing column as NA, casts to the canonical dtype and orders the columns. Missing
is NA, never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

PLATFORMS = ("facebook", "instagram", "linkedin", "tiktok")
FORMATS = ("photo", "video", "reel", "carousel", "link", "text", "live", "other")
EXPOSURE_KINDS = ("reach", "impressions", "views")

#: Post metrics, all nullable integers (lifetime to date at ``snapshot_at``).
POST_COUNT_COLUMNS = (
    "reach",
    "impressions",
    "views",
    "reactions",
    "comments",
    "shares",
    "saves",
    "clicks",
    "follows",
    "interactions",
)

#: posts: DESIGN.md columns, then the few extras the statistics spec needs (§1.1).
POSTS_DTYPES: dict[str, str] = {
    "platform": "string",
    "account": "string",
    "post_id": "string",
    "permalink": "string",
    "published_at": "object",  # tz-aware in the organisation zone; set by conform_posts
    "published_at_utc": "datetime64[ns, UTC]",
    "format": "string",
    "caption": "string",
    "hashtags": "object",  # list[str]
    "exposure_kind": "string",
    **{c: "Int64" for c in POST_COUNT_COLUMNS},
    "boosted": "boolean",
    "is_share": "boolean",
    "snapshot_at": "datetime64[ns, UTC]",
    "source_file": "string",
    # extras (not in DESIGN.md, allowed: "everything not named here is yours")
    "account_id": "string",
    "is_crosspost": "boolean",
    # a collaboration post listed under a collaborator's account (Instagram exports)
    "is_collab": "boolean",
    "duration_sec": "Float64",
    # post rows in the source file as downloaded (TikTok lists only its top videos: §9.6)
    "source_rows": "Int64",
}
POSTS_COLUMNS = tuple(POSTS_DTYPES)

DAILY_DTYPES: dict[str, str] = {
    "platform": "string",
    "account": "string",
    "date": "datetime64[ns]",  # the platform's own calendar day, naive
    "metric": "string",
    "value": "Float64",
    "source_file": "string",
    "snapshot_at": "datetime64[ns, UTC]",
}
DAILY_COLUMNS = tuple(DAILY_DTYPES)

WEB_DTYPES: dict[str, str] = {
    "date": "datetime64[ns]",
    "month": "string",  # "YYYY-MM" when the row is a monthly figure
    "dimension": "string",
    "dimension_value": "string",
    "metric": "string",
    "value": "Float64",
    "source_file": "string",
    "table": "string",  # the GA4 table title the row came from
}
WEB_COLUMNS = tuple(WEB_DTYPES)

ADS_DTYPES: dict[str, str] = {
    "level": "string",  # campaign|ad_group|keyword|search_term|location|ad (never added up)
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "campaign": "string",
    "item": "string",  # the ad group, keyword, search term, location or ad at that level
    "impressions": "Int64",
    "clicks": "Int64",
    "cost": "Float64",
    "currency": "string",
    "conversions": "Float64",
    "quality_score": "Float64",  # keywords only (1-10)
    "source_file": "string",
    # extras (not in DESIGN.md)
    "all_time": "boolean",  # an "All time" report: never summed with monthly ones
    "ad_group": "string",  # the item's ad group (keyword, search term and ad levels)
    "match_type": "string",  # keyword / search-term match type
    "snapshot_at": "datetime64[ns, UTC]",  # when the report was downloaded (newest wins)
}
ADS_COLUMNS = tuple(ADS_DTYPES)

MANUAL_DTYPES: dict[str, str] = {
    "month": "string",
    "platform": "string",
    "kpi": "string",
    "value": "Float64",
    "note": "string",
    "source_file": "string",
}
MANUAL_COLUMNS = tuple(MANUAL_DTYPES)

LABELS_DTYPES: dict[str, str] = {
    "platform": "string",
    "post_id": "string",
    "human_centred": "boolean",
    "topic": "string",
    "audience": "string",
    "brand_colours": "boolean",
    "brand_colour_share": "Float64",
    "label_source": "string",
    "label_version": "string",
}
LABELS_COLUMNS = tuple(LABELS_DTYPES)

#: audience: demographics snapshots (DESIGN.md). One row per segment of a breakdown, as the
#: platform gives it: ``share`` 0-1 as the platform rounds it (never normalised), ``count``
#: where the platform gives counts (LinkedIn, GA4, TikTok active followers).
AUDIENCE_BREAKDOWNS = ("age_gender", "gender", "age", "city", "country", "language",
                       "job_function", "seniority", "industry", "company_size", "territory",
                       "online_hours")
AUDIENCE_BASES = ("followers", "reached", "visitors", "viewers")
AUDIENCE_DTYPES: dict[str, str] = {
    "platform": "string",  # facebook|instagram|linkedin|tiktok|website (meta: not told)
    "account": "string",
    "snapshot_at": "datetime64[ns, UTC]",
    "period_start": "datetime64[ns]",  # when the breakdown covers a period (GA4, TikTok)
    "period_end": "datetime64[ns]",
    "breakdown": "string",
    "segment": "string",  # age_gender: "<age>|<women|men>"; online_hours: "00".."23"
    "share": "Float64",
    "count": "Float64",
    "base": "string",
    "source_file": "string",
    # extras (not in DESIGN.md)
    "base_count": "Float64",  # size of the base (followers total, sum of listed counts)
    "rounding": "Float64",  # the unit the platform rounded the share to (0.001 = 0.1 pp)
    "section": "string",  # the section / sheet / table title as written
}
AUDIENCE_COLUMNS = tuple(AUDIENCE_DTYPES)

#: post_snapshots: every download of every post (DESIGN.md), for age-matched comparisons.
#: ``age_days`` is ``snapshot_at - published_at_utc`` in days (fractional; NA when either is
#: unknown). The metric columns are those of ``posts``, lifetime to date at ``snapshot_at``.
POST_SNAPSHOTS_DTYPES: dict[str, str] = {
    "platform": "string",
    "post_id": "string",
    "snapshot_at": "datetime64[ns, UTC]",
    "age_days": "Float64",
    **{c: "Int64" for c in POST_COUNT_COLUMNS},
    # extras: enough to join and to read a snapshot without posts at hand
    "account": "string",
    "published_at_utc": "datetime64[ns, UTC]",
    "exposure_kind": "string",
    "source_file": "string",
}
POST_SNAPSHOTS_COLUMNS = tuple(POST_SNAPSHOTS_DTYPES)

TABLE_DTYPES: dict[str, dict[str, str]] = {
    "posts": POSTS_DTYPES,
    "post_snapshots": POST_SNAPSHOTS_DTYPES,
    "daily": DAILY_DTYPES,
    "web": WEB_DTYPES,
    "ads": ADS_DTYPES,
    "manual": MANUAL_DTYPES,
    "audience": AUDIENCE_DTYPES,
    "labels": LABELS_DTYPES,
}


_TARGETS: dict[str, object] = {}


def _target(dtype: str) -> object:
    """The pandas dtype object for a schema dtype string (cached)."""
    found = _TARGETS.get(dtype)
    if found is None:
        found = _TARGETS[dtype] = pd.api.types.pandas_dtype(dtype)
    return found


def _hashtag_lists(values: pd.Series) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        out[i] = list(v) if isinstance(v, (list, tuple)) else []
    return out


def _conform_column(values: pd.Series, column: str, dtype: str, tz: str | None) -> object:
    """One canonical column (an array or Series) from ``values``."""
    if column == "published_at":
        if isinstance(values.dtype, pd.DatetimeTZDtype):  # to_datetime(utc=True) is a no-op
            # one conversion: to UTC and then to tz gives the same as straight to tz
            return values.dt.tz_convert(tz if tz else "UTC")
        stamps = pd.to_datetime(values, utc=True)
        return stamps.dt.tz_convert(tz) if tz else stamps
    if column == "hashtags":
        return _hashtag_lists(values)
    target = _target(dtype)
    if values.dtype == target:  # already canonical: astype would only copy
        return values
    if dtype.startswith("datetime64[ns, UTC]"):
        if isinstance(values.dtype, pd.DatetimeTZDtype) and str(values.dtype.tz) == "UTC":
            return values.dt.as_unit("ns")  # only the unit differs (e.g. us from a Timestamp)
        return pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values).astype("datetime64[ns]")
    return values.astype(dtype)


def _already_canonical(frame: pd.DataFrame, dtypes: dict[str, str]) -> bool:
    """True when ``frame`` has exactly the columns, order, dtypes and 0..n-1 row labels."""
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return False
    if list(frame.columns) != list(dtypes):
        return False
    return all(actual == _target(dtype) for actual, dtype in zip(frame.dtypes.tolist(),
                                                                 dtypes.values(), strict=True))


def all_missing(n: int, dtype: str) -> object:
    """``n`` NA in a canonical dtype, as an all-NA object column cast to it; else None."""
    if dtype in ("Int64", "Float64", "boolean"):
        data = np.zeros(n, dtype={"Int64": "int64", "Float64": "float64",
                                  "boolean": "bool"}[dtype])
        array_type = {"Int64": pd.arrays.IntegerArray, "Float64": pd.arrays.FloatingArray,
                      "boolean": pd.arrays.BooleanArray}[dtype]
        return array_type(data, np.ones(n, dtype=bool))
    if dtype == "string":
        return constant_array(None, n, "string")
    return None


def _conform(frame: pd.DataFrame, dtypes: dict[str, str], *, tz: str | None = None) -> pd.DataFrame:
    if tz is None and _already_canonical(frame, dtypes):
        # parsers that build canonical columns directly: nothing to cast (a shallow copy,
        # so the caller still gets a frame of its own under copy-on-write)
        return frame.copy(deep=False)
    present = set(frame.columns)
    columns = {column: frame[column] for column in dtypes if column in present}
    return _conform_series(columns, len(frame), frame.index, dtypes, tz=tz)


def _conform_series(columns: dict[str, pd.Series], n: int, source_index: pd.Index,
                    dtypes: dict[str, str], *, tz: str | None = None) -> pd.DataFrame:
    """The casting loop of :func:`_conform` over columns that share ``source_index``."""
    if (isinstance(source_index, pd.RangeIndex) and source_index.start == 0
            and source_index.step == 1 and len(source_index) == n):
        # already 0..n-1: kept, so the columns built on it join the frame without the
        # re-alignment the constructor does for an index that is merely equal
        index = source_index
    else:
        index = pd.RangeIndex(n)
    data = {}
    for column, dtype in dtypes.items():
        if column in columns:
            values = columns[column]
        else:
            missing = all_missing(n, dtype)
            if missing is not None:  # a new array: nothing shared, no Series needed
                data[column] = missing
                continue
            values = pd.Series(pd.NA, index=source_index, dtype="object")
        result = _conform_column(values, column, dtype, tz)
        if isinstance(result, pd.Series) and not result.index.equals(index):
            # same row labels everywhere; Series (not bare arrays) keep copy-on-write tracking
            result = result.set_axis(index)
        data[column] = result
    # one construction, no per-column insert
    return pd.DataFrame(data, index=index, copy=False)


def constant(value: object, n: int, dtype: str) -> pd.Series:
    """``n`` copies of ``value`` as a canonical ``dtype`` column (what conform would make).

    Cheaper than broadcasting a scalar into an object column and casting it later: parsers
    use it for the per-file constants (platform, metric, source_file, snapshot_at).
    """
    index = pd.RangeIndex(n)
    fast = constant_array(value, n, dtype)
    if fast is not None:
        return pd.Series(fast, index=index, copy=False)
    values = pd.Series([value] * n, index=index, dtype="object")
    return _conform_column(values, "", dtype, None)


def constant_array(value: object, n: int, dtype: str) -> object:
    """:func:`constant` as a bare (new, unshared) array, or None for other value types.

    For frames built in one go from arrays: no Series per column to align.
    """
    if dtype == "string" and (isinstance(value, str) or value is None or value is pd.NA):
        scalar = pa.scalar(value if isinstance(value, str) else None, pa.large_string())
        return pd.arrays.ArrowStringArray(pa.chunked_array([pa.repeat(scalar, n)]))
    if (dtype == "datetime64[ns, UTC]" and isinstance(value, pd.Timestamp)
            and value.tz is not None and value is not pd.NaT):
        stamp = value.tz_convert("UTC").as_unit("ns")
        naive = np.full(n, stamp.tz_localize(None).to_datetime64())
        return pd.DatetimeIndex(naive).tz_localize("UTC").array
    if dtype == "boolean" and isinstance(value, bool):
        return pd.arrays.BooleanArray(np.full(n, value), np.zeros(n, dtype=bool))
    return None


def conform_posts(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical posts columns and dtypes.

    Args:
        frame: Parsed posts; missing canonical columns become NA.
        tz: IANA zone of the organisation; ``published_at`` is converted to it.
    """
    return _conform(frame, POSTS_DTYPES, tz=tz)


def conform_posts_columns(columns: dict[str, object], tz: str) -> pd.DataFrame:
    """``conform_posts(pd.DataFrame(columns), tz)`` without building that frame first.

    For parsers whose Series all share one index: bare arrays line up by position and
    scalars are repeated, as the DataFrame constructor would do. Anything else (no Series,
    differing indexes, wrong lengths) goes through the DataFrame, so results never differ.
    """
    series = [v for v in columns.values() if isinstance(v, pd.Series)]
    source_index = series[0].index if series else None
    n = len(source_index) if series else 0
    simple = bool(series) and all(s.index.equals(source_index) for s in series[1:]) and all(
        len(v) == n for v in columns.values()
        if isinstance(v, (np.ndarray, pd.api.extensions.ExtensionArray)))
    if not simple or any(isinstance(v, (list, tuple, dict)) for v in columns.values()):
        return conform_posts(pd.DataFrame(columns), tz)  # lists are columns there
    as_series = {}
    for name, value in columns.items():
        if isinstance(value, pd.Series):
            as_series[name] = value
        elif isinstance(value, (np.ndarray, pd.api.extensions.ExtensionArray)):
            as_series[name] = pd.Series(value, index=source_index, copy=False)
        else:  # a scalar, broadcast (the constructor would infer a dtype; conform casts)
            as_series[name] = pd.Series([value] * n, index=source_index, dtype="object")
    return _conform_series(as_series, n, source_index, POSTS_DTYPES, tz=tz)


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` conformed to the canonical columns of ``table`` (not posts)."""
    if table == "posts":
        raise ValueError("use conform_posts(frame, tz) for posts")
    return _conform(frame, TABLE_DTYPES[table])


def empty_table(table: str, tz: str = "UTC") -> pd.DataFrame:
    """Return an empty frame with the canonical columns and dtypes of ``table``."""
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in TABLE_DTYPES[table]})
    return conform_posts(frame, tz) if table == "posts" else conform(frame, table)


#: Canonical ``daily.metric`` names. Follows are *gained* per day (additive), never totals.
DAILY_METRICS = {
    "follows": "new follows gained that day (additive)",
    "net_follows": "TikTok's net change in followers that day (gains minus losses; additive)",
    "followers_total": "follower count at the end of the day (a level; never summed)",
    "unfollows": "follows lost that day (legacy Facebook unlikes, TikTok lost followers)",
    "engaged_users": "people who engaged that day (legacy Facebook page, TikTok web export)",
    "reach": "accounts reached that day (daily unique; never summed into a monthly unique)",
    "views": "views that day",
    "visits": "Facebook page visits that day",
    "profile_visits": "Instagram profile visits / TikTok profile views that day",
    "interactions": "content interactions that day",
    "link_clicks": "link clicks that day",
    "viewers": "viewers that day",
    "unique_visitors": "LinkedIn unique page visitors that day",
    "page_views": "LinkedIn page views that day",
    "video_views": "TikTok video views that day",
    "likes": "likes that day",
    "comments": "comments that day",
    "shares": "shares that day",
    "impressions": "impressions that day",
}

"""Canonical table schemas (DESIGN.md "Canonical tables").

Parsers build frames with these columns and call the matching ``conform_*`` function, which
adds any missing column as NA, casts to the canonical dtype and orders the columns. Missing
is NA, never 0.
"""

from __future__ import annotations

import pandas as pd

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
    "duration_sec": "Float64",
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
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "campaign": "string",
    "impressions": "Int64",
    "clicks": "Int64",
    "cost": "Float64",
    "currency": "string",
    "conversions": "Float64",
    "source_file": "string",
    "all_time": "boolean",  # an "All time" report: never summed with monthly ones
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

TABLE_DTYPES: dict[str, dict[str, str]] = {
    "posts": POSTS_DTYPES,
    "daily": DAILY_DTYPES,
    "web": WEB_DTYPES,
    "ads": ADS_DTYPES,
    "manual": MANUAL_DTYPES,
    "labels": LABELS_DTYPES,
}


def _conform(frame: pd.DataFrame, dtypes: dict[str, str], *, tz: str | None = None) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column, dtype in dtypes.items():
        if column in frame.columns:
            values = frame[column]
        else:
            values = pd.Series(pd.NA, index=frame.index, dtype="object")
        if column == "published_at":
            stamps = pd.to_datetime(values, utc=True)
            out[column] = stamps.dt.tz_convert(tz) if tz else stamps
        elif column == "hashtags":
            out[column] = values.map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
        elif dtype.startswith("datetime64[ns, UTC]"):
            out[column] = pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
        elif dtype.startswith("datetime64"):
            out[column] = pd.to_datetime(values).astype("datetime64[ns]")
        else:
            out[column] = values.astype(dtype)
    return out.reset_index(drop=True)


def conform_posts(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical posts columns and dtypes.

    Args:
        frame: Parsed posts; missing canonical columns become NA.
        tz: IANA zone of the organisation; ``published_at`` is converted to it.
    """
    return _conform(frame, POSTS_DTYPES, tz=tz)


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
    "followers_total": "follower count at the end of the day (a level; never summed)",
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

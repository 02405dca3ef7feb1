"""GA4 source / medium rows out of the ``web`` table, and what each source is.

GA4 writes the traffic source as ``source / medium`` (``l.facebook.com / referral``,
``facebook / social``, ``(direct) / (none)``). One platform arrives under many names: the
link shim (``l.facebook.com``, ``lm.facebook.com``), the mobile site (``m.facebook.com``),
the short-link domain (``lnkd.in``), the apps, and whatever an analyst typed into a UTM tag
(``Facebook``, ``fb``). :func:`platform_of` folds them into one platform name;
:func:`source_rows` pulls the source/medium tables out of ``web`` in one shape, whichever
GA4 report they came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from workbench.website.settings import PAID_MEDIUMS

#: ``web.dimension`` names holding ``source / medium`` values (session scope first).
SOURCE_MEDIUM_DIMENSIONS = ("source_medium", "session_source_medium")
#: ``web.dimension`` names holding a source alone (medium unknown).
SOURCE_DIMENSIONS = ("source", "session_source")
#: Two-dimension tables (``source + medium``: values ``facebook | social``).
PAIR_DIMENSIONS = ("source + medium", "session_source + session_medium",
                   "source + session_medium", "session_source + medium")

#: Domain or tag (lower case, ``www.`` removed) → platform. Domains match with any subdomain.
PLATFORM_DOMAINS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook.com", "fb.com", "fb.me", "fb.watch", "messenger.com"),
    "instagram": ("instagram.com",),
    "linkedin": ("linkedin.com", "lnkd.in", "linkedin.android", "com.linkedin.android"),
    "tiktok": ("tiktok.com", "tiktokv.com", "musical.ly"),
    "x": ("t.co", "twitter.com", "x.com"),
    "youtube": ("youtube.com", "youtu.be"),
    "threads": ("threads.net", "threads.com"),
    "bluesky": ("bsky.app",),
    "reddit": ("reddit.com",),
    "pinterest": ("pinterest.com", "pin.it"),
    "whatsapp": ("whatsapp.com", "wa.me"),
}
#: Bare tags people type into utm_source (lower-cased, punctuation removed).
PLATFORM_TAGS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook", "fb", "meta", "facebookads", "fbads", "facebookpage"),
    "instagram": ("instagram", "ig", "insta", "instagrambio", "linkinbio"),
    "linkedin": ("linkedin", "li", "lnkd"),
    "tiktok": ("tiktok", "tt"),
    "x": ("twitter", "x"),
    "youtube": ("youtube", "yt"),
    "threads": ("threads",),
    "bluesky": ("bluesky", "bsky"),
    "reddit": ("reddit",),
    "pinterest": ("pinterest",),
    "whatsapp": ("whatsapp",),
}
_TAG_INDEX = {tag: platform for platform, tags in PLATFORM_TAGS.items() for tag in tags}
_SPLIT = re.compile(r"\s+/\s+")


def platform_of(source: object) -> str | None:
    """The social platform a GA4 source belongs to, or None.

    Args:
        source: The session source as GA4 wrote it (``l.facebook.com``, ``Facebook``,
            ``lnkd.in``, ``https://m.facebook.com/``).

    Returns:
        ``facebook``, ``instagram``, ``linkedin``, ``tiktok``, another social platform name,
        or None when the source is not a social platform.
    """
    if source is None or (not isinstance(source, str) and pd.isna(source)):
        return None
    text = str(source).strip().lower()
    if not text:
        return None
    host = re.sub(r"^[a-z]+://", "", text).split("/")[0].split("?")[0]
    host = host.removeprefix("www.")
    for platform, domains in PLATFORM_DOMAINS.items():
        for domain in domains:
            if host == domain or host.endswith("." + domain):
                return platform
    tag = re.sub(r"[^a-z0-9]", "", host)
    return _TAG_INDEX.get(tag)


def is_paid(medium: object) -> bool:
    """True when a medium means paid traffic (``cpc``, ``paid_social``, ...)."""
    if medium is None or (not isinstance(medium, str) and pd.isna(medium)):
        return False
    text = re.sub(r"[\s]+", "_", str(medium).strip().lower())
    return text in PAID_MEDIUMS or text.startswith("paid")


def split_source_medium(value: object) -> tuple[str | None, str | None]:
    """``'l.facebook.com / referral'`` → ``('l.facebook.com', 'referral')``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None, None
    parts = _SPLIT.split(str(value).strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1]
    text = str(value).strip()
    if " | " in text:  # a two-dimension table joined by the GA4 parser
        source, medium = text.split(" | ", 1)
        return source.strip(), medium.strip()
    return text, None


def month_key(web: pd.DataFrame) -> pd.Series:
    """Each ``web`` row's ``YYYY-MM``: its ``month``, else the month of its ``date``."""
    months = web["month"].astype("string") if "month" in web else pd.Series(
        pd.NA, index=web.index, dtype="string")
    if "date" in web:
        from_date = pd.to_datetime(web["date"]).dt.strftime("%Y-%m").astype("string")
        months = months.fillna(from_date)
    return months


def _dimension_kind(dimension: str) -> str | None:
    name = str(dimension).strip().lower()
    if name in SOURCE_MEDIUM_DIMENSIONS:
        return "source_medium"
    if name in PAIR_DIMENSIONS:
        return "pair"
    if name in SOURCE_DIMENSIONS:
        return "source"
    return None


def source_rows(web: pd.DataFrame,
                metrics: Iterable[str] = ("sessions", "key_events", "engaged_sessions"),
                granularity: str = "month") -> pd.DataFrame:
    """The ``web`` rows of source/medium tables, one row per (period, source value, metric).

    A month that has a monthly table (``month`` set, no ``date``) is taken from it alone;
    a month with only daily rows (an exploration with ``Date``) is taken from those, so
    the two never add up. Where a month has both a ``source / medium`` and a source-only
    table, the source/medium one is used. A re-download of the same table counts once.

    Args:
        web: The canonical ``web`` table.
        metrics: Metrics to keep.
        granularity: ``"month"`` (monthly tables first, daily rows where a month has none)
            or ``"day"`` (dated rows only).

    Returns:
        Columns ``month``, ``date`` (NaT for monthly rows), ``daily`` (bool), ``raw`` (the
        value as GA4 wrote it), ``source``, ``medium`` (NA for source-only tables),
        ``metric``, ``value``, ``source_file``. Empty when ``web`` has no such table.
    """
    columns = ["month", "date", "daily", "raw", "source", "medium", "metric", "value",
               "source_file"]
    if web is None or web.empty or "dimension" not in web:
        return pd.DataFrame(columns=columns)
    kinds = web["dimension"].astype("string").map(
        lambda d: None if pd.isna(d) else _dimension_kind(d))
    rows = web[kinds.notna() & web["metric"].isin(list(metrics))].copy()
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["kind"] = kinds[rows.index]
    rows["month_key"] = month_key(rows)
    rows["daily"] = pd.to_datetime(rows["date"]).notna() if "date" in rows else False
    rows = rows[rows["month_key"].notna()]
    if granularity == "day":
        rows = rows[rows["daily"]]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # per month: monthly tables over daily ones, source/medium over source alone
    rank = rows["kind"].map({"source_medium": 0, "pair": 1, "source": 2}).astype("int64")
    rows["rank"] = rank + 10 * rows["daily"].astype(int)
    best = rows.groupby("month_key")["rank"].transform("min")
    rows = rows[rows["rank"] == best]
    date = pd.to_datetime(rows["date"]) if "date" in rows else pd.Series(pd.NaT,
                                                                         index=rows.index)
    rows = rows.assign(date=date).drop_duplicates(
        subset=["month_key", "date", "dimension", "dimension_value", "metric"], keep="last")
    pairs = [split_source_medium(v) for v in rows["dimension_value"].tolist()]
    source = [p[0] for p in pairs]
    medium = [p[1] if kind != "source" else None for p, kind in zip(pairs, rows["kind"],
                                                                      strict=True)]
    out = pd.DataFrame({
        "month": rows["month_key"].astype("string").to_numpy(),
        "date": rows["date"].to_numpy(),
        "daily": rows["daily"].astype(bool).to_numpy(),
        "raw": rows["dimension_value"].astype("string").to_numpy(),
        "source": pd.array(source, dtype="string"),
        "medium": pd.array(medium, dtype="string"),
        "metric": rows["metric"].astype("string").to_numpy(),
        "value": pd.to_numeric(rows["value"], errors="coerce").astype("Float64").to_numpy(),
        "source_file": (rows["source_file"].astype("string").to_numpy() if "source_file" in rows
                        else pd.array([pd.NA] * len(rows), dtype="string")),
    })
    return out.reset_index(drop=True)


def has_source_table(web: pd.DataFrame) -> bool:
    """True when ``web`` holds at least one GA4 source/medium (or source) table."""
    if web is None or web.empty or "dimension" not in web:
        return False
    dims = web["dimension"].dropna().astype(str).unique()
    return any(_dimension_kind(d) for d in dims)

"""Landing pages and the blog, from GA4 landing-page (or page path) tables in ``web``.

A blog post is a landing page whose path matches ``website_analysis.blog_path`` in org.yaml
(``/blog/``: the path contains it; a pattern starting with ``^`` is a regular expression).
Its publication month is the first month it is seen with sessions; its first-30-day sessions
need a daily table (an Exploration with ``Date`` and ``Landing page``): with monthly tables
only, the sessions of the publication month are given instead, and ``basis`` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from workbench.website.settings import WebsiteSettings
from workbench.website.sources import month_key

#: ``web.dimension`` names of landing-page tables (sessions) and page tables (views).
LANDING_DIMENSIONS = ("landing_page",)
PAGE_DIMENSIONS = ("page",)
PAGE_METRICS = ("sessions", "engaged_sessions", "engagement_rate", "key_events", "views",
                "active_users", "avg_engagement_time_per_session",
                "avg_engagement_time_per_active_user", "avg_session_duration", "bounce_rate")
#: Blog paths that are lists of posts, not posts.
_INDEX_SEGMENTS = {"category", "tag", "tags", "page", "author", "archive", "feed", "rss"}
RANGE_NOTE = ("A landing-page table covers more than one month (no month or date on its rows): "
              "it is left out of the monthly figures; download one file per month.")
NO_PAGES_NOTE = ("No GA4 landing-page table: pages and blog posts need the 'Landing page' "
                 "report (Reports > Engagement > Landing page > Share > Download file > CSV).")
BASIS_30 = "first 30 days (daily export)"
BASIS_MONTH = "publication month (monthly export: first 30 days need a daily landing-page table)"


def normalise_path(value: object) -> str | None:
    """``/blog/post/?utm_source=x#top`` → ``/blog/post``; GA4 placeholders stay as written."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    if text.startswith("("):  # (not set), (other)
        return text
    text = re.sub(r"^[a-z]+://[^/]+", "", text, flags=re.IGNORECASE)
    text = text.split("?")[0].split("#")[0]
    if len(text) > 1:
        text = text.rstrip("/")
    return text or "/"


def is_blog_post(path: object, blog_path: str | None) -> bool:
    """True when a (normalised) path is a blog post under ``blog_path`` (not the index)."""
    if not blog_path or path is None or (not isinstance(path, str) and pd.isna(path)):
        return False
    text = str(path)
    if blog_path.startswith("^"):
        return re.search(blog_path, text) is not None
    prefix = blog_path.rstrip("/") + "/"
    if prefix not in text + "/" or text.rstrip("/") == blog_path.rstrip("/"):
        return False
    rest = text.split(prefix, 1)[1] if prefix in text else ""
    parts = [p for p in rest.split("/") if p]
    return bool(parts) and parts[0].lower() not in _INDEX_SEGMENTS


def page_rows(web: pd.DataFrame, granularity: str = "month") -> pd.DataFrame:
    """Landing-page rows (page tables when no landing-page table) in one long shape.

    Per month, a monthly table wins over daily rows (they would count twice) and a
    landing-page table over a page-path table. ``granularity="day"`` keeps dated rows only.

    Returns:
        Columns ``month``, ``date``, ``daily``, ``page`` (normalised path), ``kind``
        (``landing_page`` or ``page``), ``metric``, ``value``.
    """
    columns = ["month", "date", "daily", "page", "kind", "metric", "value"]
    if web is None or web.empty or "dimension" not in web:
        return pd.DataFrame(columns=columns)
    dims = web["dimension"].astype("string")
    wanted = dims.isin(list(LANDING_DIMENSIONS + PAGE_DIMENSIONS)).fillna(False)
    rows = web[wanted & web["metric"].isin(list(PAGE_METRICS))].copy()
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["month_key"] = month_key(rows)
    rows["date"] = pd.to_datetime(rows["date"])
    rows["daily"] = rows["date"].notna()
    rows = rows[rows["month_key"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    if granularity == "day":
        rows = rows[rows["daily"]]
    rows["kind"] = rows["dimension"].astype(str)
    rank = (rows["kind"] != "landing_page").astype(int) + 10 * rows["daily"].astype(int)
    rows = rows[rank == rank.groupby(rows["month_key"]).transform("min")]
    rows = rows.drop_duplicates(subset=["month_key", "date", "dimension", "dimension_value",
                                        "metric"], keep="last")
    out = pd.DataFrame({
        "month": rows["month_key"].astype(str).to_numpy(),
        "date": rows["date"].to_numpy(),
        "daily": rows["daily"].to_numpy(),
        # a blank landing page is a real GA4 row (sessions without a page path): kept
        "page": [normalise_path(v) or "(blank)" for v in rows["dimension_value"].tolist()],
        "kind": rows["kind"].to_numpy(),
        "metric": rows["metric"].astype(str).to_numpy(),
        "value": pd.to_numeric(rows["value"], errors="coerce").astype("float64").to_numpy(),
    })
    return out.reset_index(drop=True)


@dataclass
class Pages:
    """Landing pages and blog posts.

    Attributes:
        monthly: One row per (month, page): ``sessions``, ``engaged_sessions``,
            ``engagement_rate`` (engaged / sessions, or GA4's own rate), ``avg_engagement_time``
            (seconds per session), ``key_events``, ``views``, ``is_blog``.
        blog: One row per blog post: ``page``, ``publication_month``, ``first_seen`` (date,
            daily tables only), ``sessions_first_30_days``, ``basis``, ``window_complete``,
            ``sessions_total``, ``before_data`` (first seen in the first month of data, so it
            may be older).
        notes: Plain-language notes.
    """

    monthly: pd.DataFrame
    blog: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def top(self, month: str, n: int = 10) -> pd.DataFrame:
        """The month's ``n`` landing pages with most sessions (views when no sessions)."""
        rows = self.monthly[self.monthly["month"] == month]
        key = "sessions" if rows["sessions"].notna().any() else "views"
        return rows.sort_values(key, ascending=False).head(n).reset_index(drop=True)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna() & weights.notna() & (weights > 0)
    return float((values[ok] * weights[ok]).sum() / weights[ok].sum()) if ok.any() else None


def pages_table(web: pd.DataFrame, settings: WebsiteSettings | None = None) -> Pages:
    """Landing pages per month, and every blog post with its publication month.

    Args:
        web: The canonical ``web`` table.
        settings: Website settings (``blog_path``, ``first_days``).

    Returns:
        :class:`Pages`. Without a landing-page or page table both frames are empty and the
        note names the GA4 report to download.
    """
    settings = settings or WebsiteSettings()
    notes: list[str] = []
    rows = page_rows(web)
    monthly_cols = ["month", "page", "sessions", "engaged_sessions", "engagement_rate",
                    "avg_engagement_time", "key_events", "views", "is_blog"]
    blog_cols = ["page", "publication_month", "first_seen", "sessions_first_30_days", "basis",
                 "window_complete", "sessions_total", "before_data"]
    if rows.empty:
        has_range_table = web is not None and not web.empty and "dimension" in web and bool(
            web["dimension"].isin(list(LANDING_DIMENSIONS + PAGE_DIMENSIONS)).fillna(False)
            .any())
        notes.append(RANGE_NOTE if has_range_table else NO_PAGES_NOTE)
        return Pages(pd.DataFrame(columns=monthly_cols), pd.DataFrame(columns=blog_cols), notes)
    records = []
    # Positions of each (month, page, metric) found once: masking every page's rows per metric
    # took most of the website analysis's time.
    values = rows["value"].reset_index(drop=True)
    cells = rows.groupby(["month", "page", "metric"], sort=False).indices
    nothing = values.iloc[0:0]
    for (month, page), _mine in rows.groupby(["month", "page"], sort=True):
        total = {m: values.iloc[cells[(month, page, m)]] if (month, page, m) in cells
                 else nothing for m in PAGE_METRICS}

        def add(metric: str, frame=total):
            values = frame[metric]
            return float(values.sum()) if values.notna().any() else None

        sessions, engaged = add("sessions"), add("engaged_sessions")
        given_rate = total["engagement_rate"].dropna()
        rate = (engaged / sessions if engaged is not None and sessions
                else (float(given_rate.iloc[0]) if len(given_rate) == 1 else None))
        time_metric = next((m for m in ("avg_engagement_time_per_session",
                                        "avg_engagement_time_per_active_user",
                                        "avg_session_duration") if total[m].notna().any()), None)
        avg_time = None
        if time_metric is not None:
            weights = total["sessions"]
            times = total[time_metric]
            avg_time = (float(times.iloc[0]) if len(times) == 1
                        else _weighted_mean(times.reset_index(drop=True),
                                            weights.reset_index(drop=True)))
        records.append({"month": month, "page": page, "sessions": sessions,
                        "engaged_sessions": engaged, "engagement_rate": rate,
                        "avg_engagement_time": avg_time, "key_events": add("key_events"),
                        "views": add("views"), "is_blog": is_blog_post(page, settings.blog_path)})
    monthly = pd.DataFrame(records, columns=monthly_cols)
    for column in monthly_cols[2:-1]:
        monthly[column] = pd.to_numeric(monthly[column], errors="coerce").astype("Float64")
    if not settings.blog_path:
        notes.append("org.yaml sets no website_analysis.blog_path: blog posts are not picked "
                     "out.")
    blog = _blog_posts(monthly, page_rows(web, granularity="day"), settings, blog_cols)
    if settings.blog_path and blog.empty:
        notes.append(f"No landing page matches the blog path {settings.blog_path!r} "
                     "(website_analysis.blog_path in org.yaml).")
    return Pages(monthly, blog, notes)


def _blog_posts(monthly: pd.DataFrame, daily: pd.DataFrame, settings: WebsiteSettings,
                columns: list[str]) -> pd.DataFrame:
    posts = monthly[monthly["is_blog"]]
    if posts.empty:
        return pd.DataFrame(columns=columns)
    first_month_of_data = monthly["month"].min()
    key = "sessions" if posts["sessions"].notna().any() else "views"
    seen = posts[posts[key].fillna(0) > 0]
    daily = daily[(daily["metric"] == key) & daily["page"].map(
        lambda p: is_blog_post(p, settings.blog_path))] if not daily.empty else daily
    last_day = daily["date"].max() if not daily.empty else None
    records = []
    for page, mine in seen.groupby("page"):
        publication = mine["month"].min()
        first_seen, in_window, basis, complete = None, None, BASIS_MONTH, True
        days = daily[(daily["page"] == page) & (daily["value"] > 0)] if not daily.empty else daily
        if not days.empty and days["month"].min() == publication:
            first_seen = days["date"].min()
            end = first_seen + pd.Timedelta(days=settings.first_days - 1)
            window = daily[(daily["page"] == page) & (daily["date"] >= first_seen)
                           & (daily["date"] <= end)]
            in_window = float(window["value"].sum())
            basis = BASIS_30
            complete = bool(last_day is not None and last_day >= end)
        else:
            in_window = float(mine.loc[mine["month"] == publication, key].sum())
        records.append({
            "page": page, "publication_month": publication,
            "first_seen": first_seen, "sessions_first_30_days": in_window, "basis": basis,
            "window_complete": complete, "sessions_total": float(mine[key].sum()),
            "before_data": publication == first_month_of_data,
        })
    blog = pd.DataFrame(records, columns=columns)
    return blog.sort_values(["publication_month", "sessions_first_30_days"],
                            ascending=[True, False]).reset_index(drop=True)


def blog_post_of_month(pages: Pages, month: str) -> dict | None:
    """"This month's blog post": the post first seen in ``month`` with most sessions.

    Returns:
        ``page``, ``publication_month``, ``sessions_first_30_days``, ``basis``,
        ``window_complete``, ``others`` (other posts first seen that month), or None when no
        blog post was first seen in the month.
    """
    blog = pages.blog
    if blog.empty:
        return None
    mine = blog[(blog["publication_month"] == month) & ~blog["before_data"]]
    if mine.empty:
        return None
    mine = mine.sort_values("sessions_first_30_days", ascending=False)
    top = mine.iloc[0]
    return {"page": top["page"], "publication_month": month,
            "sessions_first_30_days": float(top["sessions_first_30_days"]),
            "basis": top["basis"], "window_complete": bool(top["window_complete"]),
            "others": mine["page"].iloc[1:].tolist()}

"""The sample organisation's website exports (GA4) and planted Ad Grant month (issue 14).

Bytes follow the real GA4 downloads (export-formats.md §7): the standard report's ``#`` block
(title, ``# Account:``, ``# Property:``, ``# All Users``, ``# Start date:``/``# End date:``),
UTF-8 without BOM, LF, no final newline; the Explorations' block with the range on one
``# YYYYMMDD-YYYYMMDD`` line, a blank line, a ``Grand total`` row carrying one extra cell, and
trailing blank lines. What is planted, and recorded in truth.json ``website`` / ``grant``:

* social referrals under every variant GA4 shows (``l.facebook.com / referral``,
  ``m.facebook.com / referral``, ``facebook / social``), some mis-cased (``Facebook /
  Social``) and an unknown medium (``Newsletter / E-mail``) for the UTM check;
* one new blog post a month (``/blog/<slug>``) with its daily sessions;
* social-referral sessions spread over the month's days in proportion to
  ``exp(b0 · link posts today + b1 · link posts yesterday)``: an association the daily model
  can recover (month terms absorb the monthly level, as in the model);
* the grant's click-through rate: every month at least 6 %, one planted month at 4.2 %.

Every draw comes from a child stream of the sample's seed, so the other files' draws are
unchanged.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np

from workbench.website.visits import is_link_post

#: Organic-social sessions by platform, and each platform's GA4 variants (share, value).
PLATFORM_SHARE = {"facebook": 0.55, "instagram": 0.25, "linkedin": 0.13, "tiktok": 0.07}
SOCIAL_VARIANTS = {
    "facebook": ((0.38, "l.facebook.com / referral"), (0.30, "facebook / social"),
                 (0.12, "m.facebook.com / referral"), (0.10, "Facebook / Social"),
                 (0.06, "lm.facebook.com / referral"), (0.04, "facebook.com / referral")),
    "instagram": ((0.45, "l.instagram.com / referral"), (0.45, "instagram / social"),
                  (0.10, "Instagram / social")),
    "linkedin": ((0.45, "linkedin.com / referral"), (0.30, "lnkd.in / referral"),
                 (0.25, "linkedin / social")),
    "tiktok": ((0.70, "tiktok.com / referral"), (0.30, "tiktok / social")),
}
REFERRALS = (("settlement.org / referral", 0.5), ("london.ca / referral", 0.3),
             ("211ontario.ca / referral", 0.2))
EMAIL = (("newsletter / email", 0.9), ("Newsletter / E-mail", 0.1))
#: Log rate ratios of a day's social-referral sessions per link post (today, yesterday).
DAILY_EFFECT = (0.25, 0.12)
WEEKDAY = (0.05, 0.08, 0.05, 0.0, -0.05, -0.2, -0.25)
PAGES = (("/", 0.30), ("/programs/linc", 0.12), ("/programs/employment", 0.10),
         ("/services/translation", 0.08), ("/housing", 0.07), ("/volunteer", 0.05),
         ("/contact", 0.05), ("/donate", 0.03), ("/fr", 0.04), ("/blog", 0.03),
         ("(not set)", 0.01))
BLOG_TOPICS = ("finding-your-first-apartment", "how-linc-classes-work", "tax-clinic-checklist",
               "your-first-winter-in-london", "credential-recognition-steps",
               "volunteer-spotlight", "school-registration-guide", "job-search-after-arrival",
               "certified-translation-explained", "health-card-faq", "summer-programs-for-youth",
               "conversation-circles-near-you")
STANDARD_CHANNEL_HEADER = ("Sessions,Engaged sessions,Engagement rate,"
                           "Average engagement time per session,Events per session,Event count,"
                           "Key events,Session key event rate,Total revenue")
LANDING_HEADER = ("Landing page,Sessions,Active users,New users,"
                  "Average engagement time per session,Key events,Total revenue,"
                  "Session key event rate")
CTR_FLOOR = 0.06
CTR_PLANTED = 0.042


def _standard(title: str, account: str, website: str, first: date, last: date,
              lines: list[str]) -> bytes:
    head = ["# ----------------------------------------", f"# {title}",
            f"# Account: {account}", f"# Property: {website}",
            "# ----------------------------------------", "# ", "# All Users",
            f"# Start date: {first:%Y%m%d}", f"# End date: {last:%Y%m%d}"]
    return "\n".join(head + lines).encode("utf-8")  # no BOM, LF, no final newline


def _exploration(property_name: str, title: str, first: date, last: date, header: str,
                 rows: list[str], total: str) -> bytes:
    head = ["# ----------------------------------------", f"# {property_name}", f"# {title}",
            f"# {first:%Y%m%d}-{last:%Y%m%d}", "# ----------------------------------------", "",
            header, total]
    return ("\n".join(head + rows) + "\n\n").encode("utf-8")


def _split(rng: np.random.Generator, total: int, weights: list[float]) -> list[int]:
    """``total`` sessions shared out in proportion to ``weights`` (multinomial)."""
    share = np.asarray(weights, dtype=float)
    return [int(v) for v in rng.multinomial(max(int(total), 0), share / share.sum())]


def daily_link_posts(posts, tz, days: list[date], website: str) -> np.ndarray:
    """Link posts published on each day (any platform), as the analysis counts them."""
    index = {d: i for i, d in enumerate(days)}
    counts = np.zeros(len(days))
    for post in posts:
        day = post.creative.published_local.astimezone(tz).date()
        if day in index and is_link_post(post.format, post.creative.caption, website):
            counts[index[day]] += 1
    return counts


def grant_plan(months: list[str]) -> dict:
    """Which month's grant CTR is planted below 5 % (the last month), and the floor."""
    planted = months[-1] if months else None
    return {"low_ctr_month": planted, "planted_ctr": CTR_PLANTED, "floor_ctr": CTR_FLOOR,
            "threshold": 0.05}


def apply_ctr_plan(rows: list[dict], month: str, plan: dict) -> list[dict]:
    """Set the month's account CTR: the planted value, or at least the month's floor.

    Impressions are rescaled (clicks, cost and conversions unchanged), so the campaign
    report stays internally consistent.
    """
    clicks = sum(r["clicks"] for r in rows)
    impressions = sum(r["impressions"] for r in rows)
    if not clicks or not impressions:
        return rows
    ctr = clicks / impressions
    # A floor alone pins most months at exactly 6.00 % (no real account is that steady, and a
    # flat history gives a zero-width noise band): each month gets its own floor, 6-7.5 %,
    # from the month itself (no draw from the sample's random stream, so nothing else moves).
    floor = plan["floor_ctr"] * (1.0 + 0.25 * (zlib.crc32(month.encode()) % 1000) / 1000)
    target = plan["planted_ctr"] if month == plan["low_ctr_month"] else max(ctr, floor)
    factor = ctr / target
    return [{**r, "impressions": max(int(round(r["impressions"] * factor)), r["clicks"])}
            for r in rows]


def grant_keywords() -> list[dict]:
    """Keyword rows a sample keyword report should carry (for the Ads keyword writer).

    Two have quality score 1-2 and one is a single-word non-branded keyword.
    """
    return [
        {"keyword": "[linc classes london]", "campaign": "LINC English Classes",
         "quality_score": 7},
        {"keyword": '"english classes for newcomers"', "campaign": "LINC English Classes",
         "quality_score": 8},
        {"keyword": "housing", "campaign": "Housing Help", "quality_score": 5},
        {"keyword": "rent help london", "campaign": "Housing Help", "quality_score": 2},
        {"keyword": "certified translation", "campaign": "Translation Services",
         "quality_score": 1},
        {"keyword": "[fcns]", "campaign": "Employment Services", "quality_score": 9},
        {"keyword": "volunteer opportunities london", "campaign": "Volunteer With Us",
         "quality_score": 6},
    ]


def write_web_month(writer, rng: np.random.Generator, month: str, first: date, last: date,
                    taken, channels: dict[str, int], posts, tz, account: str, website: str,
                    blog: dict) -> dict:
    """Write the month's GA4 source/medium, landing-page and daily explorations.

    Args:
        writer: The generator's ``SampleWriter``.
        rng: The website's own random stream.
        month: ``YYYY-MM``.
        first: First day of the month.
        last: Last day of the month.
        taken: Download time (file mtimes).
        channels: Sessions by default channel group (the channel file's numbers: the
            source/medium rows add up to them).
        posts: The sample's posts (link posts per day).
        tz: Organisation time zone.
        account: GA4 account name.
        website: GA4 property name (the site's host).
        blog: Running blog state across months (``posts``: slug → daily sessions by date);
            updated in place.

    Returns:
        The month's truth: sessions per platform, every source/medium value with its
        sessions, the blog post published, the UTM problems planted.
    """
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    links = daily_link_posts(posts, tz, days, website)
    lagged = np.concatenate([[0.0], links[:-1]])
    weekday = np.array([WEEKDAY[d.weekday()] for d in days])
    day_weights = np.exp(DAILY_EFFECT[0] * links + DAILY_EFFECT[1] * lagged + weekday)

    social_total = int(channels.get("Organic Social", 0))
    per_platform = dict(zip(PLATFORM_SHARE, _split(rng, social_total,
                                                   list(PLATFORM_SHARE.values())), strict=True))
    values: dict[str, int] = {}
    daily_rows: list[tuple[date, str, int]] = []
    for platform, n in per_platform.items():
        variants = SOCIAL_VARIANTS[platform]
        counts = _split(rng, n, [share for share, _ in variants])
        for (_, value), count in zip(variants, counts, strict=True):
            if not count:
                continue
            values[value] = count
            by_day = rng.multinomial(count, day_weights / day_weights.sum())
            daily_rows += [(d, value, int(c)) for d, c in zip(days, by_day, strict=True) if c]
    values["google / organic"] = int(channels.get("Organic Search", 0))
    values["(direct) / (none)"] = int(channels.get("Direct", 0))
    values["google / cpc"] = int(channels.get("Paid Search", 0))
    for channel, table in (("Referral", REFERRALS), ("Email", EMAIL)):
        counts = _split(rng, channels.get(channel, 0), [share for _, share in table])
        for (value, _), n in zip(table, counts, strict=True):
            values[value] = n
    values["(not set) / (not set)"] = int(channels.get("Unassigned", 0))
    values = {k: v for k, v in values.items() if v}

    lines = [f"Session source / medium,{STANDARD_CHANNEL_HEADER}"]
    for value, n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
        engaged = int(round(n * rng.uniform(0.35, 0.7)))
        events = int(round(n * rng.uniform(3.5, 5.5)))
        key_events = int(rng.binomial(n, 0.03))
        lines.append(",".join(str(v) for v in (
            value, n, engaged, engaged / n, float(rng.uniform(15, 90)), events / n, events,
            key_events, key_events / n, 0)))
    writer.write(f"{month}/website/Traffic_acquisition_Session_source_medium.csv",
                 _standard("Traffic acquisition: Session source / medium", account, website,
                           first, last, lines), taken, "ga4", month=month, table="source_medium")

    daily_rows.sort(key=lambda r: (r[0], -r[2], r[1]))
    total = sum(c for _, _, c in daily_rows)
    writer.write(f"{month}/website/download (social by day).csv",
                 _exploration(f"{account} GA4", "Social referrals by day", first, last,
                              "Date,Session source / medium,Sessions",
                              [f"{d:%Y%m%d},{v},{c}" for d, v, c in daily_rows],
                              f",,{total},Grand total"),
                 taken, "ga4", month=month, table="social_by_day")

    # the blog: one new post a month, published on a weekday mid-month, read for weeks
    index = len(blog.setdefault("posts", {}))
    slug = f"/blog/{BLOG_TOPICS[index % len(BLOG_TOPICS)]}"
    if index >= len(BLOG_TOPICS):
        slug += f"-{index // len(BLOG_TOPICS) + 1}"
    published = first + timedelta(days=int(rng.integers(5, 20)))
    peak = float(rng.uniform(25, 60))
    blog["posts"][slug] = {"published": published, "peak": peak}
    blog_daily: list[tuple[date, str, int]] = []
    for other, state in blog["posts"].items():
        for d in days:
            age = (d - state["published"]).days
            if age < 0:
                continue
            n = int(rng.poisson(state["peak"] * np.exp(-age / 9) + 0.3))
            if n:
                blog_daily.append((d, other, n))
    blog_total: dict[str, int] = {}
    for _, page, n in blog_daily:
        blog_total[page] = blog_total.get(page, 0) + n
    for day, page, n in blog_daily:
        state = blog["posts"][page]
        state.setdefault("first_30_days", 0)
        if day <= state["published"] + timedelta(days=29):
            state["first_30_days"] += n

    all_sessions = sum(int(v) for v in channels.values())
    rest = max(all_sessions - sum(blog_total.values()), 0)
    pages = dict(zip([p for p, _ in PAGES], _split(rng, rest, [w for _, w in PAGES]),
                     strict=True))
    pages.update(blog_total)
    landing = [LANDING_HEADER]
    for page, n in sorted(pages.items(), key=lambda kv: (-kv[1], kv[0])):
        if not n:
            continue
        users = max(1, int(round(n * rng.uniform(0.8, 0.95))))
        key_events = int(rng.binomial(n, 0.1 if page == "/services/translation" else 0.02))
        landing.append(",".join(str(v) for v in (
            page, n, users, int(round(users * rng.uniform(0.5, 0.75))),
            float(rng.uniform(20, 120)), key_events, 0, key_events / n)))
    writer.write(f"{month}/website/Landing_page_Landing_page.csv",
                 _standard("Landing page: Landing page", account, website, first, last, landing),
                 taken, "ga4", month=month, table="landing_page")
    blog_daily.sort(key=lambda r: (r[0], r[1]))
    writer.write(f"{month}/website/download (blog by day).csv",
                 _exploration(f"{account} GA4", "Blog posts by day", first, last,
                              "Date,Landing page,Sessions",
                              [f"{d:%Y%m%d},{p},{c}" for d, p, c in blog_daily],
                              f",,{sum(c for _, _, c in blog_daily)},Grand total"),
                 taken, "ga4", month=month, table="blog_by_day")

    platforms = {p: sum(values.get(v, 0) for _, v in SOCIAL_VARIANTS[p])
                 for p in PLATFORM_SHARE}
    social_values = {v for variants in SOCIAL_VARIANTS.values() for _, v in variants}
    problems = {v: n for v, n in values.items()  # mis-cased, or a social link left untagged
                if v != v.lower() or (v in social_values and v.endswith(" / referral"))}
    return {"visits_from": platforms, "source_medium": values, "blog_post": slug,
            "blog_published": published.isoformat(), "utm_problems": problems,
            "link_posts": int(links.sum())}


class WebSample:
    """The website part of a sample (truth.json ``website`` and ``grant``).

    Holds its own random stream, the grant plan, the blog state and the truth gathered
    month by month.

    Args:
        seed: The sample's seed (a child stream of it is used).
        months: The sample's months.
    """

    def __init__(self, seed: int, months: list[str]) -> None:
        self.rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
        self.plan = grant_plan(months)
        self.blog: dict = {}
        self.months: dict[str, dict] = {}
        self.ctr: dict[str, float] = {}

    def plant_ctr(self, rows: list[dict], month: str) -> list[dict]:
        """The month's campaign rows with the planned account CTR."""
        rows = apply_ctr_plan(rows, month, self.plan)
        impressions = sum(r["impressions"] for r in rows)
        self.ctr[month] = sum(r["clicks"] for r in rows) / impressions if impressions else None
        return rows

    def write_month(self, writer, month: str, first: date, last: date, taken,
                    channels: dict[str, int], posts, tz, account: str, website: str) -> dict:
        """Write the month's website exports; return its ``visits_from_<platform>`` KPIs."""
        entry = write_web_month(writer, self.rng, month, first, last, taken, channels, posts,
                                tz, account, website, self.blog)
        self.months[month] = entry
        return {f"visits_from_{p}": n for p, n in entry["visits_from"].items()}

    def truth(self) -> tuple[dict, dict]:
        """truth.json ``website`` and ``grant``."""
        posts = {slug: {"published": state["published"].isoformat(),
                        "publication_month": state["published"].strftime("%Y-%m"),
                        "sessions_first_30_days": state.get("first_30_days", 0)}
                 for slug, state in self.blog.get("posts", {}).items()}
        website = {
            "daily_effect": {"log_rate_ratio_lag0": DAILY_EFFECT[0],
                             "log_rate_ratio_lag1": DAILY_EFFECT[1],
                             "note": "within-month share of social-referral sessions per link "
                                     "post published that day / the day before"},
            "platform_share": PLATFORM_SHARE, "blog_posts": posts, "months": self.months,
        }
        grant = {**self.plan, "ctr_by_month": self.ctr, "keywords": grant_keywords(),
                 "keywords_note": "no keyword report is written on this branch: the Ads "
                                  "keyword writer plants these rows (quality scores 1 and 2, "
                                  "one single-word non-branded keyword)"}
        return website, grant

"""LinkedIn, TikTok, GA4 and Google Ads files as downloaded (export-formats.md §4, §5, §7, §8).

Each ``*_bytes`` function returns the exact bytes of one download; the generator decides
the dates, writes the files and records the truth.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

import numpy as np
import xlwt

from workbench.sample.outcomes import UTC, Post

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

# ------------------------------------------------- LinkedIn (export-formats §4), BIFF8 .xls
LI_METRICS_NOTE = ("Aggregated engagement metrics for your organic and sponsored posts over time. "
                   "Date indicates when your posts were viewed by LinkedIn members. Data is "
                   "delayed by up to 2 days. All dates and times are in UTC.")
LI_POSTS_NOTE = ("Engagement metrics for individual posts. Created date indicates when your post "
                 "was created. All dates and times are in UTC.")
LI_METRICS_HEADER = (
    "Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
    "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)",
    "Reactions (organic)", "Reactions (sponsored)", "Reactions (total)", "Comments (organic)",
    "Comments (sponsored)", "Comments (total)", "Reposts (organic)", "Reposts (sponsored)",
    "Reposts (total)", "Engagement rate (organic)", "Engagement rate (sponsored)",
    "Engagement rate (total)",
)
LI_POSTS_HEADER = (
    "Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
    "Campaign start date", "Campaign end date", "Audience", "Impressions", "Views",
    "Offsite Views", "Clicks", "Click through rate (CTR)", "Likes", "Comments", "Reposts",
    "Follows", "Engagement rate", "Content Type",
)
LI_FOLLOWERS_HEADER = ("Date", "Sponsored followers", "Organic followers",
                       "Auto-invited followers", "Total followers")
LI_VISITOR_GROUPS = ("Overview", "Life", "Jobs", "Total")
LOCATIONS = (("London, Ontario, Canada", 0.62), ("Toronto, Ontario, Canada", 0.14),
             ("Kitchener, Ontario, Canada", 0.06), ("Windsor, Ontario, Canada", 0.05),
             ("Montreal, Quebec, Canada", 0.04))


def li_date(day: date) -> str:
    """LinkedIn's text date ``MM/DD/YYYY``."""
    return day.strftime("%m/%d/%Y")


def _xls_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def linkedin_content_bytes(days: list[date], daily: dict, posts: list[tuple[Post, dict]],
                           poster: str) -> bytes:
    """Build the ``_content_`` workbook: ``Metrics`` (daily), ``All posts`` (newest first)."""
    metrics: list[list[object]] = [[LI_METRICS_NOTE], list(LI_METRICS_HEADER)]
    for day in days:
        impressions = float(daily["reach"][day])
        clicks, reactions = float(round(impressions * 0.04)), float(round(impressions * 0.02))
        comments, reposts = float(round(impressions * 0.002)), float(round(impressions * 0.0015))
        rate = (clicks + reactions + comments + reposts) / impressions if impressions else 0.0
        unique = float(round(impressions * 0.35))
        metrics.append([li_date(day), impressions, 0.0, impressions, unique,
                        clicks, 0.0, clicks, reactions, 0.0, reactions, comments, 0.0, comments,
                        reposts, 0.0, reposts, rate, 0.0, rate])
    rows: list[list[object]] = [[LI_POSTS_NOTE], list(LI_POSTS_HEADER)]
    for post, snap in posts:
        impressions = snap["reach"]
        comps, clicks = snap["components"], snap["clicks"]["clicks"]
        engaged = clicks + comps["likes"] + comps["comments"] + comps["reposts"]
        video = post.format == "video"
        rows.append([
            post.creative.caption, post.permalink, "Organic", "", poster,
            li_date(post.published_utc.date()), "", "", "All followers", float(impressions),
            float(snap["views"]) if video else "", "", float(clicks),
            clicks / impressions if impressions else 0.0, float(comps["likes"]),
            float(comps["comments"]), float(comps["reposts"]), "",
            engaged / impressions if impressions else 0.0, "Video" if video else "",
        ])
    return _xls_bytes([("Metrics", metrics), ("All posts", rows)])


def linkedin_followers_bytes(days: list[date], daily: dict, total: int) -> bytes:
    """The ``_followers_`` workbook: ``New followers`` (daily gain) and ``Location``."""
    rows: list[list[object]] = [list(LI_FOLLOWERS_HEADER)]
    for day in days:
        gain = float(daily["follows"][day])
        rows.append([li_date(day), 0.0, gain, 0.0, gain])
    location = [["Location", "Total followers"]] + [[name, float(round(total * share))]
                                                    for name, share in LOCATIONS]
    return _xls_bytes([("New followers", rows), ("Location", location)])


def linkedin_visitors_bytes(days: list[date], daily: dict) -> bytes:
    """The ``_visitors_`` workbook: ``Visitor metrics`` (daily) and ``Location``."""
    header = ["Date"]
    for group in LI_VISITOR_GROUPS:
        for what in ("page views", "unique visitors"):
            header += [f"{group} {what} ({d})" for d in ("desktop", "mobile", "total")]
    rows: list[list[object]] = [header]
    total_views = 0.0
    for day in days:
        views = float(daily["visits"][day])
        parts = {"Overview": 0.6, "Life": 0.1, "Jobs": 0.3}
        row: list[object] = [li_date(day)]
        for group in LI_VISITOR_GROUPS:
            share = parts.get(group, 1.0)
            pv = float(round(views * share))
            uv = float(round(pv * 0.45))
            pv_desktop, uv_desktop = float(round(pv * 0.4)), float(round(uv * 0.4))
            row += [pv_desktop, pv - pv_desktop, pv, uv_desktop, uv - uv_desktop, uv]
        rows.append(row)
        total_views += views
    location = [["Location", "Total views"]] + [[name, float(round(total_views * share))]
                                                for name, share in LOCATIONS]
    return _xls_bytes([("Visitor metrics", rows), ("Location", location)])


def linkedin_unique_visitors(daily: dict, day: date) -> int:
    """Total unique visitors (total) that ``linkedin_visitors_bytes`` writes for ``day``."""
    return int(round(round(float(daily["visits"][day])) * 0.45))


# -------------------------------------------------- TikTok (export-formats §5), ZIP of CSVs
def tiktok_day(day: date) -> str:
    """TikTok's year-less en-US date, ``April 12``."""
    return f"{MONTHS_EN[day.month - 1]} {day.day}"


def _tiktok_csv(rows: list[list[object]]) -> bytes:
    lines = [",".join('"' + str(v).replace('"', '""') + '"' for v in row) for row in rows]
    return b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8")  # no newline after the last row


def tiktok_zip_bytes(days: list[date], daily: dict, posts: list[tuple[Post, dict]],
                     followers_start: int, taken: datetime, tz) -> bytes:
    """The TikTok Studio download: a ZIP of Overview, Content, Viewers and FollowerHistory CSVs.

    ``Viewers.csv`` runs one day further than the other tables and that last day (the
    download day, not yet counted) has ``undefined`` viewers, as in real Viewers files; in
    a December download that day is "January 1", a year-less series crossing New Year.
    """
    overview: list[list[object]] = [["Date", "Video Views", "Profile Views", "Likes", "Comments",
                                     "Shares"]]
    history: list[list[object]] = [["Date", "Followers", "Difference in followers from "
                                                         "previous day"]]
    viewers: list[list[object]] = [["Date", "Total Viewers", "New Viewers",
                                    "Returning Viewers"]]
    followers = followers_start
    for day in days:
        views = daily["reach"][day]
        overview.append([tiktok_day(day), views, daily["visits"][day], round(views * 0.045),
                         round(views * 0.003), round(views * 0.004)])
        total = round(views * 0.62)
        viewers.append([tiktok_day(day), total, round(total * 0.8), total - round(total * 0.8)])
        followers += daily["follows"][day]
        history.append([tiktok_day(day), followers, daily["follows"][day]])
    content: list[list[object]] = [["Time", "Video title", "Video link", "Post time",
                                    "Total likes", "Total comments", "Total shares",
                                    "Total views"]]
    for post, snap in sorted(posts, key=lambda ps: -ps[1]["reach"]):
        comps = snap["components"]
        # TikTok's title is the caption's first line with its hashtags inline (150 at most).
        tags = " ".join(post.creative.hashtags)
        first = post.creative.caption.split("\n")[0]
        room = 149 - len(tags)
        if tags and len(first) > room:  # the app cuts the words, not a word in half
            first = first[:room].rsplit(" ", 1)[0].rstrip(" ,:;")
        title = f"{first} {tags}" if tags else first[:150]
        content.append([tiktok_day(days[0]), title, post.permalink,
                        tiktok_day(post.creative.published_local.astimezone(tz).date()),
                        comps["likes"], comps["comments"], comps["shares"], snap["reach"]])
    buffer = io.BytesIO()
    stamp = taken.astimezone(tz).timetuple()[:6]
    viewers.append([tiktok_day(days[-1] + timedelta(days=1)), "undefined", 0, 0])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (("Overview.csv", overview), ("Content.csv", content),
                           ("Viewers.csv", viewers), ("FollowerHistory.csv", history)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _tiktok_csv(rows))
    return buffer.getvalue()


# ---------------------------------------------------------------- GA4 (export-formats §7)
GA4_CHANNELS = ("Direct", "Organic Search", "Organic Social", "Referral", "Paid Search",
                "Email", "Unassigned")


def ga4_channel_bytes(sessions: dict[str, int], first: date, last: date, account: str,
                      website: str, rng: np.random.Generator, renamed: bool) -> bytes:
    """GA4 "Traffic acquisition" download: ``#`` block, header, one row per channel group.

    Args:
        sessions: Sessions by default channel group.
        first: First day of the range (``# Start date``).
        last: Last day of the range (``# End date``).
        account: GA4 account name.
        website: GA4 property name.
        rng: Random stream for the secondary metrics.
        renamed: Use the 2025+ names (``Session primary channel group (Default Channel
            Group)``, ``Key events``) rather than the 2023 ones.
    """
    dimension = ("Session primary channel group (Default Channel Group)" if renamed
                 else "Session default channel group")
    events = "Key events" if renamed else "Conversions"
    title = f"Traffic acquisition: {dimension}"
    lines = ["# ----------------------------------------", f"# {title}",
             f"# Account: {account}", f"# Property: {website}",
             "# ----------------------------------------", "# ", "# All Users",
             f"# Start date: {first:%Y%m%d}", f"# End date: {last:%Y%m%d}",
             f"{dimension},Sessions,Engaged sessions,Engagement rate,"
             f"Average engagement time per session,Events per session,Event count,{events},"
             f"Session key event rate,Total revenue"]
    for channel, n in sorted(sessions.items(), key=lambda kv: (-kv[1], kv[0])):
        engaged = int(round(n * rng.uniform(0.35, 0.7)))
        event_count = int(round(n * rng.uniform(3.5, 5.5)))
        key_events = int(round(n * rng.uniform(0.01, 0.05)))
        lines.append(",".join(str(v) for v in (
            channel, n, engaged, engaged / n if n else 0, float(rng.uniform(15, 80)),
            event_count / n if n else 0, event_count, key_events, key_events / n if n else 0, 0)))
    return "\n".join(lines).encode("utf-8")  # no BOM, LF, no final newline


# ---------------------------------------------------------------- Google Ads (export-formats §8)
ADS_HEADER = ("Campaign status,Campaign,Budget,Budget name,Budget type,Status,Status reasons,"
              "Campaign type,Impr.,CTR,Currency code,Cost,Clicks,Conv. rate,Conversions,Avg. CPC,"
              "Cost / conv.")


def _thousands(n: int) -> str:
    text = f"{n:,}"
    return f'"{text}"' if "," in text else text


def ads_rows(rng: np.random.Generator, campaigns: list[str], social_posts: int) -> list[dict]:
    """Draw one month of Ad Grant campaign results."""
    rows = []
    for name in campaigns:
        impressions = int(rng.lognormal(np.log(6000), 0.4))
        clicks = int(rng.binomial(impressions, rng.uniform(0.03, 0.08)))
        cost = round(clicks * float(rng.uniform(1.1, 2.0)), 2)
        conversions = float(rng.binomial(clicks, 0.05))
        rows.append({"campaign": name, "impressions": impressions, "clicks": clicks,
                     "cost": cost, "conversions": conversions})
    return rows


def ads_report_bytes(rows: list[dict], first: date, last: date, excel: bool) -> bytes:
    """Campaign report: CSV (UTF-8, no BOM) or the "Excel CSV" (UTF-16LE BOM, tabs)."""
    def line(status: str, name: str, budget: str, btype: str, state: str, ctype: str,
             impressions: int, clicks: int, cost: float, conversions: float) -> str:
        ctr = f"{100 * clicks / impressions:.2f}%" if impressions else " --"
        rate = f"{100 * conversions / clicks:.2f}%" if clicks else "0.00%"
        cpc = f"{cost / clicks:.2f}" if clicks else "0"
        per = f"{cost / conversions:.2f}" if conversions else "0.00"
        return ",".join((status, name, budget, " --" if budget else "", btype, state, "", ctype,
                         _thousands(impressions), ctr, "USD", f"{cost:.2f}", _thousands(clicks),
                         rate, f"{conversions:.2f}", cpc, per))

    span = (f'"{MONTHS_EN[first.month - 1]} {first.day}, {first.year} - '
            f'{MONTHS_EN[last.month - 1]} {last.day}, {last.year}"')
    out = ["Campaign report", span, ADS_HEADER]
    for r in rows:
        out.append(line("Enabled", r["campaign"], "329.00", "Daily", "Eligible", "Search",
                        r["impressions"], r["clicks"], r["cost"], r["conversions"]))
    total = {k: sum(r[k] for r in rows) for k in ("impressions", "clicks", "cost", "conversions")}
    total["cost"] = round(total["cost"], 2)
    totals = (("Total: Campaigns", ""), ("Total: Account", ""), ("Total: Search", "Search"))
    for label, ctype in totals:
        out.append(line(label, "", "", "", "", ctype, total["impressions"], total["clicks"],
                        total["cost"], total["conversions"]))
    if not excel:
        return ("\n".join(out) + "\n").encode("utf-8")
    tabbed = ["\t".join(next(csv.reader([text]))) for text in out]
    return b"\xff\xfe" + ("\r\n".join(tabbed) + "\r\n").encode("utf-16-le")


def _split(rng: np.random.Generator, total: int, shares: np.ndarray) -> list[int]:
    """``total`` split by ``shares`` into integers that add up to it exactly."""
    parts = rng.multinomial(total, shares) if total > 0 else np.zeros(len(shares), dtype=int)
    return [int(v) for v in parts]


#: Keywords per campaign, with their quality scores (1-10; None: "not enough data").
AD_KEYWORDS = (("newcomer services", 7), ("[settlement help]", 8), ("free english classes", 5),
               ('"job search help"', None))
#: What people typed, per keyword (the search terms report).
AD_SEARCH_TERMS = ("{kw} near me", "{kw} london ontario", "free {kw}")


def ads_keyword_rows(rng: np.random.Generator, campaign_rows: list[dict]) -> list[dict]:
    """Split each campaign's month into keywords: impressions, clicks and cost add up exactly.

    So the keyword report repeats the campaign report's clicks at a finer grain: a KPI that
    added the two levels would double them (the ingest keeps ``level`` to prevent that).
    """
    rows = []
    for campaign in campaign_rows:
        chosen = AD_KEYWORDS[: 2 + int(rng.integers(0, 3))]
        shares = rng.dirichlet(np.ones(len(chosen)) * 2.0)
        impressions = _split(rng, campaign["impressions"], shares)
        clicks = _split(rng, campaign["clicks"], shares)
        conversions = _split(rng, int(campaign["conversions"]), shares)
        cents = _split(rng, int(round(campaign["cost"] * 100)), shares)
        for (keyword, score), impr, click, conv, cent in zip(chosen, impressions, clicks,
                                                              conversions, cents, strict=True):
            rows.append({"campaign": campaign["campaign"], "ad_group": "Services",
                         "keyword": keyword, "quality_score": score, "impressions": impr,
                         "clicks": click, "cost": cent / 100, "conversions": float(conv)})
    return rows


def ads_search_term_rows(rng: np.random.Generator, keyword_rows: list[dict]) -> list[dict]:
    """Split each keyword's clicks into the search terms that matched it."""
    rows = []
    for kw in keyword_rows:
        text = kw["keyword"].strip('[]"')
        shares = rng.dirichlet(np.ones(len(AD_SEARCH_TERMS)))
        impressions = _split(rng, kw["impressions"], shares)
        clicks = _split(rng, kw["clicks"], shares)
        cents = _split(rng, int(round(kw["cost"] * 100)), shares)
        conversions = _split(rng, int(kw["conversions"]), shares)
        for form, impr, click, cent, conv in zip(AD_SEARCH_TERMS, impressions, clicks, cents,
                                                 conversions, strict=True):
            if impr == 0:
                continue  # a term nobody typed is not listed
            rows.append({"search_term": form.format(kw=text), "campaign": kw["campaign"],
                         "ad_group": kw["ad_group"], "keyword": kw["keyword"],
                         "impressions": impr, "clicks": click, "cost": cent / 100,
                         "conversions": float(conv)})
    return rows


def _us_span(first: date, last: date) -> str:
    return (f"{MONTHS_EN[first.month - 1]} {first.day}, {first.year} - "
            f"{MONTHS_EN[last.month - 1]} {last.day}, {last.year}")


def ads_keyword_report_bytes(rows: list[dict], first: date, last: date) -> bytes:
    """Search keyword report as the "Excel CSV" (UTF-16LE BOM, tabs, LF), with Quality Score.

    As in real downloads the ``Total:`` rows start with empty cells (the label sits in the
    third column) and a missing quality score is `` --``.
    """
    header = ("Keyword status", "Keyword", "Match type", "Campaign", "Ad group", "Status",
              "Status reasons", "Final URL", "Impr.", "Interactions", "Interaction rate",
              "Currency code", "Avg. cost", "Cost", "Clicks", "Conv. rate", "Conversions",
              "Avg. CPC", "Cost / conv.", "Quality Score")

    def line(lead: list[str], impressions: int, clicks: int, cost: float, conversions: float,
             score: str) -> str:
        rate = f"{100 * clicks / impressions:.2f}%" if impressions else " --"
        cpc = f"{cost / clicks:.2f}" if clicks else "0"
        conv_rate = f"{100 * conversions / clicks:.2f}%" if clicks else "0.00%"
        per = f"{cost / conversions:.2f}" if conversions else "0.00"
        return "\t".join([*lead, _thousands(impressions), _thousands(clicks), rate, "USD", cpc,
                          f"{cost:.2f}", _thousands(clicks), conv_rate, f"{conversions:.2f}",
                          cpc, per, score])

    def match(keyword: str) -> str:
        return {"[": "Exact match", '"': "Phrase match"}.get(keyword[0], "Broad match")

    out = ["Search keyword report", _us_span(first, last), "\t".join(header)]
    for r in rows:
        score = " --" if r["quality_score"] is None else str(r["quality_score"])
        keyword = r["keyword"]
        shown = f'"{keyword.replace(chr(34), 2 * chr(34))}"' if '"' in keyword else keyword
        lead = ["Enabled", shown, match(keyword), r["campaign"], r["ad_group"],
                "Eligible", "", ""]
        out.append(line(lead, r["impressions"], r["clicks"], r["cost"], r["conversions"],
                        score))
    total = {k: sum(r[k] for r in rows) for k in ("impressions", "clicks", "cost",
                                                   "conversions")}
    for label in ("Total: All but removed keywords", "Total: Keywords in your account",
                  "Total: Account"):
        lead = [" --" if label.startswith("Total: All") else "", "", label, "", "", "", "", ""]
        out.append(line(lead, total["impressions"], total["clicks"], round(total["cost"], 2),
                        total["conversions"], ""))
    return b"\xff\xfe" + "".join(text + "\n" for text in out).encode("utf-16-le")


def ads_search_terms_report_bytes(rows: list[dict], first: date, last: date) -> bytes:
    """Search terms report as the plain CSV (UTF-8, comma, quoted US period, LF)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    buffer.write(f'Search terms report\n"{_us_span(first, last)}"\n')
    out.writerow(["Search term", "Match type", "Added/Excluded", "Campaign", "Ad group",
                  "Keyword", "Impr.", "Interactions", "Clicks", "Currency code", "Cost",
                  "Conversions", "Campaign type"])
    for r in rows:
        out.writerow([r["search_term"], "Broad match", "None", r["campaign"], r["ad_group"],
                      r["keyword"], f"{r['impressions']:,}", f"{r['clicks']:,}",
                      f"{r['clicks']:,}", "USD", f"{r['cost']:.2f}", f"{r['conversions']:.2f}",
                      "Search"])
    total = {k: sum(r[k] for r in rows) for k in ("impressions", "clicks", "cost",
                                                   "conversions")}
    out.writerow(["Total: Search terms", "", "", "", "", "", f"{total['impressions']:,}",
                  f"{total['clicks']:,}", f"{total['clicks']:,}", "USD",
                  f"{total['cost']:.2f}", f"{total['conversions']:.2f}", ""])
    return buffer.getvalue().encode("utf-8")


def ga4_snapshot_bytes(active_users: list[int], new_users: list[int], first: date, last: date,
                       account: str, website: str) -> bytes:
    """GA4 "Reports snapshot": ``Nth day`` tables, CRLF, no final newline, empty last table.

    Only daily active and new users (never summed into unique visitors: users are not
    additive across days).
    """
    lines = ["# ----------------------------------------", "# Reports snapshot",
             f"# Account: {account}", f"# Property: {website}",
             "# ----------------------------------------"]
    for metric, values in (("Active users", active_users), ("New users", new_users)):
        lines += ["#  ", f"# Start date: {first:%Y%m%d}", f"# End date: {last:%Y%m%d}",
                  f"Nth day,{metric}"]
        lines += [f"{n:04d},{v}" for n, v in enumerate(values)]
        lines.append("")
    lines += ["# How does activity on your platforms compare?",
              f"# Start date: {first:%Y%m%d}", f"# End date: {last:%Y%m%d}",
              "Platform,Key events", ""]
    return "\r\n".join(lines).encode("utf-8")


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of a moment."""
    return moment.astimezone(UTC).date()

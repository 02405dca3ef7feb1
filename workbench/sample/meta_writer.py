"""Meta Business Suite files exactly as downloaded (export-formats.md §1, §1b, §2).

Post CSVs: UTF-8 with BOM, LF, Meta's quoting rule, ``Publish time`` in US Pacific, the
header variant of the download date; some carry the rows Meta writes when it fails on a post
and collaboration posts listed under a partner's account. Chart downloads: UTF-16LE with BOM,
``sep=,`` line, title line, ``"Date","Primary"`` (or an older metric-named column), every
value quoted, a blank line after each section; some hold two sections (Facebook, Instagram).
"""

from __future__ import annotations

import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workbench.sample.outcomes import PACIFIC, Post

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_FB_HEAD = ('"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time",'
            '"Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,'
            '"Custom labels","Funded content status","Data comment",Date,')
#: Facebook header variants, verbatim from real files (export-formats.md §1.3).
FB_HEADERS = {
    "2024-h1-a": _FB_HEAD + 'Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,'
    '"Total clicks","Matched Audience Targeting Consumption (Photo Click)","Other Clicks",'
    '"Link Clicks","Reach from Organic posts","Reach from Boosted posts","3-second video views",'
    '"1-minute video views","3-Second viewers","1-minute viewers",'
    '"3-second video views from Boosted posts","3-second video views from Organic posts",'
    '"Seconds viewed","Average Seconds viewed","Estimated earnings (USD)",'
    '"Negative feedback from users: Hide","Negative feedback from users: Hide all"',
    "2024-h1-b": _FB_HEAD + 'Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,'
    '"Total clicks","Other Clicks","Matched Audience Targeting Consumption (Photo Click)",'
    '"Link Clicks","Reach from Organic posts","Reach from Boosted posts","3-second video views",'
    '"1-minute video views","3-Second viewers","1-minute viewers",'
    '"3-second video views from Boosted posts","3-second video views from Organic posts",'
    '"Negative feedback from users: Hide all","Seconds viewed","Average Seconds viewed",'
    '"Estimated earnings (USD)","Negative feedback from users: Hide"',
    "2024-sep": _FB_HEAD + 'Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,'
    'Shares,"Total clicks","Matched Audience Targeting Consumption (Photo Click)","Other Clicks",'
    '"Link Clicks",Views,"Reach from Organic posts","Reach from Boosted posts",'
    '"3-second video views","1-minute video views","3-Second viewers","1-minute viewers",'
    '"3-second video views from Boosted posts","3-second video views from Organic posts",'
    '"Negative feedback from users: Hide all","Negative feedback from users: Hide",'
    '"Seconds viewed","Average Seconds viewed","Estimated earnings (USD)"',
    "2024-nov": _FB_HEAD + 'Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,'
    'Shares,"Total clicks","Other Clicks","Matched Audience Targeting Consumption (Photo Click)",'
    '"Link Clicks","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)"',
    "2025-ads": _FB_HEAD + 'Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,'
    'Shares,"Total clicks","Link Clicks","Other Clicks",'
    '"Matched Audience Targeting Consumption (Photo Click)","Seconds viewed",'
    '"Average Seconds viewed","Estimated earnings (USD)","Ad impressions"',
    "2026": _FB_HEAD + 'Views,Reach,"Reactions, comments and shares",Reactions,Comments,Shares,'
    '"Total clicks","Link clicks","Other clicks",'
    '"Matched audience targeting consumption (Photo Click)",'
    '"Matched audience targeting consumption (Video Click)","Views from Boosted posts",'
    '"Views from Organic posts","Reach from Boosted posts","Reach from Organic posts",'
    '"3-second video views","1-minute video views","3-second viewers","1-minute viewers",'
    '"3-second video views from Boosted posts","3-second video views from Organic posts",'
    '"Negative feedback from users","Unique negative feedback from users","Seconds viewed",'
    '"Average Seconds viewed","Estimated earnings (USD)","Ad CPM (USD)","Ad impressions"',
}
_IG_HEAD = ('"Post ID","Account ID","Account username","Account name",Description,'
            '"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,')
#: Instagram column orders seen in real files (export-formats.md §2.1).
IG_HEADERS = {
    "order-a": _IG_HEAD + "Views,Reach,Likes,Shares,Follows,Comments,Saves",
    "order-b": _IG_HEAD + "Views,Reach,Likes,Shares,Comments,Saves,Follows",
    "order-c": _IG_HEAD + "Views,Likes,Shares,Comments,Saves,Reach,Follows",
    "order-d": _IG_HEAD + "Reach,Likes,Shares,Follows,Comments,Saves,Views",
}
FB_POST_TYPE = {"photo": "Photos", "carousel": "Photos", "video": "Videos", "reel": "Reels",
                "link": "Links", "text": "Text"}
IG_POST_TYPE = {"photo": "IG image", "carousel": "IG carousel", "reel": "IG reel"}


def split_header(header: str) -> list[str]:
    """Split one of the verbatim header lines above into column names."""
    import csv

    return next(csv.reader([header]))


def meta_quote(value: object) -> str:
    """Meta's quoting rule: quote when the text holds a space, comma, quote or newline."""
    text = "" if value is None else str(value)
    if any(c in text for c in ' ,"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def fb_header_variant(downloaded: date, index: int) -> str:
    """Return the Facebook header variant served on ``downloaded`` (index alternates orders)."""
    if downloaded < date(2024, 9, 1):
        return "2024-h1-a" if index % 2 == 0 else "2024-h1-b"
    if downloaded < date(2024, 11, 1):
        return "2024-sep"
    if downloaded < date(2025, 1, 1):
        return "2024-nov"
    if downloaded < date(2026, 1, 1):
        return "2024-nov" if index % 2 == 0 else "2025-ads"
    return "2026"


def ig_header_variant(downloaded: date, index: int) -> str:
    """Return the Instagram column order of a download (index rotates the four orders)."""
    return ("order-a", "order-b", "order-c", "order-d")[index % 4]


def pacific_time(moment: datetime) -> str:
    """Meta's ``Publish time``: US Pacific wall time, ``MM/DD/YYYY HH:MM``."""
    return moment.astimezone(PACIFIC).strftime("%m/%d/%Y %H:%M")


def range_file_name(first: date, last: date, export_id: str) -> str:
    """``Mon-DD-YYYY_Mon-DD-YYYY_<id>.csv`` with English month abbreviations (locale-free)."""
    def fmt(d: date) -> str:
        return f"{MONTH_ABBR[d.month - 1]}-{d.day:02d}-{d.year}"

    return f"{fmt(first)}_{fmt(last)}_{export_id}.csv"


def _blank(value: int | None) -> object:
    return "" if value is None else value


def facebook_values(post: Post, snap: dict, page_id: str, page_name: str) -> dict[str, object]:
    """Every Facebook column's value for one post snapshot, keyed by lower-case header."""
    comps = snap["components"]
    clicks = snap["clicks"]
    video = snap["video_views"]
    is_video = post.format in ("video", "reel")
    reach, boosted = snap["reach"], snap["reach_boosted"]
    seconds = video["seconds"] if is_video else None
    average = round(video["seconds"] / video["3s"], 3) if is_video and video["3s"] else None
    views = None if post.is_share else snap["views"]
    views_boosted = int(views * boosted / reach) if views is not None and reach else 0
    values: dict[str, object] = {
        "post id": post.post_id, "page id": page_id, "page name": page_name,
        "title": post.creative.caption, "description": "",
        "duration (sec)": post.duration_sec,
        "publish time": pacific_time(post.creative.published_local),
        "caption type": "auto" if is_video else "N/A", "permalink": post.permalink,
        "is crosspost": 0, "is share": int(post.is_share),
        "post type": FB_POST_TYPE[post.format], "languages": "", "custom labels": "",
        "funded content status": "", "data comment": "", "date": "Lifetime",
        "views": _blank(views), "reach": reach,
        "reactions, comments and shares": snap["interactions"],
        "reactions": comps["reactions"], "comments": comps["comments"], "shares": comps["shares"],
        "total clicks": sum(v for v in clicks.values() if v is not None),
        "matched audience targeting consumption (photo click)": _blank(clicks["photo"]),
        "matched audience targeting consumption (video click)": "",
        "other clicks": clicks["other"], "link clicks": _blank(clicks["link"]),
        "views from boosted posts": _blank(views_boosted if views is not None else None),
        "views from organic posts": _blank(views - views_boosted if views is not None else None),
        "reach from organic posts": reach - boosted, "reach from boosted posts": boosted,
        "3-second video views": video["3s"], "1-minute video views": video["1m"],
        "3-second viewers": video["3s_viewers"], "1-minute viewers": video["1m_viewers"],
        "3-second video views from boosted posts": video["3s_boosted"],
        "3-second video views from organic posts": video["3s"] - video["3s_boosted"],
        "seconds viewed": _blank(seconds), "average seconds viewed": _blank(average),
        "estimated earnings (usd)": "", "negative feedback from users: hide": "",
        "negative feedback from users: hide all": "", "negative feedback from users": 0,
        "unique negative feedback from users": 0, "ad cpm (usd)": "",
        "ad impressions": int(boosted * 1.4) if post.boosted else "",
    }
    return values


def instagram_values(post: Post, snap: dict, account_id: str, username: str,
                     account_name: str) -> dict[str, object]:
    """Every Instagram column's value for one post snapshot, keyed by lower-case header."""
    comps = snap["components"]
    return {
        "post id": post.post_id, "account id": account_id, "account username": username,
        "account name": account_name, "description": post.creative.caption,
        "duration (sec)": post.duration_sec,
        "publish time": pacific_time(post.creative.published_local),
        "permalink": post.permalink, "post type": IG_POST_TYPE[post.format],
        "data comment": "", "date": "Lifetime", "views": snap["views"], "reach": snap["reach"],
        "likes": comps["likes"], "shares": comps["shares"], "comments": comps["comments"],
        "saves": comps["saves"], "follows": _blank(snap["follows"]),
    }


def posts_csv_bytes(
    header: str, rows: list[dict[str, object]], drop: tuple[str, ...] = ()
) -> bytes:
    """Build a Meta post export: BOM, the verbatim header, one Meta-quoted line per row, LF."""
    names = split_header(header)
    keep = [i for i, n in enumerate(names) if n not in drop]
    header_cells = header_cells_verbatim(header)
    lines = [",".join(header_cells[i] for i in keep)]
    for row in rows:
        lines.append(",".join(meta_quote(row[names[i].lower()]) for i in keep))
    return b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8")


def header_cells_verbatim(header: str) -> list[str]:
    """Header cells re-quoted by Meta's rule (identical to the verbatim text)."""
    return [meta_quote(n) for n in split_header(header)]


def fb_chart_timestamp(day: date) -> str:
    """Facebook chart timestamp: Pacific midnight written at a fixed UTC-7 offset."""
    offset = datetime(day.year, day.month, day.day, tzinfo=PACIFIC).utcoffset()
    hour = 0 if offset is not None and offset.total_seconds() == -7 * 3600 else 1
    return f"{day.isoformat()}T{hour:02d}:00:00"


def chart_csv_bytes(title: str, values: list[tuple[date, int]], platform: str,
                    excel_resave: bool = False, column: str = "Primary") -> bytes:
    """Build a Business Suite chart download (or its ``;``-separated Excel re-save).

    Args:
        title: Chart title, e.g. ``Facebook follows``.
        values: ``(day, value)`` pairs in date order.
        platform: ``facebook`` (timestamps flip at US DST) or ``instagram`` (always T00).
        excel_resave: Write the file as a European Excel re-saves it: UTF-8 with BOM, CRLF,
            ``;``-separated, no quotes and no ``sep=`` line.
        column: The value column's name: ``Primary`` (recent downloads) or, as older ones
            write it, named after a metric (and sometimes the wrong one, see
            :data:`OLDER_COLUMNS`).

    """
    if excel_resave:
        lines = [f"{title};", f"Date;{column}"] + [f"{_stamp(d, platform)};{v}"
                                                   for d, v in values]
        return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return multi_chart_csv_bytes([(title, column, values, platform)])


def _stamp(day: date, platform: str) -> str:
    return fb_chart_timestamp(day) if platform == "facebook" else f"{day.isoformat()}T00:00:00"


#: Older downloads name the value column after a metric, and Meta mislabels the visits chart
#: (real files: a "Facebook visits" section whose column says "Facebook Page likes").
OLDER_COLUMNS = {"visits": "Facebook Page likes", "reach": "Facebook reach",
                 "follows": "New Facebook Page likes"}


def multi_chart_csv_bytes(sections: list[tuple[str, str, list[tuple[date, int]], str]]) -> bytes:
    """A chart download holding several charts (real ``Follows.csv``: Facebook, Instagram).

    Args:
        sections: ``(title, value column, (day, value) pairs, platform)`` per section; each
            section is its title line, ``"Date","<column>"`` and its days, and a blank line.

    """
    lines = ["sep=,"]
    for title, column, values, platform in sections:
        lines += [f'"{title}"', f'"Date","{column}"']
        lines += [f'"{_stamp(d, platform)}","{v}"' for d, v in values]
        lines.append("")
    return b"\xff\xfe" + ("\n".join(lines) + "\n").encode("utf-16-le")


#: A fictional partner whose collaboration posts Instagram lists under its own account.
COLLAB_ACCOUNT = ("17841400000000777", "citylibrary.partners", "City Library Partners")


def is_collab_post(post_id: str) -> bool:
    """Whether a sample Instagram post is a collaboration (a fixed ~1 in 9, by its ID)."""
    return zlib.crc32(post_id.encode("ascii")) % 9 == 0


def error_row(header: str, content_id: str) -> dict[str, object]:
    """The row Meta writes when it fails on a post: only ``Data comment`` and ``Date``."""
    row: dict[str, object] = {name.lower(): "" for name in split_header(header)}
    row["data comment"] = ("An error occurred while computing metadata for content with ID "
                           f"{content_id}.")
    row["date"] = "Lifetime"
    return row


def local_zone(params: dict) -> ZoneInfo:
    """Return the organisation's time zone."""
    return ZoneInfo(str(params["timezone"]))

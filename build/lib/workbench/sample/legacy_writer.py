"""Legacy "Facebook Insights Data Export (Post Level)" ``.xls`` files (export-formats.md §3.1).

The file is SpreadsheetML 2003 XML, not BIFF: the XML declaration, a ``Workbook`` with the
styles block Facebook wrote, then ``Key Metrics`` (row 1 metric names, row 2 descriptions with
eight empty cells first, data from row 3, newest post first) and the per-action breakdown
sheets, whose names are cut to 31 characters (``Lifetime Post Stories by act...``). Layout,
cell styles and texts follow the real ``viethngn/LACDA`` export: every cell is written (empty
ones as an empty ``String``), ``Posted`` is US Pacific wall time ``2017-09-30T10:00:00.000``,
``Audience Targeting`` is a single space, video columns hold 0 on non-video posts, and a
breakdown cell is empty when the post had none of that action.

The quirk: one caption carries an invalid UTF-8 sequence, a two-byte character whose second
byte was replaced by ``?`` (bytes ``C4 3F`` in the real file's ``Thi Xã ?òng Hà``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from workbench.sample.outcomes import PACIFIC, Post

#: Key Metrics header row and description row, verbatim from the real export.
KEY_METRICS = (
    ("Post ID", ""), ("Permalink", ""), ("Post Message", ""), ("Type", ""), ("Countries", ""),
    ("Languages", ""), ("Posted", ""), ("Audience Targeting", ""),
    ("Lifetime Post Total Reach",
     "Lifetime: The total number of people your Page post was served to. (Unique Users)"),
    ("Lifetime Post organic reach",
     "Lifetime: The number of people who saw your Page post in news feed or ticker, or on your "
     "Page's timeline. (Unique Users)"),
    ("Lifetime Post Paid Reach",
     "Lifetime: The number of people your advertised Page post was served to. (Unique Users)"),
    ("Lifetime Post Total Impressions",
     "Lifetime: The number of impressions of your Page post. (Total Count)"),
    ("Lifetime Post Organic Impressions",
     "Lifetime: The number of impressions of your post in News Feed or ticker or on your "
     "Page's Timeline. (Total Count)"),
    ("Lifetime Post Paid Impressions",
     "Lifetime: The number of impressions of your Page post in an Ad or Sponsored Story. "
     "(Total Count)"),
    ("Lifetime Engaged Users",
     "Lifetime: The number of unique people who engaged in certain ways with your Page post, "
     "for example by commenting on, liking, sharing, or clicking upon particular elements of "
     "the post. (Unique Users)"),
    ("Lifetime Post Consumers",
     "Lifetime: The number of people who clicked anywhere in your post. (Unique Users)"),
    ("Lifetime Post Consumptions",
     "Lifetime: The number of clicks anywhere in your post. (Total Count)"),
    ("Lifetime Negative feedback",
     "Lifetime: The number of people who have given negative feedback to your post. "
     "(Unique Users)"),
    ("Lifetime Negative Feedback from Users",
     "Lifetime: The number of times people have given negative feedback to your post. "
     "(Total Count)"),
    ("Lifetime Post Impressions by people who have liked your Page",
     "Lifetime: The number of impressions of your Page post to people who have liked your "
     "Page. (Total Count)"),
    ("Lifetime Post reach by people who like your Page",
     "Lifetime: The number of people who saw your Page post because they've liked your Page "
     "(Unique Users)"),
    ("Lifetime Post Paid Impressions by people who have liked your Page",
     "Lifetime: The number of paid impressions of your Page post to people who have liked your "
     "Page. (Total Count)"),
    ("Lifetime Paid reach of a post by people who like your Page",
     "Lifetime: The number of people who like your Page and who saw your Page post in an ad or "
     "sponsored story. (Unique Users)"),
    ("Lifetime People who have liked your Page and engaged with your post",
     "Lifetime: The number of people who have liked your Page and clicked anywhere in your "
     "posts. (Unique Users)"),
    ("Lifetime Organic views to 95%",
     "Lifetime: Number of times your video was viewed to 95% of its length without any paid "
     "promotion. (Unique Users)"),
    ("Lifetime Organic views to 95%",
     "Lifetime: Number of times your video was viewed to 95% of its length without any paid "
     "promotion. (Total Count)"),
    ("Lifetime Paid views to 95%",
     "Lifetime: Number of times your video was viewed to 95% of its length after paid "
     "promotion. (Unique Users)"),
    ("Lifetime Paid views to 95%",
     "Lifetime: Number of times your video was viewed to 95% of its length after paid "
     "promotion. (Total Count)"),
    ("Lifetime Organic Video Views",
     "Lifetime: Number of times your video was viewed for more than 3 seconds without any paid "
     "promotion. (Unique Users)"),
    ("Lifetime Organic Video Views",
     "Lifetime: Number of times your video was viewed for more than 3 seconds without any paid "
     "promotion. (Total Count)"),
    ("Lifetime Paid Video Views",
     "Lifetime: Number of times your video was viewed more than 3 seconds after paid "
     "promotion. (Unique Users)"),
    ("Lifetime Paid Video Views",
     "Lifetime: Number of times your video was viewed more than 3 seconds after paid "
     "promotion. (Total Count)"),
    ("Lifetime Average time video viewed", "Lifetime: Average time video viewed (Total Count)"),
    ("Lifetime Video length", "Lifetime: Length of a video post (Total Count)"),
)
#: The post columns every breakdown sheet repeats after ``Description``.
POST_COLUMNS = ("Post ID", "Permalink", "Post Message", "Type", "Countries", "Languages",
                "Posted", "Audience Targeting")
#: Breakdown sheets: (name as cut to 31 characters, description, action columns).
BREAKDOWNS = (
    ("Lifetime Talking About This(...",
     "Lifetime: The number of unique people who created a story about your Page post by "
     "interacting with it. (Unique Users)", ("share", "like", "comment")),
    ("Lifetime Post Stories by act...",
     "Lifetime: The number of stories generated about your Page post, by action type. "
     "(Total Count)", ("share", "like", "comment")),
    ("Lifetime Post Consumers by type",
     "Lifetime: The number of people who clicked anywhere in your post, by type. "
     "(Unique Users)", ("other clicks", "photo view", "video play", "link clicks")),
    ("Lifetime Post Consumptions b...",
     "Lifetime: The number of clicks anywhere in your post, by type. (Total Count)",
     ("other clicks", "photo view", "video play", "link clicks")),
    ("Lifetime Negative Feedback f...",
     "Lifetime: The number of people who have given negative feedback to your post, by type. "
     "(Unique Users)", ("hide_clicks", "hide_all_clicks")),
    ("Lifetime Negative Feedback",
     "Lifetime: The number of times people have given negative feedback to your post, by "
     "type. (Total Count)", ("hide_clicks", "hide_all_clicks")),
)
#: Canonical format -> legacy ``Type`` (no carousels or reels before 2023 in this export).
LEGACY_TYPE = {"photo": "Photo", "video": "Video", "link": "Link", "text": "Status"}
#: Formats the legacy export can hold; the calendar's others are published as these.
LEGACY_FORMAT = {"photo": "photo", "carousel": "photo", "video": "video", "reel": "video",
                 "link": "link", "text": "text"}

_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
                      <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
                       xmlns:x="urn:schemas-microsoft-com:office:excel"
                       xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
                       xmlns:html="http://www.w3.org/TR/REC-html40">
                      <Styles>
{styles}
                      </Styles>
"""
_FONT = '<Font ss:FontName="Verdana"{bold}/>'
_NUMBER_FORMATS = ("m/d/yy", "m/yy", "m/d/yy h:mm AM/PM")
_ALIGNED = ((None, "Right"), (None, "Left"), ("0", "Right"),
            ('_(&quot;$&quot;* #,##0.00_);_(&quot;$&quot;* (#,##0.00);_(&quot;$&quot;* '
             '&quot;-&quot;??_);_(@_)', "Right"), ("Percent", "Right"))
#: Private-use character standing for the damaged byte pair until the text is encoded.
_DAMAGE = "\ue000"
_HASHTAG = re.compile(r"#\w+")


def _styles() -> str:
    """Styles s17..s35 as the real export declares them (plain, then bold)."""
    out, n = [], 17
    for fmt in _NUMBER_FORMATS:
        for bold in ("", ' ss:Bold="1"'):
            out.append(f'                        <Style ss:ID="s{n}">\n'
                       f'                          <NumberFormat ss:Format="{fmt}"/>\n'
                       f'                          {_FONT.format(bold=bold)}\n'
                       f'                        </Style>')
            n += 1
    for fmt, side in _ALIGNED:
        for bold in ("", ' ss:Bold="1"'):
            lines = [f'                        <Style ss:ID="s{n}">']
            if fmt:
                lines.append(f'                         <NumberFormat ss:Format="{fmt}"/>')
            lines.append(f'                         <Alignment ss:Horizontal="{side}" '
                         f'ss:Vertical="Bottom"/>')
            lines.append(f'                         {_FONT.format(bold=bold)}')
            lines.append('                        </Style>')
            out.append("\n".join(lines))
            n += 1
    out.append('                        <Style ss:ID="s33">\n'
               '                         <NumberFormat ss:Format="YYYY-mm-dd"/>\n'
               '                         <Alignment ss:Horizontal="Left" ss:Vertical="Bottom"/>\n'
               '                        </Style>')
    for n, bold in ((34, ' ss:Bold="1"'), (35, "")):
        out.append(f'                        <Style ss:ID="s{n}">\n'
                   f'                         <Alignment ss:Horizontal="Left" '
                   f'ss:Vertical="Bottom"/>\n'
                   f'                         {_FONT.format(bold=bold)}\n'
                   f'                        </Style>')
    return "\n".join(out)


@dataclass
class LegacyRow:
    """One post of the export: its post columns, Key Metrics values and breakdown counts."""

    post: Post
    post_columns: list[str]
    metrics: list[int]
    breakdowns: dict[str, dict[str, int]]
    consumptions: int


def file_name(page_name: str, downloaded: date) -> str:
    """``Facebook Insights Data Export (Post Level) - <Page> - <YYYY-MM-DD>.xls``."""
    page = re.sub(r'[\\/:*?"<>|]+', " ", page_name).strip()  # keep the name a valid file name
    return f"Facebook Insights Data Export (Post Level) - {page} - {downloaded.isoformat()}.xls"


def posted_text(post: Post) -> str:
    """``Posted``: US Pacific wall time, ISO with milliseconds."""
    return post.creative.published_local.astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S.000")


def permalink(post: Post, page_slug: str) -> str:
    """Legacy permalinks: ``/videos/<id>/`` for videos, ``/posts/<id>:0`` for photos."""
    number = post.post_id.split("_", 1)[1]
    if post.format == "video":
        return f"https://www.facebook.com/{page_slug}/videos/{number}/"
    suffix = ":0" if post.format == "photo" else ""
    return f"https://www.facebook.com/{page_slug}/posts/{number}{suffix}"


def legacy_row(post: Post, snap: dict) -> LegacyRow:
    """Every value of one post as an export downloaded at the snapshot shows it.

    Counts the outcome model does not draw (negative feedback, fan reach, unique clickers,
    views to 95%) are fixed shares of the drawn ones, so they stay consistent with them.
    """
    reach, paid = snap["reach"], snap["reach_boosted"]
    organic = reach - paid
    impressions = max(snap["views"], reach)  # the later "Views" were "Impressions" here
    paid_impr = int(impressions * paid / reach) if reach else 0
    comps, clicks, video = snap["components"], snap["clicks"], snap["video_views"]
    is_video = post.format == "video"
    by_type = {"other clicks": clicks["other"] or 0, "photo view": clicks["photo"] or 0,
               "video play": int(video["3s"] * 0.25) if is_video else 0,
               "link clicks": clicks["link"] or 0}
    consumptions = sum(by_type.values())
    consumers = {k: int(v * 0.85) for k, v in by_type.items()}
    stories = {"share": comps["shares"], "like": comps["reactions"], "comment": comps["comments"]}
    people = {k: int(v * 0.9) for k, v in stories.items()}
    hides = {"hide_clicks": int(reach * 0.0015), "hide_all_clicks": int(reach * 0.0005)}
    hiders = {k: int(v * 0.9) for k, v in hides.items()}
    engaged = min(reach, int(0.85 * consumptions + 0.9 * snap["interactions"]))
    v3, v3_paid = (video["3s"], video["3s_boosted"]) if is_video else (0, 0)
    v95 = int(v3 * 0.18)
    v95_paid = int(v95 * v3_paid / v3) if v3 else 0
    metrics = [
        reach, organic, paid, impressions, impressions - paid_impr, paid_impr, engaged,
        sum(consumers.values()), consumptions, sum(hiders.values()), sum(hides.values()),
        int(impressions * 0.55), int(reach * 0.5),
        int(paid_impr * 0.4), int(paid * 0.4), int(engaged * 0.6),
        int((v95 - v95_paid) * 0.9), v95 - v95_paid, int(v95_paid * 0.9), v95_paid,
        int((v3 - v3_paid) * 0.9), v3 - v3_paid, int(v3_paid * 0.9), v3_paid,
        int(video["seconds"] * 1000 / v3) if v3 else 0,  # milliseconds, as Facebook wrote them
        post.duration_sec * 1000 if is_video else 0,
    ]
    breakdowns = {BREAKDOWNS[0][0]: people, BREAKDOWNS[1][0]: stories,
                  BREAKDOWNS[2][0]: consumers, BREAKDOWNS[3][0]: by_type,
                  BREAKDOWNS[4][0]: hiders, BREAKDOWNS[5][0]: hides}
    columns = [post.post_id, post.permalink, post.creative.caption, LEGACY_TYPE[post.format],
               "", "", posted_text(post), " "]
    return LegacyRow(post, columns, metrics, breakdowns, consumptions)


def damage_target(rows: list[LegacyRow]) -> tuple[int, int] | None:
    """Pick the caption character to damage: the first two-byte character outside a hashtag.

    French captions come first (their accents are where real exports broke).

    Returns:
        ``(row index, character index)`` or None when no caption has such a character.
    """
    order = sorted(range(len(rows)), key=lambda i: (not rows[i].post.creative.french,
                                                    rows[i].post.creative.published_local))
    for i in order:
        caption = rows[i].post.creative.caption
        tags = [m.span() for m in _HASHTAG.finditer(caption)]
        for j, char in enumerate(caption):
            if 0x80 <= ord(char) < 0x800 and not any(a <= j < b for a, b in tags):
                return i, j
    return None


def _cell(style: str, kind: str, value: str) -> str:
    return f'<Cell ss:StyleID="{style}"><Data ss:Type="{kind}">{value}</Data></Cell>'


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _post_cells(columns: list[str]) -> list[str]:
    cells = []
    for i, value in enumerate(columns):
        if i == 6:
            cells.append(_cell("s21", "DateTime", value))
        else:
            cells.append(_cell("s25", "String", _text(value)))
    return cells


def _sheet(name: str, width: int, rows: list[list[str]]) -> str:
    columns = "".join(f'<Column ss:Index="{i}" ss:AutoFitWidth="0" ss:Width="150"/>\n'
                      for i in range(1, width + 1))
    body = "\n\n".join("<Row>\n" + "\n".join(cells) + "\n</Row>" for cells in rows)
    return f'<Worksheet ss:Name="{_text(name)}">\n<Table>\n{columns}{body}\n</Table>\n</Worksheet>'


def spreadsheet_bytes(rows: list[LegacyRow], damage: tuple[int, int] | None) -> bytes:
    """The whole ``.xls`` (SpreadsheetML) for ``rows`` (newest first).

    Args:
        rows: The posts, in the order the export lists them.
        damage: ``(row, character)`` whose UTF-8 second byte becomes ``?`` (see module doc).

    Returns:
        The file's bytes: UTF-8 except for the damaged sequence, no final newline.
    """
    columns_of = []
    for i, row in enumerate(rows):
        columns = list(row.post_columns)
        if damage is not None and damage[0] == i:
            caption = columns[2]
            columns[2] = caption[:damage[1]] + _DAMAGE + caption[damage[1] + 1:]
        columns_of.append(columns)
    key = [[_cell("s26", "String", _text(name)) for name, _ in KEY_METRICS],
           [_cell("s25", "String", _text(text)) for _, text in KEY_METRICS]]
    for row, columns in zip(rows, columns_of, strict=True):
        key.append(_post_cells(columns) + [_cell("s27", "Number", str(v)) for v in row.metrics])
    sheets = [_sheet("Key Metrics", len(KEY_METRICS), key)]
    for name, description, actions in BREAKDOWNS:
        header = [_cell("s26", "String", _text(h)) for h in ("Description",) + POST_COLUMNS[:6]]
        header += [_cell("s24", "String", _text(h)) for h in POST_COLUMNS[6:] + actions]
        table = [header]
        for i, (row, columns) in enumerate(zip(rows, columns_of, strict=True)):
            cells = [_cell("s25", "String", _text(description) if i == 0 else "")]
            cells += _post_cells(columns)
            for action in actions:
                count = row.breakdowns[name][action]
                # Facebook leaves an action the post never had empty, not 0
                cells.append(_cell("s27", "Number", str(count)) if count
                             else _cell("s25", "String", ""))
            table.append(cells)
        sheets.append(_sheet(name, 1 + len(POST_COLUMNS) + len(actions), table))
    text = _STYLES.format(styles=_styles()) + "\n".join(sheets) + "\n</Workbook>"
    data = text.encode("utf-8")
    if damage is not None:
        char = rows[damage[0]].post.creative.caption[damage[1]]
        data = data.replace(_DAMAGE.encode("utf-8"), char.encode("utf-8")[:1] + b"?")
    return data

"""Builders for Meta export fixtures.

Header lines are copied verbatim from /work/shared/reference/export-formats.md (§1.3, §2.1,
§1b); only the data rows are ours (a fictional organisation). Bytes follow §1.2: UTF-8 with
BOM, LF, Meta's quoting rule (quote a value holding a space, comma, quote or newline).

Run ``python -m tests.io.meta_samples`` to rewrite tests/fixtures/meta/.
"""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meta"

# --- §1.3 Facebook headers, verbatim ------------------------------------------------------
FB_2024_JAN = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Matched Audience Targeting Consumption (Photo Click)","Other Clicks","Link Clicks","Reach from Organic posts","Reach from Boosted posts","3-second video views","1-minute video views","3-Second viewers","1-minute viewers","3-second video views from Boosted posts","3-second video views from Organic posts","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)","Negative feedback from users: Hide","Negative feedback from users: Hide all"'  # noqa: E501
# Apr-Jul 2024: "same set, different order" as the reference describes it (clicks reordered,
# "Negative feedback from users: Hide all" moved before "Seconds viewed").
FB_2024_APR = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Other Clicks","Matched Audience Targeting Consumption (Photo Click)","Link Clicks","Reach from Organic posts","Reach from Boosted posts","3-second video views","1-minute video views","3-Second viewers","1-minute viewers","3-second video views from Boosted posts","3-second video views from Organic posts","Negative feedback from users: Hide all","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)","Negative feedback from users: Hide"'  # noqa: E501
FB_2024_SEP = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Matched Audience Targeting Consumption (Photo Click)","Other Clicks","Link Clicks",Views,"Reach from Organic posts","Reach from Boosted posts","3-second video views","1-minute video views","3-Second viewers","1-minute viewers","3-second video views from Boosted posts","3-second video views from Organic posts","Negative feedback from users: Hide all","Negative feedback from users: Hide","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)"'  # noqa: E501
FB_2024_NOV = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Other Clicks","Matched Audience Targeting Consumption (Photo Click)","Link Clicks","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)"'  # noqa: E501
FB_2025_JAN = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Link Clicks","Other Clicks","Matched Audience Targeting Consumption (Photo Click)","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)","Ad impressions"'  # noqa: E501
# Feb-Mar 2026, up to the first dynamic groups; four of the dynamic columns the reference
# names are appended ("…" groups elided there).
FB_2026_FEB = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Views,Reach,"Reactions, comments and shares",Reactions,Comments,Shares,"Total clicks","Link clicks","Other clicks","Matched audience targeting consumption (Photo Click)","Matched audience targeting consumption (Video Click)","Views from Boosted posts","Views from Organic posts","Reach from Boosted posts","Reach from Organic posts","3-second video views","1-minute video views","3-second viewers","1-minute viewers","3-second video views from Boosted posts","3-second video views from Organic posts","1-minute video views from Recommendations","1-minute video views from Shares","1-minute video views from Followers","1-minute video views from Boosted posts","Seconds viewed from Boosted posts","Seconds viewed from Recommendations","Seconds viewed from Shares","Seconds viewed from Followers","Average Seconds viewed from Boosted posts","Average Seconds viewed from Recommendations","Average Seconds viewed from Shares","Average Seconds viewed from Followers","Negative feedback from users","Unique negative feedback from users","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)","Ad CPM (USD)","Ad impressions","Percentage of total views at interval 0","Percentage of total views at interval 40","3-second video views by top audience (F, 35-44)","3-second video views by country (Tunisia (TN))"'  # noqa: E501
# §1.7 French aliases (unverified third-party list), for the alias table.
FB_FRENCH = '"Identifiant de la publication","ID de la Page","Nom de la page",Titre,Description,"Durée (s)","Heure de publication",Permalien,"Est un partage","Type de publication",Vues,Couverture,"Réactions, commentaires et partages",Réactions,Commentaires,Partages,"Total des clics","Clics sur un lien","Couverture de Publications organiques","Couverture de Publications boostées"'  # noqa: E501

FB_HEADERS = {
    "2024_jan": FB_2024_JAN,
    "2024_apr": FB_2024_APR,
    "2024_sep": FB_2024_SEP,
    "2024_nov": FB_2024_NOV,
    "2025_jan": FB_2025_JAN,
    "2026_feb": FB_2026_FEB,
    "french": FB_FRENCH,
}

# --- §2.1 Instagram headers, verbatim (four orders) ---------------------------------------
IG_HEADERS = {
    "order1": '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,Views,Reach,Likes,Shares,Follows,Comments,Saves',  # noqa: E501
    "order2": '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,Views,Reach,Likes,Shares,Comments,Saves,Follows',  # noqa: E501
    "order3": '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,Views,Likes,Shares,Comments,Saves,Reach,Follows',  # noqa: E501
    "order4": '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,Reach,Likes,Shares,Follows,Comments,Saves,Views',  # noqa: E501
}

FRENCH_KEYS = {
    "identifiant de la publication": "post id", "id de la page": "page id",
    "nom de la page": "page name", "titre": "title", "durée (s)": "duration (sec)",
    "heure de publication": "publish time", "permalien": "permalink",
    "est un partage": "is share", "type de publication": "post type", "vues": "views",
    "couverture": "reach", "réactions, commentaires et partages":
    "reactions, comments and shares", "réactions": "reactions", "commentaires": "comments",
    "partages": "shares", "total des clics": "total clicks", "clics sur un lien": "link clicks",
    "couverture de publications organiques": "reach from organic posts",
    "couverture de publications boostées": "reach from boosted posts",
}

PAGE = {"page id": "100012345678901", "page name": "Forest City Newcomer Services"}

#: Facebook rows (keys: lower-case English headers). Publish times are Pacific wall time.
FB_ROWS = [
    {  # 22:30 Pacific on Jan 31 = 01:30 Feb 1 in Toronto (month boundary)
        "post id": "12210000000000101", **PAGE,
        "title": "Job fair this Saturday! 🎟️ #LondonOntario #Jobs",
        "duration (sec)": "0", "publish time": "01/31/2025 22:30", "caption type": "N/A",
        "permalink": "https://www.facebook.com/forestcitynewcomers/posts/pfbid0Aa1",
        "is crosspost": "0", "is share": "0", "post type": "Photos", "date": "Lifetime",
        "views": ["2500", ""], "reach": "1200", "reactions, comments and shares": "48",
        "reactions": "40", "comments": "5", "shares": "3", "total clicks": "60",
        "reach from organic posts": "900", "reach from boosted posts": "300",
    },
    {  # spring DST night: 23:30 PST Mar 8 = 07:30 UTC = 03:30 EDT Mar 9 (4 h apart)
        "post id": "12210000000000102", **PAGE,
        "title": 'Conversation circle\n"Everyone welcome" #LdnOnt',
        "description": "@[100063647383948:2048:Partner] shared",
        "duration (sec)": "45", "publish time": "03/08/2025 23:30", "caption type": "auto",
        "permalink": "https://www.facebook.com/forestcitynewcomers/posts/pfbid0Aa2",
        "is crosspost": "1", "is share": "0", "post type": "Videos", "date": "Lifetime",
        "views": ["", "900"], "reach": "800", "reactions, comments and shares": "",
        "reactions": "20", "comments": "0", "shares": "2", "total clicks": "15",
        "reach from organic posts": "800", "reach from boosted posts": "0",
    },
    {  # autumn DST night: 23:30 PDT Nov 1 = 06:30 UTC Nov 2 = 01:30 EST (2 h apart)
        "post id": "12210000000000103", **PAGE, "title": "",
        "description": "Housing clinic: bring your lease",
        "duration (sec)": "0", "publish time": "11/01/2025 23:30", "caption type": "N/A",
        "permalink": "https://www.facebook.com/forestcitynewcomers/posts/pfbid0Aa3",
        "is crosspost": "0", "is share": "1", "post type": "Links", "date": "Lifetime",
        "views": ["", ""], "reach": "", "reactions, comments and shares": "7",
        "reactions": "3", "comments": "", "shares": "4", "total clicks": "9",
        "link clicks": "6",
    },
]

IG_ACCOUNT = {"account id": "17841400000000001", "account username": "forestcitynewcomers",
              "account name": "Forest City Newcomer Services"}
IG_ROWS = [
    {  # 22:30 Pacific Feb 28 = 01:30 Mar 1 Toronto (statistics.md §9.5 fixture)
        "post id": "17974697564884257", **IG_ACCOUNT,
        "description": "\tNew LINC classes start Monday! #London #LINC",
        "duration (sec)": "0", "publish time": "02/28/2025 22:30",
        "permalink": "https://www.instagram.com/p/DE2b-McMrvR/", "post type": "IG image",
        "date": "Lifetime", "views": "500", "reach": "300", "likes": "25", "shares": "2",
        "follows": "", "comments": "3", "saves": "4",
    },
    {
        "post id": "17974697564884258", **IG_ACCOUNT,
        "description": "Meet our youth mentors 🎉", "duration (sec)": "30",
        "publish time": "05/26/2025 10:23",
        "permalink": "https://www.instagram.com/reel/DYz2HS0M2ks/", "post type": "IG reel",
        "date": "Lifetime", "views": "4993", "reach": "3206", "likes": "287", "shares": "56",
        "follows": "7", "comments": "2", "saves": "0",
    },
    {
        "post id": "17974697564884259", **IG_ACCOUNT,
        "description": "Carousel: five steps to your first job", "duration (sec)": "0",
        "publish time": "06/21/2025 09:49",
        "permalink": "https://www.instagram.com/p/DE2b-McMrvS/", "post type": "IG carousel",
        "date": "Lifetime", "views": "856", "reach": "", "likes": "27", "shares": "0",
        "follows": "", "comments": "1", "saves": "",
    },
]


def header_names(header_line: str) -> list[str]:
    """Split a verbatim header line into names."""
    return next(csv.reader([header_line]))


def meta_quote(value: str) -> str:
    """Meta's rule: quote when the value holds a space, comma, quote or newline."""
    if any(ch in value for ch in ' ,"\n\t'):
        return '"' + value.replace('"', '""') + '"'
    return value


def meta_csv(header_line: str, rows: list[dict], *, bom: bool = True,
             key_map: dict[str, str] | None = None) -> bytes:
    """Build a Meta post export: the verbatim header line, then rows in header order."""
    names = header_names(header_line)
    seen: dict[str, int] = {}
    lines = [header_line]
    for row in rows:
        cells = []
        seen.clear()
        for name in names:
            key = name.lower()
            key = (key_map or {}).get(key, key)
            value = row.get(key, "")
            if isinstance(value, list):  # a duplicated header: one value per occurrence
                value = value[seen.get(key, 0)]
                seen[key] = seen.get(key, 0) + 1
            cells.append(meta_quote(str(value)))
        lines.append(",".join(cells))
    text = "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def chart_utf16(title: str, rows: list[tuple[str, str]]) -> bytes:
    """A §1b chart download: UTF-16LE BOM, ``sep=,``, title, header, quoted values."""
    lines = ["sep=,", f'"{title}"', '"Date","Primary"']
    lines += [f'"{d}","{v}"' for d, v in rows]
    text = "\n".join(lines) + "\n\n"
    return ("\ufeff" + text).encode("utf-16-le")


def chart_excel_semicolon(title: str, rows: list[tuple[str, str]]) -> bytes:
    """The §1b European-Excel re-save: UTF-8, ``;``, no quotes (``Facebook follows;``)."""
    lines = [f"{title};", "Date;Primary"] + [f"{d};{v}" for d, v in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


AUDIENCE_TEXT = (
    'sep=,\n"Age & gender"\n"","Women","Men"\n"18-24","10.5","8.1"\n\n'
    '"Top countries"\n"Canada","India"\n"75.1","5.2"\n\n'
    '"Top cities"\n"London, ON","Toronto, ON"\n"60.2","7.9"\n\n'
)

# Pacific midnight written as a fixed UTC-7 stamp: 01:00 before the switch, 00:00 after.
CHART_DAYS = [("2025-03-08T01:00:00", "16"), ("2025-03-09T01:00:00", "35"),
              ("2025-03-10T00:00:00", "21"), ("2025-03-11T00:00:00", "")]


def build(out: Path = FIXTURES) -> None:
    """Write every fixture file under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, header in FB_HEADERS.items():
        key_map = FRENCH_KEYS if name == "french" else None
        (out / f"facebook_{name}.csv").write_bytes(meta_csv(header, FB_ROWS, key_map=key_map))
    for name, header in IG_HEADERS.items():
        (out / f"instagram_{name}.csv").write_bytes(meta_csv(header, IG_ROWS))
    charts = out / "charts"
    (charts / "facebook").mkdir(parents=True, exist_ok=True)
    (charts / "facebook" / "Views.csv").write_bytes(chart_utf16("Views", CHART_DAYS))
    (charts / "Instagram profile visits.csv").write_bytes(
        chart_utf16("Instagram profile visits", CHART_DAYS))
    (charts / "Facebook follows excel.csv").write_bytes(
        chart_excel_semicolon("Facebook follows", [("2025-10-31T00:00:00", "4"),
                                                   ("2025-11-01T00:00:00", "1,204")]))
    (charts / "Audience.csv").write_bytes(("\ufeff" + AUDIENCE_TEXT).encode("utf-16-le"))

    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "empty.csv").write_bytes(b"")
    (bad / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (bad / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(64))
    (bad / "random.csv").write_bytes(b"name,age,city\nBob,31,London\nAda,28,Paris\n")
    good = meta_csv(FB_2024_NOV, FB_ROWS[:1]).decode("utf-8")
    truncated = good + '12210000000000109,100012345678901,"Forest City Newcomer Services","Un'
    (bad / "truncated.csv").write_bytes(truncated.encode("utf-8"))
    no_time = FB_2024_NOV.replace('"Publish time",', "")
    (bad / "missing_publish_time.csv").write_bytes(meta_csv(no_time, FB_ROWS))
    cp1252_rows = [dict(FB_ROWS[0], title="Café des langues, mercredi")]
    (bad / "cp1252.csv").write_bytes(
        meta_csv(FB_2024_NOV, cp1252_rows, bom=False).decode("utf-8").encode("cp1252"))
    ids_00 = [dict(r, **{"post id": "1122300000000000.00"}) for r in FB_ROWS]
    (bad / "excel_ids_00.csv").write_bytes(meta_csv(FB_2024_NOV, ids_00))
    ids_sci = [dict(r, **{"post id": "1.1223E+15"}) for r in FB_ROWS]
    (bad / "excel_ids_sci.csv").write_bytes(meta_csv(FB_2024_NOV, ids_sci))
    touched = [dict(FB_ROWS[0], **{"publish time": "3/18/2025 2:39"})]
    (bad / "excel_dates.csv").write_bytes(meta_csv(FB_2024_NOV, touched))
    other = dict(IG_ROWS[1], **{"post id": "17974697564884260", "account username": "partnerorg",
                                "account id": "17841400000000002"})
    (bad / "instagram_two_accounts.csv").write_bytes(
        meta_csv(IG_HEADERS["order1"], [*IG_ROWS, other]))
    (bad / "Views.csv").write_bytes(chart_utf16("Views", CHART_DAYS))


if __name__ == "__main__":
    build()

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
    build_wild(out / "wild")


# --- real-file variants (docs/export-formats.md §1b; tests/corpus/MANIFEST.csv) -------
# Byte structure copied from real downloads (encoding, separator, line endings, titles,
# headers, blank lines, error rows); every value, name and id below is invented.


def chart_bytes(sections: list[tuple[str | None, list[str], list[tuple[str, ...]]]], *,
                sep_line: bool = True, delimiter: str = ",", quoted: bool = True,
                pad: bool = False, newline: str = "\n", blank_between: bool = True,
                end: str = "\n\n", encoding: str = "utf-16") -> bytes:
    """A chart download with several sections, in the byte layout of a real variant.

    Args:
        sections: (title or None, header cells, rows) per section.
        sep_line: Write ``sep=<delimiter>`` first.
        delimiter: ``,`` or a tab.
        quoted: Quote every cell (``"Date","Primary"``).
        pad: Pad one-cell lines (titles, blank lines) with delimiters to the header width.
        newline: ``\n`` or ``\r\n``.
        blank_between: A blank line between sections.
        end: What follows the last data line.
        encoding: ``utf-16`` (little-endian with BOM) or ``utf-8-sig``.
    """
    def cell(text: str) -> str:
        return f'"{text}"' if quoted else text

    lines = [f"sep={delimiter}"] if sep_line else []
    for i, (title, header, rows) in enumerate(sections):
        width = len(header)
        filler = delimiter * (width - 1) if pad else ""
        if i and blank_between:
            lines.append(filler)
        if title is not None:
            lines.append(cell(title) + filler)
        lines.append(delimiter.join(cell(h) for h in header))
        lines += [delimiter.join(cell(c) for c in row) for row in rows]
    text = newline.join(lines) + end.replace("\n", newline)
    if encoding == "utf-16":
        return ("\ufeff" + text).encode("utf-16-le")
    return ("\ufeff" + text).encode("utf-8")


#: Daily rows with omitted days (Meta leaves out days without a value).
WILD_FB_DAYS = [("2024-03-01T00:00:00", "7"), ("2024-03-02T00:00:00", "12"),
                ("2024-03-04T00:00:00", "3")]
WILD_IG_DAYS = [("2024-03-01T00:00:00", "2"), ("2024-03-03T00:00:00", "5")]
#: A spring DST flip inside one file (T00 before, T01 after would be the autumn one).
WILD_DST_DAYS = [("2024-11-02T01:00:00", "40"), ("2024-11-03T01:00:00", "41"),
                 ("2024-11-04T00:00:00", "42")]

FB_ERROR_HEADER = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,IMPRESSION:UNIQUE_USERS,Reach,Impressions,"Reactions, Comments and Shares",Reactions,Comments,Shares,"Total clicks","Matched Audience Targeting Consumption (Photo Click)","Other Clicks","Link Clicks","Negative feedback from users: Hide all"'  # noqa: E501
IG_PT_HEADER = '"Identificação da publicação","Identificação da conta","Nome de usuário da conta","Nome da conta",Descrição,"Duração (segundos)","Horário de publicação","Link permanente","Tipo de publicação","Comentário de dados",Data,Visualizações,Curtidas,Compartilhamentos,Comentários,Salvamentos,Alcance,Seguimentos'  # noqa: E501
#: Italian (real header): ``Durata (s)``, ``Follower`` for follows, ``Totale`` in Date.
IG_IT_HEADER = '"ID del post","ID dell\'account","Nome utente dell\'account","Nome account",Descrizione,"Durata (s)","Orario di pubblicazione",Permalink,"Tipo di post","Commento sui dati",Data,Visualizzazioni,Copertura,"Mi piace",Condivisioni,Follower,Commenti,Salvataggi'  # noqa: E501
#: Portuguese, the other real variant: ``Identificação do post``, ``Duração (s)``, ``Total``.
IG_PT2_HEADER = '"Identificação do post","Identificação da conta","Nome de usuário da conta","Nome da conta",Descrição,"Duração (s)","Horário de publicação","Link permanente","Tipo de post","Comentário de dados",Data,Visualizações,Alcance,Curtidas,Compartilhamentos,Seguimentos,Comentários,Salvamentos'  # noqa: E501
IG_SECS_HEADER = "Post ID,Account ID,Account username,Account name,Description,Duration (secs),Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,Comments,Saves"  # noqa: E501
#: An Instagram Stories export (story-only columns; no real file seen, Meta's column names).
IG_STORY_HEADER = '"Post ID","Account ID","Account username","Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,Views,Reach,Likes,Shares,"Profile visits",Replies,"Link clicks",Navigation,"Sticker taps",Follows'  # noqa: E501

WILD_FB_ROWS = [
    {"post id": "100200300400501", "page id": "100012345678901",
     "page name": "Forest City Newcomer Services", "title": "Tax clinic this Saturday",
     "duration (sec)": "0", "publish time": "02/01/2024 09:15", "caption type": "N/A",
     "permalink": "https://www.facebook.com/100012345678901/posts/100200300400501",
     "is crosspost": "0", "is share": "0", "post type": "Photo", "date": "Lifetime",
     "reach": "812", "impressions": "950", "reactions, comments and shares": "41",
     "reactions": "30", "comments": "5", "shares": "6", "total clicks": "77",
     "matched audience targeting consumption (photo click)": "20", "other clicks": "57"},
    {"data comment": "An error occurred while computing metadata for content with ID "
                     "100200300400999.", "date": "Lifetime", "impression:unique_users": "14"},
    {"post id": "100200300400502", "page id": "100012345678901",
     "page name": "Forest City Newcomer Services", "title": "Volunteer thank-you",
     "duration (sec)": "0", "publish time": "02/20/2024 14:02", "caption type": "N/A",
     "permalink": "https://www.facebook.com/100012345678901/posts/100200300400502",
     "is crosspost": "0", "is share": "0", "post type": "Text", "date": "Lifetime",
     "reach": "305", "impressions": "305", "reactions, comments and shares": "12",
     "reactions": "10", "comments": "2", "shares": "0", "total clicks": "9"},
    {"data comment": "An error occurred while computing metadata for content with ID "
                     "100200300400998.", "date": "Lifetime", "impression:unique_users": "3"},
]
PT_KEYS = {"identificação da publicação": "post id", "identificação da conta": "account id",
           "nome de usuário da conta": "account username", "nome da conta": "account name",
           "descrição": "description", "duração (segundos)": "duration (sec)",
           "horário de publicação": "publish time", "link permanente": "permalink",
           "tipo de publicação": "post type", "comentário de dados": "data comment",
           "data": "date", "visualizações": "views", "curtidas": "likes",
           "compartilhamentos": "shares", "comentários": "comments", "salvamentos": "saves",
           "alcance": "reach", "seguimentos": "follows"}
IT_KEYS = {"id del post": "post id", "id dell'account": "account id",
           "nome utente dell'account": "account username", "nome account": "account name",
           "descrizione": "description", "durata (s)": "duration (sec)",
           "orario di pubblicazione": "publish time", "tipo di post": "post type",
           "commento sui dati": "data comment", "data": "date",
           "visualizzazioni": "views", "mi piace": "likes", "condivisioni": "shares",
           "commenti": "comments", "salvataggi": "saves", "copertura": "reach",
           "follower": "follows"}
PT2_KEYS = {**PT_KEYS, "identificação do post": "post id", "duração (s)": "duration (sec)",
            "tipo de post": "post type"}
SECS_KEYS = {"duration (secs)": "duration (sec)"}
WILD_IG_ROWS = [
    {"post id": "18000000000000101", **IG_ACCOUNT, "account name": "Forest City Newcomers",
     "description": "Aulas de inglês gratuitas #London", "duration (sec)": "0",
     "publish time": "04/23/2025 07:48",
     "permalink": "https://www.instagram.com/p/AAAAAAAAAA1/", "post type": "IG image",
     "date": "Lifetime", "views": "2071", "likes": "18", "shares": "1", "comments": "1",
     "saves": "4", "reach": "1203", "follows": "0"},
    {"post id": "18000000000000102", **IG_ACCOUNT, "account name": "Forest City Newcomers",
     "description": "Nosso time de mentores", "duration (sec)": "31",
     "publish time": "05/02/2025 18:05",
     "permalink": "https://www.instagram.com/reel/AAAAAAAAAA2/", "post type": "IG reel",
     "date": "Lifetime", "views": "7583", "likes": "121", "shares": "11", "comments": "6",
     "saves": "9", "reach": "2154", "follows": "2"},
    # a collaboration post, listed under the partner's account: its reach and follows are
    # empty in real exports (NA, never 0)
    {"post id": "18000000000000103", "account id": "17841400000000077",
     "account username": "partner.library", "account name": "Partner Library",
     "description": "Feira de empregos com parceiros", "duration (sec)": "107",
     "publish time": "06/30/2025 09:00",
     "permalink": "https://www.instagram.com/reel/AAAAAAAAAA3/", "post type": "IG reel",
     "date": "Lifetime", "views": "1323", "likes": "19", "shares": "1", "comments": "1",
     "saves": "0", "reach": "", "follows": ""},
    {"post id": "18000000000000104", **IG_ACCOUNT, "account name": "Forest City Newcomers",
     "description": "Cinco passos", "duration (sec)": "0",
     "publish time": "06/12/2025 12:00",
     "permalink": "https://www.instagram.com/p/AAAAAAAAAA4/", "post type": "IG carousel",
     "date": "Lifetime", "views": "904", "likes": "30", "shares": "2", "comments": "",
     "saves": "3", "reach": "640", "follows": "1"},
]
PT_TYPES = {"IG image": "Imagem do Instagram", "IG reel": "Reel do Instagram",
            "IG carousel": "Carrossel do Instagram"}
IT_TYPES = {"IG image": "Immagine di Instagram", "IG reel": "Reel di Instagram",
            "IG carousel": "Carosello di Instagram"}
WILD_STORY_ROWS = [
    {"post id": "18000000000000901", **IG_ACCOUNT, "account name": "Forest City Newcomers",
     "publish time": "06/12/2025 12:00", "post type": "IG story", "date": "Lifetime",
     "views": "210", "reach": "190", "replies": "1", "navigation": "180"},
]


def _translated(rows: list[dict], types: dict[str, str], date: str) -> list[dict]:
    return [dict(r, **{"post type": types.get(r["post type"], r["post type"]), "date": date})
            for r in rows]


def build_wild(out: Path) -> None:
    """Write the real-file variants (invented values) under ``out``."""
    charts = out / "charts"
    (charts / "trimmed").mkdir(parents=True, exist_ok=True)
    (charts / "instagram").mkdir(parents=True, exist_ok=True)
    dp = ["Date", "Primary"]
    # UTF-16, sep=, quoted, LF: untitled "Follows" (Facebook's) beside "Instagram follows"
    (charts / "Follows.csv").write_bytes(chart_bytes(
        [("Follows", dp, WILD_FB_DAYS), ("Instagram follows", dp, WILD_IG_DAYS)]))
    (charts / "Visits.csv").write_bytes(chart_bytes(
        [("Facebook visits", dp, WILD_FB_DAYS),
         ("Instagram profile visits", dp, WILD_IG_DAYS)]))
    # UTF-16, sep=<TAB>, unquoted, CRLF, padded title and blank lines, no final newline
    (charts / "Reach.csv").write_bytes(chart_bytes(
        [("Facebook reach", dp, WILD_FB_DAYS), ("Instagram reach", dp, WILD_IG_DAYS)],
        delimiter="\t", quoted=False, pad=True, newline="\r\n", end=""))
    # older files: value column named after the metric, mislabelled on visits
    (charts / "Page and profile visits.csv").write_bytes(chart_bytes(
        [("Facebook visits", ["Date", "Facebook Page likes"], WILD_FB_DAYS),
         ("Instagram profile visits", ["Date", "Instagram followers"], WILD_IG_DAYS)]))
    (charts / "Reach older.csv").write_bytes(chart_bytes(
        [("Facebook reach", ["Date", "Facebook reach"], WILD_FB_DAYS),
         ("Instagram reach", ["Date", "Instagram reach"], WILD_IG_DAYS)]))
    (charts / "New likes and follows.csv").write_bytes(chart_bytes(
        [("Facebook Page new likes", ["Date", "New Facebook Page likes"], WILD_FB_DAYS),
         ("Instagram follows", ["Date", "New Instagram followers"], WILD_IG_DAYS)]))
    # trimmed by hand to the header: no titles, no blank line between sections, CRLF
    (charts / "trimmed" / "visits.csv").write_bytes(chart_bytes(
        [(None, ["Date", "Facebook Page likes"], WILD_FB_DAYS),
         (None, ["Date", "Instagram followers"], WILD_IG_DAYS)],
        newline="\r\n", blank_between=False, end="\n"))
    # several series; the DST flip inside one file
    (charts / "Views multi.csv").write_bytes(chart_bytes(
        [("Facebook views", ["Date", "Primary", "Secondary", "Tertiary"],
          [(d, v, "1", "2") for d, v in WILD_DST_DAYS])]))
    # Portuguese (Brazil), UTF-16, "Data" column
    pt = ["Data", "Primary"]
    for name, title in (("Alcance", "Alcance do Instagram"),
                        ("Seguidores", "Seguidores no Instagram"),
                        ("Visitas", "Visitas ao perfil do Instagram"),
                        ("Cliques no link", "Cliques no link do Instagram")):
        (charts / f"{name}.csv").write_bytes(chart_bytes([(title, pt, WILD_IG_DAYS)]))
    for name, title in (("Alcance", "Alcance"), ("Interacoes", "Interações com o conteúdo"),
                        ("Visualizacoes", "Visualizações")):
        (charts / "instagram" / f"{name}.csv").write_bytes(
            chart_bytes([(title, pt, WILD_IG_DAYS)]))
    # audience breakdowns (skipped): the tab-separated Audience.csv and a Portuguese chart
    (charts / "Audience.csv").write_bytes(chart_bytes(
        [("Facebook followers", ["FB_PAGE", "FOLLOW", "UNIQUE_USERS", ""], [("1200", "", "", "")]),
         ("Instagram followers", ["IG_ACCOUNT", "FOLLOW", "UNIQUE_USERS", ""],
          [("480", "", "", "")])],
        delimiter="\t", quoted=False, pad=True, newline="\r\n"))
    (charts / "seg_paises.csv").write_bytes(chart_bytes(
        [("Seguidores do Instagram pelos principais países", ["Principais países", "Valor"],
          [("Canadá", "91,2%"), ("Brasil", "3,1%")])], encoding="utf-8-sig", end="\n"))

    # hand-trimmed files: a follows chart cut to its header, and an Italian audience
    # breakdown without titles (follows series, then age/gender, cities, countries)
    (charts / "instagram" / "Follower.csv").write_bytes(chart_bytes(
        [(None, ["Data", "Primary"], WILD_IG_DAYS)], sep_line=False))
    pubblico = ("Data,Primary\n2025-12-01T00:00:00,12\n2025-12-02T00:00:00,10\n\n"
                ",Donne,Uomini\n18-24,1.5,0.2\n25-34,6,0.4\n\n"
                "Roma, Lazio,Milano, Lombardia\n4.1,3.2\n\nItalia,Canada\n61.2,9.9")
    (charts / "Pubblico.csv").write_bytes(("\ufeff" + pubblico).encode("utf-16-le"))

    # the newer Portuguese Audience.csv ("Público.csv"): no follower block, cities and
    # countries as a row of names over a row of shares
    (charts / "Publico.csv").write_bytes(chart_bytes(
        [("Faixa etária e gênero", ["", "Mulheres", "Homens"], [("18-24", "20", "11.5")]),
         ("Principais cidades", ["London, ON", "Toronto, ON"], [("61.5", "7.5")]),
         ("Principais países", ["Canadá", "Brasil"], [("90.1", "2.2")])]))

    posts = out / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (posts / "facebook_error_rows.csv").write_bytes(meta_csv(FB_ERROR_HEADER, WILD_FB_ROWS))
    (posts / "instagram_portuguese.csv").write_bytes(meta_csv(
        IG_PT_HEADER, _translated(WILD_IG_ROWS, PT_TYPES, "Vitalício"),
        key_map=PT_KEYS))
    (posts / "instagram_italian.csv").write_bytes(meta_csv(
        IG_IT_HEADER, _translated(WILD_IG_ROWS, IT_TYPES, "Totale"), key_map=IT_KEYS))
    (posts / "instagram_portuguese_2.csv").write_bytes(meta_csv(
        IG_PT2_HEADER, _translated(WILD_IG_ROWS, PT_TYPES, "Total"), key_map=PT2_KEYS))
    (posts / "instagram_duration_secs.csv").write_bytes(meta_csv(
        IG_SECS_HEADER, WILD_IG_ROWS[:2], key_map=SECS_KEYS))
    (posts / "instagram_header_only.csv").write_bytes(meta_csv(IG_PT_HEADER, []))
    (posts / "instagram_stories.csv").write_bytes(meta_csv(IG_STORY_HEADER, WILD_STORY_ROWS))
    others_only = [dict(r, **{"account username": "partner.library"}) for r in WILD_IG_ROWS]
    (posts / "instagram_without_org_account.csv").write_bytes(meta_csv(
        IG_SECS_HEADER, others_only, key_map=SECS_KEYS))


if __name__ == "__main__":
    build()

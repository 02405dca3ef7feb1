"""Google Ads (Ad Grant) performance reports (export-formats.md §8) → the ``ads`` table.

A report download has a title line naming the report (``Campaign report``, ``Ad group
report``, ``Search keyword report``, ``Search terms report``, ``Location report``, ``Ad
report``; in French, Spanish and Portuguese interfaces the title is translated), a period
line (``March 27, 2026 - April 23, 2026``, ``27 janvier 2026 - 23 février 2026``,
``1 de Janeiro de 2021 - 31 de Janeiro de 2021`` or ``All time``), then the header. The
2016 AdWords download puts the period in the title (``Ad report (Oct 25, 2016-Oct 31,
2016)``) and the header on line 2. Both the CSV (UTF-8, comma) and the "Excel CSV"
(UTF-16LE with BOM, tab) are read.

Each row keeps its grain in ``level`` (campaign, ad_group, keyword, search_term, location,
ad) with the campaign and the ``item`` at that level (ad group, keyword, search term, …):
levels are never added together (KPIs use the campaign level only). ``Total: …`` rows are
dropped wherever the ``Total`` cell sits (keyword reports put it in the third column).
Numbers follow the file's own locale: ``1,356,884`` / ``1032.50`` (English) or
``1.683,00`` / ``"798,88"`` (decimal comma), with currency symbols (``R$``, ``€``, ``$``)
stripped; `` --``, ``—``, ``< 10%`` are missing (NA, never 0). The currency comes from
``Currency code``, never assumed.

Re-downloads of the same report and period are collapsed by :func:`dedupe_ads` (newest
download wins); Google Ads Editor files and reports of other levels are skipped as "not a
performance report" (:class:`~workbench.errors.NotAnExportError`).
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import schema
from workbench.errors import InputFormatError, NotAnExportError
from workbench.io._tabular import match_columns, norm, snapshot_at
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

#: Report title (normalised, without a trailing period in parentheses) → ``level``.
#: English titles are from real files; French, Spanish and Portuguese from real files where
#: the docs say so (export-formats §8.1), else from the Google Ads interface wording.
TITLES: dict[str, str] = {
    "campaign report": "campaign",
    "campaigns report": "campaign",
    "rapport sur les campagnes": "campaign",
    "rapport de campagne": "campaign",
    "informe de campañas": "campaign",
    "informe de campaña": "campaign",
    "relatório de campanha": "campaign",
    "relatório de campanhas": "campaign",
    "ad group report": "ad_group",
    "rapport sur les groupes d'annonces": "ad_group",
    "informe de grupos de anuncios": "ad_group",
    "relatório de grupo de anúncios": "ad_group",
    "relatório de grupos de anúncios": "ad_group",
    "search keyword report": "keyword",
    "keyword report": "keyword",
    "rapport sur les mots clés de recherche": "keyword",
    "rapport sur les mots clés": "keyword",
    "informe de palabras clave de búsqueda": "keyword",
    "informe de palabras clave": "keyword",
    "palavra-chave de pesquisa": "keyword",
    "relatório de palavras-chave de pesquisa": "keyword",
    "search terms report": "search_term",
    "search term report": "search_term",
    "rapport sur les termes de recherche": "search_term",
    "informe de términos de búsqueda": "search_term",
    "termos de pesquisa": "search_term",
    "relatório de termos de pesquisa": "search_term",
    "location report": "location",
    "locations report": "location",
    "rapport sur les zones géographiques": "location",
    "informe de ubicaciones": "location",
    "relatório de locais": "location",
    "ad report": "ad",
    "ads report": "ad",
    "rapport sur les annonces": "ad",
    "informe de anuncios": "ad",
    "relatório de anúncios": "ad",
}
LEVELS = ("campaign", "ad_group", "keyword", "search_term", "location", "ad")

#: Canonical column → header spellings (en-US/en-GB real; fr/es/pt where seen or documented).
COLUMNS: dict[str, tuple[str, ...]] = {
    "campaign": ("Campaign", "Campagne", "Campaña", "Campanha", "Campaign name",
                 "Nom de la campagne", "Nombre de la campaña", "Nome da campanha"),
    "ad_group": ("Ad group", "Groupe d'annonces", "Grupo de anuncios", "Grupo de anúncios"),
    "impressions": ("Impr.", "Impressions", "Impresiones", "Impressões"),
    "clicks": ("Clicks", "Clics", "Cliques"),
    # Search ads count a click as the interaction: used when a report has no Clicks column
    "interactions": ("Interactions", "Interacciones", "Interações"),
    "cost": ("Cost", "Coût", "Costo", "Coste", "Custo"),
    "currency": ("Currency code", "Code de la devise", "Código de moneda",
                 "Código de la moneda", "Código da moeda"),
    "conversions": ("Conversions", "Conversiones", "Conversões"),
    "quality_score": ("Quality Score", "Qual. score", "Niveau de qualité", "Nivel de calidad",
                      "Índice de qualidade"),
    "match_type": ("Match type", "Type de correspondance", "Tipo de concordancia",
                   "Pesquisar tipo de correspondência de palavra-chave",
                   "Tipo de correspondência dos termos de pesquisa",
                   "Tipo de correspondência"),
}
#: The column naming the item of each level (the first one present is used).
ITEMS: dict[str, tuple[str, ...]] = {
    "campaign": COLUMNS["campaign"],
    "ad_group": COLUMNS["ad_group"],
    "keyword": ("Keyword", "Search keyword", "Mot clé", "Mot clé de recherche",
                "Palabra clave", "Palabra clave de búsqueda", "Pesquisar palavra-chave",
                "Palavra-chave", "Palavra-chave da rede de pesquisa"),
    "search_term": ("Search term", "Terme de recherche", "Término de búsqueda",
                    "Termo de pesquisa"),
    "location": ("Location", "Zone géographique", "Lieu", "Ubicación", "Local",
                 "Localização"),
    "ad": ("Ad ID", "ID de l'annonce", "ID del anuncio", "ID do anúncio", "Ad", "Annonce",
           "Anuncio", "Anúncio", "Headline 1", "Titre 1", "Título 1", "Final URL"),
}
METRICS = ("impressions", "clicks", "cost")
#: Columns a performance report may carry instead of a metric (see :func:`parse`).
_FALLBACK = {"clicks": "interactions"}

#: "All time" in the period line, per interface language.
ALL_TIME = {"all time", "toute la période", "todo el período", "todo o período",
            "desde el principio", "tout"}
#: Month names (full and abbreviated, lower case, no dot) → month number.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
        "january jan janvier janv enero ene janeiro",
        "february feb février févr fevrier febrero fevereiro fev",
        "march mar mars marzo março",
        "april apr avril avr abril abr",
        "may mai mayo maio",
        "june jun juin junio junho",
        "july jul juillet juil julio julho",
        "august aug août aout agosto ago",
        "september sep sept septembre septiembre setiembre setembro set",
        "october oct octobre octubre outubro out",
        "november nov novembre noviembre novembro",
        "december dec décembre déc decembre diciembre dic dezembro dez"), start=1):
    for _name in _names.split():
        MONTHS[_name] = _number

_TOTAL_CELL = re.compile(r"^total(?:e|es)?(?:\s*[:\-–].*)?$", re.IGNORECASE)
_PERIOD_IN_TITLE = re.compile(r"^(?P<title>.*?)\s*\((?P<period>[^()]*\d{4}[^()]*)\)\s*$")
_MISSING = {"", "--", "-", "—", "–", "< 10%", "> 90%", "<10%", ">90%", "n/a", "null"}
_NOT_NUMBER = re.compile(r"[^\d,.\-]")
_COMMA_DECIMAL = re.compile(r"^-?[\d.\s\u00a0\u202f]*\d,\d{1,2}%?$")
_DOT_DECIMAL = re.compile(r"^-?[\d,\s\u00a0\u202f]*\d\.\d{1,2}%?$")
_EDITOR_HEADERS = {"row type", "action", "campaign type", "networks", "budget type",
                   "ad group", "keyword", "match type", "headline 1", "ad status",
                   "campaign status", "keyword status", "ad type", "criterion type"}


def parse_period(text: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None, bool]:
    """Return (start, end, all_time) from the report's period line.

    Reads English, French, Spanish and Portuguese dates (``March 27, 2026``,
    ``27 January 2026``, ``27 janvier 2026``, ``1 de Janeiro de 2021``, ``Oct 25, 2016``).

    Raises:
        ValueError: The line is neither "All time" nor a ``<date> - <date>`` range.
    """
    text = text.strip().strip('"').strip()
    if norm(text) in ALL_TIME:
        return None, None, True
    parts = [p.strip() for p in re.split(r"\s*[-–]\s*", text)]
    if len(parts) != 2:
        raise ValueError(text)
    start, end = _date(parts[0]), _date(parts[1])
    return start, end, False


def _date(text: str) -> pd.Timestamp:
    tokens = [t for t in re.split(r"[\s,.]+", norm(text)) if t and t not in ("de", "del")]
    year = [t for t in tokens if re.fullmatch(r"\d{4}", t)]
    day = [t for t in tokens if re.fullmatch(r"\d{1,2}", t)]
    month = [MONTHS[t] for t in tokens if t in MONTHS]
    if len(year) != 1 or len(day) != 1 or len(month) != 1 or len(tokens) != 3:
        raise ValueError(text)
    return pd.Timestamp(year=int(year[0]), month=month[0], day=int(day[0]))


def _rows(raw: RawFile) -> list[list[str]]:
    lines = raw.first_lines(4)
    header_line = lines[2] if len(lines) > 2 else (lines[-1] if lines else "")
    delimiter = "\t" if "\t" in header_line or (lines and "\t" in lines[-1]) else ","
    try:
        return list(csv.reader(io.StringIO(raw.text), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a bare carriage return inside a cell
        raise InputFormatError(f"the CSV cannot be parsed ({exc})", file=raw.path,
                               hint="the file may be damaged; download it again") from exc


def _layout(rows: list[list[str]]) -> tuple[str, str | None, int]:
    """(title, period text or None, index of the header row)."""
    title = rows[0][0].strip() if rows and rows[0] else ""
    second = ",".join(rows[1]).strip() if len(rows) > 1 else ""
    if len(rows) > 1 and len(rows[1]) <= 2 and _is_period(second):
        return title, second, 2
    found = _PERIOD_IN_TITLE.match(title)
    if found and _is_period(found.group("period")):  # AdWords 2016: "Ad report (… - …)"
        return found.group("title"), found.group("period"), 1
    return title, second or None, 2


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except ValueError:
        return False
    return True


def _level(title: str, header: list[str]) -> str | None:
    """The report's level from its title, else from the columns it has."""
    level = TITLES.get(norm(title))
    if level is not None:
        return level
    if norm(title) and any(w in norm(title) for w in ("report", "rapport", "informe",
                                                      "relatório")):
        return None  # a titled report of another kind (assets, devices, …)
    for name in ("search_term", "keyword", "location", "ad", "ad_group", "campaign"):
        if match_columns(header, {name: ITEMS[name]}):
            return name
    return None


def detect_decimal_comma(cells: list[str]) -> bool:
    """True when the file writes decimals with a comma (``"798,88"``, ``1.683,00``).

    Decided on the cells whose last separator is followed by one or two digits (costs,
    rates): ``1,234`` alone is ambiguous and not counted.
    """
    comma = dot = 0
    for cell in cells[:2000]:  # plenty to decide; a file has one locale
        text = _strip_symbols(cell)
        if _COMMA_DECIMAL.match(text):
            comma += 1
        elif _DOT_DECIMAL.match(text):
            dot += 1
    return comma > dot


def _strip_symbols(cell: str) -> str:
    text = cell.strip()
    return re.sub(r"^[^\d\-]*|[^\d%]*$", "", text) if text else text


_MISSING_SET = pa.array(sorted(_MISSING), type=pa.large_string())
_NULL_TEXT = pa.scalar(None, pa.large_string())


def _stripped(cells: list[str]) -> pa.Array:
    """Cells stripped, placeholders null, as one Arrow array.

    The same as ``Series(cells, dtype="string").str.strip()`` masked where
    ``.str.lower().isin(_MISSING)``: the Arrow kernels those pandas calls run, without a
    Series per step.
    """
    text = pc.utf8_trim_whitespace(pa.array(cells, type=pa.large_string()))
    return pc.if_else(pc.is_in(pc.utf8_lower(text), value_set=_MISSING_SET), _NULL_TEXT, text)


def to_number(values: list[str], decimal_comma: bool) -> pd.Series:
    """Cells → Float64: currency symbols and spaces stripped, placeholders NA, locale-aware."""
    text = pc.replace_substring_regex(_stripped(values), pattern=_NOT_NUMBER.pattern,
                                      replacement="")  # R$, €, $, spaces, %
    if decimal_comma:
        text = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:
        text = pc.replace_substring(text, ",", "")
    series = pd.Series(pd.arrays.ArrowStringArray(text), copy=False)
    return pd.to_numeric(series, errors="coerce").astype("Float64")


def _clean_text(cells: list[str]) -> pd.Series:
    """Cells → string: stripped, placeholders NA (row labels 0..n-1)."""
    return pd.Series(pd.arrays.ArrowStringArray(_stripped(cells)), copy=False)


def _columns_cut(values: pd.Series, names: list[str], n: int) -> dict[str, pd.Series]:
    """``values`` (the columns ``names`` of ``n`` rows each, end to end) cut into columns."""
    array = values.array
    return {name: pd.Series(array[i * n:(i + 1) * n], index=pd.RangeIndex(n), copy=False)
            for i, name in enumerate(names)}


def _dates(value: pd.Timestamp | None, n: int) -> np.ndarray:
    """``n`` copies of a naive date (or NaT) as datetime64[ns], as conform casts them."""
    if value is None or value is pd.NaT:
        return np.full(n, np.datetime64("NaT", "ns"))
    return np.full(n, pd.Timestamp(value).as_unit("ns").to_datetime64())


def _snapshots(value: pd.Timestamp, n: int) -> object:
    """``n`` copies of the download time as datetime64[ns, UTC] (conform's cast)."""
    fast = schema.constant_array(value, n, "datetime64[ns, UTC]")
    if fast is not None:
        return fast
    return schema.constant(value, n, "datetime64[ns, UTC]").array


def _is_total(row: list[str]) -> bool:
    # the substring test first: most rows hold no "total" at all
    return any("otal" in cell and _TOTAL_CELL.match(cell.strip()) for cell in row)


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Google Ads performance report (any level, CSV or Excel CSV) into ``ads``."""
    rows = _rows(raw)
    title, period_text, header_at = _layout(rows)
    if len(rows) <= header_at:
        raise InputFormatError("the report has no header row", file=raw.path,
                               hint="download the report again from Google Ads")
    header = [c.strip() for c in rows[header_at]]
    level = _level(title, header)
    if level is None:
        raise NotAnExportError(
            f"a Google Ads '{title}', not a performance report we read (campaign, ad group, "
            "keyword, search terms, location and ad reports are)", file=raw.path)
    found = match_columns(header, COLUMNS)
    item_col = _item_columns(header, level)
    notes = []
    for metric, fallback in _FALLBACK.items():
        if metric not in found and fallback in found:
            found[metric] = found.pop(fallback)
            notes.append(f"no '{COLUMNS[metric][0]}' column: clicks read from "
                         f"'{found[metric]}' (the same count for Search ads)")
    found.pop("interactions", None)
    metrics = [m for m in METRICS if m in found]
    if not metrics:
        if "campaign" in found or item_col:
            raise NotAnExportError(
                f"a Google Ads {title or 'table'} without Impr., Clicks or Cost columns: "
                "not a performance report", file=raw.path)
        raise InputFormatError(
            "Google Ads report in an unknown language or layout (headers seen: "
            + ", ".join(h for h in header if h) + ")",
            file=raw.path, row=header_at + 1,
            hint="switch the Google Ads interface to English and download the report again")
    if level == "campaign" and "campaign" not in found:
        raise InputFormatError(
            "Google Ads report in an unknown language or layout (headers seen: "
            + ", ".join(h for h in header if h) + ")",
            file=raw.path, row=header_at + 1,
            hint="switch the Google Ads interface to English and download the Campaign "
                 "report again")
    legacy = header_at == 1
    if "cost" in found and "currency" not in found and not legacy:
        raise InputFormatError(
            f"column '{COLUMNS['currency'][0]}' is missing from the {title or 'report'}",
            file=raw.path, row=header_at + 1, column=COLUMNS["currency"][0],
            hint="add it with Columns > Modify columns in Google Ads, then download again")
    try:
        if period_text is None:
            raise ValueError("")
        start, end, all_time = parse_period(period_text)
    except ValueError:
        shown = period_text or ""
        raise InputFormatError(
            f"the period line {shown!r} is not a date range or 'All time'",
            file=raw.path, row=2,
            hint="download the report again; the second line must be its date range") from None

    width = len(header)
    body, totals = [], 0
    for row in rows[header_at + 1:]:
        if not any(c.strip() for c in row):
            continue
        if _is_total(row):
            totals += 1
            continue
        body.append(row[:width] + [""] * (width - len(row)))
    position = {name: header.index(col) for name, col in found.items()}
    numeric_cells = [row[position[m]] for row in body for m in ("cost", "conversions")
                     if m in position]
    decimal_comma = detect_decimal_comma(numeric_cells)

    # every cleaning below is cell by cell, so the columns of one kind are cleaned in one
    # pass over their cells laid end to end, then cut back into columns (fewer pandas calls)
    n = len(body)
    text_names = [m for m in ("campaign", "currency", "ad_group", "match_type")
                  if m in position]
    number_names = [m for m in ("impressions", "clicks", "cost", "conversions",
                                "quality_score") if m in position]
    texts = _columns_cut(_clean_text([row[position[m]] for m in text_names for row in body]),
                         text_names, n)
    numbers = _columns_cut(to_number([row[position[m]] for m in number_names for row in body],
                                     decimal_comma), number_names, n)

    def text(name: str) -> pd.Series:
        if name not in texts:
            return pd.Series(pd.NA, index=range(n), dtype="string")
        return texts[name]

    def number(name: str) -> pd.Series:
        if name not in numbers:
            return pd.Series(pd.NA, index=range(n), dtype="Float64")
        return numbers[name]

    item = _item(body, header, item_col)
    # the columns in their canonical order and dtypes (what conform would make of the
    # scalars), so conform below has nothing left to cast
    ads = pd.DataFrame({
        "level": schema.constant_array(level, n, "string"),
        "period_start": _dates(start, n),
        "period_end": _dates(end, n),
        "campaign": text("campaign"),
        "item": item,
        "impressions": number("impressions").round().astype("Int64"),
        "clicks": number("clicks").round().astype("Int64"),
        "cost": number("cost"),
        "currency": text("currency"),
        "conversions": number("conversions"),
        "quality_score": number("quality_score"),
        "source_file": schema.constant_array(str(raw.path), n, "string"),
        "all_time": schema.constant_array(bool(all_time), n, "boolean"),
        "ad_group": (text("ad_group") if level != "ad_group"
                     else schema.constant_array(None, n, "string")),
        "match_type": text("match_type"),
        "snapshot_at": _snapshots(snapshot_at(raw), n),
    }, index=pd.RangeIndex(n))
    ads = schema.conform(ads, "ads")
    currencies = sorted(set(ads["currency"].dropna()))
    notes += [f"{level} level ('{title}')", f"{totals} 'Total' row(s) dropped",
             f"currency read from 'Currency code': {', '.join(currencies) or 'none'}",
             "decimal comma" if decimal_comma else "decimal point"]
    warnings = []
    missing = [COLUMNS[m][0] for m in METRICS if m not in found]
    if missing:
        warnings.append(f"no {', '.join(missing)} column: left empty (NA)")
    if legacy and "currency" not in found:
        warnings.append("an old AdWords download without 'Currency code': cost has no currency")
    if all_time:
        warnings.append("an 'All time' report: marked all_time, never summed with monthly ones")
    if len(currencies) > 1:
        warnings.append(f"several currencies in one report: {', '.join(currencies)}")
    return ParsedExport(
        path=raw.path, kind="google_ads_campaigns", tables={"ads": ads},
        date_min=start, date_max=end, warnings=warnings, notes=notes,
        snapshot_at=ads["snapshot_at"].iloc[0] if len(ads) else None,
        unknown_columns=[h for h in header if h and h not in found.values()
                         and h not in item_col],
    )


def _item_columns(header: list[str], level: str) -> list[str]:
    """The header cells naming the item (several for ads: ID, else text, else headline)."""
    by_norm = {norm(h): h for h in reversed(header)}
    return [by_norm[norm(name)] for name in ITEMS[level] if norm(name) in by_norm]


def _item(body: list[list[str]], header: list[str], columns: list[str]) -> pd.Series:
    """The first non-empty cell of ``columns`` per row (an ad's ID, else its text)."""
    positions = [header.index(c) for c in columns]
    if len(positions) == 1:
        return _clean_text([row[positions[0]] for row in body])
    values = []
    for row in body:
        cells = [row[p].strip() for p in positions]
        values.append(next((c for c in cells if norm(c) not in _MISSING), None))
    return pd.Series(pd.array(values, dtype="string"))


#: What identifies one figure of one report: a re-download repeats these.
DEDUPE_KEY = ("level", "campaign", "ad_group", "item", "match_type", "period_start",
              "period_end", "all_time")


def dedupe_ads(ads: pd.DataFrame) -> pd.DataFrame:
    """Collapse re-downloads of the same report and period: the newest download wins.

    Rows are keyed by level, campaign, ad group, item, match type and period; when a key
    appears in several files, only the rows of the newest file (``snapshot_at``, then
    ``source_file`` as tie-break) are kept. Rows of one file are never collapsed with each
    other (a search term can appear once per keyword that matched it). Reports of
    different periods are all kept: choosing among overlapping periods is the KPI's job.

    Args:
        ads: The ``ads`` rows of every file.

    Returns:
        A new frame, rows in their original order, duplicates from older downloads removed.
    """
    if ads.empty:
        return ads.copy()
    key = [c for c in DEDUPE_KEY if c in ads.columns]
    frame = ads.reset_index(drop=True)
    files = frame[["source_file"]].copy()
    stamp = frame["snapshot_at"] if "snapshot_at" in frame else pd.Series(pd.NaT,
                                                                          index=frame.index)
    files["_stamp"] = pd.to_datetime(stamp, utc=True)
    rank = (files.drop_duplicates("source_file")
            .sort_values(["_stamp", "source_file"], na_position="first", kind="stable")
            .reset_index(drop=True))
    order = pd.Series(range(len(rank)), index=rank["source_file"].astype(str))
    file_rank = frame["source_file"].astype(str).map(order)
    keys = frame[key].astype("string").fillna("\x00")
    newest = file_rank.groupby([keys[c] for c in key], dropna=False).transform("max")
    return frame[(file_rank == newest).to_numpy()].reset_index(drop=True)


def drop_nested_periods(ads: pd.DataFrame) -> pd.DataFrame:
    """Drop rows whose period lies strictly inside another row's period for the same item.

    For a month's total: a report of 1-15 March and one of 1-31 March both describe the
    first half, so only the wider is kept; 1-15 and 16-31 March are both kept (they add up).
    """
    if ads.empty:
        return ads
    frame = ads.reset_index(drop=True)
    key = [c for c in ("level", "campaign", "ad_group", "item", "match_type")
           if c in frame.columns]
    keep = np.ones(len(frame), dtype=bool)
    groups = frame[key].astype("string").fillna("\x00")
    starts = frame["period_start"].to_numpy()
    ends = frame["period_end"].to_numpy()
    for positions in frame.groupby([groups[c] for c in key], sort=False).indices.values():
        if len(positions) < 2:
            continue
        s, e = starts[positions], ends[positions]
        # row i lies inside row j: j starts no later, ends no earlier, and is not the same period
        inside = ((s[None, :] <= s[:, None]) & (e[None, :] >= e[:, None])
                  & ((s[None, :] != s[:, None]) | (e[None, :] != e[:, None])))
        keep[positions[inside.any(axis=1)]] = False
    return frame[keep].reset_index(drop=True)


def sniff(raw: RawFile) -> bool:
    """A one-cell title naming a report, a period line (or one in the title), a header."""
    if raw.container != "text":
        return False
    lines = raw.first_lines(4)
    if len(lines) < 2:
        return False
    title_cells = next(csv.reader([lines[0]], delimiter="\t" if "\t" in lines[0] else ","), [])
    if len([c for c in title_cells if c.strip()]) != 1:
        return False
    title = title_cells[0].strip()
    found = _PERIOD_IN_TITLE.match(title)
    if found and _is_period(found.group("period")) and len(lines) >= 2:
        header = lines[1]
        title = found.group("title")
    elif len(lines) >= 3 and _is_period(lines[1].strip().strip(",").strip("\t")):
        header = lines[2]
    else:
        return False
    cells = {norm(c) for c in re.split(r"[\t,]", header)}
    if len(cells) < 2:
        return False
    known = {norm(n) for names in (*COLUMNS.values(), *ITEMS.values()) for n in names}
    return bool(norm(title) in TITLES or any(
        w in norm(title) for w in ("report", "rapport", "informe", "relatório"))) and bool(
        cells & known)


def sniff_editor(raw: RawFile) -> bool:
    """A Google Ads Editor (or bulk-upload) sheet: campaign settings with no title lines."""
    if raw.container != "text":
        return False
    lines = raw.first_lines(2)
    if not lines:
        return False
    cells = [norm(c) for c in re.split(r"[\t,]", lines[0])]
    if "campaign" not in cells and "row type" not in cells:
        return False
    metric_names = {norm(n) for m in METRICS for n in COLUMNS[m]}
    if set(cells) & metric_names:
        return False
    return len(set(cells) & _EDITOR_HEADERS) >= 2


def parse_editor(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Editor files hold settings, not results: always skipped."""
    raise NotAnExportError(
        "a Google Ads Editor or bulk-upload sheet (campaign settings without Impr., Clicks "
        "or Cost): not a performance report", file=raw.path)


register(ExportKind("google_ads_campaigns", "Google Ads performance report", sniff, parse,
                    priority=40))
register(ExportKind("google_ads_editor", "Google Ads Editor sheet (skipped)", sniff_editor,
                    parse_editor, priority=5))

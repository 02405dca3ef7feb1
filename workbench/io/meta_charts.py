"""Meta Business Suite chart downloads (daily series), as they really come.

A chart download is one or more *sections*; each section is an optional title line (the
chart's name in the interface language, e.g. ``Facebook reach``, ``Alcance``,
``Seguidores no Instagram``), a header line whose first cell is the date column (``Date``,
``Data``, ``Fecha``…) and one line per day (``2025-03-08T00:00:00``, the hour flipping
between ``T00`` and ``T01`` at US daylight-saving changes). Sections are separated by a
blank line. Seen in real files (docs/export-formats.md §1b):

* ``sep=,`` or ``sep=<TAB>`` first line (or none, when the file was trimmed by hand to start
  at the header); UTF-16 or UTF-8; CRLF or LF;
* value column ``Primary`` (recent), or named after the metric (older: ``Facebook reach``,
  ``New Facebook Page likes``); Meta mislabels some (a ``Facebook visits`` section whose
  column says ``Facebook Page likes``), so the **section title decides the metric**;
* several series (``Primary``, ``Secondary``, ``Tertiary``): the ``Primary`` series (the
  first value column) is read, the others are named in a note;
* an untitled-platform section (``Follows``) beside one that names Instagram is Facebook's;
* days without a value are omitted by Meta (nothing is invented for them).

Decisions: a section's platform comes from its title, else its column name, else its
siblings, else the folder or file name (``data/raw/<month>/instagram/``); without any of
these the file is rejected with that hint. The metric comes from the title, else (an
untitled, hand-trimmed section) from the file name, else from the column name.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import InputFormatError
from workbench.io._tabular import constant_column
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport, snapshot_from_file
from workbench.schema import conform

#: Date-column header in the interface languages seen or documented (normalised).
DATE_WORDS = frozenset({"date", "data", "fecha", "datum", "dátum", "tarih", "data e ora"})

#: Platform words in titles and column names.
PLATFORM_WORDS = {"facebook": "facebook", "fb": "facebook", "instagram": "instagram",
                  "ig": "instagram"}

#: Metric -> title phrases (accents removed, lower case), checked in this order: the first
#: phrase found as whole words in the title decides. English, French, Spanish, Portuguese
#: (Brazil and Portugal), Italian. ``visits`` becomes ``profile_visits`` on Instagram.
METRIC_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("link_clicks", (
        "link clicks", "link click", "cliques no link", "cliques na ligacao",
        "cliques em links", "clics sur le lien", "clics sur les liens", "clics sur un lien",
        "clics en el enlace", "clics en enlaces", "clics en el vinculo", "clic sul link",
        "clic sui link", "clic sui link",
    )),
    ("interactions", (
        "content interactions", "interactions", "interacoes com o conteudo", "interacoes",
        "interactions avec le contenu", "interacciones con el contenido", "interacciones",
        "interazioni con i contenuti", "interazioni con il contenuto", "interazioni",
    )),
    ("viewers", ("viewers", "spectateurs", "espectadores", "spettatori")),
    ("visits", (
        "page and profile visits", "profile visits", "page visits", "visits", "visitas",
        "visitas ao perfil", "visites", "visites du profil", "visite", "visite al profilo",
    )),
    ("follows", (
        "new likes and follows", "follows", "new follows", "new followers", "followers",
        "follower", "page new likes", "new likes", "new page likes", "seguidores",
        "novos seguidores", "seguimentos", "nuevos seguidores", "abonnes", "nouveaux abonnes",
        "nuovi follower", "nuovi followers",
    )),
    ("reach", ("reach", "alcance", "couverture", "portee", "copertura", "reichweite")),
    ("views", (
        "views", "visualizacoes", "visualizaciones", "vues", "visualizzazioni", "impressions",
    )),
)

#: Column names that look like a metric but are Meta's mislabels (older visits charts say
#: ``Facebook Page likes`` / ``Instagram followers``): never used to name the metric.
AMBIGUOUS_COLUMNS = frozenset({"facebook page likes", "page likes", "instagram followers"})

#: Column words of the age/gender table of an audience breakdown.
GENDER_WORDS = frozenset({"women", "men", "donne", "uomini", "mulheres", "homens", "femmes",
                          "hommes", "mujeres", "hombres"})

_DATA_LINE = re.compile(r'^"?\d{4}-\d{2}-\d{2}')
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$")
_AUDIENCE_MARKERS = ("fb_page", "ig_account")
_AUDIENCE_TITLE = re.compile(
    r"(gender and age|age & gender|age and gender|top (towns/)?cities|top countries"
    r"|genero e idade|principais (cidades|paises)|genre et age|principales villes"
    r"|principaux pays|genero y edad|principales ciudades|principales paises"
    r"|genere ed eta|citta principali|paesi principali|faixa etaria e genero"
    r"|tranche d'age et genre|rango de edad y genero|fascia d'eta e genere|eta e genere)"
)


def fold(text: str) -> str:
    """Lower case, accents removed, BOM/quotes/whitespace trimmed and collapsed."""
    return _fold_text(str(text))


@functools.lru_cache(maxsize=8192)  # titles and headers repeat from file to file
def _fold_text(text: str) -> str:
    text = text.replace("\ufeff", "").strip().strip('"').lower()
    if text.isascii():  # nothing to decompose: the same as the route below, faster
        return " ".join(text.split())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def title_platform(text: str) -> str | None:
    """``facebook``/``instagram`` when the text names exactly one of them, else None."""
    tokens = set(re.split(r"[^a-z0-9]+", fold(text)))
    found = {PLATFORM_WORDS[t] for t in tokens if t in PLATFORM_WORDS}
    return found.pop() if len(found) == 1 else None


def title_metric(text: str) -> str | None:
    """The daily metric a chart title (or column name) names, in any known language."""
    words = " " + " ".join(re.split(r"[^a-z0-9/&]+", fold(text))) + " "
    for metric, phrases in METRIC_PHRASES:
        if any(f" {phrase} " in words for phrase in phrases):
            return metric
    return None


def platform_from_path(path: Path) -> str | None:
    """``facebook``/``instagram`` from the file name or its three nearest folders, else None."""
    parts = [Path(path).stem, *[p.name for p in list(Path(path).parents)[:3]]]
    for part in parts:
        tokens = set(re.split(r"[^a-z0-9]+", part.lower()))
        found = {PLATFORM_WORDS[t] for t in tokens if t in PLATFORM_WORDS}
        if len(found) == 1:
            return found.pop()
    return None


# --------------------------------------------------------------------------- layout


@dataclass
class Section:
    """One chart inside a download: title (if any), header cells, data rows."""

    title: str | None
    header: list[str]
    header_line: int  # 0-based line index of the header, for messages
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line index, cells)


def _split_head(raw: RawFile, lines: list[str]) -> tuple[int, str]:
    """(index of the first content line, delimiter), honouring a ``sep=`` line."""
    if lines and lines[0].strip().lower().startswith("sep="):
        sep = lines[0].strip()[4:5] or ("\t" if "\t" in lines[0] else ",")
        return 1, sep
    return 0, raw.sniff_delimiter(lines[:12])


def _cells(line: str, delimiter: str) -> list[str]:
    parts = line.split(delimiter)
    if '"' not in line:
        return [c.strip() for c in parts]
    if all(len(c) >= 2 and c[0] == c[-1] == '"' and '"' not in c[1:-1] for c in parts):
        return [c[1:-1].strip() for c in parts]  # every cell quoted, none holding a quote
    return [c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])]


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 2 and fold(cells[0]) in DATE_WORDS and bool(cells[1])


def _is_title(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) == 1 and bool(cells[0]) and not _ISO_DAY.match(cells[0])


def looks_like_chart(raw: RawFile) -> bool:
    """Cheap content test: (``sep=``) (title) date header, then an ISO-dated line."""
    if raw.container != "text":
        return False
    lines = raw.first_lines(6)
    start, delimiter = _split_head(raw, lines)
    rest = [line for line in lines[start:] if line.strip(" \t,;")]
    if len(rest) < 2:
        return False
    first = _cells(rest[0], delimiter)
    if _is_title(first):
        rest = rest[1:]
        if len(rest) < 2:
            return False
        first = _cells(rest[0], delimiter)
    if not _is_header(first):
        return False
    day = _cells(rest[1], delimiter)
    if not day or not _ISO_DAY.match(day[0]):
        return False
    # "Primary" or a metric-named column; a timestamped date is Meta's own mark
    return fold(first[1]) == "primary" or "T" in day[0]


def read_sections(raw: RawFile) -> tuple[list[Section], str]:
    """Split a chart download into its sections.

    Raises:
        InputFormatError: A data line whose date is not a date, or no section at all.
    """
    lines = raw.lines
    start, delimiter = _split_head(raw, lines[:12])
    sections: list[Section] = []
    pending_title: str | None = None
    current: Section | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip(" \t,;\"'"):
            current = None  # a blank line ends a section
            pending_title = None
            continue
        if current is not None and _DATA_LINE.match(line):  # the common case, kept cheap
            current.rows.append((index, _cells(line, delimiter)))
            continue
        cells = _cells(line, delimiter)
        if _is_header(cells):
            current = Section(pending_title, cells, index)
            sections.append(current)
            pending_title = None
            continue
        if current is None:
            if _is_title(cells):
                pending_title = cells[0]
                continue
            raise InputFormatError(
                f"a line {line[:40]!r} outside any chart section",
                file=raw.path, row=index + 1,
                hint="download the chart again from Meta Business Suite",
            )
        if _is_title(cells) and not _ISO_DAY.match(cells[0]):
            # a new section title right after data (no blank line in between)
            current = None
            pending_title = cells[0]
            continue
        current.rows.append((index, cells))
    if not sections:
        raise InputFormatError(
            "no chart section (a 'Date' header followed by dated lines) was found",
            file=raw.path, hint="download the chart again from Meta Business Suite",
        )
    return sections, delimiter


# --------------------------------------------------------------------------- values


def _number(text: str, raw: RawFile, row: int, column: str) -> float:
    """A chart value: plain digits; thousands separators of a spreadsheet re-save tolerated."""
    if text == "" or text in {"-", "--", "N/A"}:
        return np.nan
    try:
        return float(text)
    except ValueError:
        pass
    cleaned = re.sub(r"[,\s\u00a0\u202f]", "", text)
    try:
        return float(cleaned)
    except ValueError:
        raise InputFormatError(
            f"{text!r} is not a number", file=raw.path, row=row, column=column,
            hint="download the chart again; values must be plain digits",
        ) from None


def _section_frame(section: Section, raw: RawFile) -> tuple[np.ndarray, np.ndarray]:
    """Dates (datetime64[ns]) and Primary values (float, NaN for no value) of a section."""
    days, values = [], []
    column = section.header[1]
    for index, cells in section.rows:
        text = cells[0] if cells else ""
        if not _ISO_DAY.match(text):
            raise InputFormatError(
                f"{text!r} is not a date like 2025-01-01T00:00:00",
                file=raw.path, row=index + 1, column=section.header[0],
                hint="download the chart again",
            )
        days.append(text[:10])
        values.append(_number(cells[1] if len(cells) > 1 else "", raw, index + 1, column))
    try:
        dates = np.array(days, dtype="datetime64[D]").astype("datetime64[ns]")
    except ValueError:
        bad = next(i for i, d in zip(section.rows, days, strict=True)
                   if pd.to_datetime(d, errors="coerce") is pd.NaT)
        raise InputFormatError(
            f"{bad[1][0]!r} is not a date like 2025-01-01T00:00:00",
            file=raw.path, row=bad[0] + 1, column=section.header[0],
            hint="download the chart again",
        ) from None
    return dates, np.array(values, dtype="float64")


# --------------------------------------------------------------------------- naming


def _resolve(sections: list[Section], raw: RawFile, notes: list[str],
             warnings: list[str]) -> list[tuple[str, str, str]]:
    """(platform, metric, label) of every section; raises when one cannot be told."""
    file_metric = title_metric(raw.path.stem)
    named: list[tuple[str | None, str | None, str]] = []
    for section in sections:
        column = section.header[1]
        column_key = fold(column)
        label = section.title or raw.path.stem
        if section.title:
            metric = title_metric(section.title)
            platform = title_platform(section.title)
        else:  # hand-trimmed (or titleless) section: file name, then column name
            metric = file_metric
            if metric is None and column_key not in AMBIGUOUS_COLUMNS:
                metric = title_metric(column)
            platform = None
            if metric is not None and file_metric is not None:
                notes.append(f"section without a title: metric {metric} taken from the file "
                             "name")
        if platform is None and column_key != "primary":
            platform = title_platform(column)
        if metric is None:
            shown = f"title {section.title!r} and column {column!r}" if section.title else \
                f"column {column!r} (no title line)"
            raise InputFormatError(
                f"a Meta chart download whose {shown} we do not know",
                file=raw.path, row=section.header_line + (0 if section.title else 1),
                hint="the chart titles we read are Follows, Visits, Profile visits, Reach, "
                "Views, Content interactions and Link clicks (in English, French, Spanish, "
                "Portuguese or Italian); keep the title line Meta writes",
            )
        if section.title and column_key not in {"primary", ""}:
            col_metric = title_metric(column) if column_key not in AMBIGUOUS_COLUMNS else None
            if col_metric != metric:
                notes.append(f"section {section.title!r}: column {column!r} ignored, the "
                             "title decides the metric")
        named.append((platform, metric, label))

    # an untitled-platform section beside sections naming one platform is the other one's
    given = {p for p, _, _ in named if p is not None}
    from_path = platform_from_path(raw.path)
    out: list[tuple[str, str, str]] = []
    for platform, metric, label in named:
        if platform is None and len(named) > 1 and len(given) == 1:
            platform = "facebook" if given == {"instagram"} else "instagram"
            notes.append(f"section {label!r}: platform {platform} (its sibling names "
                         f"{next(iter(given))})")
        elif platform is None and from_path is not None:
            platform = from_path
            notes.append(f"section {label!r}: platform {platform} taken from the file's folder "
                         "or name")
        elif platform is None:
            raise InputFormatError(
                f"the chart {label!r} does not say whether it is Facebook or Instagram",
                file=raw.path,
                hint="put the file under data/raw/<month>/facebook/ or "
                "data/raw/<month>/instagram/",
            )
        elif from_path and from_path != platform and len(named) == 1:
            warnings.append(f"the title says {platform} but the folder or name says "
                            f"{from_path}")
        if metric == "visits" and platform == "instagram":
            metric = "profile_visits"
        out.append((platform, metric, label))
    return out


# --------------------------------------------------------------------------- kinds


def sniff_chart(raw: RawFile) -> bool:
    """Return True for a Business Suite chart download (any language, trimmed or not)."""
    return looks_like_chart(raw)


def parse_chart(raw: RawFile, ctx: ParseContext, kind_name: str) -> ParsedExport:
    """Parse every section of a chart download into the ``daily`` table.

    Raises:
        InputFormatError: A title we do not know, a platform that cannot be told, a bad date.
    """
    sections, delimiter = read_sections(raw)
    warnings: list[str] = []
    notes: list[str] = []
    names = _resolve(sections, raw, notes, warnings)
    if delimiter == ";":
        warnings.append("the file is ';'-separated: it was re-saved by a spreadsheet")
    platforms_cfg = ctx.params.get("platforms") or {}
    snapshot = snapshot_from_file(raw.path)
    frames = []
    for section, (platform, metric, label) in zip(sections, names, strict=True):
        dates, values = _section_frame(section, raw)
        extra = [c for c in section.header[2:] if c]
        if extra:
            notes.append(f"section {label!r}: series {', '.join(extra)} not read (the "
                         f"{section.header[1]} series is)")
        account = (platforms_cfg.get(platform) or {}).get("account")
        n = len(dates)
        frames.append(pd.DataFrame({
            "platform": constant_column(platform, n, "string"),
            "account": constant_column(str(account) if account else None, n, "string"),
            "date": dates,
            "metric": constant_column(metric, n, "string"),
            "value": pd.arrays.FloatingArray(np.nan_to_num(values), np.isnan(values)),
            "source_file": constant_column(str(raw.path), n, "string"),
            "snapshot_at": constant_column(snapshot, n, "datetime64[ns, UTC]"),
        }, index=pd.RangeIndex(n), copy=False))
        notes.append(f"chart {label!r} -> {platform} {metric}")
        if len(np.unique(dates)) != len(dates):
            warnings.append(f"section {label!r}: some dates appear twice; the last value is "
                            "kept")
    daily = conform(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0],
                    "daily")
    days = daily["date"].to_numpy()
    accounts = {(platforms_cfg.get(p) or {}).get("account") for p, _, _ in names}
    accounts.discard(None)
    return ParsedExport(
        path=raw.path,
        kind=kind_name,
        tables={"daily": daily},
        account=str(next(iter(accounts))) if len(accounts) == 1 else None,
        date_min=pd.Timestamp(days.min()) if len(days) else None,
        date_max=pd.Timestamp(days.max()) if len(days) else None,
        snapshot_at=snapshot,
        warnings=warnings,
        notes=notes,
    )


def sniff_audience(raw: RawFile) -> bool:
    """Return True for Meta's audience breakdowns (``Audience.csv`` and its single charts)."""
    if raw.container != "text":
        return False
    lines = [line for line in raw.first_lines(8) if line.strip(" \t,;")]
    if lines and lines[0].strip().lower().startswith("sep="):
        lines = lines[1:]
    if not lines:
        return False
    delimiter = raw.sniff_delimiter(lines[:1]) if lines else ","
    if not _is_title(_cells(lines[0], delimiter)):
        # Meta's breakdowns open with a one-cell title line; a hand-trimmed one opens with
        # its follows series and carries a Women/Men block further down
        return looks_like_chart(raw) and _has_gender_block(raw)
    if any(marker in fold(" ".join(lines[:3])) for marker in _AUDIENCE_MARKERS):
        return True
    title = fold(lines[0].strip().rstrip(",;\t").strip('"'))
    return bool(_AUDIENCE_TITLE.search(title)) and not looks_like_chart(raw)


def _has_gender_block(raw: RawFile) -> bool:
    """True when a line's cells after the first are all gender words (an age/gender table)."""
    if len(raw.data) > 1_000_000:
        return False
    for line in raw.lines:
        if line.count(",") + line.count("\t") < 2 or line[:1].isdigit() or line[:2] == '"2':
            continue
        delimiter = "\t" if "\t" in line else ","
        words = {fold(c) for c in _cells(line, delimiter)[1:] if c}
        if words and words <= GENDER_WORDS:
            return True
    return False

"""Audience demographics (the ``audience`` table): shared helpers and Meta's ``Audience.csv``.

Every source gives a *snapshot* of who follows (or visits) an account, split by a
``breakdown`` (age and gender, city, country, job function, …). The rows keep the share as
the platform rounds it: a breakdown whose shares do not sum to 100 % is kept as given and
flagged in a warning (:func:`check_sums`), never normalised.

Meta's ``Audience.csv`` (Business Suite > Insights > Audience > Export) as seen in real files
(docs/export-formats.md §11):

* UTF-16 with ``sep=,`` or ``sep=<TAB>``; CRLF or LF; some files have every line quoted as one
  cell (``"FB_PAGE,FOLLOW,UNIQUE_USERS"``);
* a follower-count block per platform: title (``Facebook followers``), a marker line
  (``FB_PAGE,FOLLOW,UNIQUE_USERS`` / ``IG_ACCOUNT,…``) and the count;
* titled sections per platform: ``… by gender and age`` (``Age,Women,Men``), ``… by top
  cities`` / ``top towns/cities``, ``… by top countries``, in the interface language
  (Portuguese ``Seguidores do Instagram por gênero e idade``, Italian ``Donne/Uomini``);
  a Facebook section is often present but empty;
* shares as ``12.2%`` (``23,9%`` with decimal commas), or bare percent numbers (``21``) in
  the newer layout, where cities and countries come as one row of names over one row of
  values, and untitled sections after a hand-trimmed follows series;
* in tab-separated files Meta turns the commas inside a city name into tabs
  (``Kyiv<TAB> Ukraine<TAB>15.3%``); a comma-separated file leaves them unquoted
  (``Roma, Lazio,Milano, Lombardia``): a cell starting with a space continues a name;
* a file damaged by a tool may lose its separators (``**Facebook followersFB_PAGE…0``): the
  last title before a header owns that header.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.io.meta_charts import (
    DATE_WORDS,
    GENDER_WORDS,
    fold,
    platform_from_path,
    title_platform,
)
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport, snapshot_from_file
from workbench.schema import (
    AUDIENCE_DTYPES,
    all_missing,
    conform,
    constant_array,
    empty_table,
)

#: Breakdowns whose segments cover everyone (their shares should sum to 100 %).
COMPLETE_BREAKDOWNS = frozenset({"age_gender", "gender", "age", "seniority", "company_size",
                                 "online_hours"})

#: Gender words (folded) -> canonical segment.
GENDERS = {"women": "women", "woman": "women", "female": "women", "femmes": "women",
           "mujeres": "women", "mulheres": "women", "donne": "women", "frauen": "women",
           "men": "men", "man": "men", "male": "men", "hommes": "men", "hombres": "men",
           "homens": "men", "uomini": "men", "manner": "men",
           "other": "other", "others": "other", "unknown": "unknown", "autre": "other"}

_AGE_GENDER = re.compile(
    r"gender and age|age & gender|age and gender|genero e idade|faixa etaria e genero"
    r"|genre et age|tranche d'age|age et genre|genero y edad|edad y genero|rango de edad"
    r"|genere ed eta|eta e genere|fascia d'eta|alter und geschlecht")
_CITY = re.compile(r"cities|towns|cidades|villes|ciudades|citta|localita|stadte")
_COUNTRY = re.compile(r"countries|paises|pays|paesi|lander")
_LANGUAGE = re.compile(r"languages|idiomas|langues|lingue|sprachen")
_REACHED = re.compile(r"reach|reached|alcance|couverture|portee|copertura|raggiunt")
_MARKER = re.compile(r"(fb_page|ig_account)")
_PERCENT = re.compile(r"^-?\d+(?:[.,]\d+)?\s*%?$")


# --------------------------------------------------------------------------- shared helpers


def audience_frame(rows: list[dict], source_file: str) -> pd.DataFrame:
    """The canonical ``audience`` table from row dicts (missing columns are NA)."""
    if not rows:
        return empty_table("audience")
    direct = _audience_direct(rows, source_file)
    if direct is not None:
        return direct
    frame = pd.DataFrame(rows)
    frame["source_file"] = source_file
    return conform(frame, "audience")


def _audience_direct(rows: list[dict], source_file: str) -> pd.DataFrame | None:
    """:func:`audience_frame` built column by column in the canonical dtypes, or None.

    For the cells the parsers give (text, plain numbers, one download time, naive period
    dates, None): the same table as the DataFrame-of-dicts route and its casts, which
    cost more than the parse for a small breakdown. Anything else returns None (that
    route judges it).
    """
    n = len(rows)
    present = {key for row in rows for key in row}
    if not present <= set(AUDIENCE_DTYPES) or "source_file" in present:
        return None
    data: dict[str, object] = {}
    for column, dtype in AUDIENCE_DTYPES.items():
        if column == "source_file":
            data[column] = constant_array(source_file, n, "string")
            continue
        if column not in present:
            data[column] = _missing_column(n, dtype)
            continue
        values = [row.get(column) for row in rows]
        made = _direct_column(values, dtype)
        if made is None:
            return None
        data[column] = made
    return pd.DataFrame(data, index=pd.RangeIndex(n), copy=False)


def _missing_column(n: int, dtype: str) -> object:
    if dtype.startswith("datetime64[ns, UTC"):
        return pd.array(np.full(n, np.datetime64("NaT", "ns")), dtype="datetime64[ns]"
                        ).tz_localize("UTC")
    if dtype.startswith("datetime64"):
        return np.full(n, np.datetime64("NaT", "ns"))
    missing = all_missing(n, dtype)  # the nullable and string columns, as conform makes them
    return missing if missing is not None else constant_array(None, n, "string")


def _direct_column(values: list, dtype: str) -> object:
    """One column of row values in ``dtype`` as conform would cast it; None when unsure."""
    if dtype == "string":
        if not all(v is None or type(v) is str for v in values):
            return None
        return pd.array(values, dtype="string")
    if dtype == "Float64":
        if not all(v is None or type(v) is float or type(v) is int for v in values):
            return None
        data = np.array([np.nan if v is None else v for v in values], dtype="float64")
        return pd.arrays.FloatingArray(data, np.isnan(data))
    if dtype == "datetime64[ns, UTC]":
        first = values[0]
        if not (isinstance(first, pd.Timestamp) and first.tz is not None
                and all(v is first for v in values)):
            return None
        return constant_array(first, len(values), dtype)
    if dtype == "datetime64[ns]":
        if not all(v is None or (type(v) is pd.Timestamp and v.tz is None) for v in values):
            return None
        return np.array([np.datetime64("NaT", "ns") if v is None
                         else v.as_unit("ns").to_datetime64() for v in values],
                        dtype="datetime64[ns]")
    return None


def share_number(text: object, *, percent: bool) -> tuple[float, float, bool]:
    """(share 0-1, rounding unit, had a % sign) of a cell like ``12.2%``, ``23,9%``, ``21``.

    ``percent`` says whether a bare number is a percentage (Meta) or a fraction (TikTok).
    NaN when the cell is empty or not a number.
    """
    value = str(text).strip().replace("\u00a0", "") if text is not None else ""
    if not value or not _PERCENT.match(value):
        return np.nan, np.nan, False
    has_sign = value.endswith("%")
    number = value.rstrip("%").strip().replace(",", ".")
    decimals = len(number.split(".")[1]) if "." in number else 0
    scale = 100.0 if (percent or has_sign) else 1.0
    # "34%" next to "22.3%": Meta drops trailing zeros, so the unit is at most 0.1 pp
    unit = 10.0 ** -max(decimals, 1 if scale == 100.0 else 2) / scale
    return float(number) / scale, unit, has_sign


def check_sums(frame: pd.DataFrame, warnings: list[str]) -> None:
    """Warn (never normalise) for each breakdown whose shares do not sum to 100 %.

    Complete breakdowns (age and gender, seniority, …) must sum to 100 % within what
    rounding allows (half a rounding unit per segment); top-N lists (cities, countries,
    industries) only must not exceed it.
    """
    if frame.empty:
        return
    keys = ["platform", "breakdown", "section"]
    if _check_sums_direct(frame, keys, warnings):
        return
    for key, group in frame.groupby(keys, dropna=False, sort=False):
        shares = group["share"].dropna()
        if shares.empty:
            continue
        unit = group["rounding"].dropna()
        _judge_sum(key, float(shares.sum()), len(shares),
                   float(unit.max()) if len(unit) else None, warnings)


def _judge_sum(key: tuple, total: float, n_shares: int, largest_unit: float | None,
               warnings: list[str]) -> None:
    """Warn when one section's shares do not sum as they should, rounding allowed for."""
    slack = 0.001 + n_shares * (largest_unit / 2 if largest_unit is not None else 0.0005)
    complete = key[1] in COMPLETE_BREAKDOWNS
    if (complete and abs(total - 1) > slack) or total > 1 + slack:
        warnings.append(
            f"section {key[2]!r}: the {key[1]} shares sum to {100 * total:.1f} %, not "
            "100 %: kept as the platform gives them (not normalised)")


def _check_sums_direct(frame: pd.DataFrame, keys: list[str], warnings: list[str]) -> bool:
    """:func:`check_sums` over plain arrays (no groupby); False when it cannot (then unchanged).

    Groups in order of first appearance, rows in order, and the sum as pandas takes it
    for a Float64 column (``np.sum(values, where=~mask)``), so the totals are the same bits.
    """
    share, unit = frame["share"].array, frame["rounding"].array
    if not (isinstance(share, pd.arrays.FloatingArray)
            and isinstance(unit, pd.arrays.FloatingArray)):
        return False
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*(frame[k].tolist() for k in keys), strict=True)):
        if any(not isinstance(part, str) for part in key):
            return False  # an NA key: groupby's own handling
        groups.setdefault(key, []).append(i)
    values, missing = share._data, share._mask
    units, no_unit = unit._data, unit._mask
    for key, rows in groups.items():
        at = np.asarray(rows)
        kept = at[~missing[at]]
        if not len(kept):
            continue
        shares = values[kept]
        total = float(np.sum(shares, where=np.ones(len(shares), dtype=bool)))
        known = units[at[~no_unit[at]]]
        _judge_sum(key, total, len(shares), float(known.max()) if len(known) else None,
                   warnings)
    return True


# --------------------------------------------------------------------------- Meta layout


@dataclass
class _Block:
    """One section of an Audience.csv: its title, header and rows of cells."""

    title: str | None
    line: int
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] | None = None


def _split(line: str, delimiter: str) -> list[str]:
    cells = next(csv.reader([line], delimiter=delimiter), [])
    if len(cells) == 1 and delimiter in cells[0] and line.strip().startswith('"'):
        # Meta quoted the whole line as one cell ("FB_PAGE,FOLLOW,UNIQUE_USERS")
        cells = next(csv.reader([cells[0]], delimiter=delimiter), [])
    out: list[str] = []
    for cell in cells:
        if out and cell.startswith(" ") and cell.strip() and not _PERCENT.match(cell.strip()):
            out[-1] = f"{out[-1]}, {cell.strip()}"  # "Roma, Lazio": a comma inside a name
        else:
            out.append(cell.strip())
    while out and not out[-1]:
        out.pop()  # tab padding
    return out


def _is_title_line(cells: list[str]) -> bool:
    return len(cells) == 1 and not _PERCENT.match(cells[0]) and not _MARKER.search(
        cells[0].lower())


def delimiter_of(raw: RawFile) -> str:
    """The separator: the ``sep=`` line's, else the commonest of tab, ``;`` and ``,``."""
    lines = raw.lines
    if lines and lines[0].strip().lower().startswith("sep="):
        return lines[0].strip()[4:5] or "\t"
    head = "".join(lines[:5])
    return max(("\t", ";", ","), key=head.count)


def _blocks(raw: RawFile) -> list[_Block]:
    lines = raw.lines
    delimiter = delimiter_of(raw)
    start = 1 if lines and lines[0].strip().lower().startswith("sep=") else 0
    blocks: list[_Block] = []
    current: _Block | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip(" \t,;\"'"):
            current = None
            continue
        if line.startswith("**") or "*" in line[:200] and _MARKER.search(line.lower()):
            # a file whose separators a tool removed: "**Title A*Title BAge,Women,Men"
            current = _damaged_line(line, index, blocks, delimiter)
            continue
        cells = _split(line, delimiter)
        if current is None or (_is_title_line(cells) and current.rows
                               and not _is_title_line(current.rows[-1])):
            if _is_title_line(cells):
                current = _Block(cells[0], index)
                blocks.append(current)
                continue
            if current is None:
                current = _Block(None, index)
                blocks.append(current)
        current.rows.append(cells)
    return blocks


def _damaged_line(line: str, index: int, blocks: list[_Block], delimiter: str) -> _Block:
    parts = [p for p in line.split("*") if p.strip()]
    for part in parts[:-1]:
        blocks.append(_Block(part.strip(), index))  # titles of empty sections
    last = parts[-1] if parts else ""
    marker = _MARKER.search(last.lower())
    if marker:  # "Facebook followersFB_PAGEFOLLOWUNIQUE_USERS0"
        title = last[: marker.start()].strip()
        count = re.search(r"(\d+)\s*$", last)
        block = _Block(title, index, rows=[[last[marker.start():]], [count.group(1) if count
                                                                      else ""]])
        blocks.append(block)
        return block
    header_at = re.search(r"(Age|Idade|Edad|Eta|Âge|Top cities|Top towns/cities|Top countries)"
                          r"\s*" + re.escape(delimiter), last)
    title = last[: header_at.start()].strip() if header_at else last.strip()
    block = _Block(title, index)
    if header_at:
        block.rows.append(_split(last[header_at.start():], delimiter))
    blocks.append(block)
    return block


def _kind_of(title: str | None) -> str | None:
    key = fold(title or "")
    if _AGE_GENDER.search(key):
        return "age_gender"
    if _CITY.search(key):
        return "city"
    if _COUNTRY.search(key):
        return "country"
    if _LANGUAGE.search(key):
        return "language"
    return None


def _follower_count(block: _Block) -> float | None:
    """The count of a ``Facebook followers`` / ``FB_PAGE,FOLLOW,UNIQUE_USERS`` block."""
    if not block.rows or not _MARKER.search(" ".join(block.rows[0]).lower()):
        return None
    for row in block.rows[1:]:
        digits = re.sub(r"[^\d]", "", "".join(row))
        if digits:
            return float(digits)
    return np.nan


def _marker_platform(block: _Block) -> str | None:
    text = " ".join(block.rows[0]).lower() if block.rows else ""
    return "facebook" if "fb_page" in text else "instagram" if "ig_account" in text else None


def parse_meta(raw: RawFile, ctx: ParseContext, kind_name: str) -> ParsedExport:
    """Read a Meta audience breakdown into the ``audience`` table.

    Unknown or empty sections, unreadable values and a hand-trimmed daily series are
    warnings naming the section; the rest of the file is read.
    """
    warnings: list[str] = []
    notes: list[str] = []
    snapshot = snapshot_from_file(raw.path)
    path_platform = platform_from_path(raw.path)
    platforms_cfg = ctx.params.get("platforms") or {}
    blocks = _blocks(raw)
    counts: dict[str, float] = {}
    rows: list[dict] = []
    empty: list[str] = []
    untitled_lists = 0
    titled = [b for b in blocks if b.title]
    named = {title_platform(b.title) for b in titled} - {None}
    single = named.pop() if len(named) == 1 else None
    for block in blocks:
        if block.rows and block.rows[0] and fold(block.rows[0][0]) in DATE_WORDS:
            warnings.append(
                f"section {block.title!r}: a daily series, not read here; download that chart "
                "on its own" if block.title else "an untitled daily series at the top of the "
                "file was not read (its metric cannot be told); download that chart on its own")
            continue
        count = _follower_count(block)
        platform = (title_platform(block.title or "") or _marker_platform(block)
                    or path_platform or single)
        if count is not None:
            if platform:
                counts[platform] = count
            continue
        label = block.title or "(untitled section)"
        kind = _kind_of(block.title)
        data = block.rows
        if kind is None and block.title is None and data:
            kind, untitled_lists = _guess_untitled(data, untitled_lists)
        if kind is None:
            if data:
                warnings.append(f"section {label!r} not read: a title we do not know (we read "
                                "age and gender, top cities, top countries and languages)")
            else:
                empty.append(label)
            continue
        if not data:
            empty.append(label)
            continue
        if platform is None:
            platform = "meta"
        section_rows = _section_rows(kind, data, label, warnings)
        if not section_rows:
            continue
        account = (platforms_cfg.get(platform) or {}).get("account")
        for row in section_rows:
            row.update(platform=platform, account=str(account) if account else None,
                       snapshot_at=snapshot, base=_base(block.title), section=label)
        rows.extend(section_rows)
        notes.append(f"section {label!r} -> {platform} {kind} ({len(section_rows)} segments)")
    if delimiter_of(raw) == ";":
        warnings.append("the file is ';'-separated: it was re-saved by a spreadsheet, which "
                        "may have changed values; download it again")
    if any(r["platform"] == "meta" for r in rows):
        warnings.append("the file does not say whether it is Facebook or Instagram: its rows "
                        "are kept under platform 'meta'. Hint: put it under "
                        "data/raw/<month>/facebook/ or data/raw/<month>/instagram/")
    for row in rows:
        row["base_count"] = counts.get(row["platform"], np.nan) or np.nan
    if empty:
        warnings.append("sections with no rows (Meta leaves them empty when too few followers "
                        "share them): " + ", ".join(repr(e) for e in empty))
    table = audience_frame(rows, str(raw.path))
    check_sums(table, warnings)
    accounts = {r["account"] for r in rows} - {None}
    return ParsedExport(
        path=raw.path, kind=kind_name, tables={"audience": table},
        account=accounts.pop() if len(accounts) == 1 else None,
        snapshot_at=snapshot, warnings=warnings, notes=notes,
    )


def _base(title: str | None) -> str:
    return "reached" if title and _REACHED.search(fold(title)) else "followers"


def _guess_untitled(data: list[list[str]], seen: int) -> tuple[str | None, int]:
    """The breakdown of an untitled section of a hand-trimmed file.

    Age and gender by its Women/Men header, else the transposed lists in Meta's order
    (cities, then countries).
    """
    header = {fold(c) for c in data[0][1:] if c}
    if header and header <= GENDER_WORDS:
        return "age_gender", seen
    if len(data) == 2:
        names = data[0]
        kind = "city" if any("," in n for n in names) or seen == 0 else "country"
        return kind, seen + 1
    return None, seen


def _section_rows(kind: str, data: list[list[str]], label: str,
                  warnings: list[str]) -> list[dict]:
    if kind == "age_gender":
        return _age_gender(data, label, warnings)
    return _list(kind, data, label, warnings)


def _age_gender(data: list[list[str]], label: str, warnings: list[str]) -> list[dict]:
    header = data[0]
    genders = [GENDERS.get(fold(c)) for c in header[1:]]
    if not any(genders):
        warnings.append(f"section {label!r} not read: no Women/Men columns "
                        f"(header {', '.join(header)})")
        return []
    out, bad = [], 0
    for cells in data[1:]:
        if not cells or not cells[0]:
            continue
        age = cells[0].replace(" ", "")
        for gender, text in zip(genders, cells[1:], strict=False):
            if gender is None:
                continue
            share, unit, _ = share_number(text, percent=True)
            if np.isnan(share):
                bad += int(bool(text))
                continue
            out.append({"breakdown": "age_gender", "segment": f"{age}|{gender}",
                        "share": share, "rounding": unit})
    if bad:
        warnings.append(_unreadable(label, bad))
        return []
    return out


def _list(kind: str, data: list[list[str]], label: str, warnings: list[str]) -> list[dict]:
    pairs: list[tuple[str, str]] = []
    first = data[0]
    if len(data) == 2 and len(first) == len(data[1]) and all(
            _PERCENT.match(c) for c in data[1]) and not any(_PERCENT.match(c) for c in first):
        pairs = list(zip(first, data[1], strict=True))  # names over values (newer layout)
    else:
        body = data[1:] if first and not _PERCENT.match(first[-1]) else data
        for cells in body:
            if len(cells) < 2:
                continue
            # the last cell is the share; the others are the name Meta split at its commas
            pairs.append((", ".join(c for c in cells[:-1] if c), cells[-1]))
    out, bad = [], 0
    for name, text in pairs:
        share, unit, _ = share_number(text, percent=True)
        if np.isnan(share) or not name:
            bad += 1
            continue
        out.append({"breakdown": kind, "segment": name, "share": share, "rounding": unit})
    if bad:
        warnings.append(_unreadable(label, bad))
        return []
    return out


def _unreadable(label: str, bad: int) -> str:
    # a section with holes would bias every share computed from it: none of it is read
    return (f"section {label!r} not read: {bad} value(s) are not percentages (a spreadsheet "
            "re-save can turn '3.4' into a date); download the file again")

"""TikTok Studio analytics downloads (export-formats.md §5).

The download is a ZIP of CSVs (``Overview.csv``, ``Content.csv``, ``Viewers.csv``,
``FollowerHistory.csv``, …) or of XLSX; analysts also drop the loose CSVs. Members are read
inside the ZIP, never extracted. Headers stay English but dates follow the interface
language and carry **no year** (``"April 12"``, ``"10 February"``, ``"8 de marzo"``,
``"12. März"``, ``"1 gennaio"``; see :data:`MONTHS`).

How the year is inferred (:func:`resolve_years`): one table is one series in time order, and
each step backwards in month/day starts a new year. The anchor is the range start in the
ZIP name (``Overview_<YYYY-MM-DD>_<epoch>_<user>``), counting forward; without it, the
download time (ZIP member time, else the file time), counting back: the last row is on or
before that day, so a month/day after it belongs to the previous year. The rule used is
written to ``ParsedExport.notes``. ``undefined`` is missing (Viewers files: the days before
the account had viewers, and the last row, the download day, not yet counted). Negative
daily counts (deletions) are kept and listed in ``ParsedExport.warnings``.

The web export (``Visão geral(…).csv``, ``Vídeo(…).csv``, ``Audiência(…).csv`` in a
Portuguese interface) has dated rows (``2025/10/31``), ``--``/``NAN`` placeholders and a
header with a trailing space; its Audience table is a daily series and is read as one.

Kinds: ``tiktok_zip`` (the download as is), ``tiktok_csv`` (one loose CSV), ``tiktok_xlsx``.
Per-video rows → ``posts`` (exposure ``views``); daily series → ``daily``; follower gender,
age, top territories and activity (hours online) → ``audience``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io._tabular import (
    cell_text,
    constant_column,
    hashtags,
    is_xlsx,
    long_daily,
    match_columns,
    norm,
    read_workbook,
    rounded_count,
    rows_to_frame,
    snapshot_at,
    sum_series,
    to_number,
    to_numbers,
)
from workbench.io.audience import GENDERS, audience_frame, check_sums, share_number
from workbench.io.rawfile import RawFile
from workbench.io.registry import ExportKind, ParseContext, ParsedExport, register

PLATFORM = "tiktok"

#: Month names (full, genitive and abbreviated) in the interface languages TikTok Studio
#: offers: English, French, Spanish, Portuguese, German, Italian, Dutch, Swedish, Indonesian,
#: Polish, Turkish, Russian (§5.3; "28 апреля" seen in a real Russian-interface file).
#: Compared lower-case with dots removed; ``de``/``del`` between day and month are dropped.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan", "janvier", "janv", "enero", "ene", "janeiro", "januar", "jänner",
         "gennaio", "gen", "januari", "stycznia", "styczeń", "sty", "ocak", "oca", "января",
         "январь", "янв"),
        ("february", "feb", "février", "fevrier", "févr", "fevr", "febrero", "fevereiro", "fev",
         "februar", "febbraio", "februari", "lutego", "luty", "lut", "şubat", "subat", "şub",
         "февраля", "февраль", "фев"),
        ("march", "mar", "mars", "marzo", "março", "marco", "märz", "maerz", "mär", "maart",
         "maret", "marca", "marzec", "mart", "марта", "март"),
        ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecień",
         "kwi", "nisan", "nis", "апреля", "апрель", "апр"),
        ("may", "mai", "mayo", "maio", "maggio", "mag", "mei", "maj", "maja", "mayıs", "mayis",
         "мая", "май"),
        ("june", "jun", "juin", "junio", "junho", "juni", "giugno", "giu", "czerwca", "czerwiec",
         "cze", "haziran", "haz", "июня", "июнь", "июн"),
        ("july", "jul", "juillet", "juil", "julio", "julho", "juli", "luglio", "lug", "lipca",
         "lipiec", "lip", "temmuz", "tem", "июля", "июль", "июл"),
        ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "augusti", "agustus",
         "agu", "sierpnia", "sierpień", "sie", "ağustos", "agustos", "ağu", "августа", "август",
         "авг"),
        ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "set", "setembro",
         "settembre", "września", "wrzesień", "wrz", "eylül", "eylul", "eyl", "сентября",
         "сентябрь", "сен"),
        ("october", "oct", "octobre", "octubre", "outubro", "out", "oktober", "okt", "ottobre",
         "ott", "października", "październik", "paź", "ekim", "eki", "октября", "октябрь",
         "окт"),
        ("november", "nov", "novembre", "noviembre", "novembro", "listopada", "listopad", "lis",
         "kasım", "kasim", "kas", "ноября", "ноябрь", "ноя"),
        ("december", "dec", "décembre", "decembre", "déc", "diciembre", "dic", "dezembro", "dez",
         "dezember", "dicembre", "desember", "des", "grudnia", "grudzień", "gru", "aralık",
         "aralik", "ara", "декабря", "декабрь", "дек"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

#: Member kinds by the headers they must all have (compared normalised).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "overview": ("date", "video views", "profile views"),
    "content": ("video link", "post time"),
    "viewers": ("date", "total viewers", "new viewers"),
    "follower_history": ("date", "followers", "difference in followers from previous day"),
    # the web download's "Audiência" table: a daily series, despite its name
    "audience_daily": ("date", "new followers", "total followers", "reached audience"),
    "follower_activity": ("date", "hour", "active followers"),
    "follower_gender": ("gender", "distribution"),
    "follower_territories": ("top territories", "distribution"),
    # assumed from FollowerGender.csv: TikTok Studio shows follower age on screen, but no
    # real download with it was found (docs/export-formats.md §11)
    "follower_age": ("age", "distribution"),
}

#: Audience member kinds -> ``audience.breakdown``.
AUDIENCE_KINDS = {"follower_gender": "gender", "follower_territories": "territory",
                  "follower_age": "age", "follower_activity": "online_hours"}

#: Daily metric columns per member kind: canonical daily metric → header aliases.
DAILY_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "overview": {
        "video_views": ("Video Views",),
        "profile_visits": ("Profile Views",),
        "likes": ("Likes",),
        "comments": ("Comments",),
        "shares": ("Shares",),
        "reach": ("Reached audience",),
        "follows": ("New followers",),
        "unfollows": ("Lost followers",),
    },
    "viewers": {"viewers": ("Total Viewers",)},
    "audience_daily": {
        "follows": ("New followers",),
        "followers_total": ("Total followers",),
        "reach": ("Reached audience",),
        "engaged_users": ("Engaged audience",),
    },
    "follower_history": {
        "followers_total": ("Followers",),
        # TikTok gives only the net change (gains minus losses): its own metric, never the
        # gross new followers ("follows") of the overview
        "net_follows": ("Difference in followers from previous day",),
    },
}

VIDEO_ID_RE = r"/video/(\d+)"
USER_RE = r"tiktok\.com/@([^/?#]+)"
_VIDEO_ID = re.compile(VIDEO_ID_RE)
_USER = re.compile(USER_RE)


def _first_group(texts: list, pattern: re.Pattern, index: pd.Index) -> pd.Series:
    """``Series.str.extract(pattern, expand=False)`` for one group, as a plain loop."""
    found = []
    for text in texts:
        match = pattern.search(text) if isinstance(text, str) else None
        found.append(match.group(1) if match else None)
    return pd.Series(pd.array(found, dtype="string"), index=index, copy=False)


@dataclass
class Member:
    """One table found in the download (a CSV member, a loose CSV or an XLSX sheet)."""

    name: str
    kind: str
    frame: pd.DataFrame  # every cell as string or NA
    modified: pd.Timestamp | None  # ZIP member time, when there is one


def classify(headers: list[str]) -> str | None:
    """Return the TikTok table kind for a header row, or None."""
    present = {norm(h) for h in headers}
    for kind, needed in SIGNATURES.items():
        if all(n in present for n in needed):
            return kind
    return None


# --- reading the container -----------------------------------------------------------------


def _member_raw(raw: RawFile, name: str, data: bytes) -> RawFile:
    return RawFile(path=Path(f"{raw.path}!{name}"), data=data)


def _csv_member(member_raw: RawFile, modified, name: str) -> Member | None:
    kind = classify(member_raw.header_row(0, delimiter=","))
    if kind is None:
        return None
    # parsed straight to the string dtype (as read_csv(dtype=str).astype("string"), half the cost)
    frame = member_raw.read_csv(delimiter=",", dtype="string")
    return Member(name, kind, frame, modified)


def _xlsx_members(raw: RawFile, modified=None) -> list[Member]:
    members = []
    for title, rows in read_workbook(raw).items():
        if not rows:
            continue
        header, frame = rows_to_frame(rows, 0)
        kind = classify(header)
        if kind is not None:
            text = frame.apply(cell_text) if len(frame) else frame.astype("string")
            members.append(Member(f"{raw.name}:{title}", kind, text, modified))
    return members


def read_members(raw: RawFile) -> list[Member]:
    """Every TikTok table in ``raw`` (ZIP members, an XLSX's sheets, or the CSV itself)."""
    if raw.container == "zip" and not is_xlsx(raw):
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw.data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputFormatError(
                f"the ZIP cannot be opened ({exc})", file=raw.path,
                hint="download the TikTok data again") from exc
        try:
            with archive:
                members = _zip_members(raw, archive)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
                NotImplementedError) as exc:
            raise InputFormatError(
                f"a file inside the ZIP is damaged ({exc})", file=raw.path,
                hint="download the TikTok data again") from exc
        return members
    if is_xlsx(raw):
        return _xlsx_members(raw)
    member = _csv_member(raw, None, raw.name)
    return [member] if member else []


def _zip_members(raw: RawFile, archive: zipfile.ZipFile) -> list[Member]:
    members: list[Member] = []
    for info in archive.infolist():
        suffix = PurePosixPath(info.filename).suffix.lower()
        if info.is_dir() or suffix not in {".csv", ".xlsx"}:
            continue
        modified = pd.Timestamp(datetime(*info.date_time))
        inner = _member_raw(raw, info.filename, archive.read(info))
        if suffix == ".csv":
            member = _csv_member(inner, modified, info.filename)
            members += [member] if member else []
        else:
            members += _xlsx_members(inner, modified)
    return members


# --- dates ---------------------------------------------------------------------------------


#: Cell text -> (year, month, day) as parsed by :func:`_parse_day_month_frame`: the same few
#: hundred date texts recur in every download, and the vectorised parse costs ~5 ms a call.
_DAY_MONTH_CACHE: dict[str, tuple[float, float, float]] = {}  # NaN = NA


def parse_day_month(values: pd.Series) -> pd.DataFrame:
    """Split year-less TikTok dates into ``month`` and ``day`` (Int64; NA when unparseable).

    Accepts ``April 12``, ``12 April``, ``10 February``, ``8 de marzo``, ``8 mars``,
    ``12 avr.``; dates that carry a year (``2025/10/31``) are returned in ``year`` too.
    """
    items = values.tolist()
    if not all(isinstance(v, str) or v is None or v is pd.NA for v in items):
        return _parse_day_month_frame(values)
    new = sorted({v for v in items if isinstance(v, str) and v not in _DAY_MONTH_CACHE})
    if new:
        if len(_DAY_MONTH_CACHE) > 100_000:
            _DAY_MONTH_CACHE.clear()
        parsed = _parse_day_month_frame(pd.Series(new, dtype="string"))
        # kept as floats (NaN = NA): the columns are then rebuilt with numpy, not per cell
        columns = [parsed[name].to_numpy(dtype="float64", na_value=np.nan)
                   for name in ("year", "month", "day")]
        for text, y, m, d in zip(new, *columns, strict=True):
            _DAY_MONTH_CACHE[text] = (y, m, d)
    none = (np.nan, np.nan, np.nan)
    table = np.array([_DAY_MONTH_CACHE[v] if isinstance(v, str) else none for v in items],
                     dtype="float64").reshape(len(items), 3)
    out = {}
    for i, name in enumerate(("year", "month", "day")):
        column = table[:, i]
        missing = np.isnan(column)
        out[name] = pd.arrays.IntegerArray(np.where(missing, 0, column).astype("int64"), missing)
    return pd.DataFrame(out, index=values.index)


def _parse_day_month_frame(values: pd.Series) -> pd.DataFrame:
    """The vectorised parse behind :func:`parse_day_month` (no cache)."""
    text = (values.astype("string").str.strip().str.lower()
            .str.replace(r"\b(?:de|del)\b", " ", regex=True).str.replace(".", "", regex=False)
            .str.replace(",", " ", regex=False).str.replace(r"\s+", " ", regex=True)
            .str.strip())
    month_first = text.str.extract(r"^(?P<m>[^\d\s]+) (?P<d>\d{1,2})$")
    day_first = text.str.extract(r"^(?P<d>\d{1,2}) (?P<m>[^\d\s]+)$")
    names = month_first["m"].fillna(day_first["m"])
    days = month_first["d"].fillna(day_first["d"])
    dated = text.str.extract(r"^(?P<y>\d{4})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})")
    # Chinese/Japanese "3月8日", Korean "3월 8일": the month as a number
    cjk = text.str.extract(r"^(?P<m>\d{1,2})\s?[月월]\s?(?P<d>\d{1,2})\s?[日일]?$")
    month = names.map(MONTHS, na_action="ignore").astype("Int64")
    month = month.fillna(pd.to_numeric(dated["m"]).astype("Int64"))
    month = month.fillna(pd.to_numeric(cjk["m"]).astype("Int64"))
    day = pd.to_numeric(days).astype("Int64").fillna(pd.to_numeric(dated["d"]).astype("Int64"))
    day = day.fillna(pd.to_numeric(cjk["d"]).astype("Int64"))
    year = pd.to_numeric(dated["y"]).astype("Int64")
    return pd.DataFrame({"year": year, "month": month, "day": day}, index=values.index)


def _ymd_days(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` from year/month/day numbers; NaT where missing (NaN) or no such day.

    What ``pd.to_datetime(DataFrame(year, month, day), errors="coerce")`` gives, in a few
    numpy operations instead of a string round trip (this runs for every TikTok series).
    """
    years = np.asarray(years, dtype="float64")
    months = np.asarray(months, dtype="float64")
    days = np.asarray(days, dtype="float64")
    ok = ~(np.isnan(years) | np.isnan(months) | np.isnan(days))
    ok &= (months >= 1) & (months <= 12) & (days >= 1)
    y = np.where(ok, years, 1970).astype("int64")
    m = np.where(ok, months, 1).astype("int64")
    d = np.where(ok, days, 1).astype("int64")
    month_start = ((y - 1970) * 12 + m - 1).astype("datetime64[M]")
    first = month_start.astype("datetime64[D]")
    ok &= d <= ((month_start + 1).astype("datetime64[D]") - first).astype("int64")
    out = first + (d - 1)
    out[~ok] = np.datetime64("NaT")
    return out


def _ymd_dates(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """:func:`_ymd_days` as ``datetime64[ns]`` (NaT outside the nanosecond range)."""
    out = _ymd_days(years, months, days)
    out[(out < np.datetime64("1678-01-01")) | (out > np.datetime64("2261-12-31"))] = (
        np.datetime64("NaT"))
    return out.astype("datetime64[ns]")


def _span(stamps: np.ndarray) -> pd.Timedelta:
    """The span (max - min) of ``stamps`` ignoring NaT, NaT when none (as pandas gives)."""
    known = stamps[~np.isnat(stamps)]
    if not len(known):
        return pd.NaT
    return pd.Timestamp(known.max()) - pd.Timestamp(known.min())


def resolve_years(
    parts: pd.DataFrame, *, range_end: pd.Timestamp | None = None,
    range_start: pd.Timestamp | None = None,
) -> tuple[pd.Series, str]:
    """Give year-less dates in file order their years.

    The rows are one date series in time order (ascending or descending). Each time the
    month/day goes backwards, a new year begins. The anchor is ``range_start`` (the first
    date, e.g. from the ``Overview_<YYYY-MM-DD>_…`` name) when known, else ``range_end``
    (the download time): the last date is on or before it, so a month/day after it
    belongs to the previous year.

    Returns:
        The dates (naive ``datetime64``; NaT where unparseable) and a sentence saying how.
    """
    # plain numpy from here on: NaN marks a missing part (pandas ops cost ~20x more here)
    year = parts["year"].to_numpy(dtype="float64", na_value=np.nan)
    month = parts["month"].to_numpy(dtype="float64", na_value=np.nan)
    day = parts["day"].to_numpy(dtype="float64", na_value=np.nan)
    md = month * 100 + day
    with_year = ~np.isnan(year)
    valid = ~np.isnan(md) & ~with_year
    out = np.full(len(parts), np.datetime64("NaT"), dtype="datetime64[ns]")
    if with_year.any():
        out[with_year] = pd.to_datetime(parts[with_year][["year", "month", "day"]]
                                        .astype("int64"), errors="coerce").to_numpy()
    if not valid.any():
        return pd.Series(out, index=parts.index), "dates carry their year"
    seq = md[valid]
    months = month[valid].astype("int64")
    days = day[valid].astype("int64")
    if range_start is not None:
        how = f"years counted forward from the range start {range_start:%Y-%m-%d}"
    else:
        anchor = range_end if range_end is not None else pd.Timestamp.now()
        how = (f"years counted back from {anchor:%Y-%m-%d} (download time): the last date is "
               "on or before it, a month/day after it belongs to the previous year")
    candidates = []
    # The file may be sorted either way; the reading with the shorter span is the right one.
    for descending in (False, True):
        ordered = seq[::-1] if descending else seq
        wraps = np.r_[0, np.cumsum(ordered[:-1] > ordered[1:])]
        if range_start is not None:
            years = range_start.year + wraps
        else:
            last_year = anchor.year - int(ordered[-1] > anchor.month * 100 + anchor.day)
            years = last_year - (wraps[-1] - wraps)
        if descending:
            years = years[::-1]
        resolved = _ymd_dates(years, months, days)
        candidates.append((_span(resolved), int(wraps[-1]), resolved))
    _, wrap_count, resolved = min(candidates, key=lambda c: (c[0], c[1]))
    out[valid] = resolved
    if wrap_count > 1:
        how += "; WARNING: the dates wrap past New Year more than once (unsorted file?)"
    return pd.Series(out, index=parts.index), how


def _bad_dates(member: Member, column: str, dates: pd.Series, raw: RawFile) -> None:
    bad = dates.isna() & member.frame[column].notna()
    if bad.any():
        at = int(bad.to_numpy().argmax())
        raise InputFormatError(
            f"{member.name}: date {member.frame[column].iloc[at]!r} is not a TikTok date",
            file=raw.path, row=at + 2, column=column,
            hint="dates look like 'April 12', '10 February', '8 de marzo' or '12. März'; "
                 "use the file as downloaded")


# --- tables --------------------------------------------------------------------------------


def _daily(member: Member, raw, account, snapshot, anchor, start, notes, warnings):
    columns = match_columns(member.frame.columns, {"date": ("Date",),
                                                   **DAILY_COLUMNS[member.kind]})
    parts = parse_day_month(member.frame[columns["date"]])
    dates, how = resolve_years(parts, range_end=anchor, range_start=start)
    _bad_dates(member, columns["date"], dates, raw)
    notes.append(f"{member.name}: {how}")
    metrics, values = [], []
    present = [metric for metric in DAILY_COLUMNS[member.kind] if metric in columns]
    numbers = to_numbers([member.frame[columns[m]] for m in present], thousands=False)
    for metric, column in zip(present, numbers, strict=True):
        if (column.to_numpy(dtype="float64", na_value=np.nan) < 0).any():
            negative = (column < 0).fillna(False)
            shown = ", ".join(f"{d:%Y-%m-%d}: {v:g}" for d, v in
                              zip(dates[negative], column[negative], strict=True))
            warnings.append(f"{member.name}: {int(negative.sum())} negative "
                            f"'{columns[metric]}' value(s) kept (deletions?): {shown}")
        metrics.append(metric)
        values.append(column)
    if member.kind == "follower_history":
        notes.append(f"{member.name}: net_follows = TikTok's net daily change in followers")
    return long_daily(dates, dict(zip(metrics, values, strict=True)), platform=PLATFORM,
                      account=account, source_file=str(raw.path), snapshot=snapshot)


def _posts(member: Member, raw, ctx, snapshot, anchor, notes):
    frame = member.frame
    columns = match_columns(frame.columns, {
        "link": ("Video link",), "title": ("Video title",), "post_time": ("Post time",),
        "likes": ("Total likes", "Likes"), "comments": ("Total comments", "Comments"),
        "shares": ("Total shares", "Shares"), "views": ("Total views", "Video views"),
        "saves": ("Add to Favorites",),
    })
    link = frame[columns["link"]].astype("string").str.strip()
    links = link.tolist()
    video_id = _first_group(links, _VIDEO_ID, link.index)
    keep = video_id.notna()
    if not keep.all():  # filtering copies: only when rows go
        frame, link, video_id = frame[keep], link[keep], video_id[keep]
        links = link.tolist()
    # TikTok video ids carry their creation time in the top 32 bits (seconds since 1970):
    # exact UTC publish times, which the year-less "Post time" cannot give.
    seconds = pd.Series(pd.array([int(v) >> 32 if isinstance(v, str) else None
                                  for v in video_id.tolist()], dtype="Int64"),
                        index=video_id.index)
    from_id = pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
    plausible = (from_id >= pd.Timestamp("2016-09-01", tz="UTC")) & (
        from_id <= snapshot + pd.Timedelta(days=2))
    published = from_id.where(plausible)
    if "post_time" in columns and plausible.fillna(False).any():
        # The id's day must agree with the (year-less) "Post time" shown in the file; an id
        # that does not encode the upload time (re-uploads, other tools) falls back to it.
        stated = parse_day_month(frame[columns["post_time"]])
        # calendar days in numpy (datetime64[D]): the local day of the id vs the stated one
        local = from_id.dt.tz_convert(ctx.tz).dt.tz_localize(None).to_numpy()
        id_day = local.astype("datetime64[D]")
        id_year = np.where(np.isnat(id_day), np.nan,
                           id_day.astype("datetime64[Y]").astype("int64") + 1970)
        stated_day = _ymd_days(id_year, stated["month"].to_numpy("float64", na_value=np.nan),
                               stated["day"].to_numpy("float64", na_value=np.nan))
        known = ~np.isnat(stated_day) & ~np.isnat(id_day)
        gap_days = np.abs(np.where(known, (id_day - stated_day).astype("int64"), 0))
        # allow one day (time-zone edge) and a year wrap (Dec 31 vs Jan 1)
        disagree = pd.Series(known & (gap_days > 1) & (gap_days < 364), index=frame.index)
        if disagree.any():
            published = published.mask(disagree)
            plausible = plausible & ~disagree
            notes.append(f"{member.name}: {int(disagree.sum())} video id(s) do not encode "
                         "their 'Post time'; that date was used instead")
    if "post_time" in columns and (~plausible.fillna(False)).any():
        parts = parse_day_month(frame[columns["post_time"]])
        md = parts["month"] * 100 + parts["day"]
        end = anchor or snapshot.tz_convert(None)
        year = (end.year - (md > end.month * 100 + end.day).astype("Int64")).astype("Int64")
        fallback = pd.to_datetime(
            pd.DataFrame({"year": parts["year"].fillna(year), "month": parts["month"],
                          "day": parts["day"]}).astype("float"), errors="coerce"
        ).dt.tz_localize(ctx.tz).dt.tz_convert("UTC")
        published = published.fillna(fallback)
        notes.append(f"{member.name}: publish times from 'Post time' (no year: a date after "
                     f"{end:%Y-%m-%d} belongs to the previous year) where the video id gives "
                     "none")
    else:
        notes.append(f"{member.name}: publish times decoded from the video ids (UTC)")

    # the count columns parsed in one pass (to_count of each, see to_numbers)
    counted = [m for m in ("likes", "comments", "shares", "views", "saves") if m in columns]
    counts = dict(zip(counted, (rounded_count(v) for v in to_numbers(
        [frame[columns[m]] for m in counted], thousands=False)), strict=True))

    def count(name):
        if name not in columns:
            return pd.Series(pd.NA, index=frame.index, dtype="Int64")
        return counts[name]

    likes, comments, shares = count("likes"), count("comments"), count("shares")
    caption = frame[columns["title"]].astype("string") if "title" in columns else None
    n = len(frame)
    return schema.conform_posts_columns({
        # per-file constants as canonical arrays (conform then has nothing to cast)
        "platform": constant_column(PLATFORM, n, "string"),
        "account": _first_group(links, _USER, link.index),
        "post_id": video_id,
        "permalink": link,
        "published_at": published,
        "published_at_utc": published,
        "format": constant_column("video", n, "string"),
        "caption": caption,
        "hashtags": hashtags(caption) if caption is not None else None,
        "exposure_kind": constant_column("views", n, "string"),
        "views": count("views"),
        "reactions": likes,
        "comments": comments,
        "shares": shares,
        "saves": count("saves"),
        # statistics.md §1.2: TikTok interactions = likes + comments + shares
        "interactions": sum_series([likes, comments, shares]),
        "snapshot_at": constant_column(snapshot, n, "datetime64[ns, UTC]"),
        "source_file": constant_column(str(raw.path), n, "string"),
        # Content.csv may list only the range's top videos (statistics.md §9.6): keep the
        # file's row count, which later deduplication would hide
        "source_rows": constant_column(n, n, "Int64"),
    }, ctx.tz)


def _account(raw: RawFile, members: list[Member], ctx: ParseContext) -> str | None:
    configured = (ctx.params.get("platforms") or {}).get(PLATFORM) or {}
    if isinstance(configured, dict) and configured.get("account"):
        return str(configured["account"])
    for name in [raw.name, *(m.name for m in members)]:
        match = re.search(r"Followers_([^/]+)/", name) or re.search(
            r"Overview_\d{4}-\d{2}-\d{2}_\d+_([^/.]+)", name)
        if match:
            return match.group(1)
    return None


def parse(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a TikTok Studio download (ZIP, loose CSV or XLSX)."""
    members = read_members(raw)
    if not members:
        seen = _zip_names(raw)
        raise InputFormatError(
            "no TikTok analytics table found" + (f" (files inside: {seen})" if seen else ""),
            file=raw.path,
            hint="expected Overview.csv, Content.csv, Viewers.csv or FollowerHistory.csv from "
                 "TikTok Studio > Analytics > Download data",
        )
    modified = [m.modified for m in members if m.modified is not None]
    snapshot = (pd.Timestamp(max(modified)).tz_localize("UTC") if modified
                else snapshot_at(raw))
    anchor = snapshot.tz_convert(None).normalize()
    start = None
    for name in [raw.name, *(m.name for m in members)]:
        found = re.search(r"Overview_(\d{4}-\d{2}-\d{2})_", name)
        if found:
            start = pd.Timestamp(found.group(1))
            break
    notes = [f"snapshot {snapshot:%Y-%m-%d %H:%M} UTC from "
             + ("the ZIP member times" if modified else "the file")]
    warnings: list[str] = []
    account = _account(raw, members, ctx)
    if account is None:  # fall back on the @user of the video links, when there are any
        links = [m.frame[c] for m in members if m.kind == "content"
                 for c in m.frame.columns if norm(c) == "video link"]
        users = pd.concat(links).str.extract(USER_RE, expand=False).dropna() if links else []
        account = users.iloc[0] if len(users) else None
    daily, posts, audience = [], [], []
    for member in members:
        if member.kind in DAILY_COLUMNS:
            daily.append(_daily(member, raw, account, snapshot, anchor, start, notes, warnings))
        elif member.kind == "content":
            posts.append(_posts(member, raw, ctx, snapshot, anchor, notes))
        elif member.kind in AUDIENCE_KINDS:
            audience += _audience(member, raw.name, ctx, notes, warnings)
    tables = {}
    if daily:
        tables["daily"] = pd.concat(daily, ignore_index=True)
    if posts:
        tables["posts"] = pd.concat(posts, ignore_index=True)
    if audience:
        for row in audience:
            row.update(platform=PLATFORM, account=account, snapshot_at=snapshot)
        tables["audience"] = audience_frame(audience, str(raw.path))
        check_sums(tables["audience"], warnings)
    dates = tables["daily"]["date"].dropna() if daily else pd.Series([], dtype="datetime64[ns]")
    return ParsedExport(
        path=raw.path,
        kind={"zip": "tiktok_zip"}.get(raw.container, "tiktok_csv")
        if not is_xlsx(raw) else "tiktok_xlsx",
        tables=tables,
        account=account,
        date_min=dates.min() if len(dates) else None,
        date_max=dates.max() if len(dates) else None,
        snapshot_at=snapshot,
        warnings=warnings,
        notes=notes,
    )


def _audience(member: Member, zip_name: str, ctx: ParseContext, notes: list[str],
              warnings: list[str]) -> list[dict]:
    """Audience rows of a follower gender / age / territories / activity table.

    Shares are fractions as TikTok gives them (``0.59``); a value written as a percentage
    (``59%``) is read as one with a warning; a row without a number is left out with one.
    Follower activity becomes ``online_hours``: per hour of the day, the mean of the active
    followers over the days listed (``count``) and that hour's part of the day (``share``).
    """
    breakdown = AUDIENCE_KINDS[member.kind]
    # the account: a Followers_<user>/ folder inside the ZIP, or the ZIP's own name
    folder = re.search(r"Followers_([^/]+)/", member.name) or re.search(
        r"^Followers_([^/.]+)\.zip$", zip_name)
    configured = ((ctx.params.get("platforms") or {}).get(PLATFORM) or {})
    mine = configured.get("account") if isinstance(configured, dict) else None
    if folder and mine and norm(folder.group(1)).lstrip("@") != norm(str(mine)).lstrip("@"):
        warnings.append(f"{member.name}: followers of '@{folder.group(1)}', not the "
                        f"organisation's account '@{mine}' (org.yaml): not read")
        return []
    frame = member.frame
    columns = {norm(c): c for c in frame.columns}
    if breakdown == "online_hours":
        hours = pd.to_numeric(frame[columns["hour"]], errors="coerce")
        active = to_number(frame[columns["active followers"]]).astype("Float64")
        means = active.groupby(hours.astype("Int64")).mean().dropna()
        total = float(means.sum())
        days = frame[columns["date"]].nunique()
        notes.append(f"{member.name}: follower activity over {days} days -> online_hours "
                     "(mean active followers per hour)")
        return [{"breakdown": breakdown, "segment": f"{int(hour):02d}", "count": float(mean),
                 "share": float(mean) / total if total else None, "base": "followers",
                 "section": member.name} for hour, mean in means.items()]
    label = columns.get("gender") or columns.get("top territories") or columns.get("age")
    rows, bad, percent_text = [], 0, 0
    for name, text in zip(frame[label], frame[columns["distribution"]], strict=True):
        share, unit, had_sign = share_number(text, percent=False)
        if pd.isna(name) or np.isnan(share):
            bad += 1
            continue
        percent_text += int(had_sign)
        segment = str(name).strip()
        if breakdown == "gender":
            segment = GENDERS.get(norm(segment), segment.lower())
        rows.append({"breakdown": breakdown, "segment": segment, "share": share,
                     "rounding": unit, "base": "followers", "section": member.name})
    if percent_text:
        warnings.append(f"{member.name}: {percent_text} value(s) written as percentages "
                        "('59%'), not fractions: read as percentages")
    if bad:
        warnings.append(f"{member.name}: {bad} row(s) without a segment and a number were "
                        "left out")
    if not rows:
        warnings.append(f"{member.name}: no rows (TikTok leaves the table empty when the "
                        "account has too few followers)")
    notes.append(f"{member.name}: {len(rows)} segments -> audience {breakdown}")
    return rows


def _zip_names(raw: RawFile) -> str:
    if raw.container != "zip":
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ""
    return ", ".join(names[:10]) + (" …" if len(names) > 10 else "")


# --- detection ----------------------------------------------------------------------------


def _sniff_zip(raw: RawFile) -> bool:
    if raw.container != "zip" or is_xlsx(raw):
        return False
    with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
        for info in archive.infolist()[:50]:
            if info.filename.lower().endswith(".csv"):
                with archive.open(info) as handle:
                    head = handle.read(2048)
                inner = _member_raw(raw, info.filename, head)
                if classify(inner.header_row(0, delimiter=",")):
                    return True
            elif info.filename.lower().endswith(".xlsx"):
                inner = _member_raw(raw, info.filename, archive.read(info))
                if _xlsx_members(inner):
                    return True
    return False


def _sniff_csv(raw: RawFile) -> bool:
    return raw.container == "text" and classify(raw.header_row(0, delimiter=",")) is not None


def _sniff_xlsx(raw: RawFile) -> bool:
    return is_xlsx(raw) and bool(_xlsx_members(raw))


register(ExportKind("tiktok_zip", "TikTok Studio analytics download (ZIP)", _sniff_zip, parse,
                    priority=40))
register(ExportKind("tiktok_csv", "TikTok Studio analytics CSV", _sniff_csv, parse, priority=40))
register(ExportKind("tiktok_xlsx", "TikTok Studio analytics XLSX", _sniff_xlsx, parse,
                    priority=30))

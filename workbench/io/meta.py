"""Meta Business Suite exports: Facebook and Instagram post CSVs, and chart downloads.

See export-formats.md §1 (Facebook posts), §1b (chart downloads), §2 (Instagram posts) and
statistics.md §1.1-§1.4, §9.4-§9.5. Headers are matched case-insensitively and by name, through
the data-driven alias tables below (add a localised header there once a real file shows it).

Decisions worth knowing:

* ``Publish time`` is US Pacific wall time (DST-aware). At the autumn switch the hour
  01:00-01:59 happens twice; we read it as the first (daylight) occurrence.
* Several accounts in one export: rejected unless ``platforms.<platform>.account`` in the
  params names one of them; then that account's rows are kept (rows with no account name too)
  and a warning says how many rows of other accounts were dropped.
* Instagram exports carry no share/crosspost/boost columns: ``is_share``, ``is_crosspost`` and
  ``boosted`` are False for them (not NA), so organic filters keep working.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import InputFormatError
from workbench.io._tabular import constant_column, floating, lookup, rounded_count
from workbench.io.rawfile import RawFile
from workbench.io.registry import (
    ExportKind,
    ParseContext,
    ParsedExport,
    register,
    snapshot_from_file,
)
from workbench.schema import conform, conform_posts, conform_posts_columns

META_TZ = "America/Los_Angeles"
REDOWNLOAD_HINT = (
    "download the export again from Meta Business Suite and put the original file in "
    "data/raw without opening and saving it in a spreadsheet"
)

#: Canonical field -> header spellings (normalised: lower case, single spaces). English first,
#: then the French aliases of export-formats.md §1.7 (unverified, best effort).
POST_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("post id", "identifiant de la publication"),
    "page_id": ("page id", "id de la page"),
    "page_name": ("page name", "nom de la page"),
    "account_id": ("account id",),
    "account_username": ("account username",),
    "title": ("title", "titre"),
    "description": ("description",),
    "duration_sec": ("duration (sec)", "duration sec", "durée (s)"),
    "publish_time": ("publish time", "heure de publication"),
    "permalink": ("permalink", "permalien"),
    "is_crosspost": ("is crosspost",),
    "is_share": ("is share", "est un partage"),
    "post_type": ("post type", "type de publication"),
    "funded_content_status": ("funded content status",),
    "views": ("views", "vues"),
    "impressions": ("impressions",),
    "reach": ("reach", "couverture"),
    "reactions_comments_shares": (
        "reactions, comments and shares",
        "réactions, commentaires et partages",
    ),
    "reactions": ("reactions", "réactions"),
    "likes": ("likes", "j'aime"),
    "comments": ("comments", "commentaires"),
    "shares": ("shares", "partages"),
    "saves": ("saves", "enregistrements"),
    "follows": ("follows",),
    "total_clicks": ("total clicks", "total des clics"),
    "link_clicks": ("link clicks", "clics sur un lien"),
    "reach_organic": ("reach from organic posts", "couverture de publications organiques"),
    "reach_boosted": ("reach from boosted posts", "couverture de publications boostées"),
}

#: Headers we know and deliberately do not load (so they are not reported as unknown).
KNOWN_UNUSED = {
    "account name", "caption type", "languages", "custom labels", "data comment", "date",
    "other clicks", "matched audience targeting consumption (photo click)",
    "matched audience targeting consumption (video click)", "3-second video views",
    "1-minute video views", "3-second viewers", "1-minute viewers",
    "3-second video views from organic posts", "views from organic posts",
    "seconds viewed", "average seconds viewed", "estimated earnings (usd)",
    "negative feedback from users: hide", "negative feedback from users: hide all",
    "negative feedback from users", "unique negative feedback from users", "ad cpm (usd)",
    "ad impressions",
}
#: Dynamic or breakdown columns of the 2026 "everything ticked" export (export-formats §1.3).
KNOWN_UNUSED_PATTERNS = re.compile(
    r"^(percentage of .* at interval \d+|.* by top audience \(.*\)|.* by country \(.*\)"
    r"|.* from (recommendations|shares|followers|boosted posts|organic posts))$"
)

FORMAT_MAP = {
    "photos": "photo", "photo": "photo", "ig image": "photo", "image": "photo",
    "videos": "video", "video": "video",
    "reels": "reel", "reel": "reel", "ig reel": "reel",
    "ig carousel": "carousel", "carousel": "carousel", "carousel_album": "carousel",
    "links": "link", "link": "link",
    "text": "text", "status": "text",
    "live": "live",
}

#: Chart-download titles (without a platform word) -> DAILY_METRICS names.
CHART_METRICS = {
    "follows": "follows",
    "visits": "visits",
    "profile visits": "profile_visits",
    "reach": "reach",
    "views": "views",
    "content interactions": "interactions",
    "interactions": "interactions",
    "link clicks": "link_clicks",
    "viewers": "viewers",
}
PLATFORM_WORDS = {"facebook": "facebook", "fb": "facebook", "instagram": "instagram",
                  "ig": "instagram"}
AUDIENCE_TITLES = {"age & gender", "top countries", "top cities", "top towns/cities"}

#: How a missing required column is named in the error (the English header).
REQUIRED_HEADERS = {
    "post_id": "Post ID",
    "publish_time": "Publish time",
    "page_name": "Page name",
    "account_username": "Account username",
}

MISSING_TOKENS = ("N/A", "n/a", "--", "-")
_MISSING_SET = pa.array(MISSING_TOKENS, type=pa.string())
_NAME_RANGE = re.compile(
    r"^([A-Z][a-z]{2})-(\d{2})-(\d{4})_([A-Z][a-z]{2})-(\d{2})-(\d{4})_"
)
_DAMAGED_ID = r"(?:\.\d+$)|(?:[eE][+-]?\d+$)"
_DAMAGED_ID_RE = re.compile(_DAMAGED_ID)
_HASHTAG = re.compile(r"#\w+")


def normalise_header(text: str) -> str:
    """Header text as matched: BOM and quotes stripped, lower case, single spaces."""
    return " ".join(str(text).replace("\ufeff", "").strip().strip('"').lower().split())


def range_from_file_name(name: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Return the date range Meta writes into a file name (``Mon-DD-YYYY_Mon-DD-YYYY_…``).

    Args:
        name: The file name (not the path).

    Returns:
        ``(start, end)`` as naive dates, or None when the name does not follow the pattern.

    """
    match = _NAME_RANGE.match(name)
    if not match:
        return None
    g = match.groups()
    try:
        start = pd.to_datetime(f"{g[0]}-{g[1]}-{g[2]}", format="%b-%d-%Y")
        end = pd.to_datetime(f"{g[3]}-{g[4]}-{g[5]}", format="%b-%d-%Y")
    except ValueError:
        return None
    return start, end


# --------------------------------------------------------------------------- columns


class _Columns:
    """A parsed CSV whose columns are found by canonical field name (duplicates merged).

    Only the columns we use are parsed (``usecols``): exports with every column ticked have
    ~200 columns, most of them breakdowns we never load.
    """

    def __init__(self, raw: RawFile, headers: list[str], delimiter: str = ",") -> None:
        self.raw = raw
        self.headers = headers
        self.delimiter = delimiter
        self.positions: dict[str, list[int]] = {}
        alias_to_field = {a: f for f, aliases in POST_ALIASES.items() for a in aliases}
        self.unknown: list[str] = []
        for pos, header in enumerate(headers):
            key = normalise_header(header)
            field = alias_to_field.get(key)
            if field is not None:
                self.positions.setdefault(field, []).append(pos)
            elif key and key not in KNOWN_UNUSED and not KNOWN_UNUSED_PATTERNS.match(key):
                self.unknown.append(header)
        self.boosted_positions = [
            pos for pos, header in enumerate(headers)
            if normalise_header(header).endswith("from boosted posts")
        ]
        used = sorted({p for ps in self.positions.values() for p in ps}
                      | set(self.boosted_positions))
        self.frame = (raw.read_csv(delimiter=delimiter, usecols=used, dtype=object)
                      if used else pd.DataFrame())
        self.frame.columns = used
        self._text: dict[str, pd.Series] = {}

    def column(self, pos: int) -> pd.Series:
        """Return the raw column at header position ``pos``."""
        return self.frame[pos]

    def has(self, field: str) -> bool:
        return field in self.positions

    def header(self, field: str) -> str:
        return self.headers[self.positions[field][0]]

    def text(self, field: str) -> pd.Series:
        """Return the column as strings (NA when empty); duplicated headers: first non-empty."""
        cached = self._text.get(field)
        if cached is None:
            cached = self._text[field] = self._read_text(field)
        return cached  # safe to share: pandas copy-on-write

    def _read_text(self, field: str) -> pd.Series:
        if field not in self.positions:
            return pd.Series(pd.NA, index=self.frame.index, dtype="string")
        positions = self.positions[field]
        values = self.frame[positions[0]]
        for pos in positions[1:]:
            values = values.fillna(self.frame[pos])
        # as .astype("string").str.strip() then "" -> NA, in one pass of Arrow kernels
        try:
            arr = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            values = values.astype("string").str.strip()
            return values.mask(values == "")
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index, copy=False)

    def count(self, field: str) -> pd.Series:
        """Return the column as nullable integers; empty and N/A are NA, never 0."""
        if field not in self.positions:
            return pd.Series(pd.NA, index=self.frame.index, dtype="Int64")
        return rounded_count(_to_number(self.text(field), self.raw, self.header(field)))

    def require(self, *fields: str) -> None:
        for field in fields:
            if field not in self.positions:
                raise InputFormatError(
                    "a required column is missing",
                    file=self.raw.path,
                    column=REQUIRED_HEADERS[field],
                    hint="export again with the default columns ticked in Meta Business Suite",
                )


def _row_number(index_label: int, header_rows: int = 1) -> int:
    """Spreadsheet row of a data row (1-based, header rows counted)."""
    return int(index_label) + header_rows + 1


def _to_number(values: pd.Series, raw: RawFile, column: str, header_rows: int = 1) -> pd.Series:
    """Parse numbers vectorised; thousands separators tolerated; bad cells name their row."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        try:  # fastest path: Arrow text -> placeholders null -> float64, all in C
            arr = pa.array(values.array)
            arr = pc.if_else(pc.is_in(arr, value_set=_MISSING_SET), pa.scalar(None, pa.string()),
                             arr)
            parsed = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
            return pd.Series(floating(parsed), index=values.index, copy=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass
    values = values.mask(values.isin(MISSING_TOKENS))
    try:  # fast path: Arrow parses clean numeric text in C
        parsed = pc.cast(pa.array(values, type=pa.string(), from_pandas=True), pa.float64())
        return pd.Series(parsed, index=values.index, dtype="float64").astype("Float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        pass
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if bad.any():
        cleaned = values.str.replace(r"[,\s\u00a0\u202f]", "", regex=True)
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = values.notna() & numbers.isna()
        if bad.any():
            first = bad.idxmax()
            raise InputFormatError(
                f"{values[first]!r} is not a number",
                file=raw.path,
                row=_row_number(first, header_rows),
                column=column,
                hint="download the export again; numbers must be plain digits",
            )
    return numbers.astype("Float64")


def _first_line_cells(raw: RawFile, index: int, delimiter: str) -> list[str]:
    lines = raw.first_lines(index + 1)
    if index >= len(lines):
        return []
    return [c.strip() for c in next(csv.reader([lines[index]], delimiter=delimiter), [])]


def _read_table(raw: RawFile) -> _Columns:
    delimiter = raw.sniff_delimiter(raw.first_lines(1))
    return _Columns(raw, _first_line_cells(raw, 0, delimiter), delimiter)


# --------------------------------------------------------------------------- posts


def _header_keys(raw: RawFile) -> set[str]:
    if raw.container != "text":
        return set()
    lines = raw.first_lines(1)
    if not lines:
        return set()
    delimiter = raw.sniff_delimiter(lines)
    return {normalise_header(c) for c in _first_line_cells(raw, 0, delimiter)}


def _has_any(keys: set[str], field: str) -> bool:
    return any(alias in keys for alias in POST_ALIASES[field])


def sniff_facebook_posts(raw: RawFile) -> bool:
    """Return True for a Business Suite Facebook post-level export (by header)."""
    keys = _header_keys(raw)
    return _has_any(keys, "post_id") and (_has_any(keys, "page_id") or _has_any(keys, "page_name"))


def sniff_instagram_posts(raw: RawFile) -> bool:
    """Return True for a Business Suite Instagram post-level export (by header)."""
    keys = _header_keys(raw)
    return _has_any(keys, "post_id") and (
        _has_any(keys, "account_id") or _has_any(keys, "account_username")
    )


def _check_ids(columns: _Columns, fields: Iterable[str]) -> None:
    for field in fields:
        ids = columns.text(field)
        # the common clean case as a plain loop (Python's re, as .str.contains falls back to
        # wherever RE2 would differ); a hit is re-checked below for the message
        if not any(_DAMAGED_ID_RE.search(v) for v in ids.tolist() if isinstance(v, str)):
            continue
        damaged = ids.str.contains(_DAMAGED_ID, regex=True).fillna(False).astype(bool)
        if damaged.any():
            first = damaged.idxmax()
            raise InputFormatError(
                f"the IDs were destroyed by a spreadsheet ({ids[first]!r}; "
                f"{int(damaged.sum())} rows affected)",
                file=columns.raw.path,
                row=_row_number(first),
                column=columns.header(field),
                hint=REDOWNLOAD_HINT,
            )


def _parse_publish_time(columns: _Columns, warnings: list[str]) -> pd.Series:
    """``Publish time`` (US Pacific wall time) -> UTC timestamps."""
    column = columns.header("publish_time")
    text = columns.text("publish_time")
    if text.isna().any():
        first = text.isna().idxmax()
        raise InputFormatError(
            "the publish time is empty", file=columns.raw.path, row=_row_number(first),
            column=column, hint=REDOWNLOAD_HINT,
        )
    # Meta writes zero-padded "MM/DD/YYYY HH:MM" (16 characters); anything else was re-typed.
    if (text.str.len() != 16).any():
        example = text[text.str.len() != 16].iloc[0]
        warnings.append(
            f"dates like {example!r} show the file was touched by Excel; "
            "prefer the original download"
        )
    naive = pd.to_datetime(text, format="%m/%d/%Y %H:%M", errors="coerce")
    if naive.isna().any():
        retry = pd.to_datetime(text, format="%m/%d/%Y %H:%M:%S", errors="coerce")
        naive = naive.fillna(retry)
    if naive.isna().any():
        first = naive.isna().idxmax()
        raise InputFormatError(
            f"{text[first]!r} is not a date like 03/26/2024 05:13",
            file=columns.raw.path, row=_row_number(first), column=column, hint=REDOWNLOAD_HINT,
        )
    ambiguous_as_dst = np.ones(len(naive), dtype=bool)
    local = naive.dt.tz_localize(META_TZ, ambiguous=ambiguous_as_dst, nonexistent="shift_forward")
    return local.dt.tz_convert("UTC")


def _select_account(
    columns: _Columns, platform: str, params: dict, warnings: list[str]
) -> tuple[pd.Series, str | None]:
    """Return (row mask to keep, the account name); reject mixed exports without a choice."""
    field = "page_name" if platform == "facebook" else "account_username"
    id_field = "page_id" if platform == "facebook" else "account_id"
    names = columns.text(field)
    ids = columns.text(id_field)
    present = sorted(names.dropna().unique().tolist())
    keep = pd.Series(True, index=names.index)
    configured = ((params.get("platforms") or {}).get(platform) or {}).get("account")
    if len(present) <= 1:
        account = present[0] if present else (str(configured) if configured else None)
        if configured and present and account.casefold() != str(configured).casefold():
            warnings.append(
                f"the export is for account {account!r}, not the configured {configured!r}"
            )
        return keep, account
    wanted = str(configured).casefold() if configured else None
    matches = (names.str.casefold() == wanted) | (ids == str(configured))
    matches = matches.fillna(False).astype(bool)
    if not wanted or not matches.any():
        shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise InputFormatError(
            f"the export holds {len(present)} accounts ({shown})",
            file=columns.raw.path,
            column=columns.header(field),
            hint=f"set platforms.{platform}.account in params/org.yaml to the account to keep, "
            "or export one account at a time",
        )
    account = names[matches].iloc[0]
    keep = matches | names.isna()
    dropped = int((~keep).sum())
    others = sorted(set(present) - {account})
    warnings.append(
        f"kept the {int(keep.sum())} rows of account {account!r}; dropped {dropped} rows of "
        f"other accounts ({', '.join(others)})"
    )
    return keep, account


_ZERO_ONE = pa.array(["0", "1"], type=pa.string())


def _bool01(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = pa.array(values.array)
        if pc.all(pc.or_(pc.is_in(arr, value_set=_ZERO_ONE), pc.is_null(arr))).as_py():
            # only "0"/"1"/NA: the flags read directly (as to_numeric, then > 0)
            missing = pc.is_null(arr).to_numpy(zero_copy_only=False)
            ones = pc.fill_null(pc.equal(arr, "1"), False).to_numpy(zero_copy_only=False)
            return pd.Series(pd.arrays.BooleanArray(np.array(ones, dtype=bool),
                                                    np.array(missing, dtype=bool)),
                             index=values.index, copy=False)
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0).astype("boolean").mask(numbers.isna())


def _parse_posts(raw: RawFile, ctx: ParseContext, platform: str, kind: str) -> ParsedExport:
    columns = _read_table(raw)
    warnings: list[str] = []
    notes: list[str] = []
    account_field = "page_name" if platform == "facebook" else "account_username"
    id_field = "page_id" if platform == "facebook" else "account_id"
    columns.require("post_id", "publish_time", account_field)
    if columns.delimiter != ",":
        warnings.append("the file is ';'-separated: it was re-saved by a spreadsheet")
    if raw.encoding == "cp1252":
        warnings.append("the file is not UTF-8 (read as Windows-1252): it was re-saved by a "
                        "spreadsheet; check accented captions, or download it again")
    _check_ids(columns, ["post_id"] + ([id_field] if columns.has(id_field) else []))

    keep, account = _select_account(columns, platform, ctx.params, warnings)
    published_utc = _parse_publish_time(columns, warnings)
    index = columns.frame.index

    # columns collected first, the frame built once (per-column inserts are slow)
    out: dict[str, object] = {}
    n = len(index)
    # per-file constants as canonical arrays (conform then has nothing to cast)
    out["platform"] = constant_column(platform, n, "string")
    out["account"] = (columns.text(account_field).fillna(account) if account
                      else constant_column(None, n, "string"))
    out["account_id"] = columns.text(id_field)
    out["post_id"] = columns.text("post_id")
    out["permalink"] = columns.text("permalink")
    out["published_at"] = published_utc
    out["published_at_utc"] = published_utc
    post_type = columns.text("post_type").str.lower()
    out["format"] = lookup(post_type, FORMAT_MAP, "other")
    if platform == "facebook":
        title = columns.text("title")
        caption = title.fillna(columns.text("description"))
    else:
        caption = columns.text("description")
    out["caption"] = caption
    # findall only on captions that hold a '#'; the others get no list (conform: [])
    tags = np.empty(len(index), dtype=object)
    for i, text in enumerate(caption.tolist()):
        if isinstance(text, str) and "#" in text:
            tags[i] = _HASHTAG.findall(text)
    out["hashtags"] = tags
    out["exposure_kind"] = constant_column("reach", n, "string")
    for field in ("reach", "impressions", "views", "comments", "shares", "saves", "follows"):
        out[field] = columns.count(field)
    if platform == "facebook":
        out["reactions"] = columns.count("reactions")
        out["clicks"] = columns.count("total_clicks")
        summed = out["reactions"] + out["comments"] + out["shares"]
        if columns.has("reactions_comments_shares"):
            out["interactions"] = columns.count("reactions_comments_shares").fillna(summed)
        else:
            out["interactions"] = summed
        boosted = pd.Series(False, index=index)
        for pos in columns.boosted_positions:
            paid = _to_number(columns.column(pos).astype("string").str.strip(),
                              raw, columns.headers[pos])
            boosted = boosted | (paid > 0).fillna(False).astype(bool)
        funded = columns.text("funded_content_status")
        boosted = boosted | funded.notna()
        out["boosted"] = boosted.astype("boolean")
        out["is_share"] = _bool01(columns.text("is_share"))
        out["is_crosspost"] = _bool01(columns.text("is_crosspost"))
    else:
        out["reactions"] = columns.count("likes")
        out["interactions"] = out["reactions"] + out["comments"] + out["shares"] + out["saves"]
        for flag in ("boosted", "is_share", "is_crosspost"):
            out[flag] = constant_column(False, n, "boolean")
    out["duration_sec"] = _to_number(columns.text("duration_sec"), raw, "Duration (sec)")
    snapshot = snapshot_from_file(raw.path)
    out["snapshot_at"] = constant_column(snapshot, n, "datetime64[ns, UTC]")
    out["source_file"] = constant_column(str(raw.path), n, "string")
    if keep.all():  # the usual case: no row dropped, no intermediate frame
        posts = conform_posts_columns(out, ctx.tz)
    else:
        posts = conform_posts(pd.DataFrame(out, index=index)[keep.to_numpy()], ctx.tz)

    if not columns.has("views") and not columns.has("impressions"):
        notes.append("no Views or Impressions column (exports before Sep 2024 have neither)")
    if not columns.has("reach"):
        warnings.append("no Reach column: these posts are left out of per-reach rate models")
    name_range = range_from_file_name(raw.name)
    if name_range:
        notes.append(
            f"file name range {name_range[0]:%Y-%m-%d}..{name_range[1]:%Y-%m-%d}"
        )
    local = posts["published_at"]
    return ParsedExport(
        path=raw.path,
        kind=kind,
        tables={"posts": posts},
        account=account,
        date_min=local.min() if len(posts) else None,
        date_max=local.max() if len(posts) else None,
        snapshot_at=snapshot,
        unknown_columns=columns.unknown,
        warnings=warnings,
        notes=notes,
    )


def parse_facebook_posts(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Business Suite Facebook post export (export-formats §1) into canonical posts."""
    return _parse_posts(raw, ctx, "facebook", FACEBOOK_POSTS.name)


def parse_instagram_posts(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Business Suite Instagram post export (export-formats §2) into canonical posts."""
    return _parse_posts(raw, ctx, "instagram", INSTAGRAM_POSTS.name)


# --------------------------------------------------------------------------- chart downloads


def _chart_head(raw: RawFile) -> tuple[int, str, list[str], str] | None:
    """(title line index, title, header cells, delimiter) of a chart download, or None."""
    if raw.container != "text":
        return None
    lines = raw.first_lines(4)
    if not lines:
        return None
    start = 1 if lines[0].strip().lower().startswith("sep=") else 0
    if len(lines) < start + 2:
        return None
    delimiter = raw.sniff_delimiter(lines)
    title_cells = [c for c in _first_line_cells(raw, start, delimiter) if c]
    if len(title_cells) != 1:
        return None
    header = [normalise_header(c) for c in _first_line_cells(raw, start + 1, delimiter)]
    return start, title_cells[0], header, delimiter


def sniff_chart(raw: RawFile) -> bool:
    """Return True for a chart download: ``sep=`` line, a title line, ``Date,Primary``."""
    head = _chart_head(raw)
    return bool(head) and head[2][:2] == ["date", "primary"]


def _audience_title(raw: RawFile) -> str | None:
    if raw.container != "text":
        return None
    lines = [line for line in raw.first_lines(4) if line.strip()]
    if lines and lines[0].strip().lower().startswith("sep="):
        lines = lines[1:]
    if not lines:
        return None
    title = normalise_header(lines[0].strip().rstrip(",;").strip('"'))
    return title if title in AUDIENCE_TITLES else None


def sniff_audience(raw: RawFile) -> bool:
    """Return True for the chart download ``Audience.csv`` (age/gender, countries, cities)."""
    return _audience_title(raw) is not None


def platform_from_path(path: Path) -> str | None:
    """``facebook``/``instagram`` from the file name or its three nearest folders, else None."""
    parts = [Path(path).stem, *[p.name for p in list(Path(path).parents)[:3]]]
    for part in parts:
        tokens = set(re.split(r"[^a-z0-9]+", part.lower()))
        found = {PLATFORM_WORDS[t] for t in tokens if t in PLATFORM_WORDS}
        if len(found) == 1:
            return found.pop()
    return None


#: One clean chart data line: a quoted or bare ISO date(-time) and a plain decimal number.
#: Quotes must pair up (a lone quote changes what the CSV parser reads).
_CHART_LINE = re.compile(r'(?P<q1>"?)(\d{4}-\d{2}-\d{2})[T0-9:.+\-Z]*(?P=q1){sep}'
                         r'(?P<q2>"?)(-?\d{1,15}(?:\.\d{1,15})?)(?P=q2)')


def _chart_rows_fast(raw: RawFile, start: int, header: list[str],
                     delimiter: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Dates and values of a clean chart file without pandas' CSV machinery, else None.

    Only for files where every data line is ``"<ISO date>","<number>"`` (what Business Suite
    writes); anything else returns None and :func:`_chart_rows` decides, so results and
    errors are those of the general path. Charts are ~45% of all files: the per-call
    overhead of read_csv and the string ops dominated their parse.
    """
    if len(header) != 2 or delimiter not in {",", ";", "\t"}:
        return None
    text = raw.text
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if len(lines) != len(text.splitlines()) + (1 if text.endswith("\n") else 0):
        return None  # other line breaks (\r alone, \x0b, ...): let the CSV parser judge
    pattern = _CHART_LINE.pattern.replace("{sep}", re.escape(delimiter))
    matcher = re.compile(pattern).fullmatch
    days, numbers = [], []
    for line in lines[start + 2:]:
        if not line:
            continue  # read_csv skips blank lines
        found = matcher(line)
        if found is None:
            return None
        days.append(found.group(2))
        numbers.append(found.group(4))
    try:
        dates = np.array(days, dtype="datetime64[D]").astype("datetime64[ns]")
    except ValueError:  # e.g. 2025-02-30: the general path reports it
        return None
    values = np.array([float(v) for v in numbers], dtype="float64")
    return dates, pd.arrays.FloatingArray(values, np.zeros(len(values), dtype=bool))


def _chart_rows(raw: RawFile, start: int, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates (``datetime64``) and values (Float64) of a chart download's data rows."""
    frame = raw.read_csv(skiprows=start + 1, delimiter=delimiter)
    header_rows = start + 2
    dates_text = frame.iloc[:, 0].astype("string").str.strip()
    frame = frame[dates_text.notna()]
    dates_text = dates_text[dates_text.notna()]
    dates = pd.to_datetime(dates_text.str[:10], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        first = dates.isna().idxmax()
        raise InputFormatError(
            f"{dates_text[first]!r} is not a date like 2025-01-01T00:00:00",
            file=raw.path, row=_row_number(first, header_rows), column="Date",
            hint="download the chart again",
        )
    values = _to_number(frame.iloc[:, 1].astype("string").str.strip(), raw, "Primary",
                        header_rows)
    return dates.to_numpy(), values.to_numpy()


def parse_chart(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Business Suite chart download (export-formats §1b) into the ``daily`` table."""
    start, title, header, delimiter = _chart_head(raw)
    words = normalise_header(title)
    platform = None
    for word, name in (("facebook ", "facebook"), ("instagram ", "instagram")):
        if words.startswith(word):
            platform, words = name, words[len(word):]
    metric = CHART_METRICS.get(words)
    if metric is None:
        raise InputFormatError(
            f"unknown chart title {title!r}",
            file=raw.path,
            row=start + 1,
            hint="expected one of: " + ", ".join(sorted(CHART_METRICS)),
        )
    warnings: list[str] = []
    notes: list[str] = []
    from_path = platform_from_path(raw.path)
    if platform is None:
        if from_path is None:
            raise InputFormatError(
                f"the chart {title!r} does not say whether it is Facebook or Instagram",
                file=raw.path,
                hint="put the file under data/raw/<month>/facebook/ or "
                "data/raw/<month>/instagram/",
            )
        platform = from_path
        notes.append(f"platform {platform} taken from the file's folder or name")
    elif from_path and from_path != platform:
        warnings.append(f"the title says {platform} but the folder or name says {from_path}")
    if delimiter == ";":
        warnings.append("the file is ';'-separated: it was re-saved by a spreadsheet")

    fast = _chart_rows_fast(raw, start, header, delimiter)
    if fast is not None:
        dates, values = fast
    else:
        dates, values = _chart_rows(raw, start, delimiter)
    account = ((ctx.params.get("platforms") or {}).get(platform) or {}).get("account")
    snapshot = snapshot_from_file(raw.path)
    n = len(dates)
    daily = conform(
        pd.DataFrame(
            {  # new arrays, canonical already (conform only checks)
                "platform": constant_column(platform, n, "string"),
                "account": constant_column(account if account else None, n, "string"),
                "date": dates,
                "metric": constant_column(metric, n, "string"),
                "value": values,
                "source_file": constant_column(str(raw.path), n, "string"),
                "snapshot_at": constant_column(snapshot, n, "datetime64[ns, UTC]"),
            },
            index=pd.RangeIndex(n),
            copy=False,
        ),
        "daily",
    )
    days = daily["date"].to_numpy()  # never NaT here (a bad date is an error above)
    if len(np.unique(days)) != len(days):
        warnings.append("some dates appear twice; the last value is kept")
    return ParsedExport(
        path=raw.path,
        kind=CHART.name,
        tables={"daily": daily},
        account=str(account) if account else None,
        date_min=pd.Timestamp(days.min()) if len(days) else None,
        date_max=pd.Timestamp(days.max()) if len(days) else None,
        snapshot_at=snapshot,
        warnings=warnings,
        notes=notes + [f"chart {title!r} -> {platform} {metric}"],
    )


def parse_audience(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Recognise ``Audience.csv`` and skip it (a breakdown, not a daily series)."""
    return ParsedExport(
        path=raw.path,
        kind=AUDIENCE.name,
        tables={},
        snapshot_at=snapshot_from_file(raw.path),
        notes=["audience breakdown (age & gender, countries, cities): not a daily series; "
               "skipped"],
    )


FACEBOOK_POSTS = register(ExportKind(
    name="meta_facebook_posts",
    label="Meta Business Suite Facebook posts export",
    sniff=sniff_facebook_posts,
    parse=parse_facebook_posts,
    priority=50,
))
INSTAGRAM_POSTS = register(ExportKind(
    name="meta_instagram_posts",
    label="Meta Business Suite Instagram posts export",
    sniff=sniff_instagram_posts,
    parse=parse_instagram_posts,
    priority=50,
))
CHART = register(ExportKind(
    name="meta_chart",
    label="Meta Business Suite chart download (daily series)",
    sniff=sniff_chart,
    parse=parse_chart,
    priority=40,
))
AUDIENCE = register(ExportKind(
    name="meta_audience",
    label="Meta Business Suite Audience.csv (skipped: not a daily series)",
    sniff=sniff_audience,
    parse=parse_audience,
    priority=40,
))

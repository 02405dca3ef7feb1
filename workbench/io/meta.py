"""Meta Business Suite exports: Facebook and Instagram post CSVs, and chart downloads.

Chart downloads are read in :mod:`workbench.io.meta_charts`, audience breakdowns in
:mod:`workbench.io.audience` (the kinds stay registered here, under their names). What real
files taught us: docs/export-formats.md §1.4, §1.7, §1b, §2.2-§2.3, §11.

See export-formats.md §1 (Facebook posts), §1b (chart downloads), §2 (Instagram posts) and
statistics.md §1.1-§1.4, §9.4-§9.5. Headers are matched case-insensitively and by name, through
the data-driven alias tables below (add a localised header there once a real file shows it).

Decisions worth knowing:

* ``Publish time`` is US Pacific wall time (DST-aware). At the autumn switch the hour
  01:00-01:59 happens twice; we read it as the first (daylight) occurrence.
* Instagram: several accounts in one export are collaborations (listed under the
  collaborator's username): every row is kept, the organisation's account is the configured
  one (else the most frequent) and the others are flagged ``is_collab``. Facebook: several
  Pages are rejected unless ``platforms.facebook.account`` names one of them; then that
  Page's rows are kept and a warning says how many rows of other Pages were dropped.
* Rows Meta writes when it fails on a post (no Post ID, no Publish time, a ``Data comment``)
  are skipped with a counted warning; a header-only export is zero posts with a warning.
* Instagram Stories exports are recognised and skipped: ``NotAnExportError``, listed under
  ``skipped`` by ingest (stories are not feed posts).
* Translated exports (Portuguese, Italian; French and Spanish from the interface wording)
  are read through the alias tables; see docs/export-formats.md §1.7.
* Instagram exports carry no share/crosspost/boost columns: ``is_share``, ``is_crosspost`` and
  ``boosted`` are False for them (not NA), so organic filters keep working.
* Speed: a plainly clean posts export (the usual case) is read by ``_parse_posts_fast``
  (Python lists, the same Arrow kernels, the canonical frame built once: about a third of
  the CPU); anything it cannot prove clean takes the full route, which alone warns and
  fails. tests/io/test_meta_fast.py and benchmarks/meta_fast_identity.py hold the two
  routes to identical results.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import InputFormatError, NotAnExportError
from workbench.io import audience, meta_charts
from workbench.io._tabular import constant_column, floating, lookup, rounded_count
from workbench.io.meta_charts import platform_from_path as platform_from_path
from workbench.io.meta_charts import sniff_audience, sniff_chart
from workbench.io.rawfile import RawFile
from workbench.io.registry import (
    ExportKind,
    ParseContext,
    ParsedExport,
    register,
    snapshot_from_file,
)
from workbench.schema import POSTS_DTYPES, all_missing, conform_posts, conform_posts_columns

META_TZ = "America/Los_Angeles"
REDOWNLOAD_HINT = (
    "download the export again from Meta Business Suite and put the original file in "
    "data/raw without opening and saving it in a spreadsheet"
)

#: Canonical field -> header spellings (normalised: lower case, single spaces). English first,
#: then the interface languages. Portuguese (Brazil) Instagram headers are from a real export;
#: the other translations are Meta's interface wording, best effort (export-formats §1.7).
POST_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("post id", "identifiant de la publication", "identificação da publicação",
                "id da publicação", "id del post", "id della publicazione",
                "identificador de la publicación", "id de la publicación",
                "identificação do post"),
    "page_id": ("page id", "id de la page", "identificação da página", "id da página",
                "id della pagina", "identificador de la página", "id de la página"),
    "page_name": ("page name", "nom de la page", "nome da página", "nome della pagina",
                  "nombre de la página"),
    "account_id": ("account id", "identifiant du compte", "identificação da conta",
                   "id da conta", "id account", "id dell'account", "id dell’account",
                   "identificador de la cuenta", "id de la cuenta"),
    "account_username": ("account username", "nom d'utilisateur du compte",
                         "nome de usuário da conta", "nome de utilizador da conta",
                         "nome utente dell'account", "nome utente account",
                         "nombre de usuario de la cuenta"),
    "title": ("title", "titre", "título", "titolo"),
    "description": ("description", "descrição", "descrizione", "descripción"),
    "duration_sec": ("duration (sec)", "duration (secs)", "duration sec", "durée (s)",
                     "durée (secondes)", "duração (segundos)", "duração (s)", "durata (sec)",
                     "durata (secondi)", "durata (s)", "duración (s)", "duración (segundos)"),
    "publish_time": ("publish time", "heure de publication", "horário de publicação",
                     "hora de publicação", "orario di pubblicazione", "ora di pubblicazione",
                     "hora de publicación"),
    "permalink": ("permalink", "permalien", "link permanente", "enlace permanente"),
    "is_crosspost": ("is crosspost",),
    "is_share": ("is share", "est un partage"),
    "post_type": ("post type", "type de publication", "tipo de publicação", "tipo di post",
                  "tipo de post",
                  "tipo de publicación"),
    "funded_content_status": ("funded content status",),
    "data_comment": ("data comment", "commentaire sur les données", "comentário de dados",
                     "commento sui dati", "comentario de datos", "comentario sobre los datos"),
    "views": ("views", "vues", "visualizações", "visualizzazioni", "visualizaciones"),
    "impressions": ("impressions", "impressões", "impressioni", "impresiones"),
    "reach": ("reach", "couverture", "alcance", "copertura"),
    "reactions_comments_shares": (
        "reactions, comments and shares",
        "réactions, commentaires et partages",
        "reações, comentários e compartilhamentos",
        "reazioni, commenti e condivisioni",
        "reacciones, comentarios y veces que se compartió",
    ),
    "reactions": ("reactions", "réactions", "reações", "reazioni", "reacciones"),
    "likes": ("likes", "j'aime", "mentions j'aime", "curtidas", "gostos", "mi piace",
              "me gusta"),
    "comments": ("comments", "commentaires", "comentários", "commenti", "comentarios"),
    "shares": ("shares", "partages", "compartilhamentos", "partilhas", "condivisioni",
               "veces que se compartió", "compartidos"),
    "saves": ("saves", "enregistrements", "salvamentos", "guardados", "salvataggi",
              "veces que se guardó"),
    "follows": ("follows", "suivis", "seguimentos", "follow", "follower", "seguimientos"),
    "total_clicks": ("total clicks", "total des clics", "total de cliques", "clic totali",
                     "clics totales"),
    "link_clicks": ("link clicks", "clics sur un lien", "cliques no link", "clic sul link",
                    "clics en el enlace"),
    "reach_organic": ("reach from organic posts", "couverture de publications organiques"),
    "reach_boosted": ("reach from boosted posts", "couverture de publications boostées"),
}

#: Instagram Stories exports: headers only a story export has (any of them marks one).
STORY_HEADERS = frozenset({
    "navigation", "replies", "sticker taps", "profile visits", "link clicks",
    "respostas", "navegação", "toques em figurinhas", "risposte", "navigazione",
    "respuestas", "navegación", "réponses",
})
#: Post-type cells of stories ("IG story", "Story do Instagram", "Storia di Instagram", ...).
_STORY_TYPE = re.compile(r"\b(story|stories|storia|storie|historia|historias)\b", re.I)

#: Headers we know and deliberately do not load (so they are not reported as unknown).
KNOWN_UNUSED = {
    "account name", "caption type", "languages", "custom labels", "date",
    "other clicks", "matched audience targeting consumption (photo click)",
    "matched audience targeting consumption (video click)", "3-second video views",
    "1-minute video views", "3-second viewers", "1-minute viewers",
    "3-second video views from organic posts", "views from organic posts",
    "seconds viewed", "average seconds viewed", "estimated earnings (usd)",
    "negative feedback from users: hide", "negative feedback from users: hide all",
    "negative feedback from users", "unique negative feedback from users", "ad cpm (usd)",
    "ad impressions", "impression:unique_users",
    # the translated "Account name" and "Date" (Lifetime/Vitalício/Totale) columns
    "nom du compte", "nome da conta", "nome account", "nome dell'account",
    "nombre de la cuenta", "data", "fecha",
}
#: Dynamic or breakdown columns of the 2026 "everything ticked" export (§1.3).
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
#: Translated post types ("Reel do Instagram", "Immagine di Instagram", "Carrusel"...):
#: the first pattern found decides.
FORMAT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), name) for pattern, name in (
        (r"\breels?\b", "reel"),
        (r"carousel|carrossel|carosello|carrusel|carrousel|secuencia|sequência", "carousel"),
        (r"\b(v[ií]deos?)\b", "video"),
        (r"\b(image|imagem|immagine|imagen|photos?|fotos?|foto)\b", "photo"),
        (r"\b(links?|enlaces?|liens?|ligaç)", "link"),
        (r"\b(texto?|testo|status|estado)\b", "text"),
        (r"\b(live|ao vivo|en direct|en vivo|diretta)\b", "live"),
    )
)

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
    if type(text) is str:  # headers repeat from file to file: remembered
        return _normalise_header_text(text)
    return _normalise_header_text(str(text))


@functools.lru_cache(maxsize=8192)
def _normalise_header_text(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").strip().strip('"').lower().split())


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
        # strptime, then Timestamp: what pd.to_datetime(format=...) gives, without its set-up
        start = pd.Timestamp(datetime.strptime(f"{g[0]}-{g[1]}-{g[2]}", "%b-%d-%Y"))
        end = pd.Timestamp(datetime.strptime(f"{g[3]}-{g[4]}-{g[5]}", "%b-%d-%Y"))
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
        self.positions, self.unknown, self.boosted_positions = _header_fields(headers)
        used = sorted({p for ps in self.positions.values() for p in ps}
                      | set(self.boosted_positions))
        self.frame = (raw.read_csv(delimiter=delimiter, usecols=used, dtype=object)
                      if used else pd.DataFrame())
        self.frame.columns = used
        self._text: dict[str, pd.Series] = {}

    def drop_rows(self, mask: pd.Series) -> None:
        """Forget the rows where ``mask`` is True (their index labels keep row numbers)."""
        self.frame = self.frame[~mask.to_numpy()]
        self._text.clear()

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
            if not self._text:
                self._read_all_text()
                cached = self._text.get(field)
            if cached is None:
                cached = self._text[field] = self._read_text(field)
        return cached  # safe to share: pandas copy-on-write

    def _read_all_text(self) -> None:
        """:meth:`_read_text` of every field under one header, in one pass of Arrow kernels.

        The columns' cells laid end to end go through the same kernels once and are cut
        back into columns (the kernels work cell by cell). When the cells are not all text
        nothing is cached here and each field takes :meth:`_read_text` on its own.
        """
        fields = [f for f, positions in self.positions.items() if len(positions) == 1]
        if not fields:
            return
        columns = [self.frame[self.positions[f][0]].to_numpy(dtype=object) for f in fields]
        try:
            arr = pa.array(np.concatenate(columns), type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        n, index = len(self.frame), self.frame.index
        for i, field in enumerate(fields):
            self._text[field] = pd.Series(pd.arrays.ArrowStringArray(arr.slice(i * n, n)),
                                          index=index, copy=False)

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

    def counts(self, fields: Iterable[str]) -> dict[str, pd.Series]:
        """:meth:`count` of each of ``fields``, the clean columns parsed in one Arrow pass.

        The cells of every present column are laid end to end, placeholders nulled and cast
        to float in one go, then cut back into columns: cell by cell the same as
        :meth:`count`, which is used for every column when the pass fails (a bad cell
        then names its column and row).
        """
        fields = list(fields)
        out = {f: self.count(f) for f in fields if f not in self.positions}
        present = [f for f in fields if f in self.positions]
        n = len(self.frame)
        texts = [self.text(f) for f in present]
        if present and all(isinstance(t.dtype, pd.StringDtype) and t.dtype.storage == "pyarrow"
                           for t in texts):
            try:
                arr = pa.concat_arrays([pa.array(t.array).cast(pa.large_string())
                                        for t in texts])
                arr = pc.if_else(pc.is_in(arr, value_set=_MISSING_SET),
                                 pa.scalar(None, pa.string()), arr)
                parsed = floating(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                parsed = None
            if parsed is not None:
                counted = rounded_count(pd.Series(parsed, copy=False)).array
                index = self.frame.index
                for i, field in enumerate(present):
                    out[field] = pd.Series(counted[i * n:(i + 1) * n], index=index, copy=False)
                return {f: out[f] for f in fields}
        out.update({f: self.count(f) for f in present})
        return {f: out[f] for f in fields}

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


def sniff_instagram_stories(raw: RawFile) -> bool:
    """Return True for a Business Suite Instagram Stories export (any column order).

    Its header is the posts export's plus story-only columns (Navigation, Replies, Sticker
    taps), or its post types are stories ("IG story", "Story do Instagram").
    """
    if not sniff_instagram_posts(raw):
        return False
    keys = _header_keys(raw)
    if keys & STORY_HEADERS - {"profile visits", "link clicks"}:
        return True
    lines = raw.first_lines(6)
    delimiter = raw.sniff_delimiter(lines[:1])
    rows = list(csv.reader(lines, delimiter=delimiter))
    if len(rows) < 2:
        return False
    header = [normalise_header(c) for c in rows[0]]
    position = next((header.index(a) for a in POST_ALIASES["post_type"] if a in header), None)
    if position is None:
        return False
    types = [r[position] for r in rows[1:] if len(r) > position and r[position].strip()]
    return bool(types) and all(_STORY_TYPE.search(t) for t in types)


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


def _organisation_accounts(params: dict, platform: str) -> list[str]:
    """The organisation's account names for ``platform`` in the org profile (may be empty)."""
    entry = (params.get("platforms") or {}).get(platform) or {}
    names = [entry.get("account")] + list(entry.get("accounts") or [])
    return [str(n) for n in names if n]


def _collaborations(
    columns: _Columns, params: dict, warnings: list[str], notes: list[str]
) -> tuple[pd.Series, str | None]:
    """Instagram: (``is_collab`` per row, the organisation's account); every row is kept.

    Real exports list collaboration posts under the collaborator's username, so several
    accounts in one file are normal. The organisation's account is the one in the org
    profile, else the most frequent; the other accounts' rows are collaborations. Only a
    file without the organisation's account gets a warning.
    """
    names = columns.text("account_username")
    ids = columns.text("account_id")
    counts = names.dropna().value_counts()
    configured = _organisation_accounts(params, "instagram")
    wanted = {c.casefold() for c in configured}
    folded = names.str.casefold()
    matches = (folded.isin(wanted) | ids.isin(configured)).fillna(False).astype(bool)
    if matches.any():
        account = str(names[matches].dropna().iloc[0]) if names[matches].notna().any() \
            else configured[0]
    elif len(counts):
        account = str(counts.index[0])
        if configured:
            shown = ", ".join(counts.index[:5].tolist()) + (", ..." if len(counts) > 5 else "")
            warnings.append(
                f"the organisation's account {configured[0]!r} is not in this export "
                f"(accounts: {shown}); {account!r}, the most frequent, is taken as the "
                "organisation's"
            )
    else:
        account = configured[0] if configured else None
    if account is None:
        return pd.Series(False, index=names.index, dtype="boolean"), None
    is_collab = (folded != account.casefold()) & ~matches
    is_collab = is_collab.fillna(False).astype("boolean")
    if is_collab.any():
        others = sorted(set(names[is_collab.to_numpy(dtype=bool)].dropna()))
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        notes.append(f"{int(is_collab.sum())} collaboration posts listed under other accounts "
                     f"({shown}): kept, flagged is_collab")
    return is_collab, account


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


def _formats(post_type: pd.Series) -> pd.Series:
    """Canonical formats of lower-cased post types, translated ones included."""
    formats = lookup(post_type, FORMAT_MAP, "other")
    unknown = (formats == "other") & post_type.notna()
    if unknown.any():
        found = {}
        for value in post_type[unknown].unique().tolist():
            found[value] = next((name for pattern, name in FORMAT_PATTERNS
                                 if pattern.search(value)), "other")
        formats = formats.mask(unknown, post_type.map(found))
    return formats


def _column_notes(raw: RawFile, has_exposure: bool, has_reach: bool, warnings: list[str],
                  notes: list[str]) -> None:
    """The closing notes and warnings of a posts file (missing columns, file name range)."""
    if not has_exposure:
        notes.append("no Views or Impressions column (exports before Sep 2024 have neither)")
    if not has_reach:
        warnings.append("no Reach column: these posts are left out of per-reach rate models")
    name_range = range_from_file_name(raw.name)
    if name_range:
        notes.append(
            f"file name range {name_range[0]:%Y-%m-%d}..{name_range[1]:%Y-%m-%d}"
        )


# --------------------------------------------------------------------------- posts, fast path
# A clean export (the usual case) read without the ~90 pandas Series of the route above: the
# cells as Python lists, the subtle conversions through the same Arrow kernels and pandas
# datetime calls applied to arrays, and the canonical frame built once. Anything the fast path
# cannot prove clean returns None and takes the route above, which keeps every warning and
# error message. tests/io/test_meta_fast.py holds the two routes to identical results.

_FORMAT_FOUND: dict[str, str] = {}


def _format_of(value: str | None) -> str:
    """:func:`_formats` of one lower-cased post type (None is "other")."""
    if value is None:
        return "other"
    found = FORMAT_MAP.get(value)
    if found is None:
        found = _FORMAT_FOUND.get(value)
        if found is None:
            found = next((name for pattern, name in FORMAT_PATTERNS if pattern.search(value)),
                         "other")
            if len(_FORMAT_FOUND) < 4096:
                _FORMAT_FOUND[value] = found
    return found


def _header_fields(headers: list[str]) -> tuple[dict[str, list[int]], list[str], list[int]]:
    """(field -> header positions, unknown headers, boosted positions) of a header row.

    Both routes map the header with it (:class:`_Columns` and the fast one).
    """
    positions: dict[str, list[int]] = {}
    alias_to_field = _alias_to_field()
    unknown: list[str] = []
    boosted: list[int] = []
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        field = alias_to_field.get(key)
        if field is not None:
            positions.setdefault(field, []).append(pos)
        elif key and key not in KNOWN_UNUSED and not KNOWN_UNUSED_PATTERNS.match(key):
            unknown.append(header)
        if key.endswith("from boosted posts"):
            boosted.append(pos)
    return positions, unknown, boosted


@functools.cache
def _alias_to_field() -> dict[str, str]:
    return {a: f for f, aliases in POST_ALIASES.items() for a in aliases}


def _clean_records(raw: RawFile) -> list[list[str]] | str:
    """The CSV records (header first) when the csv module and pandas must agree on them.

    Else why not (a string): text that is not UTF-8, holds a carriage return, a NUL, text
    after a closing quote (``strict``), an unclosed quote, no final newline, no data rows, or
    rows whose cell count differs from the header's.
    """
    if raw.encoding not in ("utf-8", "utf-8-sig"):
        return f"encoding {raw.encoding}"
    text = raw.text
    if "\r" in text or not text.endswith("\n"):
        return "carriage returns or no final newline"
    try:
        records = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error:
        return "quoting the csv module rejects (strict)"
    if len(records) < 2:
        return "no rows"
    width = len(records[0])
    if any(len(record) != width for record in records):
        return "a row of another width than the header"
    return records


def _text_columns(columns: list[tuple[str, ...]], n: int) -> list[pa.Array]:
    """Cells as :meth:`_Columns.text` gives them: trimmed, empty -> null, in one Arrow pass."""
    if not columns:
        return []
    arr = pa.array(list(itertools.chain.from_iterable(columns)), type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return [arr.slice(i * n, n) for i in range(len(columns))]


def _field_cells(cells: list[tuple[str, ...]], positions: list[int]) -> tuple[str, ...]:
    """A field's cells; under several headers the first non-empty one (as ``fillna``)."""
    if len(positions) == 1:
        return cells[positions[0]]
    return tuple(next((cell for cell in row if cell != ""), "")
                 for row in zip(*(cells[pos] for pos in positions), strict=True))


def _paid(cells: list[tuple[str, ...]], positions: list[int], n: int) -> np.ndarray | None:
    """Rows with a positive "... from boosted posts" number, as the full route reads them.

    None when a cell is blank but not empty (the full route rejects it) or not a plain
    number or placeholder (the full route's slower readers decide).
    """
    paid = np.zeros(n, dtype=bool)
    if not positions:
        return paid
    arr = pa.array([cell for pos in positions for cell in cells[pos]], type=pa.string())
    trimmed = pc.utf8_trim_whitespace(arr)
    if pc.any(pc.and_(pc.not_equal(arr, ""), pc.equal(trimmed, ""))).as_py():
        return None
    trimmed = pc.if_else(pc.or_(pc.equal(trimmed, ""), pc.is_in(trimmed, value_set=_MISSING_SET)),
                         pa.scalar(None, pa.string()), trimmed)
    try:
        numbers = pc.cast(trimmed, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    with np.errstate(invalid="ignore"):
        positive = numbers > 0  # NaN (empty, placeholder) is not paid
    return positive.reshape(len(positions), n).any(axis=0)


def _count_arrays(texts: list[pa.Array]) -> list[pd.arrays.IntegerArray] | None:
    """:meth:`_Columns.counts` of clean text arrays (None when a cell is not a plain number)."""
    if not texts:
        return []
    n = len(texts[0])
    arr = pa.concat_arrays([t.cast(pa.large_string()) for t in texts])
    arr = pc.if_else(pc.is_in(arr, value_set=_MISSING_SET), pa.scalar(None, pa.string()), arr)
    try:
        data = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    known = ~np.isnan(data)
    if not (np.abs(data[known]) < 2.0**53).all():
        return None
    rounded = np.where(known, np.round(data), 0).astype("int64")
    return [pd.arrays.IntegerArray(rounded[i * n:(i + 1) * n].copy(), ~known[i * n:(i + 1) * n])
            for i in range(len(texts))]


def _flags01(arr: pa.Array) -> pd.arrays.BooleanArray | None:
    """:func:`_bool01` of a text array of "0", "1" and nulls (None for anything else)."""
    if not pc.all(pc.or_(pc.is_in(arr, value_set=_ZERO_ONE), pc.is_null(arr))).as_py():
        return None
    missing = pc.is_null(arr).to_numpy(zero_copy_only=False)
    ones = pc.fill_null(pc.equal(arr, "1"), False).to_numpy(zero_copy_only=False)
    return pd.arrays.BooleanArray(np.array(ones, dtype=bool), np.array(missing, dtype=bool))


def _fast_account(
    names: list[object], platform: str, params: dict
) -> str | None:
    """The account of a single-account export the slow route accepts without a word."""
    if any(name is None for name in names):
        return None
    present = set(names)
    if platform == "facebook":
        if len(present) != 1:
            return None
        account = names[0]
        configured = ((params.get("platforms") or {}).get(platform) or {}).get("account")
        if configured and account.casefold() != str(configured).casefold():
            return None  # the route above warns
        return account
    configured = _organisation_accounts(params, "instagram")
    if configured:  # every row the organisation's: no collaboration, no warning
        wanted = {c.casefold() for c in configured}
        return names[0] if all(name.casefold() in wanted for name in present) else None
    return names[0] if len(present) == 1 else None


def _parse_posts_fast(
    raw: RawFile, ctx: ParseContext, platform: str, kind: str
) -> ParsedExport | None:
    """:func:`_parse_posts` of a plainly clean export, or None ("take the full route").

    Same :class:`ParsedExport` as the full route (frame, account, dates, warnings, notes),
    at a fraction of the CPU. Declines (None) on: text that is not UTF-8, a delimiter other
    than ",", a carriage return, quoting the csv module and pandas could read differently,
    rows of another width than the header, no rows, a boosted-post cell that is not a plain
    number or placeholder, a missing required column, an ID a spreadsheet damaged, several
    accounts or one that is not the configured one (Instagram: any collaboration), an empty
    account cell, an empty publish time (Meta's failed rows included) or one that is not a
    16-character ``MM/DD/YYYY HH:MM``, a count or duration cell that is not a plain number
    or placeholder, share/crosspost flags other than 0/1.
    """
    result = _fast_posts_or_reason(raw, ctx, platform, kind)
    return None if isinstance(result, str) else result


def _fast_posts_or_reason(
    raw: RawFile, ctx: ParseContext, platform: str, kind: str
) -> ParsedExport | str:
    """:func:`_parse_posts_fast`, or why it declines (for tests and benchmarks)."""
    if raw.container != "text" or raw.sniff_delimiter(raw.first_lines(1)) != ",":
        return "not a comma-separated text file"
    records = _clean_records(raw)
    if isinstance(records, str):
        return records
    headers = _first_line_cells(raw, 0, ",")
    if [cell.strip() for cell in records[0]] != headers:
        return "the header line is not the first record"
    positions, unknown, boosted_positions = _header_fields(headers)
    account_field = "page_name" if platform == "facebook" else "account_username"
    id_field = "page_id" if platform == "facebook" else "account_id"
    if not all(f in positions for f in ("post_id", "publish_time", account_field)):
        return "a required column is missing"
    rows = records[1:]
    n = len(rows)
    cells = list(zip(*rows, strict=True))
    # the fields that decide most declines first (Meta's failed rows, collaborations)
    publish, names_text = _text_columns([_field_cells(cells, positions[f])
                                         for f in ("publish_time", account_field)], n)
    if publish.null_count or not pc.all(pc.equal(pc.utf8_length(publish), 16)).as_py():
        return "a publish time empty or not 16 characters"
    names = names_text.to_pylist()
    account = _fast_account(names, platform, ctx.params or {})
    if account is None:
        return "not a single (configured) account in every row"
    fields = [f for f in positions if f not in ("publish_time", account_field)]
    text = dict(zip(fields, _text_columns([_field_cells(cells, positions[f]) for f in fields],
                                          n), strict=True))
    text["publish_time"], text[account_field] = publish, names_text
    null_text = pa.nulls(n, pa.string())

    def column(field: str) -> pa.Array:
        return text.get(field, null_text)

    for field in ("post_id", id_field):
        ids = column(field)
        # a damaged ID holds a "." or an exponent's e/E: only then the regex, value by value
        if (pc.any(pc.match_substring_regex(ids, "[.eE]")).as_py()
                and any(_DAMAGED_ID_RE.search(v) for v in ids.to_pylist() if v is not None)):
            return "a damaged ID"

    string = pd.arrays.ArrowStringArray
    out: dict[str, object] = {}
    out["platform"] = constant_column(platform, n, "string")
    out["account"] = string(text[account_field])
    out["account_id"] = string(column(id_field))
    out["post_id"] = string(column("post_id"))
    out["permalink"] = string(column("permalink"))
    naive = pd.to_datetime(string(publish), format="%m/%d/%Y %H:%M", errors="coerce")
    if naive.isna().any():
        return "a publish time that does not parse"
    utc = naive.tz_localize(META_TZ, ambiguous=np.ones(n, dtype=bool),
                            nonexistent="shift_forward").tz_convert("UTC")
    local = utc.tz_convert(ctx.tz if ctx.tz else "UTC").array
    instants = utc.asi8
    out["published_at"] = local
    out["published_at_utc"] = utc.as_unit("ns").array.copy()  # never local's buffer
    post_type = pc.utf8_lower(column("post_type")).to_pylist()
    out["format"] = string(pa.array([_format_of(v) for v in post_type], type=pa.string()))
    if platform == "facebook":
        caption = pc.coalesce(column("title"), column("description"))
    else:
        caption = column("description")
    out["caption"] = string(caption)
    tags = np.empty(n, dtype=object)
    for i, value in enumerate(caption.to_pylist()):
        tags[i] = _HASHTAG.findall(value) if value is not None and "#" in value else []
    out["hashtags"] = tags
    out["exposure_kind"] = constant_column("reach", n, "string")
    count_fields = _count_fields(platform)
    present = [f for f in count_fields if f in text]
    parsed = _count_arrays([text[f] for f in present])
    if parsed is None:
        return "a count cell that is not a plain number or placeholder"
    counts = dict(zip(present, parsed, strict=True))
    for field in count_fields:
        if field not in counts:
            counts[field] = all_missing(n, "Int64")
    out.update(_count_columns(counts, platform, "reactions_comments_shares" in text))
    if platform == "facebook":
        paid = _paid(cells, boosted_positions, n)
        if paid is None:
            return "a boosted-post cell that is not a plain number or placeholder"
        funded = pc.is_valid(column("funded_content_status")).to_numpy(zero_copy_only=False)
        out["boosted"] = pd.arrays.BooleanArray(paid | np.array(funded, dtype=bool),
                                                np.zeros(n, dtype=bool))
        for flag in ("is_share", "is_crosspost"):
            flags = _flags01(column(flag))
            if flags is None:
                return "a share/crosspost flag other than 0/1"
            out[flag] = flags
    else:
        for flag in ("boosted", "is_share", "is_crosspost"):
            out[flag] = constant_column(False, n, "boolean")
    try:
        duration = pc.cast(pc.if_else(pc.is_in(column("duration_sec"), value_set=_MISSING_SET),
                                      pa.scalar(None, pa.string()), column("duration_sec")),
                           pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return "a duration that is not a plain number"
    out["duration_sec"] = floating(duration.to_numpy(zero_copy_only=False))
    out["is_collab"] = constant_column(False, n, "boolean")
    snapshot = snapshot_from_file(raw.path)
    out["snapshot_at"] = constant_column(snapshot, n, "datetime64[ns, UTC]")
    out["source_file"] = constant_column(str(raw.path), n, "string")
    data = {}
    for name, dtype in POSTS_DTYPES.items():
        values = out.get(name)
        if values is None:
            values = all_missing(n, dtype)
            if values is None:
                return f"no fast column for {name}"
        data[name] = values
    posts = _frame_of_new_arrays(data, n)
    notes: list[str] = []
    warnings: list[str] = []
    _column_notes(raw, "views" in text or "impressions" in text, "reach" in text,
                  warnings, notes)
    return ParsedExport(
        path=raw.path,
        kind=kind,
        tables={"posts": posts},
        account=account,
        date_min=local[int(np.argmin(instants))],
        date_max=local[int(np.argmax(instants))],
        snapshot_at=snapshot,
        unknown_columns=unknown,
        warnings=warnings,
        notes=notes,
    )


#: Count fields read on every platform; the first seven are canonical columns as they are.
_COMMON_COUNTS = ("reach", "impressions", "views", "comments", "shares", "saves", "follows")


def _count_fields(platform: str) -> list[str]:
    """The count fields of a post export, in the order both routes read them."""
    extra = (["reactions", "total_clicks", "reactions_comments_shares"]
             if platform == "facebook" else ["likes"])
    return [*_COMMON_COUNTS, *extra]


def _count_columns(counts: dict, platform: str, has_total: bool) -> dict:
    """The posts columns read from the count fields (both routes; Series or arrays alike).

    Facebook's interactions are its "Reactions, comments and shares" total where the export
    has it, else the three added up; Instagram's are likes, comments, shares and saves.
    """
    out = {field: counts[field] for field in _COMMON_COUNTS}
    if platform == "facebook":
        out["reactions"] = counts["reactions"]
        out["clicks"] = counts["total_clicks"]
        summed = counts["reactions"] + counts["comments"] + counts["shares"]
        out["interactions"] = (counts["reactions_comments_shares"].fillna(summed) if has_total
                               else summed)
    else:
        out["reactions"] = counts["likes"]
        out["interactions"] = (counts["likes"] + counts["comments"] + counts["shares"]
                               + counts["saves"])
    return out


def _frame_of_new_arrays(data: dict[str, object], n: int) -> pd.DataFrame:
    """A frame of new canonical arrays of length ``n``, none shared with anything else.

    Such arrays need none of the per-column checks ``pd.DataFrame(data)`` makes (0.3 ms per
    file here), so pandas' internal constructor is used when it is there; the public one
    gives the same frame (tests/io/test_meta_fast.py compares with the full route).
    """
    builder = getattr(pd.DataFrame, "_from_arrays", None)
    if builder is not None:
        try:
            return builder(list(data.values()), columns=pd.Index(list(data)),
                           index=pd.RangeIndex(n), verify_integrity=False)
        except TypeError:  # a pandas whose internal signature changed
            pass
    return pd.DataFrame(data, index=pd.RangeIndex(n), copy=False)


def _parse_posts(raw: RawFile, ctx: ParseContext, platform: str, kind: str) -> ParsedExport:
    fast = _parse_posts_fast(raw, ctx, platform, kind)
    if fast is not None:
        return fast
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
    # rows Meta itself writes when it fails on a post: no Post ID, no Publish time, and a
    # "Data comment" saying so. Not damage: skipped and counted.
    failed = columns.text("post_id").isna() & columns.text("publish_time").isna()
    if failed.any():
        comment = columns.text("data_comment")[failed].dropna()
        said = (f" (Meta's note: {re.sub(r'[ .]*with ID.*$', '', comment.iloc[0])[:70]}…)"
                if len(comment) else "")
        warnings.append(
            f"skipped {int(failed.sum())} rows Meta wrote without a post ID or publish time"
            f"{said}: Meta could not compute those posts, they are missing from this export"
        )
        columns.drop_rows(failed)
    if len(columns.frame) == 0:
        warnings.append("the export holds no posts (only the header row): nothing to read "
                        "for its period")
    _check_ids(columns, ["post_id"] + ([id_field] if columns.has(id_field) else []))

    if platform == "instagram":
        is_collab, account = _collaborations(columns, ctx.params, warnings, notes)
        keep = pd.Series(True, index=columns.frame.index)
    else:
        keep, account = _select_account(columns, platform, ctx.params, warnings)
        is_collab = pd.Series(False, index=columns.frame.index, dtype="boolean")
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
    out["format"] = _formats(post_type)
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
    count_fields = _count_fields(platform)
    counts = columns.counts(count_fields)
    out.update(_count_columns(counts, platform, columns.has("reactions_comments_shares")))
    if platform == "facebook":
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
        for flag in ("boosted", "is_share", "is_crosspost"):
            out[flag] = constant_column(False, n, "boolean")
    out["duration_sec"] = _to_number(columns.text("duration_sec"), raw,
                                     columns.header("duration_sec")
                                     if columns.has("duration_sec") else "Duration (sec)")
    out["is_collab"] = is_collab
    snapshot = snapshot_from_file(raw.path)
    out["snapshot_at"] = constant_column(snapshot, n, "datetime64[ns, UTC]")
    out["source_file"] = constant_column(str(raw.path), n, "string")
    if keep.all():  # the usual case: no row dropped, no intermediate frame
        posts = conform_posts_columns(out, ctx.tz)
    else:
        posts = conform_posts(pd.DataFrame(out, index=index)[keep.to_numpy()], ctx.tz)

    _column_notes(raw, columns.has("views") or columns.has("impressions"), columns.has("reach"),
                  warnings, notes)
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
    """Parse a Business Suite Facebook post export (§1) into canonical posts."""
    return _parse_posts(raw, ctx, "facebook", FACEBOOK_POSTS.name)


def parse_instagram_posts(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Business Suite Instagram post export (§2) into canonical posts."""
    return _parse_posts(raw, ctx, "instagram", INSTAGRAM_POSTS.name)


# --------------------------------------------------------------------------- chart downloads
# (the chart and audience readers live in meta_charts; the kinds stay registered here)


def parse_chart(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Parse a Business Suite chart download (every section) into the ``daily`` table."""
    return meta_charts.parse_chart(raw, ctx, CHART.name)


def parse_audience(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Read ``Audience.csv`` and its single charts into the ``audience`` table."""
    return audience.parse_meta(raw, ctx, AUDIENCE.name)


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
def parse_instagram_stories(raw: RawFile, ctx: ParseContext) -> ParsedExport:
    """Skip an Instagram Stories export: stories are not feed posts (decision: not read).

    Raises:
        NotAnExportError: Always; ingest lists the file under ``skipped``.

    Stories live 24 hours, are seen by followers only and have their own metrics (replies,
    taps, exits); mixed into ``posts`` they would distort post counts, reach per post and
    every hypothesis test. The file is recognised so the skip line can say what it is.
    """
    raise NotAnExportError(
        "an Instagram Stories export: stories are not read (they are not feed posts and would "
        "distort post counts and reach per post)", file=raw.path,
        hint="for posts, export Insights > Content > Posts",
    )


INSTAGRAM_STORIES = register(ExportKind(
    name="meta_instagram_stories",
    label="Meta Business Suite Instagram Stories export (skipped: stories are not posts)",
    sniff=sniff_instagram_stories,
    parse=parse_instagram_stories,
    priority=55,
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
    label="Meta Business Suite Audience.csv (followers by age, gender, city, country)",
    sniff=sniff_audience,
    parse=parse_audience,
    priority=41,  # before charts: a hand-trimmed breakdown opens like a chart
))

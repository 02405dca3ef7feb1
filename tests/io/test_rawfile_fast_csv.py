"""The csv.reader fast path of RawFile.read_csv gives exactly pd.read_csv's frame, or declines.

The truth is ``pd.read_csv`` itself (``RawFile._read_csv_pandas``, the call ``read_csv`` made
before the fast path): every case reads a file both ways and compares the frames exactly
(values, dtypes, column names and their Index class, RangeIndex), or the errors' messages.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import InputFormatError
from workbench.io.rawfile import FAST_CSV_MAX_BYTES, RawFile
from workbench.io.registry import detect
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

TESTS = Path(__file__).resolve().parents[1]
FIXTURE_CSVS = sorted(p for p in TESTS.rglob("*.csv") if p.is_file())

#: The argument sets the callers use (meta: usecols + object; tiktok: "string"; manual and
#: column maps: the default str; legacy Facebook: header=None).
CALLS = (
    {"dtype": object},
    {"dtype": str},
    {"dtype": "string"},
    {},
    {"header": None},
    {"header": None, "dtype": object},
)


def _outcome(read, **kwargs) -> pd.DataFrame | tuple[str, str]:
    try:
        return read(**kwargs)
    except Exception as exc:  # noqa: BLE001  (whatever pandas' path raises, read_csv must too)
        return (type(exc).__name__, str(exc))


def both(raw: RawFile, **kwargs) -> str:
    """Read ``raw`` through read_csv and through pandas; ``identical`` or ``declined``.

    Raises AssertionError when the outcomes (frame or error message) differ.
    """
    expected = _outcome(raw._read_csv_pandas, **kwargs)
    got = _outcome(raw.read_csv, **kwargs)
    declined = raw._read_csv_fast(**kwargs) is None
    if isinstance(expected, tuple):
        assert got == expected, (raw.path, kwargs)
    else:
        assert isinstance(got, pd.DataFrame), (raw.path, kwargs, got)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=True,
                                      check_column_type=True, check_index_type=True,
                                      obj=f"{raw.path} {kwargs}")
    return "declined" if declined else "identical"


def usecols_sets(raw: RawFile, delimiter: str) -> list[list[int]]:
    """Position lists like the Meta parser's (sorted), plus unsorted and partial ones."""
    width = len(raw.header_row(0, delimiter=delimiter))
    if width < 2:
        return []
    return [list(range(width)), list(range(0, width, 2)), [width - 1, 0]]


def _raw(text: str | bytes, name: str = "case.csv") -> RawFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return RawFile(path=Path(name), data=data)


# --- every CSV fixture (real export bytes) ------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_CSVS, ids=lambda p: str(p.relative_to(TESTS)))
def test_fixture_csvs_read_the_same(path):
    raw = RawFile.read(path)
    if raw.container != "text":
        pytest.skip(f"not text ({raw.container})")
    delimiter = raw.sniff_delimiter()
    for kwargs in CALLS:
        both(raw, delimiter=delimiter, **kwargs)
    for used in usecols_sets(raw, delimiter):
        both(raw, delimiter=delimiter, usecols=used, dtype=object)


def test_the_fast_path_reads_most_fixtures():
    """Not a vacuous equivalence: the fast path takes the clean UTF-8 fixtures.

    Of the 126 CSV fixtures when this was written, 58 were taken; the others are UTF-16 or
    cp1252 charts, single-column files, ragged or damaged ones (see DECLINED below).
    """
    raws = [RawFile.read(p) for p in FIXTURE_CSVS]
    utf8 = [raw for raw in raws if raw.container == "text" and raw.encoding.startswith("utf-8")]
    taken = sum(both(raw, delimiter=raw.sniff_delimiter(), dtype=object) == "identical"
                for raw in utf8)
    assert taken >= 55
    assert taken >= 0.6 * len(utf8)


# --- generated sample exports -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_raw(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fast_csv_sample")
    generate_sample(out, seed=21, start="2024-11", end="2025-01", params=sample_params())
    return out


def test_sample_exports_read_the_same(sample_raw):
    counts = {"identical": 0, "declined": 0}
    meta_posts = 0
    for path in sorted(sample_raw.rglob("*.csv")):
        raw = RawFile.read(path)
        delimiter = raw.sniff_delimiter()
        for kwargs in CALLS:
            counts[both(raw, delimiter=delimiter, **kwargs)] += 1
        if detect(raw).name.endswith("_posts"):
            meta_posts += 1
            for used in usecols_sets(raw, delimiter):
                # the Meta parser's call: taken by the fast path on generated exports
                assert both(raw, delimiter=delimiter, usecols=used, dtype=object) == "identical"
    assert meta_posts >= 2
    assert counts["identical"] >= len(CALLS) * meta_posts  # every call on every posts file


def test_sample_tiktok_members_read_the_same(sample_raw):
    members = 0
    for path in sorted(sample_raw.rglob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.lower().endswith(".csv"):
                    continue
                raw = RawFile(path=Path(f"{path}!{info.filename}"),
                              data=archive.read(info))
                assert both(raw, delimiter=",", dtype="string") == "identical"
                members += 1
    assert members >= 3


# --- targeted cases -----------------------------------------------------------------------

TAKEN = {
    "duplicated headers": "Views,Reach,Views,Views.1,Views\n1,2,3,4,5\n6,7,8,9,10\n",
    "empty header cells": ",Reach,,Unnamed: 2\n1,2,3,4\n",
    "quoted newline": 'id,message\n1,"first line\nsecond line"\n2,plain\n',
    "embedded quotes": 'id,message\n1,"she said ""hi"""\n2,"""quoted"""\n3,""\n',
    "trailing empty columns": "a,b,,\n1,2,,\n3,,,\n",
    "bom": "\ufeffPost ID,Views\n1,2\n",
    "blank lines": "a,b\n\n1,2\n\n\n3,4\n\n",
    "whitespace cells": "a,b,c\n , \t,x \n  x,,y\n",
    "na-like text": "a,b,c,d,e,f\nNA,null,nan,NaN,None,N/A\n#N/A,-nan,NULL,n/a,<NA>,-\n",
    "crlf": "a,b\r\n1,2\r\n3,4\r\n",
    "semicolon": "a;b\n1,5;2\n",
    "tab": "a\tb\n1\t2\n",
    "no final newline": "a,b\n1,2\n3,4",
    "unicode": "Titel,Aufrufe\nÜberraschung 🎉,12\n",
    "all cells empty": "a,b\n,\n1,2\n",
    "delimiter in quotes": 'a,b\n"1,5",2\n',
    "tab rows of empty and blank cells": "a\tb\tc\n\t\t\n\tb\tc\n \t \t \n",
    "semicolon row of spaces": "a;b\n;\n ; \n",
    "line separators other than newlines": "a,b\nx\u2028y,\x0bz\x0c\n1\x1c,\x85\n",
}

DECLINED = {
    "short row": "a,b,c\n1,2\n3,4,5\n",
    "long row": "a,b\n1,2,3\n4,5\n",
    "every row one longer (pandas takes an index column)": "a,b\n0,1,2\n1,3,4\n",
    "quote inside an unquoted cell": 'a,b\n1,ab"c\n',
    "text after a closing quote": 'a,b\n1,"ab"c\n',
    "space before an opening quote": 'a,b\n1, "x"\n',
    "carriage return in a quoted cell": 'a,b\n1,"x\r\ny"\r\n',
    "lone carriage return line ends": "a,b\r1,2\r",
    "unclosed quote at the end": 'a,b\n1,"never closed\n',
    "unclosed quote without final newline": 'a,b\n1,2\n3,"cut',
    "single column": "a\n1\n  \n2\n",
    "header only": "a,b\n",
    "two boms": "\ufeff\ufeffa,b\n1,2\n",
    "nul byte": "a,b\n1,\x002\n",
}


@pytest.mark.parametrize("text", TAKEN.values(), ids=TAKEN.keys())
def test_targeted_cases_taken_and_identical(text):
    raw = _raw(text)
    delimiter = raw.sniff_delimiter()
    for kwargs in CALLS:
        assert both(raw, delimiter=delimiter, **kwargs) == "identical"
    for used in usecols_sets(raw, delimiter):
        assert both(raw, delimiter=delimiter, usecols=used, dtype=object) == "identical"


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_targeted_cases_declined_and_read_as_before(text):
    raw = _raw(text)
    delimiter = raw.sniff_delimiter()
    for kwargs in CALLS:
        assert both(raw, delimiter=delimiter, **kwargs) == "declined"


def test_na_like_text_stays_text():
    frame = _raw(TAKEN["na-like text"]).read_csv(dtype=object)
    assert frame.iloc[0].tolist() == ["NA", "null", "nan", "NaN", "None", "N/A"]
    assert frame.isna().sum().sum() == 0


def test_mangled_names_as_pandas():
    frame = _raw(TAKEN["duplicated headers"]).read_csv(dtype=object)
    assert list(frame.columns) == ["Views", "Reach", "Views.2", "Views.1", "Views.3"]
    frame = _raw(TAKEN["empty header cells"]).read_csv(dtype=object)
    assert list(frame.columns) == ["Unnamed: 0", "Reach", "Unnamed: 2.1", "Unnamed: 2"]


def test_errors_unchanged():
    with pytest.raises(InputFormatError, match="the file ends mid-row"):
        _raw('a,b\n1,2\n3,"cut').read_csv()
    with pytest.raises(InputFormatError, match="the file ends mid-row"):
        _raw("a,b,c\n1,2,3\n4,5,6\n7,8").read_csv()  # taken by pandas: a short last row
    with pytest.raises(InputFormatError, match="the CSV cannot be parsed"):
        _raw("a,b\n1,2\n3,4,5,6\n").read_csv()


@pytest.mark.parametrize("kwargs", [
    {"skiprows": 1}, {"usecols": ["a"]}, {"usecols": []}, {"usecols": [0, 9]}, {"usecols": [0, 0]},
    {"dtype": "float64"}, {"dtype": {"a": str}}, {"nrows": 1}, {"header": 1},
])
def test_unsupported_arguments_declined(kwargs):
    raw = _raw("x,y\na,b\n1,2\n3,4\n")
    assert both(raw, delimiter=",", **kwargs) == "declined"


def test_other_encodings_declined():
    raw = RawFile(path=Path("latin.csv"), data="a,b\ncafé,2\n".encode("cp1252"))
    assert raw.encoding == "cp1252"
    assert both(raw, delimiter=",", dtype=object) == "declined"
    raw = RawFile(path=Path("u16.csv"), data="a,b\n1,2\n".encode("utf-16"))
    assert both(raw, delimiter=",", dtype=object) == "declined"


def test_large_files_go_to_pandas():
    row = "x" * 99 + ",1\n"
    raw = _raw("a,b\n" + row * (FAST_CSV_MAX_BYTES // len(row) + 1))
    assert both(raw, delimiter=",", dtype=object) == "declined"


# --- random texts (the grammar's corners, compared with pandas) ---------------------------

PIECES = ["a", "b", "NA", " ", "  ", "é", '"', '""', ",", ";", "\t", "\n", "\n", "\r\n", "\r",
          "", "1", "x y", "Views"]


def _random_text(rng: random.Random) -> str:
    if rng.random() < 0.5:  # a grid: mostly clean, sometimes ragged or oddly quoted
        width = rng.randint(1, 5)
        delimiter = rng.choice([",", ",", ";", "\t"])
        lines = []
        for _ in range(rng.randint(1, 6)):
            n = width if rng.random() < 0.85 else rng.randint(1, width + 2)
            cells = []
            for _ in range(n):
                cell = "".join(rng.choice(PIECES[:6] + ["1", "x y", "Views", "", "\t"])
                               for _ in range(rng.randint(0, 3)))
                if rng.random() < 0.3:
                    cell = '"' + cell.replace('"', '""') + '"'
                cells.append(cell)
            lines.append(delimiter.join(cells))
            if rng.random() < 0.1:
                lines.append("")
        end = rng.choice(["\n", "\r\n", ""])
        return end.join(lines) + (end if rng.random() < 0.7 else "")
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def test_random_texts_identical_or_declined():
    rng = random.Random(20261206)  # fixed before looking at any outcome
    counts = {"identical": 0, "declined": 0}
    for _ in range(250):  # 15,000 more in a one-off run: benchmarks/csv_fast_identity.md
        raw = _raw(_random_text(rng))
        delimiter = raw.sniff_delimiter()
        for kwargs in ({"dtype": object}, {"dtype": "string"}, {"header": None}):
            counts[both(raw, delimiter=delimiter, **kwargs)] += 1
        used = sorted(rng.sample(range(4), rng.randint(1, 3)))
        counts[both(raw, delimiter=delimiter, usecols=used, dtype=object)] += 1
    assert counts["identical"] >= 80  # the fast path must take a good share of them

"""Real Meta files (tests/corpus/MANIFEST-meta.csv) give the outcome the manifest records.

The files are other people's data and are never committed: the test reads them from
``$WORKBENCH_CORPUS`` (default /work/corpus, ``<owner>+<name>/<path>``) and skips when they
are absent (CI).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from workbench.errors import InputFormatError, NotAnExportError
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect

MANIFEST = Path(__file__).resolve().parent.parent / "corpus" / "MANIFEST-meta.csv"
CORPUS = Path(os.environ.get("WORKBENCH_CORPUS", "/work/corpus"))


def _rows() -> list[dict]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_manifest_shape():
    rows = _rows()
    assert len(rows) >= 15
    assert len({r["repo"] for r in rows}) >= 5
    for row in rows:
        assert len(row["commit"]) == 40
        assert row["outcome"].split(":")[0] in {"posts", "daily", "audience", "skipped",
                                                "error"}


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r['repo']}:{r['path']}")
def test_real_file_outcome(row):
    path = CORPUS / row["repo"].replace("/", "+") / row["path"]
    if not path.exists():
        pytest.skip("real file not available (never committed)")
    expected = row["outcome"].split(":")[0]
    raw = RawFile.read(path)
    if expected == "error":
        with pytest.raises(InputFormatError):
            detect(raw).parse(raw, ParseContext(params={}))
        return
    if expected == "skipped":
        with pytest.raises(NotAnExportError):
            detect(raw).parse(raw, ParseContext(params={}))
    else:
        result = detect(raw).parse(raw, ParseContext(params={}))
        assert set(result.tables) == set(expected.split("+"))
        assert all(len(t) > 0 for t in result.tables.values())

"""Atomic JSON writes: the one-item-per-line layout reads back as the same document."""

from __future__ import annotations

import json
import math

import pytest

from workbench.io.atomic import write_json_atomic

LOG = {
    "raw_dir": "/data/raw",
    "files": [{"path": "2025-03/facebook/Feb-01-2025_Mar-31-2025_1.csv", "rows": 20,
               "warnings": ["café ✓"], "date_min": None},
              {"path": "b.csv", "rows": 0, "notes": []}],
    "skipped": [],
    "tables": {"posts": 40, "daily": 0},
    "warnings": ["one"],
}


def test_one_item_per_line_is_the_same_document_with_a_line_per_file(tmp_path):
    path = write_json_atomic(tmp_path / "log.json", LOG, one_item_per_line=True)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == LOG
    lines = text.splitlines()
    # one line per file entry, written whole; keys on lines of their own
    assert sum('"path": ' in line for line in lines) == 2
    assert any(line.startswith('    {"path": "b.csv"') for line in lines)
    assert '  "skipped": [],' in lines
    assert "café ✓" in text  # not escaped: readable as written


def test_one_item_per_line_refuses_nan_like_the_indented_layout(tmp_path):
    with pytest.raises(ValueError, match="Out of range float values"):
        write_json_atomic(tmp_path / "x.json", {"files": [{"v": math.nan}]},
                          one_item_per_line=True)
    with pytest.raises(ValueError, match="Out of range float values"):
        write_json_atomic(tmp_path / "y.json", {"files": [{"v": math.nan}]})
    assert not list(tmp_path.iterdir())  # nothing half-written left behind

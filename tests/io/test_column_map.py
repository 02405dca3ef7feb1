"""Generic column-map reader (params/column_maps/*.yaml)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import ConfigError, InputFormatError
from workbench.io import column_map, registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "column_map"
EXAMPLE = ROOT / "params" / "column_maps" / "later_example.yaml"
CTX = ParseContext(tz="America/Toronto")


def rows() -> list[dict[str, str]]:
    with (FIXTURES / "later_posts.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_example_map_detects_by_content(tmp_path):
    copy = tmp_path / "export (3).csv"
    shutil.copy(FIXTURES / "later_posts.csv", copy)
    kind = registry.detect(RawFile.read(copy))
    assert kind.name == "column_map"


def test_example_map_parses_posts():
    raw = RawFile.read(FIXTURES / "later_posts.csv")
    parsed = column_map.parse(raw, CTX)
    posts = parsed.tables["posts"]
    assert list(posts.columns) == list(schema.POSTS_COLUMNS)
    assert parsed.kind == "column_map:later_instagram_example"
    source = rows()
    assert posts["post_id"].tolist() == [r["Post ID"] for r in source]
    assert set(posts["platform"]) == {"instagram"}
    first = posts.iloc[0]
    expected = sum(int(source[0][c]) for c in ("Likes", "Comments", "Shares", "Saves"))
    assert first["interactions"] == expected
    # "2026-03-01 00:30" in the map's zone (Toronto) stays on March 1 in Toronto
    assert first["published_at"] == pd.Timestamp("2026-03-01 00:30", tz="America/Toronto")
    assert pd.isna(first["clicks"])  # empty → NA
    assert posts["format"].tolist() == ["photo", "reel", "carousel"]
    assert pd.isna(posts.iloc[2]["reach"])
    assert first["hashtags"] == ["#LondonOnt"]


def test_context_overrides_map_directory(tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "buffer.yaml").write_text(
        "name: buffer_fb\nplatform: facebook\nmatch: [Update ID, Sent At]\n"
        "date_format: '%d/%m/%Y %H:%M'\ntimezone: UTC\nexposure_kind: reach\n"
        "columns: {Update ID: post_id, Sent At: published_at, Reactions: reactions,"
        " Comments: comments, Shares: shares, Post Reach: reach}\n")
    data = tmp_path / "buffer.csv"
    data.write_text("Update ID,Sent At,Reactions,Comments,Shares,Post Reach\n"
                    "u1,02/03/2026 14:00,5,1,2,100\n")
    raw = RawFile.read(data)
    with pytest.raises(InputFormatError, match="not a known export"):
        registry.detect(raw)  # the default directory has no such map
    parsed = column_map.parse(raw, ParseContext(params={"column_maps_dir": str(maps)}))
    post = parsed.tables["posts"].iloc[0]
    assert post["published_at_utc"] == pd.Timestamp("2026-03-02 14:00", tz="UTC")
    assert post["interactions"] == 8  # facebook default: reactions + comments + shares


def test_bad_date_names_row_and_column(tmp_path):
    text = (FIXTURES / "later_posts.csv").read_text().replace("2026-03-05 18:00", "5 March")
    path = tmp_path / "later.csv"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=r"row 3, column 'Posted At'.*date_format"):
        column_map.parse(RawFile.read(path), CTX)


def test_invalid_map_is_a_config_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("platform: myspace\nmatch: [A]\ncolumns: {A: post_id}\n")
    with pytest.raises(ConfigError, match="platform must be one of"):
        column_map.load_maps(tmp_path)


def test_example_map_says_headers_are_unknown():
    text = EXAMPLE.read_text()
    assert "§9" in text and "unknown" in text

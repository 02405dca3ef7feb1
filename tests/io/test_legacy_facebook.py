"""Legacy Facebook Insights post-level export (export-formats.md §3)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io import legacy_facebook, registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy_facebook"
XML = FIXTURES / "Facebook Insights Data Export (Post Level) - Forest City - 2017-10-22.xls"
CSV = FIXTURES / "Facebook Insights Data Export (Post Level) - Forest City - 2017-03-20.csv"
CTX = ParseContext(tz="America/Toronto")


def parse(path: Path):
    raw = RawFile.read(path)
    kind = registry.detect(raw)
    assert kind.name == "legacy_facebook_posts"
    return kind.parse(raw, CTX)


def test_xml_xls_is_not_biff_and_has_an_invalid_byte():
    data = XML.read_bytes()
    assert data.startswith(b"<?xml")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_spreadsheetml_posts_recovered():
    parsed = parse(XML)
    posts = parsed.tables["posts"].set_index("post_id")
    assert list(parsed.tables["posts"].columns) == list(schema.POSTS_COLUMNS)
    first = posts.loc["1553363564876294_1940000072879306"]
    # 2017-09-30T10:00 Pacific (PDT, UTC-7) = 17:00 UTC = 13:00 Toronto
    assert first["published_at_utc"] == pd.Timestamp("2017-09-30 17:00", tz="UTC")
    assert first["published_at"].hour == 13
    assert first["reach"] == 265 and first["impressions"] == 409
    # reactions/comments/shares from the "Lifetime Post Stories by act..." sheet
    assert (first["reactions"], first["comments"], first["shares"]) == (40, 5, 3)
    assert first["interactions"] == 40 + 5 + 3
    assert first["exposure_kind"] == "reach" and first["format"] == "photo"
    second = posts.loc["1553363564876294_1940000072879307"]
    assert "\ufffd" in second["caption"]  # the bad bytes, replaced; the row is kept
    assert bool(second["boosted"]) is True  # paid reach 40
    assert any("invalid UTF-8" in note for note in parsed.notes)
    assert parsed.snapshot_at == pd.Timestamp("2017-10-22", tz="UTC")


def test_csv_two_header_rows():
    parsed = parse(CSV)
    posts = parsed.tables["posts"]
    with CSV.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(posts) == len(rows) - 2  # names + descriptions are not data
    first = posts.iloc[0]
    # "01/19/2017 09:03:47 AM" Pacific (PST, UTC-8) = 17:03:47 UTC
    assert first["published_at_utc"] == pd.Timestamp("2017-01-19 17:03:47", tz="UTC")
    header = rows[0]
    story = {k: int(rows[2][header.index(f"Lifetime Post Stories by action type - {k}")])
             for k in ("like", "comment", "share")}
    assert first["interactions"] == sum(story.values())  # counts, not unique people
    assert first["format"] == "link" and posts.iloc[1]["format"] == "text"
    assert first["hashtags"] == ["#LondonOntario"]


def test_damaged_xml_beyond_repair():
    raw = RawFile(path=Path("broken.xls"), data=XML.read_bytes()[:900])
    assert registry.detect(raw).name == "legacy_facebook_posts"
    with pytest.raises(InputFormatError, match=r"not readable XML.*Hint: open it in Excel"):
        legacy_facebook.parse(raw, CTX)


def test_bad_posted_value_names_row():
    rows = CSV.read_text().splitlines()
    rows[2] = rows[2].replace("01/19/2017 09:03:47 AM", "yesterday")
    raw = RawFile(path=Path("x.csv"), data="\n".join(rows).encode())
    with pytest.raises(InputFormatError, match=r"row 3, column 'Posted'.*'yesterday'"):
        legacy_facebook.parse(raw, CTX)

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


# --- "(Video Posts)" and page-level exports (real layouts, invented values) ----------------

RANGE = "Forest City - 2014-12-01 - 2015-02-19.csv"
POST_LEVEL = FIXTURES / f"Facebook Insights Data Export (Post Level) - {RANGE}"
VIDEO = FIXTURES / f"Facebook Insights Data Export (Video Posts) - {RANGE}"
PAGE_2014 = FIXTURES / "Facebook Insights Data Export - Forest City - 2014-12-30 - 2015-01-02.csv"
PAGE_2018 = FIXTURES / "Facebook Insights Data Export - Forest City - Newcomers - 2018-04-03.csv"


def _kind_and_parse(path: Path):
    raw = RawFile.read(path)
    kind = registry.detect(raw)
    return kind.name, kind.parse(raw, CTX)


def test_video_posts_export_is_its_own_kind_and_keeps_video_views():
    kind, parsed = _kind_and_parse(VIDEO)
    assert kind == "legacy_facebook_video_posts"
    post = parsed.tables["posts"].iloc[0]
    assert post["views"] == 265  # Lifetime Total Video Views
    assert post["reach"] == 420 and post["format"] == "video"
    assert pd.isna(post["clicks"])  # not in this export: the Post Level file has them
    assert (post["reactions"], post["comments"], post["shares"]) == (22, 3, 4)
    assert parsed.account == "Forest City"
    assert parsed.snapshot_at == pd.Timestamp("2015-02-19", tz="UTC")  # the range's last day


def test_post_level_action_breakdown_absent_or_empty_is_zero():
    kind, parsed = _kind_and_parse(POST_LEVEL)
    assert kind == "legacy_facebook_posts"
    posts = parsed.tables["posts"].set_index("post_id")
    photo = posts.loc["518995791497100_900000000000002"]
    # no share column at all (nobody shared in the range) and an empty comment cell: zeros
    assert (photo["reactions"], photo["comments"], photo["shares"]) == (11, 0, 0)
    assert photo["interactions"] == 11 and photo["clicks"] == 23
    assert pd.isna(photo["views"])


def test_video_and_post_level_merge_at_ingest_without_wiping_clicks(tmp_path):
    from workbench.io.ingest import ingest

    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    for path in (POST_LEVEL, VIDEO):
        (raw_dir / path.name).write_bytes(path.read_bytes())
    ingest(raw_dir, tmp_path / "out", {"timezone": "America/Toronto"})
    posts = pd.read_parquet(tmp_path / "out" / "posts.parquet").set_index("post_id")
    assert len(posts) == 2
    video = posts.loc["518995791497100_900000000000001"]
    assert video["views"] == 265 and video["clicks"] == 77  # both files' metrics kept
    assert video["reactions"] == 22


def test_page_level_2014_cp1252_crlf_us_dates():
    data = PAGE_2014.read_bytes()
    assert b"\r\n" in data and "Montréal".encode("cp1252") in data
    kind, parsed = _kind_and_parse(PAGE_2014)
    assert kind == "legacy_facebook_page"
    daily = parsed.tables["daily"]
    assert list(daily.columns) == list(schema.TABLE_DTYPES["daily"])
    wide = daily.pivot(index="date", columns="metric", values="value")
    assert list(wide.index) == list(pd.to_datetime(
        ["2014-12-30", "2014-12-31", "2015-01-01", "2015-01-02"]))
    assert wide.loc["2014-12-31", "follows"] == 3  # Daily New Likes
    assert wide.loc["2014-12-31", "followers_total"] == 122  # Lifetime Total Likes
    assert wide.loc["2014-12-31", "reach"] == 60 and wide.loc["2014-12-31", "engaged_users"] == 7
    assert wide.loc["2014-12-31", "impressions"] == 95
    assert pd.isna(wide.loc["2015-01-01", "follows"])  # an empty cell is missing, not 0
    assert set(daily["platform"]) == {"facebook"} and set(daily["account"]) == {"Forest City"}
    assert any("not UTF-8" in note for note in parsed.notes)


def test_page_level_2018_iso_dates_duplicate_names_and_dashed_page_name():
    kind, parsed = _kind_and_parse(PAGE_2018)
    assert kind == "legacy_facebook_page"
    assert parsed.account == "Forest City - Newcomers"  # the page name holds " - "
    wide = parsed.tables["daily"].pivot(index="date", columns="metric", values="value")
    # the first 'Daily Total Reach' column is the page total, not the later breakdown
    assert list(wide["reach"]) == [920, 317, 236]
    assert list(wide["follows"]) == [21, 9, 6]
    assert wide["unfollows"].isna().sum() == 2


def test_page_level_bad_date_names_the_row(tmp_path):
    text = PAGE_2018.read_text(encoding="utf-8-sig").replace("2018-04-02", "April 2nd")
    path = tmp_path / "Facebook Insights Data Export - X - 2018-04-03.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"row 4, column 'Date': 'Date' value 'April 2nd'"):
        _kind_and_parse(path)

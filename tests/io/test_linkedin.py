"""LinkedIn Page exports (export-formats.md §4): BIFF8 .xls and .xlsx, three kinds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.fixtures.build_binary_fixtures import (
    FOLLOWERS_SHEETS,
    METRICS_ROWS,
    POSTS_HEADER,
    POSTS_ROWS,
    write_xls,
)
from workbench import schema
from workbench.errors import InputFormatError
from workbench.io import linkedin, registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
CONTENT_XLS = FIXTURES / "forest-city-newcomers_content_1766385907708.xls"
CONTENT_XLSX = FIXTURES / "forest-city-newcomers_content_1766385907708.xlsx"
FOLLOWERS = FIXTURES / "forest-city-newcomers_followers_1766385928211.xls"
VISITORS = FIXTURES / "forest-city-newcomers_visitors_1766385917155.xls"
CTX = ParseContext(tz="America/Toronto")
POSTS_HEADER_INDEX = {name: i for i, name in enumerate(POSTS_HEADER)}


def parse(path: Path):
    raw = RawFile.read(path)
    return registry.detect(raw).parse(raw, CTX)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (CONTENT_XLS, "linkedin_content"),
        (CONTENT_XLSX, "linkedin_content"),
        (FOLLOWERS, "linkedin_followers"),
        (VISITORS, "linkedin_visitors"),
    ],
)
def test_detected_by_content(path, kind, tmp_path):
    renamed = tmp_path / "download.xls"
    renamed.write_bytes(path.read_bytes())  # the name gives nothing away
    assert registry.detect(RawFile.read(renamed)).name == kind


def test_fixture_is_real_biff8():
    assert CONTENT_XLS.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("path", [CONTENT_XLS, CONTENT_XLSX])
def test_content_posts(path):
    parsed = parse(path)
    posts = parsed.tables["posts"]
    assert list(posts.columns) == list(schema.POSTS_COLUMNS)
    assert len(posts) == len(POSTS_ROWS)
    first = posts.iloc[0]
    assert first["post_id"] == "7407682000000000001"  # from urn:li:activity:<id>
    assert first["platform"] == "linkedin"
    assert first["exposure_kind"] == "impressions"
    # interactions = likes + comments + reposts; clicks stay separate (statistics.md §1.2)
    likes, comments, reposts = (POSTS_ROWS[0][POSTS_HEADER_INDEX[c]]
                                for c in ("Likes", "Comments", "Reposts"))
    assert first["interactions"] == likes + comments + reposts
    assert first["clicks"] == POSTS_ROWS[0][POSTS_HEADER_INDEX["Clicks"]]
    # clicks > impressions is real (CTR 1.87): kept, never clipped
    assert first["clicks"] > first["impressions"]
    assert pd.isna(first["views"]) and pd.isna(first["follows"])  # empty cell → NA, not 0
    assert first["hashtags"] == ["#LondonOnt"]
    assert posts.iloc[1]["format"] == "video"
    # MM/DD/YYYY UTC day, kept on the same calendar day in Toronto
    assert posts.iloc[1]["published_at"].strftime("%Y-%m-%d") == "2025-12-01"
    assert str(posts["published_at"].dt.tz) == "America/Toronto"
    assert parsed.snapshot_at == pd.Timestamp(1766385907708, unit="ms", tz="UTC")




def test_content_daily_uses_total_columns():
    daily = parse(CONTENT_XLS).tables["daily"]
    assert list(daily.columns) == list(schema.DAILY_COLUMNS)
    assert set(daily["metric"]) <= set(schema.DAILY_METRICS)
    impressions = daily[daily["metric"] == "impressions"]
    assert impressions["value"].sum() == sum(row[3] for row in METRICS_ROWS)
    assert impressions["date"].min() == pd.Timestamp("2024-12-21")


def test_followers_daily_gain():
    parsed = parse(FOLLOWERS)
    daily = parsed.tables["daily"]
    assert set(daily["metric"]) == {"follows"}
    rows = FOLLOWERS_SHEETS["New followers"][1:]
    assert daily["value"].sum() == sum(row[4] for row in rows)
    assert any("daily gain" in note for note in parsed.notes)
    # every demographic sheet the reference lists is read and reported
    for sheet in linkedin.DEMOGRAPHIC_SHEETS:
        assert any(f"'{sheet}'" in note for note in parsed.notes)


def test_followers_without_total_sums_organic_and_sponsored(tmp_path):
    sheets = {"New followers": [[c for c in row[:4]] for row in FOLLOWERS_SHEETS["New followers"]]}
    path = tmp_path / "x_followers_1.xls"
    write_xls(path, sheets)
    parsed = parse(path)
    expected = sum(sum(row[1:4]) for row in FOLLOWERS_SHEETS["New followers"][1:])
    assert parsed.tables["daily"]["value"].sum() == expected
    assert any("sum of" in note for note in parsed.notes)


def test_visitors():
    daily = parse(VISITORS).tables["daily"]
    assert set(daily["metric"]) == {"page_views", "unique_visitors"}
    views = daily[daily["metric"] == "page_views"].sort_values("date")["value"].tolist()
    assert views == [167, 15]


def test_bad_text_date_names_sheet_and_row(tmp_path):
    rows = [list(r) for r in FOLLOWERS_SHEETS["New followers"]]
    rows[2][0] = "2024-12-22"
    path = tmp_path / "x_followers_2.xls"
    write_xls(path, {"New followers": rows})
    with pytest.raises(InputFormatError, match=r"New followers.*not MM/DD/YYYY"):
        parse(path)


def test_xls_that_is_not_a_spreadsheet():
    raw = RawFile.read(FIXTURES / "not_a_workbook.xls")
    with pytest.raises(InputFormatError, match="not a known export"):
        registry.detect(raw)
    with pytest.raises(InputFormatError, match=r"cannot be read as an Excel workbook.*Hint"):
        linkedin.parse_content(raw, CTX)
    with pytest.raises(InputFormatError, match="not a known export"):
        registry.detect(RawFile.read(FIXTURES / "plain_text.xls"))


# --- variants seen in real files (issue 10) -------------------------------------------------

METRICS_ONLY = FIXTURES / "hamilton-settlement_content_1767085154803.xls"
COMPETITOR = FIXTURES / "Forest City Newcomers_competitor_analytics_1767085167105.xlsx"


def test_content_with_only_the_metrics_sheet_is_zero_posts():
    raw = RawFile.read(METRICS_ONLY)
    kind = registry.detect(raw)
    assert kind.name == "linkedin_content"
    parsed = kind.parse(raw, CTX)
    assert len(parsed.tables["posts"]) == 0
    assert list(parsed.tables["posts"].columns) == list(schema.POSTS_COLUMNS)
    daily = parsed.tables["daily"]
    impressions = daily[daily["metric"] == "impressions"].set_index("date")["value"]
    assert impressions.iloc[0] == METRICS_ROWS[0][3]  # Impressions (total)
    assert any("zero posts" in w for w in parsed.warnings)
    assert parsed.account == "hamilton-settlement"  # the page from the file name


def test_page_from_another_page_than_org_yaml_is_warned():
    ctx = ParseContext(tz="America/Toronto",
                       params={"platforms": {"linkedin": {"account": "Forest City Newcomers"}}})
    other = linkedin.parse_content(RawFile.read(METRICS_ONLY), ctx)
    assert other.account == "hamilton-settlement"
    assert any("not the organisation's page 'Forest City Newcomers'" in w
               for w in other.warnings)
    own = linkedin.parse_followers(RawFile.read(FOLLOWERS), ctx)
    assert own.account == "Forest City Newcomers"  # vanity name matches: the configured name
    assert not any("organisation's page" in w for w in own.warnings)


def test_competitor_analytics_is_skipped_as_not_an_export():
    from workbench.errors import NotAnExportError

    raw = RawFile.read(COMPETITOR)
    kind = registry.detect(raw)
    assert kind.name == "linkedin_competitor"
    with pytest.raises(NotAnExportError,
                       match=r"not an export we read: a LinkedIn competitor analytics report"):
        kind.parse(raw, CTX)


def test_content_without_description_rows_above_the_headers():
    parsed = parse(FIXTURES / "forest-city-newcomers_content_1742193384396.xls")
    with_notes = parse(CONTENT_XLS)
    assert len(parsed.tables["posts"]) == len(POSTS_ROWS)
    other = ["source_file", "snapshot_at"]  # the names differ (the download time in ms)
    pd.testing.assert_frame_equal(parsed.tables["posts"].drop(columns=other),
                                  with_notes.tables["posts"].drop(columns=other))
    assert len(parsed.tables["daily"]) == len(with_notes.tables["daily"])

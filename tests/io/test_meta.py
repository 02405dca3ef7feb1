"""Meta post exports and chart downloads, from fixtures whose headers are the reference's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.io import meta_samples as ms
from workbench.errors import InputFormatError
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meta"
ORG_PARAMS = {
    "timezone": "America/Toronto",
    "platforms": {
        "facebook": {"account": "Forest City Newcomer Services"},
        "instagram": {"account": "forestcitynewcomers"},
    },
}


def parse(path: Path, params: dict | None = None):
    raw = RawFile.read(path)
    kind = detect(raw)
    return kind, kind.parse(raw, ParseContext(tz="America/Toronto",
                                              params=ORG_PARAMS if params is None else params))


def toronto(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="America/Toronto")


def test_fixture_headers_are_the_reference_text():
    # the first line of each fixture is byte-for-byte the header quoted in export-formats.md
    reference = Path("/work/shared/reference/export-formats.md")
    if not reference.exists():
        pytest.skip("reference folder not available")
    text = reference.read_text(encoding="utf-8")
    for name in ("2024_jan", "2024_sep", "2024_nov", "2025_jan"):
        assert ms.FB_HEADERS[name] in text
    for header in ms.IG_HEADERS.values():
        assert header in text
    data = (FIXTURES / "facebook_2024_sep.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ms.FB_2024_SEP.encode() + b"\n")


@pytest.mark.parametrize("variant", sorted(ms.FB_HEADERS))
def test_every_facebook_header_variant(variant):
    kind, result = parse(FIXTURES / f"facebook_{variant}.csv")
    posts = result.tables["posts"]
    assert kind.name == "meta_facebook_posts"
    assert posts["post_id"].tolist() == [r["post id"] for r in ms.FB_ROWS]
    assert (posts["platform"] == "facebook").all()
    assert (posts["account"] == "Forest City Newcomer Services").all()
    assert posts["account_id"].tolist() == ["100012345678901"] * 3
    assert posts["format"].tolist() == ["photo", "video", "link"]
    assert posts["reach"].tolist() == [1200, 800, pd.NA]
    # the "Reactions, Comments and Shares" column when given, else the sum of its parts
    assert posts["interactions"].tolist() == [48, 22, 7]
    assert posts["clicks"].tolist() == [60, 15, 9]
    assert posts["comments"].isna().tolist() == [False, False, True]  # empty is NA, never 0
    # caption: Title, else Description
    assert posts["caption"].iloc[2] == "Housing clinic: bring your lease"
    assert posts["caption"].iloc[1] == 'Conversation circle\n"Everyone welcome" #LdnOnt'
    assert posts["hashtags"].iloc[0] == ["#LondonOntario", "#Jobs"]
    assert posts["is_share"].tolist() == [False, False, True]
    assert (posts["exposure_kind"] == "reach").all()
    assert result.unknown_columns == []


@pytest.mark.parametrize("variant", ["2024_sep", "2024_nov", "2025_jan", "2026_feb"])
def test_views_take_the_first_non_empty_of_duplicated_headers(variant):
    _, result = parse(FIXTURES / f"facebook_{variant}.csv")
    views = result.tables["posts"]["views"].tolist()
    if variant == "2024_sep":  # Views twice: row 2 has only the second one filled
        assert views == [2500, 900, pd.NA]
    else:
        assert views == [2500, pd.NA, pd.NA]


@pytest.mark.parametrize("variant", ["2024_jan", "2024_apr"])
def test_exports_before_views_have_no_views(variant):
    _, result = parse(FIXTURES / f"facebook_{variant}.csv")
    assert result.tables["posts"]["views"].isna().all()
    assert any("no Views" in note for note in result.notes)


def test_boosted_from_paid_reach_column():
    _, result = parse(FIXTURES / "facebook_2024_jan.csv")
    assert result.tables["posts"]["boosted"].tolist() == [True, False, False]
    _, without = parse(FIXTURES / "facebook_2024_nov.csv")  # no paid column at all
    assert without.tables["posts"]["boosted"].tolist() == [False, False, False]


@pytest.mark.parametrize("order", sorted(ms.IG_HEADERS))
def test_every_instagram_column_order(order):
    kind, result = parse(FIXTURES / f"instagram_{order}.csv")
    posts = result.tables["posts"]
    assert kind.name == "meta_instagram_posts"
    assert posts["post_id"].tolist() == [r["post id"] for r in ms.IG_ROWS]
    assert (posts["account"] == "forestcitynewcomers").all()
    assert posts["format"].tolist() == ["photo", "reel", "carousel"]
    assert posts["reach"].tolist() == [300, 3206, pd.NA]
    assert posts["views"].tolist() == [500, 4993, 856]
    assert posts["reactions"].tolist() == [25, 287, 27]  # IG Likes
    assert posts["follows"].tolist() == [pd.NA, 7, pd.NA]
    # likes + comments + shares + saves; NA when a part is NA
    assert posts["interactions"].tolist() == [34, 345, pd.NA]
    # the literal leading TAB Meta keeps is stripped
    assert posts["caption"].iloc[0] == "New LINC classes start Monday! #London #LINC"
    assert posts["hashtags"].iloc[0] == ["#London", "#LINC"]


def test_pacific_publish_times_land_in_toronto_months_and_dst_nights():
    _, fb = parse(FIXTURES / "facebook_2024_nov.csv")
    local = fb.tables["posts"]["published_at"].tolist()
    # 22:30 Pacific on Jan 31 is 01:30 on Feb 1 in Toronto
    assert local[0] == toronto("2025-02-01 01:30")
    # spring switch night: 23:30 PST (UTC-8) = 07:30 UTC, Toronto already on EDT
    assert local[1] == toronto("2025-03-09 03:30")
    # autumn switch night: 23:30 PDT (UTC-7) = 06:30 UTC, Toronto already back on EST
    assert local[2] == pd.Timestamp("2025-11-02 01:30-05:00")  # the second 01:30 (EST)
    assert fb.tables["posts"]["published_at_utc"].iloc[2] == pd.Timestamp("2025-11-02 06:30Z")
    _, ig = parse(FIXTURES / "instagram_order1.csv")
    first = ig.tables["posts"]["published_at"].iloc[0]
    assert first == toronto("2025-03-01 01:30")  # statistics.md §9.5 fixture
    assert (first.month, first.hour + first.minute / 60) == (3, 1.5)


def test_publish_time_uses_the_org_time_zone_from_context():
    raw = RawFile.read(FIXTURES / "facebook_2024_nov.csv")
    result = detect(raw).parse(raw, ParseContext(tz="Europe/Paris", params=ORG_PARAMS))
    assert result.tables["posts"]["published_at"].iloc[0] == pd.Timestamp(
        "2025-02-01 07:30", tz="Europe/Paris")


def test_post_ids_stay_strings_with_all_digits():
    _, result = parse(FIXTURES / "instagram_order2.csv")
    assert result.tables["posts"]["post_id"].iloc[0] == "17974697564884257"


def test_chart_download_utf16_title_without_platform_uses_folder():
    raw = RawFile.read(FIXTURES / "charts" / "facebook" / "Views.csv")
    assert raw.data.startswith(b"\xff\xfe")
    kind = detect(raw)
    daily = kind.parse(raw, ParseContext(params=ORG_PARAMS)).tables["daily"]
    assert kind.name == "meta_chart"
    assert set(daily["platform"]) == {"facebook"}
    assert set(daily["metric"]) == {"views"}
    # date part only, whatever the 01:00/00:00 DST flip
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-03-08", "2025-03-09", "2025-03-10", "2025-03-11"]
    assert daily["value"].tolist()[:3] == [16, 35, 21]
    assert pd.isna(daily["value"].iloc[3])


def test_chart_title_names_platform_and_metric():
    _, result = parse(FIXTURES / "charts" / "Instagram profile visits.csv")
    daily = result.tables["daily"]
    assert set(daily["platform"]) == {"instagram"}
    assert set(daily["metric"]) == {"profile_visits"}
    assert set(daily["account"]) == {"forestcitynewcomers"}


def test_chart_excel_semicolon_resave():
    _, result = parse(FIXTURES / "charts" / "Facebook follows excel.csv")
    daily = result.tables["daily"]
    assert daily["metric"].tolist() == ["follows", "follows"]
    assert daily["value"].tolist() == [4, 1204]
    assert any("re-saved" in w for w in result.warnings)


@pytest.mark.parametrize(("title", "metric"), [
    ("Follows", "follows"), ("Facebook visits", "visits"),
    ("Instagram profile visits", "profile_visits"), ("Reach", "reach"), ("Views", "views"),
    ("Content interactions", "interactions"), ("Instagram link clicks", "link_clicks"),
    ("Viewers", "viewers"), ("Facebook reach", "reach"), ("Instagram follows", "follows"),
])
def test_chart_titles_map_to_daily_metrics(tmp_path, title, metric):
    folder = tmp_path / "2025-03" / "ig"
    folder.mkdir(parents=True)
    path = folder / "chart.csv"
    path.write_bytes(ms.chart_utf16(title, ms.CHART_DAYS))
    _, result = parse(path)
    assert set(result.tables["daily"]["metric"]) == {metric}


def test_chart_without_platform_anywhere_is_rejected():
    with pytest.raises(InputFormatError, match=r"Views.csv: the chart 'Views' does not say "
                       r"whether it is Facebook or Instagram.*data/raw/<month>/facebook/"):
        parse(FIXTURES / "bad" / "Views.csv")


def test_platform_from_file_name_token(tmp_path):
    path = tmp_path / "IG VIEWS.csv"
    path.write_bytes(ms.chart_utf16("Views", ms.CHART_DAYS))
    _, result = parse(path)
    assert set(result.tables["daily"]["platform"]) == {"instagram"}


def test_audience_is_read_into_the_audience_table():
    kind, result = parse(FIXTURES / "charts" / "Audience.csv")
    assert kind.name == "meta_audience"
    audience = result.tables["audience"].set_index(["breakdown", "segment"])["share"]
    assert audience[("age_gender", "18-24|women")] == pytest.approx(0.105)
    assert audience[("country", "India")] == pytest.approx(0.052)
    assert audience[("city", "London, ON")] == pytest.approx(0.602)


@pytest.mark.parametrize(("name", "message"), [
    ("excel_ids_00.csv", r"row 2, column 'Post ID': the IDs were destroyed by a spreadsheet "
                         r"\('1122300000000000.00'.*Hint: download the export again"),
    ("excel_ids_sci.csv", r"column 'Post ID': the IDs were destroyed by a spreadsheet "
                          r"\('1.1223E\+15'"),
    ("missing_publish_time.csv", r"column 'Publish time': a required column is missing"),
    ("truncated.csv", r"truncated.csv: the file ends mid-row: download it again"),
])
def test_bad_meta_files_are_rejected_with_a_clear_line(name, message):
    with pytest.raises(InputFormatError, match=message):
        parse(FIXTURES / "bad" / name)


def test_excel_touched_dates_are_read_with_a_warning():
    _, result = parse(FIXTURES / "bad" / "excel_dates.csv")
    assert result.tables["posts"]["published_at"].iloc[0] == toronto("2025-03-18 05:39")
    assert any("touched by Excel" in w for w in result.warnings)


def test_cp1252_file_is_read_with_a_warning():
    # decision: a non-UTF-8 file is read as Windows-1252 (what Excel writes), with a warning
    _, result = parse(FIXTURES / "bad" / "cp1252.csv")
    assert result.tables["posts"]["caption"].iloc[0] == "Café des langues, mercredi"
    assert any("Windows-1252" in w for w in result.warnings)


def test_collaboration_rows_are_kept_and_flagged_without_a_configured_account():
    # the most frequent account is the organisation's; the other one's row is a collaboration
    _, result = parse(FIXTURES / "bad" / "instagram_two_accounts.csv", params={})
    posts = result.tables["posts"]
    assert len(posts) == 4
    assert posts["is_collab"].tolist() == [False, False, False, True]
    assert posts["account"].tolist()[-1] == "partnerorg"
    assert result.account == "forestcitynewcomers"
    assert result.warnings == []


def test_collaboration_rows_are_kept_with_the_configured_account():
    _, result = parse(FIXTURES / "bad" / "instagram_two_accounts.csv")
    posts = result.tables["posts"]
    assert len(posts) == 4
    assert posts.loc[posts["account"] == "partnerorg", "is_collab"].tolist() == [True]
    assert not posts.loc[posts["account"] == "forestcitynewcomers", "is_collab"].any()
    assert any("1 collaboration posts" in n for n in result.notes)
    assert result.warnings == []


def test_detection_ignores_the_file_name(tmp_path):
    renamed = tmp_path / "Feb-10-2026_Mar-16-2026_Content level post .csv"
    shutil.copy(FIXTURES / "instagram_order3.csv", renamed)
    kind, _ = parse(renamed)
    assert kind.name == "meta_instagram_posts"


def test_header_match_is_case_insensitive(tmp_path):
    header = ms.FB_2024_NOV.replace("Reach", "REACH").replace('"Post ID"', '"post id"')
    path = tmp_path / "x.csv"
    path.write_bytes(ms.meta_csv(header, ms.FB_ROWS))
    _, result = parse(path)
    assert result.tables["posts"]["reach"].tolist() == [1200, 800, pd.NA]

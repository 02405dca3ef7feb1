"""TikTok Studio downloads (export-formats.md §5): ZIP, loose CSV, XLSX, year-less dates."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.fixtures.build_binary_fixtures import (
    TIKTOK_TABLES,
    VIDEO_ID,
    VIDEO_SECONDS,
    tiktok_csv,
)
from workbench import schema
from workbench.errors import InputFormatError
from workbench.io import registry, tiktok
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tiktok"
CTX = ParseContext(tz="America/Toronto")


def parse(path: Path):
    raw = RawFile.read(path)
    kind = registry.detect(raw)
    return kind, kind.parse(raw, CTX)


def metric(daily: pd.DataFrame, name: str) -> pd.Series:
    rows = daily[daily["metric"] == name].sort_values("date")
    return rows.set_index("date")["value"]


def test_zip_read_inside_and_years_cross_new_year():
    kind, parsed = parse(FIXTURES / "tiktok_analytics.zip")
    assert kind.name == "tiktok_zip"
    daily = parsed.tables["daily"]
    assert list(daily.columns) == list(schema.DAILY_COLUMNS)
    views = metric(daily, "video_views")
    expected = [float(r[1]) for r in TIKTOK_TABLES["Overview.csv"][1:]]
    assert views.tolist() == expected
    # "December 30" … "January 2", downloaded 2026-01-03 → Dec 2025 then Jan 2026
    assert [d.strftime("%Y-%m-%d") for d in views.index] == [
        "2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]
    assert any("counted back from 2026-01-03" in note for note in parsed.notes)
    assert parsed.account == "forestcitynewcomers"  # from the Followers_<user>/ folder


def test_undefined_is_missing_and_negatives_kept_and_flagged():
    _, parsed = parse(FIXTURES / "tiktok_analytics.zip")
    daily = parsed.tables["daily"]
    viewers = metric(daily, "viewers")
    assert pd.isna(viewers.iloc[0])  # "undefined"
    assert viewers.iloc[1:].tolist() == [3, 5, 2]
    comments = metric(daily, "comments")
    assert comments.min() == -1  # kept, not clipped
    assert any("negative 'Comments'" in w and "2025-12-31" in w for w in parsed.warnings)
    net = metric(daily, "net_follows")  # the history's net change, never gross "follows"
    history = TIKTOK_TABLES["FollowerHistory.csv"][1:]
    assert net.sum() == sum(int(r[2]) for r in history)
    assert set(daily["metric"]) <= set(schema.DAILY_METRICS)


def test_content_rows_become_posts():
    _, parsed = parse(FIXTURES / "tiktok_analytics.zip")
    posts = parsed.tables["posts"].set_index("post_id")
    assert list(parsed.tables["posts"].columns) == list(schema.POSTS_COLUMNS)
    first = posts.loc[VIDEO_ID]
    row = TIKTOK_TABLES["Content.csv"][1]
    assert first["views"] == int(row[7])
    assert first["interactions"] == int(row[4]) + int(row[5]) + int(row[6])
    assert first["exposure_kind"] == "views" and first["format"] == "video"
    # the video id encodes its creation time
    assert first["published_at_utc"] == pd.Timestamp(VIDEO_SECONDS, unit="s", tz="UTC")
    # an id without a timestamp falls back on the year-less "Post time"
    assert posts.loc["42", "published_at"].strftime("%Y-%m-%d") == "2025-12-31"
    assert first["hashtags"] == ["#LondonOnt"]


@pytest.mark.parametrize(
    ("name", "language"),
    [("Overview_2025-12-30_1767432601_es.csv", "es"),
     ("Overview_2025-12-30_1767432602_fr.csv", "fr")],
)
def test_spanish_and_french_dates_from_range_start(name, language):
    kind, parsed = parse(FIXTURES / name)
    assert kind.name == "tiktok_csv"
    views = metric(parsed.tables["daily"], "video_views")
    assert [d.strftime("%Y-%m-%d") for d in views.index] == [
        "2025-12-30", "2025-12-31", "2026-01-01"]
    assert any("range start 2025-12-30" in note for note in parsed.notes), language


def test_loose_csv_year_from_snapshot_mtime(tmp_path):
    path = tmp_path / "Overview.csv"
    path.write_bytes(tiktok_csv(TIKTOK_TABLES["Overview.csv"]))
    downloaded = pd.Timestamp("2026-01-05 12:00", tz="UTC").timestamp()
    os.utime(path, (downloaded, downloaded))
    _, parsed = parse(path)
    views = metric(parsed.tables["daily"], "video_views")
    assert views.index.min() == pd.Timestamp("2025-12-30")
    # the same file downloaded a year later resolves a year later
    later = pd.Timestamp("2027-01-05 12:00", tz="UTC").timestamp()
    os.utime(path, (later, later))
    _, parsed = parse(path)
    assert metric(parsed.tables["daily"], "video_views").index.min() == pd.Timestamp("2026-12-30")


def test_xlsx_numbers_as_text():
    kind, parsed = parse(FIXTURES / "Overview.xlsx")
    assert kind.name == "tiktok_xlsx"
    views = metric(parsed.tables["daily"], "video_views")
    assert views.sum() == sum(float(r[1]) for r in TIKTOK_TABLES["Overview.csv"][1:])


def test_resolve_years_descending_and_anchor():
    parts = tiktok.parse_day_month(pd.Series(["January 2", "January 1", "December 31"]))
    dates, _ = tiktok.resolve_years(parts, range_end=pd.Timestamp("2026-03-01"))
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2026-01-02", "2026-01-01", "2025-12-31"]
    # a date after the download day belongs to the previous year
    parts = tiktok.parse_day_month(pd.Series(["April 12", "12 April"]))
    dates, _ = tiktok.resolve_years(parts, range_end=pd.Timestamp("2026-03-01"))
    assert set(dates.dt.year) == {2025}


def test_zip_without_tiktok_files():
    raw = RawFile.read(FIXTURES / "not_tiktok.zip")
    with pytest.raises(InputFormatError, match="not a known export"):
        registry.detect(raw)
    with pytest.raises(InputFormatError, match=r"no TikTok analytics table.*budget\.csv"):
        tiktok.parse(raw, CTX)


def test_unreadable_date_names_row(tmp_path):
    rows = [list(r) for r in TIKTOK_TABLES["Overview.csv"]]
    rows[2][0] = "Smarch 40"
    path = tmp_path / "Overview.csv"
    path.write_bytes(tiktok_csv(rows))
    with pytest.raises(InputFormatError, match=r"row 3.*'Smarch 40' is not a TikTok date"):
        parse(path)


def test_id_time_that_contradicts_post_time_is_not_trusted(tmp_path):
    # an id that encodes 2023-10-06 but a "Post time" of July 11 in a July 2025 download
    wrong_id = str((1696635444 << 32) | 7)
    rows = [TIKTOK_TABLES["Content.csv"][0],
            ["July 1", "Meet Dev #LondonOnt", f"https://www.tiktok.com/@forestcitynewcomers/video/"
             f"{wrong_id}", "July 11", "29", "1", "1", "868"]]
    path = tmp_path / "Content.csv"
    path.write_bytes(tiktok_csv(rows))
    snapshot = pd.Timestamp("2025-08-06 14:24", tz="UTC").timestamp()
    os.utime(path, (snapshot, snapshot))
    _, parsed = parse(path)
    post = parsed.tables["posts"].iloc[0]
    assert post["published_at"].strftime("%Y-%m-%d") == "2025-07-11"
    assert any("do not encode their 'Post time'" in note for note in parsed.notes)


def test_posts_keep_their_file_row_count():
    _, parsed = parse(FIXTURES / "tiktok_analytics.zip")
    posts = parsed.tables["posts"]
    assert posts["source_rows"].tolist() == [len(posts)] * len(posts)


# --- interface languages, New Year, the web export (issue 10) -------------------------------


@pytest.mark.parametrize(("text", "month", "day"), [
    ("April 12", 4, 12), ("12 avr.", 4, 12), ("8 de marzo", 3, 8),
    ("8 de março", 3, 8), ("12 de dez.", 12, 12), ("1 de janeiro", 1, 1),  # Portuguese
    ("12. März", 3, 12), ("1. Januar", 1, 1), ("31. Dez.", 12, 31),  # German
    ("8 marzo", 3, 8), ("1 gennaio", 1, 1), ("31 dic", 12, 31),  # Italian
    ("3 mei", 5, 3), ("3 maart", 3, 3), ("3 augusti", 8, 3), ("3 agustus", 8, 3),
    ("28 апреля", 4, 28), ("5 września", 9, 5), ("5 Eylül", 9, 5), ("3月8日", 3, 8),
])
def test_month_names_in_tiktok_studio_languages(text, month, day):
    parts = tiktok.parse_day_month(pd.Series([text], dtype="string"))
    assert (parts["month"].iloc[0], parts["day"].iloc[0]) == (month, day)
    assert pd.isna(parts["year"].iloc[0])


def _loose(tmp_path, name: str, moment: str):
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes())
    stamp = pd.Timestamp(moment, tz="UTC").timestamp()
    os.utime(path, (stamp, stamp))
    return parse(path)


def test_viewers_german_dates_cross_new_year_and_undefined_last_row(tmp_path):
    kind, parsed = _loose(tmp_path, "Viewers.csv", "2026-01-03 09:00")
    assert kind.name == "tiktok_csv"
    viewers = metric(parsed.tables["daily"], "viewers")
    # downloaded 3 Jan 2026: "30. Dezember" is 2025, "2. Januar" 2026
    assert list(viewers.index) == list(pd.to_datetime(
        ["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02", "2026-01-03"]))
    assert pd.isna(viewers.iloc[0]) and viewers.iloc[1] == 312
    assert pd.isna(viewers.iloc[-1])  # the download day, not yet counted: missing, not 0
    assert any("years counted back from 2026-01-03" in note for note in parsed.notes)


def test_follower_history_italian_dates_cross_new_year(tmp_path):
    _, parsed = _loose(tmp_path, "FollowerHistory.csv", "2026-01-03 09:00")
    daily = parsed.tables["daily"]
    follows = metric(daily, "net_follows")
    assert follows.index.min() == pd.Timestamp("2025-12-30")
    assert follows.loc["2026-01-01"] == -1  # net change, negative kept
    assert "follows" not in set(daily["metric"])  # gross new followers stay separate
    assert any("negative" in w for w in parsed.warnings)


def test_web_export_in_portuguese_overview():
    kind, parsed = parse(FIXTURES / "Visão geral(1).csv")
    assert kind.name == "tiktok_csv"
    daily = parsed.tables["daily"]
    views = metric(daily, "video_views")
    assert list(views.index) == list(pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-01"]))
    assert list(views) == [715, 1200, 980]
    reach = metric(daily, "reach")
    assert pd.isna(reach.iloc[0]) and pd.isna(reach.iloc[2])  # "NAN" and "--" are missing
    assert metric(daily, "unfollows").loc["2025-12-31"] == 1  # Lost followers
    assert metric(daily, "follows").loc["2025-12-31"] == 5
    assert any("carry their year" in note for note in parsed.notes)


def test_web_export_in_portuguese_video_and_audience():
    _, video = parse(FIXTURES / "Vídeo(1).csv")
    post = video.tables["posts"].iloc[0]
    assert post["views"] == 704 and post["reactions"] == 17 and pd.isna(post["saves"])
    assert post["account"] == "forestcitynewcomers"
    _, audience = parse(FIXTURES / "Audiência(1).csv")
    daily = audience.tables["daily"]
    assert set(daily["metric"]) == {"follows", "followers_total", "reach", "engaged_users"}
    assert metric(daily, "followers_total").isna().all()  # "--" throughout
    assert metric(daily, "engaged_users").loc["2026-01-01"] == 40

"""ingest(): discovery, all-or-nothing, dedupe of overlapping downloads, log, tables."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.io import meta_samples as ms
from workbench.errors import InputFormatError, MultipleErrors
from workbench.io import ingest as ingest_module
from workbench.io.ingest import discover_files, ingest, needs_ingest
from workbench.io.rawfile import RawFile
from workbench.io.tables import load_table, load_tables, read_ingest_log

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PARAMS = {
    "timezone": "America/Toronto",
    "platforms": {
        "facebook": {"account": "Forest City Newcomer Services"},
        "instagram": {"account": "forestcitynewcomers"},
    },
}
DAY = 86400
BASE = 1_740_000_000  # a fixed mtime (Feb 2025) so the tests do not depend on the clock


def put(raw_dir: Path, rel: str, data: bytes | Path, mtime: float = BASE) -> Path:
    path = raw_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.read_bytes() if isinstance(data, Path) else data)
    os.utime(path, (mtime, mtime))
    return path


def tree_hashes(folder: Path) -> dict[str, tuple[str, float]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                           p.stat().st_mtime)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def fb_rows_with_reach(reach: int) -> list[dict]:
    return [dict(row, reach=str(reach + i)) for i, row in enumerate(ms.FB_ROWS)]


@pytest.fixture()
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    put(raw, "2025-02/facebook/Jan-01-2025_Feb-28-2025_111.csv",
        ms.meta_csv(ms.FB_2025_JAN, fb_rows_with_reach(100)), BASE)
    # an overlapping later download of the same posts, with grown lifetime metrics
    put(raw, "2025-03/facebook/Feb-01-2025_Mar-31-2025_222.csv",
        ms.meta_csv(ms.FB_2025_JAN, fb_rows_with_reach(500)), BASE + 30 * DAY)
    put(raw, "2025-03/instagram/Mar-01-2025_Mar-31-2025_333.csv",
        FIXTURES / "meta" / "instagram_order2.csv", BASE + 30 * DAY)
    put(raw, "2025-03/facebook/Views.csv", FIXTURES / "meta" / "charts/facebook/Views.csv",
        BASE + 30 * DAY)
    put(raw, "2025-03/Audience.csv", FIXTURES / "meta" / "charts/Audience.csv")
    put(raw, "2025-03/manual_kpis.csv", FIXTURES / "manual" / "manual_kpis.csv", BASE)
    # things that are not exports and must be skipped
    put(raw, "2025-03/media/post1.jpg", FIXTURES / "meta" / "bad" / "photo.jpg")
    put(raw, "README.md", b"# notes\n")
    put(raw, "2025-03/notes.txt", b"asked for the Ad Grant report\n")
    put(raw, "truth.json", b"{}")
    put(raw, ".DS_Store", b"\x00\x01")
    put(raw, "old/anything.csv", b"name,age\nBob,3\n")
    put(raw, ".workbenchignore", b"# archived downloads\nold/\n")
    return raw


def test_discovery_skips_notes_media_hidden_and_ignored(raw_dir):
    found = [p.relative_to(raw_dir).as_posix() for p in discover_files(raw_dir)]
    assert found == [
        "2025-02/facebook/Jan-01-2025_Feb-28-2025_111.csv",
        "2025-03/Audience.csv",
        "2025-03/facebook/Feb-01-2025_Mar-31-2025_222.csv",
        "2025-03/facebook/Views.csv",
        "2025-03/instagram/Mar-01-2025_Mar-31-2025_333.csv",
        "2025-03/manual_kpis.csv",
    ]


def test_ingest_writes_tables_and_log(raw_dir, tmp_path):
    out = tmp_path / "processed"
    before = tree_hashes(raw_dir)
    result = ingest(raw_dir, out, PARAMS)
    assert tree_hashes(raw_dir) == before  # RAW_DIR never modified
    for name in ("posts", "daily", "web", "ads", "manual"):
        assert (out / f"{name}.parquet").exists()
    posts = result.tables["posts"]
    assert sorted(posts["platform"].value_counts().items()) == [("facebook", 3), ("instagram", 3)]
    assert result.log["dedupe"]["posts"] == {"rows_in": 9, "dropped": 3}
    # the newest download's lifetime metrics win
    fb = posts[posts["platform"] == "facebook"].sort_values("post_id")
    assert fb["reach"].tolist() == [500, 501, 502]
    assert set(fb["source_file"]) == {"2025-03/facebook/Feb-01-2025_Mar-31-2025_222.csv"}
    log = json.loads((out / "ingest_log.json").read_text())
    assert log["raw_dir"] == str(raw_dir.resolve())
    entry = next(e for e in log["files"] if e["path"].endswith("_333.csv"))
    assert entry["kind"] == "meta_instagram_posts"
    assert entry["rows"] == 3
    assert entry["account"] == "forestcitynewcomers"
    assert entry["sha256"] == hashlib.sha256(
        (raw_dir / entry["path"]).read_bytes()).hexdigest()
    assert entry["date_min"].startswith("2025-03-01T01:30:00")
    assert pd.Timestamp(entry["snapshot_at"]) == pd.Timestamp(BASE + 30 * DAY, unit="s", tz="UTC")
    audience = next(e for e in log["files"] if e["path"].endswith("Audience.csv"))
    assert audience["table_rows"] == {"audience": 6}  # 2 age/gender, 2 countries, 2 cities
    assert (out / "audience.parquet").exists()
    assert set(result.tables["audience"]["breakdown"]) == {"age_gender", "country", "city"}
    assert result.tables["daily"]["metric"].unique().tolist() == ["views"]
    assert len(result.tables["manual"]) == 4
    assert result.tables["web"].empty and list(result.tables["web"].columns)[0] == "date"
    assert "Ingested 6 files" in result.summary()


def test_ties_on_snapshot_broken_by_range_end_in_file_name(tmp_path):
    raw = tmp_path / "raw"
    # same mtime: the file whose name ends later wins, whatever the path order
    put(raw, "b/Jan-01-2025_Mar-31-2025_1.csv", ms.meta_csv(ms.FB_2024_NOV,
                                                            fb_rows_with_reach(900)))
    put(raw, "a/Jan-01-2025_Feb-28-2025_2.csv", ms.meta_csv(ms.FB_2024_NOV,
                                                            fb_rows_with_reach(100)))
    put(raw, "c/Jan-01-2025_Jan-31-2025_3.csv", ms.meta_csv(ms.FB_2024_NOV,
                                                            fb_rows_with_reach(300)))
    result = ingest(raw, tmp_path / "out", PARAMS)
    assert sorted(result.tables["posts"]["reach"].tolist()) == [900, 901, 902]


def test_daily_dedupe_newest_download_wins(tmp_path):
    raw = tmp_path / "raw"
    put(raw, "2025-03/facebook/Views.csv", ms.chart_utf16("Views", [("2025-03-01T01:00:00", "5")]),
        BASE)
    put(raw, "2025-04/facebook/Views.csv",
        ms.chart_utf16("Views", [("2025-03-01T01:00:00", "7"), ("2025-03-02T01:00:00", "9")]),
        BASE + DAY)
    result = ingest(raw, tmp_path / "out", PARAMS)
    daily = result.tables["daily"].sort_values("date")
    assert daily["value"].tolist() == [7, 9]
    assert result.log["dedupe"]["daily"]["dropped"] == 1


def test_manual_later_file_wins_and_disagreement_is_warned(tmp_path):
    raw = tmp_path / "raw"
    put(raw, "2025-03/manual_kpis.csv", b"month,platform,kpi,value,note\n2025-03,instagram,"
        b"reach,1000,\n", BASE)
    put(raw, "2025-04/manual_kpis.csv", b"month,platform,kpi,value,note\n2025-03,instagram,"
        b"reach,1200,corrected\n", BASE + DAY)
    result = ingest(raw, tmp_path / "out", PARAMS)
    assert result.tables["manual"]["value"].tolist() == [1200]
    assert result.log["warnings"] == [
        "manual instagram reach 2025-03: 2025-04/manual_kpis.csv (newest, kept) says 1200, "
        "but 2025-03/manual_kpis.csv says 1000"]


def test_metric_definition_change_is_logged(tmp_path):
    raw = tmp_path / "raw"
    put(raw, "a.csv", FIXTURES / "meta" / "facebook_2024_jan.csv")
    put(raw, "b.csv", FIXTURES / "meta" / "facebook_2025_jan.csv", BASE + DAY)
    result = ingest(raw, tmp_path / "out", PARAMS)
    assert result.log["metric_definition_changes"] == [
        {"platform": "facebook", "metric": "views", "files_with": ["b.csv"],
         "files_without": ["a.csv"]}]


@pytest.mark.parametrize(("bad_name", "line"), [
    ("empty.csv", r"empty.csv: the file is empty"),
    ("truncated.csv", r"truncated.csv: the file ends mid-row: download it again"),
    ("missing_publish_time.csv", r"column 'Publish time': a required column is missing"),
    ("excel_ids_00.csv", r"the IDs were destroyed by a spreadsheet"),
])
def test_a_damaged_export_fails_the_whole_ingest_and_writes_nothing(raw_dir, tmp_path,
                                                                    bad_name, line):
    out = tmp_path / "processed"
    ingest(raw_dir, out, PARAMS)
    previous = tree_hashes(out)
    put(raw_dir, f"2025-04/{bad_name}", FIXTURES / "meta" / "bad" / bad_name, BASE + 40 * DAY)
    before = tree_hashes(raw_dir)
    with pytest.raises(MultipleErrors, match=line):
        ingest(raw_dir, out, PARAMS)
    assert tree_hashes(out) == previous  # PROCESSED_DIR untouched
    assert tree_hashes(raw_dir) == before  # RAW_DIR untouched


@pytest.mark.parametrize(("name", "reason"), [
    ("report.pdf", "a PDF document, not an analytics export"),
    ("photo.jpg", "an image (JPEG), not an analytics export; images for labels go in "
                  "data/raw/media/"),
    ("random.csv", "not a known export: a table with columns 'name', 'age', 'city' that is "
                   "not an export we read"),
])
def test_a_file_that_is_not_an_export_is_skipped_with_its_reason(raw_dir, tmp_path, name,
                                                                  reason):
    put(raw_dir, f"2025-04/{name}", FIXTURES / "meta" / "bad" / name)
    result = ingest(raw_dir, tmp_path / "processed", PARAMS)
    assert result.log["skipped"] == [{"file": f"2025-04/{name}", "reason": reason}]
    assert f"  skipped: 2025-04/{name}: {reason}" in result.summary().splitlines()
    assert len(result.log["files"]) == 6  # every export still read
    logged = read_ingest_log(tmp_path / "processed")
    assert logged["skipped"] == result.log["skipped"]
    for word in ("container", "workbench check", "sep="):
        assert word not in reason


def test_strict_makes_skipped_files_fatal(raw_dir, tmp_path):
    put(raw_dir, "2025-04/report.pdf", FIXTURES / "meta" / "bad" / "report.pdf")
    with pytest.raises(MultipleErrors, match=r"report.pdf: a PDF document, not an analytics "
                                             r"export\. Hint: .*without --strict"):
        ingest(raw_dir, tmp_path / "processed", PARAMS, strict=True)
    assert not (tmp_path / "processed").exists()


def test_damaged_and_foreign_files_together(raw_dir, tmp_path):
    for name in ("empty.csv", "report.pdf", "random.csv"):
        put(raw_dir, f"2025-04/{name}", FIXTURES / "meta" / "bad" / name)
    with pytest.raises(MultipleErrors) as caught:
        ingest(raw_dir, tmp_path / "processed", PARAMS)
    lines = str(caught.value).splitlines()
    assert [Path(line.split(":")[0]).name for line in lines] == ["empty.csv"]
    assert not (tmp_path / "processed").exists()


def test_a_folder_without_any_export_is_an_error(tmp_path):
    raw = tmp_path / "raw"
    for name in ("report.pdf", "random.csv"):
        put(raw, name, FIXTURES / "meta" / "bad" / name)
    with pytest.raises(MultipleErrors) as caught:
        ingest(raw, tmp_path / "processed", PARAMS)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[-1].endswith("none of the 2 files is an export we read (each is listed "
                              "above). Hint: put this month's downloads under "
                              "data/raw/<month>/.")
    assert not (tmp_path / "processed").exists()


def test_macos_leftovers_are_ignored(raw_dir, tmp_path):
    put(raw_dir, "__MACOSX/2025-03/._Views.csv", b"\x00\x05\x16\x07junk")
    put(raw_dir, "2025-03/._Views.csv", b"\x00\x05\x16\x07junk")
    result = ingest(raw_dir, tmp_path / "processed", PARAMS)
    assert result.log["skipped"] == []
    assert all("MACOSX" not in p.as_posix() and not p.name.startswith("._")
               for p in discover_files(raw_dir))


def test_empty_raw_folder_is_a_clear_error(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(InputFormatError, match=r"no export files found.*Hint: put this month"):
        ingest(tmp_path / "raw", tmp_path / "out", PARAMS)


def test_needs_ingest_tracks_the_raw_folder(raw_dir, tmp_path):
    out = tmp_path / "processed"
    assert needs_ingest(raw_dir, out)
    ingest(raw_dir, out, PARAMS)
    assert not needs_ingest(raw_dir, out)
    log_mtime = (out / "ingest_log.json").stat().st_mtime
    touched = raw_dir / "2025-03/manual_kpis.csv"
    os.utime(touched, (log_mtime + 5, log_mtime + 5))
    assert needs_ingest(raw_dir, out)
    ingest(raw_dir, out, PARAMS)
    assert not needs_ingest(raw_dir, out)
    put(raw_dir, "2025-04/manual_kpis.csv", FIXTURES / "manual" / "manual_kpis.csv", BASE)
    assert needs_ingest(raw_dir, out)  # a new (old-dated) file changes the set
    (raw_dir / "2025-04/manual_kpis.csv").unlink()
    assert not needs_ingest(raw_dir, out)
    (raw_dir / "2025-03/Audience.csv").unlink()
    assert needs_ingest(raw_dir, out)


def test_load_tables_round_trip(raw_dir, tmp_path):
    out = tmp_path / "processed"
    written = ingest(raw_dir, out, PARAMS).tables
    tables = load_tables(out, tz="America/Toronto")
    assert set(tables) == {"posts", "post_snapshots", "daily", "web", "ads", "manual",
                           "audience"}
    pd.testing.assert_frame_equal(tables["post_snapshots"], written["post_snapshots"])
    pd.testing.assert_frame_equal(tables["audience"], written["audience"])
    # a folder ingested before the audience table existed loads it empty
    (out / "audience.parquet").unlink()
    assert load_tables(out)["audience"].empty
    posts = tables["posts"]
    pd.testing.assert_frame_equal(posts, written["posts"], check_dtype=False)
    assert isinstance(posts["hashtags"].iloc[0], list)
    assert str(posts["published_at"].dt.tz) == "America/Toronto"
    assert posts["post_id"].dtype == "string"
    utc = load_tables(out, tz="UTC")["posts"]["published_at"]
    assert str(utc.dt.tz) == "UTC"
    assert read_ingest_log(out)["tables"]["posts"] == 6
    assert len(load_table(out, "manual")) == 4


def test_never_ingested_folder_says_run_ingest(tmp_path):
    with pytest.raises(InputFormatError, match=r"no ingested tables here.*run `workbench ingest`"):
        load_tables(tmp_path)
    with pytest.raises(InputFormatError, match=r"run `workbench ingest`"):
        read_ingest_log(tmp_path / "nowhere")


def test_post_snapshots_keep_every_download_with_its_age(raw_dir, tmp_path):
    result = ingest(raw_dir, tmp_path / "processed", PARAMS)
    snaps, posts = result.tables["post_snapshots"], result.tables["posts"]
    assert list(snaps.columns[:4]) == ["platform", "post_id", "snapshot_at", "age_days"]
    fb = snaps[snaps["platform"] == "facebook"]
    # the three Facebook posts were downloaded twice (BASE and 30 days later)
    assert len(fb) == 6
    assert fb.groupby("post_id")["snapshot_at"].nunique().eq(2).all()
    first = fb.groupby("post_id").first()
    last = fb.groupby("post_id").last()
    assert (last["reach"] - first["reach"]).eq(400).all()
    assert ((last["age_days"] - first["age_days"]).round(6) == 30).all()
    published = posts.set_index(["platform", "post_id"])["published_at_utc"]
    for row in fb.itertuples():
        expected = (row.snapshot_at - published[("facebook", row.post_id)]) / pd.Timedelta("1D")
        assert row.age_days == pytest.approx(expected)
    # posts keeps the newest download of each post
    newest = snaps.sort_values("snapshot_at").groupby(["platform", "post_id"]).last()
    assert (posts.set_index(["platform", "post_id"])["reach"]
            .sort_index().tolist() == newest["reach"].sort_index().tolist())
    assert result.log["tables"]["post_snapshots"] == len(snaps) == 9


def test_the_same_snapshot_twice_is_one_row(tmp_path):
    raw = tmp_path / "raw"
    put(raw, "a/Jan-01-2025_Feb-28-2025_1.csv", ms.meta_csv(ms.FB_2025_JAN,
                                                            fb_rows_with_reach(100)))
    put(raw, "b/Jan-01-2025_Mar-31-2025_2.csv", ms.meta_csv(ms.FB_2025_JAN,
                                                            fb_rows_with_reach(200)))
    snaps = ingest(raw, tmp_path / "out", PARAMS).tables["post_snapshots"]
    assert len(snaps) == 3
    assert sorted(snaps["reach"].tolist()) == [200, 201, 202]  # the later range wins the tie


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2025, 3, 31, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def test_a_zip_of_exports_is_read_like_the_folder(raw_dir, tmp_path):
    folder = ingest(raw_dir, tmp_path / "folder", PARAMS)
    members = {path.relative_to(raw_dir).as_posix(): path.read_bytes()
               for path in discover_files(raw_dir)}
    members["__MACOSX/2025-03/._Audience.csv"] = b"\x00\x05\x16\x07mac"
    members["2025-03/._Audience.csv"] = b"\x00\x05\x16\x07mac"
    members["2025-03/deck.pdf"] = (FIXTURES / "meta" / "bad" / "report.pdf").read_bytes()
    raw = tmp_path / "zipped"
    put(raw, "March exports.zip", zipped(members))
    result = ingest(raw, tmp_path / "from_zip", PARAMS)
    assert sorted(e["path"] for e in result.log["files"]) == sorted(
        f"March exports.zip/{e['path']}" for e in folder.log["files"])
    assert result.log["skipped"] == [{"file": "March exports.zip/2025-03/deck.pdf",
                                      "reason": "a PDF document, not an analytics export"}]
    for name in ("posts", "daily", "manual"):
        assert len(result.tables[name]) == len(folder.tables[name])
    assert not needs_ingest(raw, tmp_path / "from_zip")


def test_a_damaged_export_inside_a_zip_is_named_by_its_place_in_the_zip(tmp_path):
    raw = tmp_path / "raw"
    put(raw, "exports.zip", zipped({
        "posts.csv": (FIXTURES / "meta" / "bad" / "truncated.csv").read_bytes()}))
    with pytest.raises(MultipleErrors, match=r"exports.zip/posts.csv: the file ends mid-row"):
        ingest(raw, tmp_path / "out", PARAMS)


def test_a_zip_bomb_is_a_clear_error(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    put(raw, "a.csv", FIXTURES / "meta" / "facebook_2025_jan.csv")
    put(raw, "big.zip", zipped({"x.csv": b"0" * 5000, "y.csv": b"1" * 10}))
    monkeypatch.setattr(ingest_module, "ZIP_MAX_BYTES", 4000)
    with pytest.raises(MultipleErrors, match=r"big.zip: the ZIP archive is too big to unpack"):
        ingest(raw, tmp_path / "out", PARAMS)
    monkeypatch.setattr(ingest_module, "ZIP_MAX_BYTES", 10**9)
    monkeypatch.setattr(ingest_module, "ZIP_MAX_MEMBERS", 1)
    with pytest.raises(MultipleErrors, match=r"more than 1 files"):
        ingest(raw, tmp_path / "out", PARAMS)


def test_a_zip_bomb_whose_header_lies_is_stopped_while_unpacking(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    put(raw, "big.zip", zipped({"x.csv": b"0" * 50_000}))
    monkeypatch.setattr(ingest_module, "_check_zip_size", lambda infos, rel: None)
    monkeypatch.setattr(ingest_module, "ZIP_MAX_BYTES", 4000)
    with pytest.raises(MultipleErrors, match=r"too big to unpack"):
        ingest(raw, tmp_path / "out", PARAMS)


def raw_text(text: str, encoding: str = "utf-8") -> RawFile:
    return RawFile(path=Path("x.csv"), data=text.encode(encoding))


@pytest.mark.parametrize(("text", "cut"), [
    ("a,b,c\n1,2,3\n4,5", True),  # short last row, no final newline
    ("a,b,c\n1,2,3\n4,5,6", False),  # complete, no final newline (GA4, TikTok)
    ("a,b,c\n1,2,3\n4,5,\n", False),  # a final newline: the row ended
    ("a,b,c\n1,2\n4,5", False),  # every row short: written that way, not cut
    ('a,b,c\n1,"two\nlines",3\n4,"fine\nagain",6', False),  # multi-line captions, complete
    ('a,b,c\n1,"two\nlines",3\n4,"cut in the\nmiddle', True),  # inside a quoted caption
    ('a,b,c\n1,2,3\n4,"5', True),
    # old Mac line ends (a lone CR), the last row cut: found, not a crash of the csv module
    ("a,b,c\r1,2,3\r4,5", True),
    ('a,b\na,a"\r1"a', True),
])
def test_a_file_cut_off_mid_row_is_found_in_the_csv_layer(text, cut):
    raw = raw_text(text)
    assert raw.ends_mid_row(",") is cut
    if cut:
        with pytest.raises(InputFormatError, match=r"x.csv: the file ends mid-row: download "
                                                   r"it again"):
            raw.read_csv()
    else:
        raw.read_csv()


def test_a_utf16_tab_file_cut_off_mid_row():
    raw = raw_text("\ufeffDate\tPrimary\n2025-01-01\t5\n2025-01-02", "utf-16-le")
    with pytest.raises(InputFormatError, match="the file ends mid-row"):
        raw.read_csv()


def test_zips_inside_a_zip_share_its_caps(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    inner = zipped({"x.csv": b"0" * 3000})
    put(raw, "outer.zip", zipped({"a.zip": inner, "b.zip": inner}))
    monkeypatch.setattr(ingest_module, "ZIP_MAX_BYTES", 5000)  # each alone fits; not both
    with pytest.raises(MultipleErrors, match=r"outer.zip/b.zip: the ZIP archive is too big"):
        ingest(raw, tmp_path / "out", PARAMS)


def test_a_zip_inside_a_zip_is_read_like_a_folder(tmp_path):
    raw = tmp_path / "raw"
    inner = zipped({"2025-03/manual_kpis.csv": (FIXTURES / "manual" / "manual_kpis.csv")
                    .read_bytes()})
    put(raw, "outer.zip", zipped({"march.zip": inner}))
    result = ingest(raw, tmp_path / "out", PARAMS)
    assert [e["path"] for e in result.log["files"]] == [
        "outer.zip/march.zip/2025-03/manual_kpis.csv"]
    assert len(result.tables["manual"]) == 4


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)),
     "a video (MP4 or MOV), not an analytics export"),
    ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(256)),
     "an image (HEIC, from an iPhone), not an analytics export"),
    ("story.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(range(256)),
     "an image (WebP), not an analytics export"),
    ("notes.bin", bytes(range(256)) * 2,
     "a binary file of a kind we do not recognise (not a table)"),
])
def test_media_and_binary_files_are_skipped_not_damage(raw_dir, tmp_path, name, data, reason):
    put(raw_dir, f"2025-03/{name}", data)
    result = ingest(raw_dir, tmp_path / "processed", PARAMS)
    assert result.log["skipped"] == [{"file": f"2025-03/{name}",
                                      "reason": f"not a known export: {reason}"}]


def test_utf16_text_without_bom_is_not_called_binary():
    from workbench.io.registry import looks_binary

    assert not looks_binary("Date\tPrimary\n2025-01-01\t4\n".encode("utf-16-le"))
    assert not looks_binary((FIXTURES / "meta" / "facebook_2025_jan.csv").read_bytes())
    assert looks_binary(b"\x00\x00\x00\x18ftypmp42")


def test_parsing_in_worker_processes_gives_exactly_the_serial_ingest(tmp_path, monkeypatch):
    """Work shared between a forked worker and this process (zips unpacked where they are
    parsed) writes the same tables, row for row, and the same log as one process."""
    from workbench.sample import generate_sample
    from workbench.sample.profile import sample_params

    params = sample_params()
    raw = tmp_path / "raw"
    generate_sample(raw, seed=11, start="2025-02", end="2025-03", params=params)
    # an analyst's zip of one month's folder in the middle of the file list
    month = raw / "2025-03" / "website"
    put(raw, "2025-03/website.zip", zipped({
        p.relative_to(month).as_posix(): p.read_bytes() for p in sorted(month.rglob("*"))
        if p.is_file()}))
    for p in sorted(month.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    month.rmdir()
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("WORKBENCH_WORKERS", workers)
        results[workers] = ingest(raw, tmp_path / f"out{workers}", params)
    serial, shared = results["1"], results["2"]
    assert len(serial.log["files"]) >= ingest_module.PARALLEL_MIN_FILES  # the pool was used
    assert any(e["path"].startswith("2025-03/website.zip/") for e in serial.log["files"])
    for name in ingest_module.WRITTEN_TABLES:
        pd.testing.assert_frame_equal(shared.tables[name], serial.tables[name])
    for log in (serial.log, shared.log):
        log.pop("generated_at")
        log.pop("raw_dir")
    assert shared.log == serial.log


@pytest.mark.parametrize("seed", range(5))
def test_rows_ranked_by_their_file_sort_as_the_three_key_sort(seed):
    """The file-rank sort equals sorting every row by snapshot, name range end and path
    (missing snapshots and range ends first, ties kept in row order)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n_files = 12
    snapshots = pd.to_datetime(rng.choice(
        ["2025-03-01", "2025-03-02", None], n_files).tolist(), utc=True)
    ends = pd.to_datetime(rng.choice(["2025-02-28", "2025-03-31", None], n_files).tolist())
    order = pd.DataFrame({
        "source_file": pd.array([f"m/{rng.integers(1000)}-{i}.csv" for i in range(n_files)],
                                dtype="string"),
        "_snapshot": snapshots, "_range_end": ends})
    rows = rng.integers(0, n_files, 200)
    # source_file as ingest stacks it (the string dtype, like the order's)
    frame = pd.DataFrame({"source_file": order["source_file"].array.take(rows),
                          "value": np.arange(200)}, index=np.arange(200)[::-1])
    fast = ingest_module._newest_first_order(frame, order)
    slow = ingest_module._newest_first_order_by_merge(frame, order)
    pd.testing.assert_frame_equal(fast, slow)

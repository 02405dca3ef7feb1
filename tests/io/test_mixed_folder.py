"""One raw folder holding a file of every export format at once, ingested in one run.

Each file is also parsed on its own; the ingested tables must hold exactly the deduplicated
union of those parses (no file lost, none counted twice), and `workbench check` must name
each file's kind.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench.io.check import check_files
from workbench.io.ingest import ingest
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect
from workbench.io.tables import load_tables
from workbench.sample.profile import sample_params

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: fixture (relative to tests/fixtures) → where it goes in the raw folder, and its kind
EVERY_FORMAT = {
    "meta/facebook_2025_jan.csv": ("2025-01/facebook/posts.csv", "meta_facebook_posts"),
    "meta/instagram_order1.csv": ("2025-01/instagram/posts.csv", "meta_instagram_posts"),
    "meta/charts/Instagram profile visits.csv": ("2025-01/instagram/Profile visits.csv",
                                                 "meta_chart"),
    "meta/charts/Facebook follows excel.csv": ("2025-01/facebook/Follows.csv", "meta_chart"),
    "manual/manual_kpis.csv": ("manual_kpis.csv", "manual_kpis"),
    "linkedin/forest-city-newcomers_content_1766385907708.xls": (
        "2025-12/linkedin/content.xls", "linkedin_content"),
    "linkedin/forest-city-newcomers_followers_1766385928211.xls": (
        "2025-12/linkedin/followers.xls", "linkedin_followers"),
    "linkedin/forest-city-newcomers_visitors_1766385917155.xls": (
        "2025-12/linkedin/visitors.xls", "linkedin_visitors"),
    "tiktok/tiktok_analytics.zip": ("2025-12/tiktok/tiktok_analytics.zip", "tiktok_zip"),
    "ga4/Traffic_acquisition_Session_primary_channel_group_(Default_Channel_Group).csv": (
        "2025-10/website/traffic.csv", "ga4_report"),
    "google_ads/Campaign report (us).csv": ("2026-04/ads/Campaign report.csv",
                                            "google_ads_campaigns"),
    "google_ads/Campaign report (excel).csv": ("2026-02/ads/Campaign report.csv",
                                               "google_ads_campaigns"),
    "legacy_facebook/Facebook Insights Data Export (Post Level) - Forest City - 2017-10-22.xls": (
        "legacy/insights.xls", "legacy_facebook_posts"),
    "column_map/later_posts.csv": ("2025-03/later/later_posts.csv", "column_map"),
}

KEYS = {
    "posts": ["platform", "post_id"],
    "daily": ["platform", "account", "metric", "date"],
    "manual": ["month", "platform", "kpi"],
    "audience": ["platform", "account", "breakdown", "segment", "snapshot_at", "period_start",
                 "period_end"],
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    raw = base / "raw"
    for source, (target, _) in EVERY_FORMAT.items():
        destination = raw / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / source, destination)
    params = sample_params()
    result = ingest(raw, base / "processed", params)
    return {"raw": raw, "processed": base / "processed", "params": params, "result": result}


def parse_alone(path: Path, params: dict):
    raw = RawFile.read(path)
    return detect(raw).parse(raw, ParseContext(tz=params["timezone"], params=params))


def test_every_table_is_the_deduplicated_union_of_the_files(mixed):
    tables = load_tables(mixed["processed"])
    union: dict[str, list[pd.DataFrame]] = {}
    for _, (target, _) in EVERY_FORMAT.items():
        parsed = parse_alone(mixed["raw"] / target, mixed["params"])
        for name, frame in parsed.tables.items():
            if len(frame):
                union.setdefault(name, []).append(frame)
    assert set(union) == {"posts", "daily", "manual", "web", "ads", "audience"}
    for name, frames in union.items():
        combined = pd.concat(frames, ignore_index=True)
        expected = len(combined.drop_duplicates(KEYS[name])) if name in KEYS else len(combined)
        assert len(tables[name]) == expected, name
    posts = tables["posts"]
    assert set(posts["platform"]) == {"facebook", "instagram", "linkedin", "tiktok"}
    assert posts["post_id"].map(type).eq(str).all()
    assert posts["published_at"].dt.tz is not None
    ads = pd.concat(union["ads"], ignore_index=True)
    assert tables["ads"]["clicks"].sum() == ads["clicks"].sum()
    assert tables["web"]["value"].sum() == pytest.approx(
        pd.concat(union["web"])["value"].sum())


def test_ingest_log_lists_every_file_with_its_kind(mixed):
    logged = {Path(f["path"]).as_posix(): f["kind"] for f in mixed["result"].log["files"]}
    for _, (target, kind) in EVERY_FORMAT.items():
        match = [k for path, k in logged.items() if path.endswith(target)]
        assert match and match[0].split(":")[0] == kind, target


def test_check_names_each_kind(mixed):
    paths = [mixed["raw"] / target for target, _ in EVERY_FORMAT.values()]
    reports = check_files(paths, mixed["params"])
    assert all(r.ok for r in reports)
    for report, (_, kind) in zip(reports, EVERY_FORMAT.values(), strict=True):
        assert f"[{kind}" in report.describe().splitlines()[0], report.describe()


# --- a folder holding foreign files beside the exports ----------------------------------------

#: Params for the tests below (not the committed params/org.yaml).
PARAMS = {"timezone": "America/Toronto",
          "platforms": {"facebook": {"account": "Forest City Newcomer Services"},
                        "instagram": {"account": "forestcitynewcomers"}}}

#: Each foreign fixture (tests/fixtures/foreign, built from the real files of
#: tests/corpus/MANIFEST.csv) -> what the skip line must say it is.
FOREIGN = {
    "Forest-City-Ads-Jan-1-2025-Mar-31-2025.xlsx": "a Meta Ads Manager report",
    "Untitled-report-Jan-1-2025-to-Mar-31-2025.xlsx": "a Meta Ads Manager report",
    "Visits.xlsx": "a Meta chart download re-saved as an Excel workbook",
    "data-export.xlsx": "a GA4 report re-saved as an Excel workbook",
    "forest-city-newcomers_competitor_analytics_1767085167105.xlsx":
        "a LinkedIn competitor analytics report",
    "Weekly_Reach_by_City.xlsx": "an Excel workbook (sheets 'Weekly_Reach_by_City', "
                                 "'in_target_state', 'in_US'; columns 'city', 'state', "
                                 "'Date', ...) that is not a LinkedIn export",
    "csv ads.xls": "a Google Ads Editor export (campaign settings), not a performance report",
    "ad content.xls": "an Excel workbook (sheets 'Sheet1', 'Sheet2', 'Sheet3'; columns "
                      "'Headline 1'",
    "Campaign report (1).csv": "a Google Ads Editor",
    "Ad group report.csv": "a Google Ads Editor",
    "Ad report eligible.csv": "not a performance report",
    "Queries.csv": "a search-engine performance download (Google Search Console or Bing",
    "Dates.csv": "a search-engine performance download",
    "site-bing.csv": "a search-engine performance download",
    "searched_with_top-queries_CA-ON_20250101-0000_20250331-0000.csv":
        "a Google Trends download",
    "Dados da tabela youtube.csv": "a YouTube Studio export",
    "Calendar.csv": "a table with columns 'Date', 'WeekDay' that is not an export we read",
    "Views.csv": "a table with columns '', 'Date', 'Channel', ...",
    "Combined_Report.csv": "a table with columns 'Report Month', 'Channel', 'Data Type'",
    "Coverage-2025-04-02.zip": "a table with columns 'Date', 'Not indexed', 'Indexed'",
    "Performance-on-Search-2025-04-02.zip": "a web page saved from a browser",
}
#: What the analyst's words must never be.
INTERNALS = ("container", "ole", "zip container", "sep=", "first line", "workbench check")


def foreign_path(name: str) -> Path:
    return FIXTURES / "foreign" / name


def test_every_foreign_fixture_is_listed():
    on_disk = {p.name for p in (FIXTURES / "foreign").iterdir()
               if p.is_file() and not p.name.endswith(".py")}
    assert on_disk == set(FOREIGN)


@pytest.fixture(scope="module")
def with_foreign(tmp_path_factory):
    base = tmp_path_factory.mktemp("with_foreign")
    raw = base / "raw"
    for source, (target, _) in EVERY_FORMAT.items():
        destination = raw / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / source, destination)
    for name in FOREIGN:
        destination = raw / "2025-03" / "other" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(foreign_path(name), destination)
    shutil.copy2(FIXTURES / "meta" / "bad" / "report.pdf", raw / "2025-03" / "board deck.pdf")
    return raw, base


def test_a_folder_with_foreign_files_ingests_the_rest(with_foreign):
    raw, base = with_foreign
    result = ingest(raw, base / "processed", PARAMS)
    kinds = {entry["path"]: entry["kind"] for entry in result.log["files"]}
    assert set(kinds) == {target for target, _ in EVERY_FORMAT.values()}
    skipped = {entry["file"]: entry["reason"] for entry in result.log["skipped"]}
    zips = ("Coverage-2025-04-02.zip", "Performance-on-Search-2025-04-02.zip")
    for name, words in FOREIGN.items():
        rel = f"2025-03/other/{name}"
        if name in zips:  # a zip of foreign files is read like a folder: each member skipped
            members = {f: r for f, r in skipped.items() if f.startswith(rel + "/")}
            assert members and any(words in r for r in members.values()), (name, members)
        else:
            assert words in skipped[rel], (name, skipped.get(rel))
    assert skipped["2025-03/board deck.pdf"] == "a PDF document, not an analytics export"
    for reason in skipped.values():
        assert not any(word in reason for word in INTERNALS if word != "ole"), reason
    summary = result.summary().splitlines()
    assert summary[0].endswith(f"skipped {len(skipped)} that are not exports we read.")
    assert sum(line.startswith("  skipped: ") for line in summary) == len(skipped)
    assert len(result.tables["posts"]) > 0 and len(result.tables["ads"]) > 0


def test_strict_stops_on_the_foreign_files_and_writes_nothing(with_foreign, capsys):
    from workbench.cli import main

    raw, base = with_foreign
    out = base / "strict"
    code = main(["ingest", str(raw), "--out", str(out), "--strict"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "board deck.pdf: a PDF document, not an analytics export. Hint: move it out of " \
           "the raw folder, or ingest without --strict." in err
    assert main(["ingest", str(raw), "--out", str(out)]) == 0
    assert "  skipped: 2025-03/board deck.pdf: a PDF document" in capsys.readouterr().out


def test_a_macos_zip_of_the_folder_reads_like_the_folder(with_foreign, tmp_path):
    raw, base = with_foreign
    folder = ingest(raw, base / "processed_again", PARAMS)
    archive = tmp_path / "raw" / "March exports.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(raw.rglob("*")):
            if path.is_file():
                rel = path.relative_to(raw).as_posix()
                zipped.write(path, rel)
                # the Finder's "Compress" adds an AppleDouble twin of every file
                zipped.writestr(f"__MACOSX/{Path(rel).parent}/._{path.name}",
                                b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    result = ingest(archive.parent, tmp_path / "processed", PARAMS)
    prefix = "March exports.zip/"
    assert sorted(e["path"] for e in result.log["files"]) == sorted(
        prefix + e["path"] for e in folder.log["files"])
    assert sorted(e["file"] for e in result.log["skipped"]) == sorted(
        prefix + e["file"] for e in folder.log["skipped"])
    for name in ("posts", "daily", "web", "ads", "manual", "post_snapshots"):
        assert len(result.tables[name]) == len(folder.tables[name]), name
    check = check_files([archive], PARAMS)
    assert {str(r.path) for r in check} == {f"{archive}/{e['path'][len(prefix):]}"
                                            for e in result.log["files"]} | {
        f"{archive}/{e['file'][len(prefix):]}" for e in result.log["skipped"]}


def test_check_says_what_each_foreign_file_seems_to_be():
    reports = check_files([foreign_path(name) for name in FOREIGN], PARAMS)
    for report, (name, words) in zip(reports, FOREIGN.items(), strict=False):
        if name.endswith(".zip"):
            continue  # expanded into members
        assert report.ok and report.skipped is not None
        assert words in report.describe(), (name, report.describe())

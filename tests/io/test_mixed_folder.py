"""One raw folder holding a file of every export format at once, ingested in one run.

Each file is also parsed on its own; the ingested tables must hold exactly the deduplicated
union of those parses (no file lost, none counted twice), and `workbench check` must name
each file's kind.
"""

from __future__ import annotations

import shutil
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
    assert set(union) == {"posts", "daily", "manual", "web", "ads"}
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

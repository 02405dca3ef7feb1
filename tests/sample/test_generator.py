"""Tests of the sample-data generator: bytes, formats, truth consistency, planted effects."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.sample import generate_sample
from workbench.sample.calendar import default_range
from workbench.sample.profile import sample_params

TORONTO = ZoneInfo("America/Toronto")
PACIFIC = ZoneInfo("America/Los_Angeles")

# Verbatim headers from reference/export-formats.md §1.3 and §2.1 (real files).
FB_SEP_2024 = (
    '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption '
    'type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded '
    'content status","Data comment",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,'
    'Comments,Shares,"Total clicks","Matched Audience Targeting Consumption (Photo Click)",'
    '"Other Clicks","Link Clicks",Views,"Reach from Organic posts","Reach from Boosted posts",'
    '"3-second video views","1-minute video views","3-Second viewers","1-minute viewers",'
    '"3-second video views from Boosted posts","3-second video views from Organic posts",'
    '"Negative feedback from users: Hide all","Negative feedback from users: Hide","Seconds '
    'viewed","Average Seconds viewed","Estimated earnings (USD)"'
)
FB_NOV_2024 = (
    '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption '
    'type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded '
    'content status","Data comment",Date,Views,Reach,"Reactions, Comments and Shares",Reactions,'
    'Comments,Shares,"Total clicks","Other Clicks","Matched Audience Targeting Consumption (Photo '
    'Click)","Link Clicks","Seconds viewed","Average Seconds viewed","Estimated earnings (USD)"'
)
IG_PREFIX = ('"Post ID","Account ID","Account username","Account name",Description,'
             '"Duration (sec)","Publish time",Permalink,"Post type","Data comment",Date,')
IG_ORDERS = {IG_PREFIX + tail for tail in (
    "Views,Reach,Likes,Shares,Follows,Comments,Saves",
    "Views,Reach,Likes,Shares,Comments,Saves,Follows",
    "Views,Likes,Shares,Comments,Saves,Reach,Follows",
    "Reach,Likes,Shares,Follows,Comments,Saves,Views",
)}
META_NAME = re.compile(r"^[A-Z][a-z]{2}-\d{2}-\d{4}_[A-Z][a-z]{2}-\d{2}-\d{4}_\d+\.csv$")


@pytest.fixture(scope="module")
def params() -> dict:
    return sample_params()


@pytest.fixture(scope="module")
def autumn(tmp_path_factory, params) -> tuple[Path, dict]:
    """Four months whose downloads span the Sep-2024 and Nov-2024 header variants."""
    out = tmp_path_factory.mktemp("autumn") / "raw"
    truth = generate_sample(out, seed=11, start="2024-08", end="2024-11", params=params)
    return out, truth


@pytest.fixture(scope="module")
def long_run(tmp_path_factory, params) -> dict:
    out = tmp_path_factory.mktemp("long") / "raw"
    return generate_sample(out, seed=3, start="2023-01", end="2024-06", params=params)


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _post_csvs(root: Path, platform: str) -> list[Path]:
    return sorted(p for p in root.glob(f"*/{platform}/*.csv") if META_NAME.match(p.name))


def _read_meta_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def test_same_seed_same_bytes_and_mtimes_other_seed_differs(tmp_path, params):
    a = generate_sample(tmp_path / "a", seed=5, start="2024-01", end="2024-03", params=params)
    generate_sample(tmp_path / "b", seed=5, start="2024-01", end="2024-03", params=params)
    generate_sample(tmp_path / "c", seed=6, start="2024-01", end="2024-03", params=params)
    tree_a, tree_b, tree_c = (_tree(tmp_path / x) for x in "abc")
    assert tree_a == tree_b
    assert tree_a != tree_c
    assert a["organisation"] == params["name"] and (a["start"], a["end"]) == ("2024-01", "2024-03")


def test_regenerating_into_an_earlier_sample_replaces_it(tmp_path, params):
    generate_sample(tmp_path / "x", seed=1, start="2024-01", end="2024-02", params=params)
    generate_sample(tmp_path / "x", seed=2, start="2024-01", end="2024-02", params=params)
    generate_sample(tmp_path / "y", seed=2, start="2024-01", end="2024-02", params=params)
    assert _tree(tmp_path / "x") == _tree(tmp_path / "y")


def test_refuses_a_folder_of_other_files(tmp_path, params):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ConfigError):
        generate_sample(tmp_path, start="2024-01", end="2024-01", params=params)
    with pytest.raises(ConfigError):
        generate_sample(tmp_path / "new", start="2024-13", end="2024-01", params=params)


def test_meta_post_files_bytes_and_reference_headers(autumn):
    root, _ = autumn
    fb_files, ig_files = _post_csvs(root, "facebook"), _post_csvs(root, "instagram")
    assert len(fb_files) == 4 and len(ig_files) == 4
    fb_headers = set()
    for path in fb_files + ig_files:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
        fb_headers.add(data[3:].split(b"\n", 1)[0].decode())
    # downloads in Sep/Oct 2024 carry the duplicated Views, Nov/Dec 2024 the default set
    assert FB_SEP_2024 in fb_headers and FB_NOV_2024 in fb_headers
    for path in ig_files:
        assert path.read_bytes()[3:].split(b"\n", 1)[0].decode() in IG_ORDERS


def test_chart_downloads_utf16_with_dst_flip(tmp_path, params):
    root = tmp_path / "raw"
    generate_sample(root, seed=2, start="2024-02", end="2024-03", params=params)
    data = (root / "2024-03/facebook/Reach.csv").read_bytes()
    assert data.startswith(b"\xff\xfe")
    lines = data[2:].decode("utf-16-le").split("\n")
    assert lines[:3] == ["sep=,", '"Facebook reach"', '"Date","Primary"']
    assert lines[-2:] == ["", ""]  # blank line at the end
    stamps = {row.split('","')[0].strip('"') for row in lines[3:-2]}
    # US DST began 10 March 2024: Pacific midnight in a fixed UTC-7 offset flips 01:00 -> 00:00
    assert "2024-03-09T01:00:00" in stamps and "2024-03-11T00:00:00" in stamps
    ig = (root / "2024-03/instagram/Reach.csv").read_bytes()[2:].decode("utf-16-le")
    assert all(s.endswith('T00:00:00"') for s in re.findall(r'"\d{4}-[^"]+"', ig))
    resaved = (root / "2024-03/facebook/Follows.csv").read_bytes()  # the one Excel re-save
    assert resaved.startswith(b"\xef\xbb\xbfFacebook follows;\r\nDate;Primary\r\n")


def test_publish_time_is_pacific_and_posts_sit_in_their_toronto_month(autumn):
    root, truth = autumn
    by_id = {(p["platform"], p["post_id"]): p for p in truth["posts"]}
    checked = 0
    for platform in ("facebook", "instagram"):
        for path in _post_csvs(root, platform):
            header, rows = _read_meta_csv(path)
            for row in rows:
                post = by_id[(platform, row[header.index("Post ID")])]
                local = datetime.fromisoformat(post["published_at"])
                expected = local.astimezone(PACIFIC).strftime("%m/%d/%Y %H:%M")
                assert row[header.index("Publish time")] == expected
                assert row[header.index("Date")] == "Lifetime"
                checked += 1
    assert checked > 50


def test_lifetime_metrics_grow_between_overlapping_downloads(autumn):
    root, truth = autumn
    seen: dict[str, list[tuple[int, int, int]]] = {}
    for path in _post_csvs(root, "facebook"):
        header, rows = _read_meta_csv(path)
        for row in rows:
            seen.setdefault(row[0], []).append(
                (path.stat().st_mtime_ns, int(row[header.index("Reach")]),
                 int(row[header.index("Reactions, Comments and Shares")])))
    twice = [sorted(v) for v in seen.values() if len(v) == 2]
    assert len(twice) >= 8  # September's download also holds August's posts
    assert all(b[1] >= a[1] and b[2] >= a[2] for a, b in twice)
    assert sum(b[1] > a[1] for a, b in twice) >= len(twice) // 2


def test_truth_kpis_match_the_files(autumn):
    root, truth = autumn
    newest: dict[str, tuple[int, str, int, int]] = {}
    for path in _post_csvs(root, "facebook"):
        header, rows = _read_meta_csv(path)
        for row in rows:
            stamp = path.stat().st_mtime_ns
            if row[0] not in newest or newest[row[0]][0] < stamp:
                published = datetime.strptime(row[header.index("Publish time")], "%m/%d/%Y %H:%M")
                month = published.replace(tzinfo=PACIFIC).astimezone(TORONTO).strftime("%Y-%m")
                newest[row[0]] = (stamp, month, int(row[header.index("Reach")]),
                                  int(row[header.index("Reactions, Comments and Shares")]))
    for month in truth["months"]:
        mine = [v for v in newest.values() if v[1] == month]
        kpi = truth["kpis"][month]["facebook"]
        assert kpi["posts"] == len(mine)
        assert kpi["post_engagement"] == sum(v[3] for v in mine)
        assert kpi["top_post_reach"] == max(v[2] for v in mine)
    # new followers = daily follows summed over the month's chart download
    text = (root / "2024-10/instagram/Follows.csv").read_bytes().decode("utf-16")
    values = [int(r[1]) for r in csv.reader(io.StringIO(text))
              if len(r) == 2 and r[0][:7] == "2024-10"]
    assert truth["kpis"]["2024-10"]["instagram"]["new_followers"] == sum(values)
    manual = list(csv.DictReader((root / "manual_kpis.csv").open(encoding="utf-8")))
    reach = {(r["month"], r["platform"]): int(r["value"]) for r in manual if r["kpi"] == "reach"}
    daily = (root / "2024-10/facebook/Reach.csv").read_bytes().decode("utf-16")
    daily_sum = sum(int(r[1]) for r in csv.reader(io.StringIO(daily))
                    if len(r) == 2 and r[0][:7] == "2024-10")
    assert 0 < reach[("2024-10", "facebook")] < daily_sum
    assert truth["kpis"]["2024-10"]["facebook"]["reach"] == reach[("2024-10", "facebook")]


def test_empty_cells_for_not_applicable(autumn):
    root, _ = autumn
    for path in _post_csvs(root, "facebook"):
        header, rows = _read_meta_csv(path)
        link = header.index("Link Clicks")
        kinds = {row[header.index("Post type")]: row[link] for row in rows}
        if "Photos" in kinds:
            assert kinds["Photos"] == ""
    for path in _post_csvs(root, "instagram"):
        header, rows = _read_meta_csv(path)
        for row in rows:
            follows = row[header.index("Follows")]
            assert (follows == "") == (row[header.index("Post type")] != "IG reel")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def test_captions_carry_their_topic_keywords_and_the_mix(long_run, params):
    posts = long_run["posts"]
    assert len(posts) > 400
    for post in posts:
        caption = post["caption"]
        words = params["topics"][post["topic"]]["en"] + params["topics"][post["topic"]]["fr"]
        assert any(re.search(r"(?<!\w)" + re.escape(_normalise(k)) + r"(?!\w)", _normalise(caption))
                   for k in words), (post["topic"], caption)
    french = np.mean([p["language"] == "fr" for p in posts])
    local = np.mean([any(t in params["local_hashtags"] for t in p["hashtags"]) for p in posts])
    # the default profile tags every post with the local hashtags (the agency's practice)
    assert 0.15 < french < 0.35 and local == 1.0
    assert {p["topic"] for p in posts} == set(params["topics"])
    meta = pd.DataFrame(posts).query("platform in ['facebook', 'instagram']")
    per_month = meta.groupby(["month", "platform"]).size()
    assert per_month.between(6, 28).all() and 12 <= per_month.mean() <= 20


def test_planted_human_centred_effect_is_recoverable(long_run):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    frame = pd.DataFrame(long_run["posts"])
    frame = frame[~frame["boosted"] & ~frame["is_share"]].copy()
    for col in ("human_centred", "brand_colours", "evening"):
        frame[col] = frame[col].astype(int)
    frame["log_reach"] = np.log(frame["reach_final"])
    fit = smf.glm("interactions_final ~ human_centred + brand_colours + evening + C(topic)"
                  " + C(format) + C(platform)", data=frame, offset=frame["log_reach"],
                  family=sm.families.NegativeBinomial(alpha=0.7)).fit()
    irr = float(np.exp(fit.params["human_centred"]))
    assert 1.12 < irr < 1.5, irr
    assert long_run["effects"]["human_centred"] == pytest.approx(1.3)


def test_default_range_is_the_18_months_before_today():
    assert default_range(date(2025, 3, 15)) == ("2023-09", "2025-02")
    assert default_range(date(2025, 1, 1)) == ("2023-07", "2024-12")


def test_truth_json_on_disk_equals_the_returned_truth(autumn):
    root, truth = autumn
    assert json.loads((root / "truth.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(truth, default=str))


def test_other_sources_formats_and_truth(autumn, params):
    import zipfile

    import xlrd
    from PIL import Image

    root, truth = autumn
    month = "2024-10"
    content = next((root / month / "linkedin").glob("*_content_*.xls"))
    assert content.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # BIFF8 in OLE
    sheet = xlrd.open_workbook(content).sheet_by_name("All posts")
    assert sheet.row_values(1)[:3] == ["Post title", "Post link", "Post type"]
    created = [sheet.cell_value(r, 5) for r in range(2, sheet.nrows)]
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", c) for c in created)
    in_october = [c for c in created if c.startswith("10/")]
    assert truth["kpis"][month]["linkedin"]["posts"] == len(in_october)

    archive = zipfile.ZipFile(next((root / month / "tiktok").glob("Overview_*.zip")))
    overview = archive.read("Overview.csv")
    assert overview.startswith(b'\xef\xbb\xbf"Date","Video Views"') and not overview.endswith(b"\n")
    assert re.search(rb'\n"October 31","\d+"', overview)  # year-less dates, all quoted

    ads = (root / month / "ads" / "Campaign report.csv").read_bytes()
    if ads.startswith(b"\xff\xfe"):
        lines = ads[2:].decode("utf-16-le").splitlines()
        rows = [line.split("\t") for line in lines[2:]]
    else:
        rows = list(csv.reader(io.StringIO(ads.decode("utf-8"))))[2:]
    header, body = rows[0], [r for r in rows[1:] if r and not r[0].startswith("Total:")]
    clicks = sum(int(r[header.index("Clicks")].replace(",", "")) for r in body)
    assert clicks == truth["kpis"][month]["ads"]["clicks"] > 0

    ga4 = next((root / month / "website").glob("Traffic_acquisition_Session_primary*.csv")
               ).read_bytes()
    assert ga4.startswith(b"# ----") and not ga4.endswith(b"\n")
    social = next(line for line in ga4.decode().split("\n") if line.startswith("Organic Social,"))
    assert int(social.split(",")[1]) == truth["kpis"][month]["website"]["visits_organic_social"]

    with_image = [p for p in truth["posts"] if p["image"]]
    assert with_image and all(p["has_image"] for p in with_image)
    blue = tuple(int(params["brand_colours"]["blue"][i:i + 2], 16) for i in (1, 3, 5))
    for post in with_image[:20]:
        corner = Image.open(root / post["image"]).convert("RGB").getpixel((0, 0))
        assert (corner == blue) == post["brand_colours"]

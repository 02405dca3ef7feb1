"""The sample's legacy Facebook Insights post export (export-formats.md §3.1) and its round trip."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from workbench.io.ingest import ingest
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
PACIFIC = ZoneInfo("America/Los_Angeles")
NAME = re.compile(
    r"^Facebook Insights Data Export \(Post Level\) - (.+) - (\d{4}-\d{2}-\d{2})\.xls$")


@pytest.fixture(scope="module")
def params() -> dict:
    return sample_params()


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory, params) -> dict:
    """Three sample months, generated and ingested."""
    base = tmp_path_factory.mktemp("legacy")
    truth = generate_sample(base / "raw", seed=5, start="2024-01", end="2024-03", params=params)
    result = ingest(base / "raw", base / "processed", params)
    return {"raw": base / "raw", "processed": base / "processed", "truth": truth,
            "result": result, "path": base / "raw" / truth["legacy"]["file"]}


def _sheets(data: bytes) -> dict[str, list[list[str]]]:
    root = ET.fromstring(data.decode("utf-8", errors="replace").split("?>", 1)[1])
    return {ws.get(f"{SS}Name"): [["".join(d.itertext()) for d in row.iter(f"{SS}Data")]
                                  for row in ws.iter(f"{SS}Row")]
            for ws in root.iter(f"{SS}Worksheet")}


def test_spreadsheetml_with_the_invalid_byte_quirk(roundtrip, params):
    legacy, path = roundtrip["truth"]["legacy"], roundtrip["path"]
    assert path.parent.name == "legacy"
    match = NAME.match(path.name)
    assert match and match.group(1) == params["platforms"]["facebook"]["account"]
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"' in data
    assert not data.startswith(b"\xd0\xcf\x11\xe0")  # not BIFF: xlrd would refuse it
    with pytest.raises(UnicodeDecodeError) as bad:
        data.decode("utf-8")
    damaged = legacy["invalid_bytes"]
    assert data[bad.value.start:bad.value.start + 2].hex(" ") == damaged["bytes_written"]
    with pytest.raises(ET.ParseError):  # a strict parser stops at the bad bytes
        ET.fromstring(data)

    sheets = _sheets(data)
    assert list(sheets)[:3] == ["Key Metrics", "Lifetime Talking About This(...",
                                "Lifetime Post Stories by act..."]
    assert all(len(name) <= 31 for name in sheets)
    key = sheets["Key Metrics"]
    assert key[0][:8] == ["Post ID", "Permalink", "Post Message", "Type", "Countries",
                          "Languages", "Posted", "Audience Targeting"]
    assert key[1][:8] == [""] * 8 and key[1][8].endswith("(Unique Users)")
    assert key[0].count("Lifetime Organic Video Views") == 2  # told apart by row 2 only
    rows = key[2:]
    assert len(rows) == legacy["posts_count"] > 100
    posted = [r[6] for r in rows]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000", p) for p in posted)
    assert posted == sorted(posted, reverse=True)  # newest first
    assert {r[7] for r in rows} == {" "} and {r[3] for r in rows} <= {"Photo", "Video", "Link",
                                                                       "Status"}
    assert all(re.fullmatch(r"\d+_\d+", r[0]) for r in rows)
    stories = sheets["Lifetime Post Stories by act..."]
    assert stories[0][-3:] == ["share", "like", "comment"]
    assert "" in {c for r in stories[1:] for c in r[-3:]}  # no shares: an empty cell, not 0

    # file metadata: a plausible download a few days into the sample's first month
    taken = datetime.fromisoformat(legacy["snapshot_at"])
    assert path.stat().st_mtime == taken.timestamp()
    local = taken.astimezone(ZoneInfo(params["timezone"]))
    assert local.strftime("%Y-%m") == "2024-01" and 2 < local.day <= 7 and 9 <= local.hour < 17
    assert match.group(2) == local.date().isoformat()


def test_twelve_months_before_the_start_and_sample_months_untouched(roundtrip):
    truth = roundtrip["truth"]
    legacy = truth["legacy"]
    assert legacy["months"][0] == "2023-01" and legacy["months"][-1] == "2023-12"
    assert legacy["range"] == ["2023-01-01", "2023-12-31"]
    assert sorted(truth["kpis"]) == ["2024-01", "2024-02", "2024-03"]
    assert sum(m["facebook"]["posts"] for m in legacy["kpis"].values()) == legacy["posts_count"]
    assert all(p["month"] in legacy["months"] and p["platform"] == "facebook"
               for p in legacy["posts"])
    assert not {p["post_id"] for p in legacy["posts"]} & {p["post_id"] for p in truth["posts"]}
    assert any(f["kind"] == "legacy_facebook_posts" and f["path"] == legacy["file"]
               for f in truth["files"])


def test_deterministic_and_independent_of_the_sample_end(tmp_path, params):
    def legacy_file(name: str, seed: int, end: str) -> tuple[str, bytes, int]:
        truth = generate_sample(tmp_path / name, seed=seed, start="2024-05", end=end,
                                params=params)
        path = tmp_path / name / truth["legacy"]["file"]
        return path.name, path.read_bytes(), path.stat().st_mtime_ns

    first = legacy_file("a", 9, "2024-05")
    assert legacy_file("b", 9, "2024-05") == first
    assert legacy_file("c", 9, "2024-06") == first  # the history does not move with --end
    assert legacy_file("d", 10, "2024-05")[1] != first[1]


def test_ingest_round_trip(roundtrip):
    legacy = roundtrip["truth"]["legacy"]
    entry = next(e for e in roundtrip["result"].log["files"] if e["path"] == legacy["file"])
    assert entry["kind"] == "legacy_facebook_posts" and entry["rows"] == legacy["posts_count"]
    posts = pd.read_parquet(roundtrip["processed"] / "posts.parquet")
    mine = posts[posts["source_file"] == legacy["file"]].set_index("post_id")
    assert len(mine) == legacy["posts_count"] and mine.index.is_unique
    assert set(mine["platform"]) == {"facebook"} and set(mine["exposure_kind"]) == {"reach"}
    assert str(mine["published_at"].dt.tz) == "America/Toronto"

    true = {p["post_id"]: p for p in legacy["posts"]}
    assert set(mine.index) == set(true)
    # Pacific wall time in the file -> the Toronto time the calendar planned, DST included
    expected = pd.Series({k: pd.Timestamp(v["published_at"]) for k, v in true.items()})
    assert (mine["published_at"] == expected.reindex(mine.index)).all()
    some = next(p for p in legacy["posts"] if p["month"] == "2023-07")
    row = mine.loc[some["post_id"]]
    assert row["published_at"].tz_convert(PACIFIC).strftime("%m/%d/%Y %H:%M") == \
        some["publish_time_pacific"]
    assert row["published_at"].utcoffset().total_seconds() == -4 * 3600  # EDT in July

    # one post whose breakdown has an empty (zero) action cell: interactions still counted
    post = next(p for p in legacy["posts"] if 0 in (p["newest"]["shares"],
                                                    p["newest"]["comments"])
                and p["newest"]["interactions"] > 0)
    got = mine.loc[post["post_id"]]
    assert got["interactions"] == post["newest"]["interactions"]
    assert (got["reactions"], got["comments"], got["shares"]) == tuple(
        post["newest"][k] for k in ("reactions", "comments", "shares"))
    assert got["reach"] == post["newest"]["reach"] and got["format"] == post["format"]
    newest = pd.Series({k: v["newest"]["interactions"] for k, v in true.items()})
    assert (mine["interactions"] == newest.reindex(mine.index)).all()

    damaged = legacy["invalid_bytes"]
    caption = mine.loc[damaged["post_id"], "caption"]
    original = true[damaged["post_id"]]["caption"]
    i = damaged["char_index"]
    assert caption == original[:i] + "\ufffd?" + original[i + 1:]


def test_page_level_history_gives_follower_gains_before_the_sample(roundtrip):
    legacy = roundtrip["truth"]["legacy"]
    path = roundtrip["raw"] / legacy["page_file"]
    assert path.name == ("Facebook Insights Data Export - "
                         f"{legacy['account']} - 2023-01-01 - 2023-12-31.csv")
    data = path.read_bytes()
    assert b"\r\n" in data and "Montréal".encode("cp1252") in data  # cp1252, not UTF-8
    entry = next(e for e in roundtrip["result"].log["files"] if e["path"] == legacy["page_file"])
    assert entry["kind"] == "legacy_facebook_page"
    daily = pd.read_parquet(roundtrip["processed"] / "daily.parquet")
    follows = daily[(daily["source_file"] == legacy["page_file"])
                    & (daily["metric"] == "follows")]
    by_month = follows.groupby(follows["date"].dt.strftime("%Y-%m"))["value"].sum()
    assert len(by_month) == 12
    for month, kpis in legacy["kpis"].items():
        assert by_month[month] == kpis["facebook"]["new_followers"] > 0

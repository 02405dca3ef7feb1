"""The sample's demographics files: read back by ingest, the planted drift found by the analysis.

No committed ``params/org.yaml`` is read: the profile and goals are the test's own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workbench.audience import analyse_audience
from workbench.io.ingest import ingest
from workbench.sample import audience_writers as aw
from workbench.sample.generator import SampleWriter

TZ = ZoneInfo("America/Toronto")
PARAMS = {
    "timezone": "America/Toronto",
    "platforms": {"tiktok": {"account": "samplenewcomers"}},
    "audience_goals": {
        "tiktok": [{"id": "young", "label": "aged 18-34", "breakdown": "age",
                    "segments": ["18-24", "25-34"], "direction": "increase"}],
        "facebook": [{"id": "women", "label": "women", "breakdown": "gender",
                      "segments": ["women"], "direction": "most"}],
    },
}
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("audience")
    writer = SampleWriter(root / "raw")
    schedule, days = [], []
    for index, month in enumerate(MONTHS):
        first = date(2024, index + 1, 1)
        nxt = date(2025, 1, 1) if index == 11 else date(2024, index + 2, 1)
        last = nxt - timedelta(days=1)
        days += [first + timedelta(days=i) for i in range((last - first).days + 1)]
        schedule.append({"month": month, "index": index, "last": last,
                         "taken_at": datetime(nxt.year, nxt.month, 4, 10, tzinfo=TZ)})
    daily = {p: {"follows": dict.fromkeys(days, 2)} for p in ("facebook", "instagram")}
    truth = aw.write_audience(writer, schedule, daily, 5, TZ, "samplenewcomers")
    result = ingest(root / "raw", root / "processed", PARAMS)
    return truth, result


def test_every_demographics_file_is_read(sample):
    truth, result = sample
    assert result.log["skipped"] == []
    table = result.tables["audience"]
    assert set(table["platform"]) == {"facebook", "instagram", "tiktok"}
    assert table.groupby("source_file").ngroups == 24  # an Audience.csv and a ZIP a month
    warnings = [w for entry in result.log["files"] for w in entry["warnings"]]
    assert warnings == []  # the sample's shares add up as Meta's do
    assert set(truth["drift"]["by_month"]) == set(MONTHS)


def test_analysis_recovers_the_composition_and_finds_the_planted_drift(sample):
    truth, result = sample
    results = analyse_audience(result.tables["audience"], PARAMS, month="2024-12")
    fb = results.platform("facebook")
    (women,) = fb.goals
    assert women.value == pytest.approx(truth["composition"]["facebook"]["women"], abs=0.01)
    assert women.status == "met"
    assert not women.previous.real  # no drift planted on Facebook
    tiktok = results.platform("tiktok")
    (young,) = tiktok.goals
    planted = truth["drift"]["by_month"]
    assert young.value == pytest.approx(planted["2024-12"], abs=0.002)
    # over the window the 18-34 share rose by 11 x 1.2 pp: found, and called real on rounding
    assert young.over_window.change == pytest.approx(planted["2024-12"] - planted["2024-01"],
                                                     abs=0.003)
    assert young.over_window.real and young.status == "met"
    assert "aged 18-34 (goal: rising): met, up from" in tiktok.sentence
    assert tiktok.online_hours is not None
    peak = max(tiktok.online_hours, key=tiktok.online_hours.get)
    assert abs(int(peak) - truth["online_peak_hour"]) <= 2


def test_with_a_base_size_the_drift_is_real_and_a_month_is_not(sample):
    truth, result = sample
    table = result.tables["audience"].copy()
    table.loc[table["platform"] == "tiktok", "base_count"] = 800.0
    (young,) = analyse_audience(table, PARAMS, month="2024-12").platform("tiktok").goals
    assert young.over_window.basis == "rounding and base size"
    assert young.over_window.real
    assert not young.previous.real  # 1.2 pp in a month with 800 followers: noise

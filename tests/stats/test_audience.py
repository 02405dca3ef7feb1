"""workbench.audience: composition, goals and real changes, on hand-computed cases."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from workbench import audience as aud
from workbench.schema import conform

AGES = ("18-24", "25-34", "35-44")


def meta_snapshot(day: str, women: tuple[float, float, float], men: tuple[float, float, float],
                  followers: float | None, platform: str = "facebook",
                  cities: dict[str, float] | None = None) -> list[dict]:
    rows = []
    for age, w, m in zip(AGES, women, men, strict=True):
        rows += [{"breakdown": "age_gender", "segment": f"{age}|women", "share": w},
                 {"breakdown": "age_gender", "segment": f"{age}|men", "share": m}]
    for city, share in (cities or {}).items():
        rows.append({"breakdown": "city", "segment": city, "share": share})
    for row in rows:
        row.update(platform=platform, base="followers", rounding=0.001, base_count=followers,
                   snapshot_at=pd.Timestamp(day, tz="UTC"), source_file="a.csv")
    return rows


def table(*snaps: list[dict]) -> pd.DataFrame:
    return conform(pd.DataFrame([row for snap in snaps for row in snap]), "audience")


GOALS = {"audience_goals": {
    "facebook": [
        {"id": "women", "label": "women", "breakdown": "gender", "segments": ["women"],
         "direction": "most"},
        {"id": "local", "label": "in London and nearby", "breakdown": "city",
         "segments": ["London*", "St. Thomas*"], "direction": "at_least", "target": 0.5},
    ],
}}


def test_women_share_from_age_and_gender_and_a_change_within_noise():
    # women 0.20+0.30+0.18 = 0.68 now; 0.19+0.29+0.18 = 0.66 a month before
    now = meta_snapshot("2024-04-04", (0.20, 0.30, 0.18), (0.12, 0.12, 0.08), 2400,
                        cities={"London, Ontario": 0.41, "St. Thomas, Ontario": 0.06,
                                "Toronto, Ontario": 0.05})
    before = meta_snapshot("2024-03-04", (0.19, 0.29, 0.18), (0.13, 0.13, 0.08), 2300,
                           cities={"London, Ontario": 0.40, "St. Thomas, Ontario": 0.06})
    results = aud.analyse_audience(table(before, now), GOALS, month="2024-03")
    fb = results.platform("facebook")
    assert fb.as_of == "2024-04-04" and fb.previous_as_of == "2024-03-04"
    assert fb.composition["gender"] == pytest.approx({"men": 0.32, "women": 0.68})
    assert fb.composition["age"]["25-34"] == pytest.approx(0.42)
    women, local = fb.goals
    assert women.value == pytest.approx(0.68) and women.status == "met"
    # change 0.02; rounding 3 cells x 0.0005 at each snapshot = 0.003; base size:
    # pooled p = (0.68*2400 + 0.66*2300)/4700; 1.96*sqrt(p(1-p)(1/2400+1/2300))
    pooled = (0.68 * 2400 + 0.66 * 2300) / 4700
    expected = 0.003 + 1.96 * math.sqrt(pooled * (1 - pooled) * (1 / 2400 + 1 / 2300))
    assert women.previous.allowance == pytest.approx(expected)
    assert expected == pytest.approx(0.0300, abs=5e-4)
    assert women.previous.change == pytest.approx(0.02) and not women.previous.real
    assert women.previous.basis == "rounding and base size"
    # local: London* + St. Thomas* = 0.47 < 0.5
    assert local.value == pytest.approx(0.47) and local.status == "not met"
    assert fb.status == "not met"
    assert fb.sentence.startswith(
        "On Facebook, 68 % of followers are women (goal: most): met, about the same as on "
        "2024-03-04 (66 %; within rounding and what 2,400 followers allow); 47 % of followers "
        "are in London and nearby (goal: at least 50 %): not met")


def test_a_change_beyond_rounding_alone_when_the_base_is_unknown():
    now = meta_snapshot("2024-04-04", (0.20, 0.30, 0.18), (0.12, 0.12, 0.08), None)
    before = meta_snapshot("2024-03-04", (0.19, 0.29, 0.18), (0.13, 0.13, 0.08), None)
    fb = aud.analyse_audience(table(before, now), GOALS).platform("facebook")
    women = fb.goals[0]
    assert women.previous.basis == "rounding"
    assert women.previous.allowance == pytest.approx(0.003)
    assert women.previous.real  # 2 pp > 0.3 pp of rounding
    assert "up from 66 % on 2024-03-04, a real change (beyond rounding)" in fb.sentence


def test_change_test_by_hand():
    # p=0.5, n=100 each: 1.96*sqrt(0.25*0.02) = 0.1386
    allowance, real, basis = aud.change_test(0.64, 0.5, 100, 100, 0.0)
    assert allowance == pytest.approx(1.96 * math.sqrt(0.57 * 0.43 * 0.02))
    assert real and basis == "rounding and base size"
    allowance, real, basis = aud.change_test(0.55, 0.5, 100, 100, 0.001)
    assert not real
    # exactly at the rounding allowance is not real
    assert aud.change_test(0.501, 0.5, None, None, 0.001)[1] is False


def test_month_cutoff_and_window_trend_for_an_increase_goal():
    def tiktok(day, young, followers):
        rows = [{"breakdown": "age", "segment": "18-24", "share": young / 2},
                {"breakdown": "age", "segment": "25-34", "share": young / 2},
                {"breakdown": "age", "segment": "35-44", "share": round(1 - young, 3)}]
        for row in rows:
            row.update(platform="tiktok", base="followers", rounding=0.001,
                       snapshot_at=pd.Timestamp(day, tz="UTC"))
        daily = {"platform": "tiktok", "metric": "followers_total",
                 "date": pd.Timestamp(day), "value": followers}
        return rows, daily
    snaps = [tiktok(f"2024-{m:02d}-03", 0.40 + 0.01 * m, 500) for m in range(1, 13)]
    frame = table(*[s for s, _ in snaps])
    daily = pd.DataFrame([d for _, d in snaps])
    goals = {"audience_goals": {"tiktok": [
        {"id": "young", "label": "aged 18-34", "breakdown": "age",
         "segments": ["18-24", "25-34"], "direction": "increase"}]}}
    result = aud.analyse_audience(frame, goals, month="2024-11", daily=daily).platform("tiktok")
    assert result.as_of == "2024-12-03"  # downloaded 3 days after November: November's
    (goal,) = result.goals
    assert goal.value == pytest.approx(0.52)
    assert result.base_count == 500  # from daily followers_total
    assert not goal.previous.real  # one point in a month, 500 followers: noise
    assert goal.over_window.since == "2024-01-03"
    assert goal.over_window.change == pytest.approx(0.11) and goal.over_window.real
    assert goal.status == "met"
    later = aud.analyse_audience(frame, goals, month="2024-02", daily=daily)
    assert later.platform("tiktok").as_of == "2024-03-03"


def test_unknown_goal_values_missing_platform_and_bad_goals():
    now = meta_snapshot("2024-04-04", (0.2, 0.3, 0.18), (0.12, 0.12, 0.08), 100)
    params = {"audience_goals": {
        "facebook": [{"id": "seniors", "label": "senior", "breakdown": "seniority",
                      "segments": ["Senior"], "direction": "at_least", "target": 0.3},
                     {"id": "bad", "breakdown": "gender", "segments": ["women"],
                      "direction": "sideways"}],
        "linkedin": [{"id": "x", "breakdown": "seniority", "segments": ["Senior"],
                      "direction": "most"}]}}
    results = aud.analyse_audience(table(now), params)
    fb = results.platform("facebook")
    assert [g.goal.id for g in fb.goals] == ["seniors"]
    assert fb.goals[0].status == "unknown" and fb.status == "unknown"
    assert "is not in the files" in fb.sentence
    assert any("audience_goals.facebook[1]" in w for w in results.warnings)
    assert any(w.startswith("LinkedIn: no demographics file read") for w in results.warnings)


def test_to_json_round_trips_and_online_hours_beside_the_curve():
    rows = [{"platform": "tiktok", "base": "followers", "breakdown": "online_hours",
             "segment": f"{h:02d}", "share": 1 / 24, "count": 10.0,
             "snapshot_at": pd.Timestamp("2024-04-04", tz="UTC")} for h in range(24)]
    results = aud.analyse_audience(table(rows), {})
    payload = json.loads(json.dumps(results.to_json()))
    assert payload["platforms"]["tiktok"]["online_hours"]["07"] == pytest.approx(1 / 24)
    assert payload["platforms"]["tiktok"]["status"] == "unknown"
    curve = pd.DataFrame({"hour": range(24), "rate_ratio": [1.0] * 24})
    beside = aud.online_hours_beside(results.platform("tiktok"), curve)
    assert list(beside.columns) == ["hour", "online_share", "rate_ratio"]
    assert beside["online_share"].sum() == pytest.approx(1.0)


def test_input_is_not_modified():
    frame = table(meta_snapshot("2024-04-04", (0.2, 0.3, 0.18), (0.12, 0.12, 0.08), 100))
    before = frame.copy(deep=True)
    aud.analyse_audience(frame, GOALS)
    pd.testing.assert_frame_equal(frame, before)

"""The Ad Grant panel on ``ads`` frames in the canonical shape (levels, items, quality scores)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.website.grant import (
    ACTION,
    AT_RISK,
    BELOW,
    CHECK,
    NOT_AVAILABLE,
    OK,
    account_ctr,
    clean_keyword,
    grant_panel,
    is_branded,
)
from workbench.website.settings import GrantSettings

from .conftest import web_frame

SETTINGS = GrantSettings(monthly_ceiling=10000, currency="USD",
                         brand_terms=("forest city", "fcns", "forest city newcomer services"))


def month_rows(month: str, level: str, rows: list[dict]) -> list[dict]:
    period = pd.Period(month, freq="M")
    return [{"level": level, "period_start": period.start_time,
             "period_end": period.end_time.normalize(), "currency": "USD",
             "source_file": f"{month}-{level}.csv", **row} for row in rows]


def campaigns(month: str, impressions: int, clicks: int, conversions=3.0, cost=4000.0):
    half = [{"campaign": name, "item": None, "impressions": impressions // 2,
             "clicks": clicks // 2, "cost": cost / 2, "conversions": conversions / 2,
             "quality_score": None} for name in ("LINC English Classes", "Housing Help")]
    return month_rows(month, "campaign", half)


def keywords(month: str) -> list[dict]:
    words = [("[linc classes london]", 7), ('"english classes"', 2), ("housing", 5),
             ("+fcns", 8), ("forest city", 6), ("translation services london", 1),
             ("esl", None)]
    return month_rows(month, "keyword", [
        {"campaign": "LINC English Classes", "item": w, "impressions": 100, "clicks": 10,
         "cost": 12.0, "conversions": 0.0, "quality_score": q} for w, q in words])


def ads(*parts: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for part in parts for row in part])


def test_compliant_month():
    panel = grant_panel(ads(campaigns("2024-03", 10000, 800), keywords("2024-03")), "2024-03",
                        SETTINGS)
    assert panel.status("ctr") == OK
    assert panel.rules.set_index("rule").loc["ctr", "value"] == pytest.approx(0.08)
    assert panel.status("conversions") == OK
    assert panel.status("quality_score") == ACTION
    assert panel.status("single_word") == ACTION
    flagged = panel.keywords.groupby("problem")["keyword"].apply(sorted).to_dict()
    assert flagged == {"quality score 1": ["translation services london"],
                       "quality score 2": ['"english classes"'],
                       "single word, not the brand": ["esl", "housing"]}
    spend = panel.rules.set_index("rule").loc["spend"]
    assert spend["value"] == 4000 and spend["threshold"] == 10000 and spend["status"] == OK
    assert "40 % of the ceiling" in spend["detail"]


def test_ctr_below_then_at_risk():
    frame = ads(campaigns("2024-01", 10000, 700), campaigns("2024-02", 10000, 450),
                campaigns("2024-03", 10000, 420))
    assert grant_panel(frame, "2024-01", SETTINGS).status("ctr") == OK
    feb = grant_panel(frame, "2024-02", SETTINGS)
    assert feb.status("ctr") == BELOW and "a second month below" in feb.rules["detail"][0]
    march = grant_panel(frame, "2024-03", SETTINGS)
    assert march.status("ctr") == AT_RISK
    assert march.ctr_by_month["ctr"].round(3).tolist() == [0.07, 0.045, 0.042]


def test_no_conversion_and_over_ceiling():
    panel = grant_panel(ads(campaigns("2024-03", 10000, 800, conversions=0.0, cost=10500.0)),
                        "2024-03", SETTINGS)
    assert panel.status("conversions") == ACTION
    assert panel.status("spend") == ACTION


def test_levels_never_added_and_level_column_optional():
    both = ads(campaigns("2024-03", 10000, 800), keywords("2024-03"))
    ctr, note = account_ctr(both)
    assert ctr["clicks"].tolist() == [800] and note is None
    no_level = ads(campaigns("2024-03", 10000, 800)).drop(columns=["level", "item",
                                                                   "quality_score"])
    panel = grant_panel(no_level, "2024-03", SETTINGS)
    assert panel.status("ctr") == OK
    assert panel.status("quality_score") == NOT_AVAILABLE
    assert any("No keyword report" in n for n in panel.notes)
    only_keywords, note = account_ctr(ads(keywords("2024-03")))
    assert only_keywords["level"].tolist() == ["keyword"] and "lower level" in note


def test_redownload_counts_once_and_all_time_ignored():
    frame = ads(campaigns("2024-03", 10000, 800), campaigns("2024-03", 10000, 800))
    frame.loc[2:, "source_file"] = "again.csv"
    all_time = pd.DataFrame(campaigns("2024-03", 99999, 1)).assign(
        period_start=pd.Timestamp("2020-01-01"), all_time=True)
    ctr, _ = account_ctr(pd.concat([frame, all_time], ignore_index=True))
    assert ctr["impressions"].tolist() == [10000]


def test_keyword_report_without_quality_scores():
    kw = pd.DataFrame(keywords("2024-03")).drop(columns=["quality_score"])
    panel = grant_panel(pd.concat([ads(campaigns("2024-03", 10000, 800)), kw]), "2024-03",
                        SETTINGS)
    assert panel.status("quality_score") == NOT_AVAILABLE
    assert panel.status("single_word") == ACTION  # the rest still shown
    assert any("no Quality Score column" in n for n in panel.notes)


def test_missing_ceiling_is_a_note_rest_shown():
    panel = grant_panel(ads(campaigns("2024-03", 10000, 800)), "2024-03", GrantSettings())
    spend = panel.rules.set_index("rule").loc["spend"]
    assert spend["status"] == NOT_AVAILABLE and spend["value"] == 4000
    assert any("no grant.monthly_ceiling" in n for n in panel.notes)
    assert panel.status("ctr") == OK


def test_no_ads_at_all():
    panel = grant_panel(pd.DataFrame(), "2024-03", SETTINGS)
    assert set(panel.rules["status"]) == {NOT_AVAILABLE}
    assert any("No Google Ads report for 2024-03" in n for n in panel.notes)


def test_paid_sessions_reconciled_with_clicks_never_mixed_with_organic():
    web = web_frame([
        {"month": "2024-03", "dimension": "channel_group", "dimension_value": v,
         "metric": "sessions", "value": n} for v, n in (("Paid Search", 720),
                                                         ("Organic Search", 5000))])
    panel = grant_panel(ads(campaigns("2024-03", 10000, 800)), "2024-03", SETTINGS, web)
    row = panel.rules.set_index("rule").loc["paid_sessions"]
    assert row["value"] == pytest.approx(0.9) and row["status"] == OK
    source = web_frame([{"month": "2024-03", "dimension": "source_medium",
                         "dimension_value": v, "metric": "sessions", "value": n}
                        for v, n in (("google / cpc", 300), ("google / organic", 5000))])
    low = grant_panel(ads(campaigns("2024-03", 10000, 800)), "2024-03", SETTINGS, source)
    assert low.status("paid_sessions") == CHECK
    assert "auto-tagging" in low.rules.set_index("rule").loc["paid_sessions", "detail"]


@pytest.mark.parametrize("keyword, text, branded", [
    ("[FCNS]", "fcns", True), ('"forest city"', "forest city", True),
    ("forestcity", "forestcity", True), ("+housing", "housing", False),
    ("city", "city", False),
])
def test_keyword_cleaning_and_brand(keyword, text, branded):
    assert clean_keyword(keyword) == text
    assert is_branded(text, SETTINGS.brand_terms) is branded


def test_json_is_plain():
    panel = grant_panel(ads(campaigns("2024-03", 10000, 800), keywords("2024-03")), "2024-03",
                        SETTINGS)
    data = panel.to_json()
    assert data["month"] == "2024-03" and len(data["rules"]) == 6
    assert {r["rule"] for r in data["rules"]} == {"ctr", "conversions", "quality_score",
                                                  "single_word", "spend", "paid_sessions"}

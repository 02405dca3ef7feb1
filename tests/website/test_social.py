"""Social referrals: platform of each GA4 source, merged monthly sessions, KPI rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.website.settings import WebsiteSettings
from workbench.website.social import NO_SOURCE_NOTE, social_visits, visits_kpis
from workbench.website.sources import is_paid, platform_of, source_rows, split_source_medium

from .conftest import GA4, SOURCE_MEDIUM, read_web, web_frame


@pytest.mark.parametrize("source, platform", [
    ("facebook.com", "facebook"), ("m.facebook.com", "facebook"), ("l.facebook.com", "facebook"),
    ("lm.facebook.com", "facebook"), ("Facebook", "facebook"), ("fb", "facebook"),
    ("https://www.facebook.com/", "facebook"), ("instagram.com", "instagram"),
    ("l.instagram.com", "instagram"), ("IG", "instagram"), ("linkedin.com", "linkedin"),
    ("lnkd.in", "linkedin"), ("com.linkedin.android", "linkedin"), ("tiktok.com", "tiktok"),
    ("t.co", "x"), ("google", None), ("(direct)", None), ("settlement.org", None),
    ("notfacebook.com", None), (None, None), (pd.NA, None), ("", None),
])
def test_platform_of_merges_referrer_variants(source, platform):
    assert platform_of(source) == platform


def test_split_and_paid():
    assert split_source_medium("l.facebook.com / referral") == ("l.facebook.com", "referral")
    assert split_source_medium("facebook | social") == ("facebook", "social")
    assert split_source_medium("(direct)") == ("(direct)", None)
    assert is_paid("cpc") and is_paid("Paid_Social") and is_paid("paid-social")
    assert not is_paid("social") and not is_paid("referral") and not is_paid(pd.NA)


def test_fixture_sessions_per_platform():
    web = read_web(SOURCE_MEDIUM)
    visits = social_visits(web)
    march = visits.month("2024-03").set_index("platform")
    # facebook: l.facebook 121 + facebook/social 96 + m.facebook 40 + Facebook/Social 22 + lm 9
    assert march.loc["facebook", "sessions"] == 288
    assert march.loc["facebook", "paid_sessions"] == 14  # facebook / cpc kept apart
    assert march.loc["facebook", "key_events"] == 3 + 4 + 0 + 1 + 0
    assert march.loc["instagram", "sessions"] == 91
    assert march.loc["linkedin", "sessions"] == 38
    assert march.loc["tiktok", "sessions"] == 7
    assert "Facebook / Social" in march.loc["facebook", "variants"]
    assert visits.notes == []


def test_kpi_rows_shape_and_change():
    web = read_web(SOURCE_MEDIUM)
    april = web.assign(month="2024-04", value=web["value"] * 2)
    visits = social_visits(pd.concat([web, april], ignore_index=True))
    rows = visits_kpis(visits, "2024-04", WebsiteSettings(social_platforms=("facebook",
                                                                           "tiktok")))
    assert [r["kpi"] for r in rows] == ["visits_from_facebook", "visits_from_tiktok"]
    fb = rows[0]
    assert fb["platform"] == "website" and fb["kind"] == "total"
    assert fb["value"] == 576 and fb["previous"] == 288 and fb["change_pct"] == pytest.approx(100)
    assert set(fb) >= {"ci_low", "ci_high", "band_low", "band_high", "basis", "source"}
    assert fb["band_status"] == "too little history" and fb["band_low"] is None


def test_kpi_rows_judged_against_the_platforms_own_history():
    """Issue 11 §2: referred sessions are a page-level figure: their change gets the usual
    month-to-month range of the platform's own history (hand-made: ±10 % a month)."""
    web = read_web(SOURCE_MEDIUM)
    factors = {"2023-11": 1.0, "2023-12": 1.1, "2024-01": 1.0, "2024-02": 1.1, "2024-03": 1.0,
               "2024-04": 3.0}
    months = [web.assign(month=m, value=web["value"] * f) for m, f in factors.items()]
    visits = social_visits(pd.concat(months, ignore_index=True))
    fb = visits_kpis(visits, "2024-04", WebsiteSettings(social_platforms=("facebook",)))[0]
    assert fb["change_pct"] == pytest.approx(200)
    # log changes ±log 1.1: centre 0, s = 1.4826 · log 1.1, band exp(±2s) − 1
    s = 1.4826 * math.log(1.1)
    assert fb["band_low"] == pytest.approx(100 * (math.exp(-2 * s) - 1))
    assert fb["band_high"] == pytest.approx(100 * (math.exp(2 * s) - 1))
    assert fb["band_status"] == "unusual" and fb["range"] == "noise band"


def test_month_without_table_is_na_not_zero():
    visits = social_visits(read_web(SOURCE_MEDIUM))
    rows = visits_kpis(visits, "2024-04")
    assert rows[0]["value"] is None and rows[0]["previous"] == 288
    assert visits_kpis(visits, "2025-01") == []


def test_no_source_medium_table_gives_a_note():
    web = read_web(GA4 / "Traffic_acquisition_Session_primary_channel_group_"
                         "(Default_Channel_Group).csv")
    visits = social_visits(web)
    assert visits.monthly.empty and visits.notes == [NO_SOURCE_NOTE]
    assert visits_kpis(visits, "2024-03") == []


def test_monthly_table_wins_over_daily_rows_of_the_same_month():
    monthly = [{"month": "2024-03", "dimension": "source_medium",
                "dimension_value": "l.facebook.com / referral", "metric": "sessions",
                "value": 30}]
    daily = [{"date": pd.Timestamp("2024-03-01") + pd.Timedelta(days=i),
              "dimension": "source_medium", "dimension_value": "facebook / social",
              "metric": "sessions", "value": 1} for i in range(10)]
    visits = social_visits(web_frame(monthly + daily))
    assert visits.month("2024-03").set_index("platform").loc["facebook", "sessions"] == 30
    only_daily = social_visits(web_frame(daily))
    assert only_daily.month("2024-03").set_index("platform").loc["facebook", "sessions"] == 10
    days = source_rows(web_frame(monthly + daily), granularity="day")
    assert len(days) == 10 and days["daily"].all()


def test_source_only_table_and_redownload_count_once():
    rows = [{"month": "2024-03", "dimension": "source", "dimension_value": "lnkd.in",
             "metric": "sessions", "value": 5, "source_file": f"f{i}.csv"} for i in (1, 2)]
    visits = social_visits(web_frame(rows))
    assert visits.month("2024-03").set_index("platform").loc["linkedin", "sessions"] == 5
    assert any("Key events" in n for n in visits.notes)

import pandas as pd
import pytest

from workbench.kpis import kpi_history, kpi_table, months_between, posts_in_month
from workbench.schema import conform, conform_posts

TZ = "America/Toronto"


def make_posts(rows):
    frame = pd.DataFrame(rows)
    frame["published_at"] = pd.to_datetime(frame["published_at"]).dt.tz_localize(TZ)
    frame["published_at_utc"] = frame["published_at"].dt.tz_convert("UTC")
    frame["snapshot_at"] = pd.Timestamp("2024-05-05", tz="UTC")
    return conform_posts(frame, TZ)


@pytest.fixture
def tables():
    posts = make_posts(
        [
            # March: two Facebook posts, one Instagram
            {
                "platform": "facebook",
                "post_id": "1",
                "published_at": "2024-03-01 00:30",
                "exposure_kind": "reach",
                "reach": 1000,
                "interactions": 50,
            },
            {
                "platform": "facebook",
                "post_id": "2",
                "published_at": "2024-03-31 23:50",
                "exposure_kind": "reach",
                "reach": 3000,
                "interactions": 70,
            },
            {
                "platform": "instagram",
                "post_id": "3",
                "published_at": "2024-03-10 12:00",
                "exposure_kind": "reach",
                "reach": 800,
                "interactions": 40,
            },
            # April: one Facebook post with missing interactions (NA stays NA, never 0)
            {
                "platform": "facebook",
                "post_id": "4",
                "published_at": "2024-04-02 09:00",
                "exposure_kind": "reach",
                "reach": 2000,
                "interactions": 60,
            },
            {
                "platform": "facebook",
                "post_id": "5",
                "published_at": "2024-04-03 09:00",
                "exposure_kind": "reach",
                "reach": None,
                "interactions": None,
            },
            {
                "platform": "tiktok",
                "post_id": "v1",
                "published_at": "2024-04-03 19:00",
                "exposure_kind": "views",
                "views": 900,
                "format": "video",
                "interactions": 30,
            },
            {
                "platform": "tiktok",
                "post_id": "v2",
                "published_at": "2024-04-13 19:00",
                "exposure_kind": "views",
                "views": 300,
                "format": "video",
                "interactions": 10,
            },
        ]
    )
    dates = pd.date_range("2024-03-01", "2024-04-30", freq="D")
    daily = conform(
        pd.DataFrame(
            {
                "platform": "facebook",
                "account": "A",
                "date": dates,
                "metric": "follows",
                "value": 2.0,
            }
        ),
        "daily",
    )
    manual = conform(
        pd.DataFrame(
            [
                {"month": "2024-04", "platform": "facebook", "kpi": "reach", "value": 5000.0},
                {"month": "2024-03", "platform": "facebook", "kpi": "reach", "value": 4000.0},
                {"month": "2024-04", "platform": "website", "kpi": "visits", "value": 1200.0},
            ]
        ),
        "manual",
    )
    ads = conform(
        pd.DataFrame(
            [
                {
                    "period_start": "2024-04-01",
                    "period_end": "2024-04-30",
                    "campaign": "LINC",
                    "impressions": 1000,
                    "clicks": 50,
                    "cost": 80.0,
                    "currency": "USD",
                    "conversions": 3.0,
                    "all_time": False,
                },
                {
                    "period_start": "2023-01-01",
                    "period_end": "2024-04-30",
                    "campaign": "LINC",
                    "impressions": 99999,
                    "clicks": 9999,
                    "cost": 1.0,
                    "currency": "USD",
                    "conversions": 1.0,
                    "all_time": True,
                },
            ]
        ),
        "ads",
    )
    return {"posts": posts, "daily": daily, "manual": manual, "ads": ads}


def kpi(frame, platform, name, column="value"):
    row = frame[(frame.platform == platform) & (frame.kpi == name)]
    assert len(row) == 1, (platform, name)
    return row.iloc[0][column]


def test_month_uses_local_calendar(tables):
    march = posts_in_month(tables["posts"], "facebook", "2024-03")
    assert sorted(march.post_id) == ["1", "2"]


def test_kpi_values_and_change(tables):
    frame = kpi_table(tables, "2024-04")
    assert kpi(frame, "facebook", "posts") == 2
    assert kpi(frame, "facebook", "posts", "previous") == 2
    assert kpi(frame, "facebook", "post_engagement") == 60  # NA not counted as 0
    assert kpi(frame, "facebook", "post_engagement", "previous") == 120
    assert kpi(frame, "facebook", "post_engagement", "change_pct") == pytest.approx(-50.0)
    assert kpi(frame, "facebook", "top_post_reach") == 2000
    assert kpi(frame, "facebook", "new_followers") == 60  # 30 days x 2
    assert kpi(frame, "facebook", "new_followers", "kind") == "sum_of_daily"
    assert kpi(frame, "facebook", "reach") == 5000
    assert kpi(frame, "facebook", "reach", "kind") == "unique"
    assert kpi(frame, "tiktok", "avg_views_per_video") == pytest.approx(600)
    assert kpi(frame, "tiktok", "top_post_reach") == 900
    assert pd.isna(kpi(frame, "tiktok", "posts", "change_pct"))  # previous is 0 → no change
    assert kpi(frame, "website", "visits") == 1200
    # the All-time Ads report is never summed with the monthly one
    assert kpi(frame, "ads", "clicks") == 50
    assert kpi(frame, "ads", "ctr") == pytest.approx(0.05)
    assert "linkedin" not in set(frame.platform)


def test_change_interval_only_for_post_based(tables):
    calls = []

    def interval(platform, name):
        calls.append((platform, name))
        return (-10.0, 10.0)

    frame = kpi_table(tables, "2024-04", change_interval=interval)
    assert kpi(frame, "facebook", "post_engagement", "ci_low") == -10.0
    assert pd.isna(kpi(frame, "facebook", "new_followers", "ci_low"))
    assert all(
        name in {"post_engagement", "top_post_reach", "avg_views_per_video"} for _, name in calls
    )


def test_history(tables):
    history = kpi_history(tables, months_between("2024-03", "2024-04"))
    fb_posts = history[(history.platform == "facebook") & (history.kpi == "posts")]
    assert list(fb_posts.value) == [2, 2]


def test_ads_kpis_use_the_campaign_level_only(tables):
    base = {"period_start": "2024-04-01", "period_end": "2024-04-30", "campaign": "LINC",
            "currency": "USD", "all_time": False}
    finer = conform(pd.DataFrame([
        # the same month's clicks again, at the keyword and search-term grain
        {**base, "level": "keyword", "item": "english", "impressions": 900, "clicks": 45,
         "cost": 70.0, "conversions": 3.0},
        {**base, "level": "search_term", "item": "english class", "impressions": 800,
         "clicks": 40, "cost": 60.0, "conversions": 2.0},
        # a report of the first half of April, nested in the month's report
        {**base, "level": "campaign", "item": "LINC", "period_end": "2024-04-15",
         "impressions": 400, "clicks": 20, "cost": 30.0, "conversions": 1.0},
    ]), "ads")
    campaign = tables["ads"].assign(level="campaign", item="LINC")
    with_levels = {**tables, "ads": pd.concat([campaign, finer], ignore_index=True)}
    frame = kpi_table(with_levels, "2024-04")
    assert kpi(frame, "ads", "clicks") == 50  # never 50 + 45 + 40 + 20
    assert kpi(frame, "ads", "cost") == pytest.approx(80.0)
    assert kpi(frame, "ads", "ctr") == pytest.approx(0.05)

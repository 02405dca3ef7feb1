import numpy as np
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


# --- issue 11: noise bands, age basis, KPI definitions -------------------------------------


def _manual_history(values, platform="website", name="visits"):
    rows = [{"month": m, "platform": platform, "kpi": name, "value": float(v)}
            for m, v in values.items()]
    return conform(pd.DataFrame(rows), "manual")


def test_noise_band_from_the_kpis_own_history():
    months = months_between("2023-01", "2024-04")
    rng = np.random.default_rng(4)
    level = {m: 1000 * np.exp(rng.normal(0, 0.15)) for m in months}
    usual = dict(level, **{"2024-04": level["2024-03"] * 1.05})
    frame = kpi_table({"manual": _manual_history(usual)}, "2024-04")
    row = frame[frame.kpi == "visits"].iloc[0]
    assert row.band_low < 0 < row.band_high
    assert row.band_status == "within the usual range"
    jump = dict(level, **{"2024-04": level["2024-03"] * 3})
    row = kpi_table({"manual": _manual_history(jump)}, "2024-04").iloc[0]
    assert row.band_status == "unusual"
    assert row.change_pct > row.band_high
    short = {m: level[m] for m in ("2024-02", "2024-03", "2024-04")}
    row = kpi_table({"manual": _manual_history(short)}, "2024-04").iloc[0]
    assert row.band_status == "too little history"
    assert pd.isna(row.band_low)


def test_post_based_and_planned_kpis_get_no_band(tables):
    frame = kpi_table(tables, "2024-04")
    assert frame.loc[frame.kpi.isin(["post_engagement", "top_post_reach", "posts"]),
                     "band_status"].isna().all()
    assert kpi(frame, "facebook", "reach", "band_status") == "too little history"
    assert kpi(frame, "facebook", "post_engagement", "basis").startswith("as downloaded")
    assert kpi(frame, "facebook", "post_engagement", "source") == (
        "posts: interactions (reactions, comments, shares)")


def _snap(platform, post_id, published, age, interactions, reach):
    published = pd.Timestamp(published, tz=TZ).tz_convert("UTC")
    return {"platform": platform, "post_id": post_id,
            "snapshot_at": published + pd.Timedelta(days=age), "age_days": float(age),
            "interactions": interactions, "reach": reach}


def test_post_metrics_compared_at_the_same_age():
    # March posts were downloaded old (lifetime totals grew), April's young: on the basis the
    # comparison is like for like.
    posts = make_posts([
        {"platform": "facebook", "post_id": "m1", "published_at": "2024-03-05 10:00",
         "exposure_kind": "reach", "reach": 2000, "interactions": 200},
        {"platform": "facebook", "post_id": "m2", "published_at": "2024-03-20 10:00",
         "exposure_kind": "reach", "reach": 1000, "interactions": 100},
        {"platform": "facebook", "post_id": "a1", "published_at": "2024-04-03 10:00",
         "exposure_kind": "reach", "reach": 1500, "interactions": 120},
        {"platform": "facebook", "post_id": "a2", "published_at": "2024-04-28 10:00",
         "exposure_kind": "reach", "reach": 300, "interactions": 20},
    ])
    snaps = pd.DataFrame([
        _snap("facebook", "m1", "2024-03-05 10:00", 3, 60, 600),
        _snap("facebook", "m1", "2024-03-05 10:00", 11, 140, 1400),  # 7 days: 100, 1000
        _snap("facebook", "m1", "2024-03-05 10:00", 60, 200, 2000),
        _snap("facebook", "m2", "2024-03-20 10:00", 7, 50, 500),
        _snap("facebook", "m2", "2024-03-20 10:00", 45, 100, 1000),
        _snap("facebook", "a1", "2024-04-03 10:00", 7, 120, 1500),
        _snap("facebook", "a2", "2024-04-28 10:00", 1, 20, 300),  # too young for 7 days
    ])
    for column in ("interactions", "reach"):
        snaps[column] = snaps[column].astype("Int64")
    tables = {"posts": posts, "post_snapshots": snaps}
    as_downloaded = kpi_table(tables, "2024-04")
    assert kpi(as_downloaded, "facebook", "post_engagement", "change_pct") == pytest.approx(
        100 * (140 / 300 - 1))
    frame = kpi_table(tables, "2024-04", post_age_days=7)
    assert kpi(frame, "facebook", "post_engagement", "basis") == (
        "interactions in the first 7 days")
    assert kpi(frame, "facebook", "post_engagement", "previous") == 150  # 100 + 50
    assert kpi(frame, "facebook", "post_engagement") == 240  # 120, scaled for the young post
    assert "1 of 2 posts could not be placed at 7 days" in kpi(
        frame, "facebook", "post_engagement", "note")
    assert kpi(frame, "facebook", "top_post_reach", "basis") == "reach in the first 7 days"
    assert kpi(frame, "facebook", "top_post_reach") == 1500
    assert kpi(frame, "facebook", "top_post_reach", "previous") == 1000
    assert kpi(frame, "facebook", "posts") == 2  # the young post still counts as a post
    assert posts["interactions"].tolist() == [200, 100, 120, 20]


def test_ga4_daily_users_are_never_unique_visitors():
    days = pd.date_range("2024-04-01", "2024-04-30", freq="D")
    daily_users = pd.DataFrame({"date": days, "metric": "users", "value": 10.0})
    web = conform(daily_users, "web")
    frame = kpi_table({"web": web}, "2024-04")
    assert kpi(frame, "website", "unique_visitors") == 300
    assert kpi(frame, "website", "unique_visitors", "kind") == "sum_of_daily"
    assert "sum of daily users" in kpi(frame, "website", "unique_visitors", "note")
    monthly = conform(pd.DataFrame({"month": ["2024-04"], "metric": ["users"],
                                    "value": [180.0]}), "web")
    frame = kpi_table({"web": pd.concat([web, monthly], ignore_index=True)}, "2024-04")
    assert kpi(frame, "website", "unique_visitors") == 180
    assert kpi(frame, "website", "unique_visitors", "kind") == "unique"


def test_manual_website_figure_wins_for_channel_kpis():
    web = conform(pd.DataFrame({"month": ["2024-04"], "metric": ["sessions"],
                                "dimension": ["channel_group"], "dimension_value": ["Direct"],
                                "value": [400.0]}), "web")
    manual = _manual_history({"2024-04": 350}, name="visits_direct")
    assert kpi(kpi_table({"web": web}, "2024-04"), "website", "visits_direct") == 400
    frame = kpi_table({"web": web, "manual": manual}, "2024-04")
    assert kpi(frame, "website", "visits_direct") == 350


def test_tiktok_gross_and_net_followers_stay_separate():
    days = pd.date_range("2024-04-01", "2024-04-30", freq="D")
    daily = conform(pd.concat([
        pd.DataFrame({"platform": "tiktok", "date": days, "metric": "follows", "value": 3.0}),
        pd.DataFrame({"platform": "tiktok", "date": days, "metric": "net_follows",
                      "value": 1.0}),
    ]), "daily")
    frame = kpi_table({"daily": daily}, "2024-04")
    assert kpi(frame, "tiktok", "new_followers") == 90
    assert kpi(frame, "tiktok", "net_follower_change") == 30


def test_leadership_table_reads_the_basis_from_params():
    from workbench.kpis import leadership_kpi_table, post_age_basis

    assert post_age_basis({"post_age_days": 7}) == 7.0
    assert post_age_basis({"post_age_days": 28}) == 28.0
    assert post_age_basis({"post_age_days": None}) is None
    rng = np.random.default_rng(0)
    rows, snaps = [], []
    for month in ("2024-03", "2024-04"):
        for i in range(8):
            published = pd.Timestamp(f"{month}-{i + 2:02d} 10:00")
            final = int(rng.integers(20, 200))
            rows.append({"platform": "facebook", "post_id": f"{month}-{i}",
                         "published_at": str(published), "exposure_kind": "reach",
                         "reach": final * 10, "interactions": final})
            for age, share in ((6, 0.8), (8, 0.9), (40, 1.0)):
                snaps.append(_snap("facebook", f"{month}-{i}", str(published), age,
                                   int(final * share), int(final * 10 * share)))
    posts = make_posts(rows)
    snap_frame = pd.DataFrame(snaps)
    for column in ("interactions", "reach"):
        snap_frame[column] = snap_frame[column].astype("Int64")
    tables = {"posts": posts, "post_snapshots": snap_frame}
    frame = leadership_kpi_table(tables, "2024-04", {"post_age_days": 7, "seed": 1,
                                                     "bootstrap_reps": 199})
    row = frame[(frame.platform == "facebook") & (frame.kpi == "post_engagement")].iloc[0]
    assert row.basis == "interactions in the first 7 days"
    assert row.ci_low < row.change_pct < row.ci_high


def test_post_metric_with_too_few_posts_for_an_interval_gets_its_band_on_the_basis():
    """TikTok in the sample (3 posts in June): no interval is possible, so the change is
    judged against the KPI's own month-to-month range, computed on the same age basis."""
    from workbench.kpis import RANGE_BAND, RANGE_INTERVAL, leadership_kpi_table
    from workbench.stats.kpi_change import noise_band_detail

    rng = np.random.default_rng(3)
    months = months_between("2023-11", "2024-04")
    rows, snaps, at_basis = [], [], {}
    for month in months:
        count = 3 if month == "2024-04" else 6
        at_basis[month] = 0
        for i in range(count):
            published = pd.Timestamp(f"{month}-{i + 2:02d} 10:00")
            final = int(rng.integers(20, 400))
            rows.append({"platform": "facebook", "post_id": f"{month}-{i}",
                         "published_at": str(published), "exposure_kind": "reach",
                         "reach": final * 10, "interactions": final})
            # at exactly 7 days half the final count; the posts table holds the final one
            snaps.append(_snap("facebook", f"{month}-{i}", str(published), 7, final // 2,
                               final * 5))
            snaps.append(_snap("facebook", f"{month}-{i}", str(published), 60, final,
                               final * 10))
            at_basis[month] += final // 2
    snap_frame = pd.DataFrame(snaps)
    for column in ("interactions", "reach"):
        snap_frame[column] = snap_frame[column].astype("Int64")
    frame = leadership_kpi_table({"posts": make_posts(rows), "post_snapshots": snap_frame},
                                 "2024-04", {"post_age_days": 7, "seed": 1,
                                             "bootstrap_reps": 199})
    row = frame[(frame.platform == "facebook") & (frame.kpi == "post_engagement")].iloc[0]
    assert row.basis == "interactions in the first 7 days"
    assert pd.isna(row.ci_low) and row.range == RANGE_BAND
    expected = noise_band_detail(pd.Series(at_basis, dtype="float64"), "2024-04")
    assert row.change_pct == pytest.approx(expected["change_pct"])
    assert (row.band_low, row.band_high) == pytest.approx(
        (expected["low_pct"], expected["high_pct"]))
    assert row.band_status == ("unusual" if expected["unusual"] else "within the usual range")
    assert row.note.endswith("no interval (3 posts this month; 5 needed): judged against its "
                             "usual month-to-month range instead")
    march = leadership_kpi_table({"posts": make_posts(rows), "post_snapshots": snap_frame},
                                 "2024-03", {"post_age_days": 7, "seed": 1,
                                             "bootstrap_reps": 199})
    row = march[(march.platform == "facebook") & (march.kpi == "post_engagement")].iloc[0]
    assert row.range == RANGE_INTERVAL and pd.isna(row.band_low)

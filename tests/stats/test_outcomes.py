import numpy as np
import pandas as pd
import pytest

from workbench.errors import InputFormatError, WorkbenchError
from workbench.schema import conform_posts
from workbench.stats.outcomes import (
    REASON_BOOSTED,
    REASON_EXPOSURE_ERROR,
    REASON_EXPOSURE_MISSING,
    REASON_EXPOSURE_ZERO,
    REASON_SHARE,
    prepare_posts,
    ratio_of_sums,
)

TZ = "America/Toronto"


def make_posts(rows):
    base = {
        "platform": "facebook",
        "published_at_utc": pd.Timestamp("2024-03-10 15:00", tz="UTC"),
        "format": "photo",
        "reach": 1000,
        "interactions": 30,
        "boosted": False,
        "is_share": False,
        "snapshot_at": pd.Timestamp("2024-05-01", tz="UTC"),
    }
    frame = pd.DataFrame([{**base, "post_id": str(i), **row} for i, row in enumerate(rows)])
    frame["published_at"] = frame["published_at_utc"]
    return conform_posts(frame, TZ)


def test_exclusions_are_counted_never_silent():
    posts = make_posts([
        {},
        {"boosted": True},
        {"is_share": True},
        {"reach": None},
        {"reach": 0, "interactions": 0},
        {"reach": 0, "interactions": 4},
        {"snapshot_at": pd.Timestamp("2024-03-12", tz="UTC")},
        {"platform": "linkedin", "reach": None, "impressions": 500},
        {"platform": "tiktok", "reach": None, "views": 900},
    ])
    prepared = prepare_posts(posts)
    assert sorted(prepared.data["post_id"]) == ["0", "7", "8"]
    counts = dict(zip(prepared.excluded["reason"], prepared.excluded["count"], strict=True))
    assert counts[REASON_BOOSTED] == 1
    assert counts[REASON_SHARE] == 1
    assert counts[REASON_EXPOSURE_MISSING] == 1
    assert counts[REASON_EXPOSURE_ZERO] == 1
    assert counts[REASON_EXPOSURE_ERROR] == 1
    assert counts["younger than 7 days (metrics still growing)"] == 1
    error_row = prepared.excluded[prepared.excluded["reason"] == REASON_EXPOSURE_ERROR].iloc[0]
    assert bool(error_row["data_error"]) and error_row["post_ids"] == ["facebook:5"]
    assert prepared.n + prepared.n_excluded == len(posts)


def test_exposure_by_platform_and_features():
    posts = make_posts([
        {"platform": "linkedin", "reach": None, "impressions": 500},
        {"platform": "tiktok", "reach": 7, "views": 900},
        {"platform": "instagram", "reach": 250},
    ])
    data = prepare_posts(posts).data.set_index("platform")
    assert data.loc["linkedin", "exposure"] == 500
    assert data.loc["tiktok", "exposure"] == 900
    assert data.loc["instagram", "exposure"] == 250
    assert np.isclose(data.loc["instagram", "log_exposure"], np.log(250))
    assert data.loc["instagram", "hour"] == 11.0  # 15:00 UTC = 11:00 EDT
    assert np.isclose(data.loc["instagram", "age_days"], 51 + 9 / 24)


def test_local_month_decides_window_and_dst_fixture():
    # 2025-03-01 01:30 Toronto = 2025-03-01 06:30 UTC: belongs to March, hour 1.5.
    posts = make_posts([
        {"published_at_utc": pd.Timestamp("2025-03-01 06:30", tz="UTC"),
         "snapshot_at": pd.Timestamp("2025-05-01", tz="UTC")},
        {"published_at_utc": pd.Timestamp("2025-02-28 12:00", tz="UTC"),
         "snapshot_at": pd.Timestamp("2025-05-01", tz="UTC")},
    ])
    prepared = prepare_posts(posts, window=("2025-03", "2025-03"))
    assert list(prepared.data["post_id"]) == ["0"]
    assert prepared.data["hour"].iloc[0] == 1.5
    assert prepared.n_outside_window == 1
    assert prepared.window_label == "2025-03..2025-03"


def test_labels_joined_and_inputs_untouched():
    posts = make_posts([{}, {}])
    labels = pd.DataFrame({"platform": ["facebook"], "post_id": ["1"], "human_centred": [True],
                           "topic": ["housing"]})
    before = posts.copy()
    data = prepare_posts(posts, labels).data.set_index("post_id")
    assert data.loc["1", "human_centred"] is True or data.loc["1", "human_centred"] == True  # noqa: E712
    assert pd.isna(data.loc["0", "human_centred"])
    assert data.loc["1", "topic"] == "housing"
    pd.testing.assert_frame_equal(posts, before)


def test_duplicate_labels_and_bad_window_raise():
    posts = make_posts([{}])
    labels = pd.DataFrame({"platform": ["facebook"] * 2, "post_id": ["0", "0"]})
    with pytest.raises(WorkbenchError, match="repeated posts"):
        prepare_posts(posts, labels)
    with pytest.raises(WorkbenchError, match="not YYYY-MM"):
        prepare_posts(posts, window=("2024-3", "2024-04"))
    with pytest.raises(InputFormatError, match="no 'interactions' column"):
        prepare_posts(posts.drop(columns=["interactions"]))


def test_ratio_of_sums_not_mean_of_ratios():
    data = pd.DataFrame({"g": [1, 1, 0], "y": [1.0, 100.0, 10.0],
                         "exposure": [10.0, 1000.0, 100.0]})
    out = ratio_of_sums(data, "g").set_index("g")
    assert out.loc[1, "rate"] == pytest.approx(101 / 1010)

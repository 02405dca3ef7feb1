"""The "Who we reach" HTML and figures: data strings escaped, the composition beside the
previous snapshot, online hours beside the posting-time curve."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from workbench.audience import analyse_audience, goal_trend  # noqa: E402
from workbench.report import audience as A  # noqa: E402

PARAMS = {"audience_goals": {"facebook": [
    {"id": "women", "label": "women <b>", "breakdown": "gender", "segments": ["women"],
     "direction": "most"}]}}


def _rows(day: str, women: float, city: str) -> list[dict]:
    common = {"platform": "facebook", "account": "a", "snapshot_at": pd.Timestamp(day, tz="UTC"),
              "period_start": pd.NaT, "period_end": pd.NaT, "base": "followers",
              "base_count": 2000.0, "rounding": 0.001, "count": pd.NA, "source_file": "A.csv"}
    return [{**common, "breakdown": "gender", "segment": "women", "share": women},
            {**common, "breakdown": "gender", "segment": "men", "share": 1 - women},
            {**common, "breakdown": "city", "segment": city, "share": 0.4}]


def _audience() -> pd.DataFrame:
    frame = pd.DataFrame(_rows("2025-06-03", 0.60, "<script>x</script>")
                         + _rows("2025-07-03", 0.66, "<script>x</script>"))
    return frame.astype({"period_start": "datetime64[ns]", "period_end": "datetime64[ns]"})


def test_section_escapes_data_and_shows_now_beside_previous():
    results = analyse_audience(_audience(), PARAMS, month="2025-05")
    later = analyse_audience(_audience(), PARAMS, month="2025-07")
    html = str(A.audience_html(later.to_json()))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "women &lt;b&gt;" in html
    assert "66.0 %" in html and "60.0 %" in html  # now and at the previous snapshot
    assert "2025-06-03" in html and "met" in html
    assert "real" in html  # 6 pp on 2,000 followers is beyond rounding and base size
    assert results.platform("facebook").previous_as_of is None
    assert A.NO_AUDIENCE[:20] in str(A.audience_html(None))


def test_goal_trend_and_online_hours_figures():
    trend = goal_trend(_audience(), PARAMS)
    assert list(trend["value"]) == [0.60, 0.66]
    fig = A.goal_trend_figure(trend, PARAMS)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    audience = _audience()
    online = audience.iloc[3:5].assign(breakdown="online_hours", segment=["20", "21"],
                                      share=[0.3, 0.2])
    results = analyse_audience(pd.concat([audience, online], ignore_index=True), PARAMS)
    curve = pd.DataFrame({"hour": range(24), "rate_ratio": 1.0, "supported": True})
    beside = A.online_hours_frame(results, "facebook", curve)
    assert beside.loc[beside.hour == 20, "online_share"].item() == 0.3
    assert beside["online_share"].isna().sum() == 22
    assert A.online_hours_figure(beside, PARAMS) is not None
    assert A.online_hours_frame(results, "tiktok", curve) is None

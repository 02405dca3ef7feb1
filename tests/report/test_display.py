import pandas as pd

from workbench.report.display import (
    excerpt,
    findings_html,
    fmt_change,
    fmt_number,
    kpi_table_html,
    top_posts_html,
)
from workbench.schema import conform_posts

TZ = "America/Toronto"


def test_captions_are_escaped():
    posts = conform_posts(pd.DataFrame([{
        "platform": "facebook", "post_id": "1", "caption": "<script>alert('x')</script> & more",
        "published_at": pd.Timestamp("2024-03-02 10:00", tz=TZ), "exposure_kind": "reach",
        "reach": 10, "interactions": 2, "permalink": "https://example.org/?a=1&b=<2>",
    }]), TZ)
    posts = posts.assign(exposure=posts["reach"])
    markup = top_posts_html(posts).markup
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in markup
    assert "b=&lt;2&gt;" in markup


def test_findings_escape_text_and_badge():
    markup = findings_html([{"text": "a <b>bold</b> claim", "confidence": "strong"}]).markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert "badge strong" in markup


def test_kpi_table_marks_sum_of_daily_and_intervals():
    frame = pd.DataFrame([{
        "platform": "linkedin", "kpi": "visitors", "value": 1200.0, "previous": 1000.0,
        "change_pct": 20.0, "ci_low": float("nan"), "ci_high": float("nan"),
        "kind": "sum_of_daily", "source": "daily", "note": "",
    }, {
        "platform": "facebook", "kpi": "post_engagement", "value": 900.0, "previous": 1000.0,
        "change_pct": -10.0, "ci_low": -30.0, "ci_high": 12.0, "kind": "total",
        "source": "posts", "note": "",
    }])
    markup = kpi_table_html(frame).markup
    assert "(sum of daily)" in markup
    assert "1,200" in markup and "+20%" in markup
    assert "(-30% to +12%)" in markup


def test_formatting():
    assert fmt_number(None) == "–"
    assert fmt_number(0.0523, "ctr") == "5.2%"
    assert fmt_number(1234.0, "cost", "$") == "$1,234" and fmt_number(1234.0, "cost") == "1,234"
    assert fmt_change(float("nan")) == "–"
    assert excerpt("a\n b  c" + "x" * 200, 10).endswith("…")


def test_kpi_labels_name_platforms_and_services_in_words():
    from workbench.wording import kpi_label

    assert kpi_label("visits_from_facebook") == "Visits from Facebook"
    assert kpi_label("visits_from_tiktok") == "Visits from TikTok"
    params = {"services": {"kpis": {"interpreting_hours": {"label": "Interpreting hours"}}}}
    assert kpi_label("interpreting_hours", params) == "Interpreting hours"
    assert kpi_label("interpreting_hours") == "Interpreting hours"  # from the id, readable


def test_band_edges_and_flat_history_are_worded_so_the_verdict_is_visible():
    from types import SimpleNamespace

    from workbench.report.display import kpi_change_html

    def row(change, low, high, status):
        return SimpleNamespace(change_pct=change, ci_low=None, ci_high=None, band_low=low,
                               band_high=high, band_status=status)

    # -35.2 against a band starting at -34.9: both would print -35, one is outside
    assert "(-35.2%; usual -34.9% to +65.4%)" in kpi_change_html(
        row(-35.2, -34.9, 65.4, "unusual"))
    assert "(-12%; usual -35% to +65%)" in kpi_change_html(
        row(-12.0, -34.9, 65.4, "within the usual range"))
    # a KPI that never moved (the band is 0 to 0): no "-0% to +0%"
    assert "(-30%; usually unchanged)" in kpi_change_html(row(-30.0, -0.0, 0.0, "unusual"))

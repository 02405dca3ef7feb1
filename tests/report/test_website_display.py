"""The website section's HTML (issue 14): escaped, in the module's words, up to the month."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from workbench.report import website as WS
from workbench.website.grant import BELOW, OK
from workbench.website.settings import GrantSettings
from workbench.wording import blog_post_sentence


def _site(**overrides) -> SimpleNamespace:
    social_monthly = pd.DataFrame({
        "month": ["2024-05", "2024-05", "2024-06", "2024-06", "2024-07"],
        "platform": ["facebook", "instagram", "facebook", "instagram", "facebook"],
        "sessions": [100.0, 40.0, 150.0, 30.0, 999.0],
        "key_events": [2.0, 1.0, 3.0, float("nan"), 9.0],
    })

    def month_of(month: str) -> pd.DataFrame:
        return social_monthly[social_monthly["month"] == month].reset_index(drop=True)

    site = SimpleNamespace(
        month="2024-06",
        settings=SimpleNamespace(first_days=30, grant=GrantSettings(currency="USD")),
        social=SimpleNamespace(monthly=social_monthly, month=month_of),
        kpi_rows=[{"kpi": "visits_from_facebook", "value": 150.0, "previous": 100.0,
                   "change_pct": 50.0},
                  {"kpi": "visits_from_instagram", "value": 30.0, "previous": 40.0,
                   "change_pct": -25.0}],
        blog_post={"page": "/blog/<script>x</script>", "sessions_first_30_days": 370.0,
                   "window_complete": False},
        grant=SimpleNamespace(
            rules=pd.DataFrame([
                {"rule": "ctr", "label": "Account click-through rate", "value": 0.042,
                 "threshold": 0.05, "status": BELOW, "detail": "4.2 %: below the minimum"},
                {"rule": "spend", "label": "Spend", "value": 2856.87, "threshold": 10000.0,
                 "status": OK, "detail": "29 % of the ceiling"}]),
            notes=["keyword report <none>"],
            ctr_by_month=pd.DataFrame({"month": ["2024-05", "2024-06", "2024-07"],
                                       "ctr": [0.06, 0.042, 0.07]})),
        associations=[SimpleNamespace(sentence="Days with one more link post were followed "
                                               "by more sessions; an association.")],
        service_sentences={"translation": "In 2024-06: 26 inquiries."},
    )
    for key, value in overrides.items():
        setattr(site, key, value)
    return site


def test_social_visits_table():
    markup = WS.social_visits_html(_site()).markup
    assert "<td>Facebook</td><td class='num'>150</td><td class='num'>100</td>" in markup
    assert "+50%" in markup and "-25%" in markup
    assert "999" not in markup  # a later month is never shown


def test_trends_stop_at_the_report_month():
    site = _site()
    assert list(WS.grant_ctr(site)["month"]) == ["2024-05", "2024-06"]


def test_blog_post_sentence_escaped_and_so_far():
    markup = WS.blog_post_html(_site()).markup
    assert "&lt;script&gt;" in markup and "<script>" not in markup
    assert "370 sessions in its first 30 days so far." in markup
    assert blog_post_sentence({"page": "/blog/a", "sessions_first_30_days": 12.0,
                               "window_complete": True}) == \
        "This month's blog post: /blog/a: 12 sessions in its first 30 days."
    assert "No new blog post" in WS.blog_post_html(_site(blog_post=None)).markup


def test_grant_panel_rules_values_and_status():
    markup = WS.grant_panel_html(_site()).markup
    assert "<td class='num'>4.2%</td><td class='num'>5.0%</td>" in markup
    assert "<td class='status flag'>below threshold</td>" in markup
    assert "USD 2,857" in markup and "USD 10,000" in markup
    assert "keyword report &lt;none&gt;" in markup


def test_sentences_as_the_module_writes_them():
    site = _site()
    assert WS.posts_and_visits_lines(site) == [site.associations[0].sentence]
    assert WS.services_lines(site) == ["In 2024-06: 26 inquiries."]

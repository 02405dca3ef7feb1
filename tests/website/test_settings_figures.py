"""org.yaml settings of the website analysis, and its figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from workbench.errors import ConfigError  # noqa: E402
from workbench.website.figures import grant_ctr_figure, social_trend_figure  # noqa: E402
from workbench.website.settings import DEFAULT_SOCIAL, website_settings  # noqa: E402


def test_defaults_without_any_block():
    settings = website_settings({"name": "Org", "short_name": "ORG"})
    assert settings.social_platforms == DEFAULT_SOCIAL and settings.blog_path == "/blog/"
    assert settings.grant.monthly_ceiling is None and settings.grant.ctr_threshold == 0.05
    assert settings.grant.brand_terms == ("org",)  # the organisation's names
    assert settings.utm.sources["facebook"] == "facebook" and settings.services == ()


def test_percent_threshold_and_medium_added():
    settings = website_settings({"grant": {"ctr_threshold": 5, "monthly_ceiling": "10000"},
                                 "utm": {"medium": "organic_social", "mediums": ["email"]}})
    assert settings.grant.ctr_threshold == 0.05 and settings.grant.monthly_ceiling == 10000
    assert "organic_social" in settings.utm.mediums


@pytest.mark.parametrize("params, match", [
    ({"grant": {"monthly_ceiling": "ten thousand"}}, r"grant.monthly_ceiling is 'ten thousand'"),
    ({"utm": {"campaign_pattern": "([a-z"}}, r"utm.campaign_pattern .* is not a regular"),
    ({"grant": [1, 2]}, r"'grant' must be a mapping"),
    ({"services": {"kpis": [1]}}, r"services.kpis must map each KPI name"),
])
def test_bad_settings_are_one_clear_line(params, match):
    with pytest.raises(ConfigError, match=match):
        website_settings(params)


def test_figures_draw_and_handle_empty():
    trend = pd.DataFrame({"facebook": [10.0, 12.0], "tiktok": [1.0, 3.0]},
                         index=["2024-01", "2024-02"])
    fig = social_trend_figure(trend, "2024-02")
    assert len(fig.axes[0].lines) == 3  # two platforms and the month marker
    ctr = pd.DataFrame({"month": ["2024-01", "2024-02"], "ctr": [0.06, 0.042]})
    bars = grant_ctr_figure(ctr).axes[0].patches
    assert [b.get_facecolor()[:3] != bars[0].get_facecolor()[:3] for b in bars] == [False, True]
    assert not social_trend_figure(pd.DataFrame()).axes[0].axison
    assert not grant_ctr_figure(pd.DataFrame(columns=["month", "ctr"])).axes[0].axison
    plt.close("all")

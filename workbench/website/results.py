"""Everything issue 14 adds to a month's results, computed once from the canonical tables.

:func:`analyse_website` is what the monthly analysis (``analyse_month`` → ``MonthResults``)
calls; :meth:`WebsiteResults.to_json` gives results.json's ``website`` and ``grant`` keys,
:attr:`WebsiteResults.kpi_rows` the ``visits_from_<platform>`` KPI rows and
:attr:`WebsiteResults.warnings` the data-quality notes (UTM problems included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.website.grant import GrantPanel, grant_panel
from workbench.website.pages import Pages, blog_post_of_month, pages_table
from workbench.website.services import (
    ServiceMonths,
    inquiries_by_source,
    service_months,
    service_sentence,
)
from workbench.website.settings import WebsiteSettings, website_settings
from workbench.website.social import SocialVisits, social_trend, social_visits, visits_kpis
from workbench.website.utm import UtmCheck, check_sources
from workbench.website.visits import (
    Association,
    daily_link_activity,
    daily_social_sessions,
    link_association,
)
from workbench.wording import money_unit

TREND_MONTHS = 12


def _clean(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict, str)) or value is None:
        return value
    try:
        return None if pd.isna(value) else (float(value) if not isinstance(value, bool)
                                             else value)
    except (TypeError, ValueError):
        return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass
class WebsiteResults:
    """Issue 14's part of a month's results (see the module docstring)."""

    month: str
    settings: WebsiteSettings
    social: SocialVisits
    pages: Pages
    blog_post: dict | None
    utm: UtmCheck
    grant: GrantPanel
    associations: list[Association]
    services: list[ServiceMonths]
    service_sentences: dict[str, str]
    inquiry_sources: dict[str, pd.DataFrame]
    kpi_rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """results.json ``website`` and ``grant`` (JSON-safe)."""
        trend = social_trend(self.social)
        website = {
            "social": self.social.to_json(self.month),
            "social_trend": ({m: {p: _clean(v) for p, v in row.items()}
                              for m, row in trend.tail(TREND_MONTHS).iterrows()}
                             if not trend.empty else {}),
            "landing_pages": _records(self.pages.top(self.month, 10))
            if not self.pages.monthly.empty else [],
            "blog_posts": _records(self.pages.blog),
            "blog_post_of_month": self.blog_post,
            "utm": self.utm.to_json(),
            "posts_and_visits": [a.to_json() for a in self.associations],
            "services": {s.service.name: {"months": _records(s.table),
                                          "sentence": self.service_sentences[s.service.name],
                                          "inquiries_by_source": {
                                              m: {k: _clean(v) for k, v in row.items()}
                                              for m, row in self.inquiry_sources[
                                                  s.service.name].iterrows()},
                                          "notes": s.notes}
                         for s in self.services},
            "notes": self.social.notes + self.pages.notes,
        }
        return {"website": website, "grant": self.grant.to_json()}


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return frame if frame is not None and not frame.empty else None


def analyse_website(tables: Mapping[str, pd.DataFrame], month: str,
                    params: Mapping[str, Any] | None = None) -> WebsiteResults:
    """Compute issue 14's results for ``month``.

    Social referrals, pages and the blog, the UTM check, the grant panel, link posts
    against visits, and the services.

    Args:
        tables: Canonical tables by name (``web``, ``ads``, ``posts``, ``labels``,
            ``manual``); missing ones are treated as empty, with notes.
        month: ``YYYY-MM``.
        params: The merged parameters (org.yaml keys ``website_analysis``, ``utm``,
            ``grant``, ``services``).

    Returns:
        :class:`WebsiteResults`.
    """
    settings = website_settings(params)
    web = _table(tables, "web")
    web = web if web is not None else pd.DataFrame(columns=["date", "month", "dimension",
                                                            "dimension_value", "metric",
                                                            "value"])
    posts = _table(tables, "posts")
    social = social_visits(web, settings)
    pages = pages_table(web, settings)
    utm = check_sources(web, month, settings.utm)
    grant = grant_panel(_table(tables, "ads"), month, settings.grant, web)
    window_start = str(pd.Period(month, freq="M") - 5)
    activity = daily_link_activity(posts, settings) if posts is not None else pd.DataFrame()
    sessions = daily_social_sessions(web, settings)
    associations = []
    if not sessions.empty and not activity.empty:
        in_window = sessions[sessions["date"].dt.strftime("%Y-%m").between(window_start, month)]
        for what in ("link_posts", "link_clicks"):
            associations.append(link_association(activity, in_window, input=what))
    else:
        associations.append(link_association(activity, sessions))
    months = [str(p) for p in pd.period_range(window_start, month, freq="M")]
    services, sentences, sources = [], {}, {}
    for service in settings.services:
        result = service_months(service, months, posts, _table(tables, "labels"),
                                _table(tables, "manual"))
        services.append(result)
        unit = money_unit(service.revenue_kpi, params) if service.revenue_kpi else ""
        sentences[service.name] = service_sentence(result, month, unit)
        sources[service.name], note = inquiries_by_source(_table(tables, "manual"), service)
        if note:
            result.notes.append(note)
    warnings = [n for n in (utm.note(),) if n] + social.notes + grant.notes
    return WebsiteResults(month, settings, social, pages, blog_post_of_month(pages, month), utm,
                          grant, associations, services, sentences, sources,
                          visits_kpis(social, month, settings), warnings)

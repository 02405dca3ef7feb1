"""HTML pieces and figures of the website section (issue 14), built from ``results.website``.

Nothing here computes a statistic: the numbers come from
:func:`workbench.website.results.analyse_website` (called once by ``analyse_month``), the
sentences from the website modules and :mod:`workbench.wording`. Every string from the data
(page paths, source values, campaign names) is escaped with :func:`display.esc`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.report.display import Html, bullet_list_html, esc
from workbench.wording import blog_post_sentence, fmt_number, platform_label

#: Rules whose value and threshold are shares (shown as percentages).
SHARE_RULES = ("ctr", "paid_sessions")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def social_visits_frame(site: Any) -> pd.DataFrame:
    """This month's sessions referred by each social platform, beside last month's."""
    rows = []
    for row in site.kpi_rows:
        platform = str(row["kpi"]).removeprefix("visits_from_")
        this = site.social.month(site.month)
        hit = this[this["platform"] == platform] if not this.empty else this
        key_events = hit["key_events"].iloc[0] if len(hit) and "key_events" in hit else None
        rows.append({"platform": platform, "sessions": row.get("value"),
                     "previous": row.get("previous"), "change_pct": row.get("change_pct"),
                     "key_events": None if _missing(key_events) else float(key_events)})
    return pd.DataFrame(rows, columns=["platform", "sessions", "previous", "change_pct",
                                       "key_events"])


def social_visits_html(site: Any, params: dict | None = None) -> Html:
    """Table: visits to the website from each social platform this month and last."""
    frame = social_visits_frame(site)
    if frame.empty:
        return Html("<p>No GA4 source / medium table: visits per social platform are not "
                    "available.</p>")
    body = []
    for row in frame.itertuples(index=False):
        change = "–" if _missing(row.change_pct) else f"{row.change_pct:+.0f}%"
        body.append(
            "<tr>"
            f"<td>{esc(platform_label(row.platform, params))}</td>"
            f"<td class='num'>{fmt_number(row.sessions)}</td>"
            f"<td class='num'>{fmt_number(row.previous)}</td>"
            f"<td class='num'>{change}</td>"
            f"<td class='num'>{fmt_number(row.key_events)}</td>"
            "</tr>")
    return Html(
        "<table class='kpi website-social'><thead><tr><th>Visits from</th><th>This month</th>"
        "<th>Last month</th><th>Change</th><th>Key events</th></tr></thead><tbody>"
        + "".join(body) + "</tbody></table>"
        "<p class='footnote'>Sessions whose GA4 source is the platform, all its referrer "
        "variants merged (m.facebook.com, l.instagram.com, lnkd.in, …); paid campaigns are "
        "counted apart.</p>")


def social_trend(site: Any, months: int = 12) -> pd.DataFrame:
    """Monthly sessions per social platform up to the report month (month × platform)."""
    from workbench.website.social import social_trend as trend_of

    trend = trend_of(site.social)
    if trend.empty:
        return trend
    return trend[trend.index.astype(str) <= site.month].tail(months)


def social_trend_figure(site: Any):
    """The trend chart of visits per social platform (the website module's figure)."""
    from workbench.website.figures import social_trend_figure as figure

    return figure(social_trend(site), site.month)


def blog_post_html(site: Any) -> Html:
    """"This month's blog post: {page}: {n} sessions in its first 30 days" (escaped)."""
    post = dict(site.blog_post) if site.blog_post else None
    if post is not None:
        post["first_days"] = site.settings.first_days
    return Html(f"<p class='blog-post'>{esc(blog_post_sentence(post))}</p>")


def _rule_value(rule: str, value: object, currency: str = "") -> str:
    if _missing(value):
        return "–"
    if rule in SHARE_RULES:
        return f"{100 * float(value):.1f}%"
    if rule == "spend":
        return fmt_number(float(round(float(value))), "", f"{currency} " if currency else "")
    return fmt_number(float(value))


def grant_rules_frame(site: Any) -> pd.DataFrame:
    """The grant rules of the month (rule, value, threshold, status, detail)."""
    return site.grant.rules


def grant_panel_html(site: Any) -> Html:
    """The grant panel: each rule with its value, threshold and a plain status."""
    rules = site.grant.rules
    notes = [*site.grant.notes]
    if rules.empty:
        extra = bullet_list_html(notes).markup if notes else ""
        return Html("<p>No Google Ads report this month: the grant panel is empty.</p>"
                    + extra)
    currency = str(getattr(site.settings.grant, "currency", "") or "")
    body = []
    for row in rules.to_dict(orient="records"):
        rule = str(row.get("rule"))
        status = str(row.get("status") or "")
        css = "ok" if status == "ok" else "flag"
        body.append(
            "<tr>"
            f"<td>{esc(row.get('label'))}</td>"
            f"<td class='num'>{_rule_value(rule, row.get('value'), currency)}</td>"
            f"<td class='num'>{_rule_value(rule, row.get('threshold'), currency)}</td>"
            f"<td class='status {css}'>{esc(status)}</td>"
            f"<td>{esc(row.get('detail'))}</td>"
            "</tr>")
    markup = ("<table class='grant'><thead><tr><th>Rule</th><th>This month</th>"
              "<th>Threshold</th><th>Status</th><th>Detail</th></tr></thead><tbody>"
              + "".join(body) + "</tbody></table>")
    if notes:
        markup += bullet_list_html(notes).markup
    return Html(markup)


def grant_ctr(site: Any, months: int = 12) -> pd.DataFrame:
    """The account CTR per month up to the report month."""
    ctr = site.grant.ctr_by_month
    if ctr.empty:
        return ctr
    return ctr[ctr["month"].astype(str) <= site.month].tail(months).reset_index(drop=True)


def grant_ctr_figure(site: Any):
    """The grant's account CTR per month against its minimum (the website module's figure)."""
    from workbench.website.figures import grant_ctr_figure as figure

    return figure(grant_ctr(site), site.settings.grant.ctr_threshold)


def posts_and_visits_lines(site: Any) -> list[str]:
    """The link-post association sentences, as the website module words them."""
    return [a.sentence for a in site.associations if a.sentence]


def services_lines(site: Any) -> list[str]:
    """The services sentences (a trend, not an effect), as the website module words them."""
    return [s for s in site.service_sentences.values() if s]


def utm_problems_frame(site: Any) -> pd.DataFrame:
    """The month's GA4 source/medium values that break the tagging convention."""
    return site.utm.problems

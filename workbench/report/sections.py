"""Display frames and lines the notebooks show, built from :class:`MonthResults`.

Nothing here computes a statistic or reads a file: the numbers come from
:func:`workbench.analysis.analyse_month`, the sentences from :mod:`workbench.wording`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import wording as W

#: KPIs drawn in the trend charts, in order (missing ones are skipped).
TREND_KPIS = (
    ("facebook", "post_engagement"),
    ("facebook", "new_followers"),
    ("facebook", "reach"),
    ("instagram", "post_engagement"),
    ("instagram", "new_followers"),
    ("instagram", "profile_visits"),
    ("linkedin", "post_engagement"),
    ("linkedin", "visitors"),
    ("tiktok", "avg_views_per_video"),
    ("website", "visits"),
    ("ads", "clicks"),
)


def trend_kpis(params: dict[str, Any] | None) -> list[tuple[str, str]]:
    """:data:`TREND_KPIS`, then the organisation's own service KPIs (org.yaml)."""
    from workbench.kpis import service_kpis

    return [*TREND_KPIS, *(("services", kpi) for kpi in service_kpis(params))]


LEADERSHIP_TRENDS = (
    ("facebook", "post_engagement"),
    ("instagram", "post_engagement"),
    ("website", "visits"),
)
HYPOTHESIS_DISPLAY_COLUMNS = (
    "id",
    "platform",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "n_group",
    "method",
    "mde",
    "confidence",
)


def hypotheses_display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The hypotheses table trimmed to what an analyst reads, n per group as text."""
    shown = frame[[c for c in HYPOTHESIS_DISPLAY_COLUMNS if c in frame.columns]].copy()
    if "n_group" in shown:
        shown["n_group"] = shown["n_group"].map(
            lambda g: " vs ".join(str(v) for v in g.values()) if isinstance(g, dict) else g
        )
    return shown


def effect_paths_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Per label comparison: effect per reach, on reach, in total, and without top posts.

    statistics.md §9.2: reach is partly an outcome, so the per-reach ratio (the primary) is
    shown with the ratio on reach and on total interactions (per follower); §9.3: the ratio
    without the five most influential posts shows whether a few posts drive the result.
    """
    rows = []
    for record in records:
        if record.get("id") == "posting_time" or record.get("estimate_reach") is None and \
                record.get("estimate_without_influential") is None:
            continue
        rows.append({
            "comparison": record.get("id"),
            "platform": record.get("platform"),
            "per person reached": record.get("estimate"),
            "on reach": record.get("estimate_reach"),
            "in total": record.get("estimate_total"),
            "without 5 most influential posts": record.get("estimate_without_influential"),
        })
    return pd.DataFrame(rows)


def experiment_lines(status: pd.DataFrame) -> list[str]:
    """One plain line per experiment (its status and, when finished, what was found)."""
    return [W.experiment_line(row["name"], row["status"], row.get("summary"))
            for row in status.to_dict(orient="records")]


def decision_lines(review: pd.DataFrame) -> list[str]:
    """One sentence per logged decision, or the line saying none was logged."""
    return review["sentence"].tolist() if len(review) else [W.NO_DECISIONS]


def report_footer_lines(params: dict[str, Any] | None = None) -> list[str]:
    """How to read the report (see :func:`workbench.wording.report_footer_lines`)."""
    return W.report_footer_lines(params)

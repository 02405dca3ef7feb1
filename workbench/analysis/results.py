"""The month's analysis as typed, frozen results: :class:`MonthResults`.

Computed once per run by :func:`workbench.analysis.analyse_month`; the notebooks display it,
the runner writes ``results.json`` from it (:meth:`MonthResults.to_json`), and nothing
downstream recomputes a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.jsonsafe import jsonable


@dataclass(frozen=True)
class DataQuality:
    """What was read and what was left out.

    Attributes:
        files: One row per export read (kind, rows, account, date range, snapshot, warnings).
        dedupe: Rows read vs kept per table.
        excluded_posts: Posts of the window left out of the content tests, by reason.
        metric_definition_changes: Definition changes among the files, in words.
        warnings: Every warning of the ingest, prefixed with its file.
    """

    files: pd.DataFrame
    dedupe: dict[str, Any]
    excluded_posts: pd.DataFrame
    metric_definition_changes: list[str]
    warnings: list[str]
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skipped_lines(self) -> list[str]:
        """One line per file the ingest skipped (not an export we read), with its reason."""
        return [f"{s.get('file')}: {s.get('reason')}" for s in self.skipped]

    def to_json(self) -> dict[str, Any]:
        """results.json ``data_quality``."""
        return jsonable({"files": self.files, "dedupe": self.dedupe,
                         "excluded_posts": self.excluded_posts,
                         "metric_definition_changes": self.metric_definition_changes,
                         "skipped": self.skipped})


@dataclass(frozen=True)
class Kpis:
    """The KPI table and what explains it.

    Attributes:
        table: One row per KPI (DESIGN.md KPI row fields).
        history: KPI values over the last twelve months.
        decomposition: Engagement change = volume × reach per post × interactions per reach.
        why_engagement: Per platform, the decomposition in words (``""`` when not computable).
    """

    table: pd.DataFrame
    history: pd.DataFrame
    decomposition: pd.DataFrame
    why_engagement: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hypotheses:
    """The month's family of comparisons, adjusted once (content and posting-time tests).

    Attributes:
        table: The content comparisons (``HypothesisTable``) with their adjusted p.
        records: results.json ``hypotheses`` rows: the content rows, then one posting-time
            row per platform.
        warnings: Power and confounding warnings, one line each.
    """

    table: Any
    records: list[dict[str, Any]]
    warnings: list[str]

    def frame(self) -> pd.DataFrame:
        """The content comparisons as a frame (DESIGN.md fields plus ``warnings``)."""
        return self.table.to_frame()


@dataclass(frozen=True)
class PostingTimes:
    """Posting times per platform, judged with their family-adjusted p.

    Attributes:
        by_platform: ``PostingTimesResult`` per platform with a time of day.
        summary: results.json ``posting_times`` (per platform, best slots, one verdict).
    """

    by_platform: dict[str, Any]
    summary: dict[str, Any]


@dataclass(frozen=True)
class MonthResults:
    """Everything the monthly report says about one month.

    Attributes:
        month: ``YYYY-MM`` under report.
        window: The rolling window of the content tests, ``YYYY-MM..YYYY-MM``.
        org_name: The organisation's name.
        params: The layered settings the month was computed with.
        data_quality: Files read, deduplication, exclusions, warnings.
        kpis: KPI table, history and engagement decomposition.
        hypotheses: The content and posting-time family.
        posting_times: Posting-time results per platform.
        topics: The topic ranking and next month's mix (``TopicRanking``).
        top_posts: The month's top five posts by interactions.
        what_would_settle: Posts needed for 80 % power at 1.3× per open comparison.
        findings: Three to six plain-language findings with their confidence labels.
        banners: Notices for the leadership page (e.g. most comparisons underpowered).
        next_month: The plan for next month, in plain lines.
        experiments: Running and finished experiments with their status.
        decisions: Last month's logged decisions and what happened.
        website: Social referrals, the blog, UTM check, grant panel and services
            (:class:`workbench.website.results.WebsiteResults`; None when not computed).
        audience: Who we reach (``workbench.audience.AudienceResults``), None when not computed.
        audience_trend: Each audience goal's share at every snapshot (trend charts).
        strategy: The strategy's other questions (``workbench.stats.strategy``): hashtags,
            formats, language (rows adjusted in the month's family), posting frequency and
            the top posts ranked fairly; None when not computed.
    """

    month: str
    window: str
    org_name: str
    params: dict[str, Any]
    data_quality: DataQuality
    kpis: Kpis
    hypotheses: Hypotheses
    posting_times: PostingTimes
    topics: Any
    top_posts: pd.DataFrame
    what_would_settle: pd.DataFrame
    findings: list[dict[str, Any]]
    banners: list[str]
    next_month: list[str]
    experiments: pd.DataFrame
    decisions: pd.DataFrame
    website: Any = None
    audience: Any = None
    audience_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    strategy: Any = None

    def top_posts_records(self, n: int = 3) -> list[dict[str, Any]]:
        """The top ``n`` posts as results.json rows (public post data only)."""
        from workbench.wording import excerpt

        return [
            {
                "platform": r.platform,
                "post_id": r.post_id,
                "published_at": r.published_at.isoformat() if pd.notna(r.published_at) else None,
                "caption_excerpt": excerpt(r.caption),
                "exposure": None if pd.isna(r.exposure) else float(r.exposure),
                "exposure_kind": r.exposure_kind if isinstance(r.exposure_kind, str) else None,
                "interactions": None if pd.isna(r.interactions) else int(r.interactions),
                "permalink": r.permalink if isinstance(r.permalink, str) else None,
            }
            for r in self.top_posts.head(n).itertuples(index=False)
        ]

    def to_json(self) -> dict[str, Any]:
        """The analysis sections of results.json (the runner adds provenance)."""
        return jsonable({
            "kpis": self.kpis.table,
            "hypotheses": self.hypotheses.records,
            "posting_times": self.posting_times.summary,
            "topics": self.topics.to_json(),
            "warnings": [*self.data_quality.warnings, *self.hypotheses.warnings,
                         *self.website_warnings()],
            "data_quality": self.data_quality.to_json(),
            "warnings_ingest": self.data_quality.warnings,
            "kpi_history": self.kpis.history,
            "kpi_decomposition": self.kpis.decomposition,
            "warnings_hypotheses": self.hypotheses.warnings,
            "what_would_settle": self.what_would_settle,
            "findings": self.findings,
            "top_posts": self.top_posts_records(3),
            "next_month": self.next_month,
            "experiments": self.experiments,
            "decisions": self.decisions,
            **self.website_json(),
            "audience": self.audience.to_json() if self.audience is not None else None,
            "strategy": self.strategy.to_json() if self.strategy is not None else None,
        })

    def website_warnings(self) -> list[str]:
        """The website notes for the warnings (the UTM problems, missing tables)."""
        return list(self.website.warnings) if self.website is not None else []

    def website_json(self) -> dict[str, Any]:
        """results.json ``website`` and ``grant`` (DESIGN.md), and the website warnings."""
        if self.website is None:
            return {}
        out = jsonable(self.website.to_json())
        ctr = self.website.grant.ctr_by_month
        if not ctr.empty:  # the grant's CTR history up to the report month (the panel's chart)
            out["grant"]["ctr_by_month"] = jsonable(
                ctr[ctr["month"].astype(str) <= self.month][["month", "ctr"]])
        return {**out, "warnings_website": self.website_warnings()}

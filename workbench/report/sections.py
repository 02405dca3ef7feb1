"""Each report section computed once, from a :class:`MonthContext`.

The notebooks call these functions and show their results; the values they record go into
results.json. Nothing here reads files beyond what the context already loaded.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.kpis import kpi_frame as kpi_frame  # re-exported for the notebooks
from workbench.kpis import kpi_history, kpi_table, months_between, posts_in_month, service_kpis
from workbench.report.context import MonthContext

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


def trend_kpis(params: dict[str, Any]) -> list[tuple[str, str]]:
    """:data:`TREND_KPIS`, then the organisation's own service KPIs (org.yaml)."""
    return [*TREND_KPIS, *(("services", kpi) for kpi in service_kpis(params))]


# --------------------------------------------------------------------------- data quality
def files_table(ctx: MonthContext) -> pd.DataFrame:
    """One row per export read: kind, rows, account, date range, snapshot, warnings."""
    rows = []
    for entry in ctx.ingest_log.get("files", []):
        rows.append(
            {
                "file": entry.get("path"),
                "kind": entry.get("label") or entry.get("kind"),
                "rows": entry.get("rows"),
                "account": entry.get("account"),
                "from": (entry.get("date_min") or "")[:10],
                "to": (entry.get("date_max") or "")[:10],
                "downloaded": (entry.get("snapshot_at") or "")[:16].replace("T", " "),
                "unknown columns": len(entry.get("unknown_columns") or []),
                "warnings": len(entry.get("warnings") or []),
            }
        )
    return pd.DataFrame(rows)


def ingest_warnings(ctx: MonthContext) -> list[str]:
    """Every warning of the ingest log, prefixed with its file."""
    lines = [str(w) for w in ctx.ingest_log.get("warnings", [])]
    for entry in ctx.ingest_log.get("files", []):
        lines.extend(f"{entry.get('path')}: {w}" for w in entry.get("warnings") or [])
    return lines


def metric_definition_changes(ctx: MonthContext) -> list[str]:
    """Metric definition changes among the files read (e.g. Impressions→Views), in words."""
    from workbench.report.display import PLATFORM_LABELS

    changes = ctx.ingest_log.get("metric_definition_changes") or []
    lines = []
    for change in changes:
        if not isinstance(change, dict):
            lines.append(str(change))
            continue
        with_files = change.get("files_with") or []
        without = change.get("files_without") or []
        platform = PLATFORM_LABELS.get(change.get("platform"), change.get("platform"))
        lines.append(
            f"{platform} '{change.get('metric')}': present in {len(with_files)} file(s), absent "
            f"in {len(without)} (e.g. {_short(without[0]) if without else '–'}); figures on "
            "either side of the change are not comparable."
        )
    return lines


def _short(path: str) -> str:
    return path if len(path) <= 60 else "…" + path[-59:]


def window_posts(ctx: MonthContext):
    """The rolling window's posts prepared for the content models (a PreparedPosts)."""
    from workbench.stats.outcomes import prepare_posts

    return prepare_posts(ctx.posts, ctx.labels, window=ctx.window,
                         min_age_days=int(ctx.params.get("min_post_age_days", 7)))


def excluded_posts(ctx: MonthContext) -> pd.DataFrame:
    """Posts of the window left out of the content tests, by reason (never silent)."""
    excluded = window_posts(ctx).excluded
    keep = [c for c in ("reason", "count", "platform") if c in excluded.columns]
    return excluded[keep] if keep else excluded


def dedupe_summary(ctx: MonthContext) -> dict[str, Any]:
    """Dedupe counts from the ingest log (rows read vs kept per table)."""
    return dict(ctx.ingest_log.get("dedupe") or {})


# --------------------------------------------------------------------------- KPIs
def kpis(ctx: MonthContext) -> pd.DataFrame:
    """The KPI table with previous month, change and the interval of the change (post KPIs)."""
    from workbench.stats.kpi_change import change_interval

    def interval(platform: str, kpi: str):
        return change_interval(ctx.posts, platform, kpi, ctx.month, ctx.params)

    return kpi_table(ctx.tables, ctx.month, change_interval=interval,
                     service_kpis=service_kpis(ctx.params))


def kpi_trend_history(ctx: MonthContext, months: int = 12) -> pd.DataFrame:
    """KPI values over the last ``months`` months up to the report month."""
    last = pd.Period(ctx.month, freq="M")
    return kpi_history(ctx.tables, months_between(str(last - (months - 1)), ctx.month),
                       service_kpis(ctx.params))


def month_posts(ctx: MonthContext) -> pd.DataFrame:
    """Every post published in the report month, all platforms."""
    frames = [
        posts_in_month(ctx.posts, p, ctx.month) for p in ctx.posts["platform"].dropna().unique()
    ]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else ctx.posts.iloc[0:0]


def top_posts(ctx: MonthContext, n: int = 3) -> pd.DataFrame:
    """The month's top ``n`` posts by interactions (organic and boosted alike, flagged)."""
    from workbench.report.display import top_posts as rank

    return rank(month_posts(ctx), n)


def top_posts_records(top: pd.DataFrame) -> list[dict[str, Any]]:
    """Top posts as results.json rows: public post data only, no commenter data exists here."""
    from workbench.report.display import excerpt

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
        for r in top.itertuples(index=False)
    ]


def engagement_decomposition(ctx: MonthContext) -> pd.DataFrame:
    """Per platform: engagement change = volume × reach per post × interactions per reach."""
    from workbench.stats.kpi_change import decompose_change

    frames = []
    for platform in sorted(ctx.posts["platform"].dropna().unique()):
        table = decompose_change(ctx.posts, platform, ctx.month)
        if table is not None and len(table):
            frames.append(table.assign(platform=platform) if "platform" not in table else table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --------------------------------------------------------------------------- statistics
def hypotheses(ctx: MonthContext):
    """The month's content hypotheses over the rolling window (a HypothesisTable)."""
    from workbench.stats.hypotheses import run_hypotheses

    return run_hypotheses(ctx.posts, ctx.labels, ctx.params, ctx.month, ctx.tables.get("daily"))


def content_family(ctx: MonthContext):
    """The month's exploratory family (statistics.md §3.1): H1/H2/topics and the H3 time test.

    Every p-value printed in the report is adjusted together (BH at ``fdr_q``; Holm for the
    ids in ``registered_hypotheses``), so the posting-time test shares the family.

    Returns:
        ``(table, posting, records)``: the HypothesisTable with adjusted p and confidence, the
        PostingTimesResult judged with its adjusted p, and the results.json rows (H3 last).
    """
    from dataclasses import replace

    from workbench.stats.confidence import confidence_label
    from workbench.stats.hypotheses import HypothesisTable
    from workbench.stats.multiple import adjust_family

    table = hypotheses(ctx)
    posting = posting_times(ctx)
    timed = list(posting)
    ids = [r.id for r in table.results] + ["posting_time"] * len(timed)
    p_values = [r.p_value for r in table.results] + [posting[p].p_value for p in timed]
    adjusted = adjust_family(ids, p_values,
                             registered=ctx.params.get("registered_hypotheses") or (),
                             alpha=float(ctx.params.get("alpha", 0.05)))
    n_content = len(table.results)
    results = [
        replace(r, p_adjusted=float(p), confidence=confidence_label(
            float(p), r.ci_low, r.ci_high, r.underpowered, r.method))
        for r, p in zip(table.results, adjusted[:n_content], strict=True)
    ]
    table = HypothesisTable(results=results, month=table.month, window=table.window,
                            prepared=table.prepared)
    time_records = []
    for platform, p_adj in zip(timed, adjusted[n_content:], strict=True):
        p_time = float(p_adj) if p_adj == p_adj else None
        posting[platform] = posting[platform].with_adjusted_p(p_time)
        record = posting[platform].hypothesis_record()
        record["confidence"] = confidence_label(p_time, None, None,
                                                bool(record.get("underpowered")),
                                                str(record.get("method")))
        time_records.append(record)
    return table, posting, [*table.to_records(details=True), *time_records]


def posting_times_in_family(ctx: MonthContext) -> dict[str, Any]:
    """Per-platform posting times judged with the family-adjusted p of the hypotheses notebook."""
    rows = recorded_or_none(ctx, "hypotheses")
    if rows is None:
        return content_family(ctx)[1]
    adjusted = {r.get("platform"): r.get("p_adjusted") for r in rows
                if r.get("id") == "posting_time"}
    return {p: r.with_adjusted_p(adjusted.get(p)) for p, r in posting_times(ctx).items()}


def recorded_or_none(ctx: MonthContext, name: str):
    """What an earlier notebook of this run recorded under ``name``, or None."""
    from workbench.report.record import recorded

    return recorded(ctx.results_dir, name)


#: Platforms whose exports carry a time of day (LinkedIn gives only the UTC date).
DEFAULT_TIMED_PLATFORMS = ("facebook", "instagram", "tiktok")


def posting_time_platforms(ctx: MonthContext) -> list[str]:
    """Platforms analysed for posting times: those with posts and a real time of day."""
    configured = (ctx.params.get("posting_times") or {}).get("platforms")
    allowed = list(configured) if configured else list(DEFAULT_TIMED_PLATFORMS)
    present = set(ctx.posts["platform"].dropna())
    return [p for p in allowed if p in present]


def posting_times(ctx: MonthContext) -> dict[str, Any]:
    """Posting-time analysis per platform over the rolling window (statistics.md §4).

    One joint test of the time terms per platform (§3.1); a best time needs 100 posts on
    that platform in the window (§4.4). Platforms whose exports have no time of day
    (LinkedIn) are left out: their posts would all sit at the same placeholder hour.
    """
    from workbench.stats.posting_times import analyse_posting_times

    return {
        platform: analyse_posting_times(ctx.posts, ctx.labels, params=ctx.params,
                                        month=ctx.month, platform=platform)
        for platform in posting_time_platforms(ctx)
    }


def posting_times_summary(results: dict[str, Any]) -> dict[str, Any]:
    """results.json ``posting_times``: per-platform results plus one combined verdict."""
    from workbench.report.display import PLATFORM_LABELS

    by_platform = {p: r.to_json() for p, r in results.items()}
    best = {p: r.best_slot for p, r in results.items() if r.best_slot}
    if best:
        verdict = " ".join(f"{PLATFORM_LABELS.get(p, p)}: {results[p].verdict}" for p in best)
    elif results:
        verdict = ("No posting time stands out reliably yet on "
                   + ", ".join(PLATFORM_LABELS.get(p, p) for p in results)
                   + "; keep varying posting times (or randomise them in an experiment) "
                     "so the question can be settled.")
    else:
        verdict = "No platform with timed posts in the window."
    return {"by_platform": by_platform, "best_slot": best or None, "verdict": verdict,
            "platforms": list(results)}


def topics(ctx: MonthContext):
    """Topic ranking and next month's recommended mix (a TopicRanking)."""
    from workbench.stats.topics import rank_topics

    return rank_topics(ctx.posts, ctx.labels, params=ctx.params, month=ctx.month)


def recorded_or(ctx: MonthContext, name: str, compute):
    """What an earlier notebook of this run recorded under ``name``, else ``compute()``.

    The leadership summary shows the numbers the analyst notebooks recorded, so the page and
    results.json cannot disagree; interactively it computes them itself.
    """
    from workbench.report.record import jsonable, recorded

    value = recorded(ctx.results_dir, name)
    if value is not None:
        return value
    return jsonable(compute())


def hypotheses_records(ctx: MonthContext) -> list[dict[str, Any]]:
    """Recorded hypothesis rows of the month's family (or computed now)."""
    return recorded_or(ctx, "hypotheses", lambda: content_family(ctx)[2])


def kpi_records(ctx: MonthContext) -> list[dict[str, Any]]:
    """Recorded KPI rows (or computed now)."""
    return recorded_or(ctx, "kpis", lambda: kpis(ctx))


def posting_times_record(ctx: MonthContext) -> dict[str, Any]:
    """Recorded posting-time result (or computed now)."""
    return recorded_or(ctx, "posting_times",
                       lambda: posting_times_summary(posting_times_in_family(ctx)))


def topics_record(ctx: MonthContext) -> dict[str, Any]:
    """Recorded topic ranking (or computed now)."""
    return recorded_or(ctx, "topics", lambda: topics(ctx).to_json())


# --------------------------------------------------------------------------- findings
CONFIDENCE_ORDER = {"strong": 0, "suggestive": 1, "inconclusive": 2}
HEADLINE_KPIS = (
    ("facebook", "post_engagement"),
    ("instagram", "post_engagement"),
    ("linkedin", "post_engagement"),
    ("tiktok", "avg_views_per_video"),
    ("website", "visits"),
)


def kpi_finding(kpi: dict[str, Any]) -> dict[str, Any] | None:
    """A sentence on one KPI's month-over-month change, with how sure we are."""
    from workbench.report.display import PLATFORM_LABELS, fmt_number, kpi_label

    value, previous, change = kpi.get("value"), kpi.get("previous"), kpi.get("change_pct")
    if value is None or previous is None or change is None:
        return None
    label = (
        f"{PLATFORM_LABELS.get(kpi['platform'], kpi['platform'])} "
        f"{kpi_label(kpi['kpi']).lower()}"
    )
    direction = "up" if change > 0 else "down"
    text = (
        f"{label} was {fmt_number(value, kpi['kpi'])}, {direction} {abs(change):.0f}% from "
        f"{fmt_number(previous, kpi['kpi'])} last month"
    )
    low, high = kpi.get("ci_low"), kpi.get("ci_high")
    if low is not None and high is not None:
        if low > 0 or high < 0:
            text += f" (95% interval {low:+.0f}% to {high:+.0f}%: a real change)"
            confidence = "strong"
        else:
            text += (
                f" (95% interval {low:+.0f}% to {high:+.0f}%: within the month-to-month "
                "noise of a few posts)"
            )
            confidence = "inconclusive"
    else:
        confidence = ""
    return {"kind": "kpi", "text": text + ".", "confidence": confidence}


def _why_engagement_changed(ctx: MonthContext, platform: str) -> str:
    """``"; in detail: +15 % interactions = +20 % posts × ..."`` ("." when not computable)."""
    from workbench.stats.kpi_change import decompose_change, decomposition_sentence

    table = decompose_change(ctx.posts, platform, ctx.month)
    if table is None or table.empty or table["change_pct"].isna().any():
        return "."
    return f"; in detail: {decomposition_sentence(table)}."


def findings(
    ctx: MonthContext,
    kpis_rows: list[dict],
    hypothesis_rows: list[dict],
    posting: dict[str, Any],
    topic_ranking: dict[str, Any],
    max_findings: int = 6,
) -> list[dict[str, Any]]:
    """Three to six plain-language findings for leadership, each with a confidence label.

    Order: content hypotheses with strong or suggestive evidence first, then the headline KPI
    changes, then the posting-time verdict and the topic recommendation. Inconclusive content
    tests are summarised in one line rather than listed.
    """
    from workbench.stats.confidence import plain_finding

    out: list[dict[str, Any]] = []
    # the posting-time test is worded by its own verdict below
    content_rows = [h for h in hypothesis_rows if h.get("id") != "posting_time"]
    tested = [h for h in content_rows if h.get("method") != "insufficient"]
    ranked = sorted(
        tested,
        key=lambda h: (
            CONFIDENCE_ORDER.get(h.get("confidence"), 3),
            h.get("p_adjusted") if h.get("p_adjusted") is not None else 1.0,
        ),
    )
    for row in ranked:
        if row.get("confidence") in ("strong", "suggestive") and len(out) < 3:
            out.append(
                {
                    "kind": "hypothesis",
                    "id": row.get("id"),
                    "platform": row.get("platform"),
                    "text": plain_finding(row),
                    "confidence": row.get("confidence"),
                }
            )
    rest = [h for h in tested if h.get("confidence") == "inconclusive"]
    if rest:
        names = sorted({str(h.get("id")).replace("topic:", "").replace("_", " ") for h in rest})
        out.append(
            {
                "kind": "hypothesis_summary",
                "confidence": "inconclusive",
                "text": (
                    f"No clear difference yet for {len(names)} other content "
                    f"comparison{'s' if len(names) != 1 else ''} ("
                    + ", ".join(names[:6])
                    + ("…" if len(names) > 6 else "")
                    + "); more posts are needed before acting on them."
                ),
            }
        )
    by_key = {(k.get("platform"), k.get("kpi")): k for k in kpis_rows}
    for key in HEADLINE_KPIS:
        if len(out) >= max_findings - 2:
            break
        kpi = by_key.get(key)
        finding = kpi_finding(kpi) if kpi else None
        if finding:
            if key[1] == "post_engagement":
                finding["text"] = finding["text"][:-1] + _why_engagement_changed(ctx, key[0])
            out.append(finding)
    verdict = (posting or {}).get("verdict")
    if verdict:
        confidence = "suggestive" if (posting or {}).get("best_slot") else "inconclusive"
        out.append({"kind": "posting_times", "text": str(verdict), "confidence": confidence})
    plan = (topic_ranking or {}).get("plan") or (topic_ranking or {}).get("plan_text")
    if plan and len(out) < max_findings:
        text = plan[0] if isinstance(plan, list) else str(plan)
        out.append({"kind": "topics", "text": text, "confidence": ""})
    return out[:max_findings]


# --------------------------------------------------------------------------- display helpers
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


def hypothesis_warnings(frame: pd.DataFrame) -> list[str]:
    """Underpowered and confounding warnings of the hypotheses, one line each, deduplicated."""
    lines: list[str] = []
    for row in frame.to_dict(orient="records"):
        for warning in row.get("warnings") or []:
            line = f"{row['id']} ({row['platform']}): {warning}"
            if line not in lines:
                lines.append(line)
    return lines


def summary_banners(hypothesis_rows: list[dict[str, Any]]) -> list[str]:
    """The underpowered banner for leadership when most comparisons could not detect 1.5×."""
    content_rows = [h for h in hypothesis_rows if h.get("id") != "posting_time"]
    tested = [h for h in content_rows if h.get("method") != "insufficient"]
    under = [h for h in content_rows if h.get("underpowered")]
    if content_rows and len(under) >= max(1, len(content_rows) // 2):
        return [
            f"{len(under)} of {len(content_rows)} content comparisons had too few posts to "
            "detect even a 1.5× difference, so “inconclusive” mostly means “not enough posts "
            f"yet” ({len(tested)} could be tested at all)."
        ]
    return []


def what_would_settle(ctx: MonthContext, hypothesis_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Total posts needed for 80% power at a 1.3× effect, for each open comparison.

    The mean interactions per post and the NB dispersion are estimated from the analysable
    posts of the window on the comparison's platform (an intercept-only NB2 fit).
    """
    from workbench.stats.nb import fit_nb
    from workbench.stats.power import posts_needed

    data = window_posts(ctx).data
    baseline: dict[str, tuple[float, float] | None] = {}
    rows = []
    for row in hypothesis_rows:
        if row.get("confidence") == "strong" or row.get("id") == "posting_time":
            continue
        platform = row.get("platform") or "all"
        if platform not in baseline:
            subset = data if platform == "all" else data[data["platform"] == platform]
            fit = fit_nb(subset, "y", None, []) if len(subset) >= 10 else None
            baseline[platform] = (
                (float(subset["y"].mean()), float(fit.alpha))
                if fit is not None and fit.converged and fit.alpha == fit.alpha
                else None
            )
        groups = row.get("n_group") or {}
        needed = None
        if baseline[platform] is not None:
            mu0, dispersion = baseline[platform]
            try:
                needed = posts_needed(
                    1.3,
                    mu0=mu0,
                    dispersion=max(dispersion, 1e-6),
                    share_labelled=min(max(_share(groups), 0.05), 0.95),
                )
            except (TypeError, ValueError, ArithmeticError):
                needed = None
        rows.append(
            {
                "comparison": row.get("id"),
                "platform": platform,
                "posts now (with vs without)": (
                    f"{groups.get('with', 0)} vs {groups.get('without', 0)}"
                ),
                "detectable now (MDE)": row.get("mde"),
                "posts needed in total for 1.3×": needed,
            }
        )
    return pd.DataFrame(rows)


def _share(groups: dict[str, Any]) -> float:
    with_n, without_n = float(groups.get("with", 0)), float(groups.get("without", 0))
    total = with_n + without_n
    return with_n / total if total else 0.4


def next_month_plan(topic_ranking: dict[str, Any], posting: dict[str, Any]) -> list[str]:
    """Plain lines: recommended topic mix, the posting-time advice, a reminder on evidence."""
    lines: list[str] = []
    plan = (topic_ranking or {}).get("plan") or (topic_ranking or {}).get("plan_text") or []
    lines.extend(plan if isinstance(plan, list) else [str(plan)])
    verdict = (posting or {}).get("verdict")
    if verdict:
        lines.append(f"Posting times: {verdict}")
    return lines


INTERACTIONS_DEFINITION = {
    "facebook": "reactions + comments + shares (Meta's “Reactions, Comments and Shares”)",
    "instagram": "likes + comments + shares + saves",
    "linkedin": "likes + comments + reposts (clicks are reported separately)",
    "tiktok": "likes + comments + shares",
}


def report_footer_lines() -> list[str]:
    """How to read the report: confidence labels, interactions, sums of daily values."""
    from workbench.stats.confidence import CONFIDENCE_FOOTER

    lines = [CONFIDENCE_FOOTER]
    lines.extend(
        f"{p.capitalize()} interactions = {d}." for p, d in INTERACTIONS_DEFINITION.items()
    )
    lines.append(
        "Post figures are lifetime totals at the time of download, for posts published in the "
        "month. “Sum of daily” figures add daily values and may count a person more than once; "
        "monthly unique reach is typed from Meta's screen (it cannot be summed from days)."
    )
    return lines


# --------------------------------------------------------------------------- experiments
def _experiment_registries(ctx: MonthContext) -> list[Any]:
    """Registry folders besides params/experiments: the sample's own, when reporting on it."""
    if ctx.raw_dir is not None and (ctx.raw_dir / "experiments").is_dir():
        return [ctx.raw_dir / "experiments"]
    return []


def experiments(ctx: MonthContext) -> pd.DataFrame:
    """Running and finished pre-registered experiments with their status and results."""
    from pathlib import Path

    from workbench.config import PROJECT_ROOT
    from workbench.experiments.status import experiments_status

    params_dir = ctx.params_dir or PROJECT_ROOT / "params"
    reports_dir = Path(ctx.params.get("reports_dir") or PROJECT_ROOT / "reports")
    return experiments_status(params_dir, reports_dir, ctx.tables, ctx.month, params=ctx.params,
                              registries=_experiment_registries(ctx))


def decisions(ctx: MonthContext) -> pd.DataFrame:
    """Last month's logged decisions: was the mix changed, how did the watched metric move."""
    from workbench.config import PROJECT_ROOT
    from workbench.experiments.decisions import REVIEW_COLUMNS, decisions_review

    params_dir = ctx.params_dir or PROJECT_ROOT / "params"
    path = params_dir / "decisions.yaml"
    if not path.exists():
        return pd.DataFrame(columns=list(REVIEW_COLUMNS))
    registries = [params_dir / "experiments", *_experiment_registries(ctx)]
    return decisions_review(path, ctx.tables, ctx.month, ctx.params, registries=registries)


def experiment_lines(status: pd.DataFrame) -> list[str]:
    """One plain line per experiment (its status and, when finished, what was found)."""
    lines = []
    for row in status.to_dict(orient="records"):
        summary = row.get("summary")
        lines.append(str(summary) if summary else f"{row['name']}: {row['status']}")
    return lines


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

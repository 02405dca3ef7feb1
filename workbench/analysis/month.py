"""``analyse_month(ctx) -> MonthResults``: the month's analysis, computed once.

The result is cached on disk under ``<processed>/.month-cache/``, keyed by the hash of the
canonical tables, the settings, the experiment and decision files and the package's code, so
the runner and the six notebooks of a report (and a re-run on unchanged data) share one
computation. A changed table, setting or line of code gives a new key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import pickle
import time
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import wording as W
from workbench.analysis.context import MonthContext
from workbench.analysis.results import (
    DataQuality,
    Hypotheses,
    Kpis,
    MonthResults,
    PostingTimes,
)
from workbench.config import PROJECT_ROOT
from workbench.jsonsafe import jsonable
from workbench.month import Month
from workbench.platforms import TIMED_PLATFORMS

CACHE_DIR = ".month-cache"
PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: Headline KPIs worded as findings, in order.
HEADLINE_KPIS = (
    ("facebook", "post_engagement"),
    ("instagram", "post_engagement"),
    ("linkedin", "post_engagement"),
    ("tiktok", "avg_views_per_video"),
    ("website", "visits"),
)
CONFIDENCE_ORDER = {"strong": 0, "suggestive": 1, "inconclusive": 2}


# --------------------------------------------------------------------------- data quality
def files_table(ingest_log: dict[str, Any]) -> pd.DataFrame:
    """One row per export read: kind, rows, account, date range, snapshot, warnings."""
    rows = []
    for entry in ingest_log.get("files", []):
        rows.append({
            "file": entry.get("path"),
            "kind": entry.get("label") or entry.get("kind"),
            "rows": entry.get("rows"),
            "account": entry.get("account"),
            "from": (entry.get("date_min") or "")[:10],
            "to": (entry.get("date_max") or "")[:10],
            "downloaded": (entry.get("snapshot_at") or "")[:16].replace("T", " "),
            "unknown columns": len(entry.get("unknown_columns") or []),
            "warnings": len(entry.get("warnings") or []),
        })
    return pd.DataFrame(rows)


def ingest_warnings(ingest_log: dict[str, Any]) -> list[str]:
    """Every warning of the ingest log, prefixed with its file."""
    lines = [str(w) for w in ingest_log.get("warnings", [])]
    for entry in ingest_log.get("files", []):
        lines.extend(f"{entry.get('path')}: {w}" for w in entry.get("warnings") or [])
    return lines


def window_posts(ctx: MonthContext):
    """The rolling window's posts prepared for the content models (a PreparedPosts)."""
    from workbench.stats.outcomes import prepare_posts

    return prepare_posts(ctx.posts, ctx.labels, window=ctx.window,
                         min_age_days=float(ctx.params["min_post_age_days"]))


def data_quality(ctx: MonthContext, prepared) -> DataQuality:
    """Files read, deduplication, posts left out of the tests and every ingest warning."""
    excluded = prepared.excluded
    keep = [c for c in ("reason", "count", "platform") if c in excluded.columns]
    return DataQuality(
        files=files_table(ctx.ingest_log),
        dedupe=dict(ctx.ingest_log.get("dedupe") or {}),
        excluded_posts=excluded[keep] if keep else excluded,
        metric_definition_changes=W.metric_definition_change_lines(
            ctx.ingest_log.get("metric_definition_changes") or []),
        warnings=ingest_warnings(ctx.ingest_log),
        skipped=skipped_files(ctx.ingest_log),
    )


def skipped_files(ingest_log: dict[str, Any]) -> list[dict[str, str]]:
    """The files ingest skipped as not exports we read (``file``, ``reason``), issue 10 §1."""
    return [{"file": str(s.get("file", "")), "reason": str(s.get("reason", ""))}
            for s in ingest_log.get("skipped") or []]


# --------------------------------------------------------------------------- KPIs
def month_posts(ctx: MonthContext) -> pd.DataFrame:
    """Every post published in the report month, all platforms."""
    from workbench.kpis import posts_in_month

    frames = [posts_in_month(ctx.posts, p, ctx.month)
              for p in ctx.posts["platform"].dropna().unique()]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else ctx.posts.iloc[0:0]


def top_posts(posts: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` posts with most interactions (ties by exposure), boosted ones included."""
    from workbench.kpis import exposure_of

    if posts.empty:
        return posts.assign(exposure=pd.Series(dtype="Float64"))
    ranked = posts.assign(exposure=exposure_of(posts))
    return ranked.sort_values(["interactions", "exposure"], ascending=False,
                              na_position="last").head(n)


def kpis(ctx: MonthContext) -> Kpis:
    """The KPI table with change intervals, twelve months of history and the decomposition."""
    from workbench.kpis import (
        KpiValues,
        basis_posts,
        kpi_history,
        leadership_kpi_table,
        post_age_basis,
        service_kpis,
    )
    from workbench.stats.kpi_change import decompose_change, decomposition_sentence

    # Post metrics on the age basis (every download of every post), intervals on the same
    # basis, noise bands for the page-level figures.
    on_basis = basis_posts(ctx.posts, ctx.tables.get("post_snapshots"),
                           post_age_basis(ctx.params))
    values = KpiValues(ctx.tables)  # the table, its bands and the trends share KPI-months
    table = leadership_kpi_table(ctx.tables, ctx.month, ctx.params, on_basis=on_basis,
                                 values=values)
    first = ctx.period.shift(-11)
    history = kpi_history(ctx.tables, [str(m) for m in Month.range(first, ctx.period)],
                          service_kpis(ctx.params), values=values)
    frames, why = [], {}
    for platform in sorted(ctx.posts["platform"].dropna().unique()):
        decomposition = decompose_change(on_basis, platform, ctx.month)
        if decomposition is None or decomposition.empty:
            why[platform] = ""
            continue
        frames.append(decomposition if "platform" in decomposition
                      else decomposition.assign(platform=platform))
        why[platform] = ("" if decomposition["change_pct"].isna().any()
                         else decomposition_sentence(decomposition))
    decomposition = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Kpis(table=table, history=history, decomposition=decomposition, why_engagement=why)


# --------------------------------------------------------------------------- statistics
def posting_time_platforms(ctx: MonthContext) -> list[str]:
    """Platforms analysed for posting times: configured, with posts and a time of day."""
    configured = ctx.params["posting_times"].get("platforms") or TIMED_PLATFORMS
    present = set(ctx.posts["platform"].dropna())
    return [p for p in configured if p in present and p in TIMED_PLATFORMS]


def hypotheses_and_times(ctx: MonthContext, extra_rows=()) -> tuple[Hypotheses, PostingTimes]:
    """The month's family: content comparisons and the posting-time test, adjusted once.

    ``run_hypotheses`` adjusts the whole family (BH at ``fdr_q``; Holm for the ids in
    ``registered_hypotheses``), the posting-time tests and ``extra_rows`` (the strategy
    comparisons, appended after the content rows) included; each platform's posting times are
    then judged with their adjusted p.
    """
    from workbench.stats.confidence import confidence_label, label_levels
    from workbench.stats.hypotheses import run_hypotheses
    from workbench.stats.posting_times import analyse_posting_times

    raw_times = {p: analyse_posting_times(ctx.posts, ctx.labels, params=ctx.params,
                                          month=ctx.month, platform=p)
                 for p in posting_time_platforms(ctx)}
    table = run_hypotheses(ctx.posts, ctx.labels, ctx.params, ctx.month, ctx.tables.get("daily"),
                           extra_tests={p: r.p_value for p, r in raw_times.items()},
                           extra_results=list(extra_rows), previous=previous_labels(ctx),
                           held_note=W.label_held_sentence, retest_extra=strategy_retest(ctx))
    strong_at, suggestive_at = label_levels(ctx.params)
    levels = {"strong_at": strong_at, "suggestive_at": suggestive_at}
    by_platform, time_records = {}, []
    last_times = previous_posting_times(ctx)
    for platform, result in raw_times.items():
        judged = result.with_adjusted_p(table.extra_adjusted.get(platform))
        record = judged.hypothesis_record()
        record["confidence"] = confidence_label(judged.p_adjusted, None, None,
                                                bool(record.get("underpowered")),
                                                str(record.get("method")), **levels)
        judged, record = hold_posting_time(ctx, judged, record, last_times.get(platform))
        by_platform[platform] = judged
        time_records.append(record)
    content = table.to_records(details=True)
    _word_strategy_records(content, table.results, len(extra_rows))
    hypotheses = Hypotheses(table=table, records=[*content, *time_records],
                            warnings=W.hypothesis_warning_lines(table.to_frame().to_dict("records")))
    best = {p: r.best_slot for p, r in by_platform.items() if r.best_slot}
    summary = {
        "by_platform": {p: r.to_json() for p, r in by_platform.items()},
        "best_slot": best or None,
        "verdict": W.posting_times_verdict({p: by_platform[p].verdict for p in best},
                                           list(by_platform)),
        "platforms": list(by_platform),
    }
    return hypotheses, PostingTimes(by_platform=by_platform, summary=jsonable(summary))


def _previous_results_path(ctx: MonthContext) -> Path:
    return _reports_dir(ctx) / ctx.previous_month / "results.json"


def _previous_results(ctx: MonthContext) -> dict[str, Any]:
    """Last month's results.json (the report leadership saw); {} when absent or unreadable."""
    try:
        results = json.loads(_previous_results_path(ctx).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return results if isinstance(results, dict) else {}


def _publication_months(posts: pd.DataFrame) -> pd.Series:
    """Each post's ``YYYY-MM`` on the organisation's calendar."""
    return pd.to_datetime(posts["published_at"]).dt.strftime("%Y-%m")


def previous_labels(ctx: MonthContext) -> dict[tuple[str, str], dict[str, Any]]:
    """Last month's content rows by ``(id, platform)``: its ``confidence`` and ``window``.

    Read from last month's results.json (the report leadership saw); empty when there is none
    or it cannot be read, and then no label is held (issue 11 §4, `hold_firm_up`).
    """
    rows = _previous_results(ctx).get("hypotheses")
    if not isinstance(rows, list):
        return {}
    return {(str(r["id"]), str(r["platform"])): {"confidence": r.get("confidence"),
                                                 "window": r.get("window")}
            for r in rows if isinstance(r, dict) and "id" in r and "platform" in r
            and r["id"] != "posting_time"}


def previous_posting_times(ctx: MonthContext) -> dict[str, dict[str, Any]]:
    """Last month's posting-time verdict per platform: ``confidence``, ``window``, ``best_slot``.

    From last month's results.json (empty when there is none or it cannot be read).
    """
    results = _previous_results(ctx)
    rows = results.get("hypotheses")
    try:
        slots = {str(p): (v or {}).get("best_slot") for p, v in
                 ((results.get("posting_times") or {}).get("by_platform") or {}).items()}
    except (TypeError, AttributeError):
        return {}
    if not isinstance(rows, list):
        return {}
    return {str(r["platform"]): {"confidence": r.get("confidence"), "window": r.get("window"),
                                 "best_slot": slots.get(str(r["platform"]))}
            for r in rows if isinstance(r, dict) and r.get("id") == "posting_time"
            and "platform" in r}


def hold_posting_time(ctx: MonthContext, judged, record: dict[str, Any],
                      last: dict[str, Any] | None):
    """The hold rule (issue 11 §4) for one platform's posting-time verdict.

    A verdict firms up when its label rises above last month's or it names a best slot last
    month's did not. On overlapping windows that is mostly the same posts seen twice, so it
    stands only when the posts outside last month's window, analysed alone, give a joint time
    test with p ≤ ``alpha``; otherwise the label and (when it named no slot) last month's
    "no time stands out" are kept, ``label_held_from`` records the label it would have had and
    ``label_note`` says why.

    Returns:
        (the PostingTimesResult to report, its hypothesis record).
    """
    import dataclasses

    from workbench.params import setting
    from workbench.stats.hypotheses import LABEL_RANK, _window_of
    from workbench.stats.posting_times import analyse_posting_times

    if not last:
        return judged, record
    last_label = last.get("confidence")
    rank_up = last_label in LABEL_RANK and (
        LABEL_RANK.get(record["confidence"], 0) > LABEL_RANK[last_label])
    slot_up = judged.best_slot is not None and not last.get("best_slot")
    this = _window_of(judged.window)
    if not (rank_up or slot_up) or this is None:
        return judged, record
    previous_window = _window_of(last.get("window")) or (
        str(pd.Period(this[0], freq="M") - 1), str(pd.Period(this[1], freq="M") - 1))
    if previous_window[1] < this[0]:
        return judged, record  # no overlap: nothing was seen twice
    posts = ctx.posts
    platform_posts = posts.loc[(posts["platform"] == judged.platform).fillna(False).to_numpy()]
    month = _publication_months(platform_posts)
    in_window = (month >= this[0]) & (month <= this[1])
    new = in_window & (month > previous_window[1])
    n_new, n_total = int(new.sum()), int(in_window.sum())
    alpha = float(setting(ctx.params, "alpha"))
    p_new = None
    if n_new:
        alone = analyse_posting_times(platform_posts.loc[new.to_numpy()], ctx.labels,
                                      params=ctx.params, month=ctx.month,
                                      platform=judged.platform)
        p_new = float(alone.p_value) if alone.p_value is not None else None
    record = {**record, "new_posts_n": n_new, "new_posts_p": p_new}
    if p_new is not None and math.isfinite(p_new) and p_new <= alpha:
        return judged, record
    if slot_up:
        judged = judged.with_adjusted_p(judged.p_adjusted, allow_best=False)
    note = W.posting_time_held_sentence(
        str(last_label), str(record["confidence"]), n_new, n_total, p_new, alpha,
        slot_held=slot_up)
    if rank_up:
        record = {**record, "label_held_from": record["confidence"],
                  "confidence": str(last_label)}
    judged = dataclasses.replace(judged, notes=[*judged.notes, note])
    return judged, {**record, "label_note": note}


def strategy_retest(ctx: MonthContext):
    """``retest(result, last_window)``: a strategy row on the posts new since last month.

    The hold rule (issue 11 §4, `hold_firm_up`) lets a hashtag, format or language row firm up
    from last month's label only when the posts outside last month's window confirm it alone;
    this runs the strategy comparisons of the month on those posts (once per window) and
    returns the row of the same id and platform, or None when they give none (too few posts).
    """
    from workbench.stats.strategy import strategy_comparisons

    found: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}

    def retest(result, last: tuple[str, str]):
        if last not in found:
            posts = ctx.posts
            month = _publication_months(posts)
            new = posts.loc[(month > last[1]).fillna(False).to_numpy()]
            rows = strategy_comparisons(new, ctx.labels, ctx.tables.get("daily"), ctx.params,
                                        ctx.month).rows if len(new) else []
            found[last] = {(r.id, r.platform): r for r in rows}
        return found[last].get((result.id, result.platform))

    return retest


def what_would_settle(prepared, hypothesis_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Total posts needed for 80% power at a 1.3× effect, for each open comparison.

    The mean interactions per post and the NB dispersion are estimated from the analysable
    posts of the window on the comparison's platform (an intercept-only NB2 fit).
    """
    from workbench.stats.nb import fit_nb
    from workbench.stats.power import posts_needed

    data = prepared.data
    baseline: dict[str, tuple[float, float] | None] = {}
    rows = []
    for row in hypothesis_rows:
        if row.get("confidence") == "strong" or row.get("id") == "posting_time":
            continue
        if str(row.get("id")).startswith("posting_frequency"):
            continue  # weeks, not labelled posts: the 1.3× sample size does not apply
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
                needed = posts_needed(1.3, mu0=mu0, dispersion=max(dispersion, 1e-6),
                                      share_labelled=min(max(_share(groups), 0.05), 0.95))
            except (TypeError, ValueError, ArithmeticError):
                needed = None
        rows.append({
            "comparison": row.get("id"),
            "platform": platform,
            "posts now (with vs without)": f"{groups.get('with', 0)} vs {groups.get('without', 0)}",
            "detectable now (MDE)": row.get("mde"),
            "posts needed in total for 1.3×": needed,
        })
    return pd.DataFrame(rows)


def _share(groups: dict[str, Any]) -> float:
    with_n, without_n = float(groups.get("with", 0)), float(groups.get("without", 0))
    total = with_n + without_n
    return with_n / total if total else 0.4


# --------------------------------------------------------------------------- findings
def findings(kpi_rows: list[dict], hypothesis_rows: list[dict], posting: dict[str, Any],
             topic_ranking: dict[str, Any], why_engagement: dict[str, str],
             max_findings: int = 6) -> list[dict[str, Any]]:
    """Three to six plain-language findings for leadership, each with a confidence label.

    Order: content hypotheses with strong or suggestive evidence first, then the headline KPI
    changes, then the posting-time verdict and the topic recommendation. Inconclusive content
    tests are summarised in one line rather than listed.
    """
    from workbench.stats.confidence import plain_finding

    out: list[dict[str, Any]] = []
    content_rows = [h for h in hypothesis_rows if h.get("id") != "posting_time"]
    tested = [h for h in content_rows if h.get("method") != "insufficient"]
    ranked = sorted(tested, key=lambda h: (
        CONFIDENCE_ORDER.get(h.get("confidence"), 3),
        h.get("p_adjusted") if h.get("p_adjusted") is not None else 1.0))
    for row in ranked:
        if row.get("confidence") in ("strong", "suggestive") and len(out) < 3:
            text = row.get("sentence") or plain_finding(row)
            if row.get("label_note"):  # a label kept from last month says why (issue 11 §4)
                text = f"{text} {row['label_note']}"
            out.append({"kind": "hypothesis", "id": row.get("id"), "platform": row.get("platform"),
                        "text": text, "confidence": row.get("confidence")})
    rest = [h for h in tested if h.get("confidence") == "inconclusive"]
    open_line = W.inconclusive_summary((h.get("id") for h in rest), shown=[o["id"] for o in out])
    if open_line:
        out.append({"kind": "hypothesis_summary", "confidence": "inconclusive",
                    "text": open_line})
    by_key = {(k.get("platform"), k.get("kpi")): k for k in kpi_rows}
    for key in HEADLINE_KPIS:
        if len(out) >= max_findings - 2:
            break
        kpi = by_key.get(key)
        finding = W.kpi_finding(kpi) if kpi else None
        if finding:
            if key[1] == "post_engagement":
                why = why_engagement.get(key[0]) or ""
                finding["text"] = finding["text"][:-1] + (f"; in detail: {why}." if why else ".")
            out.append(finding)
    verdict = (posting or {}).get("verdict")
    if verdict:
        confidence = "suggestive" if (posting or {}).get("best_slot") else "inconclusive"
        out.append({"kind": "posting_times", "text": str(verdict), "confidence": confidence})
    plan = (topic_ranking or {}).get("plan") or (topic_ranking or {}).get("plan_text")
    if plan and len(out) < max_findings:
        text = plan[0] if isinstance(plan, list) else str(plan)
        best = (topic_ranking or {}).get("best_topic")
        same = next((h for h in ranked if best and h.get("id") == f"topic:{best}"
                     and h.get("platform") == "all"
                     and any(o.get("id") == h.get("id") for o in out)), None)
        ratio = next((t.get("rate_ratio") for t in (topic_ranking or {}).get("topics", [])
                      if t.get("topic") == best), None)
        shown = None if same is None else (same.get("estimate_pooled") or same.get("estimate"))
        if shown is not None and ratio is not None:
            # one question, two numbers on the page (the finding's selection-honest one): say why
            text += " " + W.ranking_and_finding_differ(best, float(shown), float(ratio))
        out.append({"kind": "topics", "text": text, "confidence": ""})
    return out[:max_findings]


def summary_banners(hypothesis_rows: list[dict[str, Any]]) -> list[str]:
    """The underpowered banner for leadership when most comparisons could not detect 1.5×."""
    content_rows = [h for h in hypothesis_rows if h.get("id") != "posting_time"]
    tested = [h for h in content_rows if h.get("method") != "insufficient"]
    under = [h for h in content_rows if h.get("underpowered")]
    if content_rows and len(under) >= max(1, len(content_rows) // 2):
        return [W.underpowered_banner(len(under), len(content_rows), len(tested))]
    return []


# --------------------------------------------------------------------------- experiments
def _registries(ctx: MonthContext) -> list[Path]:
    """Registry folders besides params/experiments: the sample's own, when reporting on it."""
    if ctx.raw_dir is not None and (ctx.raw_dir / "experiments").is_dir():
        return [ctx.raw_dir / "experiments"]
    return []


def _params_dir(ctx: MonthContext) -> Path:
    return Path(ctx.params_dir) if ctx.params_dir else PROJECT_ROOT / "params"


def _reports_dir(ctx: MonthContext) -> Path:
    return Path(ctx.params.get("reports_dir") or PROJECT_ROOT / "reports")


def experiments(ctx: MonthContext) -> pd.DataFrame:
    """Running and finished pre-registered experiments with their status and results."""
    from workbench.experiments.status import experiments_status

    return experiments_status(_params_dir(ctx), _reports_dir(ctx), ctx.tables, ctx.month,
                              params=ctx.params, registries=_registries(ctx))


def with_observational(status: pd.DataFrame, hypothesis_rows: list[dict]) -> pd.DataFrame:
    """Each finished experiment's summary says how it relates to the observational finding.

    The observational row is the month's content comparison of the experiment's hypothesis
    (``human_centred``, ``brand_colours`` or ``topic:<name>``) on its platform, else pooled.
    """
    if status is None or not len(status) or "hypothesis" not in status.columns:
        return status
    rows = {(r.get("id"), r.get("platform")): r for r in hypothesis_rows}
    out = status.copy()
    for index, row in out.iterrows():
        if row.get("status") != "finished" or not row.get("summary") or not math.isfinite(
                float(row.get("estimate") if row.get("estimate") is not None else math.nan)):
            continue
        platforms = [p.strip() for p in str(row.get("platforms") or "").split(",") if p.strip()]
        where = platforms[0] if len(platforms) == 1 else "all"
        hypothesis = str(row["hypothesis"])
        match = None
        for hid in (hypothesis, f"topic:{hypothesis}"):
            match = rows.get((hid, where)) or rows.get((hid, "all"))
            if match:
                break
        out.at[index, "summary"] = (f"{row['summary']} "
                                    f"{W.experiment_relation_sentence(row.to_dict(), match)}")
    return out


def decisions(ctx: MonthContext) -> pd.DataFrame:
    """Last month's logged decisions: was the mix changed, how did the watched metric move."""
    from workbench.experiments.decisions import REVIEW_COLUMNS, decisions_review

    path = _params_dir(ctx) / "decisions.yaml"
    if not path.exists():
        return pd.DataFrame(columns=list(REVIEW_COLUMNS))
    registries = [_params_dir(ctx) / "experiments", *_registries(ctx)]
    return decisions_review(path, ctx.tables, ctx.month, ctx.params, registries=registries)


# --------------------------------------------------------------------------- website (issue 14)
def website(ctx: MonthContext):
    """Social referrals, the blog, the UTM check, the grant panel and the services."""
    from workbench.website.results import analyse_website

    return analyse_website(ctx.tables, ctx.month, ctx.params)


def with_website_kpis(kpi_results: Kpis, site) -> Kpis:
    """The KPI table with the ``website`` / ``visits_from_<platform>`` rows appended."""
    if site is None or not site.kpi_rows:
        return kpi_results
    from dataclasses import replace

    table = kpi_results.table
    extra = pd.DataFrame(site.kpi_rows).reindex(columns=table.columns)
    if table.empty:
        return replace(kpi_results, table=extra)
    # right after the other website rows, so the table keeps one block per platform
    at = table.index[table["platform"] == "website"]
    cut = table.index.get_loc(at[-1]) + 1 if len(at) else len(table)
    table = pd.concat([table.iloc[:cut], extra, table.iloc[cut:]], ignore_index=True)
    return replace(kpi_results, table=table)


# --------------------------------------------------------------------------- who we reach
def audience(ctx: MonthContext) -> tuple[Any, pd.DataFrame]:
    """The "Who we reach" results and the goal shares over time (issue 13)."""
    from workbench.audience import analyse_audience, goal_trend
    from workbench.schema import empty_table

    table = ctx.tables.get("audience")
    if table is None:
        table = empty_table("audience")
    results = analyse_audience(table, ctx.params, month=ctx.month, daily=ctx.tables.get("daily"))
    return results, goal_trend(table, ctx.params, month=ctx.month)


# --------------------------------------------------------------------------- strategy
def strategy_raw(ctx: MonthContext):
    """The strategy comparisons of issue 15 before the family's adjustment (StrategyResults)."""
    from workbench.stats.strategy import strategy_comparisons

    return strategy_comparisons(ctx.posts, ctx.labels, ctx.tables.get("daily"), ctx.params,
                                ctx.month)


def _word_strategy_records(records: list[dict[str, Any]], results, count: int) -> None:
    """Give the strategy rows (the last ``count``) their own sentence and adjusted confidence.

    Formats are compared with photos, not with "other posts" as the content rows are.
    """
    if not count:
        return
    from workbench.stats.strategy import sentence

    for record, result in zip(records[-count:], results[-count:], strict=True):
        record["sentence"] = sentence(result)


def strategy_adjusted(raw, hypotheses: Hypotheses, posts: pd.DataFrame):
    """The strategy results with their rows as adjusted in the month's family.

    The posting-frequency answers are judged with their adjusted rows; the fair top posts get
    their captions (the leadership cards).
    """
    from dataclasses import replace

    count = len(raw.rows)
    rows = list(hypotheses.table.results[-count:]) if count else []
    top = raw.top_posts
    captions = posts[["platform", "post_id", "caption"]].astype(
        {"post_id": "string"}).drop_duplicates(["platform", "post_id"])
    best = top.best_by_platform
    if len(best):
        best = best.astype({"post_id": "string"}).merge(captions, on=["platform", "post_id"],
                                                        how="left")
    # the frequency answers take their adjusted rows (and with them the firm plan)
    adjusted = raw.with_family(rows) if count else raw
    return replace(adjusted, top_posts=replace(top, best_by_platform=best))


# --------------------------------------------------------------------------- the month
def side_sections(ctx: MonthContext) -> tuple[Any, Kpis, tuple[Any, Any], pd.DataFrame]:
    """Website, KPIs, audience and experiments: the sections that need no content results.

    About half the month's computation, so it can run in a second process.
    """
    return website(ctx), kpis(ctx), audience(ctx), experiments(ctx)


def compute_month(ctx: MonthContext, *, offload=None) -> MonthResults:
    """Compute the month's analysis (no cache; see :func:`analyse_month`).

    Args:
        ctx: The opened month.
        offload: Optional ``offload(function, argument)`` that starts ``function(argument)``
            in another process and returns a handle whose ``result()`` gives its value (for
            example :meth:`workbench.kernels.KernelPreloader.submit`); :func:`side_sections`
            then runs there while this process computes the content family. It may return
            None, and its ``result()`` may raise: the sections are then computed here.
    """
    from workbench.stats.topics import rank_topics

    pending = offload(side_sections, ctx) if offload is not None else None
    prepared = window_posts(ctx)
    raw_strategy = strategy_raw(ctx)
    hypotheses, posting = hypotheses_and_times(ctx, raw_strategy.rows)
    strategy = strategy_adjusted(raw_strategy, hypotheses, ctx.posts)
    ranking = rank_topics(ctx.posts, ctx.labels, params=ctx.params, month=ctx.month)
    topic_json = jsonable(ranking.to_json())
    side = None
    if pending is not None:
        try:
            side = pending.result()
        except Exception:  # noqa: BLE001  (the other process failed: compute it here)
            side = None
    site, raw_kpis, (who_we_reach, who_we_reach_trend), status = side or side_sections(ctx)
    kpi_results = with_website_kpis(raw_kpis, site)
    kpi_rows = jsonable(kpi_results.table)
    status = with_observational(status, hypotheses.records)
    plan = topic_json.get("plan") or topic_json.get("plan_text") or []
    return MonthResults(
        month=ctx.month,
        window=ctx.period.window_label(ctx.window_months),
        org_name=ctx.org_name,
        params=jsonable(ctx.params),
        data_quality=data_quality(ctx, prepared),
        kpis=kpi_results,
        hypotheses=hypotheses,
        posting_times=posting,
        topics=ranking,
        top_posts=top_posts(month_posts(ctx), 5),
        what_would_settle=what_would_settle(prepared, hypotheses.records),
        findings=findings(kpi_rows, hypotheses.records, posting.summary, topic_json,
                          kpi_results.why_engagement),
        banners=summary_banners(hypotheses.records),
        next_month=[*W.next_month_lines(plan, posting.summary.get("verdict")),
                    *strategy.plan_lines()],  # posting frequency, only when firm
        experiments=status,
        decisions=decisions(ctx),
        website=site,
        audience=who_we_reach,
        audience_trend=who_we_reach_trend,
        strategy=strategy,
    )


def _hash_files(digest, paths) -> None:
    for path in sorted(paths):
        digest.update(str(path.name).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def cache_key(ctx: MonthContext) -> str:
    """Hash of everything the month's analysis reads: tables, settings, registries, code."""
    digest = hashlib.sha256()
    digest.update(json.dumps(jsonable(ctx.params), sort_keys=True).encode())
    digest.update(ctx.month.encode())
    if ctx.processed_dir is not None:
        processed = Path(ctx.processed_dir)
        _hash_files(digest, [*processed.glob("*.parquet"), *processed.glob("*.json")])
    params_dir = _params_dir(ctx)
    extra = [params_dir / "decisions.yaml", *(params_dir / "experiments").glob("*.yaml"),
             *_reports_dir(ctx).glob("experiments/*/results.json"),
             _previous_results_path(ctx)]  # last month's labels (hold_firm_up)
    for registry in _registries(ctx):
        extra.extend(registry.glob("*.yaml"))
    _hash_files(digest, [p for p in extra if p.is_file()])
    _hash_files(digest, PACKAGE_DIR.rglob("*.py"))
    return digest.hexdigest()


def cache_path(ctx: MonthContext) -> Path | None:
    """Where this context's MonthResults is cached (None when there is no processed folder)."""
    if ctx.processed_dir is None:
        return None
    return Path(ctx.processed_dir) / CACHE_DIR / f"{ctx.month}-{cache_key(ctx)[:24]}.pickle"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_owner(lock: Path) -> int:
    try:
        return int(lock.read_text(encoding="utf-8").strip() or 0)
    except (OSError, ValueError):
        return 0


def _read_cache(path: Path) -> MonthResults | None:
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)  # our own file, keyed by content
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # unreadable or written by other code: compute again
    return cached if isinstance(cached, MonthResults) else None


def _take_lock(lock: Path) -> bool:
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(str(os.getpid()))
    return True


@contextlib.contextmanager
def claim_month(ctx: MonthContext):
    """Mark the month as being computed by this process until the block ends.

    Notebooks started inside the block that call :func:`analyse_month` on the same month and
    settings wait for this process's result instead of computing it again. Yields True when
    this process claimed it (it is not cached, so :func:`analyse_month` will compute it).
    """
    path = cache_path(ctx)
    if path is None or path.exists() or not _take_lock(path.with_suffix(".lock")):
        yield False
        return
    try:
        yield True
    finally:
        lock = path.with_suffix(".lock")
        if _lock_owner(lock) == os.getpid():
            lock.unlink(missing_ok=True)


def _wait_for_other(path: Path, lock: Path, timeout: float) -> MonthResults | None:
    """While another live process computes this month (its lock exists), wait for its result."""
    deadline = time.monotonic() + timeout
    while lock.exists() and not path.exists() and time.monotonic() < deadline:
        pid = _lock_owner(lock)
        if pid and not _pid_alive(pid):
            lock.unlink(missing_ok=True)  # left by a crashed run
            break
        time.sleep(0.1)
    return _read_cache(path) if path.exists() else None


def _compute_and_store(ctx: MonthContext, path: Path, offload=None) -> MonthResults:
    from workbench.io.atomic import write_bytes_atomic

    results = compute_month(ctx, offload=offload)
    for old in path.parent.glob(f"{ctx.month}-*.pickle"):
        old.unlink(missing_ok=True)
    write_bytes_atomic(path, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    return results


def analyse_month(ctx: MonthContext, *, use_cache: bool = True,
                  wait_seconds: float = 900.0, offload=None) -> MonthResults:
    """The month's analysis, computed once and cached on disk.

    When another process is computing the same month and settings (the report runner while
    its notebooks start), this waits for that result instead of computing it a second time.

    Args:
        ctx: The opened month (:func:`workbench.open_month`).
        use_cache: Read and write the on-disk cache (False: always compute).
        wait_seconds: How long to wait for another process computing the same month.
        offload: Run part of the computation in another process (see :func:`compute_month`).

    Returns:
        The month's :class:`MonthResults`.
    """
    path = cache_path(ctx) if use_cache else None
    if path is None:
        return compute_month(ctx, offload=offload)
    if path.exists():
        cached = _read_cache(path)
        if cached is not None:
            return cached
    lock = path.with_suffix(".lock")
    if lock.exists() and _lock_owner(lock) == os.getpid():
        return _compute_and_store(ctx, path, offload)  # this process claimed the month
    if _take_lock(lock):
        try:
            return _compute_and_store(ctx, path, offload)
        finally:
            lock.unlink(missing_ok=True)
    cached = _wait_for_other(path, lock, wait_seconds)
    if cached is not None:
        return cached
    return compute_month(ctx)  # the other run failed or timed out: compute here

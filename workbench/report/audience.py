"""The "Who we reach" section: HTML and figures from the month's audience results.

Nothing here computes a share or a test: the numbers come from
:func:`workbench.audience.analyse_audience` (``MonthResults.audience``) and
:func:`workbench.audience.goal_trend` (``MonthResults.audience_trend``). Every segment name,
label and sentence passes through :func:`~workbench.report.display.esc`.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from workbench.audience import PLATFORM_NAMES, online_hours_beside
from workbench.report.display import Html, esc
from workbench.report.figures import GREY, brand_palette

#: Breakdowns shown as "now vs previous snapshot", in order (others follow alphabetically).
BREAKDOWN_ORDER = ("gender", "age", "city", "country", "territory", "language", "seniority",
                   "job_function", "industry", "company_size")
BREAKDOWN_LABELS = {"age_gender": "age and gender", "job_function": "job function",
                    "company_size": "company size", "city": "top cities",
                    "country": "top countries", "territory": "top countries and territories"}
#: Breakdowns on the leadership page (the notebook shows every one).
LEADERSHIP_BREAKDOWNS = ("gender", "age", "city", "country", "territory", "seniority")
#: Segments per top-N breakdown on the leadership page.
TOP_SHOWN = 5
ONLINE_HOURS_CAPTION = (
    "Bars: the share of followers online at each hour, as the platform reports it. Line: the "
    "measured interactions per person reached by hour posted. Online hours are not proof of a "
    "better time to post: only the measured curve compares outcomes, and a busy hour also "
    "brings more competing posts.")
NO_AUDIENCE = ("No demographics export was read for this month (Meta's Audience.csv, the "
               "LinkedIn followers and visitors workbooks, TikTok's follower files or the GA4 "
               "demographics reports), so who we reach cannot be shown.")


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.1f} %"


def _target(goal: dict[str, Any]) -> str:
    direction, target = goal.get("direction"), goal.get("target")
    if direction == "most":
        return f"more than {_pct(target if target is not None else 0.5)}"
    if direction == "at_least":
        return f"at least {_pct(target)}"
    if direction == "at_most":
        return f"at most {_pct(target)}"
    return "rising" if direction == "increase" else "falling"


def _change(change: dict[str, Any] | None) -> str:
    if not change:
        return "–"
    verdict = "real" if change.get("real") else "within noise"
    return (f"{100 * change['change']:+.1f} pp since {change['since']} ({verdict}: allowance "
            f"±{100 * change['allowance']:.1f} pp from {change['basis']})")


def goals_table_html(platform: dict[str, Any]) -> str:
    """One platform's goals: share now, goal, status, change since the previous snapshot."""
    rows = []
    for goal in platform.get("goals") or []:
        trend = goal["direction"] in {"increase", "decrease"} and goal.get("over_window")
        change = goal.get("over_window") if trend else goal.get("previous")
        status = str(goal.get("status"))
        badge = {"met": "strong", "not met": "suggestive"}.get(status, "")
        rows.append(
            f"<tr><td>{esc(goal.get('label'))}</td><td class='num'>{_pct(goal.get('value'))}"
            f"</td><td>{esc(_target(goal))}</td><td><span class='badge {badge}'>{esc(status)}"
            f"</span></td><td class='ci'>{esc(_change(change))}</td></tr>")
    if not rows:
        return "<p class='footnote'>No audience goal set for this platform in org.yaml.</p>"
    return ("<table><thead><tr><th>Goal: share of " + esc(platform.get("base")) + " who are"
            "</th><th>Now</th><th>Goal</th><th>Status</th><th>Change</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _ordered(breakdowns) -> list[str]:
    known = [b for b in BREAKDOWN_ORDER if b in breakdowns]
    return known + sorted(b for b in breakdowns if b not in known and b != "online_hours")


def composition_table_html(platform: dict[str, Any], breakdowns=None,
                           top: int | None = None) -> str:
    """The composition now beside the previous snapshot, one block per breakdown."""
    now = platform.get("composition") or {}
    then = platform.get("previous_composition") or {}
    wanted = _ordered([b for b in now if breakdowns is None or b in breakdowns])
    if "gender" in wanted or "age" in wanted:
        wanted = [b for b in wanted if b != "age_gender"]
    if not wanted:
        return ""
    previous = platform.get("previous_as_of")
    head = (f"<tr><th>Segment</th><th>{esc(platform.get('as_of'))}</th>"
            f"<th>{esc(previous) if previous else 'previous'}</th></tr>")
    body = []
    for breakdown in wanted:
        label = BREAKDOWN_LABELS.get(breakdown, breakdown.replace("_", " "))
        body.append(f"<tr class='group'><th colspan='3'>{esc(label)}</th></tr>")
        segments = list(now[breakdown].items())
        if top is not None and breakdown not in {"gender", "age"}:
            segments = segments[:top]  # the whole age and gender split; the largest places
        for segment, share in segments:
            before = (then.get(breakdown) or {}).get(segment)
            body.append(f"<tr><td>{esc(segment.replace('|', ', '))}</td>"
                        f"<td class='num'>{_pct(share)}</td>"
                        f"<td class='num'>{_pct(before)}</td></tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def audience_html(audience: dict[str, Any] | None, *, leadership: bool = True) -> Html:
    """The "Who we reach" section from results.json's ``audience`` (``to_json()``).

    Args:
        audience: ``MonthResults.audience.to_json()`` (None or no platform: a one-line note).
        leadership: True: the goals, sentence, gender, age and top five places per platform;
            False (the notebook): every breakdown.
    """
    platforms = (audience or {}).get("platforms") or {}
    if not platforms:
        return Html(f"<p>{esc(NO_AUDIENCE)}</p>")
    parts = []
    for name, platform in platforms.items():
        title = PLATFORM_NAMES.get(name, name)
        title = title[0].upper() + title[1:]
        base = platform.get("base_count")
        size = f" of {base:,.0f}" if isinstance(base, int | float) and base == base else ""
        parts.append(f"<h3>{esc(title)}</h3><p>{esc(platform.get('sentence'))}</p>")
        parts.append(goals_table_html(platform))
        previous = platform.get("previous_as_of")
        parts.append(
            f"<p class='footnote'>Composition of {esc(platform.get('base'))}{esc(size)} as of "
            f"{esc(platform.get('as_of'))}, beside the previous snapshot "
            f"({esc(previous) if previous else 'none'}).</p>")
        parts.append(composition_table_html(
            platform, LEADERSHIP_BREAKDOWNS if leadership else None,
            TOP_SHOWN if leadership else None))
        for note in platform.get("notes") or []:
            parts.append(f"<p class='footnote'>{esc(note)}</p>")
    for warning in (audience or {}).get("warnings") or []:
        parts.append(f"<p class='footnote'>{esc(warning)}</p>")
    return Html("".join(parts))


def goal_trend_figure(trend: pd.DataFrame, params: dict) -> plt.Figure:
    """Small multiples of each audience goal's share over the snapshots (targets dashed)."""
    primary, accent = brand_palette(params)
    goals = ([] if trend is None or trend.empty
             else list(dict.fromkeys(zip(trend["platform"], trend["goal"], strict=True))))
    n = max(len(goals), 1)
    cols = min(2, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.5 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    targets = {}
    for platform, entries in (params.get("audience_goals") or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("target") is not None:
                targets[(platform, str(entry.get("id")))] = float(entry["target"])
    for ax, (platform, goal) in zip(axes.flat, goals, strict=False):
        series = trend[(trend["platform"] == platform) & (trend["goal"] == goal)]
        ax.plot(pd.to_datetime(series["as_of"]), 100 * series["value"], marker="o",
                color=primary, markersize=3)
        if (platform, goal) in targets:
            ax.axhline(100 * targets[(platform, goal)], color=accent, linestyle="--",
                       linewidth=1)
        name = PLATFORM_NAMES.get(platform, platform)
        ax.set_title(f"{name[0].upper() + name[1:]}: {series['label'].iloc[0]} (%)", fontsize=8)
        ax.tick_params(axis="both", labelsize=7)
        ax.tick_params(axis="x", rotation=45)
        ax.spines[["top", "right"]].set_visible(False)
    if not goals:
        axes.flat[0].text(0.5, 0.5, "No audience goal measured yet", ha="center", va="center")
        axes.flat[0].set_axis_off()
    fig.tight_layout()
    return fig


def online_hours_frame(audience_results: Any, platform: str,
                       curve: pd.DataFrame | None) -> pd.DataFrame | None:
    """The platform's online hours beside its posting-time curve; None when not given."""
    if audience_results is None:
        return None
    result = audience_results.platform(platform)
    if result is None or not result.online_hours:
        return None
    return online_hours_beside(result, curve)


def online_hours_figure(beside: pd.DataFrame, params: dict) -> plt.Figure:
    """Online share by hour (bars) with the measured relative rate (line, second axis)."""
    primary, _ = brand_palette(params)
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ax.bar(beside["hour"], 100 * beside["online_share"].astype(float), color=GREY, alpha=0.6)
    ax.set_ylabel("Followers online (%)", fontsize=8)
    ax.set_xlabel("Hour (local time)")
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(0, 24, 3))
    rate = next((c for c in ("relative_rate", "rate_ratio", "rate") if c in beside.columns), None)
    if rate is not None:
        supported = (beside["supported"].fillna(False).astype(bool)
                     if "supported" in beside else True)
        twin = ax.twinx()
        twin.plot(beside["hour"], beside[rate].where(supported), color=primary)
        twin.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
        twin.set_ylabel("Relative rate (measured)", fontsize=8)
    ax.spines[["top"]].set_visible(False)
    fig.tight_layout()
    return fig

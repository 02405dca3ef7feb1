"""Every sentence and label the report shows, in one module.

The analysis layer builds its findings with these functions and the notebooks and HTML pages
show them; changing how the report speaks means editing this file only. Sentences about a
single statistical result (``plain_finding``) stay next to their method in
``workbench.stats.confidence``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from workbench.platforms import INTERACTIONS_DEFINITION, PLATFORM_LABELS, label

KPI_LABELS = {
    "posts": "Posts published",
    "post_engagement": "Interactions on the month's posts",
    "top_post_reach": "Best post's reach",
    "new_followers": "New followers",
    "profile_visits": "Profile visits",
    "reach": "Accounts reached",
    "visitors": "Page visitors",
    "avg_views_per_video": "Average views per video",
    "visits": "Website visits",
    "unique_visitors": "Website unique visitors",
    "visits_direct": "Visits: direct",
    "visits_organic_search": "Visits: organic search",
    "visits_organic_social": "Visits: organic social",
    "visits_referral": "Visits: referral",
    "visits_paid_search": "Visits: paid search",
    "clicks": "Ad clicks",
    "impressions": "Ad impressions",
    "cost": "Ad spend",
    "conversions": "Ad conversions",
    "ctr": "Ad click-through rate",
}
KIND_NOTES = {
    "sum_of_daily": "sum of daily",
    "unique": "unique",
    "mean": "average",
    "total": "",
}
CONFIDENCE_BADGES = {
    "strong": "Strong evidence",
    "suggestive": "Suggestive",
    "inconclusive": "Inconclusive",
}

__all__ = ["CONFIDENCE_BADGES", "KIND_NOTES", "KPI_LABELS", "PLATFORM_LABELS", "fmt_number",
           "kpi_label", "label", "money_unit", "platform_label"]


def _services(params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return ((params or {}).get("services") or {}).get("kpis") or {}


def kpi_label(kpi: str, params: Mapping[str, Any] | None = None,
              platform: str | None = None) -> str:
    """A KPI's name for people; the organisation's service KPIs are named in its org.yaml.

    With ``platform``, the month's interactions say what they add up ("Interactions on the
    month's posts (reactions, comments, shares)" on Facebook), so no one reads them as
    Meta's "post engagements", which include clicks.
    """
    own = (_services(params).get(kpi) or {}).get("label")
    if not own and kpi.startswith("visits_from_"):  # visits_from_<platform> (website KPIs)
        own = "Visits from " + PLATFORM_LABELS.get(kpi[len("visits_from_"):],
                                                   kpi[len("visits_from_"):])
    text = str(own or KPI_LABELS.get(kpi) or kpi.replace("_", " ").capitalize())
    if kpi == "post_engagement" and platform in INTERACTIONS_DEFINITION:
        parts = INTERACTIONS_DEFINITION[platform].split(" (")[0].replace(" + ", ", ")
        text += f" ({parts})"
    return text


def platform_label(platform: str, params: Mapping[str, Any] | None = None) -> str:
    """A platform's name for people (``services`` as org.yaml's ``services.label``)."""
    if platform == "services":
        return str(((params or {}).get("services") or {}).get("label") or "Services")
    return PLATFORM_LABELS.get(platform, platform)


def money_unit(kpi: str, params: Mapping[str, Any] | None = None) -> str:
    """The currency shown before a money KPI (ad spend, service KPIs with ``money: true``).

    org.yaml's ``currency_symbol`` ("$", "€"), else its ``currency`` code; "" for other KPIs.
    """
    if kpi != "cost" and not (_services(params).get(kpi) or {}).get("money"):
        return ""
    params = params or {}
    if params.get("currency_symbol"):
        return str(params["currency_symbol"])
    return f"{params['currency']} " if params.get("currency") else ""


def fmt_number(value: float | None, kpi: str = "", unit: str = "") -> str:
    """Format a KPI value for people: thousands separators, rates as percent.

    ``unit`` is the currency of a money KPI (:func:`money_unit`), shown before whole units.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kpi == "ctr":
        return f"{100 * value:.1f}%"
    if unit:
        return f"{unit}{value:,.0f}"
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def excerpt(text: object, length: int = 140) -> str:
    """The first ``length`` characters of a caption, on one line (not escaped)."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def comparison_name(hypothesis_id: str) -> str:
    """A comparison in the organisation's words (``topic:employment`` → "Employment posts")."""
    from workbench.stats.confidence import subject_of

    if hypothesis_id.startswith("topic:"):
        return hypothesis_id.split(":", 1)[1].replace("_", " ").capitalize() + " posts"
    return subject_of(hypothesis_id)


def group_sizes(n_group: Any) -> str:
    """``{"with": 31, "without": 189}`` → "31 vs 189"."""
    if isinstance(n_group, Mapping):
        return f"{n_group.get('with', 0)} vs {n_group.get('without', 0)}"
    return "" if n_group is None else str(n_group)


def comparison_label(hypothesis_id: str, platform: str, n_group: Any) -> str:
    """One row of the forest plot: "Employment posts · all platforms · 31 vs 189"."""
    where = "all platforms" if platform in (None, "all") else label(platform)
    parts = [comparison_name(str(hypothesis_id)), where, group_sizes(n_group)]
    return " · ".join(p for p in parts if p)


def metric_definition_change_lines(changes: Iterable[Any]) -> list[str]:
    """Metric definition changes among the files read (e.g. Impressions→Views), in words."""
    lines = []
    for change in changes:
        if not isinstance(change, Mapping):
            lines.append(str(change))
            continue
        with_files = change.get("files_with") or []
        without = change.get("files_without") or []
        example = _short(without[0]) if without else "–"
        lines.append(
            f"{label(change.get('platform'))} '{change.get('metric')}': present in "
            f"{len(with_files)} file(s), absent in {len(without)} (e.g. {example}); figures on "
            "either side of the change are not comparable."
        )
    return lines


def _short(path: str) -> str:
    return path if len(path) <= 60 else "…" + path[-59:]


def kpi_finding(kpi: Mapping[str, Any],
                params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """A sentence on one KPI's month-over-month change, with how sure we are."""
    value, previous, change = kpi.get("value"), kpi.get("previous"), kpi.get("change_pct")
    if value is None or previous is None or change is None:
        return None
    name = (f"{platform_label(kpi['platform'], params)} "
            f"{kpi_label(kpi['kpi'], params, kpi['platform']).lower()}")
    direction = "up" if change > 0 else "down"
    unit = money_unit(kpi["kpi"], params)
    text = (
        f"{name} was {fmt_number(value, kpi['kpi'], unit)}, {direction} {abs(change):.0f}% from "
        f"{fmt_number(previous, kpi['kpi'], unit)} last month"
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


def short_comparison_name(hypothesis_id: str) -> str:
    """A comparison named in a list, in the organisation's words, never an internal id.

    ``topic:housing`` → "housing", ``human_centred`` → "a person's story",
    ``format:reel`` → "reel posts", ``language:fr`` → "posts in French", the local-hashtag and
    posting-frequency rows (primary and secondary) → "local hashtags", "posting frequency".
    """
    from workbench.stats.strategy import LANGUAGE_NAMES

    text = str(hypothesis_id)
    kind, _, name = text.partition(":")
    if kind == "topic":
        return name.replace("_", " ")
    if kind == "format":
        return f"{name.replace('_', ' ')} posts"
    if kind == "language":
        return f"posts in {LANGUAGE_NAMES.get(name, name.replace('_', ' '))}"
    if kind == "hashtags_local":
        return "local hashtags"
    if kind == "posting_frequency":
        return "posting frequency"
    return LIST_NAMES.get(kind, kind.replace("_", " "))


#: Names in a list of the labels whose sentence subject is not a plain noun.
LIST_NAMES = {"human_centred": "a person's story", "brand_colours": "brand colours"}


def ranking_and_finding_differ(topic: str, finding_estimate: float,
                                ranking_ratio: float) -> str:
    """Why the topic finding and the topic ranking give two numbers for one topic (issue 11 §3).

    Args:
        topic: The topic id (``job_postings``).
        finding_estimate: The finding's rate ratio against all other posts.
        ranking_ratio: The ranking's posterior rate ratio against a typical post.
    """
    name = short_comparison_name(f"topic:{topic}")
    return (f"The finding above ({finding_estimate:.1f}× other posts) and this ranking "
            f"({ranking_ratio:.2f}× a typical post) measure {name} two ways: the finding "
            f"compares {name} posts with all other posts; the ranking compares every topic "
            "with a typical post and pulls each toward it, so that next month's mix does not "
            "chase one lucky month.")


def inconclusive_summary(ids: Iterable[str], shown: Iterable[str] = ()) -> str:
    """One line for the content comparisons without a clear difference.

    Args:
        ids: Hypothesis ids of the inconclusive comparisons (any platform).
        shown: Ids of the findings already stated above it: a question answered there (on
            one platform, say) is not listed again as open (one concept appears once).

    Returns:
        The line, or "" when every open comparison is already among ``shown``.
    """
    already = {short_comparison_name(i) for i in shown}
    names = sorted({short_comparison_name(i) for i in ids} - already)
    if not names:
        return ""
    return (
        f"No clear difference yet for {len(names)} other content "
        f"comparison{'s' if len(names) != 1 else ''} ("
        + ", ".join(names[:6])
        + ("…" if len(names) > 6 else "")
        + "); more posts are needed before acting on them."
    )


def posting_times_verdict(verdicts: Mapping[str, str], platforms: Iterable[str]) -> str:
    """The combined posting-time verdict (``verdicts``: platform → verdict with a best time)."""
    platforms = list(platforms)
    if verdicts:
        return " ".join(f"{label(p)}: {v}" for p, v in verdicts.items())
    if platforms:
        return ("No posting time stands out reliably yet on "
                + ", ".join(label(p) for p in platforms)
                + "; keep varying posting times (or randomise them in an experiment) "
                  "so the question can be settled.")
    return "No platform with timed posts in the window."


def hypothesis_warning_lines(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Underpowered and confounding warnings of the hypotheses, one line each, deduplicated."""
    lines: list[str] = []
    for row in records:
        for warning in row.get("warnings") or []:
            line = f"{row['id']} ({row['platform']}): {warning}"
            if line not in lines:
                lines.append(line)
    return lines


def label_held_sentence(result: Any, previous_label: str, n_new: int, n_total: int,
                        alpha: float) -> str:
    """Why a repeated finding keeps last month's label (issue 11 §4), in one sentence.

    Args:
        result: The held HypothesisResult (``label_held_from``, ``estimate`` and the test on
            the new posts alone: ``new_posts_estimate``, ``new_posts_p``).
        previous_label: Last month's label, kept.
        n_new: Posts outside last month's window.
        n_total: Posts of the comparison's platform in this month's window.
        alpha: The level the new posts had to reach.
    """
    def get(name: str) -> Any:
        return result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)

    estimate, p_new = get("new_posts_estimate"), get("new_posts_p")
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (estimate, p_new)]
    if not n_new:
        why = "none of its posts are new since last month's report"
    elif any(missing):
        why = (f"only the {n_new} of {n_total} posts new since last month's report are new "
               "evidence, and they are too few to test on their own")
    elif (float(estimate) > 1) != (float(get("estimate") or 1) > 1):
        why = (f"only the {n_new} of {n_total} posts new since last month's report are new "
               f"evidence, and on their own they point the other way (about "
               f"{float(estimate):.2f}×)")
    else:
        why = (f"only the {n_new} of {n_total} posts new since last month's report are new "
               f"evidence, and on their own they do not confirm it (p = {float(p_new):.2f}, "
               f"above {alpha:g})")
    return (f"Kept at last month's label, {previous_label}, rather than "
            f"{get('label_held_from')}: {why}.")


def posting_time_held_sentence(previous_label: str, held_from: str, n_new: int, n_total: int,
                               p_new: float | None, alpha: float, *,
                               slot_held: bool) -> str:
    """Why a posting-time verdict keeps last month's (issue 11 §4), in one sentence.

    Args:
        previous_label: Last month's label of the posting-time test, kept.
        held_from: The label this month's window alone would give.
        n_new: Posts outside last month's window.
        n_total: Posts of the platform in this month's window.
        p_new: p of the posting-time test on the new posts alone (None: too few to test).
        alpha: The level the new posts had to reach.
        slot_held: True when a best slot this month's window would name is not named.
    """
    kept = ("last month's verdict (no time named as best)" if slot_held
            else f"last month's label, {previous_label}, rather than {held_from}")
    if not n_new:
        why = "none of its posts are new since last month's report"
    elif p_new is None or (isinstance(p_new, float) and math.isnan(p_new)):
        why = (f"only the {n_new} of {n_total} posts new since last month's report are new "
               "evidence, and they are too few to test on their own")
    else:
        why = (f"only the {n_new} of {n_total} posts new since last month's report are new "
               f"evidence, and on their own they do not show that posting time matters "
               f"(p = {float(p_new):.2f}, above {alpha:g})")
    return f"Posting times kept at {kept}: {why}."


def underpowered_banner(n_under: int, n_content: int, n_tested: int) -> str:
    """The leadership banner when most comparisons could not detect 1.5×."""
    return (
        f"{n_under} of {n_content} content comparisons had too few posts to "
        "detect even a 1.5× difference, so “inconclusive” mostly means “not enough posts "
        f"yet” ({n_tested} could be tested at all)."
    )


def next_month_lines(plan: Any, verdict: str | None) -> list[str]:
    """Plain lines: recommended topic mix, then the posting-time advice."""
    lines: list[str] = list(plan) if isinstance(plan, list) else ([str(plan)] if plan else [])
    if verdict:
        lines.append(f"Posting times: {verdict}")
    return lines


def experiment_line(name: str, status: str, summary: str | None) -> str:
    """One plain line per experiment (its status and, when finished, what was found)."""
    return str(summary) if summary else f"{name}: {status}"


def experiment_relation_sentence(experiment: Mapping[str, Any],
                                 observational: Mapping[str, Any] | None) -> str:
    """How a finished experiment relates to the observational finding on the same question.

    Args:
        experiment: ``estimate``, ``ci_low``, ``ci_high`` of the experiment (one method).
        observational: The month's content row on the same question (its selection-honest
            pooled numbers when it has them), or None when the report has no such row.

    Returns:
        One sentence: "agrees", "disagrees" (the two intervals do not overlap) or "points the
        other way" (opposite sides of 1, overlapping intervals), or that there is none.
    """
    def num(row: Mapping[str, Any], key: str) -> float:
        value = row.get(key)
        return math.nan if value is None else float(value)

    if not observational or observational.get("method") == "insufficient" or math.isnan(
            num(observational, "estimate")):
        return ("This month's report has no observational finding on the same question to "
                "compare it with.")
    pooled = not math.isnan(num(observational, "estimate_pooled"))
    suffix = "_pooled" if pooled else ""
    est = num(observational, "estimate" + suffix)
    low = num(observational, "ci_low" + suffix)
    high = num(observational, "ci_high" + suffix)
    e_est, e_low, e_high = (num(experiment, k) for k in ("estimate", "ci_low", "ci_high"))
    seen = (f"the observational finding on the same question (posts we chose, not assigned at "
            f"random: about {est:.2f}×, 95 % interval {low:.2f}–{high:.2f}, "
            f"{observational.get('confidence', 'inconclusive')})")
    if high < e_low or low > e_high:
        return (f"The experiment disagrees with {seen}: the two intervals do not overlap, so "
                "the observational number is probably confounded by what travels with the "
                "posts (topic, timing, format).")
    if (est >= 1) == (e_est >= 1):
        return f"The experiment agrees with {seen}: both point the same way."
    return (f"The experiment points the other way from {seen}, but the two intervals overlap, "
            "so they do not contradict each other.")


NO_DECISIONS = "No decisions were logged for last month (params/decisions.yaml)."


def report_footer_lines(params: dict | None = None) -> list[str]:
    """How to read the report: confidence labels, interactions, sums of daily values.

    Args:
        params: The run's settings: the labels' levels (``alpha``, ``fdr_q``) and the age
            basis (``post_age_days``) are worded from them.
    """
    from workbench.stats.confidence import confidence_footer

    lines = [confidence_footer(params)]
    lines.extend(
        f"{label(p)} interactions = {d}." for p, d in INTERACTIONS_DEFINITION.items()
    )
    lines.append(age_basis_sentence(params))
    lines.append(
        "Page-level changes are judged against the organisation's own month-to-month swings "
        "over up to 24 months: outside that band is “unusual”; with fewer than three earlier "
        "changes the report says “too little history”."
    )
    lines.append(
        "“Sum of daily” figures add daily values and may count a person more than once; "
        "monthly unique reach is typed from Meta's screen (it cannot be summed from days)."
    )
    return lines


def age_basis_sentence(params: dict | None = None) -> str:
    """How post figures are compared: at the same age (``post_age_days``) or as downloaded."""
    days = (params or {}).get("post_age_days")
    if days:
        return (f"Post figures are compared at the same age: each post's interactions in its "
                f"first {float(days):g} days, read from every download of the post; posts too "
                "young are projected along the platform's growth curve or left out, and the KPI "
                "note says so.")
    return ("Post figures are lifetime totals at the time of download, for posts published in "
            "the month; posts of two months may be of different ages.")


# --------------------------------------------------------------------------- website (issue 14)
def blog_post_sentence(post: dict | None) -> str:
    """This month's blog post in one line, or the line saying there was none.

    "This month's blog post: {page}: {n} sessions in its first 30 days", with "so far" while
    the 30 days are not over (``window_complete`` false).
    """
    if not post:
        return "No new blog post was first seen this month."
    days = post.get("first_days") or 30
    n = post.get("sessions_first_30_days")
    sessions = "no" if n is None else fmt_number(n)
    so_far = "" if post.get("window_complete", True) else " so far"
    return (f"This month's blog post: {post.get('page')}: {sessions} sessions in its first "
            f"{days} days{so_far}.")

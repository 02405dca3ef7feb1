"""The decisions log (``params/decisions.yaml``) and its review in the monthly report.

Each entry records a content decision taken when the report of ``month`` was discussed; it
applies from the next month. The report of month M reviews the decisions of M − 1: did the
content mix move as decided (from the labels), and how did the watched metric change from
M − 1 to M (with its 95 % interval)? The sentence never claims the decision caused the change
unless a finished randomized experiment named in the entry backs it.

Entry fields: ``month``, ``decision``, ``rationale``, ``metric`` (``engagement_rate``,
``interactions_per_post`` or ``posts``), ``platform`` (or ``all``), ``expected``
(``increase`` | ``decrease``), optional ``mix`` (``{label: human_centred}``, ``{label:
brand_colours}`` or ``{topic: NAME}``, with ``direction``) and optional ``experiment`` (a
registered experiment's name).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import stats

from workbench.config import MONTH_RE, org_timezone, read_yaml
from workbench.errors import ConfigError, WorkbenchError
from workbench.params import setting

METRICS = {
    "engagement_rate": "interactions per person reached",
    "interactions_per_post": "interactions per post",
    "posts": "posts published",
}
DIRECTIONS = ("increase", "decrease")
REVIEW_COLUMNS = ("month", "decision", "metric", "platform", "expected", "observed_change",
                  "ci_low", "ci_high", "mix_before", "mix_after", "mix_moved", "backed_by",
                  "sentence")


def previous_month(month: str) -> str:
    """``YYYY-MM`` of the month before."""
    y, m = int(month[:4]), int(month[5:7]) - 1
    return f"{y - (m == 0):04d}-{(m - 1) % 12 + 1:02d}"


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """Read and validate the decisions log (an empty list when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    data = read_yaml(path)
    entries = data.get("decisions") or []
    if not isinstance(entries, list):
        raise ConfigError("'decisions' must be a list of entries", file=path,
                          column="decisions", hint="start each entry with '- month: ...'")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"entry {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not a mapping", file=path, hint="see the example file")
        month = str(entry.get("month", ""))
        if not MONTH_RE.match(month):
            raise ConfigError(f"{where}: month {entry.get('month')!r} is not YYYY-MM",
                              file=path, column="month", hint="quote it: month: '2024-03'")
        if not entry.get("decision"):
            raise ConfigError(f"{where}: 'decision' is missing", file=path, column="decision",
                              hint="say what was decided in one sentence")
        metric = entry.get("metric", "engagement_rate")
        if metric not in METRICS:
            raise ConfigError(f"{where}: metric {metric!r} is not known", file=path,
                              column="metric", hint=f"use one of {', '.join(METRICS)}")
        expected = entry.get("expected", "increase")
        if expected not in DIRECTIONS:
            raise ConfigError(f"{where}: expected {expected!r}", file=path, column="expected",
                              hint="use increase or decrease")
        out.append({**entry, "month": month, "metric": metric, "expected": expected,
                    "platform": str(entry.get("platform", "all"))})
    return out


def _month_posts(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any],
                 months: tuple[str, str]) -> pd.DataFrame:
    from workbench.stats.outcomes import prepare_posts

    prepared = prepare_posts(tables["posts"], tables.get("labels"), window=months,
                             tz=org_timezone(params),
                             min_age_days=float(setting(params, "min_post_age_days")))
    return prepared.data


def metric_change(data: pd.DataFrame, metric: str, before: str, after: str
                  ) -> tuple[float, float, float]:
    """Ratio after/before of a metric with its 95 % interval (NB month dummy; exact for posts).

    Returns:
        ``(ratio, ci_low, ci_high)``; NaN when a month has no posts.
    """
    from workbench.stats.nb import fit_nb

    n_before = int((data["month"] == before).sum())
    n_after = int((data["month"] == after).sum())
    if metric == "posts":
        if n_before == 0:
            return math.nan, math.nan, math.nan
        # Conditional on the total, n_after ~ Binomial(total, r / (1 + r)).
        ci = stats.binomtest(n_after, n_before + n_after).proportion_ci(method="exact")
        def to_ratio(q):
            return (q / (1 - q) if q < 1 else math.inf)
        return n_after / n_before, to_ratio(ci.low), to_ratio(ci.high)
    if n_before < 3 or n_after < 3:
        return math.nan, math.nan, math.nan
    frame = data.loc[data["month"].isin([before, after])].copy()
    frame["after"] = (frame["month"] == after).astype("float64")
    terms = ["after"] + (["C(platform)"] if frame["platform"].nunique() > 1 else [])
    exposure = "exposure" if metric == "engagement_rate" else None
    fit = fit_nb(frame, "y", exposure, terms)
    if not fit.converged:
        return math.nan, math.nan, math.nan
    low, high = fit.ci("after")
    return fit.irr("after"), low, high


def _share(data: pd.DataFrame, mix: Mapping[str, Any], month: str) -> tuple[float, int]:
    rows = data.loc[data["month"] == month]
    if "topic" in mix:
        flags = rows["topic"].astype("string") == str(mix["topic"])
    else:
        flags = rows[str(mix.get("label", "human_centred"))].astype("boolean")
    known = flags.dropna()
    return (float(known.astype(bool).mean()) if len(known) else math.nan), int(len(known))


def _experiment_backing(name: str | None, registries: list[Path], tables, params, month: str,
                        expected: str) -> str:
    """The name of a finished experiment that supports the expected direction, or ""."""
    if not name:
        return ""
    from workbench.experiments.status import experiments_status

    try:
        status = experiments_status(registries[0].parent, Path("reports"), tables, month,
                                    params=params, registries=registries[1:])
    except WorkbenchError:
        return ""
    row = status.loc[status["name"] == name]
    if row.empty or row.iloc[0]["status"] != "finished":
        return ""
    r = row.iloc[0]
    direction_ok = (r["estimate"] > 1) if expected == "increase" else (r["estimate"] < 1)
    return name if r["confidence"] in ("strong", "suggestive") and direction_ok else ""


def _mix_words(mix: Mapping[str, Any]) -> str:
    if "topic" in mix:
        return f"posts about {str(mix['topic']).replace('_', ' ')}"
    return {"human_centred": "story posts", "brand_colours": "posts in brand colours"}.get(
        str(mix.get("label")), f"posts marked {mix.get('label')}")


def decisions_review(decisions_path: Path, tables: Mapping[str, pd.DataFrame], month: str,
                     params: Mapping[str, Any], *, registries: list[Path] | None = None
                     ) -> pd.DataFrame:
    """Review of last month's decisions, for the report of ``month``.

    Args:
        decisions_path: ``params/decisions.yaml``.
        tables: Canonical tables (posts, labels).
        month: Report month M; decisions logged for M − 1 are reviewed (M − 1 vs M).
        params: Layered parameters.
        registries: Experiment registries (default: ``decisions_path.parent/experiments``).

    Returns:
        Frame with :data:`REVIEW_COLUMNS` (empty when no decision was logged for M − 1).
    """
    if not MONTH_RE.match(str(month)):
        raise ConfigError(f"month {month!r} is not YYYY-MM", hint="write it as 2024-03")
    before = previous_month(month)
    entries = [e for e in read_decisions(decisions_path) if e["month"] == before]
    if not entries:
        return pd.DataFrame(columns=list(REVIEW_COLUMNS))
    registries = registries or [Path(decisions_path).parent / "experiments"]
    data = _month_posts(tables, params, (before, month))
    rows = []
    for entry in entries:
        platform = entry["platform"]
        subset = data if platform == "all" else data.loc[data["platform"] == platform]
        ratio, low, high = metric_change(subset, entry["metric"], before, month)
        mix = entry.get("mix") or {}
        share_before = share_after = math.nan
        moved = "not checked"
        if mix:
            share_before, _ = _share(subset, mix, before)
            share_after, n_after = _share(subset, mix, month)
            direction = mix.get("direction", "increase")
            if not (math.isfinite(share_before) and math.isfinite(share_after)):
                moved = "unknown (no labelled posts)"
            elif share_after == share_before:
                moved = "no"
            else:
                moved = "yes" if (share_after > share_before) == (direction == "increase") \
                    else "no"
        backed = _experiment_backing(entry.get("experiment"), registries, tables, params,
                                     month, entry["expected"])
        rows.append({
            "month": before, "decision": str(entry["decision"]),
            "metric": METRICS[entry["metric"]], "platform": platform,
            "expected": entry["expected"], "observed_change": ratio, "ci_low": low,
            "ci_high": high, "mix_before": share_before, "mix_after": share_after,
            "mix_moved": moved, "backed_by": backed,
            "sentence": _sentence(entry, before, month, ratio, low, high, mix, share_before,
                                  share_after, moved, backed),
        })
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS)).astype(
        {"observed_change": "float64", "ci_low": "float64", "ci_high": "float64",
         "mix_before": "float64", "mix_after": "float64"})


def _sentence(entry, before, month, ratio, low, high, mix, share_before, share_after, moved,
              backed) -> str:
    parts = [f"Decided in {before}: {str(entry['decision']).rstrip('.')}."]
    if mix and moved in ("yes", "no"):
        words = _mix_words(mix)
        done = "The content mix moved as decided" if moved == "yes" else \
            "The content mix did not move as decided"
        parts.append(f"{done}: {words} were {100 * share_before:.0f} % of posts in {before} "
                     f"and {100 * share_after:.0f} % in {month}.")
    where = "" if entry["platform"] == "all" else f" on {entry['platform'].capitalize()}"
    metric = METRICS[entry["metric"]]
    if not math.isfinite(ratio):
        parts.append(f"Too few posts to compare {metric}{where} between the two months.")
        return " ".join(parts)
    change = f"{(ratio - 1) * 100:+.0f} %"
    interval = (f" (95 % interval {100 * (low - 1):+.0f} % to {100 * (high - 1):+.0f} %)"
                if math.isfinite(low) and math.isfinite(high) else "")
    parts.append(f"{metric.capitalize()}{where} changed by {change}{interval} from {before} "
                 f"to {month}; we expected an {entry['expected']}."
                 if entry["expected"] == "increase" else
                 f"{metric.capitalize()}{where} changed by {change}{interval} from {before} "
                 f"to {month}; we expected a {entry['expected']}.")
    if backed:
        parts.append(f"The randomized experiment '{backed}' found the same direction, so the "
                     "change is likely, at least in part, due to the decision.")
    else:
        excludes = math.isfinite(low) and (low > 1 or high < 1)
        parts.append(("The change is larger than chance alone would usually give, but "
                      if excludes else "The interval includes no change, and ")
                     + "a before/after comparison cannot show the decision caused it: "
                     "season, news and the platforms' algorithms also change from month to month.")
    return " ".join(parts)

"""Top posts ranked fairly: each post against its own platform, format and month (issue 15 §5).

Ranking by raw interactions lets the platform with the biggest audience fill the list. Here
each post is compared with what an NB2 model of its own platform expects for a post of its
format, in its month, with its exposure: ``y ~ NB2(μ, α)``, ``log μ = log(exposure) +
format + month`` fitted per platform over the rolling window (a linear trend over the
window instead of the month when a month has fewer than `MIN_POSTS_PER_MONTH` posts, so a
strong post cannot raise its own month's baseline much). The score is the posterior mean
of the post's own multiplier under the model's gamma mixing distribution,

    times_usual = (y + 1/α) / (μ + 1/α),

which is y/μ shrunk toward 1 by the model's own dispersion: a post with 3 interactions where
1 was expected does not outrank a post with 300 where 100 were expected. The raw figures
(interactions, exposure, expected) stay beside the score; ``times_usual_raw`` is y/μ.
A platform with too few posts for a model (fewer than `MIN_POSTS_MODEL`) uses its own ratio
of sums (Σy/Σexposure) as the baseline and a dispersion of 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.platforms import PLATFORM_LABELS
from workbench.stats.nb import fit_nb, merge_sparse_levels

MIN_POSTS_MODEL = 15
#: A month term only when every month of the window has at least this many posts.
MIN_POSTS_PER_MONTH = 10
DEFAULT_ALPHA = 1.0
EXPOSURE_WORDS = {"facebook": "people reached", "instagram": "people reached",
                  "linkedin": "impressions", "tiktok": "views"}
COLUMNS = ("rank", "platform", "post_id", "permalink", "published_local", "format",
           "interactions", "exposure", "exposure_kind", "expected", "times_usual",
           "times_usual_raw", "baseline")


@dataclass(frozen=True)
class TopPosts:
    """The month's posts scored against their own baseline.

    Attributes:
        month: Report month.
        scored: Every post of the month, best first (`COLUMNS`).
        top: The ``n`` best overall by ``times_usual``.
        best_by_platform: The best post of each platform (one row per platform).
    """

    month: str
    scored: pd.DataFrame
    top: pd.DataFrame
    best_by_platform: pd.DataFrame

    def sentences(self) -> list[str]:
        """One line per top post: "LinkedIn photo, 2024-11-04: 3.1× its usual (42 …)"."""
        return [describe(row) for row in self.top.to_dict("records")]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``top`` and ``best_by_platform`` as lists of records."""
        return {"month": self.month, "top": _records(self.top),
                "best_by_platform": _records(self.best_by_platform)}


def describe(row: dict[str, Any]) -> str:
    """The leadership wording of one scored post."""
    platform = PLATFORM_LABELS.get(str(row["platform"]), str(row["platform"]))
    when = pd.Timestamp(row["published_local"]).strftime("%Y-%m-%d")
    words = EXPOSURE_WORDS.get(str(row["platform"]), "exposure")
    return (f"{platform} {row['format']} post of {when}: {row['times_usual']:.1f}× its usual "
            f"({int(row['interactions'])} interactions, {int(row['exposure'])} {words}; "
            f"about {row['expected']:.0f} expected)")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        record = {}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif isinstance(value, (float, np.floating)):
                value = None if math.isnan(float(value)) else float(value)
            elif isinstance(value, np.integer):
                value = int(value)
            elif value is pd.NA:
                value = None
            record[key] = value
        record["sentence"] = describe(row)
        out.append(record)
    return out


def _platform_baseline(rows: pd.DataFrame) -> tuple[np.ndarray, float, str]:
    """Expected interactions per post and α̂ for one platform's posts."""
    if len(rows) >= MIN_POSTS_MODEL:
        frame, _ = merge_sparse_levels(rows, "fmt", min_count=5)
        terms = ["C(fmt)"] if frame["fmt"].nunique() > 1 else []
        per_month = frame["month"].value_counts()
        if len(per_month) > 1 and per_month.min() >= MIN_POSTS_PER_MONTH:
            terms.append("C(month)")
            baseline = "model: format and month"
        elif len(per_month) > 1:
            # A month with a handful of posts would let one strong post raise its own
            # baseline: a smooth trend over the window instead.
            months = pd.PeriodIndex(frame["month"].astype(str), freq="M")
            frame = frame.assign(trend=(months - months.min()).map(lambda d: d.n).astype(
                "float64"))
            terms.append("trend")
            baseline = "model: format and trend"
        else:
            baseline = "model: format"
        fit = fit_nb(frame, "y", "exposure", terms, offset=True)
        if fit.converged and len(fit.mu) == len(rows):
            alpha = fit.alpha if fit.alpha > 0 else 0.0
            return fit.mu.reindex(rows.index).to_numpy(), alpha, baseline
    rate = rows["y"].sum() / rows["exposure"].sum()
    return (rows["exposure"] * rate).to_numpy(dtype="float64"), DEFAULT_ALPHA, "ratio of sums"


def fair_top_posts(data: pd.DataFrame, month: str, *, n: int = 5) -> TopPosts:
    """Score the month's posts against their platform-format-month baseline.

    Args:
        data: Prepared posts over the rolling window (``PreparedPosts.data``; the baseline is
            fitted on all of them, the month's posts are scored); not modified.
        month: Report month ``YYYY-MM``.
        n: Length of the overall list.

    Returns:
        TopPosts.
    """
    parts = []
    for platform in sorted(set(data["platform"].dropna())):
        rows = data.loc[(data["platform"] == platform).fillna(False).to_numpy()]
        rows = rows.reset_index(drop=True)
        if not (rows["month"] == month).any():
            continue
        mu, alpha, baseline = _platform_baseline(rows)
        y = rows["y"].to_numpy(dtype="float64")
        if alpha > 0:
            shrunk = (y + 1 / alpha) / (mu + 1 / alpha)
        else:
            shrunk = y / mu
        scored = pd.DataFrame({
            "platform": platform,
            "post_id": rows["post_id"].astype("string"),
            "permalink": rows["permalink"].astype("string") if "permalink" in rows.columns
            else pd.Series(pd.NA, index=rows.index, dtype="string"),
            "published_local": rows["published_local"],
            "format": rows["fmt"].astype("string"),
            "interactions": y,
            "exposure": rows["exposure"].to_numpy(dtype="float64"),
            "exposure_kind": rows["exposure_kind"].astype("string")
            if "exposure_kind" in rows.columns else pd.NA,
            "expected": mu,
            "times_usual": shrunk,
            "times_usual_raw": y / mu,
            "baseline": baseline,
        })
        parts.append(scored.loc[(rows["month"] == month).to_numpy()])
    if not parts:
        empty = pd.DataFrame(columns=list(COLUMNS))
        return TopPosts(month, empty, empty, empty)
    scored = pd.concat(parts, ignore_index=True).sort_values(
        ["times_usual", "interactions"], ascending=False, kind="stable").reset_index(drop=True)
    scored.insert(0, "rank", np.arange(1, len(scored) + 1))
    scored = scored[list(COLUMNS)]
    best = scored.groupby("platform", sort=True).head(1).reset_index(drop=True)
    return TopPosts(month, scored, scored.head(n).reset_index(drop=True), best)

"""The second sample profile (issue 15 §6), in memory: posts with planted strategy effects.

`strategy_sample` draws the same calendar and outcomes as the file sample, with a
:class:`workbench.sample.outcomes.StrategyPlant` switched on, and returns a canonical-like
``posts`` frame (final lifetime counts, one snapshot 60 days after publishing) plus the truth.
The benchmark (``benchmarks/strategy.py``) and the tests use it to check that
`workbench.stats.strategy.strategy_comparisons` recovers what was planted, without writing
export files. ``workbench sample-data --profile strategy`` writes the same effects into the
export files (`workbench.sample.generator.generate_sample`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workbench.sample.calendar import CalendarSettings, build_calendar, month_list
from workbench.sample.outcomes import Model, StrategyPlant, draw_posts

#: The profile used by the sample and the benchmark (org.yaml-like keys only).
PROFILE: dict[str, Any] = {
    "name": "Sample strategy agency",
    "timezone": "America/Toronto",
    "local_hashtags": ["#London", "#LondonOntario", "#LondonOnt", "#LdnOnt"],
}


def default_plant(months: list[str], params: dict[str, Any]) -> StrategyPlant:
    """The planted effects: local hashtags ×1.3 on reach, 0.75 above 3 posts/week, strong post.

    The strong post is the first LinkedIn post of the last month, ×10 interactions.
    """
    return StrategyPlant(strong_month=months[-1],
                         local_tags=tuple(params.get("local_hashtags") or ()))


def truth_effects(model: Model, plant: StrategyPlant) -> dict[str, Any]:
    """The truth.json ``strategy`` section."""
    return {**plant.as_dict(), "format": dict(model.format),
            "format_note": "interactions per person reached; each format vs photo"}


def strategy_sample(
    seed: int = 11,
    start: str = "2024-01",
    end: str = "2025-06",
    params: dict[str, Any] | None = None,
    plant: StrategyPlant | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw the strategy profile's posts in memory.

    Args:
        seed: Seed of the single random stream.
        start: First month.
        end: Last month (the month the strong post is planted in).
        params: Organisation profile (default `PROFILE`).
        plant: Effects (default `default_plant`).

    Returns:
        (posts frame with the canonical columns the statistics use, truth dict with
        ``strategy``, ``months``, ``model`` and ``posts``: per post its true mean
        interactions ``mu``, final ``reach``, ``language`` and ``local_hashtag``).
    """
    params = dict(PROFILE if params is None else params)
    months = month_list(start, end)
    plant = default_plant(months, params) if plant is None else replace(plant)
    rng = np.random.default_rng(seed)
    model = Model()
    creatives = build_calendar(rng, months, params, CalendarSettings(tag_every_post=False))
    posts = draw_posts(rng, creatives, months, model, "sample-agency", plant=plant)
    tz = ZoneInfo(str(params.get("timezone", "America/Toronto")))
    rows = []
    for post in posts:
        c = post.creative
        local = c.published_local.astimezone(tz)
        utc = pd.Timestamp(post.published_utc)
        kind = post.exposure_kind
        rows.append({
            "platform": post.platform, "account": "sample", "post_id": post.post_id,
            "permalink": post.permalink, "published_at": pd.Timestamp(local),
            "published_at_utc": utc, "format": post.format, "caption": c.caption,
            "hashtags": list(c.hashtags), "exposure_kind": kind,
            "reach": post.reach if kind == "reach" else pd.NA,
            "impressions": post.reach if kind == "impressions" else pd.NA,
            "views": post.reach if kind == "views" else pd.NA,
            "interactions": post.interactions, "boosted": post.boosted,
            "is_share": post.is_share, "snapshot_at": utc + timedelta(days=60),
        })
    frame = pd.DataFrame(rows)
    for column in ("reach", "impressions", "views", "interactions"):
        frame[column] = frame[column].astype("Int64")
    frame["published_at_utc"] = pd.to_datetime(frame["published_at_utc"], utc=True)
    frame["snapshot_at"] = pd.to_datetime(frame["snapshot_at"], utc=True)
    frame["published_at"] = frame["published_at_utc"].dt.tz_convert(str(tz))
    local = {t.casefold() for t in plant.local_tags}
    truth = {"months": months, "seed": seed, "strategy": truth_effects(model, plant),
             "model": model.as_dict(),
             "posts": [{"platform": p.platform, "post_id": p.post_id, "format": p.format,
                        "month": p.creative.month, "mu": p.mu, "reach": p.reach,
                        "language": "fr" if p.creative.french else "en",
                        "local_hashtag": any(str(t).casefold() in local
                                             for t in p.creative.hashtags)}
                       for p in posts]}
    return frame, truth

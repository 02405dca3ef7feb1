"""Synthetic canonical tables for the experiment tests (small, deterministic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.experiments.design import slot_times

TZ = "America/Toronto"
EXPOSURE = {"facebook": "reach", "instagram": "reach", "linkedin": "impressions",
            "tiktok": "views"}


def _frame(platforms, ids, local, y, exposure, snapshot_days=30) -> pd.DataFrame:
    local = pd.DatetimeIndex(local)
    utc = local.tz_convert("UTC")
    frame = pd.DataFrame({
        "platform": pd.array(platforms, dtype="string"),
        "post_id": pd.array(ids, dtype="string"),
        "published_at": local,
        "published_at_utc": utc,
        "interactions": pd.array(y, dtype="Int64"),
        "exposure_kind": pd.array([EXPOSURE[p] for p in platforms], dtype="string"),
        "snapshot_at": utc + pd.Timedelta(days=snapshot_days),
    })
    for kind in ("reach", "impressions", "views"):
        frame[kind] = pd.array([e if EXPOSURE[p] == kind else None
                                for p, e in zip(platforms, exposure, strict=True)], dtype="Int64")
    return frame


def nb_draw(rng, mu, alpha):
    return rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * np.asarray(mu)))


def history(seed: int = 1, end: str = "2024-12-31", n: int = 240, alpha: float = 0.7,
            platforms=("facebook", "instagram"), prefix: str = "h") -> pd.DataFrame:
    """n posts over the 6 months ending at ``end``."""
    rng = np.random.default_rng(seed)
    stop = pd.Timestamp(end + " 15:00").tz_localize(TZ)
    local = [stop - pd.Timedelta(hours=int(h)) for h in rng.integers(0, 24 * 180, n)]
    plat = [platforms[i % len(platforms)] for i in range(n)]
    reach = np.exp(rng.normal(np.log(600), 0.7, n)).astype(int) + 1
    y = nb_draw(rng, reach * 0.05, alpha)
    return _frame(plat, [f"{prefix}{i}" for i in range(n)], local, y, reach)


def experiment_posts(schedule: pd.DataFrame, *, effect: float = 1.0, alpha: float = 0.7,
                     seed: int = 0, treated_arm: str | None = None, noncompliance: float = 0.0,
                     jitter_minutes: int = 10, label: str = "human_centred",
                     drop: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts published at the planned slots (with jitter), and their labels.

    The planted effect multiplies the rate of posts that actually carry the treated arm's
    label; ``noncompliance`` flips that share of posts to the other arm's label.
    """
    rng = np.random.default_rng(seed)
    treated_arm = treated_arm or "story"
    keep = np.ones(len(schedule), dtype=bool)
    if drop:
        keep[rng.choice(len(schedule), drop, replace=False)] = False
    slots = schedule.loc[keep].reset_index(drop=True)
    times = slot_times(slots, TZ) + pd.to_timedelta(
        rng.integers(-jitter_minutes, jitter_minutes + 1, len(slots)), unit="m")
    assigned = (slots["arm"] == treated_arm).to_numpy()
    flip = rng.random(len(slots)) < noncompliance
    posted = assigned ^ flip
    reach = np.exp(rng.normal(np.log(700), 0.7, len(slots))).astype(int) + 1
    mu = reach * 0.05 * np.where(posted, effect, 1.0)
    y = nb_draw(rng, mu, alpha)
    plat = list(slots["platform"])
    ids = [f"x{seed}-{i}" for i in range(len(slots))]
    posts = _frame(plat, ids, list(times), y, reach)
    labels = pd.DataFrame({"platform": pd.array(plat, dtype="string"),
                           "post_id": pd.array(ids, dtype="string"),
                           "human_centred": pd.array(posted if label == "human_centred"
                                                     else [False] * len(slots), dtype="boolean"),
                           "brand_colours": pd.array([False] * len(slots), dtype="boolean"),
                           "topic": pd.array(["housing"] * len(slots), dtype="string")})
    return posts, labels

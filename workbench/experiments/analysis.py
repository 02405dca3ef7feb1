"""Analysis of a registered experiment: match posts to slots, compliance, rate ratio, p.

Steps (each a pure function over the canonical tables):

1. `match_posts`: each published post on the experiment's platforms and dates is matched to
   the planned slot of the same platform whose time is nearest, within the registered
   tolerance, one post per slot. Posts that match no slot (off-schedule) and slots with no
   post (missed) are listed, never silently dropped.
2. `compliance`: does each matched post's label (or publish hour) agree with its arm?
3. `estimate`: NB2 rate ratio of each arm vs the reference arm (exposure offset, platform
   covariate, max-SE interval, statistics.md §2) by *planned* arm (intention to treat), with
   the p-value from a randomization test that re-randomizes arms within the week × platform
   blocks; the as-posted analysis (arm = what was actually posted) beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.experiments.design import Design, slot_times, slot_window

MIN_PER_ARM = 3


@dataclass(frozen=True)
class Matching:
    """Posts matched to planned slots.

    Attributes:
        matched: One row per matched slot: schedule columns plus ``post_id``,
            ``published_local``, ``minutes_off`` (publish minus planned).
        off_schedule: Posts in the experiment's window and platforms that match no slot.
        missed: Planned slots with no post.
    """

    matched: pd.DataFrame
    off_schedule: pd.DataFrame
    missed: pd.DataFrame


def _newest(posts: pd.DataFrame) -> pd.DataFrame:
    """One row per (platform, post_id): the newest download."""
    if "snapshot_at" in posts.columns:
        posts = posts.sort_values("snapshot_at", kind="stable", na_position="first")
    return posts.drop_duplicates(["platform", "post_id"], keep="last")


def match_posts(schedule: pd.DataFrame, posts: pd.DataFrame, design: Design, tz: str,
                tolerance_minutes: float) -> Matching:
    """Match published posts to planned slots (platform + publish time within tolerance).

    Args:
        schedule: The registered schedule.
        posts: Canonical posts (not modified).
        design: The design (platforms, dates).
        tz: Organisation time zone.
        tolerance_minutes: Largest |publish − planned| accepted.

    Returns:
        Matching. Greedy nearest-first one-to-one assignment per platform.
    """
    slots = schedule.assign(planned_at=slot_times(schedule, tz))
    frame = _newest(posts.loc[posts["platform"].astype("string").isin(design.platforms)])
    local = pd.to_datetime(frame["published_at_utc"], utc=True).dt.tz_convert(tz)
    frame = frame.assign(published_local=local, platform=frame["platform"].astype("string"),
                         post_id=frame["post_id"].astype("string"))
    tol = pd.Timedelta(minutes=float(tolerance_minutes))
    first = pd.Timestamp(design.start.isoformat()).tz_localize(tz) - tol
    last = pd.Timestamp((design.end + pd.Timedelta(days=1)).isoformat()).tz_localize(tz) + tol
    frame = frame.loc[(frame["published_local"] >= first) & (frame["published_local"] < last)]

    pairs = []
    for platform in design.platforms:
        s = slots.loc[slots["platform"] == platform]
        p = frame.loc[frame["platform"] == platform]
        if s.empty or p.empty:
            continue
        diff = (p["published_local"].to_numpy()[:, None] - s["planned_at"].to_numpy()[None, :])
        minutes = diff / np.timedelta64(1, "m")
        for i, j in zip(*np.nonzero(np.abs(minutes) <= float(tolerance_minutes)), strict=True):
            pairs.append((abs(minutes[i, j]), p.index[i], s.index[j], minutes[i, j]))
    pairs.sort(key=lambda t: (t[0], str(t[1]), t[2]))
    used_posts: set = set()
    used_slots: set = set()
    rows = []
    for _, post_index, slot_index, minutes_off in pairs:
        if post_index in used_posts or slot_index in used_slots:
            continue
        used_posts.add(post_index)
        used_slots.add(slot_index)
        rows.append({**schedule.loc[slot_index].to_dict(),
                     "post_id": frame.at[post_index, "post_id"],
                     "published_local": frame.at[post_index, "published_local"],
                     "minutes_off": round(float(minutes_off), 1)})
    columns = [*schedule.columns, "post_id", "published_local", "minutes_off"]
    matched = pd.DataFrame(rows, columns=columns).sort_values("slot_id").reset_index(drop=True)
    off = frame.loc[~frame.index.isin(list(used_posts)),
                    ["platform", "post_id", "published_local"]].reset_index(drop=True)
    missed = schedule.loc[~schedule.index.isin(list(used_slots))].reset_index(drop=True)
    return Matching(matched, off, missed)


def actual_arm(matched: pd.DataFrame, labels: pd.DataFrame | None, design: Design
               ) -> pd.Series:
    """The arm each matched post actually is (from its label or publish hour); NA if unknown."""
    if design.is_slot:
        hours = pd.to_datetime(matched["published_local"]).map(lambda t: t.hour + t.minute / 60)
        out = pd.Series(pd.NA, index=matched.index, dtype="string")
        for arm in design.arms:
            first, last = slot_window(arm)
            out = out.mask((hours >= first) & (hours < last), arm)
        return out
    if labels is None or labels.empty:
        return pd.Series(pd.NA, index=matched.index, dtype="string")
    keyed = labels.assign(platform=labels["platform"].astype("string"),
                          post_id=labels["post_id"].astype("string"))
    keyed = keyed.drop_duplicates(["platform", "post_id"], keep="last")
    if design.hypothesis in ("human_centred", "brand_colours"):
        value = keyed[design.hypothesis].astype("boolean")
    else:
        value = (keyed["topic"].astype("string") == design.hypothesis).astype("boolean")
    keyed = keyed.assign(_with=value)[["platform", "post_id", "_with"]]
    joined = matched[["platform", "post_id"]].astype("string").merge(
        keyed, on=["platform", "post_id"], how="left")
    with_label = joined["_with"].astype("boolean")
    out = pd.Series(pd.NA, index=matched.index, dtype="string")
    out = out.mask((with_label == True).fillna(False).to_numpy(), design.arms[0])  # noqa: E712
    out = out.mask((with_label == False).fillna(False).to_numpy(), design.arms[1])  # noqa: E712
    return out


def randomization_p(log_rate: np.ndarray, treated: np.ndarray, blocks: np.ndarray, *,
                    n_resamples: int = 1999, seed: int = 0) -> float:
    """Two-sided randomization p: arms re-randomized within blocks (exact when few).

    The statistic is the within-block difference of log rates (statistics.md §2.5); under
    the null of no arm effect, every within-block re-shuffle of the arms was as likely as the
    one drawn, so the p-value is exact by design, whatever the outcome distribution.
    """
    from workbench.stats.hypotheses import stratified_permutation_p

    return stratified_permutation_p(log_rate, treated, blocks, n_resamples=n_resamples,
                                    seed=seed)


@dataclass(frozen=True)
class ArmEstimate:
    """One contrast (arm vs reference) of one analysis (ITT or as-posted)."""

    arm: str
    reference: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    p_method: str
    p_model: float
    n: int
    n_group: dict[str, int]
    alpha_hat: float
    notes: list[str] = field(default_factory=list)
    #: The NB model's rate ratio and interval (analyst view) when the headline numbers come
    #: from the randomization test (ITT): estimate, interval and p are then all that test's.
    estimate_model: float = math.nan
    ci_model: tuple[float, float] = (math.nan, math.nan)


def estimate(data: pd.DataFrame, arm_column: str, design: Design, *, randomized: bool,
             n_resamples: int = 1999, seed: int = 0) -> list[ArmEstimate]:
    """Rate ratio of every arm vs the reference arm (the last one).

    Args:
        data: Prepared posts (``y``, ``exposure``, ``platform``, ``block``) plus ``arm_column``.
        arm_column: ``arm`` (planned, intention to treat) or ``arm_posted``.
        design: The design.
        randomized: True for the ITT analysis: the p-value comes from the randomization test;
            False (as posted): the arms were not randomized, the NB max-SE p is given.
        n_resamples: Randomization resamples.
        seed: Seed of the randomization test.

    Returns:
        One ArmEstimate per non-reference arm (NaN estimates when an arm has < 3 posts).
    """
    from workbench.stats.nb import fit_nb

    reference = design.arms[-1]
    data = data.loc[data[arm_column].notna()].copy()
    data[arm_column] = data[arm_column].astype("string")
    counts = {a: int((data[arm_column] == a).sum()) for a in design.arms}
    others = [a for a in design.arms if a != reference]
    terms = []
    for arm in others:
        data[f"arm_{arm}"] = (data[arm_column] == arm).astype("float64")
        terms.append(f"arm_{arm}")
    if data["platform"].nunique() > 1:
        terms.append("C(platform)")
    enough = all(counts[a] >= MIN_PER_ARM for a in design.arms)
    fit = fit_nb(data, "y", "exposure", terms) if enough else None
    out = []
    for arm in others:
        name = f"arm_{arm}"
        groups = {arm: counts[arm], reference: counts[reference]}
        if fit is None or not fit.converged or name not in fit.params.index:
            out.append(ArmEstimate(arm, reference, math.nan, math.nan, math.nan, math.nan,
                                   "insufficient", math.nan, sum(groups.values()), groups,
                                   math.nan, [f"fewer than {MIN_PER_ARM} posts in an arm, or "
                                              "the model did not converge"]))
            continue
        low, high = fit.ci(name)
        p_model = fit.p_value(name)
        ratio = fit.irr(name)
        if randomized:
            # One method for the three numbers (issue 11 §4): the randomization test of the
            # within-block shift of log rates, inverted for its interval.
            from workbench.stats.hypotheses import stratified_shift_test

            pair = data.loc[data[arm_column].isin([arm, reference])]
            log_rate = np.log((pair["y"].to_numpy() + 0.5) / pair["exposure"].to_numpy())
            ratio, low, high, p = stratified_shift_test(
                log_rate, (pair[arm_column] == arm).to_numpy().astype(int),
                pair["block"].astype(str).to_numpy(), n_resamples=n_resamples, seed=seed)
            method = "randomization"
        else:
            p, method = p_model, "negbin max-SE t"
        out.append(ArmEstimate(arm, reference, ratio, low, high, p, method, p_model,
                               sum(groups.values()), groups, float(fit.alpha), list(fit.notes),
                               estimate_model=fit.irr(name), ci_model=fit.ci(name)))
    return out


def _get(mapping: Mapping[str, Any], key: str, default: Any) -> Any:
    value = mapping.get(key)
    return default if value is None else value

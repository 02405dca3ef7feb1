"""The local-hashtag comparison under the null and with a planted effect (issue 15 §1).

Draws the strategy sample profile (`workbench.sample.strategy.strategy_sample`, 18 months,
report month = the last) with NOTHING planted on reach (no hashtag, frequency or strong-post
effect; the formats' interaction multipliers stay) and runs only the hashtag comparison
(`workbench.stats.strategy.hashtag_comparison`) on each draw. Reports, for the pooled rows
(``hashtags_local`` on reach per follower, ``hashtags_local:interactions``), the share of draws
with p < 0.05 (raw, before the month's family adjustment), 95 % interval coverage, agreement
of interval and p, and which inference method produced them, with Monte Carlo standard errors.
The secondary is also run as it was before the creative-level test (the NB row of
`workbench.stats.hypotheses._compare`, posts as independent units), on the same draws.

``--plant R`` plants R on interactions per person reached for posts with a local hashtag: every
post's interactions are redrawn from the generator's NB2 (its α) with mean μ × R when tagged,
μ otherwise (μ from truth.json ``posts``; seeded by the draw), so the secondary's power and
coverage of R can be read. The reach world stays null.

    nice -n 19 .venv/bin/python benchmarks/strategy_hashtag_null.py [--reps 400]
    nice -n 19 .venv/bin/python benchmarks/strategy_hashtag_null.py --plant 1.3 --reps 200

Writes benchmarks/strategy_hashtag_null.md (or strategy_hashtag_power.md with ``--plant``).
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from workbench.sample.outcomes import Model, StrategyPlant
from workbench.sample.strategy import PROFILE, strategy_sample
from workbench.stats.hypotheses import _compare
from workbench.stats.strategy import (
    HASHTAG_ID,
    HASHTAG_INTERACTIONS_ID,
    _window_data,
    hashtag_comparison,
    local_hashtag_flags,
)

START, END, MONTH = "2024-01", "2025-06", "2025-06"
PARAMS = dict(PROFILE, window_months=6, permutations=999, seed=5)
NULL_PLANT = StrategyPlant(hashtag_reach=1.0, frequency_decay=1.0, strong_month=None,
                           local_tags=tuple(PROFILE["local_hashtags"]))
OLD = "interactions per person reached, NB as before (posts independent)"
SPLIT = "secondary, per-platform split: "
NAMES = {HASHTAG_ID: "reach per follower (primary)",
         HASHTAG_INTERACTIONS_ID: "interactions per person reached (secondary, by creative)"}


def draw(seed: int, plant: float):
    """Posts of one draw, with ``plant`` on the tagged posts' interactions per reach."""
    posts, truth = strategy_sample(seed=seed, start=START, end=END, plant=NULL_PLANT)
    if plant == 1.0:
        return posts
    rng = np.random.default_rng([seed, 15])
    alpha = Model().alpha
    mu = np.array([p["mu"] * (plant if p["local_hashtag"] else 1.0) for p in truth["posts"]])
    redrawn = rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * mu))
    return posts.assign(interactions=redrawn).astype({"interactions": "Int64"})


def one(seed: int, plant: float) -> dict[str, tuple[float, float, float, float, str]]:
    """{row: (estimate, p, ci_low, ci_high, method)} of the pooled hashtag rows of one draw."""
    posts = draw(seed, plant)
    rows, _ = hashtag_comparison(posts, None, None, PARAMS, MONTH)
    out = {NAMES[r.id]: (r.estimate, r.p_value, r.ci_low, r.ci_high, r.method) for r in rows
           if r.platform == "all"}
    # The per-platform splits of the secondary (shown only when the NB's label × platform
    # interaction test has p < 0.05; one post per creative and platform, NB fits).
    for r in rows:
        if r.id == HASHTAG_INTERACTIONS_ID and r.platform != "all":
            out[f"{SPLIT}{r.platform}"] = (r.estimate, r.p_value, r.ci_low, r.ci_high, r.method)
    _, data = _window_data(posts, None, None, PARAMS, MONTH)
    flags = local_hashtag_flags(data, PARAMS["local_hashtags"])
    old = _compare(data, flags, hid=HASHTAG_INTERACTIONS_ID, platform="all", window="",
                   params=PARAMS, permutations=PARAMS["permutations"], diagnostics=False,
                   interaction=False)
    out[OLD] = (old.estimate, old.p_value, old.ci_low, old.ci_high, old.method)
    return out


def summarise(collected: dict[str, list[tuple]], reps: int, plant: float) -> list[str]:
    """Markdown table rows."""
    lines = ["| comparison | planted | draws | p < 0.05 | MC SE | 95 % CI covers planted | "
             "median estimate | interval and p disagree | methods |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, values in sorted(collected.items(), key=lambda kv: kv[0].startswith(SPLIT)):
        truth = 1.0 if name.startswith("reach") else plant
        p = np.array([v[1] for v in values], dtype=float)
        p = p[np.isfinite(p)]
        rate = float(np.mean(p < 0.05))
        se = math.sqrt(rate * (1 - rate) / len(p)) if len(p) else float("nan")
        bounded = [v for v in values if np.isfinite(v[2]) and np.isfinite(v[3])]
        cover = np.mean([v[2] <= truth <= v[3] for v in bounded])
        disagree = sum((v[1] < 0.05) != (v[2] > 1 or v[3] < 1) for v in bounded)
        median = float(np.nanmedian([v[0] for v in values]))
        methods = Counter(v[4] for v in values)
        lines.append(f"| {name} | {truth:g} | {len(p)} of {reps} | {rate:.3f} | {se:.3f} | "
                     f"{cover:.3f} | {median:.3f} | {disagree} | "
                     + ", ".join(f"{k} {n}" for k, n in methods.most_common()) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--first-seed", type=int, default=5000)
    parser.add_argument("--plant", type=float, default=1.0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = args.out or str(Path(__file__).with_name(
        "strategy_hashtag_null.md" if args.plant == 1.0 else "strategy_hashtag_power.md"))
    warnings.simplefilter("ignore")
    began = time.time()
    collected: dict[str, list[tuple]] = defaultdict(list)
    for rep in range(args.reps):
        for name, value in one(args.first_seed + rep, args.plant).items():
            collected[name].append(value)
        if (rep + 1) % 50 == 0:
            print(f"{rep + 1} draws, {time.time() - began:.0f} s", flush=True)
            print("\n".join(summarise(collected, rep + 1, args.plant)), flush=True)
    world = ("nothing planted on reach or on interactions (no hashtag, frequency or "
             "strong-post effect)" if args.plant == 1.0 else
             f"nothing planted on reach; ×{args.plant:g} planted on interactions per person "
             "reached of the posts with a local hashtag (interactions redrawn from the "
             "generator's NB2)")
    text = [
        "# Local-hashtag comparison: "
        + ("false-positive rate under the null" if args.plant == 1.0 else
           f"power at ×{args.plant:g} on interactions per person reached"),
        "",
        f"{args.reps} draws (seeds {args.first_seed}..{args.first_seed + args.reps - 1}) of "
        f"the strategy sample profile ({START}..{END}, report month {MONTH}, 6-month window) "
        f"with {world}. Raw p-values (before the month's family adjustment); nominal level "
        "0.05 (under the null a rate above 0.05 + 2 MC SE is liberal). No follower series: "
        "reach per follower uses the documented fallback audience. "
        f"{PARAMS['permutations']} permutations. \"Interval and p disagree\" counts draws "
        "where p < 0.05 but the interval covers 1, or the reverse. The third row is the "
        "secondary as it was before the creative-level test, on the same draws; the "
        "per-platform split rows exist only in the draws where the NB's label × platform "
        "interaction test had p < 0.05 (their 'draws' column counts those).",
        "",
        *summarise(collected, args.reps, args.plant),
        "",
        f"Run time {time.time() - began:.0f} s (nice 19, shared 2-core machine).",
        "",
    ]
    Path(out).write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()

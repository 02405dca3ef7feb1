"""False-positive rate of the local-hashtag comparison under the null (issue 15 §1).

Draws the strategy sample profile (`workbench.sample.strategy.strategy_sample`, 18 months,
report month = the last) with NOTHING planted on reach (no hashtag, frequency or strong-post
effect; the formats' interaction multipliers stay) and runs only the hashtag comparison
(`workbench.stats.strategy.hashtag_comparison`) on each draw. Reports, for the pooled rows
(``hashtags_local`` on reach per follower, ``hashtags_local:interactions``), the share of draws
with p < 0.05 (raw, before the month's family adjustment) and 95 % interval coverage of 1,
with Monte Carlo standard errors, and which inference method produced the p-values.

    nice -n 19 .venv/bin/python benchmarks/strategy_hashtag_null.py [--reps 400]

Writes benchmarks/strategy_hashtag_null.md.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from workbench.sample.outcomes import StrategyPlant
from workbench.sample.strategy import PROFILE, strategy_sample
from workbench.stats.strategy import HASHTAG_ID, HASHTAG_INTERACTIONS_ID, hashtag_comparison

START, END, MONTH = "2024-01", "2025-06", "2025-06"
PARAMS = dict(PROFILE, window_months=6, permutations=999, seed=5)
NULL_PLANT = StrategyPlant(hashtag_reach=1.0, frequency_decay=1.0, strong_month=None,
                           local_tags=tuple(PROFILE["local_hashtags"]))
NAMES = {HASHTAG_ID: "reach per follower (primary)",
         HASHTAG_INTERACTIONS_ID: "interactions per person reached (secondary)"}


def one(seed: int) -> dict[str, tuple[float, float, float, str]]:
    """{row id: (p, ci_low, ci_high, method)} of the pooled hashtag rows of one null draw."""
    posts, _ = strategy_sample(seed=seed, start=START, end=END, plant=NULL_PLANT)
    rows, _ = hashtag_comparison(posts, None, None, PARAMS, MONTH)
    return {r.id: (r.p_value, r.ci_low, r.ci_high, r.method) for r in rows
            if r.platform == "all"}


def summarise(collected: dict[str, list[tuple]], reps: int) -> list[str]:
    """Markdown table rows."""
    lines = ["| comparison | draws | p < 0.05 | MC SE | 95 % CI covers 1 | methods |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for hid, values in collected.items():
        p = np.array([v[0] for v in values], dtype=float)
        p = p[np.isfinite(p)]
        rate = float(np.mean(p < 0.05))
        se = math.sqrt(rate * (1 - rate) / len(p)) if len(p) else float("nan")
        cover = [float(v[1] <= 1 <= v[2]) for v in values
                 if np.isfinite(v[1]) and np.isfinite(v[2])]
        methods = Counter(v[3] for v in values)
        lines.append(f"| {NAMES.get(hid, hid)} | {len(p)} of {reps} | {rate:.3f} | {se:.3f} | "
                     f"{np.mean(cover):.3f} | "
                     + ", ".join(f"{k} {n}" for k, n in methods.most_common()) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--first-seed", type=int, default=5000)
    parser.add_argument("--out", default=str(Path(__file__).with_suffix(".md")))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    began = time.time()
    collected: dict[str, list[tuple]] = defaultdict(list)
    for rep in range(args.reps):
        for hid, value in one(args.first_seed + rep).items():
            collected[hid].append(value)
        if (rep + 1) % 50 == 0:
            print(f"{rep + 1} draws, {time.time() - began:.0f} s", flush=True)
            print("\n".join(summarise(collected, rep + 1)), flush=True)
    text = [
        "# Local-hashtag comparison under the null: false-positive rate",
        "",
        f"{args.reps} draws (seeds {args.first_seed}..{args.first_seed + args.reps - 1}) of "
        f"the strategy sample profile ({START}..{END}, report month {MONTH}, 6-month window) "
        "with nothing planted on reach (no hashtag, frequency or strong-post effect). Raw "
        "p-values (before the month's family adjustment); nominal level 0.05, so a rate above "
        "0.05 + 2 MC SE is liberal. No follower series: reach per follower uses the documented "
        f"fallback audience. {PARAMS['permutations']} permutations where the permutation test "
        "is used.",
        "",
        *summarise(collected, args.reps),
        "",
        f"Run time {time.time() - began:.0f} s (nice 19, shared 2-core machine).",
        "",
    ]
    Path(args.out).write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()

"""Calibration of the KPI-change interval (§6.3) and the "best posting time" rule (§4.4).

Null scenarios only matter here: how often does the monthly report call a KPI change "a real
change" (the 95 % interval excludes 0 %), and how often does it recommend a best posting time,
when nothing changed / no time is better? Prints a Markdown table and writes
benchmarks/stats_kpi_and_times.md.

    nice -n 10 .venv/bin/python benchmarks/stats_kpi_and_times.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from workbench.schema import conform_posts
from workbench.stats.kpi_change import change_interval
from workbench.stats.multiple import bh_adjust
from workbench.stats.nb import fit_nb
from workbench.stats.posting_times import analyse_posting_times
from workbench.stats.simulate import simulate_timed_posts

OUT = Path(__file__).with_suffix(".md")
TZ = "America/Toronto"
KPI_PARAMS = {"seed": 20240301, "bootstrap_reps": 999}
TIME_PARAMS = {"timezone": TZ, "window_months": 6, "min_post_age_days": 7, "seed": 11}


# ---- KPI change (§6.3) ---------------------------------------------------------------------


def interactions(rng, n, sigma=1.0, alpha=0.7, rate=0.03, viral=0.0, viral_mult=10.0):
    """Per-post interactions: reach log-normal(log 1500, σ), NB2(μ = rate·reach[·10], α)."""
    reach = np.maximum(np.round(np.exp(rng.normal(np.log(1500), sigma, n))), 1)
    mu = rate * reach * np.where(rng.random(n) < viral, viral_mult, 1.0)
    return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float), reach


def month_frame(values: np.ndarray, reach: np.ndarray, month: str) -> pd.DataFrame:
    period = pd.Period(month, freq="M")
    published = period.start_time.tz_localize(TZ) + pd.to_timedelta(
        np.arange(len(values)) * 3600 * 7, unit="s"
    )
    return pd.DataFrame(
        {
            "platform": "facebook",
            "post_id": [f"{month}-{i}" for i in range(len(values))],
            "published_at": published,
            "published_at_utc": published.tz_convert("UTC"),
            "format": "photo",
            "exposure_kind": "reach",
            "reach": reach.astype(int),
            "interactions": values.astype(int),
            "snapshot_at": (period + 2).start_time.tz_localize("UTC"),
            "boosted": False,
            "is_share": False,
        }
    )


def _sum_ratio(current, previous, axis=-1):
    return np.sum(current, axis=axis) / np.sum(previous, axis=axis)


def bootstrap_ci(current, previous, method, reps, seed):
    """The previous implementation: scipy BCa / percentile of Σ current / Σ previous."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sps.bootstrap(
            (current, previous), _sum_ratio, n_resamples=reps, vectorized=True,
            method=method, rng=np.random.default_rng(seed),
        )
    return tuple(result.confidence_interval)


def nb_month_dummy_ci(current, previous):
    """§6.3 cross-check: NB2 y ~ C(month), per-post mean IRR × n₁/n₀, max-SE t interval."""
    data = pd.DataFrame(
        {"y": np.r_[previous, current], "month": ["0"] * len(previous) + ["1"] * len(current)}
    )
    fit = fit_nb(data, "y", None, ["C(month)"])
    if not fit.converged:
        return (math.nan, math.nan)
    name = next(c for c in fit.params.index if c.startswith("month["))
    b = fit.params[name] * (1 if name == "month[1]" else -1)
    q = sps.t.ppf(0.975, fit.df_resid) * fit.se[name]
    volume = len(current) / len(previous)
    return (math.exp(b - q) * volume, math.exp(b + q) * volume)


def kpi_scenario(name, reps, seed, n0=40, n1=40, sigma=1.0, viral=0.0, true_ratio=1.0,
                 methods=("new", "bca999", "percentile", "nb")):
    """Share of runs whose 95 % interval excludes the true ratio of totals, per method."""
    rng = np.random.default_rng(seed)
    misses = dict.fromkeys(methods, 0)
    valid = dict.fromkeys(methods, 0)
    truth = true_ratio * n1 / n0  # ratio of expected totals
    started = time.perf_counter()
    for rep in range(reps):
        y0, r0 = interactions(rng, n0, sigma, viral=viral)
        y1, r1 = interactions(rng, n1, sigma, viral=viral, rate=0.03 * true_ratio)
        for method in methods:
            if method == "new":
                posts = conform_posts(
                    pd.concat([month_frame(y0, r0, "2024-02"), month_frame(y1, r1, "2024-03")],
                              ignore_index=True),
                    TZ,
                )
                low, high = change_interval(posts, "facebook", "post_engagement", "2024-03",
                                            {**KPI_PARAMS, "seed": rep})
                low, high = (None, None) if low is None else (1 + low / 100, 1 + high / 100)
            elif method == "nb":
                low, high = nb_month_dummy_ci(y1, y0)
            else:
                kind, n_boot = {"bca999": ("BCa", 999), "bca9999": ("BCa", 9999),
                                "percentile": ("percentile", 999)}[method]
                low, high = bootstrap_ci(y1, y0, kind, n_boot, rep)
            if low is None or not (np.isfinite(low) and np.isfinite(high)):
                continue
            valid[method] += 1
            misses[method] += not (low <= truth <= high)
    seconds = time.perf_counter() - started
    label = {"new": "change_interval (permutation inversion)", "bca999": "old: BCa, 999",
             "bca9999": "old: BCa, 9,999", "percentile": "percentile bootstrap, 999",
             "nb": "NB month dummy, max-SE t"}
    return [
        {"part": "KPI change", "scenario": name, "method": label[m], "reps": valid[m],
         "rate": misses[m] / valid[m] if valid[m] else math.nan, "seconds": seconds}
        for m in methods
    ]


# ---- Posting times (§4.4) ------------------------------------------------------------------


def posting_scenario(n: int, reps: int, seed: int, family: int = 10):
    """False best-time recommendations under no time effect, judged as the report does."""
    family_rng = np.random.default_rng(seed + 1)
    counts = {"alone": 0, "family": 0, "pbest_only": 0, "p10": 0, "via_p": 0}
    started = time.perf_counter()
    for rep in range(reps):
        result = analyse_posting_times(simulate_timed_posts(seed + rep, n), params=TIME_PARAMS,
                                       month="2024-06")
        p = result.p_value
        # Family of one: the BH-adjusted p is the raw p.
        alone = result.with_adjusted_p(p)
        # The month's BH family: this test plus `family` other null p-values.
        p_adj = None if p is None else float(bh_adjust([p, *family_rng.random(family)])[0])
        in_family = result.with_adjusted_p(p_adj)
        # Test branch never met: only P(best) ≥ 0.5 can qualify a slot (the large-family limit).
        pbest_only = result.with_adjusted_p(1.0)
        counts["alone"] += alone.best_slot is not None
        counts["family"] += in_family.best_slot is not None
        counts["pbest_only"] += pbest_only.best_slot is not None
        counts["p10"] += p is not None and p <= 0.10
        counts["via_p"] += alone.best_slot is not None and pbest_only.best_slot is None
    seconds = time.perf_counter() - started
    label = {
        "alone": "§4.4 rule, family of one (adjusted p = raw p)",
        "family": f"§4.4 rule, BH family with {family} other null p-values",
        "pbest_only": "§4.4 rule, test branch never met (P(best) ≥ 0.5 branch only)",
        "p10": "time test raw p ≤ 0.10 (nominal 0.10)",
        "via_p": "family of one, recommended only via the p branch",
    }
    return [
        {"part": "best posting time", "scenario": f"no time effect, {n} posts / 6 months",
         "method": label[k], "reps": reps, "rate": v / reps, "seconds": seconds}
        for k, v in counts.items()
    ]


# ---- output ---------------------------------------------------------------------------------


def mc_se(rate: float, reps: int) -> float:
    return math.sqrt(rate * (1 - rate) / reps) if reps else math.nan


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| part | scenario | method | reps | rate | MC SE |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['part']} | {r['scenario']} | {r['method']} | {r['reps']} | "
            f"{r['rate']:.3f} | {mc_se(r['rate'], r['reps']):.3f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every replication count (0.1 for a smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    def reps(base: int) -> int:
        return max(20, int(base * args.scale))

    runs: list[Callable[[], list[dict]]] = [
        lambda: kpi_scenario("no change, 40 vs 40, σ = 1 (spec §6.3)", reps(2000), 1,
                             methods=("new", "bca999", "bca9999", "percentile", "nb")),
        lambda: kpi_scenario("no change, 40 vs 40, σ = 1.2", reps(1000), 2),
        lambda: kpi_scenario("no change, 40 vs 40, σ = 1, 2 % viral ×10", reps(1000), 3),
        lambda: kpi_scenario("no change, 40 vs 40, σ = 1.2, 2 % viral ×10", reps(1000), 4),
        lambda: kpi_scenario("no change per post, 25 vs 60, σ = 1", reps(1000), 5, n0=25,
                             n1=60),
        lambda: kpi_scenario("no change, 10 vs 10, σ = 1", reps(1000), 6, n0=10, n1=10),
        lambda: kpi_scenario("true +50 % per post, 40 vs 40 (miss = 1 − coverage)",
                             reps(1000), 7, true_ratio=1.5, methods=("new", "bca999")),
        lambda: posting_scenario(200, reps(600), 10_000),
        lambda: posting_scenario(400, reps(600), 20_000),
    ]
    started = time.perf_counter()
    rows: list[dict] = []
    for run in runs:
        block = run()
        rows.extend(block)
        print("\n".join(table(block)[2:]), flush=True)
    total = time.perf_counter() - started

    lines = [
        "# KPI-change interval and best-posting-time rule under the null",
        "",
        f"Generated {dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()} "
        f"by `nice -n 10 .venv/bin/python benchmarks/stats_kpi_and_times.py"
        f"{'' if args.scale == 1 else f' --scale {args.scale:g}'}` (one process, shared "
        f"2-core machine); total {total / 60:.1f} min.",
        "",
        "**KPI change** (statistics.md §6.3): rate = share of runs whose 95 % interval of "
        "Σ(current)/Σ(previous) interactions excludes the true ratio of expected totals "
        "(type-I error of the report's \"a real change\" label; target 0.05). Per-post "
        "interactions: reach log-normal(log 1500, σ), NB2 α = 0.7, rate 0.03; viral = 10× rate. "
        "`change_interval` runs end to end on canonical posts with 999 permutations.",
        "",
        "**Best posting time** (§4.4): rate = share of null data sets (no time effect; NB2 "
        "α = 0.5; staff hours 07-23) in which a best slot is recommended. \"BH family\" = the "
        "time test's p BH-adjusted together with 10 independent U(0, 1) p-values, then "
        "`PostingTimesResult.with_adjusted_p`, as the report does.",
        "",
        "MC SE = √(rate·(1 − rate)/reps).",
        "",
        *table(rows),
        "",
    ]
    print("\n".join(lines[-len(rows) - 3:]))
    if not args.no_write:
        OUT.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()

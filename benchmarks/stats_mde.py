"""Is the printed MDE the effect the test detects 80 % of the time? (issue 11 §4)

Design of statistics.md §11.1 (label confounded with video, model label + video with offset,
reach log-normal σ = 1, α = 0.7). Per n: a pilot of null datasets gives the median printed MDE
of both rules, the SE-based one now printed (exp((z₀.₉₇₅ + z₀.₈) · SE of the printed interval))
and the analytic NB formula at the mean count used before; then datasets with the true rate
ratio set to each MDE give the simulated power of the max-SE test (target 0.80 ± 0.05).

Run:  python benchmarks/stats_mde.py [--reps 400] [--pilot 60]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.stats_viral import dataset
from workbench.stats import power
from workbench.stats.nb import fit_nb
from workbench.stats.pooling import se_from_interval


def printed_mdes(rng, n, pilot):
    se_rule, analytic = [], []
    for _ in range(pilot):
        data = dataset(rng, n, 1.0, viral=0.0)
        fit = fit_nb(data, "y", "exposure", ["_label", "video"], offset=True)
        if not fit.converged:
            continue
        low, high = fit.ci("_label")
        se_rule.append(power.mde_from_se(se_from_interval(low, high)))
        n1 = int(data["_label"].sum())
        mu0 = float(data.loc[data["_label"] == 0, "y"].mean())
        analytic.append(power.mde(n1, n - n1, mu0, fit.alpha))
    return float(np.median(se_rule)), float(np.median(analytic))


def power_at(rng, n, irr, reps):
    hits = valid = 0
    for _ in range(reps):
        data = dataset(rng, n, irr, viral=0.0)
        fit = fit_nb(data, "y", "exposure", ["_label", "video"], offset=True)
        if fit.converged:
            valid += 1
            hits += fit.p_value("_label") < 0.05
    return hits / max(valid, 1), valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--pilot", type=int, default=60)
    parser.add_argument("--n", type=int, nargs="+", default=[80, 160, 320])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("stats_mde.md"))
    args = parser.parse_args()
    started = time.time()
    lines = ["# Simulated power at the printed MDE (target 0.80 ± 0.05)", "",
             f"{args.pilot} pilot datasets for the median printed MDE, {args.reps} datasets for "
             "the power at it; α = 0.7, no viral posts.", "",
             "| n | MDE printed (SE rule) | power at it | MDE (old analytic) | power at it |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    for i, n in enumerate(args.n):
        rng = np.random.default_rng(500 + i)
        m_se, m_old = printed_mdes(rng, n, args.pilot)
        p_se, v_se = power_at(rng, n, m_se, args.reps)
        p_old, v_old = power_at(rng, n, m_old, args.reps)
        lines.append(f"| {n} | {m_se:.2f} | {p_se:.3f} ({v_se} reps) | {m_old:.2f} | "
                     f"{p_old:.3f} ({v_old} reps) |")
        print(lines[-1], flush=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines += ["", f"Run time {time.time() - started:.0f} s."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

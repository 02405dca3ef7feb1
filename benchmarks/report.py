"""Benchmark: `workbench report` against the floor of running its notebooks one by one.

Generates the sample organisation's exports, ingests and labels them once (not timed), then
times, pair by pair in this one process:

* the report: ``workbench.report.runner.run_report`` for one month, with the month's cache
  emptied first (a cold run: the month's analysis is computed, then the seven notebooks display
  it side by side on the machine's cores, then results.json and report.html are written);
* the floor: the same number of papermill notebooks, executed one after another with the same
  kernel set-up, that only import the libraries the report notebooks imported when the
  issue was filed (the analysis stack included; no analysis), and a lean floor whose
  notebooks import only what today's set-up cell imports.

It prints each pair, the median times and the ratio report / floor (target at most 0.6x),
plus a warm re-run (the month's cache already filled, as on a re-run of the same data) and
the machine's load average, since other jobs on a shared machine change every number::

    .venv/bin/python benchmarks/report.py [--pairs 3] [--month 2026-11] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from workbench.config import load_params
from workbench.io.ingest import ingest
from workbench.labels import run_label
from workbench.report.notebooks import PARAMETERS_SOURCE
from workbench.report.runner import NOTEBOOKS, run_report
from workbench.sample import generate_sample
from workbench.staging import execute_notebook, workers

#: What a report notebook's kernel imports, without opening or analysing anything.
FLOOR_IMPORTS = """\
%matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import display

import workbench as wb
from workbench.report import display as D
from workbench.report import figures as F
from workbench.report import sections as S
import seaborn, scipy.stats, statsmodels.api  # noqa: E401  (what the results unpickle)
import workbench.analysis, workbench.stats.hypotheses, workbench.stats.posting_times
import workbench.stats.topics, workbench.io.tables  # noqa: E401"""


#: What a report notebook's set-up cell imports today (the notebooks no longer import the
#: analysis stack: the results unpickle without it). A second, lower floor, printed beside
#: the first so the ratio does not rest on the heavier imports of the issue's floor.
LEAN_FLOOR_IMPORTS = """\
%matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import display

import workbench as wb
from workbench.report import display as D
from workbench.report import figures as F
from workbench.report import sections as S"""


def floor_notebook(path: Path, imports: str = FLOOR_IMPORTS) -> Path:
    """A notebook with the report's parameters cell and only the given imports."""
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(PARAMETERS_SOURCE)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(imports)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


def run_floor(source: Path, out_dir: Path, n: int) -> float:
    """Seconds to execute ``source`` ``n`` times one after another with papermill."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index in range(n):
        execute_notebook(source, out_dir / f"floor_{index}.ipynb", {"sample": False})
    return time.perf_counter() - started


def run_cold_report(month: str, raw: Path, processed: Path, reports: Path,
                    n_workers: int | None) -> float:
    """Seconds for one report run after emptying the month's cache."""
    shutil.rmtree(processed / ".month-cache", ignore_errors=True)
    return run_warm_report(month, raw, processed, reports, n_workers)


def run_warm_report(month: str, raw: Path, processed: Path, reports: Path,
                    n_workers: int | None) -> float:
    """Seconds for one report run as it stands (cache kept)."""
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        run_report(month, raw, processed, reports, workers=n_workers)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--workers", type=int, default=None,
                        help="notebooks side by side (default: the machine's cores)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        raw, processed, reports = base / "raw", base / "processed", base / "reports"
        params = load_params()
        generate_sample(raw, params=params, experiment=True, end=args.month)
        with contextlib.redirect_stdout(io.StringIO()):
            ingest(raw, processed, params)
            run_label(processed, params)
        source = floor_notebook(base / "floor.ipynb")
        lean_source = floor_notebook(base / "lean_floor.ipynb", LEAN_FLOOR_IMPORTS)
        n = len(NOTEBOOKS)
        print(f"month {args.month}: {n} notebooks; {os.cpu_count()} cores, "
              f"{args.workers or workers()} notebook workers; load average before "
              f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
        reports_times, floor_times, lean_times = [], [], []
        for pair in range(1, args.pairs + 1):
            report_s = run_cold_report(args.month, raw, processed, reports, args.workers)
            floor_s = run_floor(source, base / "floor", n)
            lean_s = run_floor(lean_source, base / "lean_floor", n)
            reports_times.append(report_s)
            floor_times.append(floor_s)
            lean_times.append(lean_s)
            print(f"pair {pair}: report {report_s:6.1f} s   floor {floor_s:6.1f} s   "
                  f"ratio {report_s / floor_s:.2f}x   (lean floor {lean_s:6.1f} s, "
                  f"{report_s / lean_s:.2f}x)", flush=True)
        warm = run_warm_report(args.month, raw, processed, reports, args.workers)
    report_median, floor_median = statistics.median(reports_times), statistics.median(
        floor_times)
    lean_median = statistics.median(lean_times)
    load_after = os.getloadavg()
    print(f"report (cold month cache): {report_median:.1f} s (median of {args.pairs})")
    print(f"floor ({n} import-only notebooks one by one): {floor_median:.1f} s "
          f"(median of {args.pairs})")
    print(f"report re-run (month cache warm): {warm:.1f} s ({warm / floor_median:.2f}x)")
    print(f"lean floor ({n} notebooks importing only today's set-up cell): "
          f"{lean_median:.1f} s; report / lean floor {report_median / lean_median:.2f}x")
    print(f"ratio report / floor: {report_median / floor_median:.2f}x (target <= 0.6x)")
    print(f"load average after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

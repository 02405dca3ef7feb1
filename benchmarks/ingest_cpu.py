"""Serial parse CPU per export kind (``time.process_time``), for ingest speed work.

Generates one organisation-year (seed 4, 2025) into ``--work`` (once) and parses every file
the way ingest does (read, detect, parse), ``--repeat`` times, in this process; prints CPU
seconds per kind (summed over files; the least over the repeats, the run least disturbed
by other work on a shared machine) and the whole ingest's CPU. CPU time, not wall time.
Usage::

    .venv/bin/python benchmarks/ingest_cpu.py --work /tmp/ident [--repeat 3] [--profile out]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import export_files, floor_read, unpacked_sources  # noqa: E402  (benchmarks/ingest.py)

from workbench.config import org_timezone
from workbench.io.ingest import ingest
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params


def parse_times(raw_dir: Path) -> tuple[dict[str, float], dict[str, int], float]:
    """CPU seconds per kind over the files of ``raw_dir`` (detection counted apart)."""
    params = sample_params()
    ctx = ParseContext(tz=org_timezone(params), params=params)
    cpu: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory() as work:
        sources = unpacked_sources(raw_dir, Path(work))
        for path, _rel, _shown in sources:
            t0 = time.process_time()
            raw = RawFile.read(path)
            raw.container  # noqa: B018  (read and sniff the container here)
            t1 = time.process_time()
            try:
                kind = detect(raw)
            except Exception:  # noqa: BLE001  (not an export: counted as detection)
                cpu["(detect)"] += time.process_time() - t1
                cpu["(read)"] += t1 - t0
                continue
            t2 = time.process_time()
            kind.parse(raw, ctx)
            t3 = time.process_time()
            cpu["(read)"] += t1 - t0
            cpu["(detect)"] += t2 - t1
            cpu[kind.name] += t3 - t2
            count[kind.name] += 1
    total = sum(cpu.values())
    return dict(cpu), dict(count), total


def main(argv: list[str] | None = None) -> int:
    """Print the CPU per kind and of the whole serial ingest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of one ingest here")
    parser.add_argument("--sample", default="org_year",
                        help="the folder under --work to read (org_year, ten_years)")
    args = parser.parse_args(argv)
    os.environ["WORKBENCH_WORKERS"] = "1"
    raw = args.work / args.sample / "raw"
    if not raw.exists() and args.sample == "org_year":
        generate_sample(raw, seed=4, start="2025-01", end="2025-12", params=sample_params())
    runs = [parse_times(raw) for _ in range(args.repeat)]
    kinds = sorted(set().union(*(r[0] for r in runs)), key=lambda k: -runs[0][0][k])
    print(f"{'kind':34s} {'files':>5s} {'CPU s':>7s} {'ms/file':>8s}")
    for kind in kinds:
        seconds = min(r[0].get(kind, 0.0) for r in runs)
        n = runs[0][1].get(kind, 0)
        per = f"{1000 * seconds / n:8.1f}" if n else " " * 8
        print(f"{kind:34s} {n:5d} {seconds:7.3f} {per}")
    print(f"{'parse total (read+detect+parse)':34s} {'':5s} "
          f"{min(r[2] for r in runs):7.3f}")
    totals = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(args.repeat):
            t0 = time.process_time()
            ingest(raw, Path(out) / str(i), sample_params())
            totals.append(time.process_time() - t0)
        if args.profile:
            cProfile.runctx("ingest(raw, Path(out) / 'p', sample_params())", globals(),
                            {"raw": raw, "out": out, "ingest": ingest, "Path": Path,
                             "sample_params": sample_params}, str(args.profile))
    print(f"{'whole serial ingest':34s} {'':5s} {min(totals):7.3f}")
    floors = []
    files = export_files(raw)
    for _ in range(args.repeat):
        t0 = time.process_time()
        floor_read(files)
        floors.append(time.process_time() - t0)
    print(f"{'floor (benchmarks/ingest.py readers)':34s} {len(files):5d} {min(floors):7.3f}")
    print(f"{'CPU ratio ingest / floor':34s} {'':5s} {min(totals) / min(floors):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

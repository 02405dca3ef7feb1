"""Paired CPU comparison of two versions of the parsers, file by file, in one process.

On a shared machine CPU seconds drift by half between runs, so a before/after taken as two
runs says little. Here a copy of the old package (imported under another name, e.g. made
by ``git archive <commit> workbench`` and renaming the imports to ``wbbase``) and the
current one parse each file one right after the other, alternating which goes first; per
export kind the CPU is summed over the files and the least over ``--repeat`` rounds is
kept, then the same for whole serial ingests. Usage::

    .venv/bin/python benchmarks/ingest_cpu_paired.py --work /tmp/ident --old-path DIR \\
        [--old-name wbbase] [--sample org_year] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from workbench.sample.profile import sample_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import unpacked_sources  # noqa: E402  (benchmarks/ingest.py)


def _versions(old_path: Path, old_name: str) -> dict[str, dict]:
    sys.path.insert(0, str(old_path))
    out = {}
    for label, name in (("old", old_name), ("new", "workbench")):
        out[label] = {
            "RawFile": importlib.import_module(f"{name}.io.rawfile").RawFile,
            "registry": importlib.import_module(f"{name}.io.registry"),
            "ingest": importlib.import_module(f"{name}.io.ingest"),
            "tz": importlib.import_module(f"{name}.config").org_timezone,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Print per-kind CPU of the old and the new parsers, and of whole serial ingests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--old-path", type=Path, required=True)
    parser.add_argument("--old-name", default="wbbase")
    parser.add_argument("--sample", default="org_year")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["WORKBENCH_WORKERS"] = "1"
    versions = _versions(args.old_path, args.old_name)
    raw_dir = args.work / args.sample / "raw"
    params = sample_params()
    with tempfile.TemporaryDirectory() as work:
        sources = unpacked_sources(raw_dir, Path(work))
        paths = [path for path, _, _ in sources]
        best = {label: defaultdict(lambda: float("inf")) for label in versions}
        counts: dict[str, int] = defaultdict(int)
        for rnd in range(args.repeat):
            spent = {label: defaultdict(float) for label in versions}
            for i, path in enumerate(paths):
                order = ["old", "new"] if (i + rnd) % 2 == 0 else ["new", "old"]
                for label in order:
                    v = versions[label]
                    ctx = v["registry"].ParseContext(tz=v["tz"](params), params=params)
                    t0 = time.process_time()
                    raw = v["RawFile"].read(path)
                    try:
                        kind = v["registry"].detect(raw)
                        kind.parse(raw, ctx)
                        name = kind.name
                    except Exception:  # noqa: BLE001  (skipped files count as detection)
                        name = "(not an export)"
                    spent[label][name] += time.process_time() - t0
                    if rnd == 0 and label == "new":
                        counts[name] += 1
            for label in versions:
                for name, seconds in spent[label].items():
                    best[label][name] = min(best[label][name], seconds)
                best[label]["parse total"] = min(best[label]["parse total"],
                                                 sum(spent[label].values()))
        for rnd in range(args.repeat):
            for label in (["old", "new"] if rnd % 2 == 0 else ["new", "old"]):
                t0 = time.process_time()
                versions[label]["ingest"].ingest(raw_dir, Path(work) / f"{label}{rnd}", params)
                seconds = time.process_time() - t0
                best[label]["whole serial ingest"] = min(best[label]["whole serial ingest"],
                                                         seconds)
    kinds = sorted(counts, key=lambda k: -best["old"][k]) + ["parse total",
                                                             "whole serial ingest"]
    print(f"{'kind (read+detect+parse)':28s} {'files':>5s} {'old s':>7s} {'new s':>7s} "
          f"{'old ms/f':>8s} {'new ms/f':>8s} {'new/old':>7s}")
    for name in kinds:
        o, n, c = best["old"][name], best["new"][name], counts.get(name, 0)
        per = f"{1000 * o / c:8.1f} {1000 * n / c:8.1f}" if c else " " * 17
        print(f"{name:28s} {c or '':>5} {o:7.3f} {n:7.3f} {per} {n / o:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU per ``RawFile.read_csv`` call: the fast path against the pandas path it replaces.

Reads one generated organisation-year (``--work``/org_year/raw, made by
``benchmarks/ingest_identity.py`` or ``benchmarks/ingest_cpu.py``; generated here when
absent) and times, per file, ``read_csv`` and ``_read_csv_pandas`` with the callers'
arguments: Meta posts (``usecols`` = every other column, ``dtype=object``, as the Meta parser
reads a subset of positions), TikTok ZIP members (``dtype="string"``) and manual KPIs (the
default ``str``). The two alternate call by call (``--calls`` each, least of ``--repeat``
rounds, ``time.process_time``); prints the mean ms per call over the files. Usage::

    .venv/bin/python benchmarks/csv_fast_cpu.py --work /tmp/ident [--calls 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

from workbench.io.rawfile import RawFile
from workbench.io.registry import detect
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params


def cases(raw_dir: Path) -> list[tuple[str, RawFile, dict]]:
    """(group, raw, kwargs) for every Meta posts file, TikTok member and manual KPI file."""
    out = []
    for path in sorted(raw_dir.rglob("*")):
        if not path.is_file():
            continue
        raw = RawFile.read(path)
        try:
            kind = detect(raw).name
        except Exception:  # noqa: BLE001  (not an export)
            continue
        if kind.startswith("meta_") and kind.endswith("_posts"):
            delimiter = raw.sniff_delimiter()
            width = len(raw.header_row(0, delimiter=delimiter))
            out.append(("Meta posts (usecols, object)", raw,
                        {"delimiter": delimiter, "usecols": list(range(0, width, 2)),
                         "dtype": object}))
        elif kind == "manual_kpis":
            out.append(("manual KPIs (str)", raw, {"delimiter": raw.sniff_delimiter()}))
        elif kind == "tiktok_zip":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.filename.lower().endswith(".csv"):
                        member = RawFile(Path(f"{path}!{info.filename}"), archive.read(info))
                        out.append(("TikTok members (string)", member,
                                    {"delimiter": ",", "dtype": "string"}))
    return out


def per_call(raw: RawFile, kwargs: dict, calls: int, repeat: int) -> dict[str, float]:
    """Least-of-``repeat`` CPU ms per call of each path."""
    best = {"pandas": float("inf"), "fast": float("inf")}
    for rnd in range(repeat):
        order = [("pandas", raw._read_csv_pandas), ("fast", raw.read_csv)]
        for label, read in order if rnd % 2 == 0 else order[::-1]:
            t0 = time.process_time()
            for _ in range(calls):
                read(**kwargs)
            best[label] = min(best[label], (time.process_time() - t0) / calls * 1000)
    return best


def main(argv: list[str] | None = None) -> int:
    """Print mean ms per call per group."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    raw_dir = args.work / "org_year" / "raw"
    if not raw_dir.exists():
        generate_sample(raw_dir, seed=4, start="2025-01", end="2025-12", params=sample_params())
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    taken: dict[str, int] = defaultdict(int)
    sizes: dict[str, int] = defaultdict(int)
    for group, raw, kwargs in cases(raw_dir):
        for label, ms in per_call(raw, kwargs, args.calls, args.repeat).items():
            sums[group][label] += ms
        counts[group] += 1
        sizes[group] += len(raw.data)
        taken[group] += raw._read_csv_fast(**kwargs) is not None
    print(f"{'calls':30s} {'files':>5s} {'taken':>5s} {'KB':>5s} {'pandas ms':>9s} "
          f"{'fast ms':>8s} {'ratio':>6s}")
    for group, n in counts.items():
        pandas_ms, fast_ms = sums[group]["pandas"] / n, sums[group]["fast"] / n
        print(f"{group:30s} {n:5d} {taken[group]:5d} {sizes[group] / n / 1024:5.1f} "
              f"{pandas_ms:9.3f} {fast_ms:8.3f} {fast_ms / pandas_ms:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU per Meta posts file: the full route alone against ``_parse_posts`` with its fast path.

Every Meta posts export of a generated organisation-year (seed 4, 2025, as
``benchmarks/ingest_identity.py``) is parsed ``--reps`` times by each route, alternating
routes file by file, from a fresh :class:`RawFile` each time (no cached text). Reports
``time.process_time`` per file (mean over files and repetitions, and the median file), for
the files the fast path reads and for all of them, beside a plain ``pd.read_csv`` of the same
bytes (the floor issue 12 measures ingest against). Usage::

    WORKBENCH_WORKERS=1 nice -n 19 .venv/bin/python benchmarks/meta_fast_cpu.py \\
        --work /tmp/ident --reps 20 --out benchmarks/meta_fast_cpu.md
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import pandas as pd

from workbench.io import meta
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from meta_fast_identity import posts_files  # noqa: E402


def floor_ms(raw: RawFile) -> float:
    """A plain pandas reader of the same bytes (every cell as text): the floor of issue 12."""
    started = time.process_time()
    pd.read_csv(io.BytesIO(raw.data), dtype=object, encoding="utf-8-sig")
    return (time.process_time() - started) * 1000


def cpu_ms(raw: RawFile, ctx: ParseContext, platform: str, fast: bool) -> float:
    fresh = RawFile(path=raw.path, data=raw.data)
    kind = f"meta_{platform}_posts"
    if fast:
        started = time.process_time()
        meta._parse_posts(fresh, ctx, platform, kind)
        return (time.process_time() - started) * 1000
    with mock.patch.object(meta, "_parse_posts_fast", lambda *args: None):
        started = time.process_time()
        meta._parse_posts(fresh, ctx, platform, kind)
        return (time.process_time() - started) * 1000


def _quote(value: str) -> str:
    """Meta's quoting rule (a space, comma, quote or line break quotes the value)."""
    if any(ch in value for ch in ' ,"\n\t'):
        return '"' + value.replace('"', '""') + '"'
    return value


def scaling(files: list, ctx: ParseContext, work: Path, reps: int) -> list[str]:
    """Median CPU of both routes on longer files: the largest Facebook file's rows repeated."""
    raw = max((r for r, p in files if p == "facebook"
               and not isinstance(meta._fast_posts_or_reason(r, ctx, p, "k"), str)),
              key=lambda r: len(r.data))
    records = meta._clean_records(raw)
    header = raw.data.partition(b"\n")[0]
    lines = [",".join(_quote(c) for c in r).encode() for r in records[1:]]
    out = ["Longer files (the largest Facebook file's rows repeated; median of "
           f"{reps} runs):\n",
           "| rows | full route ms | fast path ms | pd.read_csv floor ms |", "|---|---|---|---|"]
    for n in (100, 500, 2000):
        path = work / f"meta_fast_cpu_{n}.csv"
        path.write_bytes(header + b"\n" + b"\n".join((lines * (n // len(lines) + 1))[:n]) + b"\n")
        big = RawFile.read(path)
        full = statistics.median(cpu_ms(big, ctx, "facebook", False) for _ in range(reps))
        fast = statistics.median(cpu_ms(big, ctx, "facebook", True) for _ in range(reps))
        floor = statistics.median(floor_ms(big) for _ in range(reps))
        out.append(f"| {n} | {full:.2f} | {fast:.2f} | {floor:.2f} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    params = sample_params()
    raw_dir = args.work / "org_year" / "raw"
    if not raw_dir.exists():
        generate_sample(raw_dir, seed=4, start="2025-01", end="2025-12", params=params)
    ctx = ParseContext(tz=params["timezone"], params=params)
    files = posts_files(raw_dir, args.work / "unpacked")
    taken = {str(raw.path): not isinstance(meta._fast_posts_or_reason(
        raw, ctx, platform, f"meta_{platform}_posts"), str) for raw, platform in files}
    for raw, platform in files:  # warm-up (imports, caches)
        cpu_ms(raw, ctx, platform, True)
        cpu_ms(raw, ctx, platform, False)
    sizes = [len(records) - 1 for raw, _ in files
             if not isinstance(records := meta._clean_records(raw), str)]
    per_file: dict[str, dict[bool, list[float]]] = {}
    for _ in range(args.reps):
        for raw, platform in files:
            times = per_file.setdefault(str(raw.path), {True: [], False: [], None: []})
            times[None].append(floor_ms(raw))
            times[False].append(cpu_ms(raw, ctx, platform, False))
            times[True].append(cpu_ms(raw, ctx, platform, True))
    rows = ["# Meta posts: CPU per file, full route vs fast path\n",
            f"{len(files)} Meta posts files of the generated organisation-year (seed 4, 2025), "
            f"{args.reps} repetitions each, `time.process_time`, one process, routes "
            f"alternating file by file. Rows per file: {min(sizes)}-{max(sizes)} "
            f"(median {statistics.median(sizes):.0f}).\n",
            "| files | n | full route ms/file (mean) | with fast path ms/file (mean) | "
            "median file full / fast | ratio | pd.read_csv floor ms/file (mean) |",
            "|---|---|---|---|---|---|---|"]
    for label, chosen in (("read fast", [p for p in per_file if taken[p]]),
                          ("declined (full route)", [p for p in per_file if not taken[p]]),
                          ("all", list(per_file))):
        if not chosen:
            continue
        slow = [statistics.mean(per_file[p][False]) for p in chosen]
        fast = [statistics.mean(per_file[p][True]) for p in chosen]
        floor = [statistics.mean(per_file[p][None]) for p in chosen]
        rows.append(f"| {label} | {len(chosen)} | {statistics.mean(slow):.2f} | "
                    f"{statistics.mean(fast):.2f} | {statistics.median(slow):.2f} / "
                    f"{statistics.median(fast):.2f} | "
                    f"{statistics.mean(slow) / statistics.mean(fast):.1f}x | "
                    f"{statistics.mean(floor):.2f} |")
    rows += ["", *scaling(files, ctx, args.work, max(3, args.reps // 4))]
    text = "\n".join(rows) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

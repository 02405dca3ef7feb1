"""Benchmark: `workbench ingest` against a floor of plain pandas readers over the same files.

Generates ten years of the sample organisation's exports (every format the generator writes,
in a fresh child process, so the process measured does not carry the generator's garbage),
then times, in this one process, pair by pair (each organisation's floor read and its ingest
one right after the other, which goes first alternating):

* the floor: each file read once by the plain pandas reader for its container
  (``pandas.read_csv`` for CSV text, the members of a ZIP, ``pandas.read_excel`` for
  spreadsheets), with every cell as text, nothing validated, deduplicated or written;
* the workbench: ``workbench.io.ingest.ingest`` (detect, parse, validate, convert time zones,
  dedupe, write Parquet and the log).

It prints both totals and their ratio (the target is at most 2x), and the spread of the
per-pair ratios. ``--orgs N`` measures a
sector pool instead: N organisations (the sample generator with N seeds), each with
``--years`` of exports in its own folder, each ingested into its own tables, as a pool that
keeps one set of tables per organisation would run it. Usage::

    .venv/bin/python benchmarks/ingest.py [--years 10] [--repeat 3]
    .venv/bin/python benchmarks/ingest.py --orgs 100 --years 1 --repeat 2   # sector pool
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from workbench.io.ingest import discover_files, expand_zip, ingest
from workbench.io.rawfile import RawFile
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

SKIP_SUFFIXES = {".png", ".jpg", ".jpeg", ".json", ".md", ".txt"}


def _read_text_floor(text: str) -> int:
    lines = text.splitlines()
    start = 1 if lines and lines[0].lower().startswith("sep=") else 0
    sample = "\n".join(lines[start : start + 20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    width = max((len(next(csv.reader([ln], delimiter=delimiter), [])) for ln in lines[:50]),
                default=1)
    frame = pd.read_csv(io.StringIO("\n".join(lines[start:])), sep=delimiter, header=None,
                        names=range(max(width, 1)), dtype=str, engine="c",
                        on_bad_lines="skip", skip_blank_lines=True)
    return len(frame)


def floor_read(paths: list[Path]) -> int:
    """Read every file with the plain pandas reader for its container; return rows read."""
    rows = 0
    for path in paths:
        raw = RawFile.read(path)
        if raw.container == "zip" and path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    data = archive.read(member)
                    text = data.decode("utf-8-sig", errors="replace")
                    rows += _read_text_floor(text)
        elif raw.container in ("ole", "zip"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
            rows += sum(len(s) for s in sheets.values())
        elif raw.container in ("text", "xml"):
            rows += _read_text_floor(raw.text)
    return rows


def export_files(raw: Path) -> list[Path]:
    """The export files under ``raw`` (no media, notes or truth)."""
    return sorted(p for p in raw.rglob("*")
                  if p.is_file() and p.suffix.lower() not in SKIP_SUFFIXES
                  and "media" not in p.parts)


def unpacked_sources(raw_dir: Path, work: Path) -> list[tuple[Path, str, str]]:
    """The files ingest parses under ``raw_dir``: analysts' zips of exports unpacked.

    As (file on disk, path as logged, path errors name), zip members in place of their zip.
    """
    sources = []
    for path in discover_files(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        members = expand_zip(path, rel, work) if path.suffix.lower() == ".zip" else None
        sources.extend(members if members is not None else [(path, rel, str(path))])
    return sources


def _generate(raws: list[Path], start: str, end: str) -> None:
    """Write the sample organisations' exports (run in a child process, see :func:`main`)."""
    params = sample_params()
    for index, raw in enumerate(raws):
        generate_sample(raw, seed=3 + index, start=start, end=end, params=params)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orgs", type=int, default=1,
                        help="organisations, each in its own folder and tables (a sector pool)")
    args = parser.parse_args(argv)
    params = sample_params()  # the sample organisation's profile, never params/org.yaml
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        end = pd.Period("2025-12", freq="M")
        start = end - (12 * args.years - 1)
        raws = [base / "raw"] if args.orgs == 1 else [
            base / "raw" / f"org{index:03d}" for index in range(args.orgs)]
        t0 = time.perf_counter()
        # generated in a fresh child process: the generator's garbage (hundreds of MB for a
        # pool) would otherwise stay in the heap of the process measured, which no real
        # ingest carries
        with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
            pool.submit(_generate, raws, str(start), str(end)).result()
        generated = time.perf_counter() - t0
        per_org = [export_files(raw) for raw in raws]
        files = [path for org_files in per_org for path in org_files]
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        print(f"generated {args.orgs} organisation(s) x {args.years} year(s): {len(files)} "
              f"export files, {size_mb:.1f} MB in {generated:.1f} s")
        floor_times, ingest_times, pair_ratios = [], [], []
        floor_rows = 0
        for i in range(args.repeat):
            floor_s = ingest_s = 0.0
            # pair by pair: each organisation's floor read and ingest one right after the
            # other, which goes first alternating, so drift on a shared machine hits both
            for k, (raw, org_files) in enumerate(zip(raws, per_org, strict=True)):
                pair = {}
                for step in (("floor", "ingest") if (i + k) % 2 == 0 else ("ingest", "floor")):
                    t0 = time.perf_counter()
                    if step == "floor":
                        rows = floor_read(org_files)
                    else:
                        result = ingest(raw, base / f"processed{i}" / raw.name, params)
                    pair[step] = time.perf_counter() - t0
                floor_rows += rows if i == 0 else 0
                floor_s += pair["floor"]
                ingest_s += pair["ingest"]
                pair_ratios.append(pair["ingest"] / pair["floor"])
            floor_times.append(floor_s)
            ingest_times.append(ingest_s)
        floor_s, ingest_s = statistics.median(floor_times), statistics.median(ingest_times)
        print(f"floor (plain pandas readers): {floor_s:.2f} s for {floor_rows} rows "
              f"(median of {args.repeat})")
        print(f"workbench ingest:             {ingest_s:.2f} s (median of {args.repeat}; "
              f"{len(raws)} ingest run(s))")
        print(result.summary().splitlines()[0] + ("" if len(raws) == 1 else " (the last one)"))
        quartiles = statistics.quantiles(pair_ratios, n=4) if len(pair_ratios) > 1 else (
            pair_ratios * 3)
        print(f"per pair: median {statistics.median(pair_ratios):.2f}x "
              f"(quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}, {len(pair_ratios)} pairs)")
        print(f"ratio ingest / floor: {ingest_s / floor_s:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

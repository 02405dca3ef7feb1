"""Benchmark: `workbench ingest` against a floor of plain pandas readers over the same files.

Generates ten years of the sample organisation's exports (every format the generator writes),
then times, in this one process:

* the floor: each file read once by the plain pandas reader for its container
  (``pandas.read_csv`` for CSV text, the members of a ZIP, ``pandas.read_excel`` for
  spreadsheets), with every cell as text, nothing validated, deduplicated or written;
* the workbench: ``workbench.io.ingest.ingest`` (detect, parse, validate, convert time zones,
  dedupe, write Parquet and the log).

It prints both times and their ratio (the target is at most 2x). Usage::

    .venv/bin/python benchmarks/ingest.py [--years 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import pandas as pd

from workbench.config import load_params
from workbench.io.ingest import ingest
from workbench.io.rawfile import RawFile
from workbench.sample import generate_sample

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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    params = load_params()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        end = pd.Period("2025-12", freq="M")
        start = end - (12 * args.years - 1)
        t0 = time.perf_counter()
        generate_sample(raw, seed=3, start=str(start), end=str(end), params=params)
        generated = time.perf_counter() - t0
        files = sorted(p for p in raw.rglob("*")
                       if p.is_file() and p.suffix.lower() not in SKIP_SUFFIXES
                       and "media" not in p.parts)
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        print(f"generated {args.years} years: {len(files)} export files, {size_mb:.1f} MB "
              f"in {generated:.1f} s")
        floor_times, ingest_times = [], []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            floor_rows = floor_read(files)
            floor_times.append(time.perf_counter() - t0)
            out = Path(tmp) / f"processed{i}"
            t0 = time.perf_counter()
            result = ingest(raw, out, params)
            ingest_times.append(time.perf_counter() - t0)
        floor_s, ingest_s = statistics.median(floor_times), statistics.median(ingest_times)
        print(f"floor (plain pandas readers): {floor_s:.2f} s for {floor_rows} rows "
              f"(median of {args.repeat})")
        print(f"workbench ingest:             {ingest_s:.2f} s (median of {args.repeat})")
        print(result.summary().splitlines()[0])
        print(f"ratio ingest / floor: {ingest_s / floor_s:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Equivalence of RawFile.read_csv's fast path with pd.read_csv over a folder of real files.

Walks ``folder`` (read-only), takes every text file (and every ``.csv`` member of a ZIP)
that ``pd.read_csv`` parses with the default arguments, and reads it with each argument set
the callers use (Meta posts: ``usecols`` + ``dtype=object``; TikTok: ``dtype="string"``;
manual KPIs and column maps: the default ``str``; legacy Facebook: ``header=None``) both
through :meth:`RawFile.read_csv` and through the pandas path it replaces
(:meth:`RawFile._read_csv_pandas`). Each read is *identical* (the same frame, exactly, or the
same error), *declined* (the fast path handed it to pandas) or *differs*. Only counts and, for
differences, paths are printed; nothing is written into ``folder``. Usage::

    .venv/bin/python benchmarks/csv_fast_identity.py /work/corpus
    .venv/bin/python benchmarks/csv_fast_identity.py --sample /tmp/fast_sample   # generate
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd

from workbench.io.rawfile import RawFile
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

CALLS = (
    {"dtype": object},
    {"dtype": str},
    {"dtype": "string"},
    {"header": None},
)


def _outcome(read, **kwargs):
    try:
        return read(**kwargs)
    except Exception as exc:  # noqa: BLE001  (the same error either way is identical)
        return (type(exc).__name__, str(exc))


def compare(raw: RawFile, **kwargs) -> str:
    """``identical``, ``declined`` or ``differs`` for one read of ``raw``."""
    expected = _outcome(raw._read_csv_pandas, **kwargs)
    got = _outcome(raw.read_csv, **kwargs)
    if isinstance(expected, tuple) or isinstance(got, tuple):
        same = expected == got if isinstance(expected, tuple) and isinstance(got, tuple) else False
    else:
        try:
            pd.testing.assert_frame_equal(got, expected, check_exact=True,
                                          check_column_type=True, check_index_type=True)
            same = True
        except AssertionError:
            same = False
    if not same:
        return "differs"
    return "declined" if raw._read_csv_fast(**kwargs) is None else "identical"


def raws(folder: Path):
    """Every text file and ZIP ``.csv`` member under ``folder`` (sorted)."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = RawFile.read(path)
        if raw.container == "text":
            yield raw
        elif raw.container == "zip" and zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    for info in archive.infolist():
                        if info.filename.lower().endswith(".csv"):
                            yield RawFile(Path(f"{path}!{info.filename}"), archive.read(info))
            except (zipfile.BadZipFile, OSError):
                continue


def check(folder: Path) -> tuple[Counter, Counter, list[str]]:
    """Per-read and per-file counts, and the reads that differ."""
    reads: Counter = Counter()
    files: Counter = Counter()
    differs = []
    for raw in raws(folder):
        try:
            raw._read_csv_pandas()
        except Exception:  # noqa: BLE001  (not a CSV pandas reads: not counted)
            files["not parsed as CSV"] += 1
            continue
        delimiter = raw.sniff_delimiter()
        width = len(raw.header_row(0, delimiter=delimiter))
        calls = [*CALLS, *([{"usecols": list(range(0, width, 2)), "dtype": object},
                            {"usecols": list(range(width)), "dtype": object}]
                           if width > 1 else [])]
        results = []
        for kwargs in calls:
            result = compare(raw, delimiter=delimiter, **kwargs)
            reads[result] += 1
            results.append(result)
            if result == "differs":
                differs.append(f"{raw.path} {kwargs}")
        files["differs" if "differs" in results else
              "identical" if "identical" in results else "declined"] += 1
    return reads, files, differs


def main(argv: list[str] | None = None) -> int:
    """Print the counts; exit 1 when any read differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--sample", type=Path,
                        help="generate one organisation-year (seed 4, 2025) here and check it")
    args = parser.parse_args(argv)
    folder = args.folder
    if args.sample is not None:
        folder = args.sample
        if not folder.exists():
            generate_sample(folder, seed=4, start="2025-01", end="2025-12",
                            params=sample_params())
    if folder is None:
        parser.error("give a folder or --sample")
    reads, files, differs = check(folder)
    for line in differs:
        print("DIFFERS", line)
    print(f"files: {dict(sorted(files.items()))}")
    print(f"reads: identical {reads['identical']}, declined {reads['declined']}, "
          f"differs {reads['differs']}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())

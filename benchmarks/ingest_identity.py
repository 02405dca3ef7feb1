"""Identity check for ingest speed work: the same exports must give the same tables and log.

Generates (once, into ``--work``) one organisation-year (seed 4, 2025) and the ten-year
sample (seed 3, 2016-2025), ingests both serially and compares every written table (the
Parquet read back) with :func:`pandas.testing.assert_frame_equal` (dtypes included) and
``ingest_log.json`` without its times (``generated_at``, file ``mtime``) against a reference
saved by ``--save``. Usage::

    .venv/bin/python benchmarks/ingest_identity.py --work /tmp/ident --save   # reference
    .venv/bin/python benchmarks/ingest_identity.py --work /tmp/ident          # check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.io.ingest import LOG_NAME, WRITTEN_TABLES, ingest
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

SAMPLES = {
    "org_year": {"seed": 4, "start": "2025-01", "end": "2025-12"},
    "ten_years": {"seed": 3, "start": "2016-01", "end": "2025-12"},
}


def _timeless(log: dict[str, Any]) -> dict[str, Any]:
    """The log without what changes from run to run (times, the output folder)."""
    log = json.loads(json.dumps(log))
    log.pop("generated_at", None)
    for key in ("files", "sources"):
        for entry in log.get(key, []):
            entry.pop("mtime", None)
    return log


def _digest(frame: pd.DataFrame) -> str:
    # list cells (hashtags) are not hashable: hash their text instead
    text = frame.apply(lambda col: col.map(repr) if col.dtype == object else col)
    body = pd.util.hash_pandas_object(text, index=True).to_numpy().tobytes()
    head = repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode()
    return hashlib.sha256(head + body).hexdigest()[:16]


def snapshot(raw: Path, out: Path) -> dict[str, Any]:
    """Ingest ``raw`` into ``out`` (serially) and return the tables read back and the log."""
    if out.exists():
        shutil.rmtree(out)
    os.environ.setdefault("WORKBENCH_WORKERS", "1")
    ingest(raw, out, sample_params())
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in WRITTEN_TABLES}
    log = _timeless(json.loads((out / LOG_NAME).read_text(encoding="utf-8")))
    return {"tables": tables, "log": log}


def compare(ref: dict[str, Any], now: dict[str, Any], label: str) -> list[str]:
    """Differences between two snapshots, one line each (empty when identical)."""
    problems = []
    for name, frame in ref["tables"].items():
        try:
            pd.testing.assert_frame_equal(now["tables"][name], frame, check_exact=True)
        except AssertionError as exc:
            problems.append(f"{label} {name}: {str(exc).splitlines()[:6]}")
    if now["log"] != ref["log"]:
        problems.append(f"{label} ingest_log.json differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Generate (once), ingest, and save or check the reference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--save", action="store_true", help="write the reference")
    parser.add_argument("--only", choices=sorted(SAMPLES))
    args = parser.parse_args(argv)
    problems = []
    for label, spec in SAMPLES.items():
        if args.only and label != args.only:
            continue
        raw = args.work / label / "raw"
        if not raw.exists():
            generate_sample(raw, params=sample_params(), **spec)
        now = snapshot(raw, args.work / label / "out")
        digests = {name: _digest(frame) for name, frame in now["tables"].items()}
        log_digest = hashlib.sha256(json.dumps(now["log"], sort_keys=True).encode()).hexdigest()
        print(label, {**digests, "log": log_digest[:16]})
        ref_path = args.work / label / "reference.pkl"
        if args.save:
            ref_path.write_bytes(pickle.dumps(now))
            continue
        problems += compare(pickle.loads(ref_path.read_bytes()), now, label)
    for line in problems:
        print("DIFF", line)
    print("identical" if not problems and not args.save else
          "saved" if args.save else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Meta posts fast path against the full route: identical, declined or differs, per file.

Every Meta Business Suite Facebook/Instagram posts export under the given folders (detected
as ingest does) is parsed twice: by ``_parse_posts`` as shipped (the fast path first) and by
the full route alone (the fast path switched off). A file is *identical* when the fast path
answered and the two :class:`ParsedExport` agree (posts frame exact, dtypes included; account,
dates, snapshot, unknown columns, warnings, notes), *declined* when the fast path left the
file to the full route, *differs* otherwise (must be zero). Files the full route rejects are
counted as *errors* (the fast path must decline those). Usage::

    .venv/bin/python benchmarks/meta_fast_identity.py /work/corpus            # real files
    .venv/bin/python benchmarks/meta_fast_identity.py --sample /tmp/mf_sample  # generated

``--tz``/``--params`` default to what ``tests/corpus`` uses (no organisation profile) for
folders, and to the sample organisation's profile for ``--sample``. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from unittest import mock

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.io import meta
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport, detect, load_parsers

POST_KINDS = {"meta_facebook_posts": "facebook", "meta_instagram_posts": "instagram"}


def differences(fast: ParsedExport, slow: ParsedExport) -> list[str]:
    """How two parses of one file differ (empty when identical)."""
    problems = []
    try:
        pd.testing.assert_frame_equal(fast.tables["posts"], slow.tables["posts"],
                                      check_exact=True)
    except AssertionError as exc:
        problems.append("posts: " + " ".join(str(exc).split())[:300])
    if list(fast.tables) != list(slow.tables):
        problems.append(f"tables {list(fast.tables)} != {list(slow.tables)}")
    for name in ("path", "kind", "account", "date_min", "date_max", "snapshot_at",
                 "unknown_columns", "warnings", "notes"):
        a, b = getattr(fast, name), getattr(slow, name)
        if a != b or type(a) is not type(b) or (
                isinstance(a, pd.Timestamp) and (a.unit != b.unit or str(a.tz) != str(b.tz))):
            problems.append(f"{name}: {a!r} != {b!r}")
    return problems


def full_route(raw: RawFile, ctx: ParseContext, platform: str) -> ParsedExport:
    """``_parse_posts`` with the fast path switched off."""
    with mock.patch.object(meta, "_parse_posts_fast", lambda *args: None):
        return meta._parse_posts(raw, ctx, platform, f"meta_{platform}_posts")


def compare_file(raw: RawFile, ctx: ParseContext, platform: str) -> tuple[str, str]:
    """(``identical``|``declined``|``differs``|``error``, detail) for one posts export."""
    kind = f"meta_{platform}_posts"
    fast = meta._fast_posts_or_reason(raw, ctx, platform, kind)
    try:
        slow = full_route(raw, ctx, platform)
    except WorkbenchError as exc:
        return ("error" if isinstance(fast, str) else "differs"), str(exc).splitlines()[0]
    if isinstance(fast, str):
        return "declined", fast
    problems = differences(fast, slow)
    return ("differs", "; ".join(problems)) if problems else ("identical", "")


def posts_files(root: Path, unpacked: Path) -> list[tuple[RawFile, str]]:
    """Every Meta posts export under ``root`` (zip members unpacked into ``unpacked``)."""
    load_parsers()
    found = []
    for number, path in enumerate(sorted(p for p in root.rglob("*") if p.is_file())):
        raws = []
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    target = unpacked / str(number)
                    archive.extractall(target)
                    raws = [RawFile.read(p) for p in sorted(target.rglob("*")) if p.is_file()]
            except (zipfile.BadZipFile, OSError):
                raws = []
        else:
            raws = [RawFile.read(path)]
        for raw in raws:
            try:
                kind = detect(raw)
            except WorkbenchError:
                continue
            if kind.name in POST_KINDS:
                found.append((raw, POST_KINDS[kind.name]))
    return found


def main(argv: list[str] | None = None) -> int:
    """Compare the two routes over folders (and/or a generated sample)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--sample", type=Path, help="generate a sample here (once) and check it")
    parser.add_argument("--profile", default="default")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--out", type=Path, help="write the counts (no file names) here")
    args = parser.parse_args(argv)
    from workbench.sample import generate_sample
    from workbench.sample.profile import sample_params

    runs = [(folder, ParseContext(tz="America/Toronto", params={"timezone": "America/Toronto"}))
            for folder in args.folders]
    if args.sample:
        params = sample_params()
        if not args.sample.exists():
            generate_sample(args.sample, seed=args.seed, start="2025-01", end="2025-03",
                            params=params, profile=args.profile)
        runs.append((args.sample, ParseContext(tz=params["timezone"], params=params)))
    bad = 0
    summary = ["# Meta posts fast path: identity with the full route\n",
               "`benchmarks/meta_fast_identity.py`; differs must be 0.\n",
               "| folder | identical | declined | differs | full route errors |",
               "|---|---|---|---|---|"]
    reasons_md: list[str] = []
    for folder, ctx in runs:
        tally: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        started = time.process_time()
        with tempfile.TemporaryDirectory() as unpacked:
            for raw, platform in posts_files(folder, Path(unpacked)):
                outcome, detail = compare_file(raw, ctx, platform)
                tally[outcome] += 1
                if outcome == "declined":
                    reasons[detail] += 1
                if outcome == "differs" or args.verbose and outcome != "identical":
                    print(f"  {outcome}: {raw.path} {detail}")
        bad += tally["differs"]
        print(f"{folder}: identical {tally['identical']}, declined {tally['declined']}, "
              f"differs {tally['differs']}, full route errors {tally['error']} "
              f"({time.process_time() - started:.1f} s CPU)")
        for reason, count in reasons.most_common():
            print(f"    declined: {count} x {reason}")
            reasons_md.append(f"| {folder} | {reason} | {count} |")
        summary.append(f"| {folder} | {tally['identical']} | {tally['declined']} | "
                       f"{tally['differs']} | {tally['error']} |")
    if args.out:
        text = "\n".join(summary + ["", "| folder | declined because | files |", "|---|---|---|"]
                         + reasons_md) + "\n"
        args.out.write_text(text, encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

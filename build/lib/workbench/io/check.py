"""``workbench check FILE...``: what each file is, what it holds, and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import org_timezone
from workbench.errors import WorkbenchError
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect


@dataclass
class FileReport:
    """What ``check`` found in one file.

    Attributes:
        path: The file.
        kind: The export kind's name, when detected.
        label: Its human name.
        table_rows: Rows per canonical table.
        account: The account the file holds, if any.
        date_min: First date covered.
        date_max: Last date covered.
        snapshot_at: When it was downloaded.
        warnings: Non-fatal problems.
        notes: Facts worth knowing.
        unknown_columns: Headers the parser does not use.
        problems: Error lines (a file with problems would stop ``workbench ingest``).

    """

    path: Path
    kind: str | None = None
    label: str | None = None
    table_rows: dict[str, int] = field(default_factory=dict)
    account: str | None = None
    date_min: Any = None
    date_max: Any = None
    snapshot_at: Any = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be ingested."""
        return not self.problems

    @property
    def rows(self) -> int:
        """Total rows over all tables."""
        return sum(self.table_rows.values())

    def describe(self) -> str:
        """Return a few lines a person can read: kind, rows, dates, account, problems."""
        if not self.ok:
            head = f"{self.path}: PROBLEM"
            if self.label:
                head += f" ({self.label})"
            return "\n".join([head] + [f"  {line}" for line in self.problems])
        lines = [f"{self.path}: {self.label} [{self.kind}]"]
        rows = ", ".join(f"{n} {name}" for name, n in self.table_rows.items()) or "no rows"
        detail = [f"rows: {rows}"]
        if self.date_min is not None:
            detail.append(f"dates {_day(self.date_min)}..{_day(self.date_max)}")
        if self.account:
            detail.append(f"account {self.account}")
        if self.snapshot_at is not None:
            detail.append(f"downloaded {pd.Timestamp(self.snapshot_at):%Y-%m-%d %H:%M} UTC")
        lines.append("  " + "; ".join(detail))
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  note: {n}" for n in self.notes]
        if self.unknown_columns:
            lines.append("  unknown columns (kept out of the tables): "
                         + ", ".join(self.unknown_columns))
        return "\n".join(lines)


def _day(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}" if value is not None else "?"


def check_file(path: Path, ctx: ParseContext) -> FileReport:
    """Detect and parse one file; a bad file gives a report with its error line, not a raise."""
    report = FileReport(path=Path(path))
    try:
        raw = RawFile.read(path)
        kind = detect(raw)
        report.kind, report.label = kind.name, kind.label
        parsed = kind.parse(raw, ctx)
    except WorkbenchError as exc:
        errors = getattr(exc, "errors", None) or [exc]
        report.problems = [e.one_line() for e in errors]
        return report
    report.table_rows = {name: len(frame) for name, frame in parsed.tables.items()}
    report.account = parsed.account
    report.date_min, report.date_max = parsed.date_min, parsed.date_max
    report.snapshot_at = parsed.snapshot_at
    report.warnings = list(parsed.warnings)
    report.notes = list(parsed.notes)
    report.unknown_columns = list(parsed.unknown_columns)
    return report


def check_files(paths: list[Path], params: dict) -> list[FileReport]:
    """Describe each file (a folder is expanded to the exports ingest would read).

    Args:
        paths: Files or folders.
        params: Merged run parameters (time zone, platform accounts).

    Returns:
        One report per file, in the order given.

    """
    from workbench.io.ingest import discover_files

    ctx = ParseContext(tz=org_timezone(params), params=params)
    reports = []
    for path in paths:
        path = Path(path)
        targets = discover_files(path) if path.is_dir() else [path]
        reports += [check_file(target, ctx) for target in targets]
    return reports

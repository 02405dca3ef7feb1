"""``workbench check FILE...``: what each file is, what it holds, and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import org_timezone
from workbench.errors import NotAnExportError, WorkbenchError
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
        skipped: What the file seems to be when it is not an export we read (``ingest``
            skips it with this reason; ``ingest --strict`` stops on it).

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
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file would not stop ``workbench ingest`` (read, or skipped)."""
        return not self.problems

    @property
    def rows(self) -> int:
        """Total rows over all tables."""
        return sum(self.table_rows.values())

    def describe(self) -> str:
        """Return a few lines a person can read: kind, rows, dates, account, problems."""
        if self.skipped is not None:
            return (f"{self.path}: SKIPPED by ingest: {self.skipped}\n"
                    "  (not an export we read; `workbench ingest --strict` would stop on it)")
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


def check_file(path: Path, ctx: ParseContext, shown: str | Path | None = None) -> FileReport:
    """Detect and parse one file; a bad file gives a report with its error line, not a raise.

    Args:
        path: The file on disk.
        ctx: Time zone and parameters.
        shown: The name to report (a member of a zip: ``archive.zip/member``).

    """
    report = FileReport(path=Path(shown if shown is not None else path))
    try:
        raw = RawFile.read(path)
        kind = detect(raw)
        report.kind, report.label = kind.name, kind.label
        parsed = kind.parse(raw, ctx)
    except NotAnExportError as exc:
        report.skipped = exc.message.rstrip(".")
        return report
    except WorkbenchError as exc:
        if shown is not None and exc.file == str(path):
            exc.file = str(shown)
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
    """Describe each file with the same words as ``workbench ingest``.

    A folder is expanded to the files ingest would read, a zip of exports to its members.

    Args:
        paths: Files or folders.
        params: Merged run parameters (time zone, platform accounts).

    Returns:
        One report per file, in the order given.

    """
    import tempfile

    from workbench.io.ingest import discover_files, expand_zip

    ctx = ParseContext(tz=org_timezone(params), params=params)
    reports = []
    with tempfile.TemporaryDirectory(prefix="workbench-check-") as workdir:
        for path in paths:
            path = Path(path)
            for target in discover_files(path) if path.is_dir() else [path]:
                members = None
                if target.suffix.lower() == ".zip":
                    try:
                        members = expand_zip(target, target.name, Path(workdir))
                    except WorkbenchError as exc:
                        reports.append(FileReport(path=target, problems=[exc.one_line()]))
                        continue
                if members is None:
                    reports.append(check_file(target, ctx))
                else:
                    reports += [check_file(disk, ctx, shown) for disk, _, shown in members]
    return reports

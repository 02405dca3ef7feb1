"""The workbench's small exception hierarchy.

Every error a user can cause (a bad file, a bad setting) is a `WorkbenchError`: the CLI
prints it as one line naming the file, the row or column, what is wrong and the fix, and
exits non-zero. Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """A problem the user can fix, reported as one line.

    Args:
        message: What is wrong, in plain words.
        file: The file concerned, if any.
        row: 1-based row number in the file as a spreadsheet shows it, if known.
        column: The column (header text) concerned, if known.
        hint: What to do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return the error as the single line the CLI prints."""
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = (": ".join([", ".join(where), self.message]) if where else self.message).rstrip(".")
        if self.hint:
            text += f". Hint: {self.hint.rstrip('.')}."
        else:
            text += "."
        return text

    def __str__(self) -> str:
        return self.one_line()


class InputFormatError(WorkbenchError):
    """A raw export (or an analyst-edited file) cannot be read as what it claims to be."""


class ConfigError(WorkbenchError):
    """A parameter or organisation-profile setting is missing or invalid."""


class ReportError(WorkbenchError):
    """A report run failed (a notebook cell raised, or its outputs are incomplete)."""


class ExperimentError(WorkbenchError):
    """An experiment registration or analysis request is invalid."""


class MultipleErrors(WorkbenchError):
    """Several independent problems found in one run (e.g. several bad files in RAW_DIR).

    Args:
        errors: The individual errors, each printed on its own line.
    """

    def __init__(self, errors: list[WorkbenchError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problems found")

    def one_line(self) -> str:  # noqa: D102 - one line per underlying error
        if not getattr(self, "errors", None):
            return "no problems"
        return "\n".join(e.one_line() for e in self.errors)

"""Errors that reach users: one precise line each (file, row, field, expected vs got)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in one cell (or header, or group of rows) of a source file."""

    file: str
    row: int  # 1-based line number in the file; 0 for the file/manifest as a whole
    field: str
    expected: str
    got: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.field}: expected {self.expected}, got {self.got}"


class MineralsKGError(Exception):
    """Base class of errors shown to users as one clear message."""


class DataValidationError(MineralsKGError):
    """The sources hold at least one error; nothing was loaded."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(set(issues))
        n = len(self.issues)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in the sources; nothing was loaded\n"
            + "\n".join(str(i) for i in self.issues)
        )

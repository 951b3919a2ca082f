"""Errors that reach users: one precise line each (where, expected, got) and an exit code.

Exit codes follow the command-line convention: ``2`` when something the user typed is wrong (an
option, an id, a date, a parameter), ``1`` when the data or a server is the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataValidationError", "InvalidArgument", "InvalidArguments", "Issue", "MineralsKGError", "shorten"]

QUOTE_LIMIT = 80
"""The longest piece of user or file text an error message quotes; longer text is cut with an ellipsis."""


def shorten(text: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as an error message quotes it: its repr, cut to ``limit`` characters.

    >>> shorten("lithium")
    "'lithium'"
    >>> len(shorten("x" * 200)), shorten("x" * 200)[-3:]
    (80, "x…'")
    """
    text = repr(text) if not isinstance(text, str) or not text.startswith(("'", '"')) else text
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


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

    exit_code = 1


class InvalidArgument(MineralsKGError, ValueError):
    """A value the user supplied (option, id, date, number, query parameter, scenario field) is wrong.

    ``where`` names the argument as the caller knows it (``mineral`` in Python, ``--mineral`` on the
    command line, ``scenario.yaml: cut_stages.0.stage`` in a file).

    >>> str(InvalidArgument("stage", "one of mining, refining", "'smelting'"))
    "stage: expected one of mining, refining, got 'smelting'"
    """

    exit_code = 2

    def __init__(self, where: str, expected: str, got: str):
        self.where, self.expected, self.got = where, expected, got
        super().__init__(f"{where}: expected {expected}, got {got}")

    def at(self, where: str) -> InvalidArgument:
        """The same error named as another caller knows the argument."""
        return InvalidArgument(where, self.expected, self.got)


class InvalidArguments(MineralsKGError, ValueError):
    """Several wrong values found together (e.g. in one scenario file): one line each."""

    exit_code = 2

    def __init__(self, problems: list[InvalidArgument]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def raise_all(problems: list[InvalidArgument]) -> None:
    """Raise nothing, the one problem, or all of them together."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidArguments(problems)


class DataValidationError(MineralsKGError):
    """The sources hold at least one error; nothing was loaded."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(set(issues))
        n = len(self.issues)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in the sources; nothing was loaded\n"
            + "\n".join(str(i) for i in self.issues)
        )

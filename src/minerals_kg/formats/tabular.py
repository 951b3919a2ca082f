"""Streaming reads of large public CSV files with DuckDB, every malformed line reported precisely.

Trade files run to tens of millions of rows (a BACI year holds about 10 million). DuckDB scans them
out of core under a memory limit, filters and aggregates in SQL, and records every line it could not
parse (too many or too few fields, a value that is not a number) with its line number and column
in a rejects table. Rows that parse but break a rule (an unknown country code, a negative value) are
found by SQL too; their line numbers are recovered only when there is such an error, by one more
pass over the file (see :func:`line_numbers`).

Why DuckDB (measured on a synthetic 10,000,000-row BACI file, 2 cores, ``bench/bench_trade.py``
reproduces the DuckDB run): DuckDB, pyarrow's streaming CSV reader and polars' streaming engine all
filter and aggregate it in 5-7 s; only DuckDB names the line and column of a malformed row
(pyarrow's invalid-row handler gives no line number when it parses in parallel, polars stops the
whole file at the first ragged line without one), and DuckDB's peak memory was the lowest (about
250 MB, bounded by its memory limit).
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Issue, shorten

__all__ = ["MAX_ISSUES", "Scan", "connect", "header_of", "line_numbers", "reject_issues", "sql_text"]

MAX_ISSUES = 1000
"""At most this many row errors are listed per file; one more line says how many were left out."""
MEMORY_LIMIT = "1GB"


def connect() -> Any:
    """An in-memory DuckDB connection with a memory limit (it spills to disk beyond it) and two threads."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = true")
    return con


def sql_text(value: str) -> str:
    """A string as a SQL literal (paths and codes are bound this way where DuckDB takes no parameter)."""
    return "'" + value.replace("'", "''") + "'"


def header_of(path: Path, encoding: str = "utf-8") -> list[str]:
    """The header row's column names (a UTF-8 byte-order mark removed, names stripped)."""
    with path.open("rb") as fh:
        first = fh.readline()
    text = first.decode(encoding, errors="replace").removeprefix("\ufeff")
    row = next(csv.reader(io.StringIO(text)), [])
    return [c.strip() for c in row]


@dataclass
class Scan:
    """What one scan found: issues so far and counts for the summary."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    more: int = 0  # issues beyond MAX_ISSUES

    def add(self, row: int, fld: str, expected: str, got: str) -> None:
        if len(self.issues) >= MAX_ISSUES:
            self.more += 1
            return
        self.issues.append(Issue(self.file, row, fld, expected, got))

    def close(self) -> list[Issue]:
        """The issues, with one more saying how many were left out."""
        if self.more:
            self.issues.append(
                Issue(self.file, 0, "rows", f"at most {MAX_ISSUES} listed errors", f"{self.more:,} more not listed")
            )
        return self.issues


def reject_issues(con: Any, scan: Scan, expected: dict[str, str]) -> set[int]:
    """Turn DuckDB's rejects table into one issue per rejected line; return those line numbers.

    ``expected`` says, per column, what a value should be ("a number", "an integer").
    """
    rows = con.execute(
        "SELECT line, column_name, error_type, csv_line FROM reject_errors ORDER BY line, column_idx"
    ).fetchall()
    seen: set[int] = set()
    for line, column, kind, text in rows:
        line = int(line)
        if line in seen:
            continue
        seen.add(line)
        fields = len(next(csv.reader(io.StringIO(str(text).strip("\r\n"))), []))
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            scan.add(line, "row", f"{len(expected)} fields", f"{fields} fields")
        elif kind == "INVALID UNICODE":
            scan.add(line, "encoding", "UTF-8 text (or set encoding: latin-1 for this file)", "an undecodable byte")
        elif kind == "CAST":
            value = _field(str(text), column, list(expected))
            scan.add(line, str(column), expected.get(str(column), "a valid value"), shorten(value))
        else:
            scan.add(line, str(column or "row"), "a well-formed CSV line", f"{kind}: {shorten(str(text))}")
    return seen


def _field(text: str, column: str | None, names: Sequence[str]) -> str:
    cells = next(csv.reader(io.StringIO(text.strip("\r\n"))), [])
    if column in names and names.index(column) < len(cells):
        return cells[names.index(column)]
    return text


def line_numbers(path: Path, ordinals: Iterable[int], skipped: set[int]) -> dict[int, int]:
    """File line numbers of accepted records, from their 1-based position among accepted records.

    DuckDB numbers the records it accepted (``WITH ORDINALITY``); the header, the lines it rejected
    (``skipped``) and blank lines are not records. One pass over the file finds the blank lines;
    a record is one line (none of these formats puts line breaks inside a field).
    """
    blanks: list[int] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                blanks.append(number)
    not_records = sorted({1, *skipped, *blanks})
    out = {}
    for ordinal in sorted(set(ordinals)):
        line = ordinal
        # the ordinal-th line that is not in not_records
        lo = 0
        while True:
            count = bisect.bisect_right(not_records, line)
            if line - count == ordinal:
                break
            line = ordinal + count
            lo += 1
            if lo > len(not_records) + 1:
                break
        out[ordinal] = line
    return out

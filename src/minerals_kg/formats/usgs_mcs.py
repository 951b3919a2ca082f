"""The USGS Mineral Commodity Summaries data release (``MCS2026_Commodities_Data.csv``) -> production rows.

Layout (ScienceBase item of each edition; Windows-1252): ``MCS chapter, Section, Commodity, Country,
Statistics, Statistics_detail, Unit, Year, Value, Notes, Is critical mineral 2025, Other notes``.
Values carry thousands separators; ``W`` is withheld, ``NA`` not available, ``—`` zero, ``>``/``<``
a bound; a note starting "Estimated." marks an estimate; ``World total`` and ``Other countries`` are
the aggregates; a detail ending in ``: rounded`` is the rounded world total of that statistic.

Only ``Production`` statistics are read (reserves and capacity are not production). The detail
names the stage (:data:`STAGE_OF_DETAIL`); the chapter or commodity names the mineral (the
``usgs_chapter`` or the name of a mineral of the graph). Rows the graph has no place for — another
commodity, an unlisted detail — are counted and left out, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..countries import CountryResolver
from ..errors import Issue, shorten

__all__ = ["MCS_COLUMNS", "STAGE_OF_DETAIL", "UNITS", "read_mcs_release"]

MCS_COLUMNS = (
    "MCS chapter",
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
    "Is critical mineral 2025",
    "Other notes",
)
REQUIRED = ("MCS chapter", "Commodity", "Country", "Statistics", "Statistics_detail", "Unit", "Year", "Value")
STAGE_OF_DETAIL = {
    "mine production": "mining",
    "refinery production": "refining",
    "primary production": "refining",
    "smelter production": "refining",
    "plant production": "processing",
}
"""``Statistics_detail`` (without ``: rounded``) -> stage. "Primary production" is gallium's and
germanium's low-purity primary output, which the graph holds as refining."""
UNITS = {
    "metric tons": "t",
    "thousand metric tons": "kt",
    "million metric tons": "Mt",
    "kilograms": "kg",
    "cubic meters": "m3",
    "million cubic meters": "Mm3",
}
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$")
_DATA_IN = re.compile(r"\(Data in [^,]+, (.*?)(?:, unless otherwise specified)?\)(?: --|$)")
ZERO = {"—", "–", "-", "--"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")


def read_mcs_release(
    path: Path,
    *,
    file: str,
    minerals: list[tuple[str, str, str | None]],
    resolver: CountryResolver,
    encoding: str = "cp1252",
) -> tuple[list[dict[str, Any]], list[Issue], dict[str, int]]:
    """Production rows (the :class:`~minerals_kg.model.Production` fields but source, confidence and
    edition) of every production statistic of the graph's minerals in a data-release file.

    ``minerals`` are the graph's (id, name, usgs_chapter). Returns ``(rows, issues, counts)``;
    ``counts`` says how many rows were read and why the others were left out.
    """
    issues: list[Issue] = []
    counts: Counter[str] = Counter()
    by_name = {name.strip().lower(): mid for mid, name, _ in minerals}
    chapters: dict[str, list[str]] = {}
    for mid, _, chapter in minerals:
        if chapter:
            chapters.setdefault(chapter, []).append(mid)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Issue(file, 0, "file", "a readable file", exc.strerror or type(exc).__name__)], {}
    try:
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode(encoding)
    except UnicodeDecodeError as exc:
        return [], [Issue(file, 0, "encoding", f"{encoding} text", f"an undecodable byte at offset {exc.start}")], {}
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [Issue(file, 1, missing[0], "a column of the MCS data release layout", "no such column")], {}
    at = {h: i for i, h in enumerate(header)}
    rows: list[dict[str, Any]] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        counts["rows"] += 1
        if len(cells) != len(header):
            issues.append(Issue(file, line, "row", f"{len(header)} fields", f"{len(cells)} fields"))
            continue
        cell = {h: cells[i].strip() for h, i in at.items()}
        if cell["Statistics"] != "Production":
            counts["not production (reserves, capacity, salient statistics)"] += 1
            continue
        detail = cell["Statistics_detail"]
        rounded = detail.lower().endswith(": rounded")
        stage = STAGE_OF_DETAIL.get(detail.lower().removesuffix(": rounded").strip())
        if stage is None:
            counts[f"detail not placed: {detail}"] += 1
            continue
        mineral = by_name.get(cell["Commodity"].lower())
        if mineral is None:
            candidates = chapters.get(_slug(cell["MCS chapter"]), [])
            mineral = candidates[0] if len(candidates) == 1 else None
        if mineral is None:
            counts["commodity not in the graph"] += 1
            continue
        try:
            country = resolver.resolve(cell["Country"], aggregates=True)
        except LookupError as exc:
            issues.append(Issue(file, line, "Country", str(exc.args[0]), shorten(cell["Country"])))
            continue
        if rounded and country != "world":
            issues.append(
                Issue(file, line, "Country", "World total for a ': rounded' detail", shorten(cell["Country"]))
            )
            continue
        unit = UNITS.get(cell["Unit"].lower())
        if unit is None:
            issues.append(Issue(file, line, "Unit", f"one of {', '.join(UNITS)}", shorten(cell["Unit"])))
            continue
        try:
            year = int(cell["Year"])
        except ValueError:
            issues.append(Issue(file, line, "Year", "a year (an integer)", shorten(cell["Year"])))
            continue
        value = cell["Value"]
        row: dict[str, Any] = {
            "line": line,
            "mineral": mineral,
            "stage": stage,
            "country": country,
            "year": year,
            "unit": unit,
            "estimated": cell.get("Notes", "").startswith("Estimated"),
        }
        basis = _DATA_IN.search(cell.get("Other notes", ""))
        if basis:
            row["basis"] = basis.group(1)
        notes = cell.get("Notes", "")
        if value == "W":
            row["value_status"] = "withheld"
        elif value == "NA":
            row["value_status"] = "not_available"
        elif value in ZERO:
            row["value_status"], row["quantity"] = "zero", 0.0
        elif value[:1] in "<>" and _NUMBER.match(value[1:]):
            row["value_status"] = "not_available"
            notes = f"USGS prints {value!r} (a bound, not a value)" + (f" -- {notes}" if notes else "")
        elif _NUMBER.match(value):
            row["quantity"] = float(value.replace(",", ""))
        else:
            issues.append(
                Issue(file, line, "Value", "a number (thousands separators allowed), W, NA or —", shorten(value))
            )
            continue
        if notes and notes != "Estimated.":
            row["note"] = notes
        rows.append(row)
        counts["production rows"] += 1
    return rows, issues, dict(counts)

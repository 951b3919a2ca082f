"""What the data covers: for every mineral, the latest group per stage, or the gap a source records.

A "no data" in this table means one of two things, and it says which: a source says it publishes no
country table (``HAS_DATA_GAP``, with its reason), or nothing was found (an empty cell). Counts are
given against every official list in the graph (instruments of kind ``critical_minerals_list``:
the USGS 2025 list, the EU CRMA Annexes I and II).
"""

from __future__ import annotations

import pandas as pd

from ..contract import Table, make_table
from ..model import Stage

__all__ = ["DATA_COVERAGE", "LIST_COVERAGE", "data_coverage", "list_coverage"]

STAGES = [s.value for s in Stage]

DATA_COVERAGE: Table = make_table(
    "data_coverage",
    "One row per mineral: the latest group per stage ('EDITION YEAR'), a recorded gap ('gap: reason'), or empty.",
    ("mineral", "object"),
    ("name", "object"),
    ("part_of", "object"),
    ("lists", "object", "ids of the official lists that name it"),
    *[(stage, "object") for stage in STAGES],
    ("stages_with_data", "Int64"),
)
LIST_COVERAGE: Table = make_table(
    "list_coverage",
    "Per official list: how many of its entries have production data, at which stages, and recorded gaps.",
    ("list", "object"),
    ("entries", "Int64", "minerals the list names"),
    ("with_data", "Int64", "entries with a country table at some stage (their own, or a part's)"),
    ("with_mining", "Int64"),
    ("with_downstream", "Int64", "entries with a stage after mining"),
    ("gap_recorded", "Int64", "entries without data for which a source records why"),
    ("without_data", "Int64"),
    ("missing", "object", "entries without data"),
)


def data_coverage(
    current: pd.DataFrame, minerals: pd.DataFrame, data_gaps: pd.DataFrame, instruments: pd.DataFrame
) -> pd.DataFrame:
    """The coverage table: for each mineral and stage, the latest edition and year with data, or its gap.

    Parameters
    ----------
    current : DataFrame
        The latest concentration group per mineral and stage.
    minerals, data_gaps, instruments : DataFrame
        The contract's tables of those names.

    Returns
    -------
    DataFrame
        A :data:`DATA_COVERAGE` table, minerals on an official list first.

    Examples
    --------
    >>> cur = pd.DataFrame([dict(mineral="x", stage="mining", year=2025, edition="E2026")])
    >>> mins = pd.DataFrame([dict(id="x", name="X", part_of=None), dict(id="y", name="Y", part_of=None)])
    >>> gaps = pd.DataFrame([dict(mineral="y", stage="mining", reason="no_country_table", source="s")])
    >>> insts = pd.DataFrame([dict(id="l", kind="critical_minerals_list", minerals=["x", "y"])])
    >>> data_coverage(cur, mins, gaps, insts)[["mineral", "mining", "stages_with_data"]].to_dict("records")
    [{'mineral': 'x', 'mining': 'E2026 2025', 'stages_with_data': 1}, {'mineral': 'y', 'mining': 'gap: no_country_table', 'stages_with_data': 0}]
    """
    latest = {(r["mineral"], r["stage"]): f"{r['edition']} {int(r['year'])}" for r in current.to_dict("records")}
    gaps = {(r["mineral"], r["stage"]): f"gap: {r['reason']}" for r in data_gaps.to_dict("records")}
    lists = instruments[instruments["kind"] == "critical_minerals_list"]
    on: dict[str, list[str]] = {}
    for r in lists.to_dict("records"):
        for m in r["minerals"] or []:
            on.setdefault(m, []).append(r["id"])
    rows = []
    for m in minerals.to_dict("records"):
        mid = m["id"]
        row = {"mineral": mid, "name": m["name"], "part_of": m.get("part_of"), "lists": sorted(on.get(mid, []))}
        for stage in STAGES:
            row[stage] = latest.get((mid, stage)) or gaps.get((mid, stage)) or ""
        row["stages_with_data"] = sum((mid, s) in latest for s in STAGES)
        rows.append(row)
    out = DATA_COVERAGE.conform(rows)
    out["_listed"] = out["lists"].map(len) == 0
    return DATA_COVERAGE.conform(out.sort_values(["_listed", "mineral"]))


def list_coverage(coverage_table: pd.DataFrame, instruments: pd.DataFrame) -> pd.DataFrame:
    """Counts of :func:`data_coverage` against every official list (a family counts its parts' data).

    Examples
    --------
    >>> cov = pd.DataFrame([dict(mineral="x", part_of=None, mining="E 2025", refining="", stages_with_data=1),
    ...                     dict(mineral="y", part_of=None, mining="gap: withheld", refining="", stages_with_data=0)])
    >>> insts = pd.DataFrame([dict(id="l", kind="critical_minerals_list", minerals=["x", "y"])])
    >>> list_coverage(cov, insts)[["entries", "with_data", "gap_recorded", "missing"]].to_dict("records")
    [{'entries': 2, 'with_data': 1, 'gap_recorded': 1, 'missing': ['y']}]
    """
    by_id = {r["mineral"]: r for r in coverage_table.to_dict("records")}
    parts: dict[str, list[str]] = {}
    for r in by_id.values():
        if isinstance(r.get("part_of"), str):
            parts.setdefault(r["part_of"], []).append(r["mineral"])
    stages = [s for s in STAGES if s in coverage_table.columns]

    def with_data(mid: str, stage_set: list[str]) -> bool:
        ids = [mid, *parts.get(mid, [])]
        return any(
            by_id.get(i, {}).get(s, "") and not str(by_id[i][s]).startswith("gap") for i in ids for s in stage_set
        )

    def gap(mid: str) -> bool:
        return any(str(by_id.get(mid, {}).get(s, "")).startswith("gap") for s in stages)

    rows = []
    for r in instruments[instruments["kind"] == "critical_minerals_list"].to_dict("records"):
        entries = sorted(r["minerals"] or [])
        covered = [m for m in entries if with_data(m, stages)]
        missing = [m for m in entries if m not in covered]
        rows.append(
            {
                "list": r["id"],
                "entries": len(entries),
                "with_data": len(covered),
                "with_mining": sum(with_data(m, ["mining"]) for m in entries),
                "with_downstream": sum(with_data(m, [s for s in stages if s != "mining"]) for m in entries),
                "gap_recorded": sum(gap(m) for m in missing),
                "without_data": len(missing),
                "missing": missing,
            }
        )
    return LIST_COVERAGE.conform(rows)

"""Production concentration per (mineral, stage, year, edition): shares, HHI, CR1, CR3, N_eff.

References
----------
- Herfindahl-Hirschman index: HHI = sum of squared shares (fractions), 0-1; x10,000 for "points".
  U.S. DOJ/FTC Merger Guidelines (2023), Guideline 1: above 1,800 points is "highly concentrated".
- Top-3 share (CR3), the IEA's preferred measure (IEA, Global Critical Minerals Outlook 2024).
- Effective number of suppliers N_eff = 1 / HHI.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..contract import Table, make_table
from ..countries import OTHER_COUNTRIES
from ..model import Confidence
from ..world_shares import latest_key
from ..world_shares import world_total as world_total_of

__all__ = [
    "CHOKEPOINTS",
    "CONCENTRATION",
    "DEFAULT_CR1",
    "DEFAULT_HHI",
    "chokepoints",
    "concentration",
    "current_groups",
]

GROUP = ["mineral", "stage", "year", "edition"]
_READ = (
    "country",
    "country_label",
    "quantity",
    "unit",
    "basis",
    "share",
    "value_status",
    "estimated",
    "confidence",
    "source",
)
"""The production columns a group's concentration reads."""
CONFIDENCE_ORDER = [c.value for c in Confidence]
"""Confidence levels from strongest to weakest; a group's confidence is its weakest row's."""

DEFAULT_CR1 = 0.5
"""A stage is a chokepoint when the top country holds at least this share of world output."""
DEFAULT_HHI = 0.25
"""... or when its HHI (0-1) is at least this: 2,500 points, above the 1,800 the 2023 US Merger
Guidelines call highly concentrated."""

CONCENTRATION: Table = make_table(
    "concentration",
    "One row per (mineral, stage, year, edition) group of a production table.",
    ("mineral", "object"),
    ("stage", "object"),
    ("year", "Int64"),
    ("edition", "object"),
    ("basis", "object", "what the quantities count, e.g. 'Co content'"),
    ("unit", "object", "'share' for share-only groups"),
    ("world_total", "float64", "the denominator the source prints (empty for share-only groups)"),
    ("n_countries", "Int64"),
    ("top_country", "object", "ISO-3"),
    ("top_share", "float64", "CR1, 0-1"),
    ("cr3", "float64", "top-3 share, 0-1"),
    ("hhi", "float64", "0-1"),
    ("hhi_points", "float64", "HHI x 10,000"),
    ("effective_suppliers", "float64", "1 / HHI"),
    ("other_share", "float64", "output not attributed to a country"),
    ("shares", "object", "ISO-3 -> share, largest first"),
    ("withheld", "object", "countries whose value is withheld"),
    ("estimated", "boolean"),
    ("confidence", "object", "the group's weakest confidence"),
    ("sources", "object"),
)
CHOKEPOINTS: Table = Table(
    "chokepoints",
    (
        *CONCENTRATION.columns,
        *make_table("", "", ("cr1_flag", "boolean", "top_share >= cr1"), ("hhi_flag", "boolean", "hhi >= hhi")).columns,
    ),
    "The concentration rows flagged as chokepoints, ranked by top share then HHI.",
)
COLUMNS = CONCENTRATION.names


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _group(key: tuple, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One group's concentration from its rows (plain dicts, in the table's order)."""
    mineral, stage, year, edition = key
    reported = [r for r in rows if _missing(r["value_status"]) or r["value_status"] == "reported"]
    countries = [r for r in reported if r["country_label"] == "Country"]
    withheld = sorted(r["country"] for r in rows if r["value_status"] == "withheld")
    if any(not _missing(r["share"]) for r in reported):
        shares = {r["country"]: float(r["share"]) for r in countries}
        world_total = None
    else:
        world_total = world_total_of(
            (r["country"], None if _missing(r["quantity"]) else float(r["quantity"])) for r in reported
        )
        shares = {r["country"]: (float(r["quantity"]) / world_total if world_total else 0.0) for r in countries}
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    values = [s for _, s in ranked]
    hhi = sum(s * s for s in values)
    others = [r for r in reported if r["country"] == OTHER_COUNTRIES]
    if world_total is not None and others:
        other_share = float(others[0]["quantity"]) / world_total if world_total else 0.0
    else:
        other_share = max(0.0, 1.0 - sum(values))
    confidences = {r["confidence"] for r in rows if not _missing(r["confidence"])}
    return {
        "mineral": mineral,
        "stage": stage,
        "year": int(year),
        "edition": edition,
        "basis": next((r["basis"] for r in reported if not _missing(r["basis"])), None),
        "unit": "share"
        if world_total is None
        else next((r["unit"] for r in reported if not _missing(r["unit"])), None),
        "world_total": world_total,
        "n_countries": len(shares),
        "top_country": ranked[0][0] if ranked else None,
        "top_share": values[0] if values else 0.0,
        "cr3": sum(values[:3]),
        "hhi": hhi,
        "hhi_points": hhi * 10_000,
        "effective_suppliers": (1.0 / hhi) if hhi else None,
        "other_share": other_share,
        "shares": dict(ranked),
        "withheld": withheld,
        "estimated": any(bool(r["estimated"]) for r in rows if not _missing(r["estimated"])),
        "confidence": max(confidences, key=CONFIDENCE_ORDER.index) if confidences else None,
        "sources": sorted({r["source"] for r in rows if not _missing(r["source"])}),
    }


def concentration(production: pd.DataFrame) -> pd.DataFrame:
    """Concentration of every (mineral, stage, year, edition) group of a production table.

    Shares are country output over the group's world total (the rounded total the source prints;
    the sum of the rows when the source gives none). Share-only groups (e.g. IEA refining shares)
    use the stated shares. ``Other countries`` is not a supplier: it counts in ``other_share`` and
    not in HHI, so HHI is a lower bound when that residual is large. Editions are never mixed.

    Examples
    --------
    >>> rows = [
    ...     dict(mineral="x", stage="mining", year=2024, edition="E", country=c, country_label=l,
    ...          quantity=q, unit="t", basis="content", share=None, estimated=False,
    ...          value_status="reported", source="s", confidence="official")
    ...     for c, l, q in [("AAA", "Country", 60), ("BBB", "Country", 30),
    ...                     ("other_countries", "Aggregate", 10), ("world", "Aggregate", 100)]]
    >>> row = concentration(pd.DataFrame(rows)).iloc[0]
    >>> row.top_country, float(row.top_share), round(float(row.hhi), 2), round(float(row.cr3), 2)
    ('AAA', 0.6, 0.45, 0.9)
    """
    if production.empty:
        return CONCENTRATION.conform([])
    # one pass over plain rows, grouped in a dict: linear in the table (a pandas frame per group cost
    # tens of milliseconds each and grew with the table)
    columns = [*GROUP, *(c for c in _READ if c in production.columns)]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for values in zip(*(production[c].tolist() for c in columns)):
        row = dict(zip(columns, values))
        key = (row["mineral"], row["stage"], row["year"], row["edition"])
        if not any(_missing(k) for k in key):  # groupby drops rows with a missing key
            groups.setdefault(key, []).append(row)
    for row_list in groups.values():
        for row in row_list:
            for c in _READ:
                row.setdefault(c, None)
    rows = [_group(key, groups[key]) for key in sorted(groups)]
    rows = [r for r in rows if r["n_countries"]]  # a world total alone has no concentration
    return CONCENTRATION.conform(rows)


def current_groups(conc: pd.DataFrame, *, year: int | None = None, edition: str | None = None) -> pd.DataFrame:
    """One group per (mineral, stage): the latest year, then the latest edition, unless pinned.

    Parameters
    ----------
    conc : DataFrame
        A :data:`CONCENTRATION` table.
    year, edition : optional
        Keep only this year / this edition before choosing.

    Returns
    -------
    DataFrame
        The chosen groups. Editions order by name (``MCS2026`` after ``MCS2025``), so the newest
        publication wins a tie; editions are never mixed within a group.

    Examples
    --------
    >>> conc = pd.DataFrame([dict(mineral="x", stage="mining", year=y, edition=e) for y, e in
    ...                      [(2023, "A2024"), (2024, "A2025"), (2024, "A2026")]])
    >>> current_groups(conc)[["year", "edition"]].to_dict("records")
    [{'year': 2024, 'edition': 'A2026'}]
    """
    df = conc
    if year is not None:
        df = df[df["year"] == year]
    if edition is not None:
        df = df[df["edition"] == edition]
    if df.empty:
        return df.copy()
    order = [latest_key(y, e) for y, e in zip(df["year"], df["edition"])]
    df = df.assign(_latest=order).sort_values(["mineral", "stage", "_latest"], ascending=[True, True, False])
    return df.drop_duplicates(["mineral", "stage"], keep="first").drop(columns="_latest").reset_index(drop=True)


def chokepoints(conc: pd.DataFrame, *, cr1: float = DEFAULT_CR1, hhi: float = DEFAULT_HHI) -> pd.DataFrame:
    """Groups where one country dominates: ``top_share >= cr1`` or ``hhi >= hhi``, ranked.

    Parameters
    ----------
    conc : DataFrame
        A :data:`CONCENTRATION` table (usually the latest group per mineral and stage).
    cr1, hhi : float
        Thresholds, 0-1. Defaults: :data:`DEFAULT_CR1` (50 %) and :data:`DEFAULT_HHI` (0.25).

    Returns
    -------
    DataFrame
        A :data:`CHOKEPOINTS` table: the flagged rows with ``cr1_flag`` and ``hhi_flag`` saying which
        threshold each one crosses, ranked by top share, then HHI.

    References
    ----------
    U.S. Department of Justice and Federal Trade Commission, *Merger Guidelines* (2023), Guideline 1
    (HHI above 1,800 points is "highly concentrated").

    Examples
    --------
    >>> conc = pd.DataFrame([dict(mineral="x", stage="mining", top_share=0.6, hhi=0.4),
    ...                      dict(mineral="y", stage="mining", top_share=0.3, hhi=0.2)])
    >>> chokepoints(conc)[["mineral", "cr1_flag", "hhi_flag"]].to_dict("records")
    [{'mineral': 'x', 'cr1_flag': True, 'hhi_flag': True}]
    """
    flagged = conc[(conc["top_share"] >= cr1) | (conc["hhi"] >= hhi)].copy()
    flagged["cr1_flag"] = flagged["top_share"] >= cr1
    flagged["hhi_flag"] = flagged["hhi"] >= hhi
    ranked = flagged.sort_values(["top_share", "hhi"], ascending=False)
    return (
        CHOKEPOINTS.conform(ranked) if set(CONCENTRATION.names) <= set(conc.columns) else ranked.reset_index(drop=True)
    )

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

from ..countries import OTHER_COUNTRIES, WORLD

GROUP = ["mineral", "stage", "year", "edition"]
CONFIDENCE_ORDER = ["official", "press", "estimate", "uncertain"]

COLUMNS = [
    *GROUP, "basis", "unit", "world_total", "n_countries", "top_country", "top_share", "cr3",
    "hhi", "hhi_points", "effective_suppliers", "other_share", "shares", "withheld", "estimated",
    "confidence", "sources",
]


def _group(key: tuple, grp: pd.DataFrame) -> dict[str, Any]:
    mineral, stage, year, edition = key
    reported = grp[grp["value_status"].fillna("reported") == "reported"]
    countries = reported[reported["country_label"] == "Country"]
    withheld = sorted(grp.loc[grp["value_status"] == "withheld", "country"])
    if reported["share"].notna().any():
        shares = dict(zip(countries["country"], countries["share"].astype(float)))
        world_total = None
    else:
        world_rows = reported[reported["country"] == WORLD]
        parts = reported[reported["country"] != WORLD]
        world_total = float(world_rows["quantity"].iloc[0]) if len(world_rows) else float(parts["quantity"].sum())
        shares = {
            c: (float(q) / world_total if world_total else 0.0)
            for c, q in zip(countries["country"], countries["quantity"])
        }
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    values = [s for _, s in ranked]
    hhi = sum(s * s for s in values)
    others = reported[reported["country"] == OTHER_COUNTRIES]
    if world_total is not None and len(others):
        other_share = float(others["quantity"].iloc[0]) / world_total if world_total else 0.0
    else:
        other_share = max(0.0, 1.0 - sum(values))
    confidences = [c for c in grp["confidence"].dropna().unique()]
    return {
        "mineral": mineral, "stage": stage, "year": int(year), "edition": edition,
        "basis": next(iter(reported["basis"].dropna()), None),
        "unit": "share" if world_total is None else next(iter(reported["unit"].dropna()), None),
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
        "estimated": bool(grp["estimated"].fillna(False).astype(bool).any()),
        "confidence": max(confidences, key=CONFIDENCE_ORDER.index) if confidences else None,
        "sources": sorted(grp["source"].dropna().unique()),
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
    >>> row.top_country, row.top_share, round(row.hhi, 2), row.cr3
    ('AAA', 0.6, 0.45, 0.9)
    """
    if production.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = [_group(key, grp) for key, grp in production.groupby(GROUP, sort=True)]
    return pd.DataFrame(rows, columns=COLUMNS)


def current_groups(conc: pd.DataFrame, *, year: int | None = None, edition: str | None = None) -> pd.DataFrame:
    """One group per (mineral, stage): the latest year, then the latest edition, unless pinned.

    Editions order by name (``MCS2026`` after ``MCS2025``), so the newest publication wins a tie.
    """
    df = conc
    if year is not None:
        df = df[df["year"] == year]
    if edition is not None:
        df = df[df["edition"] == edition]
    if df.empty:
        return df.copy()
    df = df.sort_values(["mineral", "stage", "year", "edition"], ascending=[True, True, False, False])
    return df.drop_duplicates(["mineral", "stage"], keep="first").reset_index(drop=True)


def chokepoints(conc: pd.DataFrame, *, cr1: float = 0.5, hhi: float = 0.25) -> pd.DataFrame:
    """Groups where one country dominates: ``top_share >= cr1`` or ``hhi >= hhi``, ranked.

    Defaults follow the design card: CR1 of 50 % or an HHI of 0.25 (2,500 points, above the 1,800
    the 2023 Merger Guidelines call highly concentrated). Ranked by top share, then HHI.
    """
    flagged = conc[(conc["top_share"] >= cr1) | (conc["hhi"] >= hhi)].copy()
    reasons = []
    for _, r in flagged.iterrows():
        why = []
        if r["top_share"] >= cr1:
            why.append(f"CR1 {r['top_share']:.0%} >= {cr1:.0%}")
        if r["hhi"] >= hhi:
            why.append(f"HHI {r['hhi']:.2f} >= {hhi:.2f}")
        reasons.append("; ".join(why))
    flagged["reason"] = reasons
    return flagged.sort_values(["top_share", "hhi"], ascending=False).reset_index(drop=True)

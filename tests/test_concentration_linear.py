"""Concentration in one pass over the rows answers what the per-group pandas computation it replaced
answers, on random production tables (missing values, withheld and zero rows, share-only groups,
World and Other rows, mixed confidences), and on the shipped data."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import minerals_kg
from minerals_kg.analysis.concentration import CONCENTRATION, CONFIDENCE_ORDER, GROUP, concentration
from minerals_kg.contract import TABLES
from minerals_kg.countries import OTHER_COUNTRIES, WORLD


def group_with_pandas(key: tuple, grp: pd.DataFrame) -> dict[str, Any]:
    """The definition as first written: pandas filters on each group's frame."""
    mineral, stage, year, edition = key
    reported = grp[grp["value_status"].fillna("reported") == "reported"]
    countries = reported[reported["country_label"] == "Country"]
    withheld = sorted(grp.loc[grp["value_status"] == "withheld", "country"])
    if reported["share"].notna().any():
        shares = dict(zip(countries["country"], countries["share"].astype(float)))
        world_total = None
    else:
        # the printed World row when its quantity is known (minerals_kg.world_shares.world_total)
        world_rows = reported[(reported["country"] == WORLD) & reported["quantity"].notna()]
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
    confidences = list(grp["confidence"].dropna().unique())
    return {
        "mineral": mineral,
        "stage": stage,
        "year": int(year),
        "edition": edition,
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


def concentration_with_pandas(production: pd.DataFrame) -> pd.DataFrame:
    rows = [group_with_pandas(key, grp) for key, grp in production.groupby(GROUP, sort=True)]
    return CONCENTRATION.conform([r for r in rows if r["n_countries"]])


places = [
    ("AAA", "Country"),
    ("BBB", "Country"),
    ("CCC", "Country"),
    (WORLD, "Aggregate"),
    (OTHER_COUNTRIES, "Aggregate"),
]
row = st.fixed_dictionaries(
    {
        "mineral": st.sampled_from(["x", "y"]),
        "stage": st.sampled_from(["mining", "refining"]),
        "year": st.sampled_from([2023, 2024]),
        "edition": st.sampled_from(["E1", "E2"]),
        "place": st.sampled_from(places),
        "quantity": st.one_of(st.none(), st.integers(0, 100).map(float)),
        "share": st.one_of(st.none(), st.integers(0, 8).map(lambda k: k / 8)),
        "unit": st.sampled_from([None, "t", "kt"]),
        "basis": st.sampled_from([None, "content", "ore"]),
        "value_status": st.sampled_from([None, "reported", "reported", "withheld", "zero"]),
        "estimated": st.sampled_from([None, True, False]),
        "confidence": st.sampled_from([None, *CONFIDENCE_ORDER]),
        "source": st.sampled_from([None, "s1", "s2"]),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=30))
def test_one_pass_concentration_equals_the_per_group_pandas_definition(rows):
    table = TABLES["production"].conform(  # the dtypes both backends serve
        [
            {**{k: v for k, v in r.items() if k != "place"}, "country": r["place"][0], "country_label": r["place"][1]}
            for r in rows
        ]
    )
    pd.testing.assert_frame_equal(concentration(table), concentration_with_pandas(table))


def test_one_pass_concentration_equals_the_definition_on_the_shipped_data():
    production = minerals_kg.open().table("production")
    pd.testing.assert_frame_equal(concentration(production), concentration_with_pandas(production))

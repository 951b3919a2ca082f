"""Benchmark (not a test): the network algorithms on a synthetic supply network of 100,000+ edges.

    .venv/bin/python bench/bench_network.py [--minerals 200] [--countries 170]

A synthetic "current" table (random shares for every country at mining, processing and refining of
every mineral) is turned into the supply network, and each algorithm runs on the whole network
(all minerals feeding one demand node). Prints a Markdown table of wall-clock seconds.
"""

from __future__ import annotations

import argparse
import random
import time

import pandas as pd

from minerals_kg.analysis.coverage import coverage
from minerals_kg.analysis.network import (
    articulation_suppliers,
    dominators,
    max_flow,
    minimum_supplier_cut,
    removal_impact,
    supplier_betweenness,
)
from minerals_kg.analysis.scenario import Scenario, run_scenario
from minerals_kg.analysis.strategy import recommend
from minerals_kg.analysis.supply import SUPPLY, supply_network


def synthetic_current(n_minerals: int, n_countries: int, seed: int = 11) -> pd.DataFrame:
    rng = random.Random(seed)
    countries = [f"C{i:03d}" for i in range(n_countries)]
    rows = []
    for m in range(n_minerals):
        for stage in ("mining", "processing", "refining"):
            weights = [rng.paretovariate(1.2) for _ in countries]
            total = sum(weights) * 1.02  # 2% unattributed
            rows.append(
                {
                    "mineral": f"m{m:03d}",
                    "stage": stage,
                    "year": 2024,
                    "edition": "SYN",
                    "shares": {c: w / total for c, w in zip(countries, weights)},
                    "world_total": None,
                    "unit": "share",
                    "withheld": [],
                }
            )
    return pd.DataFrame(rows)


def timed(label: str, fn, results: list) -> object:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    results.append((label, time.perf_counter() - t0))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minerals", type=int, default=200)
    parser.add_argument("--countries", type=int, default=170)
    parser.add_argument("--betweenness-k", type=int, default=64)
    args = parser.parse_args()

    results: list[tuple[str, float]] = []
    current = timed("synthetic table", lambda: synthetic_current(args.minerals, args.countries), results)
    g = timed("build supply network", lambda: supply_network(current), results)
    sink = g.graph["demand"]
    suppliers = [n for n, d in g.nodes(data=True) if d.get("kind") == "supplier"]
    value = timed("max-flow SUPPLY -> demand", lambda: max_flow(g, SUPPLY, sink)[0], results)
    timed("dominators of the demand node", lambda: dominators(g, SUPPLY, sink), results)
    timed("articulation points", lambda: articulation_suppliers(g), results)
    timed("minimum supplier cut (node splitting)", lambda: minimum_supplier_cut(g, SUPPLY, sink), results)
    top = sorted(suppliers, key=lambda n: -g.nodes[n]["share"])[:20]
    timed(
        "N-1 impact of the 20 largest suppliers", lambda: removal_impact(g, SUPPLY, sink, [[n] for n in top]), results
    )
    country = "C000"
    timed(
        f"N-k: remove every node of {country}",
        lambda: removal_impact(g, SUPPLY, sink, [[n for n in suppliers if g.nodes[n]["country"] == country]]),
        results,
    )
    timed(
        f"betweenness, k={args.betweenness_k} sampled pivots",
        lambda: supplier_betweenness(g, k=args.betweenness_k),
        results,
    )
    members = frozenset(f"C{i:03d}" for i in range(0, args.countries, 3))
    timed("coverage for a 1/3-of-countries alliance", lambda: coverage(current, members), results)
    instruments = pd.DataFrame(
        [
            {
                "id": "ban",
                "name": "ban",
                "kind": "export_control",
                "imposer": country,
                "status": "in_force",
                "status_as_of": "2026-01-01",
                "announced": "2025-01-01",
                "effective": "2025-01-01",
                "ended": None,
                "suspended_from": None,
                "suspended_until": None,
                "stages": [],
                "target_scope": "all",
                "item_scope": "materials",
                "minerals": sorted(current["mineral"].unique()),
                "targets": [],
            }
        ]
    )
    import datetime as dt

    timed(
        "scenario: one imposer's export ban on every mineral",
        lambda: run_scenario(
            Scenario(imposer=country),
            current,
            instruments,
            pd.DataFrame(columns=["mineral", "end_use"]),
            members,
            dt.date(2026, 1, 1),
        ),
        results,
    )
    subset = sorted(current["mineral"].unique())[:20]
    timed("recommend k=3 over 20 minerals", lambda: recommend(current, members, k=3, minerals=subset), results)

    print(
        f"Synthetic supply network: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges "
        f"({args.minerals} minerals x 3 stages x {args.countries} countries); max-flow {value:.1f}\n"
    )
    print("| algorithm | seconds |\n|---|---:|")
    for label, seconds in results:
        print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()

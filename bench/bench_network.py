"""Benchmark (not a test): the network algorithms against their networkx references, on a synthetic
supply network of 100,000+ edges (or 2,000,000 with ``--minerals 2000``).

    .venv/bin/python bench/bench_network.py                          # 205,400 edges, every reference
    .venv/bin/python bench/bench_network.py --minerals 2000 --reference-timeout 120   # 2,000,000+ edges

A synthetic "current" table (random Pareto shares for every country at mining, processing and
refining of every mineral) is turned into the supply network, and each algorithm runs on the whole
network (all minerals feeding one demand node): first the fast path (``minerals_kg.analysis.network``,
scenarios, recommend), then the networkx reference of each in the same process
(``analysis.network_reference``; the scenario with networkx's max-flow per mineral subnetwork as it
was written; recommend with one coverage table per candidate). A reference that runs longer than
``--reference-timeout`` seconds is stopped and reported as "> N s". N-1 over every supplier is timed
for the reference on a sample and scaled to the whole (said so in the table).

Prints a Markdown table (seconds, and the reference's time over the fast path's) and the process's
peak resident memory after the fast path and after the references.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import signal
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from minerals_kg.analysis import network, network_reference
from minerals_kg.analysis.coverage import chain_coverage, coverage
from minerals_kg.analysis.scenario import Scenario, run_scenario
from minerals_kg.analysis.strategy import DEFAULT_EXCLUDED, objective, recommend
from minerals_kg.analysis.supply import SUPPLY, mineral_subnetwork, supply_network


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
                    "mineral": f"m{m:04d}",
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


class Timeout(Exception):
    pass


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``fn()`` (CPU: what an idle machine's wall clock would show)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def timed(fn: Callable[[], Any], limit: float | None = None) -> float | None:
    """Wall-clock seconds of ``fn()``, or ``None`` when it ran past ``limit`` seconds."""

    def stop(signum: int, frame: Any) -> None:
        raise Timeout

    if limit:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, limit)
    t0 = time.perf_counter()
    try:
        fn()
    except Timeout:
        return None
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - t0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scenario_with_networkx(scenario: Scenario, current: pd.DataFrame, instruments: pd.DataFrame, members, as_of):
    """The scenario's flows as first written: a networkx subgraph per mineral and networkx's max-flow
    before and after the cut (the rest of run_scenario, the tables, is left out: it is the same code)."""
    from minerals_kg.analysis.scenario import cuts_for

    g = supply_network(current)
    chains = g.graph["chains"]
    _, cut, _ = cuts_for(scenario, instruments, members, as_of, chains)
    out = {}
    for mineral in sorted({m for m, _ in cut}):
        sub = mineral_subnetwork(g, mineral)
        sink = sub.graph["demand"]
        before = network_reference.max_flow(sub, SUPPLY, sink)[0]
        after_graph = sub.copy()
        lost = [
            n
            for n, d in sub.nodes(data=True)
            if d.get("kind") == "supplier" and d["country"] in cut.get((mineral, d["stage"]), set())
        ]
        after_graph.remove_nodes_from(lost)
        out[mineral] = (before, network_reference.max_flow(after_graph, SUPPLY, sink)[0])
    return out


def recommend_with_coverage_tables(current: pd.DataFrame, members: frozenset[str], k: int) -> list[str]:
    """The greedy pick as first written: one coverage table per candidate and round."""
    pool = sorted({c for shares in current["shares"] for c in shares} - set(members) - set(DEFAULT_EXCLUDED))
    chosen, value, picks = set(members), objective(current, members), []
    for _ in range(k):
        best = None
        for country in pool:
            if country not in chosen:
                v = objective(current, chosen | {country})
                if best is None or v > best[1] + 1e-15:
                    best = (country, v)
        if best is None or best[1] <= value + 1e-15:
            break
        chosen.add(best[0])
        chain_coverage(coverage(current, frozenset(chosen)))
        picks.append(best[0])
        value = best[1]
    return picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minerals", type=int, default=200)
    parser.add_argument("--countries", type=int, default=170)
    parser.add_argument("--reference-timeout", type=float, default=None, help="seconds per reference run")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--every-supplier-sample", type=int, default=500, help="reference N-1 sample size")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import rustworkx  # noqa: F401  (imported once, as in a session: not counted in the first algorithm)
    import scipy.sparse.csgraph  # noqa: F401

    imports = time.perf_counter() - t0
    current = synthetic_current(args.minerals, args.countries)
    build_s = timed(lambda: supply_network(current))
    g = supply_network(current)
    sink = g.graph["demand"]
    suppliers = [n for n, d in g.nodes(data=True) if d.get("kind") == "supplier"]
    top = sorted(suppliers, key=lambda n: -g.nodes[n]["share"])[:20]
    country = "C000"
    of_country = [n for n in suppliers if g.nodes[n]["country"] == country]
    members = frozenset(f"C{i:03d}" for i in range(0, args.countries, 3))
    instruments = pd.DataFrame(
        [
            {
                "id": "ban",
                "name": "ban",
                "kind": "export_control",
                "imposer": country,
                "status": "in_force",
                "status_as_of": dt.date(2026, 1, 1),
                "announced": dt.date(2025, 1, 1),
                "effective": dt.date(2025, 1, 1),
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
    as_of = dt.date(2026, 1, 1)
    subset = sorted(current["mineral"].unique())[:20]
    scope = current[current["mineral"].isin(subset)]
    no_end_uses = pd.DataFrame(columns=["mineral", "end_use"])
    sample = random.Random(3).sample(suppliers, min(args.every_supplier_sample, len(suppliers)))
    fast, ref = network, network_reference
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any] | None, float]] = [
        ("max-flow SUPPLY -> demand", lambda: fast.max_flow(g, SUPPLY, sink), lambda: ref.max_flow(g, SUPPLY, sink), 1),
        (
            "minimum supplier cut (node splitting)",
            lambda: fast.minimum_supplier_cut(g, SUPPLY, sink),
            lambda: ref.minimum_supplier_cut(g, SUPPLY, sink),
            1,
        ),
        (
            "dominators of the demand node",
            lambda: fast.dominators(g, SUPPLY, sink),
            lambda: ref.dominators(g, SUPPLY, sink),
            1,
        ),
        ("articulation points", lambda: fast.articulation_suppliers(g), lambda: ref.articulation_suppliers(g), 1),
        (
            "N-1 impact of the 20 largest suppliers",
            lambda: fast.removal_impact(g, SUPPLY, sink, [[n] for n in top]),
            lambda: ref.removal_impact(g, SUPPLY, sink, [[n] for n in top]),
            1,
        ),
        (
            f"N-k: remove every node of {country}",
            lambda: fast.removal_impact(g, SUPPLY, sink, [of_country]),
            lambda: ref.removal_impact(g, SUPPLY, sink, [of_country]),
            1,
        ),
        (
            "scenario: one imposer's export ban on every mineral",
            lambda: run_scenario(Scenario(imposer=country), current, instruments, no_end_uses, members, as_of),
            lambda: scenario_with_networkx(Scenario(imposer=country), current, instruments, members, as_of),
            1,
        ),
        (
            "recommend k=3 over 20 minerals",
            lambda: recommend(current, members, k=3, minerals=subset),
            lambda: recommend_with_coverage_tables(scope, members, 3),
            1,
        ),
        (
            f"N-1 over every supplier ({len(suppliers):,})",
            lambda: fast.removal_impact(g, SUPPLY, sink, [[n] for n in suppliers]),
            lambda: ref.removal_impact(g, SUPPLY, sink, [[n] for n in sample]),
            len(suppliers) / max(1, len(sample)),
        ),
    ]
    rows: list[list[Any]] = []
    for label, fast_fn, _, _ in cases:
        rows.append([label, *cpu_timed(fast_fn)])
    fast_peak = peak_rss_mb()
    for row, (_, _, ref_fn, factor) in zip(rows, cases):
        seconds = None if args.no_reference or ref_fn is None else timed(ref_fn, args.reference_timeout)
        row.append(None if seconds is None else seconds * factor)
        row.append(factor)
    ref_peak = peak_rss_mb()

    print(
        f"Synthetic supply network: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges "
        f"({args.minerals} minerals x 3 stages x {args.countries} countries); {os.cpu_count()} cores; "
        f"build {build_s:.2f} s; scipy + rustworkx imports {imports:.2f} s (once per process, not counted)\n"
    )
    print(
        f"load average {os.getloadavg()[0]:.1f} at the end (other jobs share the machine: CPU seconds are what an "
        "idle machine's clock would show)\n"
    )
    print("| algorithm | fast s | fast CPU s | networkx reference s | reference / fast |\n|---|---:|---:|---:|---:|")
    for label, seconds, cpu, reference, factor in rows:
        if args.no_reference:
            ref_text, ratio = "not run", ""
        elif reference is None:
            ref_text, ratio = f"> {args.reference_timeout:.0f}", f"> {args.reference_timeout / seconds:,.0f}x"
        else:
            ref_text = f"{reference:.2f}" + (f" (from {args.every_supplier_sample:,}, scaled)" if factor != 1 else "")
            ratio = f"{reference / seconds:,.0f}x"
        print(f"| {label} | {seconds:.2f} | {cpu:.2f} | {ref_text} | {ratio} |")
    print(f"\npeak RSS after the fast path: {fast_peak:,.0f} MB; after the references: {ref_peak:,.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): load throughput into a real Neo4j, our loader vs Neo4j's own LOAD CSV.

    make bench-neo4j            # or: .venv/bin/python bench/bench_neo4j.py --relationships 1000000

Starts the local Neo4j 5.26 server (temporary data folder, random port) and, for the shipped data and
a synthetic graph, times:

- ``minerals-kg``'s loader (batched ``UNWIND`` in managed transactions, schema first: nodes merged,
  relationships created when a pre-read proves their ``fact_id`` absent, merged otherwise; two
  writers on node-disjoint partitions, its default);
- Neo4j's ``LOAD CSV`` of the same rows (``CALL { ... } IN TRANSACTIONS`` of the same batch size,
  same MERGE keys, same constraints), from CSV files in the server's import folder (writing the CSV
  files is not timed).

After ``--warmup`` untimed loads of the shipped data each way (a new server's JVM needs several
before its writes run at steady speed: four rounds of ours took 18.7, 3.2, 2.5, 2.3 s, LOAD CSV's
12.1, 2.7, 2.4, 2.1 s), each repeat runs ours, then LOAD CSV at each batch
size, every run into an emptied database with the schema in place; the table shows medians. LOAD
CSV's reference is its best median over ``--csv-batches``. ``--steps`` times each change to the
loader once (the step table). The ratio is LOAD CSV's seconds / ours (above 1: ours is faster). LOAD CSV stores every
property as a string (no types, no lists), so it does slightly less work per row than our loader.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.loader import group_rows, write_elements
from minerals_kg.backends.neo4j.schema import apply_schema
from minerals_kg.checks import load_dataset
from minerals_kg.elements import GraphElements, graph_elements


def synthetic(n_firms: int, n_relationships: int, seed: int = 7) -> GraphElements:
    """Firms owning stakes in firms: n_firms Firm nodes, n_relationships OWNS relationships."""
    rng = random.Random(seed)
    nodes = [(f"f{i}", ("Firm",), {"id": f"f{i}", "name": f"Firm {i}"}) for i in range(n_firms)]
    edges = [
        (
            f"f{rng.randrange(n_firms)}",
            "OWNS",
            f"f{rng.randrange(n_firms)}",
            {"share": round(rng.random(), 4), "source": "synthetic", "confidence": "estimate"},
        )
        for _ in range(n_relationships)
    ]
    return GraphElements(nodes, edges)


def wipe(driver) -> None:  # type: ignore[no-untyped-def]
    with driver.session() as s:
        s.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        s.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def write_csvs(elements: GraphElements, folder: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """One CSV per node label set and per (type, start label, end label); returns (file, query) pairs."""
    nodes, rels = group_rows(elements)
    node_jobs, rel_jobs = [], []
    for i, (labels, rows) in enumerate(nodes.items()):
        keys = sorted({k for r in rows for k in r["props"]} - {"id"})
        name = f"nodes_{i}.csv"
        with (folder / name).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", *keys])
            for r in rows:
                w.writerow([r["id"], *(_cell(r["props"].get(k)) for k in keys)])
        sets = ", ".join(f"{k}: row.{k}" for k in keys)
        extra = "".join(f" SET n:{x}" for x in labels[1:])
        node_jobs.append((name, f"MERGE (n:{labels[0]} {{id: row.id}}) SET n += {{{sets}}}{extra}"))
    for i, ((rel, a, b), rows) in enumerate(rels.items()):
        keys = sorted({k for r in rows for k in r["props"]} - {"fact_id"})
        name = f"rels_{i}.csv"
        with (folder / name).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["start", "end", "fact_id", *keys])
            for r in rows:
                w.writerow([r["start"], r["end"], r["fact_id"], *(_cell(r["props"].get(k)) for k in keys)])
        sets = ", ".join(f"{k}: row.{k}" for k in keys)
        rel_jobs.append(
            (
                name,
                f"MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}}) "
                f"MERGE (a)-[r:{rel} {{fact_id: row.fact_id}}]->(b) SET r += {{{sets}}}",
            )
        )
    return node_jobs, rel_jobs


def _cell(value):  # type: ignore[no-untyped-def]
    if isinstance(value, list):
        return ";".join(map(str, value))
    return "" if value is None else value


def load_csv(driver, jobs: list[tuple[str, str]], batch: int) -> None:  # type: ignore[no-untyped-def]
    with driver.session() as s:
        for name, body in jobs:
            s.run(
                f"LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row "
                f"CALL (row) {{ {body} }} IN TRANSACTIONS OF {batch} ROWS"
            ).consume()


def our_load(settings: Neo4jSettings, elements: GraphElements, batch: int, **options) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    write_elements(settings, elements, sync=False, progress=False, batch_size=batch, **options)
    return time.perf_counter() - t0


def csv_load(driver, node_jobs, rel_jobs, batch: int) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    load_csv(driver, node_jobs, batch)
    load_csv(driver, rel_jobs, batch)
    return time.perf_counter() - t0


def count_relationships(driver) -> int:  # type: ignore[no-untyped-def]
    with driver.session() as s:
        return int(s.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"])


def fresh(driver, settings: Neo4jSettings) -> None:  # type: ignore[no-untyped-def]
    wipe(driver)
    apply_schema(driver, settings.database)


#: the loader step by step: each row adds one change to the one above it
STEPS: list[tuple[str, dict]] = [
    ("MERGE every relationship, one writer (the loader before this issue)", {"workers": 1, "create_absent": False}),
    ("+ pre-read of fact ids, CREATE the absent ones (sorted by start node)", {"workers": 1, "create_absent": True}),
    ("+ two writers on node-disjoint partitions (the default)", {"workers": 2, "create_absent": True}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relationships", type=int, default=1_000_000)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000, help="our batch size, and LOAD CSV's same-batch run")
    parser.add_argument(
        "--csv-batches", default="2000,10000", help="LOAD CSV batch sizes tried each repeat (its best is the reference)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repeats of ours and LOAD CSV (medians)")
    parser.add_argument("--steps", action="store_true", help="also time each step of the loader once")
    parser.add_argument("--warmup", type=int, default=3, help="untimed loads of the shipped data each way first")
    args = parser.parse_args()
    csv_batches = sorted({int(x) for x in args.csv_batches.split(",")} | {args.batch})

    home = Path(tempfile.mkdtemp(prefix="mkg-bench-neo4j-"))
    os.environ["NEO4J_PASSWORD"] = secrets.token_urlsafe(16)
    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    import_dir = home / "import"  # the server's import folder (server.directories.import)
    import_dir.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    status = server.start(server.ServerOptions(bolt_port=ports[0], http_port=ports[1]), home=home)
    startup = time.perf_counter() - t0
    assert status.uri is not None
    settings = Neo4jSettings(uri=status.uri, password=os.environ["NEO4J_PASSWORD"])
    datasets = [("shipped data", graph_elements(load_dataset(shacl=False)))]
    t0 = time.perf_counter()
    datasets.append((f"synthetic ({args.relationships:,} OWNS)", synthetic(args.firms, args.relationships)))
    print(f"synthetic graph built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    rows = []
    steps = []
    try:
        with settings.driver() as driver:
            # warm-up, not timed: the server compiles the shipped data's queries and JIT-compiles its writes
            node_jobs, rel_jobs = write_csvs(datasets[0][1], import_dir)
            for _ in range(args.warmup):
                fresh(driver, settings)
                our_load(settings, datasets[0][1], args.batch)
                fresh(driver, settings)
                csv_load(driver, node_jobs, rel_jobs, args.batch)
            for label, elements in datasets:
                total = len(elements.nodes) + len(elements.edges)
                node_jobs, rel_jobs = write_csvs(elements, import_dir)
                ours: list[float] = []
                theirs: dict[int, list[float]] = defaultdict(list)
                checks = set()
                for rep in range(args.repeat):
                    fresh(driver, settings)
                    ours.append(our_load(settings, elements, args.batch))
                    checks.add(count_relationships(driver))
                    for b in csv_batches:
                        fresh(driver, settings)
                        theirs[b].append(csv_load(driver, node_jobs, rel_jobs, b))
                        checks.add(count_relationships(driver))
                    print(
                        f"{label} repeat {rep + 1}: ours {ours[-1]:.1f}s, LOAD CSV "
                        + ", ".join(f"{b}: {v[-1]:.1f}s" for b, v in theirs.items()),
                        file=sys.stderr,
                    )
                same = statistics.median(theirs[args.batch])
                best_batch = min(csv_batches, key=lambda b: statistics.median(theirs[b]))
                rows.append(
                    (
                        label,
                        len(elements.nodes),
                        len(elements.edges),
                        total,
                        statistics.median(ours),
                        same,
                        best_batch,
                        statistics.median(theirs[best_batch]),
                        checks,
                    )
                )
                if args.steps and label.startswith("synthetic"):
                    for name, options in STEPS:
                        fresh(driver, settings)
                        seconds = our_load(settings, elements, args.batch, **options)
                        steps.append((name, total / seconds, total / statistics.median(theirs[best_batch])))
                        print(f"step {name}: {seconds:.1f}s", file=sys.stderr)
                fresh(driver, settings)
    finally:
        server.stop(home)
    print(
        f"Neo4j 5.26 local server (started in {startup:.1f}s), our batch {args.batch}, "
        f"medians of {args.repeat} interleaved repeats, 2 cores\n"
    )
    print(
        "| data | nodes | relationships | minerals-kg loader s | LOAD CSV same batch s | ratio | "
        "LOAD CSV best batch | LOAD CSV best s | ratio to best |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, m, _total, o, same, bb, best, _checks in rows:
        print(
            f"| {label} | {n:,} | {m:,} | {o:.1f} | {same:.1f} | {same / o:.2f} | {bb:,} | {best:.1f} | "
            f"{best / o:.2f} |"
        )
    print(f"\n(relationship counts after each load: {[sorted(r[-1]) for r in rows]}; one value each = same graph size)")
    if steps:
        print("\n| step (synthetic, one run each) | nodes+rels/s | ratio to LOAD CSV's best |")
        print("|---|---:|---:|")
        for name, rate, ref in steps:
            print(f"| {name} | {rate:,.0f} | {rate / ref:.2f} |")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): load throughput into a real Neo4j, our loader vs Neo4j's own LOAD CSV.

    make bench-neo4j            # or: .venv/bin/python bench/bench_neo4j.py --relationships 1000000

Starts the local Neo4j 5.26 server (temporary data folder, random port) and, for the shipped data and
a synthetic graph, times:

- ``minerals-kg``'s loader (batched ``UNWIND ... MERGE`` in managed transactions, schema first);
- Neo4j's ``LOAD CSV`` of the same rows (``CALL { ... } IN TRANSACTIONS`` of the same batch size,
  same MERGE keys, same constraints), from CSV files in the server's import folder (writing the CSV
  files is not timed).

Throughput is (nodes + relationships) per second; the ratio is ours / LOAD CSV. LOAD CSV stores every
property as a string (no types, no lists), so it does slightly less work per row than our loader.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import socket
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


def measure(label: str, elements: GraphElements, settings: Neo4jSettings, import_dir: Path, batch: int) -> dict:
    total = len(elements.nodes) + len(elements.edges)
    with settings.driver() as driver:
        wipe(driver)
        apply_schema(driver, settings.database)
        t0 = time.perf_counter()
        write_elements(settings, elements, sync=False, progress=False, batch_size=batch)
        ours = time.perf_counter() - t0
        wipe(driver)
        node_jobs, rel_jobs = write_csvs(elements, import_dir)
        t0 = time.perf_counter()
        load_csv(driver, node_jobs, batch)
        load_csv(driver, rel_jobs, batch)
        theirs = time.perf_counter() - t0
        with driver.session() as s:
            n_rels = s.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"]
        wipe(driver)
    return {
        "data": label,
        "nodes": len(elements.nodes),
        "relationships": len(elements.edges),
        "ours_s": ours,
        "ours_rate": total / ours,
        "csv_s": theirs,
        "csv_rate": total / theirs,
        "ratio": (total / ours) / (total / theirs),
        "csv_relationships_check": n_rels,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relationships", type=int, default=1_000_000)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()

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
    try:
        results = [measure("shipped data", graph_elements(load_dataset(shacl=False)), settings, import_dir, args.batch)]
        t0 = time.perf_counter()
        synth = synthetic(args.firms, args.relationships)
        print(f"synthetic graph built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        results.append(measure(f"synthetic ({args.relationships:,} OWNS)", synth, settings, import_dir, args.batch))
    finally:
        server.stop(home)
    print(f"Neo4j 5.26 local server (started in {startup:.1f}s), batch {args.batch}, 2 cores\n")
    print("| data | nodes | relationships | minerals-kg loader s | nodes+rels/s | LOAD CSV s | nodes+rels/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['data']} | {r['nodes']:,} | {r['relationships']:,} | {r['ours_s']:.1f} | {r['ours_rate']:,.0f} | "
            f"{r['csv_s']:.1f} | {r['csv_rate']:,.0f} | {r['ratio']:.2f} |"
        )
    dupes = defaultdict(int)
    for r in results:
        dupes[r["data"]] = r["csv_relationships_check"]
    print(f"\n(relationship counts after LOAD CSV: {dict(dupes)})")


if __name__ == "__main__":
    main()

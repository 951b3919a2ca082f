"""Benchmark (not a test): the bulk first load (``minerals-kg load --bulk``: neo4j-admin import) against the
online loader, on synthetic graphs of 1,000,000 and 10,000,000 relationships.

    .venv/bin/python bench/bench_bulk.py                         # 1M and 10M, online reference at 1M
    .venv/bin/python bench/bench_bulk.py --sizes 1000000 --online-max 1000000

Starts the local Neo4j 5.26 server (temporary home, random ports). For each size it builds the
synthetic ``Firm -[OWNS]-> Firm`` graph of ``bench_neo4j.py`` (one firm per ten relationships), loads
it online into an empty database with the schema in place (the reference, up to ``--online-max``
relationships: at 10M it takes longer than the rest of the run together), then bulk-loads it
(``bulk_load(..., wipe=True)``: CSV files, server stopped, import, server started, schema created
and online, counts checked) and reports each phase. Seconds are one run each; 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_neo4j import fresh, synthetic

from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.loader import write_elements
from minerals_kg.bulk_load import bulk_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="relationships per graph, comma-separated")
    parser.add_argument("--online-max", type=int, default=1_000_000, help="largest graph loaded online too")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="mkg-bench-bulk-"))
    os.environ["NEO4J_PASSWORD"] = secrets.token_urlsafe(16)
    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    status = server.start(server.ServerOptions(bolt_port=ports[0], http_port=ports[1]), home=home)
    assert status.uri is not None
    settings = Neo4jSettings(uri=status.uri, password=os.environ["NEO4J_PASSWORD"])
    rows = []
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            t0 = time.perf_counter()
            elements = synthetic(max(n // 10, 1), n)
            print(f"{n:,}: synthetic graph built in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
            online = None
            if n <= args.online_max:
                with settings.driver() as driver:
                    fresh(driver, settings)
                t0 = time.perf_counter()
                write_elements(settings, elements, sync=False, progress=False)
                online = time.perf_counter() - t0
                print(f"{n:,}: online {online:.1f}s", file=sys.stderr, flush=True)
            report = bulk_load(settings, elements, home=home, wipe=True)
            print(f"{n:,}: bulk {report.seconds}", file=sys.stderr, flush=True)
            rows.append((n, len(elements.nodes), online, report))
            del elements
    finally:
        server.stop(home)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\nBulk first load (neo4j-admin import) against the online loader, Neo4j 5.26 local server, 2 cores\n")
    phases = list(rows[0][3].seconds) if rows else []
    print(f"| relationships | nodes | online loader s | bulk s | speed-up | {' | '.join(phases)} |")
    print("|---:|---:|---:|---:|---:|" + "---:|" * len(phases))
    for n, nodes, online, report in rows:
        total = report.total_seconds
        ref = f"{online:.1f}" if online is not None else f"not run (> --online-max {args.online_max:,})"
        ratio = f"{online / total:.1f}x" if online is not None else "-"
        cells = " | ".join(f"{report.seconds.get(p, 0.0):.1f}" for p in phases)
        print(f"| {n:,} | {nodes:,} | {ref} | {total:.1f} | {ratio} | {cells} |")
    print(f"\n(peak resident memory of this process, graphs and CSV writing included: {peak:,.0f} MB)")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): graph build, ``minerals_kg.open()`` and the `report` command end to end, on
the shipped data.

    make bench            # or: .venv/bin/python bench/bench_report.py --repeat 5

Prints a Markdown table of median / min / max wall-clock seconds, with the target of issue 12 beside
the two figures it sets: ``open()`` under 1 s (in a fresh process: the package's import, then
``open()``), and ``report`` under 3 s.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minerals_kg.backends.embedded import build_graph
from minerals_kg.checks import load_dataset


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    dataset = load_dataset(shacl=False)
    graph = build_graph(dataset)
    rows = {
        "read + validate sources (no SHACL)": timed(lambda: load_dataset(shacl=False), args.repeat),
        "read + validate sources with SHACL": timed(lambda: load_dataset(shacl=True), args.repeat),
        "build networkx graph from records": timed(lambda: build_graph(dataset), args.repeat),
    }
    probe = (
        "import time; t0 = time.perf_counter(); import minerals_kg; t1 = time.perf_counter(); "
        "minerals_kg.open(); print(t1 - t0, time.perf_counter() - t1)"
    )
    imports, opens = [], []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
        a, b = map(float, out.split())
        imports.append(a)
        opens.append(b)
    rows["`import minerals_kg` (fresh process)"] = imports
    rows["`minerals_kg.open()` after the import (fresh process)"] = opens
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "minerals_kg.cli", "report", "--out", str(Path(tmp) / "out")]
        rows["`minerals-kg report` end to end (process)"] = timed(
            lambda: subprocess.run(cmd, check=True, capture_output=True), args.repeat
        )
    targets = {
        "`minerals_kg.open()` after the import (fresh process)": "< 1",
        "`minerals-kg report` end to end (process)": "< 3",
    }

    print(
        f"Graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships; "
        f"Python {platform.python_version()}, {platform.machine()}, repeat={args.repeat}\n"
    )
    print("| step | median s | min s | max s | target s |\n|---|---:|---:|---:|---:|")
    for name, t in rows.items():
        print(f"| {name} | {statistics.median(t):.3f} | {min(t):.3f} | {max(t):.3f} | {targets.get(name, '')} |")


if __name__ == "__main__":
    main()

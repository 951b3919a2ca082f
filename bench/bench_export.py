"""Export benchmark: time and peak memory of every format on the shipped graph, and of GraphML and
neo4j-admin CSV on synthetic graphs of 100,000 and 1,000,000 relationships, streamed.

    .venv/bin/python bench/bench_export.py [--sizes 100000 1000000] [--out DIR]

Each measurement runs in its own process, so its peak RSS (``ru_maxrss``) is its own. ``baseline``
is the process's peak RSS just before the export starts (Python, the package, and for the shipped
graph the graph and the selection); ``peak`` is the peak at the end. A streaming exporter keeps
``peak - baseline`` flat as the graph grows: the synthetic graph is generated on each pass and
never held in memory, and the writers keep only column types and open files.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

FANOUT = 10  # relationships per node in the synthetic graph


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


class SyntheticOwnership:
    """``relationships`` OWNS facts among ``relationships / 10`` firms, generated sorted on every pass."""

    sources = MappingProxyType({})
    support_nodes: tuple = ()
    support_relationships: tuple = ()
    shares = MappingProxyType({})
    highlight: frozenset = frozenset()

    def __init__(self, relationships: int):
        self.n_nodes = relationships // FANOUT
        self.selection = {"synthetic": f"{relationships} OWNS relationships among {self.n_nodes} firms"}

    def node_id(self, i: int) -> str:
        return f"firm_{i:07d}"

    def iter_nodes(self) -> Iterator:
        from minerals_kg.subgraph import Node

        for i in range(self.n_nodes):
            nid = self.node_id(i)
            yield Node(
                nid, ("Firm",), {"id": nid, "name": f"Firm {i}", "source": "synthetic", "confidence": "estimate"}
            )

    def iter_relationships(self) -> Iterator:
        from minerals_kg.subgraph import Relationship

        for i in range(self.n_nodes):
            ends = sorted({(i * 7919 + j * 104_729 + 1) % self.n_nodes for j in range(FANOUT * 2)} - {i})[:FANOUT]
            for j, end in enumerate(ends):
                props = {
                    "share": ((i + j) % 100) / 100,
                    "since": f"{2000 + (i + j) % 26}-{1 + j % 12:02d}",
                    "source": "synthetic",
                    "confidence": "estimate",
                }
                yield Relationship(f"{i:07d}{j:02d}", self.node_id(i), "OWNS", self.node_id(end), props)


def child(kind: str, fmt: str, size: int, out: Path) -> dict:
    """One measurement (runs in its own process)."""
    from minerals_kg.export import export

    if kind == "shipped":
        import minerals_kg

        stream = minerals_kg.open().subgraph()
    else:
        stream = SyntheticOwnership(size)
    baseline = rss_mb()
    t0 = time.perf_counter()
    result = export(stream, fmt, out / f"{kind}-{size}.{fmt}")
    seconds = time.perf_counter() - t0
    size_bytes = sum(p.stat().st_size for p in result.files)
    return {
        "graph": kind,
        "format": fmt,
        "nodes": result.nodes,
        "relationships": result.relationships,
        "seconds": round(seconds, 2),
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(rss_mb(), 1),
        "output_mb": round(size_bytes / 1e6, 1),
    }


def run(kind: str, fmt: str, size: int, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, fmt, str(size), str(out)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=None, help="where the files go (default: a temporary folder)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, fmt, size, out = args.child
        print(json.dumps(child(kind, fmt, int(size), Path(out))))
        return
    from minerals_kg.export import FORMATS

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        rows = [run("shipped", fmt, 0, out) for fmt in FORMATS]
        rows += [run("synthetic", fmt, size, out) for size in args.sizes for fmt in ("graphml", "neo4j-admin")]
    print(
        "| graph | format | nodes | relationships | seconds | baseline RSS MB | peak RSS MB | peak − baseline MB | output MB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['graph']} | {r['format']} | {r['nodes']:,} | {r['relationships']:,} | {r['seconds']:.2f} | "
            f"{r['baseline_mb']:.0f} | {r['peak_mb']:.0f} | {r['peak_mb'] - r['baseline_mb']:.0f} | {r['output_mb']:.1f} |"
        )


if __name__ == "__main__":
    main()

"""Cytoscape.js / Cytoscape desktop JSON and D3 node-link JSON, written as streams.

- ``cytoscape``: ``{"data": {...}, "elements": {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}}``
  — what ``cy.add(json.elements)`` and Cytoscape desktop's "Cytoscape.js JSON" import read. Edge
  ``data.source``/``data.target`` are the endpoints; provenance is ``kg_source``/``kg_confidence``.
- ``d3``: ``{"directed": true, "multigraph": true, "graph": {...}, "nodes": [{"id": ...}],
  "links": [{"id", "key", "source", "target", ...}]}`` — what ``d3.forceLink().id(d => d.id)`` and
  ``networkx.node_link_graph(data, edges="links")`` read.

Both carry the cited source documents (id -> title, publisher, URL, ...) under the graph's data
(``sources``), so a viewer can show a fact's source by its ``kg_source``. Keys are sorted and every
element is one line, so the same selection is the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..subgraph import GraphStream
from .naming import node_attributes, relationship_attributes

__all__ = ["cytoscape_edges", "cytoscape_nodes", "graph_data", "write_cytoscape", "write_d3"]


def _iso(value: Any) -> str:
    """Dates (the graph's ``datetime.date``) as ISO text; nothing else is expected here."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_iso)


def graph_data(stream: GraphStream, description: str) -> dict[str, Any]:
    """The graph-level data: a description of the selection and the cited sources."""
    return {
        "name": "minerals-kg",
        "description": description,
        "selection": dict(stream.selection),
        "sources": {k: dict(v) for k, v in stream.sources.items()},
    }


def cytoscape_nodes(stream: GraphStream) -> Iterator[str]:
    """Node elements as Cytoscape.js JSON texts, one per node (``name`` defaults to the id)."""
    for n in stream.iter_nodes():
        yield _dumps({"data": {"id": n.id, "name": n.properties.get("name", n.id), **node_attributes(n)}})


def cytoscape_edges(stream: GraphStream) -> Iterator[str]:
    """Edge elements as Cytoscape.js JSON texts, one per relationship."""
    for r in stream.iter_relationships():
        yield _dumps({"data": {"id": r.id, "source": r.start, "target": r.end, **relationship_attributes(r)}})


def _write_list(out: IO[str], items: Iterable[str]) -> int:
    n = 0
    for text in items:
        out.write(("\n" if n == 0 else ",\n") + text)
        n += 1
    out.write("\n" if n else "")
    return n


def write_cytoscape(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write Cytoscape.js JSON; returns (nodes, relationships) written."""
    out.write('{"data":' + _dumps(graph_data(stream, description)) + ',"elements":{"nodes":[')
    n = _write_list(out, cytoscape_nodes(stream))
    out.write('],"edges":[')
    m = _write_list(out, cytoscape_edges(stream))
    out.write(']},"format_version":"1.0","generated_by":"minerals-kg","target_cytoscapejs_version":"~3.35"}\n')
    return n, m


def write_d3(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write D3 node-link JSON; returns (nodes, relationships) written."""
    out.write('{"directed":true,"graph":' + _dumps(graph_data(stream, description)) + ',"links":[')
    m = _write_list(
        out,
        (
            _dumps({"id": r.id, "key": r.id, "source": r.start, "target": r.end, **relationship_attributes(r)})
            for r in stream.iter_relationships()
        ),
    )
    out.write('],"multigraph":true,"nodes":[')
    n = _write_list(out, (_dumps({"id": x.id, **node_attributes(x)}) for x in stream.iter_nodes()))
    out.write("]}\n")
    return n, m

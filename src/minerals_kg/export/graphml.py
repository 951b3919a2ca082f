"""GraphML (Gephi, yEd, igraph, networkx, Cytoscape desktop), written as a stream.

One ``<key>`` per attribute and domain with its type (``boolean``, ``long``, ``double``,
``string``), declared before the graph from a first pass over the elements; nodes and edges are then
written one at a time, so memory does not grow with the graph. Edge ids are fact ids; names, lists
and provenance follow :mod:`minerals_kg.export.naming`. The graph element carries a
``description`` of the selection.
"""

from __future__ import annotations

from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from ..subgraph import GraphStream
from .naming import ColumnTypes, node_attributes, relationship_attributes, scalar_text

__all__ = ["write_graphml"]

NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
SCHEMA = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
GRAPHML_TYPE = {
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "string": "string",
    "list": "string",
    "date": "string",
}


def _keys(stream: GraphStream) -> tuple[dict[str, str], dict[str, str]]:
    nodes, edges = ColumnTypes(), ColumnTypes()
    for node in stream.iter_nodes():
        for k, v in node_attributes(node).items():
            nodes.add(k, v)
    for rel in stream.iter_relationships():
        for k, v in relationship_attributes(rel).items():
            edges.add(k, v)
    return nodes.types(), edges.types()


def _data(attrs: dict[str, Any], ids: dict[str, str]) -> str:
    return "".join(f"<data key={quoteattr(ids[k])}>{escape(scalar_text(v))}</data>" for k, v in attrs.items())


def write_graphml(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write ``stream`` as GraphML to ``out``; returns (nodes, relationships) written."""
    node_types, edge_types = _keys(stream)
    node_ids = {k: f"n{i}" for i, k in enumerate(node_types)}
    edge_ids = {k: f"e{i}" for i, k in enumerate(edge_types)}
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<graphml xmlns="{NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">\n'
    )
    out.write('  <key id="g0" for="graph" attr.name="description" attr.type="string"/>\n')
    for domain, types, ids in (("node", node_types, node_ids), ("edge", edge_types, edge_ids)):
        for key, kind in types.items():
            out.write(
                f"  <key id={quoteattr(ids[key])} for={quoteattr(domain)} attr.name={quoteattr(key)} "
                f"attr.type={quoteattr(GRAPHML_TYPE[kind])}/>\n"
            )
    out.write(f'  <graph id="minerals-kg" edgedefault="directed">\n    <data key="g0">{escape(description)}</data>\n')
    n = m = 0
    for node in stream.iter_nodes():
        out.write(f"    <node id={quoteattr(node.id)}>{_data(node_attributes(node), node_ids)}</node>\n")
        n += 1
    for rel in stream.iter_relationships():
        out.write(
            f"    <edge id={quoteattr(rel.id)} source={quoteattr(rel.start)} target={quoteattr(rel.end)}>"
            f"{_data(relationship_attributes(rel), edge_ids)}</edge>\n"
        )
        m += 1
    out.write("  </graph>\n</graphml>\n")
    return n, m

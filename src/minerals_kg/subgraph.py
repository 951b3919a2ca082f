"""A part of the knowledge graph as a value the exporters take: :class:`Subgraph`.

A subgraph holds its nodes and relationships sorted (nodes by id, relationships by start, type, end
and id), so the same selection is the same sequence on either backend. A relationship's id is its
:func:`~minerals_kg.elements.fact_id`, the content hash the Neo4j loader MERGEs on.

Besides the selection itself it carries what exporters need to keep provenance and to stay valid:

- ``sources``: the Source documents cited by its nodes and relationships (title, publisher, URL, ...);
- ``support_nodes`` / ``support_relationships``: what the SHACL shapes require of the selected nodes
  but the selection left out (their Source nodes, a firm's headquarters, a facility's country, an
  instrument's imposer); RDF exports add them so the file conforms on its own;
- ``shares``: node -> mineral -> stage -> share of world output in the latest group (for views);
- ``highlight``: nodes a view should emphasise (an alliance's members).

Anything with the same attributes and ``iter_nodes()`` / ``iter_relationships()`` methods that can be
called more than once (:class:`GraphStream`) can be exported, so a graph too large to hold in memory
streams through the exporters.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("CHN", label="Country", labels=["Country"], id="CHN", name="China")
>>> g.add_node("gallium", label="Mineral", labels=["Mineral"], id="gallium", name="Gallium")
>>> _ = g.add_edge("CHN", "gallium", type="PRODUCES", stage="refining", source="mcs", confidence="official")
>>> sub = from_networkx(g)
>>> [n.id for n in sub.iter_nodes()], [(r.start, r.type, r.end) for r in sub.iter_relationships()]
(['CHN', 'gallium'], [('CHN', 'PRODUCES', 'gallium')])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from .elements import fact_id

__all__ = [
    "EdgeKey",
    "GraphStream",
    "Node",
    "Relationship",
    "Subgraph",
    "from_networkx",
    "node_of",
    "relationship_of",
    "support",
]

EdgeKey = tuple[str, str, Any]  # a networkx MultiDiGraph edge: (start, end, key)

STRUCTURE = frozenset({"label", "labels", "type", "fact_id"})
"""networkx attributes that are structure (labels, relationship type, id), not properties."""


@dataclass(frozen=True)
class Node:
    """A node: its id, its labels (the ontology class first) and its properties (``id`` included)."""

    id: str
    labels: tuple[str, ...]
    properties: Mapping[str, Any]

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class Relationship:
    """A relationship: its id (the fact's content hash), endpoints, type and properties."""

    id: str
    start: str
    type: str
    end: str
    properties: Mapping[str, Any]

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.start, self.type, self.end, self.id)


@runtime_checkable
class GraphStream(Protocol):
    """What an exporter reads: sorted nodes and relationships (iterable more than once) and context."""

    @property
    def sources(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def support_nodes(self) -> tuple[Node, ...]: ...

    @property
    def support_relationships(self) -> tuple[Relationship, ...]: ...

    @property
    def shares(self) -> Mapping[str, Mapping[str, Mapping[str, float]]]: ...

    @property
    def highlight(self) -> frozenset[str]: ...

    @property
    def selection(self) -> Mapping[str, Any]: ...

    def iter_nodes(self) -> Iterator[Node]: ...

    def iter_relationships(self) -> Iterator[Relationship]: ...


@dataclass(frozen=True)
class Subgraph:
    """A selected part of the knowledge graph (see the module docstring); sorted on construction."""

    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...]
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    support_nodes: tuple[Node, ...] = ()
    support_relationships: tuple[Relationship, ...] = ()
    shares: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict)
    highlight: frozenset[str] = frozenset()
    selection: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(sorted(self.nodes, key=lambda n: n.id)))
        object.__setattr__(self, "relationships", tuple(sorted(self.relationships, key=lambda r: r.sort_key)))
        ids = {n.id for n in self.nodes}
        dangling = [r for r in self.relationships if r.start not in ids or r.end not in ids]
        if dangling:
            r = dangling[0]
            raise ValueError(f"relationship {r.start} -[{r.type}]-> {r.end} has an endpoint outside the subgraph")

    def iter_nodes(self) -> Iterator[Node]:
        return iter(self.nodes)

    def iter_relationships(self) -> Iterator[Relationship]:
        return iter(self.relationships)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.relationships)

    def __repr__(self) -> str:
        return f"Subgraph({len(self.nodes)} nodes, {len(self.relationships)} relationships)"


def node_of(g: nx.MultiDiGraph, nid: str) -> Node:
    """The node ``nid`` of a graph in the backends' shape (``label``, ``labels`` and properties)."""
    data = g.nodes[nid]
    labels = tuple(data.get("labels") or [data["label"]])
    return Node(nid, labels, {k: v for k, v in data.items() if k not in STRUCTURE})


def relationship_of(g: nx.MultiDiGraph, edge: EdgeKey) -> Relationship:
    """The edge ``(start, end, key)`` as a Relationship; its id is the stored ``fact_id`` or computed."""
    start, end, key = edge
    data = g.edges[start, end, key]
    props = {k: v for k, v in data.items() if k not in STRUCTURE}
    fid = data.get("fact_id") or fact_id(start, data["type"], end, props)
    return Relationship(fid, start, data["type"], end, props)


def _unique(relationships: Iterable[Relationship]) -> list[Relationship]:
    """One relationship per id: identical facts are one relationship, as in Neo4j (MERGE on fact_id)."""
    return list({r.id: r for r in relationships}.values())


SHAPE_REQUIREMENTS: dict[str, tuple[str, str]] = {
    "Firm": ("HEADQUARTERED_IN", "out"),
    "Facility": ("LOCATED_IN", "out"),
    "PolicyInstrument": ("IMPOSES", "in"),
}
"""Relationships the SHACL shapes require of a node of a label (``ontology/shapes.ttl``)."""


def support(g: nx.MultiDiGraph, node_ids: set[str], edges: set[EdgeKey]) -> tuple[list[str], list[EdgeKey]]:
    """Nodes and edges outside the selection that the shapes require of the selected nodes.

    Every described node needs its ``SOURCED_FROM`` Source; a firm its headquarters country, a
    facility its country, an instrument its imposer; each node added that way needs its own source.
    """
    extra_nodes: set[str] = set()
    extra_edges: set[EdgeKey] = set()

    def require(nid: str) -> None:
        for u, v, k, d in g.out_edges(nid, keys=True, data=True):
            if d["type"] == "SOURCED_FROM":
                extra_edges.add((u, v, k))
                extra_nodes.add(v)
        rule = SHAPE_REQUIREMENTS.get(g.nodes[nid]["label"])
        if rule is None:
            return
        rel, direction = rule
        found = g.out_edges(nid, keys=True, data=True) if direction == "out" else g.in_edges(nid, keys=True, data=True)
        for u, v, k, d in found:
            if d["type"] == rel:
                extra_edges.add((u, v, k))
                other = v if direction == "out" else u
                if other not in node_ids and other not in extra_nodes:
                    extra_nodes.add(other)
                    require(other)

    for nid in sorted(node_ids):
        require(nid)
    return sorted(extra_nodes - node_ids), sorted(extra_edges - edges, key=str)


def cited_sources(g: nx.MultiDiGraph, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> dict[str, dict]:
    """The Source documents (properties) that nodes and relationships cite by their ``source``."""
    cited = {n.properties.get("source") for n in nodes} | {r.properties.get("source") for r in relationships}
    return {
        sid: {k: v for k, v in g.nodes[sid].items() if k not in STRUCTURE}
        for sid in sorted(s for s in cited if isinstance(s, str) and s in g)
    }


def from_networkx(
    g: nx.MultiDiGraph,
    node_ids: Iterable[str] | None = None,
    edges: Iterable[EdgeKey] | None = None,
    *,
    node_marks: Mapping[str, Mapping[str, Any]] | None = None,
    edge_marks: Mapping[EdgeKey, Mapping[str, Any]] | None = None,
    shares: Mapping[str, Mapping[str, Mapping[str, float]]] | None = None,
    highlight: Iterable[str] = (),
    selection: Mapping[str, Any] | None = None,
) -> Subgraph:
    """The subgraph of ``g`` with these nodes and edges (default: all), with provenance and support.

    ``node_marks`` / ``edge_marks`` add properties (a scenario's marks) to the nodes and edges named.
    """
    chosen = set(g.nodes) if node_ids is None else set(node_ids)
    chosen_edges = set(g.edges(keys=True)) if edges is None else set(edges)
    node_marks, edge_marks = node_marks or {}, edge_marks or {}
    nodes = []
    for nid in chosen:
        node = node_of(g, nid)
        if nid in node_marks:
            node = Node(node.id, node.labels, {**node.properties, **node_marks[nid]})
        nodes.append(node)
    rels = []
    for edge in chosen_edges:
        rel = relationship_of(g, edge)
        if edge in edge_marks:
            rel = Relationship(rel.id, rel.start, rel.type, rel.end, {**rel.properties, **edge_marks[edge]})
        rels.append(rel)
    extra_nodes, extra_edges = support(g, chosen, chosen_edges)
    return Subgraph(
        tuple(nodes),
        tuple(_unique(rels)),
        cited_sources(g, nodes, rels),
        tuple(sorted((node_of(g, n) for n in extra_nodes), key=lambda n: n.id)),
        tuple(sorted(_unique(relationship_of(g, e) for e in extra_edges), key=lambda r: r.sort_key)),
        {n: shares[n] for n in sorted(chosen) if shares and n in shares},
        frozenset(highlight) & frozenset(chosen),
        dict(selection or {}),
    )

"""Turtle and JSON-LD: the subgraph as RDF in the ontology's namespace, conforming to ``shapes.ttl``.

The triples are those :mod:`minerals_kg.rdf` makes for SHACL validation (nodes ``kg:<id>`` typed by
their classes, relationships as triples plus ``fact:<fact_id>`` statements carrying their
properties, dates typed by precision). So that the file conforms on its own, it also holds what the
shapes require of the selected nodes but the selection left out (the subgraph's ``support``: Source
documents, a firm's headquarters, a facility's country, an instrument's imposer) and the SKOS
concepts its vocabulary values point to. A scenario's marks (``scenario_*``) are not ontology
properties: they use their own namespace, ``https://w3id.org/minerals-kg/scenario#``.

Turtle comes from rdflib's serializer (it sorts subjects and predicates); JSON-LD is written here with
subjects, predicates and values sorted, because rdflib's JSON-LD output order varies between runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import IO, Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from ..ontology import MKG, Ontology, load_ontology
from ..rdf import DATA, FACT, add_triples, literal, triples
from ..resources import ONTOLOGY_FILE
from ..subgraph import GraphStream, Node, Relationship

__all__ = ["SCENARIO", "subgraph_rdf", "write_jsonld", "write_turtle"]

SCENARIO = Namespace("https://w3id.org/minerals-kg/scenario#")
PREFIXES = {"fact": FACT, "kg": DATA, "mkg": MKG, "rdf": RDF, "mks": SCENARIO, "skos": SKOS, "xsd": XSD}
CONCEPT_PREDICATES = (RDF.type, SKOS.inScheme, SKOS.notation, SKOS.prefLabel)


def _split(props: dict[str, Any], known: frozenset[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    ontology = {k: v for k, v in props.items() if k in known or k == "id"}
    return ontology, {k: v for k, v in props.items() if k not in ontology}


def _element_triples(stream: GraphStream, onto: Ontology) -> Iterator[tuple[URIRef, URIRef, Any]]:
    nodes: list[Node] = [*stream.iter_nodes(), *stream.support_nodes]
    rels: list[Relationship] = [*stream.iter_relationships(), *stream.support_relationships]
    marks: list[tuple[URIRef, str, Any]] = []
    node_rows, edge_rows = [], []
    for n in nodes:
        props, extra = _split(dict(n.properties), onto.node_properties.get(n.label, frozenset()))
        node_rows.append((n.id, n.labels, props))
        marks.extend((DATA[n.id], k, v) for k, v in extra.items())
    for r in rels:
        props, extra = _split(dict(r.properties), onto.edge_properties.get(r.type, frozenset()))
        edge_rows.append((r.start, r.type, r.end, {**props, "fact_id": r.id}))
        if extra:
            st = FACT[r.id]
            yield st, RDF.type, RDF.Statement
            yield st, RDF.subject, DATA[r.start]
            yield st, RDF.predicate, MKG[r.type]
            yield st, RDF.object, DATA[r.end]
            marks.extend((st, k, v) for k, v in extra.items())
    yield from triples(node_rows, edge_rows, onto)
    for subject, key, value in marks:
        for v in value if isinstance(value, list) else [value]:
            yield subject, SCENARIO[key], literal(v, key, onto)


def subgraph_rdf(stream: GraphStream, ontology: Ontology | None = None) -> Graph:
    """The subgraph, its support and the SKOS concepts it uses, as an rdflib Graph."""
    onto = ontology or load_ontology()
    g = add_triples(Graph(), _element_triples(stream, onto))
    g.bind("mks", SCENARIO)
    vocabulary = _ontology_graph()
    for concept in {o for o in g.objects() if isinstance(o, URIRef) and (o, SKOS.inScheme, None) in vocabulary}:
        for p in CONCEPT_PREDICATES:
            for o in vocabulary.objects(concept, p):
                g.add((concept, p, o))
    return g


@cache
def _ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def write_turtle(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write Turtle; returns (nodes, relationships) of the selection (support not counted)."""
    g = subgraph_rdf(stream)
    out.write(f"# minerals-kg: {description}\n")
    out.write(g.serialize(format="turtle"))
    return _counts(stream)


def _compact(term: Any) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if text.startswith(str(ns)) and text != str(ns):
            return f"{prefix}:{text[len(str(ns)) :]}"
    return text


def _value(term: Any) -> dict[str, str]:
    if isinstance(term, Literal):
        out = {"@value": str(term)}
        if term.datatype is not None:
            out["@type"] = _compact(term.datatype)
        return out
    return {"@id": _compact(term)}


def write_jsonld(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write JSON-LD (one ``@graph``, sorted); returns (nodes, relationships) of the selection.

    JSON has no comments and a top-level property would make ``@graph`` a named graph, so the
    description is not in the file.
    """
    g = subgraph_rdf(stream)
    subjects: dict[str, dict[str, list[dict[str, str]]]] = {}
    types: dict[str, list[str]] = {}
    for s, p, o in g:
        sid = _compact(s)
        if p == RDF.type:
            types.setdefault(sid, []).append(_compact(o))
        else:
            subjects.setdefault(sid, {}).setdefault(_compact(p), []).append(_value(o))
    context = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    out.write('{"@context":' + json.dumps(context, sort_keys=True) + ',\n"@graph":[')
    for i, sid in enumerate(sorted(set(subjects) | set(types))):
        item: dict[str, Any] = {"@id": sid}
        if sid in types:
            item["@type"] = sorted(types[sid])
        for pred, values in sorted(subjects.get(sid, {}).items()):
            item[pred] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True))
        out.write(("\n" if i == 0 else ",\n") + json.dumps(item, sort_keys=True, ensure_ascii=False))
    out.write("\n]}\n")
    return _counts(stream)


def _counts(stream: GraphStream) -> tuple[int, int]:
    return sum(1 for _ in stream.iter_nodes()), sum(1 for _ in stream.iter_relationships())

"""The knowledge graph as RDF: nodes as resources typed by ontology classes, vocabulary values as
SKOS concepts, relationships as triples plus reified ``rdf:Statement`` nodes for their properties.
Used for SHACL validation and for Turtle / JSON-LD export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS, XSD

from .elements import GraphElements
from .ontology import MKG, Ontology, load_ontology

DATA = Namespace("https://w3id.org/minerals-kg/id/")


def _vocabulary_index(onto: Ontology) -> dict[tuple[str, str], str]:
    """(owner class or relationship type, property) -> concept scheme."""
    index = {}
    for scheme, (props, owners) in onto.vocabulary_use.items():
        for owner in owners:
            for prop in props:
                index[(owner, prop)] = scheme
    return index


def _literal(value: Any) -> Literal:
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(value, datatype=XSD.decimal)
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(str(value))


def to_rdf(elements: GraphElements, ontology: Ontology | None = None) -> Graph:
    onto = ontology or load_ontology()
    vocab = _vocabulary_index(onto)
    g = Graph()
    g.bind("mkg", MKG)
    g.bind("kg", DATA)
    g.bind("skos", SKOS)

    def add_props(subject, owner: str, props: dict[str, Any]) -> None:
        for key, value in props.items():
            for v in value if isinstance(value, list) else [value]:
                scheme = vocab.get((owner, key))
                g.add((subject, MKG[key], MKG[f"{scheme}-{v}"] if scheme else _literal(v)))

    for nid, labels, props in elements.nodes:
        s = DATA[nid]
        for label in labels:
            g.add((s, RDF.type, MKG[label]))
        add_props(s, labels[0], props)
    for start, rel, end, props in elements.edges:
        s, p, o = DATA[start], MKG[rel], DATA[end]
        g.add((s, p, o))
        if props:
            st = BNode()
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, s))
            g.add((st, RDF.predicate, p))
            g.add((st, RDF.object, o))
            add_props(st, rel, props)
    return g

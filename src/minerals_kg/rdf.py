"""The knowledge graph as RDF: nodes as resources typed by ontology classes, vocabulary values as
SKOS concepts, relationships as triples plus reified ``rdf:Statement`` resources for their properties.
Used for SHACL validation and for Turtle / JSON-LD export.

Every resource has a stable IRI: nodes ``kg:<id>`` (:data:`DATA`), and the statement that carries a
relationship's properties ``fact:<fact_id>`` (:data:`FACT`; the content hash of
:func:`~minerals_kg.elements.fact_id`), so the same graph always gives the same triples. Dates are
typed by their precision (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``; ontology range
``mkg:PartialDate``).

>>> date_literal("2024-03").datatype == XSD.gYearMonth
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from .elements import GraphElements, fact_id
from .ontology import MKG, Ontology, load_ontology

__all__ = [
    "DATA",
    "FACT",
    "add_triples",
    "date_literal",
    "literal",
    "partial_text",
    "to_rdf",
    "triples",
    "vocabulary_index",
]

DATA = Namespace("https://w3id.org/minerals-kg/id/")
FACT = Namespace("https://w3id.org/minerals-kg/fact/")

Triple = tuple[URIRef, URIRef, Any]


def vocabulary_index(onto: Ontology) -> dict[tuple[str, str], str]:
    """(owner class or relationship type, property) -> concept scheme."""
    index = {}
    for scheme, (props, owners) in onto.vocabulary_use.items():
        for owner in owners:
            for prop in props:
                index[(owner, prop)] = scheme
    return index


def date_literal(text: str) -> Literal:
    """An ISO date as precise as it is given: ``YYYY`` (gYear), ``YYYY-MM`` (gYearMonth), else ``xsd:date``."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(text), XSD.date)
    return Literal(text, datatype=datatype)


def partial_text(value: dt.date, precision: str | None) -> str:
    """A graph date back as the partial ISO date the source gave (its ``<name>_precision``).

    The graph stores the first day of the period (the last for dates that close a span), so the
    period's text is a prefix of either.

    >>> partial_text(dt.date(2026, 6, 30), "month"), partial_text(dt.date(2024, 1, 1), "year")
    ('2026-06', '2024')
    """
    return value.isoformat()[: {"year": 4, "month": 7}.get(precision or "day", 10)]


def literal(value: Any, key: str, onto: Ontology, precision: str | None = None) -> Literal:
    """A property value as a typed literal (booleans, integers, decimals, dates by precision, strings).

    A date (``datetime.date`` in the graph) is typed by ``precision`` (its ``<key>_precision``).
    """
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(value, datatype=XSD.decimal)
    if key in onto.date_properties:
        return date_literal(partial_text(value, precision) if isinstance(value, dt.date) else str(value))
    return Literal(str(value))


def triples(
    nodes: Iterable[tuple[str, tuple[str, ...] | list[str], dict[str, Any]]],
    edges: Iterable[tuple[str, str, str, dict[str, Any]]],
    onto: Ontology,
) -> Iterator[Triple]:
    """The triples of nodes ``(id, labels, properties)`` and edges ``(start, type, end, properties)``.

    An edge's properties hang on its statement ``fact:<fact_id>``; a ``fact_id`` among them is the
    statement's IRI, not a triple.
    """
    vocab = vocabulary_index(onto)

    def props(subject: URIRef, owner: str, values: dict[str, Any]) -> Iterator[Triple]:
        for key, value in values.items():
            for v in value if isinstance(value, list) else [value]:
                scheme = vocab.get((owner, key))
                precision = values.get(f"{key}_precision")
                yield subject, MKG[key], MKG[f"{scheme}-{v}"] if scheme else literal(v, key, onto, precision)

    for nid, labels, values in nodes:
        s = DATA[nid]
        for label in labels:
            yield s, RDF.type, MKG[label]
        yield from props(s, labels[0], values)
    for start, rel, end, values in edges:
        s, p, o = DATA[start], MKG[rel], DATA[end]
        yield s, p, o
        values = dict(values)
        fid = values.pop("fact_id", None) or fact_id(start, rel, end, values)
        if values:
            st = FACT[fid]
            yield st, RDF.type, RDF.Statement
            yield st, RDF.subject, s
            yield st, RDF.predicate, p
            yield st, RDF.object, o
            yield from props(st, rel, values)


def add_triples(graph: Graph, items: Iterable[Triple]) -> Graph:
    """Add ``items`` to ``graph`` with the project's prefixes bound; returns the graph."""
    graph.bind("mkg", MKG)
    graph.bind("kg", DATA)
    graph.bind("fact", FACT)
    graph.bind("skos", SKOS)
    for t in items:
        graph.add(t)
    return graph


def to_rdf(elements: GraphElements, ontology: Ontology | None = None) -> Graph:
    """The whole graph of ``elements`` as an rdflib Graph (what SHACL validates)."""
    onto = ontology or load_ontology()
    return add_triples(Graph(), triples(elements.nodes, elements.edges, onto))

"""The ontology as data: labels, relationship types, properties and vocabularies from the Turtle.

Everything that becomes a Neo4j identifier (label, relationship type, property key) comes from
here, so no identifier ever comes from user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .resources import ONTOLOGY_FILE

MKG = Namespace("https://w3id.org/minerals-kg/ontology#")
SCHEMA = Namespace("https://schema.org/")


@dataclass(frozen=True)
class Ontology:
    labels: frozenset[str]  # top-level classes (Neo4j labels, key property "id")
    instrument_labels: dict[str, str]  # instrument kind -> extra label (ExportControl, ...)
    relationship_types: dict[str, tuple[frozenset[str], frozenset[str]]]  # type -> (domain, range)
    node_properties: dict[str, frozenset[str]]  # label -> property keys
    edge_properties: dict[str, frozenset[str]]  # relationship type -> property keys
    vocabularies: dict[str, frozenset[str]]  # scheme -> notations
    vocabulary_use: dict[str, tuple[frozenset[str], frozenset[str]]]  # scheme -> (properties, owners)
    property_ranges: dict[str, str] = field(
        default_factory=dict
    )  # property key -> range (string, decimal, PartialDate, ...)
    system_labels: dict[str, str] = field(default_factory=dict)  # bookkeeping label -> key property (not data)

    @property
    def date_properties(self) -> frozenset[str]:
        """Property keys whose values are ISO dates, possibly partial (range ``mkg:PartialDate``)."""
        return frozenset(key for key, range_ in self.property_ranges.items() if range_ == "PartialDate")

    def check_label(self, label: str) -> str:
        if label not in self.labels and label not in self.instrument_labels.values():
            raise ValueError(f"{label!r} is not a class of the ontology")
        return label

    def check_system_label(self, label: str) -> str:
        """A label of a system class (``mkg:systemClass``: the database's bookkeeping, never data).

        >>> load_ontology().check_system_label("LoadState")
        'LoadState'
        """
        if label not in self.system_labels:
            raise ValueError(f"{label!r} is not a system class of the ontology")
        return label

    def check_type(self, rel_type: str) -> str:
        if rel_type not in self.relationship_types:
            raise ValueError(f"{rel_type!r} is not a relationship type of the ontology")
        return rel_type


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1]


@cache
def load_ontology(path: Path = ONTOLOGY_FILE) -> Ontology:
    g = Graph().parse(path, format="turtle")
    instrument = MKG.PolicyInstrument
    subclasses = set(g.subjects(RDFS.subClassOf, instrument))
    system = {c for c in g.subjects(RDF.type, OWL.Class) if g.value(c, MKG.systemClass) is not None}
    system_labels = {str(g.value(c, MKG.neo4jLabel)): str(g.value(c, MKG.keyProperty)) for c in system}
    labels = frozenset(
        str(g.value(c, MKG.neo4jLabel)) for c in g.subjects(RDF.type, OWL.Class) if c not in subclasses | system
    )
    instrument_labels = {
        str(g.value(concept, SKOS.notation)): str(g.value(g.value(concept, MKG.instrumentClass), MKG.neo4jLabel))
        for concept in g.subjects(MKG.instrumentClass, None)
    }
    rels = {
        str(g.value(p, MKG.neo4jType)): (
            frozenset(_local(d) for d in g.objects(p, SCHEMA.domainIncludes)),
            frozenset(_local(r) for r in g.objects(p, SCHEMA.rangeIncludes)),
        )
        for p in g.subjects(RDF.type, OWL.ObjectProperty)
    }
    node_props: dict[str, set[str]] = {label: set() for label in labels}
    ranges: dict[str, str] = {}
    edge_props: dict[str, set[str]] = {t: set() for t in rels}
    for p in g.subjects(RDF.type, OWL.DatatypeProperty):
        key = str(g.value(p, RDFS.label))
        ranges[key] = _local(g.value(p, RDFS.range))
        for c in g.objects(p, SCHEMA.domainIncludes):
            node_props[_local(c)].add(key)
        for r in g.objects(p, MKG.edgePropertyOf):
            edge_props[_local(r)].add(key)
    vocabularies, use = {}, {}
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        name = str(g.value(scheme, RDFS.label))
        vocabularies[name] = frozenset(str(g.value(c, SKOS.notation)) for c in g.subjects(SKOS.inScheme, scheme))
        use[name] = (
            frozenset(str(p) for p in g.objects(scheme, MKG.forProperty)),
            frozenset(_local(c) for c in g.objects(scheme, MKG.forClass)),
        )
    return Ontology(
        labels=labels,
        instrument_labels=instrument_labels,
        relationship_types=rels,
        node_properties={k: frozenset(v) for k, v in node_props.items()},
        edge_properties={k: frozenset(v) for k, v in edge_props.items()},
        vocabularies=vocabularies,
        vocabulary_use=use,
        property_ranges=ranges,
        system_labels=system_labels,
    )

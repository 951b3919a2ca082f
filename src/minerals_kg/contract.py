"""The contract between the graph and everything that reads it, declared once.

- :data:`TABLES`: the tables the analyses read (name, columns, pandas dtypes). Both backends return
  exactly these frames (:meth:`Table.conform`), so an analysis cannot tell them apart.
- :data:`REFERENCES` and :data:`FACTS`: how record kinds point at each other — which column becomes
  which relationship type, in which direction. The labels a reference may point at come from the
  ontology's ``schema:domainIncludes`` / ``schema:rangeIncludes`` of that type; the validator and the
  graph builder both read them from here.
- :class:`GraphReader`: the protocol both backends implement; :class:`~minerals_kg.api.KnowledgeGraph`
  depends only on it.

>>> TABLES["production"].names[:4]
['mineral', 'stage', 'year', 'edition']
>>> sorted(reference_targets(REFERENCES[1]))   # an organisation's parent
['Organisation']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import networkx as nx
import pandas as pd

from .model import (
    DataGap,
    EndUseMineral,
    Event,
    Facility,
    Firm,
    FirmActivity,
    HsLine,
    ImportFlow,
    ImportReliance,
    InstrumentAmount,
    Membership,
    Mineral,
    Organisation,
    Ownership,
    Participation,
    PolicyInstrument,
    Production,
    Record,
)
from .ontology import Ontology, load_ontology

__all__ = [
    "FACTS",
    "PROPERTY_REFERENCES",
    "REFERENCES",
    "TABLES",
    "Column",
    "Fact",
    "GraphReader",
    "PropertyReference",
    "Reference",
    "Table",
    "fact_endpoints",
    "make_table",
    "reference_targets",
]

Dtype = Literal["object", "float64", "Int64", "boolean"]


@dataclass(frozen=True)
class Column:
    name: str
    dtype: Dtype
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """A table's declared shape: column names in order and their pandas dtypes."""

    name: str
    columns: tuple[Column, ...]
    doc: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def conform(self, data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
        """The rows as a frame with exactly this table's columns, in order, with its dtypes.

        Missing columns are added empty; extra columns are dropped. Used by every producer of the
        table, so frames from different backends compare equal.

        >>> t = Table("t", (Column("a", "Int64"), Column("b", "float64"), Column("c", "object")))
        >>> t.conform([{"a": 1, "b": "2.5", "x": 0}]).dtypes.astype(str).tolist()
        ['Int64', 'float64', 'object']
        """
        df = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
        df = df.reindex(columns=self.names)
        for col in self.columns:
            series = df[col.name]
            if col.dtype == "float64":
                df[col.name] = pd.to_numeric(series, errors="raise").astype("float64")
            elif col.dtype == "Int64":
                df[col.name] = pd.to_numeric(series, errors="raise").astype("Int64")
            elif col.dtype == "boolean":
                df[col.name] = series.astype("boolean")
            else:
                df[col.name] = series.astype("object").where(series.notna(), None)
        return df.reset_index(drop=True)


def make_table(name: str, doc: str, *columns: tuple[str, Dtype] | tuple[str, Dtype, str]) -> Table:
    """A :class:`Table` from ``(name, dtype[, doc])`` tuples."""
    return Table(name, tuple(Column(*c) for c in columns), doc)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        make_table(
            "production",
            "Country and aggregate PRODUCES facts, one row per fact.",
            ("mineral", "object"),
            ("stage", "object"),
            ("year", "Int64"),
            ("edition", "object"),
            ("country", "object", "ISO-3, or an aggregate id (world, other_countries)"),
            ("country_label", "object", "Country or Aggregate"),
            ("quantity", "float64"),
            ("unit", "object"),
            ("basis", "object"),
            ("product", "object", "what the figure counts when more specific than the stage"),
            ("share", "float64"),
            ("estimated", "boolean"),
            ("value_status", "object"),
            ("source", "object"),
            ("confidence", "object"),
        ),
        make_table(
            "firm_activities",
            "Firm PRODUCES facts (a firm's output in a host country).",
            ("firm", "object"),
            ("mineral", "object"),
            ("stage", "object"),
            ("country", "object"),
            ("facility", "object"),
            ("year", "Int64"),
            ("quantity", "float64"),
            ("unit", "object"),
            ("basis", "object"),
            ("source", "object"),
        ),
        make_table(
            "memberships",
            "MEMBER_OF facts.",
            ("member", "object"),
            ("member_label", "object"),
            ("organisation", "object"),
            ("since", "object"),
            ("until", "object"),
            ("role", "object"),
            ("contested", "boolean", "claimed by one source, denied or unconfirmed by another: never counts"),
        ),
        make_table(
            "participations",
            "PARTICIPATED_IN facts.",
            ("participant", "object"),
            ("participant_label", "object"),
            ("event", "object"),
            ("role", "object"),
        ),
        make_table(
            "organisations",
            "Organisation nodes and the organisation each acts for (PART_OF).",
            ("id", "object"),
            ("name", "object"),
            ("kind", "object"),
            ("parent", "object"),
            ("founded", "object"),
            ("dissolved", "object"),
        ),
        make_table(
            "events",
            "Event nodes.",
            ("id", "object"),
            ("name", "object"),
            ("kind", "object"),
            ("start", "object"),
            ("end", "object"),
            ("location", "object"),
        ),
        make_table(
            "minerals",
            "Mineral nodes.",
            ("id", "object"),
            ("name", "object"),
            ("part_of", "object", "the mineral family it belongs to"),
        ),
        make_table(
            "imports",
            "IMPORTS_FROM facts: an importer's supply of a mineral from an exporter over a period.",
            ("importer", "object", "ISO-3 or organisation id"),
            ("importer_label", "object"),
            ("exporter", "object", "ISO-3 or other_countries"),
            ("mineral", "object"),
            ("stage", "object"),
            ("form", "object"),
            ("year_from", "Int64"),
            ("year_to", "Int64"),
            ("share", "float64"),
            ("share_basis", "object"),
            ("quantity", "float64"),
            ("unit", "object"),
            ("value_usd", "float64"),
            ("basis", "object"),
            ("rank", "Int64"),
            ("edition", "object"),
            ("source", "object"),
            ("confidence", "object"),
        ),
        make_table(
            "import_reliance",
            "RELIES_ON_IMPORTS facts: net import reliance per importer, mineral and year.",
            ("importer", "object"),
            ("mineral", "object"),
            ("year", "Int64"),
            ("stage", "object"),
            ("form", "object"),
            ("reliance", "float64"),
            ("bound", "object"),
            ("edition", "object"),
            ("source", "object"),
            ("confidence", "object"),
        ),
        make_table(
            "data_gaps",
            "HAS_DATA_GAP facts: a source says it publishes no country figures for a mineral at a stage.",
            ("mineral", "object"),
            ("stage", "object"),
            ("reason", "object"),
            ("source", "object"),
            ("confidence", "object"),
        ),
        make_table(
            "instrument_amounts",
            "HAS_AMOUNT facts: the amounts of money sources give for an instrument.",
            ("instrument", "object"),
            ("amount", "float64"),
            ("currency", "object"),
            ("component", "object"),
            ("source", "object"),
            ("confidence", "object"),
        ),
        make_table(
            "firms",
            "Firm nodes with their headquarters country.",
            ("id", "object"),
            ("name", "object"),
            ("hq", "object"),
        ),
        make_table(
            "facilities",
            "Facility nodes with their operator.",
            ("id", "object"),
            ("name", "object"),
            ("operator", "object"),
        ),
        make_table("ownership", "OWNS facts.", ("owner", "object"), ("owned", "object"), ("share", "float64")),
        make_table(
            "instruments",
            "PolicyInstrument nodes with imposer, covered minerals and targets.",
            ("id", "object"),
            ("name", "object"),
            ("kind", "object"),
            ("imposer", "object"),
            ("status", "object"),
            ("status_as_of", "object"),
            ("announced", "object"),
            ("effective", "object"),
            ("ended", "object"),
            ("suspended_from", "object"),
            ("suspended_until", "object"),
            ("stages", "object"),
            ("target_scope", "object"),
            ("item_scope", "object"),
            ("minerals", "object"),
            ("targets", "object"),
        ),
        make_table(
            "end_uses",
            "USED_IN facts: which end use needs which mineral.",
            ("mineral", "object"),
            ("end_use", "object"),
        ),
        make_table(
            "sources",
            "Source nodes.",
            ("id", "object"),
            ("title", "object"),
            ("publisher", "object"),
            ("url", "object"),
            ("edition", "object"),
            ("published", "object"),
            ("retrieved", "object"),
            ("licence", "object"),
        ),
        make_table(
            "nodes", "Every node's id and primary label (for checking ids).", ("id", "object"), ("label", "object")
        ),
    )
}


@runtime_checkable
class GraphReader(Protocol):
    """What a backend provides: the declared tables, the whole graph, and closing.

    ``table(name)`` returns :data:`TABLES`\\ ``[name]`` conformed; ``name`` is always a key of
    :data:`TABLES`. Implementations: :class:`minerals_kg.backends.embedded.EmbeddedReader` (networkx,
    in process) and :class:`minerals_kg.backends.neo4j.reader.Neo4jReader` (a server).
    """

    backend: str

    def table(self, name: str) -> pd.DataFrame: ...

    def to_networkx(self) -> nx.MultiDiGraph: ...

    def close(self) -> None: ...


# --- references between record kinds ------------------------------------------------------------

Direction = Literal["out", "in"]


@dataclass(frozen=True)
class Reference:
    """A column of an entity record naming other nodes, written as relationships of ``rel_type``.

    ``out``: record node -> referenced node; ``in``: referenced node -> record node. The labels the
    referenced id may have are the ontology's range (``out``) or domain (``in``) of the type, unless
    ``labels`` narrows them.
    """

    model: type[Record]
    column: str
    rel_type: str
    direction: Direction
    labels: frozenset[str] | None = None


@dataclass(frozen=True)
class Fact:
    """A fact record kind: one relationship of ``rel_type`` from ``start`` column to ``end`` column."""

    model: type[Record]
    rel_type: str
    start: str
    end: str
    start_labels: frozenset[str] | None = None  # narrower than the ontology's domain, if needed


@dataclass(frozen=True)
class PropertyReference:
    """A property (not a relationship) that names a node of one of ``labels``."""

    model: type[Record]
    column: str
    labels: frozenset[str]


REFERENCES: tuple[Reference, ...] = (
    Reference(Mineral, "part_of", "PART_OF", "out", frozenset({"Mineral"})),
    Reference(Organisation, "parent", "PART_OF", "out", frozenset({"Organisation"})),
    Reference(Organisation, "successor_of", "SUCCESSOR_OF", "out", frozenset({"Organisation"})),
    Reference(Event, "location", "LOCATED_IN", "out"),
    Reference(Firm, "hq", "HEADQUARTERED_IN", "out"),
    Reference(Facility, "country", "LOCATED_IN", "out"),
    Reference(Facility, "operator", "OPERATES", "in"),
    Reference(Facility, "minerals", "PRODUCES", "out"),
    Reference(PolicyInstrument, "imposer", "IMPOSES", "in"),
    Reference(PolicyInstrument, "minerals", "COVERS", "out"),
    Reference(PolicyInstrument, "targets", "TARGETS", "out"),
    Reference(PolicyInstrument, "beneficiaries", "BENEFITS", "out"),
    Reference(PolicyInstrument, "parties", "PARTY_TO", "in"),
    Reference(PolicyInstrument, "event", "ANNOUNCED_AT", "out"),
    Reference(PolicyInstrument, "successor_of", "SUCCESSOR_OF", "out", frozenset({"PolicyInstrument"})),
)

FACTS: tuple[Fact, ...] = (
    Fact(Production, "PRODUCES", "country", "mineral", frozenset({"Country", "Aggregate"})),
    Fact(FirmActivity, "PRODUCES", "firm", "mineral", frozenset({"Firm"})),
    Fact(Membership, "MEMBER_OF", "member", "organisation"),
    Fact(Participation, "PARTICIPATED_IN", "participant", "event"),
    Fact(Ownership, "OWNS", "owner", "owned"),
    Fact(EndUseMineral, "USED_IN", "mineral", "end_use"),
    Fact(ImportFlow, "IMPORTS_FROM", "importer", "exporter"),
    Fact(ImportReliance, "RELIES_ON_IMPORTS", "importer", "mineral"),
    Fact(DataGap, "HAS_DATA_GAP", "mineral", "source"),
    Fact(InstrumentAmount, "HAS_AMOUNT", "instrument", "source"),
)
"""A fact's ``source`` stays a property even where it is also the end node (provenance on every fact)."""

PROPERTY_REFERENCES: tuple[PropertyReference, ...] = (
    PropertyReference(FirmActivity, "country", frozenset({"Country"})),
    PropertyReference(FirmActivity, "facility", frozenset({"Facility"})),
    PropertyReference(ImportFlow, "mineral", frozenset({"Mineral"})),
    PropertyReference(HsLine, "mineral", frozenset({"Mineral"})),
)


def reference_targets(ref: Reference, ontology: Ontology | None = None) -> frozenset[str]:
    """Labels a reference may point at: the ontology's range (out) or domain (in) of its type."""
    onto = ontology or load_ontology()
    domain, range_ = onto.relationship_types[onto.check_type(ref.rel_type)]
    allowed = range_ if ref.direction == "out" else domain
    return allowed & ref.labels if ref.labels is not None else allowed


def fact_endpoints(fact: Fact, ontology: Ontology | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Labels the start and end of a fact may have (the ontology's domain and range of its type)."""
    onto = ontology or load_ontology()
    domain, range_ = onto.relationship_types[onto.check_type(fact.rel_type)]
    return (domain & fact.start_labels if fact.start_labels is not None else domain), range_

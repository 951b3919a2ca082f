"""The typed property graph: validated records -> networkx ``MultiDiGraph`` (the embedded store).

Nodes are keyed by id (ISO-3 for countries, slugs otherwise; ids are unique across the project) and
carry ``label`` (the ontology class), ``labels`` (with the instrument's kind label) and their
properties. Edges carry ``type`` (the relationship type) and their properties. Labels, types and
property keys are checked against the ontology as the graph is built, so the same graph can be
written to Neo4j without any identifier coming from elsewhere.

The analyses never walk this graph by hand: they read tabular projections (:class:`Projection`)
that the Neo4j store produces too, with the same columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import networkx as nx
import pandas as pd

from .model import (
    EndUseMineral,
    FirmActivity,
    Membership,
    Ownership,
    Participation,
    Production,
    Record,
)
from .ontology import Ontology, load_ontology
from .validate import Dataset

#: Columns of entity records that become relationships rather than node properties:
#: column -> (relationship type, direction) where "out" means node -> referenced id.
REFERENCE_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "Organisation": {"parent": ("PART_OF", "out"), "successor_of": ("SUCCESSOR_OF", "out")},
    "Event": {"location": ("LOCATED_IN", "out")},
    "Firm": {"hq": ("HEADQUARTERED_IN", "out")},
    "Facility": {"country": ("LOCATED_IN", "out"), "operator": ("OPERATES", "in"), "minerals": ("PRODUCES", "out")},
    "PolicyInstrument": {
        "imposer": ("IMPOSES", "in"),
        "minerals": ("COVERS", "out"),
        "targets": ("TARGETS", "out"),
        "beneficiaries": ("BENEFITS", "out"),
        "parties": ("PARTY_TO", "in"),
        "event": ("ANNOUNCED_AT", "out"),
        "successor_of": ("SUCCESSOR_OF", "out"),
    },
}

#: Fact records -> (relationship type, start column, end column).
FACT_ENDPOINTS: dict[type[Record], tuple[str, str, str]] = {
    Production: ("PRODUCES", "country", "mineral"),
    FirmActivity: ("PRODUCES", "firm", "mineral"),
    Membership: ("MEMBER_OF", "member", "organisation"),
    Participation: ("PARTICIPATED_IN", "participant", "event"),
    Ownership: ("OWNS", "owner", "owned"),
    EndUseMineral: ("USED_IN", "mineral", "end_use"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _props(record: Record, skip: set[str]) -> dict[str, Any]:
    """Non-empty properties of a record under their column names (aliases)."""
    out = {}
    for name, info in type(record).model_fields.items():
        key = info.alias or name
        value = getattr(record, name)
        if key in skip or value is None or value == ():
            continue
        out[key] = _plain(value)
    return out


@dataclass(frozen=True)
class GraphElements:
    """Nodes and relationships in store-neutral form (what both stores load)."""

    nodes: list[tuple[str, tuple[str, ...], dict[str, Any]]]  # (id, labels, properties)
    edges: list[tuple[str, str, str, dict[str, Any]]]  # (start id, type, end id, properties)


def graph_elements(dataset: Dataset, ontology: Ontology | None = None) -> GraphElements:
    """Every node and relationship of the knowledge graph, checked against the ontology."""
    onto = ontology or load_ontology()
    nodes: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []
    edges: list[tuple[str, str, str, dict[str, Any]]] = []

    def node(record: Record, label: str, extra: tuple[str, ...] = ()) -> None:
        refs = REFERENCE_COLUMNS.get(label, {})
        props = _props(record, set(refs))
        unknown = set(props) - onto.node_properties[label]
        if unknown:
            raise ValueError(f"{label} properties {sorted(unknown)} are not in the ontology")
        nodes.append((props["id"], (onto.check_label(label), *map(onto.check_label, extra)), props))
        for column, (rel, direction) in refs.items():
            value = getattr(record, column, None) if column in type(record).model_fields else None
            if value is None:
                # aliased fields (kind) never hold references
                continue
            for target in value if isinstance(value, tuple) else (value,):
                eprops: dict[str, Any] = {}
                if hasattr(record, "source") and rel not in ("SOURCED_FROM",):
                    eprops = {"source": record.source, "confidence": _plain(record.confidence)}
                if label == "Facility" and rel == "PRODUCES":
                    for stage in record.stages or (None,):  # type: ignore[attr-defined]
                        p = dict(eprops, country=record.country)  # type: ignore[attr-defined]
                        if stage is not None:
                            p["stage"] = _plain(stage)
                        edges.append((props["id"], rel, target, p))
                    continue
                start, end = (props["id"], target) if direction == "out" else (target, props["id"])
                edges.append((start, rel, end, eprops))
        if "source" in props:
            edges.append((props["id"], "SOURCED_FROM", props["source"], {}))

    for src in dataset.sources.values():
        node(src, "Source")
    for country in dataset.countries.values():
        node(country, "Country")
    for agg in dataset.aggregates.values():
        node(agg, "Aggregate")
    for label, entities in (
        ("Mineral", dataset.minerals), ("Organisation", dataset.organisations), ("Event", dataset.events),
        ("Firm", dataset.firms), ("Facility", dataset.facilities), ("EndUse", dataset.end_uses),
    ):
        for record in entities.values():
            node(record, label)
    for inst in dataset.instruments.values():
        node(inst, "PolicyInstrument", (onto.instrument_labels[inst.instrument_kind.value],))

    facts: list[Record] = [  # relationships with their own properties
        *dataset.production, *dataset.firm_activities, *dataset.memberships,
        *dataset.participations, *dataset.ownership, *dataset.end_use_minerals,
    ]
    for fact in facts:
        rel, start_col, end_col = FACT_ENDPOINTS[type(fact)]
        edges.append((getattr(fact, start_col), rel, getattr(fact, end_col), _props(fact, {start_col, end_col})))
    for _, rel, _, props in edges:
        unknown = set(props) - onto.edge_properties[onto.check_type(rel)]
        if unknown:
            raise ValueError(f"{rel} properties {sorted(unknown)} are not in the ontology")
    return GraphElements(nodes, edges)


def build_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """The embedded store: a networkx ``MultiDiGraph`` of the whole knowledge graph."""
    elements = graph_elements(dataset)
    g = nx.MultiDiGraph()
    for nid, labels, props in elements.nodes:
        g.add_node(nid, label=labels[0], labels=list(labels), **props)
    for start, rel, end, props in elements.edges:
        g.add_edge(start, end, type=rel, **props)
    return g


def iter_edges(g: nx.MultiDiGraph, rel_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for u, v, data in g.edges(data=True):
        if data["type"] == rel_type:
            yield u, v, data


class Projection:
    """Tabular views of the graph that analyses consume; the Neo4j store returns the same frames."""

    PRODUCTION_COLUMNS = [
        "mineral", "stage", "year", "edition", "country", "country_label", "quantity", "unit",
        "basis", "share", "estimated", "value_status", "source", "confidence",
    ]
    MEMBERSHIP_COLUMNS = ["member", "member_label", "organisation", "since", "until", "role"]
    PARTICIPATION_COLUMNS = ["participant", "participant_label", "event", "role"]

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph

    def production(self) -> pd.DataFrame:
        """Country and aggregate production (not firm activities), one row per PRODUCES fact."""
        g = self.graph
        rows = [
            {"country": u, "country_label": g.nodes[u]["label"], "mineral": v, **d}
            for u, v, d in iter_edges(g, "PRODUCES")
            if g.nodes[u]["label"] in ("Country", "Aggregate")
        ]
        return pd.DataFrame(rows, columns=self.PRODUCTION_COLUMNS).astype({"year": "Int64"})

    def memberships(self) -> pd.DataFrame:
        g = self.graph
        rows = [
            {"member": u, "member_label": g.nodes[u]["label"], "organisation": v, **d}
            for u, v, d in iter_edges(g, "MEMBER_OF")
        ]
        return pd.DataFrame(rows, columns=self.MEMBERSHIP_COLUMNS)

    def participations(self) -> pd.DataFrame:
        g = self.graph
        rows = [
            {"participant": u, "participant_label": g.nodes[u]["label"], "event": v, **d}
            for u, v, d in iter_edges(g, "PARTICIPATED_IN")
        ]
        return pd.DataFrame(rows, columns=self.PARTICIPATION_COLUMNS)

    FIRM_ACTIVITY_COLUMNS = ["firm", "mineral", "stage", "country", "facility", "year", "quantity", "unit", "basis", "source"]
    INSTRUMENT_COLUMNS = ["id", "name", "kind", "imposer", "status", "status_as_of", "announced", "effective", "ended",
                          "suspended_from", "suspended_until", "stages", "target_scope", "item_scope", "minerals", "targets"]

    def _nodes(self, label: str) -> list[tuple[str, dict]]:
        return [(n, d) for n, d in self.graph.nodes(data=True) if d["label"] == label]

    def firms(self) -> pd.DataFrame:
        hq = {u: v for u, v, _ in iter_edges(self.graph, "HEADQUARTERED_IN")}
        return pd.DataFrame([{"id": n, "name": d["name"], "hq": hq.get(n)} for n, d in self._nodes("Firm")],
                            columns=["id", "name", "hq"])

    def facilities(self) -> pd.DataFrame:
        operator = {v: u for u, v, _ in iter_edges(self.graph, "OPERATES")}
        return pd.DataFrame([{"id": n, "name": d["name"], "operator": operator.get(n)} for n, d in self._nodes("Facility")],
                            columns=["id", "name", "operator"])

    def firm_activities(self) -> pd.DataFrame:
        g = self.graph
        rows = [{"firm": u, "mineral": v, **d} for u, v, d in iter_edges(g, "PRODUCES") if g.nodes[u]["label"] == "Firm"]
        return pd.DataFrame(rows, columns=self.FIRM_ACTIVITY_COLUMNS)

    def ownership(self) -> pd.DataFrame:
        rows = [{"owner": u, "owned": v, "share": d.get("share")} for u, v, d in iter_edges(self.graph, "OWNS")]
        return pd.DataFrame(rows, columns=["owner", "owned", "share"])

    def instruments(self) -> pd.DataFrame:
        g = self.graph
        imposer = {v: u for u, v, _ in iter_edges(g, "IMPOSES")}
        covers: dict[str, list[str]] = {}
        targets: dict[str, list[str]] = {}
        for u, v, _ in iter_edges(g, "COVERS"):
            covers.setdefault(u, []).append(v)
        for u, v, _ in iter_edges(g, "TARGETS"):
            targets.setdefault(u, []).append(v)
        rows = [{**{k: d.get(k) for k in self.INSTRUMENT_COLUMNS}, "id": n, "imposer": imposer.get(n),
                 "minerals": sorted(covers.get(n, [])), "targets": sorted(targets.get(n, []))}
                for n, d in self._nodes("PolicyInstrument")]
        return pd.DataFrame(rows, columns=self.INSTRUMENT_COLUMNS)

    def end_uses(self) -> pd.DataFrame:
        """Mineral -> end use links (USED_IN)."""
        rows = [{"mineral": u, "end_use": v} for u, v, _ in iter_edges(self.graph, "USED_IN")]
        return pd.DataFrame(rows, columns=["mineral", "end_use"]).drop_duplicates()

    def sources(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in d.items() if k not in ("label", "labels")}
                             for _, d in self.graph.nodes(data=True) if d["label"] == "Source"])

    def to_networkx(self) -> nx.MultiDiGraph:
        return self.graph

    def node_label(self, node_id: str) -> str | None:
        data = self.graph.nodes.get(node_id)
        return data["label"] if data else None

    def alliance_ids(self) -> list[str]:
        """Ids that can define an alliance: organisations and events."""
        return sorted(n for n, d in self.graph.nodes(data=True) if d["label"] in ("Organisation", "Event"))

    def event_date(self, event: str) -> str:
        return self.graph.nodes[event]["start"]

    def parts_of(self, organisation: str) -> list[str]:
        """Organisations a body acts for (PART_OF), e.g. european_commission -> eu."""
        return [v for u, v, _ in iter_edges(self.graph, "PART_OF") if u == organisation]

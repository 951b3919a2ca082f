"""The embedded backend: the knowledge graph as a networkx ``MultiDiGraph`` in this process.

Nodes carry ``label`` (the ontology class), ``labels`` (with an instrument's kind label) and their
properties; edges carry ``type`` (the relationship type) and their properties. :class:`EmbeddedReader`
serves the contract's tables from it, column for column what the Neo4j reader serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx
import pandas as pd

from ..bulk import collector_paused
from ..contract import TABLES
from ..elements import GraphElements, graph_elements
from ..model import Dataset

__all__ = ["EmbeddedReader", "build_graph", "graph_from_elements"]


def graph_from_elements(elements: GraphElements) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for nid, labels, props in elements.nodes:
        g.add_node(nid, label=labels[0], labels=list(labels), **props)
    for start, rel, end, props in elements.edges:
        g.add_edge(start, end, type=rel, **props)
    return g


def build_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """The whole knowledge graph of a validated dataset as a networkx ``MultiDiGraph``."""
    with collector_paused():  # millions of dicts and no cycle on large data: see minerals_kg.bulk
        return graph_from_elements(graph_elements(dataset))


class EmbeddedReader:
    """The contract's tables, read from a networkx graph (see :class:`minerals_kg.contract.GraphReader`)."""

    backend = "embedded"

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph
        self._tables: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "production": self._production,
            "firm_activities": self._firm_activities,
            "memberships": self._memberships,
            "participations": self._participations,
            "organisations": self._organisations,
            "events": self._events,
            "minerals": self._minerals,
            "firms": self._firms,
            "facilities": self._facilities,
            "ownership": self._ownership,
            "instruments": self._instruments,
            "end_uses": self._end_uses,
            "sources": self._sources,
            "nodes": self._node_rows,
            "imports": self._imports,
            "import_reliance": self._import_reliance,
            "data_gaps": self._data_gaps,
            "instrument_amounts": self._instrument_amounts,
        }

    def table(self, name: str) -> pd.DataFrame:
        rows = self._tables[name]()
        df = TABLES[name].conform(rows)
        if name == "end_uses":
            df = df.drop_duplicates().reset_index(drop=True)
        return df

    def to_networkx(self) -> nx.MultiDiGraph:
        return self.graph

    def close(self) -> None:
        """Nothing to release: the graph lives in this process."""

    # -- helpers ----------------------------------------------------------------------------
    def _edges(self, rel_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for u, v, data in self.graph.edges(data=True):
            if data["type"] == rel_type:
                yield u, v, data

    def _nodes(self, label: str) -> list[tuple[str, dict[str, Any]]]:
        return [(n, d) for n, d in self.graph.nodes(data=True) if d["label"] == label]

    def _label(self, node: str) -> str:
        return str(self.graph.nodes[node]["label"])

    # -- tables -----------------------------------------------------------------------------
    def _production(self) -> list[dict[str, Any]]:
        # the contract's ``share`` is the share a source states; the graph's is every fact's share of the world
        return [
            {**d, "share": d.get("share") if d.get("share_stated") else None}
            | {"country": u, "country_label": self._label(u), "mineral": v}
            for u, v, d in self._edges("PRODUCES")
            if self._label(u) in ("Country", "Aggregate")
        ]

    def _firm_activities(self) -> list[dict[str, Any]]:
        return [{**d, "firm": u, "mineral": v} for u, v, d in self._edges("PRODUCES") if self._label(u) == "Firm"]

    def _memberships(self) -> list[dict[str, Any]]:
        return [
            {**d, "member": u, "member_label": self._label(u), "organisation": v}
            for u, v, d in self._edges("MEMBER_OF")
        ]

    def _participations(self) -> list[dict[str, Any]]:
        return [
            {**d, "participant": u, "participant_label": self._label(u), "event": v}
            for u, v, d in self._edges("PARTICIPATED_IN")
        ]

    def _organisations(self) -> list[dict[str, Any]]:
        parent = {u: v for u, v, _ in self._edges("PART_OF") if self._label(u) == "Organisation"}
        return [{**d, "id": n, "parent": parent.get(n)} for n, d in self._nodes("Organisation")]

    def _events(self) -> list[dict[str, Any]]:
        location = {u: v for u, v, _ in self._edges("LOCATED_IN") if self._label(u) == "Event"}
        return [{**d, "id": n, "location": location.get(n)} for n, d in self._nodes("Event")]

    def _minerals(self) -> list[dict[str, Any]]:
        family = {u: v for u, v, _ in self._edges("PART_OF") if self._label(u) == "Mineral"}
        return [{**d, "id": n, "part_of": family.get(n)} for n, d in self._nodes("Mineral")]

    def _imports(self) -> list[dict[str, Any]]:
        return [
            {**d, "importer": u, "importer_label": self._label(u), "exporter": v}
            for u, v, d in self._edges("IMPORTS_FROM")
        ]

    def _import_reliance(self) -> list[dict[str, Any]]:
        return [{**d, "importer": u, "mineral": v} for u, v, d in self._edges("RELIES_ON_IMPORTS")]

    def _data_gaps(self) -> list[dict[str, Any]]:
        return [{**d, "mineral": u, "source": v} for u, v, d in self._edges("HAS_DATA_GAP")]

    def _instrument_amounts(self) -> list[dict[str, Any]]:
        return [{**d, "instrument": u, "source": v} for u, v, d in self._edges("HAS_AMOUNT")]

    def _firms(self) -> list[dict[str, Any]]:
        hq = {u: v for u, v, _ in self._edges("HEADQUARTERED_IN")}
        return [{"id": n, "name": d["name"], "hq": hq.get(n)} for n, d in self._nodes("Firm")]

    def _facilities(self) -> list[dict[str, Any]]:
        operator = {v: u for u, v, _ in self._edges("OPERATES")}
        return [{"id": n, "name": d["name"], "operator": operator.get(n)} for n, d in self._nodes("Facility")]

    def _ownership(self) -> list[dict[str, Any]]:
        return [{"owner": u, "owned": v, "share": d.get("share")} for u, v, d in self._edges("OWNS")]

    def _instruments(self) -> list[dict[str, Any]]:
        imposer = {v: u for u, v, _ in self._edges("IMPOSES")}
        covers: dict[str, list[str]] = {}
        targets: dict[str, list[str]] = {}
        for u, v, _ in self._edges("COVERS"):
            covers.setdefault(u, []).append(v)
        for u, v, _ in self._edges("TARGETS"):
            targets.setdefault(u, []).append(v)
        return [
            {
                **d,
                "id": n,
                "imposer": imposer.get(n),
                "minerals": sorted(covers.get(n, [])),
                "targets": sorted(targets.get(n, [])),
            }
            for n, d in self._nodes("PolicyInstrument")
        ]

    def _end_uses(self) -> list[dict[str, Any]]:
        return [{"mineral": u, "end_use": v} for u, v, _ in self._edges("USED_IN")]

    def _sources(self) -> list[dict[str, Any]]:
        return sorted(({**d, "id": n} for n, d in self._nodes("Source")), key=lambda r: r["id"])

    def _node_rows(self) -> list[dict[str, Any]]:
        return [{"id": n, "label": d["label"]} for n, d in self.graph.nodes(data=True)]

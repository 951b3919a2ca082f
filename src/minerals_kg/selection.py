"""Which nodes and relationships a subgraph selection takes: pure functions over the graph.

Each rule returns a :class:`Part` (node ids and edge keys of a networkx ``MultiDiGraph`` in the
backends' shape); :func:`union` combines them and :func:`keep_labels` / :func:`keep_types` narrow
the result. The rules:

- :func:`alliance_part`: an alliance as of a day — its members, the memberships and participations
  (and organisations standing for their members) that make them members, what the members produce
  in the latest groups, and the instruments in force that day that concern them;
- :func:`mineral_part`: minerals (optionally some stages) — their producers in the latest groups,
  the firms and facilities active in them with their owners and locations, the instruments covering
  them and the end uses that need them;
- :func:`neighbourhood`: every node within ``hops`` relationships of a node, either direction, and
  the relationships among them. Source documents are provenance, not links: a walk reaches them but
  does not go on through them (else two hops would join everything a source cites);
- :func:`scenario_marks`: properties that mark what a scenario cuts.

"Latest groups" are the (mineral, stage, year, edition) groups the analyses use (one per mineral and
stage: :func:`~minerals_kg.analysis.concentration.current_groups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from .analysis.coverage import ACTIVE_ROLES, membership_active
from .analysis.scenario import instrument_in_force
from .subgraph import EdgeKey

__all__ = [
    "Part",
    "alliance_part",
    "keep_labels",
    "keep_types",
    "mineral_part",
    "neighbourhood",
    "scenario_marks",
    "union",
]

GroupKey = tuple[str, str, int, str]
"""A production group: (mineral, stage, year, edition)."""


@dataclass
class Part:
    """Node ids and edge keys ``(start, end, key)`` of a graph."""

    nodes: set[str] = field(default_factory=set)
    edges: set[EdgeKey] = field(default_factory=set)

    def add_edge(self, edge: EdgeKey) -> None:
        self.edges.add(edge)
        self.nodes.update(edge[:2])


def _edges(g: nx.MultiDiGraph, nid: str, rel: str, direction: str) -> list[tuple[str, str, Any, dict]]:
    found = g.out_edges(nid, keys=True, data=True) if direction == "out" else g.in_edges(nid, keys=True, data=True)
    return [(u, v, k, d) for u, v, k, d in found if d["type"] == rel]


def _group(d: Mapping[str, Any], mineral: str) -> GroupKey:
    return (mineral, d.get("stage"), d.get("year"), d.get("edition"))  # type: ignore[return-value]


def union(parts: Iterable[Part]) -> Part:
    """Every node and edge of any of the parts."""
    out = Part()
    for p in parts:
        out.nodes |= p.nodes
        out.edges |= p.edges
    return out


def keep_labels(g: nx.MultiDiGraph, part: Part, labels: Iterable[str]) -> Part:
    """Only nodes with one of ``labels`` (an instrument's kind label counts), and edges between them."""
    wanted = set(labels)
    nodes = {n for n in part.nodes if wanted & set(g.nodes[n].get("labels") or [g.nodes[n]["label"]])}
    return Part(nodes, {e for e in part.edges if e[0] in nodes and e[1] in nodes})


def keep_types(g: nx.MultiDiGraph, part: Part, types: Iterable[str]) -> Part:
    """Only relationships of ``types``, and the nodes they connect."""
    wanted = set(types)
    edges = {e for e in part.edges if g.edges[e]["type"] in wanted}
    return Part({n for e in edges for n in e[:2]}, edges)


def neighbourhood(g: nx.MultiDiGraph, start: str, hops: int) -> Part:
    """Nodes within ``hops`` relationships of ``start`` (either direction) and the relationships among them.

    >>> g = nx.MultiDiGraph()
    >>> for n, label in [("a", "Country"), ("b", "Mineral"), ("c", "EndUse"), ("s", "Source")]:
    ...     g.add_node(n, label=label)
    >>> _ = g.add_edge("a", "b", type="PRODUCES"); _ = g.add_edge("b", "c", type="USED_IN")
    >>> _ = g.add_edge("a", "s", type="SOURCED_FROM"); _ = g.add_edge("c", "s", type="SOURCED_FROM")
    >>> sorted(neighbourhood(g, "a", 1).nodes), sorted(neighbourhood(g, "a", 2).nodes)
    (['a', 'b', 's'], ['a', 'b', 'c', 's'])
    """
    seen, frontier = {start}, [start]
    for _ in range(hops):
        following = []
        for nid in frontier:
            if g.nodes[nid]["label"] == "Source" and nid != start:
                continue
            for other in (*g.successors(nid), *g.predecessors(nid)):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    sub = g.subgraph(seen)
    return Part(set(seen), set(sub.edges(keys=True)))


def _producers(g: nx.MultiDiGraph, mineral: str, groups: set[GroupKey], part: Part) -> None:
    """PRODUCES edges of countries and aggregates (world, other countries) into ``mineral`` in ``groups``."""
    for u, v, k, d in _edges(g, mineral, "PRODUCES", "in"):
        if g.nodes[u]["label"] in ("Country", "Aggregate") and _group(d, mineral) in groups:
            part.add_edge((u, v, k))


def _instrument(g: nx.MultiDiGraph, inst: str, part: Part, minerals: set[str] | None = None) -> None:
    """An instrument with its imposer (IMPOSES) and the minerals it covers (COVERS; only ``minerals`` if given)."""
    part.nodes.add(inst)
    for u, v, k, _ in _edges(g, inst, "IMPOSES", "in"):
        part.add_edge((u, v, k))
    for u, v, k, _ in _edges(g, inst, "COVERS", "out"):
        if minerals is None or v in minerals:
            part.add_edge((u, v, k))


def alliance_part(
    g: nx.MultiDiGraph,
    alliance: str,
    as_of: dt.date,
    members: frozenset[str],
    groups: set[GroupKey],
    instruments: pd.DataFrame,
    *,
    include_host: bool = True,
) -> Part:
    """The alliance as of ``as_of``: members, how they are members, their production, instruments in force.

    Membership follows the rule of :func:`~minerals_kg.analysis.coverage.resolve_members`: an event's
    participations; an organisation's ``MEMBER_OF`` relationships active that day with an active role;
    a member organisation through its own members and through the organisation it acts for
    (``PART_OF``). ``members`` are the resolved member countries. Instruments count when in force that
    day (:func:`~minerals_kg.analysis.scenario.instrument_in_force`) and imposed by, signed by,
    announced at or aimed at the selection, or aimed at every destination.
    """
    part = Part({alliance, *(m for m in members if m in g)})

    def organisation(org: str, seen: frozenset[str]) -> None:
        if org in seen:
            return
        seen = seen | {org}
        part.nodes.add(org)
        for u, v, k, _ in _edges(g, org, "PART_OF", "out"):
            part.add_edge((u, v, k))
            organisation(v, seen)
        for u, v, k, d in _edges(g, org, "MEMBER_OF", "in"):
            if d.get("role") not in ACTIVE_ROLES or not membership_active(d.get("since"), d.get("until"), as_of):
                continue
            if g.nodes[u]["label"] == "Country":
                if u in members:
                    part.add_edge((u, v, k))
            else:
                part.add_edge((u, v, k))
                organisation(u, seen)

    if g.nodes[alliance]["label"] == "Event":
        for u, v, k, d in _edges(g, alliance, "PARTICIPATED_IN", "in"):
            if d.get("role") == "host" and not include_host:
                continue
            part.add_edge((u, v, k))
            if g.nodes[u]["label"] != "Country":
                organisation(u, frozenset())
    else:
        organisation(alliance, frozenset())

    for country in members & set(g.nodes):
        for u, v, k, d in _edges(g, country, "PRODUCES", "out"):
            if _group(d, v) in groups:
                part.add_edge((u, v, k))

    selected = set(part.nodes)
    for inst in instruments.to_dict("records"):
        inst = {k: (None if isinstance(v, float) and v != v else v) for k, v in inst.items()}
        nid = inst["id"]
        if nid not in g or not instrument_in_force(inst, as_of):
            continue
        touching = {u for rel in ("IMPOSES", "PARTY_TO") for u, *_ in _edges(g, nid, rel, "in")} | {
            v for rel in ("ANNOUNCED_AT", "TARGETS") for _, v, *_ in _edges(g, nid, rel, "out")
        }
        if not (touching & selected) and inst.get("target_scope") != "all":
            continue
        _instrument(g, nid, part)
        for rel, direction in (("PARTY_TO", "in"), ("ANNOUNCED_AT", "out"), ("TARGETS", "out")):
            for u, v, k, _ in _edges(g, nid, rel, direction):
                if (u if direction == "in" else v) in selected:
                    part.add_edge((u, v, k))
    return part


def mineral_part(
    g: nx.MultiDiGraph, minerals: Iterable[str], stages: Iterable[str] | None, groups: set[GroupKey]
) -> Part:
    """Minerals at some stages (all when ``stages`` is None): producers, firms, facilities, instruments, end uses.

    Firms and facilities come with their operators, owners, headquarters and locations; instruments
    with their imposer, when they list no stage or one of ``stages``.
    """
    wanted = None if stages is None else set(stages)
    minerals = sorted(set(minerals))
    part = Part()
    for mineral in minerals:
        part.nodes.add(mineral)
        _producers(g, mineral, {gr for gr in groups if wanted is None or gr[1] in wanted}, part)
        for u, v, k, d in _edges(g, mineral, "PRODUCES", "in"):
            if g.nodes[u]["label"] in ("Firm", "Facility") and (wanted is None or d.get("stage") in wanted):
                part.add_edge((u, v, k))
        for u, _, _, _ in _edges(g, mineral, "COVERS", "in"):
            listed = g.nodes[u].get("stages") or []
            if wanted is None or not listed or wanted & set(listed):
                _instrument(g, u, part, set(minerals))
        for u, v, k, _ in _edges(g, mineral, "USED_IN", "out"):
            part.add_edge((u, v, k))
    sites = [n for n in part.nodes if g.nodes[n]["label"] in ("Firm", "Facility")]
    for site in sites:
        for rel, direction in (("OPERATES", "in"), ("OWNS", "in"), ("HEADQUARTERED_IN", "out"), ("LOCATED_IN", "out")):
            for u, v, k, _ in _edges(g, site, rel, direction):
                part.add_edge((u, v, k))
    return part


def scenario_marks(
    g: nx.MultiDiGraph,
    by_stage: pd.DataFrame,
    current: pd.DataFrame,
    *,
    removed: Iterable[str] = (),
    applied: Iterable[str] = (),
) -> tuple[dict[str, dict[str, Any]], dict[EdgeKey, dict[str, Any]]]:
    """Properties marking what a scenario cuts, for nodes and for edges.

    - PRODUCES edges of a cut group (mineral, stage, year, edition): ``scenario_cut`` true and
      ``scenario_lost_share``, the share of world output that producer loses there (all of it, or a
      removed firm's part);
    - producers: ``scenario_lost_share``, the largest share they lose at any cut mineral and stage;
    - minerals: ``scenario_cut_stages``, the stages cut;
    - removed countries and firms: ``scenario_removed`` true; instruments applied: ``scenario_applied`` true.
    """
    node_marks: dict[str, dict[str, Any]] = {}
    edge_marks: dict[EdgeKey, dict[str, Any]] = {}
    before = {(r["mineral"], r["stage"]): r["shares"] for r in current.to_dict("records")}
    for row in by_stage.to_dict("records"):
        mineral, stage = row["mineral"], row["stage"]
        shares = before.get((mineral, stage)) or {}
        remaining = row["remaining_suppliers"] or {}
        lost = {c: s - remaining.get(c, 0.0) for c, s in shares.items() if s - remaining.get(c, 0.0) > 1e-12}
        if mineral in g:
            cut = node_marks.setdefault(mineral, {}).setdefault("scenario_cut_stages", [])
            if stage not in cut:
                cut.append(stage)
        group = (mineral, stage, int(row["year"]), row["edition"])
        for u, v, k, d in _edges(g, mineral, "PRODUCES", "in") if mineral in g else []:
            if u in lost and _group(d, v) == group:
                edge_marks[(u, v, k)] = {"scenario_cut": True, "scenario_lost_share": lost[u]}
                mark = node_marks.setdefault(u, {})
                mark["scenario_lost_share"] = max(mark.get("scenario_lost_share", 0.0), lost[u])
    for nid in removed:
        if nid in g:
            node_marks.setdefault(nid, {})["scenario_removed"] = True
    for nid in applied:
        if nid in g:
            node_marks.setdefault(nid, {})["scenario_applied"] = True
    for mark in node_marks.values():
        if "scenario_cut_stages" in mark:
            mark["scenario_cut_stages"] = sorted(mark["scenario_cut_stages"])
    return node_marks, edge_marks

"""The supply network: a directed, multi-stage flow network per mineral, derived from the graph.

For each mineral, the stages with data (mining -> processing -> refining -> component
manufacturing, in that order), each from its latest (year, edition) group::

    SUPPLY --cap s(c,mining)--> c@m/mining --> POOL m/mining --cap s(c',refining)--> c'@m/refining
           --> POOL m/refining --> END USE e (every end use that needs m) --> DEMAND

Capacities are shares of world output at that stage (0-1), so every stage can pass at most its
total share and the flow from SUPPLY to DEMAND is a fraction of world supply; the absolute quantity
(tonnes) of every supplier is kept as ``quantity``/``unit`` where the source gives one. Output a
source leaves unattributed ("other countries", or the rest of a share table) is a supplier node
``unattributed``. Pools and end uses have no capacity limit: they are the structure, not suppliers.
Trade flows (``IMPORTS_FROM``) would join as edges between countries; the shipped data has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

STAGES = ["mining", "processing", "refining", "component_manufacturing"]
SUPPLY = "SUPPLY"
UNATTRIBUTED = "unattributed"


def supplier_id(country: str, mineral: str, stage: str) -> str:
    return f"{country}@{mineral}/{stage}"


def pool_id(mineral: str, stage: str) -> str:
    return f"{mineral}/{stage}"


def demand_id(name: str) -> str:
    return f"DEMAND:{name}"


@dataclass(frozen=True)
class MineralChain:
    mineral: str
    stages: list[str]
    groups: dict[str, dict]  # stage -> {year, edition, unit, world_total}


def _layers(
    current: pd.DataFrame,
    end_uses: dict[str, list[str]] | None,
    demand: str,
    minerals: list[str] | None,
    *,
    with_edges: bool = True,
) -> tuple[list[tuple[str, dict]], list[tuple[str, str, dict]], dict[str, Any]]:
    """The supply network's nodes, edges (unless ``with_edges`` is false) and graph attributes."""
    sink = demand_id(demand)
    nodes: list[tuple[str, dict]] = [(SUPPLY, {"kind": "supply"}), (sink, {"kind": "demand", "name": demand})]
    edges: list[tuple[str, str, dict]] = []
    chains: dict[str, MineralChain] = {}
    own: dict[str, list[str]] = {}  # mineral -> its pools and suppliers, in the order they are added
    records = current.to_dict("records")  # plain dicts: a pandas row costs microseconds per field
    by_mineral: dict[str, list[dict]] = {}
    for record in records:
        by_mineral.setdefault(record["mineral"], []).append(record)
    for mineral in sorted(by_mineral):
        if minerals is not None and mineral not in minerals:
            continue
        by_stage = {r["stage"]: r for r in by_mineral[mineral]}
        stages = [s for s in STAGES if s in by_stage]
        chains[mineral] = MineralChain(
            mineral,
            stages,
            {
                s: {
                    "year": int(by_stage[s]["year"]),
                    "edition": by_stage[s]["edition"],
                    "unit": by_stage[s].get("unit"),
                    "world_total": by_stage[s].get("world_total"),
                    "basis": by_stage[s].get("basis"),
                }
                for s in stages
            },
        )
        mine = own.setdefault(mineral, [])
        previous = SUPPLY
        for stage in stages:
            row = by_stage[stage]
            pool = pool_id(mineral, stage)
            nodes.append((pool, {"kind": "pool", "mineral": mineral, "stage": stage}))
            mine.append(pool)
            shares: dict[str, float] = dict(row["shares"])
            rest = max(0.0, 1.0 - sum(shares.values()))
            if rest > 1e-9:
                shares[UNATTRIBUTED] = rest
            world = row.get("world_total")
            known = isinstance(world, (int, float)) and world == world  # a number, not NaN
            unit, year, edition = row.get("unit"), int(row["year"]), row["edition"]
            for country, share in shares.items():
                node = supplier_id(country, mineral, stage)
                nodes.append(
                    (
                        node,
                        {
                            "kind": "supplier",
                            "country": country,
                            "mineral": mineral,
                            "stage": stage,
                            "share": share,
                            "quantity": share * world if known and world is not None else None,
                            "unit": unit,
                            "year": year,
                            "edition": edition,
                        },
                    )
                )
                mine.append(node)
                if with_edges:
                    edges.append((previous, node, {"capacity": share}))
                    edges.append((node, pool, {}))
            previous = pool
        if end_uses and end_uses.get(mineral):
            for e in end_uses[mineral]:
                nodes.append((f"END_USE:{e}", {"kind": "end_use", "end_use": e}))
                edges.append((previous, f"END_USE:{e}", {}))
                edges.append((f"END_USE:{e}", sink, {}))
        else:
            edges.append((previous, sink, {}))
    return nodes, edges, {"demand": sink, "chains": chains, "mineral_nodes": own}


def supply_network(
    current: pd.DataFrame,
    *,
    end_uses: dict[str, list[str]] | None = None,
    demand: str = "world",
    minerals: list[str] | None = None,
) -> nx.DiGraph:
    """The multi-stage supply network of a ``current`` concentration table (one group per mineral and stage).

    Parameters
    ----------
    current : DataFrame
        The latest group per mineral and stage (its ``shares`` become capacities).
    end_uses : dict, optional
        Mineral -> end-use ids; when given, the last pool feeds those end uses and the end uses feed
        ``DEMAND:<demand>``; otherwise the last pool feeds the demand node directly.
    demand : str
        The demand node's name.
    minerals : list of str, optional
        Only these minerals.

    Returns
    -------
    DiGraph
        ``SUPPLY`` -> supplier nodes (capacity = share of world output) -> a pool per stage -> ... ->
        the demand node; ``graph["chains"]`` holds each mineral's stages and groups.

    Examples
    --------
    >>> cur = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E", unit="t", world_total=100.0,
    ...                          basis="c", shares={"AAA": 0.6, "BBB": 0.3})])
    >>> g = supply_network(cur)
    >>> sorted(n for n, d in g.nodes(data=True) if d["kind"] == "supplier")
    ['AAA@x/mining', 'BBB@x/mining', 'unattributed@x/mining']
    """
    nodes, edges, attrs = _layers(current, end_uses, demand, minerals)
    g = nx.DiGraph(**attrs)
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def mineral_subnetwork(g: nx.DiGraph, mineral: str) -> nx.DiGraph:
    """The part of the network that carries one mineral (with the shared supply and demand nodes).

    The same graph as ``g.subgraph(nodes).copy()`` (nodes and edges in ``g``'s order), built from the
    mineral's own nodes that :func:`supply_network` lists in ``graph["mineral_nodes"]``, so that its
    cost does not grow with the other minerals (a subgraph view filters every neighbour of the supply
    node, shared by every mineral).
    """
    listed = g.graph.get("mineral_nodes", {}).get(mineral)
    if listed is None:  # a network not built by supply_network: find the mineral's nodes
        listed = [n for n, d in g.nodes(data=True) if d.get("mineral") == mineral]
    sink = g.graph["demand"]
    keep = dict.fromkeys(listed)
    succ, pred, node_data = g.succ, g.pred, g.nodes
    for pool in listed:
        if node_data[pool].get("kind") == "pool":
            keep.update((s, None) for s in succ[pool] if node_data[s].get("kind") == "end_use")
    ends = [n for n in (SUPPLY, sink) if n in g]
    if any(node_data[n].get("kind") == "end_use" for n in keep) or len(ends) < 2:
        order = {n: i for i, n in enumerate(g)}  # end uses are shared: place every node as g does
        chosen = sorted([*keep, *ends], key=order.__getitem__)
    else:
        chosen = [*ends, *keep]  # supply_network adds the two ends first, then each mineral's nodes
    kept = set(chosen)
    sub = nx.DiGraph()
    sub.graph.update(g.graph)
    sub.add_nodes_from((n, dict(node_data[n])) for n in chosen)
    sub.add_edges_from(
        (u, v, dict(d))
        for u in chosen
        for v, d in (
            ((v, d) for v, d in succ[u].items() if v in kept)
            if u != SUPPLY
            else ((v, succ[u][v]) for v in listed if u in pred[v])
        )
    )
    return sub


@dataclass(frozen=True)
class SupplyChains:
    """The supply network's nodes and graph attributes without its edges.

    What closed-form chain flows (:func:`chain_flow`) and scenarios read: ``nodes[id]`` holds a node's
    attributes as in :func:`supply_network`, ``graph`` its ``demand``, ``chains`` and
    ``mineral_nodes``. Building no networkx graph makes it several times cheaper on large networks.
    """

    nodes: dict[str, dict]
    graph: dict[str, Any]


def supply_chains(
    current: pd.DataFrame,
    *,
    end_uses: dict[str, list[str]] | None = None,
    demand: str = "world",
    minerals: list[str] | None = None,
) -> SupplyChains:
    """The nodes of :func:`supply_network` (same arguments), without building the graph.

    >>> cur = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E", shares={"AAA": 1.0})])
    >>> supply_chains(cur).nodes["AAA@x/mining"]["share"]
    1.0
    """
    nodes, _, attrs = _layers(current, end_uses, demand, minerals, with_edges=False)
    found: dict[str, dict] = {}
    for node, data in nodes:
        found.setdefault(node, {}).update(data)
    return SupplyChains(found, attrs)


def chain_flow(g: nx.DiGraph | SupplyChains, mineral: str, capacities: dict[str, float] | None = None) -> float:
    """The max-flow of one mineral's chain, from ``SUPPLY`` to the demand node, in closed form.

    A chain is stages in series, each a set of parallel suppliers between two unbounded pools, so its
    max-flow is its smallest stage total (Ford & Fulkerson's min-cut on a series-parallel network).
    ``capacities`` overrides suppliers' capacities (0 for a removed supplier; default their ``share``).
    The same number as :func:`~minerals_kg.analysis.network.max_flow` on :func:`mineral_subnetwork`
    whenever the mineral reaches the demand node (always, without end uses).

    Examples
    --------
    >>> cur = pd.DataFrame([dict(mineral="x", stage=s, year=2024, edition="E", shares=sh)
    ...                     for s, sh in [("mining", {"AAA": 0.6, "BBB": 0.4}), ("refining", {"AAA": 0.9})]])
    >>> g = supply_network(cur)
    >>> round(chain_flow(g, "x"), 2), round(chain_flow(g, "x", {"AAA@x/mining": 0.0}), 2)
    (1.0, 0.4)
    """
    capacities = capacities or {}
    totals = dict.fromkeys(g.graph["chains"][mineral].stages, 0.0)
    nodes = g.nodes
    for node in g.graph["mineral_nodes"][mineral]:
        data = nodes[node]
        if data["kind"] == "supplier":
            totals[data["stage"]] += capacities[node] if node in capacities else data["share"]
    return min(totals.values()) if totals else 0.0

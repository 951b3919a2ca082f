"""Network chokepoints for a demand node (an alliance, a country or an end use), per mineral."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from ..contract import Table, make_table
from .network import (
    articulation_suppliers,
    dominators,
    max_flow,
    minimum_supplier_cut,
    removal_impact,
    supplier_betweenness,
)
from .supply import SUPPLY, mineral_subnetwork, supply_network

__all__ = ["METHODS", "NETWORK_CHOKEPOINTS", "network_chokepoints"]

METHODS = ("dominator", "articulation_point", "min_node_cut", "n_1", "n_k_country", "betweenness")
"""The ``method`` values, in the order rows are produced for each mineral."""

NETWORK_CHOKEPOINTS: Table = make_table(
    "network_chokepoints",
    "Network chokepoints of one demand node, per mineral and method.",
    ("mineral", "object"),
    ("demand", "object"),
    ("method", "object", "one of METHODS"),
    ("country", "object", "ISO-3, or 'unattributed'"),
    ("stage", "object", "'all' for n_k_country"),
    ("year", "Int64"),
    ("edition", "object"),
    ("is_member", "boolean"),
    ("flow_total", "float64", "share of world supply reaching the demand node"),
    ("flow_at_stake", "float64", "what losing this node removes from that flow"),
    ("quantity_at_stake", "float64", "the same in the source's unit"),
    ("unit", "object"),
    ("flow_before", "float64", "n_1/n_k: flow with the node(s)"),
    ("flow_after", "float64", "n_1/n_k: flow without them"),
    ("cut_size", "Int64", "min_node_cut: how many suppliers the cut has"),
    ("stages_removed", "Int64", "n_k_country: how many of the country's stages were removed"),
    ("betweenness", "float64", "betweenness: the node's score"),
)
COLUMNS = NETWORK_CHOKEPOINTS.names


def _row(
    g: nx.DiGraph,
    node: str,
    mineral: str,
    demand: str,
    method: str,
    members: frozenset[str],
    flow_total: float,
    at_stake: float,
    **extra: Any,
) -> dict:
    d = g.nodes[node]
    share = d.get("share") or 0.0
    quantity = d.get("quantity")
    return {
        "mineral": mineral,
        "demand": demand,
        "method": method,
        "country": d.get("country"),
        "stage": d.get("stage"),
        "year": d.get("year"),
        "edition": d.get("edition"),
        "is_member": d.get("country") in members,
        "flow_total": flow_total,
        "flow_at_stake": at_stake,
        "quantity_at_stake": (quantity * at_stake / share) if quantity is not None and share else None,
        "unit": d.get("unit"),
        **extra,
    }


def network_chokepoints(
    current: pd.DataFrame,
    end_uses: pd.DataFrame,
    *,
    demand: str,
    demand_kind: str,
    members: frozenset[str] = frozenset(),
    minerals: list[str] | None = None,
    top: int = 3,
    betweenness_k: int | None = None,
) -> pd.DataFrame:
    """Dominators, articulation points, minimum cuts, N-1/N-k impact and betweenness, per mineral.

    Parameters
    ----------
    current : DataFrame
        The latest concentration group per mineral and stage.
    end_uses : DataFrame
        The contract's ``end_uses`` table (mineral, end_use).
    demand : str
        The demand node: an alliance, a country or an end use.
    demand_kind : {"alliance", "country", "end_use"}
        ``end_use`` keeps only the minerals that end use needs.
    members : frozenset of str
        Member countries (flagged ``is_member``).
    minerals : list of str, optional
    top : int
        N-1 and N-k rows per mineral.
    betweenness_k : int, optional
        Pivots for sampled betweenness on large networks.

    Returns
    -------
    DataFrame
        A :data:`NETWORK_CHOKEPOINTS` table. Flows are shares of world supply (0-1) through the supply
        network (:mod:`minerals_kg.analysis.supply`); ``flow_at_stake`` is what the node's loss removes
        from the flow reaching the demand, ``quantity_at_stake`` the same in the source's unit.

    References
    ----------
    Farrell & Newman (2019), "Weaponized Interdependence", International Security 44(1); Lengauer &
    Tarjan (1979) for dominators; Ford & Fulkerson (1956) for max-flow/min-cut.
    """
    links = end_uses.groupby("mineral")["end_use"].apply(list).to_dict()
    if demand_kind == "end_use":
        links = {m: [e for e in es if e == demand] for m, es in links.items() if demand in es}
        minerals = sorted(links) if minerals is None else [m for m in minerals if m in links]
    g = supply_network(current, end_uses=links if demand_kind == "end_use" else None, demand=demand, minerals=minerals)
    sink = g.graph["demand"]
    rows: list[dict] = []
    for mineral in sorted(g.graph["chains"]):
        sub = mineral_subnetwork(g, mineral)
        total, _ = max_flow(sub, SUPPLY, sink)
        for node in dominators(sub, SUPPLY, sink):
            if sub.nodes[node].get("kind") == "supplier":
                rows.append(_row(sub, node, mineral, demand, "dominator", members, total, total))
        for node in articulation_suppliers(sub):
            rows.append(
                _row(sub, node, mineral, demand, "articulation_point", members, total, sub.nodes[node]["share"])
            )
        fewest, cut = minimum_supplier_cut(sub, SUPPLY, sink)
        for node in cut:
            rows.append(
                _row(
                    sub,
                    node,
                    mineral,
                    demand,
                    "min_node_cut",
                    members,
                    total,
                    sub.nodes[node]["share"],
                    cut_size=int(fewest),
                )
            )
        suppliers = [n for n, d in sub.nodes(data=True) if d.get("kind") == "supplier"]
        for r in removal_impact(sub, SUPPLY, sink, [[n] for n in suppliers])[:top]:
            rows.append(
                _row(
                    sub,
                    r["removed"][0],
                    mineral,
                    demand,
                    "n_1",
                    members,
                    total,
                    r["flow_lost"],
                    flow_before=r["flow_before"],
                    flow_after=r["flow_after"],
                )
            )
        by_country: dict[str, list[str]] = {}
        for n in suppliers:
            by_country.setdefault(sub.nodes[n]["country"], []).append(n)
        for r in removal_impact(sub, SUPPLY, sink, by_country.values())[:top]:
            first = r["removed"][0]
            rows.append(
                _row(
                    sub,
                    first,
                    mineral,
                    demand,
                    "n_k_country",
                    members,
                    total,
                    r["flow_lost"],
                    flow_before=r["flow_before"],
                    flow_after=r["flow_after"],
                    stages_removed=len(r["removed"]),
                )
                | {"stage": "all", "year": None, "edition": None, "quantity_at_stake": None, "unit": "share"}
            )
        scores = supplier_betweenness(sub, k=betweenness_k)
        for node, score in sorted(scores.items(), key=lambda kv: -kv[1])[:1]:
            rows.append(
                _row(
                    sub,
                    node,
                    mineral,
                    demand,
                    "betweenness",
                    members,
                    total,
                    sub.nodes[node]["share"],
                    betweenness=score,
                )
            )
    return NETWORK_CHOKEPOINTS.conform(rows)

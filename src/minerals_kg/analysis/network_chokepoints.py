"""Network chokepoints for a demand node (an alliance, a country or an end use), per mineral."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from .network import (
    articulation_suppliers,
    dominators,
    max_flow,
    minimum_supplier_cut,
    removal_impact,
    supplier_betweenness,
)
from .supply import SUPPLY, mineral_subnetwork, supply_network

COLUMNS = ["mineral", "demand", "method", "country", "stage", "year", "edition", "is_member", "flow_total",
           "flow_at_stake", "quantity_at_stake", "unit", "detail"]


def _row(g: nx.DiGraph, node: str, mineral: str, demand: str, method: str, members: frozenset[str],
         flow_total: float, at_stake: float, detail: str = "") -> dict:
    d = g.nodes[node]
    share = d.get("share") or 0.0
    quantity = d.get("quantity")
    return {
        "mineral": mineral, "demand": demand, "method": method, "country": d.get("country"),
        "stage": d.get("stage"), "year": d.get("year"), "edition": d.get("edition"),
        "is_member": d.get("country") in members, "flow_total": flow_total, "flow_at_stake": at_stake,
        "quantity_at_stake": (quantity * at_stake / share) if quantity is not None and share else None,
        "unit": d.get("unit"), "detail": detail,
    }


def network_chokepoints(current: pd.DataFrame, end_uses: pd.DataFrame, *, demand: str, demand_kind: str,
                        members: frozenset[str] = frozenset(), minerals: list[str] | None = None,
                        top: int = 3, betweenness_k: int | None = None) -> pd.DataFrame:
    """Dominators, articulation points, minimum cuts, N-1 impact and betweenness, per mineral.

    ``demand_kind`` is ``end_use`` (only the minerals that end use needs) or ``alliance``/``country``
    (every mineral, or ``minerals``). Flows are shares of world supply (0-1) through the supply network
    (see :mod:`minerals_kg.analysis.supply`); ``flow_at_stake`` is what the node's loss removes from
    the flow reaching the demand, and ``quantity_at_stake`` the same in the source's unit.
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
                rows.append(_row(sub, node, mineral, demand, "dominator", members, total, total, "on every supply path"))
        for node in articulation_suppliers(sub):
            rows.append(_row(sub, node, mineral, demand, "articulation_point", members, total,
                             sub.nodes[node]["share"], "its removal disconnects the network"))
        fewest, cut = minimum_supplier_cut(sub, SUPPLY, sink)
        for node in cut:
            rows.append(_row(sub, node, mineral, demand, "min_node_cut", members, total, sub.nodes[node]["share"],
                             f"one of the {int(fewest)} suppliers whose removal cuts all supply"))
        suppliers = [n for n, d in sub.nodes(data=True) if d.get("kind") == "supplier"]
        for r in removal_impact(sub, SUPPLY, sink, [[n] for n in suppliers])[:top]:
            rows.append(_row(sub, r["removed"][0], mineral, demand, "n_1", members, total, r["flow_lost"],
                             f"flow {r['flow_before']:.3f} -> {r['flow_after']:.3f} without it"))
        by_country: dict[str, list[str]] = {}
        for n in suppliers:
            by_country.setdefault(sub.nodes[n]["country"], []).append(n)
        for r in removal_impact(sub, SUPPLY, sink, by_country.values())[:top]:
            first = r["removed"][0]
            rows.append(_row(sub, first, mineral, demand, "n_k_country", members, total, r["flow_lost"],
                             f"all {len(r['removed'])} stage(s) of {sub.nodes[first]['country']} removed")
                        | {"stage": "all", "year": None, "edition": None, "quantity_at_stake": None, "unit": "share"})
        scores = supplier_betweenness(sub, k=betweenness_k)
        for node, score in sorted(scores.items(), key=lambda kv: -kv[1])[:1]:
            rows.append(_row(sub, node, mineral, demand, "betweenness", members, total, sub.nodes[node]["share"],
                             f"betweenness {score:.3f}"))
    return pd.DataFrame(rows, columns=COLUMNS)

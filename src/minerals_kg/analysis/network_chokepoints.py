"""Network chokepoints for a demand node (an alliance, a country or an end use), per mineral."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import pandas as pd

from ..contract import Table, make_table
from .flows import Chain
from .network import (
    articulation_suppliers,
    dominators,
    max_flow,
    minimum_supplier_cut,
    removal_impact,
    supplier_betweenness,
)
from .supply import SUPPLY, mineral_subnetwork, supply_network

__all__ = ["FLOW_METHODS", "METHODS", "NETWORK_CHOKEPOINTS", "flow_chokepoints", "network_chokepoints"]

METHODS = ("dominator", "articulation_point", "min_node_cut", "n_1", "n_k_country", "betweenness")
"""The ``method`` values on the world-pooled supply network, in the order rows are produced for each mineral."""
FLOW_METHODS = ("dominator", "min_node_cut", "min_route_cut", "n_1", "n_k", "n_1_route", "n_k_route")
"""The ``method`` values on an importer's own flow network (:func:`flow_chokepoints`)."""

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
    ("network", "object", "world_pool (production shares) or flows (the importer's own import flows)"),
    (
        "route",
        "object",
        "route rows: [exporter, importer] of the flow cut; n_k/n_k_route: every country or route removed",
    ),
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
        "network": "world_pool",
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


def flow_chokepoints(chain: Chain, *, demand: str, members: frozenset[str] = frozenset(), top: int = 3) -> pd.DataFrame:
    """Chokepoints of one importer's own flow network (see :func:`~minerals_kg.analysis.flows.flow_network`).

    Methods (:data:`FLOW_METHODS`): ``dominator`` (a country every unit of supply passes),
    ``min_node_cut`` (the fewest supplier countries whose loss cuts all supply), ``min_route_cut``
    (the fewest exporter -> importer flows whose loss cuts all supply), ``n_1`` (the ``top`` largest
    losses of one supplier country, as transit and as producer), ``n_k`` (the ``top`` N-1 suppliers
    removed together, k = 2..top), ``n_1_route`` and ``n_k_route`` (the same for single flows
    between two countries). Flows are shares of the importer's supply (0-1); capacities are today's
    flows, so nothing substitutes for what is lost. Unknown parts ("other countries", unattributed
    shares) are suppliers like any other but cannot be a named country's loss.

    Parameters
    ----------
    chain : Chain
        The solved chain of the importer (:func:`~minerals_kg.analysis.flows.follow`).
    demand : str
        The importer id (the ``demand`` column).
    members : frozenset of str
        Countries flagged ``is_member``.
    top : int
        Rows of each N-1/N-k method.

    Returns
    -------
    DataFrame
        A :data:`NETWORK_CHOKEPOINTS` table with ``network="flows"``.

    References
    ----------
    Lengauer & Tarjan (1979) for dominators; Ford & Fulkerson (1956) for max-flow/min-cut.
    """
    from .flows import flow_network

    g = flow_network(chain, demand)
    group = chain.group
    total, _ = max_flow(g, SUPPLY, "DEMAND")
    base = {
        "mineral": chain.mineral,
        "demand": demand,
        "stage": group.stage,
        "year": group.year_to,
        "edition": group.edition or group.source,
        "flow_total": total,
        "unit": "share",
        "network": "flows",
    }
    countries: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        if d.get("kind") == "supplier":
            countries.setdefault(str(d["country"]), []).append(n)
    rows: list[dict] = []

    def row(method: str, country: str | None, at_stake: float, **extra: object) -> dict:
        return {
            **base,
            "method": method,
            "country": country,
            "is_member": country in members,
            "flow_at_stake": at_stake,
            **extra,
        }

    for node in dominators(g, SUPPLY, "DEMAND"):
        if g.nodes[node].get("kind") == "supplier":
            rows.append(row("dominator", g.nodes[node]["country"], total))
    _fewest, cut = minimum_supplier_cut(g, SUPPLY, "DEMAND")
    named = sorted({g.nodes[n]["country"] for n in cut})
    for country in named:
        at = sum(
            d.get("capacity", 0.0)
            for n in cut
            if g.nodes[n]["country"] == country
            for _, _, d in g.in_edges(n, data=True)
        )
        rows.append(row("min_node_cut", country, at, cut_size=len(named)))
    routes = [(u, v) for u, v, d in g.edges(data=True) if d.get("route")]
    h = nx.DiGraph()
    for u, v, d in g.edges(data=True):
        h.add_edge(u, v, capacity=1 if d.get("route") else float("inf"))
    try:
        value, (reach, _) = nx.minimum_cut(h, SUPPLY, "DEMAND")
    except nx.NetworkXUnbounded:  # every path has a part that is no route (cannot happen with a traced importer)
        value, reach = float("inf"), set()
    if value != float("inf"):
        cut_routes = sorted((u, v) for u, v in routes if u in reach and v not in reach)
        for u, v in cut_routes:
            rows.append(
                row(
                    "min_route_cut",
                    g.nodes[u]["country"],
                    g.edges[u, v]["capacity"],
                    cut_size=len(cut_routes),
                    route=[g.nodes[u]["country"], g.nodes[v]["country"]],
                )
            )

    def through(nodes: list[str]) -> float:
        return sum(d.get("capacity", 0.0) for n in nodes for _, _, d in g.in_edges(n, data=True))

    def largest_losses(
        candidates: list[tuple[float, Any]], loss_of: Callable[[Any], float]
    ) -> list[tuple[Any, float, float]]:
        """The ``top`` largest exact losses. A candidate never loses more than it carries (its bound), so
        candidates are tried largest bound first and the search stops once no bound can enter the top."""
        found: list[tuple[Any, float, float]] = []
        for bound, item in sorted(candidates, key=lambda t: (-t[0], str(t[1]))):
            if len(found) >= top and bound < found[top - 1][1] - 1e-12:
                break
            after = loss_of(item)
            found.append((item, total - after, after))
            found.sort(key=lambda t: (-t[1], str(t[0])))
        return [f for f in found if f[1] > 1e-12][:top]

    def without_nodes(nodes: list[str]) -> float:
        h2 = g.copy()
        h2.remove_nodes_from(nodes)
        return max_flow(h2, SUPPLY, "DEMAND")[0]

    def without_edges(edges: list[tuple[str, str]]) -> float:
        h2 = g.copy()
        h2.remove_edges_from(edges)
        return max_flow(h2, SUPPLY, "DEMAND")[0]

    ranked = largest_losses(
        [(through(nodes), c) for c, nodes in countries.items()], lambda c: without_nodes(countries[c])
    )
    for country, lost, after in ranked:
        rows.append(row("n_1", str(country), lost, flow_before=total, flow_after=after))
    order = [str(c) for c, _, _ in ranked]
    for k in range(2, min(top, len(order)) + 1):
        after = without_nodes([n for c in order[:k] for n in countries[c]])
        rows.append(row("n_k", order[k - 1], total - after, flow_before=total, flow_after=after, route=order[:k]))
    route_losses = largest_losses(
        [(g.edges[u, v]["capacity"], (u, v)) for u, v in routes], lambda e: without_edges([e])
    )
    for (u, v), lost, after in route_losses:
        rows.append(
            row(
                "n_1_route",
                g.nodes[u]["country"],
                lost,
                flow_before=total,
                flow_after=after,
                route=[g.nodes[u]["country"], g.nodes[v]["country"]],
            )
        )
    biggest = [t[0] for t in route_losses]
    for k in range(2, min(top, len(biggest)) + 1):
        after = without_edges(biggest[:k])
        u, v = biggest[k - 1]
        rows.append(
            row(
                "n_k_route",
                g.nodes[u]["country"],
                total - after,
                flow_before=total,
                flow_after=after,
                route=[f"{g.nodes[a]['country']}>{g.nodes[b]['country']}" for a, b in biggest[:k]],
            )
        )
    return NETWORK_CHOKEPOINTS.conform(rows)

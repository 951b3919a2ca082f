"""The networkx reference implementations of :mod:`minerals_kg.analysis.network`.

These are the definitions the fast path (:mod:`minerals_kg.analysis.network_arrays`) is tested
against on random networks (``tests/test_network_fast.py``) and timed against in
``bench/bench_network.py``; :mod:`~minerals_kg.analysis.network` falls back to them for inputs the
fast path does not take (multigraphs, undirected graphs, a source equal to the sink, missing ends).
They are written for clarity, not speed.

Edges carry ``capacity`` (missing = unbounded); nodes carry ``kind`` (``supplier`` nodes are the ones
that can fail or be cut; ``pool``, ``end_use``, ``supply`` and ``demand`` nodes are structure).

References
----------
- Dominators: Lengauer & Tarjan (1979), "A fast algorithm for finding dominators in a flowgraph"
  (networkx ``immediate_dominators`` implements Cooper, Harvey & Kennedy's algorithm).
- Max-flow / min-cut: Ford & Fulkerson (1956); networkx preflow-push.
- Betweenness: Brandes (2001); sampled with ``k`` pivots for large graphs (Brandes & Pich 2007).
- Chokepoints in weaponized interdependence: Farrell & Newman (2019), International Security 44(1).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

INF = float("inf")


def _is_supplier(g: nx.DiGraph, n: str) -> bool:
    return g.nodes[n].get("kind", "supplier") == "supplier"


def max_flow(g: nx.DiGraph, source: str, sink: str) -> tuple[float, dict]:
    """Maximum flow from ``source`` to ``sink`` and the flow on every edge.

    Parameters
    ----------
    g : DiGraph
        Edges carry ``capacity`` (missing means unbounded).
    source, sink : node

    Returns
    -------
    (float, dict)
        The flow value (0 when ``sink`` cannot be reached) and networkx's flow dictionary.

    References
    ----------
    Ford & Fulkerson (1956), "Maximal flow through a network"; networkx's preflow-push.

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_edge("s", "a", capacity=2); g.add_edge("a", "t", capacity=1)
    >>> max_flow(g, "s", "t")[0]
    1
    """
    if source not in g or sink not in g or not nx.has_path(g, source, sink):
        return 0.0, {}
    return nx.maximum_flow(g, source, sink, capacity="capacity")


def dominators(g: nx.DiGraph, source: str, sink: str) -> list[str]:
    """Nodes on every path from ``source`` to ``sink`` (nearest the sink first), excluding both ends.

    Parameters
    ----------
    g : DiGraph
    source, sink : node

    Returns
    -------
    list
        The dominators of ``sink`` (empty when it cannot be reached).

    References
    ----------
    Lengauer & Tarjan (1979), "A fast algorithm for finding dominators in a flowgraph"; networkx's
    ``immediate_dominators`` (Cooper, Harvey & Kennedy).

    Examples
    --------
    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("a", "c"), ("b", "t"), ("c", "t")])
    >>> dominators(g, "s", "t")
    ['a']
    """
    if sink not in g or not nx.has_path(g, source, sink):
        return []
    idom = nx.immediate_dominators(g, source)
    out, node = [], idom[sink]
    while node != source:
        out.append(node)
        node = idom[node]
    return out


def articulation_suppliers(g: nx.DiGraph) -> list[str]:
    """Supplier nodes whose removal disconnects the (undirected) network.

    References
    ----------
    Tarjan (1972), depth-first search and linear graph algorithms (articulation points).

    Examples
    --------
    >>> g = nx.DiGraph([("s", "a"), ("a", "t")])
    >>> nx.set_node_attributes(g, {"s": "supply", "t": "demand", "a": "supplier"}, "kind")
    >>> articulation_suppliers(g)
    ['a']
    """
    return sorted(n for n in nx.articulation_points(g.to_undirected()) if _is_supplier(g, n))


def _split(g: nx.DiGraph, node_capacity) -> nx.DiGraph:
    """Node splitting: v -> (v, 'in') -[node capacity]-> (v, 'out'); edges become unbounded."""
    h = nx.DiGraph()
    for n in g.nodes:
        h.add_edge((n, "in"), (n, "out"), capacity=node_capacity(n))
    for u, v in g.edges:
        h.add_edge((u, "out"), (v, "in"))
    return h


def minimum_supplier_cut(
    g: nx.DiGraph, source: str, sink: str, *, weight: str | None = None
) -> tuple[float, list[str]]:
    """The cheapest set of supplier nodes whose removal cuts ``source`` from ``sink``.

    With ``weight=None`` each supplier costs 1 (the fewest suppliers); with ``weight="capacity"``
    a supplier costs its inflow capacity (the least supply). Structural nodes cannot be cut.
    Returns ``(cost, suppliers)``; cost is infinite when no set of suppliers separates them.

    >>> g = nx.DiGraph([("s", "a"), ("s", "b"), ("a", "t"), ("b", "t")])
    >>> nx.set_node_attributes(g, {"s": "supply", "t": "demand"}, "kind")
    >>> minimum_supplier_cut(g, "s", "t")
    (2, ['a', 'b'])
    """
    if sink not in g or not nx.has_path(g, source, sink):
        return 0.0, []

    def cost(n: str) -> float:
        if n in (source, sink) or not _is_supplier(g, n):
            return INF
        if weight is None:
            return 1
        return sum(d.get(weight, INF) for _, _, d in g.in_edges(n, data=True))

    h = _split(g, cost)
    value, (reach, _) = nx.minimum_cut(h, (source, "out"), (sink, "in"), capacity="capacity")
    if value == INF:
        return INF, []
    cut = sorted(n for n in g.nodes if (n, "in") in reach and (n, "out") not in reach)
    return value, cut


def _components(g: nx.DiGraph, source: str, sink: str) -> list[set[str]]:
    """Weakly connected components of the network without ``source`` and ``sink``.

    Flow decomposes over them exactly: they share no node but the two ends, so the max-flow is the sum
    of the components' max-flows, and removing nodes changes only the components that hold them.
    """
    inner = g.subgraph(n for n in g if n not in (source, sink))
    return [set(c) for c in nx.weakly_connected_components(inner)]


def removal_impact(g: nx.DiGraph, source: str, sink: str, removals: Iterable[Iterable[str]]) -> list[dict]:
    """N-1 / N-k: for each set of nodes, the flow lost when they are removed together.

    Parameters
    ----------
    g : DiGraph
    source, sink : node
    removals : iterable of iterables of nodes

    Returns
    -------
    list of dict
        ``{removed, flow_before, flow_after, flow_lost}``, largest loss first. Only the components
        that hold removed nodes are recomputed (see :func:`_components`).

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", capacity=0.7); g.add_edge("s", "b", capacity=0.3)
    >>> g.add_edge("a", "t"); g.add_edge("b", "t")
    >>> [(r["removed"], round(r["flow_lost"], 1)) for r in removal_impact(g, "s", "t", [["a"], ["b"]])]
    [(['a'], 0.7), (['b'], 0.3)]
    """
    components = _components(g, source, sink)
    where = {n: i for i, comp in enumerate(components) for n in comp}

    def part(nodes: set[str]) -> float:  # a component with the two ends, without a direct source -> sink edge
        view = nx.subgraph_view(
            g,
            filter_node=lambda n: n in nodes or n in (source, sink),
            filter_edge=lambda u, v: (u, v) != (source, sink),
        )
        return max_flow(view, source, sink)[0]

    # a direct source -> sink edge belongs to no component and no removal touches it: count it once
    direct = max_flow(g.subgraph((source, sink)), source, sink)[0] if g.has_edge(source, sink) else 0.0
    flows = [part(comp) for comp in components]
    before = sum(flows) + direct
    out = []
    for group in removals:
        group = list(group)
        touched = {where[n] for n in group if n in where}
        after = before
        for i in touched:
            after += part(components[i] - set(group)) - flows[i]
        out.append({"removed": group, "flow_before": before, "flow_after": after, "flow_lost": before - after})
    # losses equal up to rounding (sums taken in a different order) are ties, broken by the removed ids
    return sorted(out, key=lambda r: (-round(r["flow_lost"], 12), r["removed"]))


def supplier_betweenness(g: nx.DiGraph, *, k: int | None = None, seed: int = 0) -> dict[str, float]:
    """Betweenness of supplier nodes; sampled with ``k`` pivots when given (large networks).

    References
    ----------
    Brandes (2001), "A faster algorithm for betweenness centrality"; Brandes & Pich (2007) for
    pivot sampling. Farrell & Newman (2019), "Weaponized Interdependence", International Security
    44(1), on high-betweenness hubs as chokepoints.
    """
    k = None if k is None or k >= g.number_of_nodes() else k
    scores = nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)
    return {n: s for n, s in scores.items() if _is_supplier(g, n)}

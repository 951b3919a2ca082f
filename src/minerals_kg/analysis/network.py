"""Network chokepoints on a capacitated directed supply network (pure functions over networkx).

Edges carry ``capacity`` (missing = unbounded); nodes carry ``kind`` (``supplier`` nodes are the ones
that can fail or be cut; ``pool``, ``end_use``, ``supply`` and ``demand`` nodes are structure).

Each function takes a networkx ``DiGraph`` and answers what its networkx reference in
:mod:`~minerals_kg.analysis.network_reference` answers, on arrays (see
:mod:`~minerals_kg.analysis.network_arrays`): flow problems are solved per component between the
source and the sink, in closed form where the component is layered (stages of parallel suppliers
in series, what :func:`~minerals_kg.analysis.supply.supply_network` builds) and with scipy's
compiled max-flow otherwise (importer networks with re-export cycles, anything else). Multigraphs,
undirected graphs, a source equal to the sink and ends missing from the graph go to the reference.

References
----------
- Dominators: Lengauer & Tarjan (1979), "A fast algorithm for finding dominators in a flowgraph";
  Cooper, Harvey & Kennedy (2001), "A simple, fast dominance algorithm" (rustworkx and networkx).
- Max-flow / min-cut: Ford & Fulkerson (1956); Dinic (1970) (scipy); the canonical minimum cut:
  Picard & Queyranne (1980).
- Betweenness: Brandes (2001); sampled with ``k`` pivots for large graphs (Brandes & Pich 2007).
- Chokepoints in weaponized interdependence: Farrell & Newman (2019), International Security 44(1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from . import network_reference as reference
from .network_arrays import INF, ArrayNetwork, arrays_of, chain_of, component_flow, cut_value, solve
from .network_reference import supplier_betweenness

__all__ = [
    "articulation_suppliers",
    "dominators",
    "max_flow",
    "minimum_supplier_cut",
    "removal_impact",
    "supplier_betweenness",
]


def _arrays(g: nx.DiGraph, *ends: Any) -> ArrayNetwork | None:
    """The arrays of ``g``, or ``None`` when the reference must answer (see the module notes)."""
    if g.is_multigraph() or not g.is_directed():
        return None
    if any(end not in g for end in ends) or len(set(ends)) < len(ends):
        return None
    return arrays_of(g)


def _direct(net: ArrayNetwork, s: int, t: int) -> list[int]:
    """Edge ids of a direct ``s -> t`` edge (none or one in a DiGraph)."""
    edges = np.arange(net.offsets[s], net.offsets[s + 1])
    return edges[net.dst[edges] == t].tolist()


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
        The flow value (0 when ``sink`` cannot be reached) and the flow on every edge as
        ``{u: {v: flow}}`` (networkx's flow dictionary). The value is the capacity of the minimum cut
        found, summed from the given capacities (integers stay integers); flows are exact multiples of
        the integer resolution (see :mod:`~minerals_kg.analysis.network_arrays`).

    Raises
    ------
    networkx.NetworkXUnbounded
        If a path of unbounded edges joins ``source`` to ``sink``.

    References
    ----------
    Ford & Fulkerson (1956), "Maximal flow through a network"; Dinic (1970) (scipy's ``maximum_flow``).

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_edge("s", "a", capacity=2); g.add_edge("a", "t", capacity=1)
    >>> max_flow(g, "s", "t")[0]
    1
    """
    if source not in g or sink not in g:
        return 0.0, {}
    net = _arrays(g, source, sink)
    if net is None:
        return reference.max_flow(g, source, sink)
    s, t = net.index[source], net.index[sink]
    if not net.reachable(s)[t]:
        return 0.0, {}
    flow = np.zeros(len(net.src))
    value: Any = 0
    for e in _direct(net, s, t):
        if net.cap[e] == INF:
            raise nx.NetworkXUnbounded("Infinite capacity path, flow unbounded above.")
        flow[e] = net.cap[e]
        value += net.cap_values[e]
    parts = net.components(s, t)
    inside = np.flatnonzero(parts.edge_label >= 0)
    if len(inside):
        src, dst = net.src[inside], net.dst[inside]
        solution = solve(net.n, src, dst, net.cap[inside], s, t, group=parts.edge_label[inside], flows=True)
        assert solution.flow is not None
        flow[inside] = solution.flow
        value += cut_value(net.cap_values, inside[solution.crossing].tolist())
    values, bounds = flow.tolist(), net.offsets.tolist()
    # networkx's flow dictionary, in the arrays' order (networkx's own adjacency, read only)
    out = {u: dict(zip(nbrs, values[a:b])) for (u, nbrs), a, b in zip(g._succ.items(), bounds, bounds[1:])}
    return value, out


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
    Lengauer & Tarjan (1979), "A fast algorithm for finding dominators in a flowgraph"; Cooper,
    Harvey & Kennedy (2001), "A simple, fast dominance algorithm" (rustworkx's
    ``immediate_dominators``).

    Examples
    --------
    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("a", "c"), ("b", "t"), ("c", "t")])
    >>> dominators(g, "s", "t")
    ['a']
    """
    if sink not in g:
        return []
    net = _arrays(g, source, sink)
    if net is None:
        return reference.dominators(g, source, sink)
    import rustworkx as rx

    s, t = net.index[source], net.index[sink]
    if not net.reachable(s)[t]:
        return []
    graph = rx.PyDiGraph()  # a multigraph: no look-up per edge (a DiGraph has no parallel edges)
    graph.add_nodes_from(range(net.n))
    graph.add_edges_from_no_data(list(zip(net.src.tolist(), net.dst.tolist())))
    idom = rx.immediate_dominators(graph, s)
    out, node = [], idom[t]
    while node != s:
        out.append(net.nodes[node])
        node = idom[node]
    return out


def articulation_suppliers(g: nx.DiGraph) -> list[str]:
    """Supplier nodes whose removal disconnects the (undirected) network.

    References
    ----------
    Hopcroft & Tarjan (1973), "Algorithm 447: efficient algorithms for graph manipulation"
    (articulation points; rustworkx's ``articulation_points``).

    Examples
    --------
    >>> g = nx.DiGraph([("s", "a"), ("a", "t")])
    >>> nx.set_node_attributes(g, {"s": "supply", "t": "demand", "a": "supplier"}, "kind")
    >>> articulation_suppliers(g)
    ['a']
    """
    net = _arrays(g)
    if net is None:
        return reference.articulation_suppliers(g)
    import rustworkx as rx

    graph = rx.PyGraph()  # u-v and v-u as two parallel edges: the same articulation points
    graph.add_nodes_from(range(net.n))
    graph.add_edges_from_no_data(list(zip(net.src.tolist(), net.dst.tolist())))
    points = [i for i in rx.articulation_points(graph) if net.supplier[i]]
    return sorted(net.nodes[i] for i in points)


def minimum_supplier_cut(
    g: nx.DiGraph, source: str, sink: str, *, weight: str | None = None
) -> tuple[float, list[str]]:
    """The cheapest set of supplier nodes whose removal cuts ``source`` from ``sink``.

    With ``weight=None`` each supplier costs 1 (the fewest suppliers); with ``weight="capacity"``
    a supplier costs its inflow capacity (the least supply). Structural nodes cannot be cut.
    Returns ``(cost, suppliers)``; cost is infinite when no set of suppliers separates them. Among
    cuts of equal cost, the one nearest the sink (networkx's ``minimum_cut`` partition).

    Raises
    ------
    networkx.NetworkXUnbounded
        If a path of structural nodes alone joins ``source`` to ``sink``.

    References
    ----------
    Node splitting (every node ``v`` becomes ``v_in -[cost]-> v_out``): Ford & Fulkerson (1962),
    *Flows in Networks*; Picard & Queyranne (1980) for the canonical minimum cut.

    >>> g = nx.DiGraph([("s", "a"), ("s", "b"), ("a", "t"), ("b", "t")])
    >>> nx.set_node_attributes(g, {"s": "supply", "t": "demand"}, "kind")
    >>> minimum_supplier_cut(g, "s", "t")
    (2, ['a', 'b'])
    """
    if sink not in g:
        return 0.0, []
    net = _arrays(g, source, sink)
    if net is None:
        return reference.minimum_supplier_cut(g, source, sink, weight=weight)
    s, t = net.index[source], net.index[sink]
    if not net.reachable(s)[t]:
        return 0.0, []
    if _direct(net, s, t):  # a structural path: source -> sink
        raise nx.NetworkXUnbounded("Infinite capacity path, flow unbounded above.")
    cuttable = net.supplier.copy()
    cuttable[[s, t]] = False
    if weight is None:  # each supplier costs 1
        cost = np.where(cuttable, 1.0, INF)
    else:
        costs: list[Any] = [INF] * net.n
        for i in np.flatnonzero(cuttable).tolist():
            costs[i] = sum(d.get(weight, INF) for _, _, d in g.in_edges(net.nodes[i], data=True))
        cost = np.array(costs, dtype=np.float64)
    parts = net.components(s, t)
    inner = np.flatnonzero(parts.label >= 0)
    n, inside = net.n, np.flatnonzero(parts.edge_label >= 0)
    # node splitting: v_in = v, v_out = v + n; an edge u -> v becomes u_out -> v_in, unbounded. The two
    # ends' own in -> out edges carry nothing (flow into the source, or out of the sink, is useless).
    src = np.concatenate((inner, net.src[inside] + n))
    dst = np.concatenate((inner + n, net.dst[inside]))
    cap = np.concatenate((cost[inner], np.full(len(inside), INF)))
    group = np.concatenate((parts.label[inner], parts.edge_label[inside]))
    solution = solve(2 * n, src, dst, cap, s + n, t, group=group)
    sink_side = solution.sink_side
    cut = inner[~sink_side[inner] & sink_side[inner + n]].tolist()
    value = len(cut) if weight is None else sum((costs[i] for i in cut), 0)
    if value == INF:
        return INF, []
    return value, sorted(net.nodes[i] for i in cut)


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
        (of the network without the source and the sink) that hold removed nodes are recomputed:
        flow decomposes exactly over them. A layered component is recomputed in closed form (a
        removed supplier takes its route out of its stage; a removed pool cuts the component).
        Removing the source or the sink themselves, or nodes not in the network, changes nothing.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", capacity=0.7); g.add_edge("s", "b", capacity=0.3)
    >>> g.add_edge("a", "t"); g.add_edge("b", "t")
    >>> [(r["removed"], round(r["flow_lost"], 1)) for r in removal_impact(g, "s", "t", [["a"], ["b"]])]
    [(['a'], 0.7), (['b'], 0.3)]
    """
    net = _arrays(g, source, sink)
    if net is None:
        return reference.removal_impact(g, source, sink, removals)
    s, t = net.index[source], net.index[sink]
    parts = net.components(s, t)
    direct = 0.0
    for e in _direct(net, s, t):
        if net.cap[e] == INF:
            raise nx.NetworkXUnbounded("Infinite capacity path, flow unbounded above.")
        direct = float(net.cap[e])
    flows: list[float] = []
    for comp in parts.parts:
        chain = chain_of(net, comp)
        if chain is None:
            flows.append(component_flow(net, comp))
        elif chain.unbounded:
            raise nx.NetworkXUnbounded("Infinite capacity path, flow unbounded above.")
        else:
            flows.append(float(chain.value))
    before = sum(flows) + direct
    label, local, index = parts.label, parts.local, net.index
    out = []
    for group in removals:
        group = list(group)
        touched: dict[int, set[int]] = {}
        for n in group:
            i = index.get(n)
            if i is not None and label[i] >= 0:
                touched.setdefault(int(label[i]), set()).add(int(local[i]))
        after = before
        for c, removed in touched.items():
            comp = parts.parts[c]
            chain = chain_of(net, comp)
            if chain is not None:
                now = float(chain.without(removed))
            else:

                def mask(size: int = comp.size, removed: set[int] = removed) -> np.ndarray:
                    m = np.zeros(size, bool)
                    m[list(removed)] = True
                    return m

                now = component_flow(net, comp, mask)
            after += now - flows[c]
        out.append({"removed": group, "flow_before": before, "flow_after": after, "flow_lost": before - after})
    # losses equal up to rounding (sums taken in a different order) are ties, broken by the removed ids
    return sorted(out, key=lambda r: (-round(r["flow_lost"], 12), r["removed"]))

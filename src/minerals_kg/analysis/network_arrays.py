"""The fast path of :mod:`minerals_kg.analysis.network`: the network as arrays, solved per component.

A directed network is turned once into integer arrays (edge tails, heads, capacities). Flow
decomposes exactly over the weakly connected components of the network without its source and
sink (they share no node but the two ends), so every flow problem is solved per component:

- **Layered components** (what :func:`~minerals_kg.analysis.supply.supply_network` builds: hubs in
  series -- the source, a pool per stage, the sink -- joined by parallel one-in-one-out nodes, the
  suppliers or end uses) have closed forms: a step's capacity is the sum over its parallel nodes of
  ``min(in-capacity, out-capacity)`` (plus a direct hub-to-hub edge), the component's max-flow is
  the smallest step, and removing nodes subtracts their routes from their steps (removing a hub
  cuts the component). :func:`layered_chain` detects the structure and returns ``None`` when it
  does not hold (a shared end use, a re-export cycle), and the general solver takes over.
- **General components**: scipy's Dinic max-flow (``scipy.sparse.csgraph.maximum_flow``) on integer
  capacities, then the canonical minimum cut (the nodes that can still reach the sink in the residual
  network, the same partition networkx's ``minimum_cut`` returns for any maximum flow).

Integer capacities and their resolution
---------------------------------------
scipy's max-flow takes 32-bit integer capacities. Each component's finite capacities are scaled by
the largest power of two ``2**k`` that keeps their sum within ``2**29`` and rounded down; an
infinite capacity (a missing ``capacity``) becomes that sum plus one, which no finite cut reaches.
Components share no path but through the two ends, so each keeps its own scale and one call solves
them all. Scaling by a power of two is exact, so the only loss is the rounding down: under
``2**-k`` per edge, that is under ``2**-28`` of the component's total capacity (about 1e-8 of world
output for a mineral chain of three stages whose shares sum to 1 each). The flow value reported is the capacity of the
cut found, summed from the original capacities, so it is exact for that cut; the cut is minimal to
within the rounding of the edges it crosses. Unit node costs (the fewest-suppliers cut) are exact.

Dominators and articulation points are unique answers: rustworkx (Rust, Apache-2.0) computes them
(Cooper, Harvey & Kennedy's dominators; Hopcroft & Tarjan's articulation points) on the same arrays.

References
----------
- Dinic (1970), "Algorithm for solution of a problem of maximum flow in networks with power
  estimation", Soviet Math. Doklady 11; scipy's ``maximum_flow``.
- Picard & Queyranne (1980), "On the structure of all minimum cuts in a network": the set of nodes
  that reach the sink in the residual network is the same for every maximum flow.
- Valdes, Tarjan & Lawler (1982), "The recognition of series parallel digraphs": series and parallel
  reduction of capacities (min in series, sum in parallel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain as chained
from operator import methodcaller
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["INF", "ArrayNetwork", "Chain", "Component", "Components", "arrays_of", "layered_chain", "solve"]

INF = float("inf")
INT_BUDGET = 2**29
"""A component's scaled finite capacities sum to at most this. scipy's capacities are int32, and a
residual capacity can reach twice an unbounded edge's stand-in (the sum plus one) on an edge that
also runs the other way."""


@dataclass
class ArrayNetwork:
    """A directed network as arrays: node ``i`` is ``nodes[i]``; edge ``e`` runs ``src[e] -> dst[e]``.

    ``cap`` holds capacities as floats (``inf`` where missing); ``cap_values`` the same values as given
    (so that integer capacities sum to integers, as in networkx); ``supplier`` marks the nodes that can
    be cut (``kind`` missing or ``"supplier"``).
    """

    nodes: list[Any]
    index: dict[Any, int]
    src: np.ndarray
    dst: np.ndarray
    cap: np.ndarray
    cap_values: list[Any]
    supplier: np.ndarray
    offsets: np.ndarray  # edges of node i are offsets[i]:offsets[i+1] (edges come grouped by tail)
    _components: dict[tuple[int, int], Components] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.nodes)

    def reachable(self, start: int, *, reverse: bool = False) -> np.ndarray:
        """Mask of the nodes reachable from ``start`` (against the edges with ``reverse``), capacities ignored."""
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import breadth_first_order

        a, b = (self.dst, self.src) if reverse else (self.src, self.dst)
        graph = csr_array((np.ones(len(a), np.int8), (a, b)), shape=(self.n, self.n))
        mask = np.zeros(self.n, bool)
        mask[breadth_first_order(graph, start, directed=True, return_predecessors=False)] = True
        return mask

    def components(self, source: int, sink: int) -> Components:
        """The weakly connected components without ``source`` and ``sink``, each with its own edges.

        An edge belongs to the component of its end that is neither the source nor the sink; edges
        between the two ends (a direct source -> sink edge) belong to none.
        """
        key = (source, sink)
        if key not in self._components:
            self._components[key] = _split_components(self, source, sink)
        return self._components[key]


@dataclass(frozen=True)
class Components:
    """The components of a network between a source and a sink.

    ``label[i]`` is node ``i``'s component (-1 for the two ends), ``local[i]`` its local id there,
    ``edge_label[e]`` edge ``e``'s component (-1 for edges between the two ends).
    """

    parts: list[Component]
    label: np.ndarray
    local: np.ndarray
    edge_label: np.ndarray


@dataclass
class Component:
    """One component: its nodes (global ids; local id ``i + 2``) and its edges in local ids.

    Local id 0 is the source and 1 the sink, so every component is a small network of its own.
    """

    nodes: np.ndarray  # global ids of the inner nodes
    edges: np.ndarray  # global edge ids
    src: np.ndarray  # local ids
    dst: np.ndarray
    chain: Chain | None = None
    chain_checked: bool = False

    @property
    def size(self) -> int:
        return len(self.nodes) + 2


def arrays_of(g: nx.DiGraph, capacity: str = "capacity") -> ArrayNetwork:
    """The arrays of a networkx ``DiGraph`` (edges in the graph's own order, grouped by tail)."""
    nodes = list(g)
    index = dict(zip(nodes, range(len(nodes))))
    # networkx's own dicts (read only), walked with C-level iterators: its public views cost a
    # Python call per item, which is most of the time on a network of millions of edges
    succ = g._succ
    degrees = np.fromiter(map(len, succ.values()), np.int64, len(nodes))
    m = int(degrees.sum())
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), degrees)
    dst = np.fromiter(map(index.__getitem__, chained.from_iterable(succ.values())), np.int64, m)
    edge_data = chained.from_iterable(map(methodcaller("values"), succ.values()))
    cap_values = list(map(methodcaller("get", capacity, INF), edge_data))
    cap = np.array(cap_values, dtype=np.float64) if m else np.zeros(0)
    kinds = map(methodcaller("get", "kind", "supplier"), g._node.values())
    supplier = np.fromiter(map("supplier".__eq__, kinds), bool, len(nodes))
    offsets = np.zeros(len(nodes) + 1, np.int64)
    np.cumsum(degrees, out=offsets[1:])
    return ArrayNetwork(nodes, index, src, dst, cap, cap_values, supplier, offsets)


def _split_components(net: ArrayNetwork, source: int, sink: int) -> Components:
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    n = net.n
    inner = np.ones(n, bool)
    inner[[source, sink]] = False
    both = inner[net.src] & inner[net.dst]
    graph = csr_array((np.ones(int(both.sum()), np.int8), (net.src[both], net.dst[both])), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="weak")
    labels[~inner] = -1
    # local ids: the source 0, the sink 1, inner nodes 2.. in order of their global id
    node_order = np.argsort(labels, kind="stable")
    node_order = node_order[labels[node_order] >= 0]
    counts = np.bincount(labels[node_order]) if len(node_order) else np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))
    local = np.empty(n, np.int64)
    local[node_order] = np.arange(len(node_order)) - np.repeat(starts[:-1], counts) + 2
    local[source], local[sink] = 0, 1
    edge_label = np.where(inner[net.src], labels[net.src], labels[net.dst])
    edge_order = np.argsort(edge_label, kind="stable")
    edge_order = edge_order[edge_label[edge_order] >= 0]
    edge_counts = np.bincount(edge_label[edge_order], minlength=len(counts))
    edge_starts = np.concatenate(([0], np.cumsum(edge_counts)))
    lsrc, ldst = local[net.src], local[net.dst]
    out = []
    for c in range(len(counts)):
        edges = edge_order[edge_starts[c] : edge_starts[c + 1]]
        out.append(Component(node_order[starts[c] : starts[c + 1]], edges, lsrc[edges], ldst[edges]))
    return Components(out, labels, local, edge_label)


# -- general max-flow ------------------------------------------------------------------------------


def integer_capacities(cap: np.ndarray, group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Capacities as int32, each group of edges scaled by its own power of two; and each edge's exponent.

    Each group (a component: groups never share a path from the source to the sink) gets the largest
    ``2**k`` that keeps its finite capacities' sum within :data:`INT_BUDGET`; they are rounded down, and
    an infinite capacity becomes the group's sum plus one. See the module's notes on resolution.

    >>> ints, exponent = integer_capacities(np.array([0.5, 0.25, np.inf]))
    >>> ints.tolist(), exponent.tolist()
    ([268435456, 134217728, 402653185], [29, 29, 29])
    """
    group = np.zeros(len(cap), np.int64) if group is None else group
    finite = np.isfinite(cap)
    groups = int(group.max()) + 1 if len(group) else 0
    totals = np.bincount(group[finite], weights=cap[finite], minlength=groups)
    exponents = np.zeros(groups, np.int64)
    positive = totals > 0
    exponents[positive] = np.clip(np.floor(np.log2(INT_BUDGET / totals[positive])), -1000, 1000)
    for _ in range(2):  # log2 may round up by one: halve the groups whose sum went past the budget
        exponent = exponents[group]
        scaled = np.zeros(len(cap), np.int64)
        scaled[finite] = np.floor(np.ldexp(cap[finite], exponent[finite]))
        sums = np.bincount(group[finite], weights=scaled[finite], minlength=groups).astype(np.int64)
        over = sums > INT_BUDGET
        if not over.any():
            break
        exponents[over] -= 1
    scaled[~finite] = sums[group[~finite]] + 1
    return scaled.astype(np.int32), exponent


@dataclass(frozen=True)
class FlowSolution:
    """A maximum flow: per-edge flows (in capacity units, when asked for) and the canonical cut."""

    flow: np.ndarray | None  # float, per edge, >= 0
    sink_side: np.ndarray  # mask of the nodes that can still reach the sink in the residual network
    crossing: np.ndarray  # mask of the edges from the source side to the sink side: the minimum cut


def solve(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    cap: np.ndarray,
    source: int,
    sink: int,
    *,
    group: np.ndarray | None = None,
    flows: bool = False,
) -> FlowSolution:
    """A maximum flow from ``source`` to ``sink`` and the canonical minimum cut (see the module notes).

    ``group`` labels edges that share no path with other groups but through the two ends (components):
    each is scaled to integers on its own, and one call to scipy solves them all. Edges must be unique
    pairs. Raises ``networkx.NetworkXUnbounded`` when a path of infinite capacity joins the two ends.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    ints, exponent = integer_capacities(cap, group)
    ints = np.where(src == dst, 0, ints)  # a self-loop carries nothing
    order = np.lexsort((dst, src))
    indptr = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    graph = csr_array((ints[order], dst[order].astype(np.int32), indptr), shape=(n, n))
    graph.has_sorted_indices = True
    result = maximum_flow(graph, source, sink, method="dinic").flow  # net flow, antisymmetric
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(result.indptr))
    keys = rows * n + result.indices
    position = np.searchsorted(keys, src.astype(np.int64) * n + dst)
    net_flow = np.asarray(result.data)[position].astype(np.int64)
    forward = ints - net_flow > 0  # residual arc src -> dst
    backward = net_flow > 0  # residual arc dst -> src
    # nodes that reach the sink in the residual network: a search from the sink against the arcs
    heads = np.concatenate((dst[forward], src[backward]))
    tails = np.concatenate((src[forward], dst[backward]))
    against = csr_array((np.ones(len(heads), np.int8), (heads, tails)), shape=(n, n))
    sink_side = np.zeros(n, bool)
    sink_side[breadth_first_order(against, sink, directed=True, return_predecessors=False)] = True
    crossing = ~sink_side[src] & sink_side[dst]
    if sink_side[source] or np.isinf(cap[crossing]).any():
        raise nx.NetworkXUnbounded("Infinite capacity path, flow unbounded above.")
    flow = np.ldexp(np.maximum(net_flow, 0).astype(np.float64), -exponent) if flows else None
    return FlowSolution(flow, sink_side, crossing)


def cut_value(values: list[Any], edges: Iterable[int]) -> Any:
    """The sum of the given edges' capacities as given (integers stay integers)."""
    return sum((values[e] for e in edges), 0)


# -- layered components ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """A layered component: ``hubs`` in series (local ids, source 0 first, sink 1 last) and the
    parallel routes of every step between two consecutive hubs.

    A route is a path of one-in-one-out nodes from a hub to the next (usually one supplier or end
    use), or a direct hub-to-hub edge; its capacity is the smallest on the path. ``routes[r]`` is
    ``(step, capacity)``; ``route_of[v]`` the route of node ``v`` (local id). ``finite[i]`` is the sum
    of step ``i``'s finite routes and ``unbounded_routes[i]`` how many of its routes have no limit.
    """

    hubs: tuple[int, ...]
    routes: tuple[tuple[int, float], ...]
    route_of: dict[int, int]
    finite: tuple[float, ...]
    unbounded_routes: tuple[int, ...]

    @property
    def steps(self) -> tuple[float, ...]:
        """Each step's capacity."""
        return tuple(INF if k else c for c, k in zip(self.finite, self.unbounded_routes))

    @property
    def value(self) -> float:
        return min(self.steps)

    @property
    def unbounded(self) -> bool:
        return all(self.unbounded_routes)

    def without(self, removed: Iterable[int]) -> float:
        """The max-flow with the given local nodes removed (a removed hub cuts the chain)."""
        hubs = set(self.hubs[1:-1])
        gone: set[int] = set()
        for v in removed:
            if v in hubs:
                return 0.0
            r = self.route_of.get(v)
            if r is not None:
                gone.add(r)
        finite, unbounded = list(self.finite), list(self.unbounded_routes)
        for r in gone:
            step, c = self.routes[r]
            if c == INF:
                unbounded[step] -= 1
            else:
                finite[step] -= c
        return min(INF if k else c for c, k in zip(finite, unbounded))


def layered_chain(size: int, src: np.ndarray, dst: np.ndarray, cap: np.ndarray) -> Chain | None:
    """The series-parallel chain structure of a component (source 0, sink 1), or ``None``.

    Nodes with one in-edge and one out-edge (other than a self-loop) form routes; every other node
    is a hub. The component is layered when its hubs form one path from the source to the sink, each
    hub reaching the next only through routes (or a direct edge), and every node lies on it.

    Examples
    --------
    >>> import numpy as np
    >>> # 0 -> 2 (0.6), 0 -> 3 (0.4); 2, 3 -> 4 (a pool); 4 -> 1 (the sink)
    >>> chain = layered_chain(5, np.array([0, 0, 2, 3, 4]), np.array([2, 3, 4, 4, 1]),
    ...                       np.array([0.6, 0.4, np.inf, np.inf, np.inf]))
    >>> chain.hubs, chain.steps, chain.value
    ((0, 4, 1), (1.0, inf), 1.0)
    >>> chain.without([2])
    0.4
    """
    indeg = np.bincount(dst, minlength=size)
    outdeg = np.bincount(src, minlength=size)
    if indeg[0] or outdeg[1]:
        return None  # edges into the source or out of the sink: not a chain
    on_route = (indeg == 1) & (outdeg == 1)
    on_route[[0, 1]] = False
    first_out = np.full(size, -1, np.int64)
    first_out[src[::-1]] = np.arange(len(src))[::-1]
    self_loop = src == dst
    on_route[src[self_loop]] = False
    src_l, dst_l, cap_l, out_l = src.tolist(), dst.tolist(), cap.tolist(), first_out.tolist()
    par = on_route.tolist()
    nxt: dict[int, int] = {}
    routes: list[tuple[int, float]] = []  # (hub it leaves, capacity) until steps are known
    route_of: dict[int, int] = {}
    for e in range(len(src_l)):
        u, v = src_l[e], dst_l[e]
        if par[u]:
            continue  # inside a route: followed from the route's first edge
        c, target = cap_l[e], v
        while par[target]:
            if target in route_of:
                return None
            route_of[target] = len(routes)
            e2 = out_l[target]
            c = min(c, cap_l[e2])
            target = dst_l[e2]
        routes.append((u, c))
        if target == u or nxt.setdefault(u, target) != target:
            return None
    if len(route_of) != int(on_route.sum()):
        return None  # a route fed by no hub (a cycle of its own)
    hubs = [0]
    seen = {0}
    while hubs[-1] != 1:
        following = nxt.get(hubs[-1])
        if following is None or following in seen:
            return None
        hubs.append(following)
        seen.add(following)
    if len(hubs) != size - len(route_of):
        return None  # a hub off the path
    step_of_hub = {h: i for i, h in enumerate(hubs[:-1])}
    finite = [0.0] * (len(hubs) - 1)
    unbounded_routes = [0] * (len(hubs) - 1)
    stepped = []
    for hub, c in routes:
        i = step_of_hub[hub]
        stepped.append((i, c))
        if c == INF:
            unbounded_routes[i] += 1
        else:
            finite[i] += c
    return Chain(tuple(hubs), tuple(stepped), route_of, tuple(finite), tuple(unbounded_routes))


def chain_of(net: ArrayNetwork, comp: Component) -> Chain | None:
    """The component's chain structure, detected once."""
    if not comp.chain_checked:
        comp.chain = layered_chain(comp.size, comp.src, comp.dst, net.cap[comp.edges])
        comp.chain_checked = True
    return comp.chain


def component_flow(net: ArrayNetwork, comp: Component, removed: Callable[[], np.ndarray] | None = None) -> float:
    """A component's max-flow (as a float), optionally with some local nodes removed (given as a mask)."""
    cap = net.cap[comp.edges]
    if removed is not None:
        mask = removed()
        cap = np.where(mask[comp.src] | mask[comp.dst], 0.0, cap)
    if not len(cap):
        return 0.0
    solution = solve(comp.size, comp.src, comp.dst, cap, 0, 1)
    return float(cap[solution.crossing].sum())

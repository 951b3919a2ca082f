"""The fast network algorithms answer what their networkx references answer, on random networks:
general ones (cycles, self-loops, edges both ways, zero and missing capacities, parts the source or
the sink never reach, a direct source -> sink edge) and layered supply networks (ties, zero shares,
end uses shared between minerals). Capacities are multiples of 1/64, so floating point is exact on
both sides and the tie-breaking of minimum cuts can be compared exactly."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minerals_kg.analysis import network, network_reference
from minerals_kg.analysis.network_arrays import layered_chain
from minerals_kg.analysis.supply import SUPPLY, supply_network

capacities = st.one_of(st.none(), st.integers(0, 256).map(lambda k: k / 64))


@st.composite
def networks(draw) -> nx.DiGraph:
    n = draw(st.integers(2, 9))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=24)):
        cap = draw(capacities)
        g.add_edge(u, v, **({} if cap is None else {"capacity": cap}))
    for node in g:
        g.nodes[node]["kind"] = draw(st.sampled_from(["supplier", "supplier", "pool"]))
    return g


def outcome(fn, *args, **kwargs):
    """What a call returns, or the type of networkx error it raises."""
    try:
        return fn(*args, **kwargs)
    except nx.NetworkXException as exc:
        return type(exc)


def same_impacts(fast: list[dict], ref: list[dict]) -> None:
    assert [r["removed"] for r in fast] == [r["removed"] for r in ref]
    for a, b in zip(fast, ref):
        for key in ("flow_before", "flow_after", "flow_lost"):
            assert a[key] == pytest.approx(b[key], abs=1e-9)


def assert_a_maximum_flow(g: nx.DiGraph, source, sink, value, flow) -> None:
    for u, targets in flow.items():
        for v, f in targets.items():
            assert -1e-12 <= f <= g.edges[u, v].get("capacity", float("inf")) + 1e-12
    for node in g:
        if node not in (source, sink) and flow:
            inflow = sum(flow[u][node] for u in g.predecessors(node))
            assert inflow == pytest.approx(sum(flow[node].values()), abs=1e-9)
    if flow:
        out_of_source = sum(flow[source].values()) - sum(flow[u][source] for u in g.predecessors(source))
        assert out_of_source == pytest.approx(value, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_every_algorithm_matches_networkx_on_random_networks(g, data):
    source, sink = 0, 1
    fast = outcome(network.max_flow, g, source, sink)
    ref = outcome(network_reference.max_flow, g, source, sink)
    if isinstance(ref, tuple):
        assert isinstance(fast, tuple)
        assert fast[0] == pytest.approx(ref[0], abs=1e-9)
        assert_a_maximum_flow(g, source, sink, *fast)
    else:
        assert fast == ref
    assert network.dominators(g, source, sink) == network_reference.dominators(g, source, sink)
    assert network.articulation_suppliers(g) == network_reference.articulation_suppliers(g)
    for weight in (None, "capacity"):
        fast_cut = outcome(network.minimum_supplier_cut, g, source, sink, weight=weight)
        ref_cut = outcome(network_reference.minimum_supplier_cut, g, source, sink, weight=weight)
        if isinstance(ref_cut, tuple):
            assert fast_cut[0] == pytest.approx(ref_cut[0], abs=1e-9)
            assert fast_cut[1] == ref_cut[1]
        else:
            assert fast_cut == ref_cut
    removals = data.draw(st.lists(st.lists(st.integers(0, len(g) - 1), max_size=3), max_size=6))
    fast_impact = outcome(network.removal_impact, g, source, sink, removals)
    ref_impact = outcome(network_reference.removal_impact, g, source, sink, removals)
    if isinstance(ref_impact, list):
        same_impacts(fast_impact, ref_impact)
    else:
        assert fast_impact == ref_impact


shares = st.dictionaries(
    st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]), st.integers(0, 24).map(lambda k: k / 64), min_size=1
)


@st.composite
def supply_networks(draw) -> tuple[nx.DiGraph, dict]:
    rows = []
    end_uses: dict[str, list[str]] = {}
    for mineral in draw(st.lists(st.sampled_from(["m1", "m2", "m3", "m4"]), min_size=1, max_size=4, unique=True)):
        stages = draw(st.lists(st.sampled_from(["mining", "processing", "refining"]), min_size=1, unique=True))
        for stage in stages:
            rows.append(
                {
                    "mineral": mineral,
                    "stage": stage,
                    "year": 2024,
                    "edition": "E",
                    "shares": draw(shares),
                    "world_total": None,
                    "unit": "share",
                }
            )
        end_uses[mineral] = draw(st.lists(st.sampled_from(["e1", "e2", "e3"]), max_size=2, unique=True))
    with_end_uses = draw(st.booleans())
    g = supply_network(pd.DataFrame(rows), end_uses=end_uses if with_end_uses else None)
    return g, end_uses


@settings(max_examples=150, deadline=None)
@given(supply_networks(), st.data())
def test_layered_supply_networks_match_networkx(net, data):
    g, _ = net
    sink = g.graph["demand"]
    nodes = sorted(g)
    assert network.max_flow(g, SUPPLY, sink)[0] == pytest.approx(network_reference.max_flow(g, SUPPLY, sink)[0])
    assert network.dominators(g, SUPPLY, sink) == network_reference.dominators(g, SUPPLY, sink)
    assert network.articulation_suppliers(g) == network_reference.articulation_suppliers(g)
    for weight in (None, "capacity"):
        fast_cut = network.minimum_supplier_cut(g, SUPPLY, sink, weight=weight)
        ref_cut = network_reference.minimum_supplier_cut(g, SUPPLY, sink, weight=weight)
        assert fast_cut[0] == pytest.approx(ref_cut[0]) and fast_cut[1] == ref_cut[1]
    singles = [[n] for n in nodes]
    groups = data.draw(st.lists(st.lists(st.sampled_from(nodes), min_size=1, max_size=4), max_size=8))
    for removals in (singles, groups):
        same_impacts(
            network.removal_impact(g, SUPPLY, sink, removals),
            network_reference.removal_impact(g, SUPPLY, sink, removals),
        )


def chain_arrays(edges):
    import numpy as np

    src, dst, cap = zip(*edges)
    size = max(max(src), max(dst)) + 1
    return size, np.array(src), np.array(dst), np.array(cap, dtype=float)


def test_a_supply_chain_is_recognised_as_layered():
    # 0 -> {2, 3} -> 4 (pool) -> {5} -> 6 (pool) -> 1 (sink)
    inf = float("inf")
    size, src, dst, cap = chain_arrays(
        [(0, 2, 0.5), (0, 3, 0.25), (2, 4, inf), (3, 4, inf), (4, 5, 0.5), (5, 6, inf), (6, 1, inf)]
    )
    chain = layered_chain(size, src, dst, cap)
    assert chain is not None and chain.hubs == (0, 4, 1)  # 5 -> 6 is one route: a pool with one supplier
    assert chain.steps == (0.75, 0.5) and chain.value == 0.5
    assert (
        chain.without([3]) == 0.5
        and chain.without([2]) == 0.25
        and chain.without([4]) == 0.0
        and chain.without([6]) == 0.0
    )


def test_a_re_export_cycle_or_a_shared_end_use_is_not_layered():
    inf = float("inf")
    # a re-export: 2 -> 3 -> 2 between the source and the sink
    assert layered_chain(*chain_arrays([(0, 2, 1.0), (2, 3, 0.5), (3, 2, 0.5), (3, 1, inf)])) is None
    # two pools feeding one end use (4) that also has its own route out
    assert (
        layered_chain(*chain_arrays([(0, 2, 0.5), (0, 3, 0.5), (2, 4, inf), (3, 4, inf), (2, 1, inf), (4, 1, inf)]))
        is None
    )


def test_a_direct_source_to_sink_edge_counts_once():
    g = nx.DiGraph()
    g.add_edge("s", "t", capacity=0.25)
    g.add_edge("s", "a", capacity=0.5)
    g.add_edge("a", "t")
    g.add_edge("s", "b", capacity=0.125)
    g.add_edge("b", "t")
    assert network.max_flow(g, "s", "t")[0] == 0.875
    for impl in (network, network_reference):
        impact = impl.removal_impact(g, "s", "t", [["a"]])[0]
        assert (impact["flow_before"], impact["flow_after"]) == (0.875, 0.375)


def test_flows_are_exact_to_the_documented_resolution_on_shares():
    # shares that are not binary fractions: the value is the cut's capacity, summed from the shares
    g = nx.DiGraph()
    for i, share in enumerate([0.1, 0.2, 0.3, 0.15]):
        g.add_edge("s", f"c{i}", capacity=share)
        g.add_edge(f"c{i}", "t")
    value, flow = network.max_flow(g, "s", "t")
    assert value == pytest.approx(0.75, abs=2**-28)
    assert sum(flow["s"].values()) == pytest.approx(0.75, abs=4 * 2**-28)


# --- the greedy partner choice: one objective vector per round, the same picks ---------------------


def recommend_reference(current, members, k):
    """The greedy pick as first written: one coverage table per candidate and round."""
    from minerals_kg.analysis.strategy import DEFAULT_EXCLUDED, objective

    pool = sorted({c for shares in current["shares"] for c in shares} - set(members) - set(DEFAULT_EXCLUDED))
    chosen, value, picks = set(members), objective(current, members), []
    for _ in range(k):
        best = None
        for country in pool:
            if country in chosen:
                continue
            v = objective(current, chosen | {country})
            if best is None or v > best[1] + 1e-15:
                best = (country, v)
        if best is None or best[1] <= value + 1e-15:
            break
        chosen.add(best[0])
        picks.append((best[0], best[1] - value))
        value = best[1]
    return picks


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["m1", "m2", "m3"]), st.sampled_from(["mining", "refining"]), shares),
        min_size=1,
        max_size=6,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.sets(st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"])),
)
def test_recommend_picks_what_the_one_table_per_candidate_greedy_picks(rows, members):
    from minerals_kg.analysis.strategy import recommend

    current = pd.DataFrame(
        [{"mineral": m, "stage": s, "year": 2024, "edition": "E", "shares": sh, "withheld": []} for m, s, sh in rows]
    )
    fast = recommend(current, frozenset(members), k=3)
    expected = recommend_reference(current, frozenset(members), 3)
    assert list(fast["country"]) == [c for c, _ in expected]
    assert list(fast["marginal_gain"]) == pytest.approx([g for _, g in expected])


@settings(max_examples=100, deadline=None)
@given(supply_networks(), st.data())
def test_a_chain_flow_in_closed_form_is_the_max_flow_of_its_subnetwork(net, data):
    from minerals_kg.analysis.supply import chain_flow, mineral_subnetwork

    g, _ = net
    for mineral in g.graph["chains"]:
        sub = mineral_subnetwork(g, mineral)
        if any(d["kind"] == "end_use" for _, d in sub.nodes(data=True)):
            continue  # scenarios build the network without end uses
        own = [n for n in g.graph["mineral_nodes"][mineral] if g.nodes[n]["kind"] == "supplier"]
        changed = data.draw(st.dictionaries(st.sampled_from(own), st.integers(0, 24).map(lambda k: k / 64)))
        for n, c in changed.items():
            sub.edges[next(iter(sub.predecessors(n))), n]["capacity"] = c
        expected = network_reference.max_flow(sub, SUPPLY, g.graph["demand"])[0]
        assert chain_flow(g, mineral, changed) == pytest.approx(expected)


def test_network_chokepoints_of_the_shipped_data_are_the_same_with_the_networkx_references(monkeypatch):
    import minerals_kg
    from minerals_kg.analysis import network_chokepoints as chokepoints

    kg = minerals_kg.open()
    current, end_uses = kg.concentration(current=True), kg.table("end_uses")
    fast = chokepoints.network_chokepoints(current, end_uses, demand="ministerial_2026", demand_kind="alliance")
    for name in ("articulation_suppliers", "dominators", "max_flow", "minimum_supplier_cut", "removal_impact"):
        monkeypatch.setattr(chokepoints, name, getattr(network_reference, name))
    reference = chokepoints.network_chokepoints(current, end_uses, demand="ministerial_2026", demand_kind="alliance")
    numbers = fast.select_dtypes("number").columns
    pd.testing.assert_frame_equal(fast.drop(columns=numbers), reference.drop(columns=numbers))
    pd.testing.assert_frame_equal(fast[numbers], reference[numbers], atol=1e-9, rtol=0)

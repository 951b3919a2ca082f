"""Network chokepoints on hand-made networks whose answers can be checked by hand, and properties
that hold on every supply network (hypothesis)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minerals_kg.analysis.coverage import coverage
from minerals_kg.analysis.network import (
    articulation_suppliers,
    dominators,
    max_flow,
    minimum_supplier_cut,
    removal_impact,
)
from minerals_kg.analysis.supply import SUPPLY, mineral_subnetwork, supply_network


def net(edges, structure=("s", "t")) -> nx.DiGraph:
    g = nx.DiGraph()
    for u, v, cap in edges:
        g.add_edge(u, v, **({} if cap is None else {"capacity": cap}))
    nx.set_node_attributes(g, "supplier", "kind")
    for n in structure:
        g.nodes[n]["kind"] = "structure"
    return g


def test_a_chain_with_one_bottleneck():
    #   s -5-> a -1-> b -5-> t   (b's inflow is the bottleneck)
    g = net([("s", "a", 5), ("a", "b", 1), ("b", "t", 5)])
    assert max_flow(g, "s", "t")[0] == 1
    assert dominators(g, "s", "t") == ["b", "a"]
    cost, cut = minimum_supplier_cut(g, "s", "t")
    assert cost == 1 and cut in (["a"], ["b"])  # fewest nodes: one, either of them
    assert minimum_supplier_cut(g, "s", "t", weight="capacity") == (1, ["b"])  # least supply: the bottleneck
    assert articulation_suppliers(g) == ["a", "b"]


def test_two_parallel_routes():
    #   s -3-> a -> t ;  s -2-> b -> t
    g = net([("s", "a", 3), ("a", "t", None), ("s", "b", 2), ("b", "t", None)])
    assert max_flow(g, "s", "t")[0] == 5
    assert dominators(g, "s", "t") == []
    assert minimum_supplier_cut(g, "s", "t") == (2, ["a", "b"])
    impact = removal_impact(g, "s", "t", [["a"], ["b"], ["a", "b"]])
    assert [(r["removed"], r["flow_lost"]) for r in impact] == [(["a", "b"], 5), (["a"], 3), (["b"], 2)]


def test_a_diamond_with_a_shared_stage():
    #   s -> a -> m ; s -> b -> m ; m -> c -> t     (c is on every path)
    g = net(
        [("s", "a", 2), ("s", "b", 2), ("a", "m", None), ("b", "m", None), ("m", "c", 3), ("c", "t", None)],
        structure=("s", "t", "m"),
    )
    assert max_flow(g, "s", "t")[0] == 3
    assert dominators(g, "s", "t") == ["c", "m"]
    assert minimum_supplier_cut(g, "s", "t") == (1, ["c"])
    assert removal_impact(g, "s", "t", [["c"]])[0]["flow_after"] == 0


def current(rows):  # (mineral, stage, year, shares)
    return pd.DataFrame(
        [
            {
                "mineral": m,
                "stage": k,
                "year": y,
                "edition": "E",
                "shares": s,
                "world_total": None,
                "unit": "share",
                "withheld": [],
            }
            for m, k, y, s in rows
        ]
    )


def test_supply_network_layers_stages_and_keeps_unattributed_output():
    g = supply_network(
        current([("x", "mining", 2024, {"AUS": 0.5, "CHN": 0.3}), ("x", "refining", 2024, {"CHN": 0.9, "JPN": 0.1})])
    )
    sub = mineral_subnetwork(g, "x")
    assert set(g.successors(SUPPLY)) == {"AUS@x/mining", "CHN@x/mining", "unattributed@x/mining"}
    assert g.nodes["unattributed@x/mining"]["share"] == pytest.approx(0.2)
    assert max_flow(sub, SUPPLY, g.graph["demand"])[0] == pytest.approx(1.0)
    lost = removal_impact(sub, SUPPLY, g.graph["demand"], [["CHN@x/refining"]])[0]
    assert lost["flow_lost"] == pytest.approx(0.9)


# --- properties ---------------------------------------------------------------------------------

share_tables = st.dictionaries(
    st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]), st.floats(0.01, 1.0), min_size=1, max_size=5
).map(lambda d: {k: v / max(1.0, sum(d.values())) for k, v in d.items()})
chains = st.lists(share_tables, min_size=1, max_size=3)


def chain_network(tables):
    stages = ["mining", "processing", "refining"]
    g = supply_network(current([("x", stages[i], 2024, t) for i, t in enumerate(tables)]))
    return mineral_subnetwork(g, "x")


@settings(max_examples=60, deadline=None)
@given(chains)
def test_removing_a_dominator_drops_the_flow_to_zero(tables):
    g = chain_network(tables)
    sink = g.graph["demand"]
    for node in dominators(g, SUPPLY, sink):
        h = g.copy()
        h.remove_node(node)
        assert max_flow(h, SUPPLY, sink)[0] == 0


@settings(max_examples=60, deadline=None)
@given(chains)
def test_flows_never_exceed_capacities_and_equal_the_weakest_stage(tables):
    g = chain_network(tables)
    value, flow = max_flow(g, SUPPLY, g.graph["demand"])
    for u, targets in flow.items():
        for v, f in targets.items():
            assert f <= g.edges[u, v].get("capacity", float("inf")) + 1e-9
    totals = [max(1.0, sum(t.values())) for t in tables]  # unattributed output tops a stage up to 1
    assert value == pytest.approx(min(totals))


@settings(max_examples=60, deadline=None)
@given(chains, st.sets(st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"])), st.sampled_from(["AAA", "BBB", "CCC"]))
def test_coverage_is_a_fraction_and_grows_when_members_are_added(tables, members, extra):
    conc = current([("x", ["mining", "processing", "refining"][i], 2024, t) for i, t in enumerate(tables)])
    before = coverage(conc, frozenset(members))
    after = coverage(conc, frozenset(members | {extra}))
    assert before["coverage"].between(0, 1 + 1e-9).all()
    assert (after["coverage"].values >= before["coverage"].values - 1e-12).all()

"""Exposure that follows the flows, checked on hand-made networks whose answers are worked out by
hand: a cycle of re-exports, a country that both produces and imports, an unknown remainder; and
the flow network's cuts and a scenario's stopped flows on the same kind of network."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minerals_kg.analysis.exposure import exposure, import_coverage
from minerals_kg.analysis.flows import choose_group, flow_network, follow, import_groups
from minerals_kg.analysis.network import max_flow
from minerals_kg.analysis.network_chokepoints import flow_chokepoints
from minerals_kg.analysis.scenario import flow_cuts
from minerals_kg.errors import InvalidArgument

NO_RELIANCE = pd.DataFrame(columns=["importer", "mineral", "year", "bound", "reliance", "edition"])


def imports(*rows: tuple[str, str, float], basis: str = "imports", year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "importer": i,
                "exporter": e,
                "mineral": "m",
                "year_from": year,
                "year_to": year,
                "share": s,
                "source": "s",
                "share_basis": basis,
                "confidence": "official",
            }
            for i, e, s in rows
        ]
    )


def producers(*countries: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "mineral": "m",
                "country": c,
                "country_label": "Country",
                "quantity": 1.0,
                "share": None,
                "value_status": "reported",
            }
            for c in countries
        ]
    )


def origins(result) -> dict[tuple[str | None, str], float]:
    return {(r.origin, r.kind): round(float(r.share), 9) for r in result.origins.itertuples()}


def test_a_cycle_of_re_exports_is_followed_to_its_origins():
    # A buys half from B and half from C; B makes nothing and buys half from A (re-exports) and half from D.
    # From A: C direct 1/2; via B: D 1/4 and back to A 1/4, which repeats: C = (1/2)/(3/4) = 2/3, D = 1/3.
    t = imports(("A", "B", 0.5), ("A", "C", 0.5), ("B", "A", 0.5), ("B", "D", 0.5))
    e = exposure(t, NO_RELIANCE, producers("C", "D"), importer="A", mineral="m")
    assert origins(e) == {("C", "assumed_origin"): pytest.approx(2 / 3), ("D", "assumed_origin"): pytest.approx(1 / 3)}


def test_a_producer_that_also_imports_passes_on_its_imports_in_proportion():
    # A buys everything from B; B produces and relies on imports for 40 % (all from C): B 60 %, C 40 %.
    t = imports(("A", "B", 1.0), ("B", "C", 1.0))
    reliance = pd.DataFrame(
        [{"importer": "B", "mineral": "m", "year": 2024, "bound": "exact", "reliance": 0.4, "edition": None}]
    )
    e = exposure(t, reliance, producers("B", "C"), importer="A", mineral="m")
    assert origins(e) == {("B", "origin"): pytest.approx(0.6), ("C", "assumed_origin"): pytest.approx(0.4)}
    assert e.summary.iloc[0].origin_share == pytest.approx(0.6)


def test_what_is_unknown_stays_explicit_and_everything_sums_to_one():
    # A: 50 % from B (no production, no data), 30 % "other countries", 20 % the source leaves unattributed
    t = imports(("A", "B", 0.5), ("A", "other_countries", 0.3))
    e = exposure(t, NO_RELIANCE, producers(), importer="A", mineral="m")
    assert origins(e) == {
        ("B", "unknown_supplier"): 0.5,
        (None, "unknown_other"): 0.3,
        (None, "unknown_missing"): 0.2,
    }
    s = e.summary.iloc[0]
    assert s.unknown_share == pytest.approx(1.0) and s.china_total == 0 and s.china_upper == pytest.approx(1.0)


def test_a_closed_cycle_with_no_origin_ends_as_unknown_cycle():
    t = imports(("A", "B", 1.0), ("B", "C", 1.0), ("C", "B", 1.0))
    assert origins(exposure(t, NO_RELIANCE, producers(), importer="A", mineral="m")) == {(None, "unknown_cycle"): 1.0}


def test_china_counts_directly_and_through_a_third_country_that_refines_it():
    # the US buys 60 % from Japan (no own output, all from China and Congo half each) and 40 % from China
    t = imports(("USA", "JPN", 0.6), ("USA", "CHN", 0.4), ("JPN", "CHN", 0.5), ("JPN", "COD", 0.5))
    s = exposure(t, NO_RELIANCE, producers("CHN", "COD"), importer="USA", mineral="m").summary.iloc[0]
    assert (s.china_direct, s.china_indirect, s.china_total) == pytest.approx((0.4, 0.3, 0.7))


def test_china_refining_congo_cobalt_is_china_dependence_and_congo_origin():
    # KOR buys 100 % from China; China (which mines little) gets 90 % of its feed from Congo: reliance 0.9
    t = imports(("KOR", "CHN", 1.0), ("CHN", "COD", 1.0))
    reliance = pd.DataFrame(
        [{"importer": "CHN", "mineral": "m", "year": 2024, "bound": "exact", "reliance": 0.9, "edition": None}]
    )
    e = exposure(t, reliance, producers("CHN", "COD"), importer="KOR", mineral="m")
    assert origins(e) == {("COD", "assumed_origin"): pytest.approx(0.9), ("CHN", "origin"): pytest.approx(0.1)}
    assert e.summary.iloc[0].china_total == pytest.approx(1.0)
    assert [r.route for r in e.routes.itertuples()] == [["COD", "CHN", "KOR"], ["CHN", "KOR"]]


def test_sourcing_rows_of_an_organisations_members_are_its_domestic_supply():
    t = imports(("eu", "FIN", 0.6), ("eu", "CHN", 0.4), basis="sourcing")
    e = exposure(t, NO_RELIANCE, producers("CHN"), importer="eu", mineral="m", members_of={"eu": frozenset({"FIN"})})
    assert origins(e) == {("FIN", "origin"): 0.6, ("CHN", "assumed_origin"): 0.4}


def test_groups_are_never_mixed_and_pins_choose_another():
    old = imports(("A", "B", 1.0), year=2020)
    new = imports(("A", "C", 1.0), year=2024)
    t = pd.concat([old, new.assign(edition="E2")])
    assert origins(exposure(t, NO_RELIANCE, producers("B", "C"), importer="A", mineral="m")) == {
        ("C", "assumed_origin"): 1.0
    }
    pinned = exposure(t, NO_RELIANCE, producers("B", "C"), importer="A", mineral="m", year=2020)
    assert origins(pinned) == {("B", "assumed_origin"): 1.0}
    with pytest.raises(InvalidArgument, match=r"^edition: expected a group of A's m suppliers"):
        exposure(t, NO_RELIANCE, producers(), importer="A", mineral="m", edition="E9")


def test_exports_basis_tables_are_never_a_mix():
    t = imports(("A", "B", 0.9), basis="exports")
    with pytest.raises(InvalidArgument, match="none in the data"):
        exposure(t, NO_RELIANCE, producers("B"), importer="A", mineral="m")


def test_trade_values_become_shares_only_for_complete_tables():
    rows = imports(("A", "B", 0.0), ("A", "C", 0.0)).drop(columns="share")
    rows["value_usd"] = [300.0, 100.0]
    assert import_groups(rows)[0].share_from is None  # two named suppliers of a curated table: a ranking
    rows["basis"] = "Comtrade importer-reported (flowCode M)"
    g = import_groups(rows)[0]
    assert g.share_from == "value_usd" and g.shares == {"B": 0.75, "C": 0.25}


# --- the flow network and its cuts ------------------------------------------------------------------


def chain_of(t: pd.DataFrame, prod: pd.DataFrame, importer: str = "A"):
    groups = import_groups(t)
    return follow(choose_group(groups, importer, "m"), groups, import_reliance=NO_RELIANCE, production=prod)


def test_a_single_supplier_is_a_dominator_and_cuts_everything():
    # A buys everything from B, which buys 70 % from C and 30 % from D
    chain = chain_of(imports(("A", "B", 1.0), ("B", "C", 0.7), ("B", "D", 0.3)), producers("C", "D"))
    rows = flow_chokepoints(chain, demand="A", top=3)
    assert rows[rows.method == "dominator"]["country"].tolist() == ["B"]
    cut = rows[rows.method == "min_node_cut"]
    assert cut["country"].tolist() == ["B"] and cut["cut_size"].tolist() == [1]
    routes = rows[rows.method == "min_route_cut"]
    assert routes["route"].tolist() == [["B", "A"]] and routes["flow_at_stake"].tolist() == pytest.approx([1.0])
    n1 = rows[rows.method == "n_1"]
    assert n1["country"].tolist() == ["B", "C", "D"] and n1["flow_at_stake"].tolist() == pytest.approx([1.0, 0.7, 0.3])
    n1_route = rows[rows.method == "n_1_route"]
    assert n1_route["route"].tolist()[0] == ["B", "A"]
    assert n1_route["flow_at_stake"].tolist() == pytest.approx([1.0, 0.7, 0.3])


def test_n_k_removes_the_largest_suppliers_together():
    chain = chain_of(imports(("A", "B", 0.5), ("A", "C", 0.3), ("A", "D", 0.2)), producers("B", "C", "D"))
    rows = flow_chokepoints(chain, demand="A", top=3)
    nk = rows[rows.method == "n_k"]
    assert nk["route"].tolist() == [["B", "C"], ["B", "C", "D"]]
    assert nk["flow_at_stake"].tolist() == pytest.approx([0.8, 1.0])
    assert rows[rows.method == "min_route_cut"]["cut_size"].tolist() == [3, 3, 3]


def test_the_flow_network_carries_all_supply_in_a_re_export_cycle():
    chain = chain_of(imports(("A", "B", 0.5), ("A", "C", 0.5), ("B", "A", 0.5), ("B", "D", 0.5)), producers("C", "D"))
    total, _ = max_flow(flow_network(chain), "SUPPLY", "DEMAND")
    assert total == pytest.approx(1.0)


# --- scenarios cut flows ------------------------------------------------------------------------


def test_an_export_control_stops_the_imposers_flows_to_its_targets_and_shows_the_route():
    # the US buys 60 % from Japan (all from China) and 40 % from China; China bans exports to Japan only
    t = imports(("USA", "JPN", 0.6), ("USA", "CHN", 0.4), ("JPN", "CHN", 1.0))
    applied = pd.DataFrame(
        [
            {
                "instrument": "ban",
                "technology_only": False,
                "cuts": [],
                "targets": ["JPN"],
                "without_data": [],
                "status": "in_force",
            }
        ]
    )
    instruments = pd.DataFrame(
        [{"id": "ban", "imposer": "CHN", "minerals": ["m"], "stages": [], "target_scope": "listed", "targets": ["JPN"]}]
    )
    losses, routes = flow_cuts(applied, instruments, t, NO_RELIANCE, producers("CHN"), frozenset({"USA", "JPN"}))
    usa = losses[losses.member == "USA"].iloc[0]
    assert usa.supply_lost_share == pytest.approx(0.6) and usa.direct_lost_share == 0
    assert routes[routes.member == "USA"][["route", "stopped"]].values.tolist() == [
        [["CHN", "JPN", "USA"], ["CHN", "JPN"]]
    ]
    assert losses[losses.member == "JPN"].iloc[0].supply_lost_share == pytest.approx(1.0)


def test_import_coverage_counts_members_directly_and_by_origin():
    t = imports(("USA", "CAN", 0.5), ("USA", "JPN", 0.3), ("USA", "other_countries", 0.2), ("JPN", "CHN", 1.0))
    row = import_coverage(t, NO_RELIANCE, producers("CAN", "CHN"), importer="USA", members={"USA", "CAN", "JPN"}).iloc[
        0
    ]
    assert (row.from_members, row.from_outside, row.unattributed) == pytest.approx((0.8, 0.0, 0.2))
    assert (row.origin_in_alliance, row.origin_outside, row.origin_unknown) == pytest.approx((0.5, 0.3, 0.2))


# --- properties ---------------------------------------------------------------------------------

COUNTRIES = ["A", "B", "C", "D", "E", "CHN"]


@st.composite
def networks(draw):
    rows = []
    for importer in COUNTRIES:
        suppliers = draw(st.lists(st.sampled_from([*COUNTRIES, "other_countries"]), unique=True, max_size=4))
        suppliers = [s for s in suppliers if s != importer]
        if importer == "A" and not suppliers:
            suppliers = ["B"]
        weights = [draw(st.integers(1, 10)) for _ in suppliers]
        covered = draw(st.sampled_from([1.0, 0.9, 0.6]))
        rows += [(importer, s, covered * w / sum(weights)) for s, w in zip(suppliers, weights)]
    prod = draw(st.lists(st.sampled_from(COUNTRIES), unique=True))
    reliance = [
        {
            "importer": c,
            "mineral": "m",
            "year": 2024,
            "bound": "exact",
            "reliance": draw(st.sampled_from([0.2, 0.5, 1.0])),
            "edition": None,
        }
        for c in prod
        if draw(st.booleans())
    ]
    return imports(*rows), producers(*prod), pd.DataFrame(reliance, columns=NO_RELIANCE.columns)


@settings(max_examples=80, deadline=None)
@given(networks())
def test_origin_shares_and_the_unknown_remainder_sum_to_one(network):
    t, prod, reliance = network
    e = exposure(t, reliance, prod, importer="A", mineral="m")
    assert e.origins["share"].sum() == pytest.approx(1.0)
    assert (e.origins["share"] >= -1e-12).all()
    s = e.summary.iloc[0]
    assert s.china_direct <= s.china_total + 1e-9 <= s.china_upper + 2e-9 <= 1 + 3e-9


@settings(max_examples=60, deadline=None)
@given(networks())
def test_removing_a_supplier_never_raises_what_the_others_deliver(network):
    t, prod, reliance = network
    groups = import_groups(t)
    chain = follow(choose_group(groups, "A", "m"), groups, import_reliance=reliance, production=prod)
    g = flow_network(chain)
    before, _ = max_flow(g, "SUPPLY", "DEMAND")
    capacity = {v: d["capacity"] for _, v, d in g.out_edges("SUPPLY", data=True)}
    for country in {d["country"] for _, d in g.nodes(data=True) if d.get("kind") == "supplier"}:
        h = g.copy()
        h.remove_nodes_from(
            [n for n, d in g.nodes(data=True) if d.get("country") == country and d.get("kind") == "supplier"]
        )
        after, flow = max_flow(h, "SUPPLY", "DEMAND")
        assert after <= before + 1e-9
        for supplier, delivered in (flow.get("SUPPLY") or {}).items():
            assert delivered <= capacity[supplier] + 1e-9


def test_the_flow_network_is_a_plain_digraph():
    chain = chain_of(imports(("A", "B", 1.0)), producers("B"))
    assert isinstance(flow_network(chain), nx.DiGraph)

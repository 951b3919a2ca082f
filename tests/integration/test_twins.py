"""Same numbers in both engines: each Cypher twin in queries/ on the real server equals the Python
analysis on the embedded graph, for every mineral and stage of the shipped data."""

from __future__ import annotations

import math

import pytest

import minerals_kg
from minerals_kg.backends.neo4j.library import run_query
from minerals_kg.backends.neo4j.loader import load

from .conftest import SHIPPED

pytestmark = pytest.mark.integration

ALLIANCES = [
    ("ministerial_2026", None),
    ("msp", "2025-01-01"),
    ("forge", "2026-03-01"),
    ("g7", "2026-02-04"),
    ("pax_silica", "2026-02-20"),
    ("quad", "2026-01-01"),
    ("eu", "2019-06-01"),
    ("eu", "2024-01-01"),
]


@pytest.fixture(scope="module")
def loaded(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False)
    return clean_db


@pytest.fixture(scope="module")
def embedded():
    return minerals_kg.open()


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_concentration_twin(loaded, embedded):
    cypher = {(r["mineral"], r["stage"], r["year"], r["edition"]): r for r in run_query(loaded, "concentration")}
    python = embedded.concentration()
    assert len(cypher) == len(python) > 50
    for row in python.itertuples():
        c = cypher[(row.mineral, row.stage, row.year, row.edition)]
        assert c["top_country"] == row.top_country, (row.mineral, row.stage, row.year)
        assert close(c["top_share"], row.top_share) and close(c["cr3"], row.cr3) and close(c["hhi"], row.hhi)
        assert {s["country"]: s["share"] for s in c["shares"]} == pytest.approx(row.shares, rel=1e-12)


def test_concentration_twin_with_parameters(loaded, embedded):
    rows = run_query(
        loaded, "concentration", {"mineral": "rare_earths", "stage": "mining", "year": "2024", "edition": "MCS2025"}
    )
    assert len(rows) == 1 and rows[0]["top_country"] == "CHN"
    assert close(
        rows[0]["top_share"], embedded.concentration("rare_earths", "mining", year=2024, edition="MCS2025").top_share[0]
    )


def test_chokepoints_twin(loaded, embedded):
    for cr1, hhi in ((0.5, 0.25), (0.8, 0.9), (0.3, 0.1)):
        cypher = run_query(loaded, "chokepoints", {"cr1": cr1, "hhi": hhi})
        python = embedded.chokepoints(cr1=cr1, hhi=hhi)
        assert [(r["mineral"], r["stage"], r["year"], r["edition"]) for r in cypher] == list(
            zip(python.mineral, python.stage, python.year, python.edition)
        )
        assert all(close(r["hhi"], h) for r, h in zip(cypher, python.hhi))


@pytest.mark.parametrize("alliance,as_of", ALLIANCES)
def test_alliance_members_twin(loaded, embedded, alliance, as_of):
    cypher = {r["country"] for r in run_query(loaded, "alliance_members", {"alliance": alliance, "as_of": as_of})}
    assert cypher == set(embedded.members(alliance, as_of=as_of).countries)
    assert cypher, alliance


@pytest.mark.parametrize("alliance,as_of", ALLIANCES)
def test_coverage_twin_for_every_mineral_and_stage(loaded, embedded, alliance, as_of):
    cypher = {
        (r["mineral"], r["stage"]): r
        for r in run_query(loaded, "coverage_matrix", {"alliance": alliance, "as_of": as_of})
    }
    python = embedded.coverage(alliance, as_of=as_of)
    assert set(cypher) == set(zip(python.mineral, python.stage))
    for row in python.itertuples():
        c = cypher[(row.mineral, row.stage)]
        assert (c["year"], c["edition"]) == (row.year, row.edition)
        assert close(c["coverage"], row.coverage), (alliance, row.mineral, row.stage)
        assert close(c["coverage_ex_china"], row.coverage_ex_china)
        assert c["max_outsider"] == row.max_outsider and close(c["max_outsider_share"], row.max_outsider_share)


def test_the_host_parameter_agrees(loaded, embedded):
    cypher = {
        (r["mineral"], r["stage"]): r["coverage"]
        for r in run_query(loaded, "coverage_matrix", {"alliance": "ministerial_2026", "include_host": "false"})
    }
    python = embedded.coverage("ministerial_2026", include_host=False)
    assert all(close(cypher[(r.mineral, r.stage)], r.coverage) for r in python.itertuples())


def test_the_python_api_on_neo4j_gives_the_embedded_numbers(loaded, neo4j_settings, embedded, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    with minerals_kg.open(neo4j_settings.uri.replace("bolt://", "neo4j://")) as kg:
        on_server = kg.coverage("ministerial_2026").set_index(["mineral", "stage"])
        here = embedded.coverage("ministerial_2026").set_index(["mineral", "stage"])
        assert on_server["coverage"].to_dict() == pytest.approx(here["coverage"].to_dict())
        assert kg.chokepoints()[["mineral", "stage"]].equals(embedded.chokepoints()[["mineral", "stage"]])
        assert kg.graph.number_of_nodes() == embedded.graph.number_of_nodes()


@pytest.mark.parametrize("as_of", [None, "2024-01-01", "2025-06-01", "2026-11-26"])
def test_scenario_supply_loss_twin(loaded, embedded, as_of):
    cypher = {
        (r["mineral"], r["stage"]): r
        for r in run_query(
            loaded, "scenario_supply_loss", {"imposer": "CHN", "alliance": "ministerial_2026", "as_of": as_of}
        )
    }
    python = embedded.scenario(
        {"imposer": "CHN", "kinds": ["export_control"], "alliance": "ministerial_2026", "as_of": as_of}
    ).by_stage
    assert set(cypher) == set(zip(python.mineral, python.stage))
    for row in python.itertuples():
        c = cypher[(row.mineral, row.stage)]
        assert (c["year"], c["edition"]) == (row.year, row.edition)
        assert close(c["supply_lost_share"], row.supply_lost_share), (row.mineral, row.stage)


def test_network_analyses_on_neo4j_equal_the_embedded_ones(loaded, neo4j_settings, embedded, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    with minerals_kg.open(neo4j_settings.uri) as kg:
        for demand in ("ministerial_2026", "wind_turbines", "USA"):
            a = kg.network_chokepoints(demand, minerals=["rare_earths", "gallium", "cobalt"])
            b = embedded.network_chokepoints(demand, minerals=["rare_earths", "gallium", "cobalt"])
            assert a[["mineral", "method", "country", "stage"]].equals(b[["mineral", "method", "country", "stage"]])
            assert a["flow_at_stake"].tolist() == pytest.approx(b["flow_at_stake"].tolist())
        spec = {"imposer": "CHN", "alliance": "ministerial_2026"}
        sa, sb = kg.scenario(spec), embedded.scenario(spec)
        assert list(sa.applied["instrument"]) == list(sb.applied["instrument"])
        assert sa.by_stage["supply_lost_share"].tolist() == pytest.approx(sb.by_stage["supply_lost_share"].tolist())
        ra, rb = kg.recommend("ministerial_2026", k=2), embedded.recommend("ministerial_2026", k=2)
        assert list(ra["country"]) == list(rb["country"])
        assert ra["marginal_gain"].tolist() == pytest.approx(rb["marginal_gain"].tolist())
        ca = kg.concentration("cobalt", "mining", basis="control").set_index(["year", "edition"])["shares"]
        cb = embedded.concentration("cobalt", "mining", basis="control").set_index(["year", "edition"])["shares"]
        for key in cb.index:
            assert ca[key] == pytest.approx(cb[key])


# --- import flows ---------------------------------------------------------------------------------


def flow_pairs(embedded):
    """(importer, mineral) of every country importer with a group of printed shares."""
    from minerals_kg.analysis.flows import choose_group, import_groups

    groups = import_groups(embedded.table("imports"))
    return sorted({(g.importer, g.mineral) for g in groups if choose_group(groups, g.importer, g.mineral) is not None})


def test_importer_suppliers_twin(loaded, embedded):
    pairs = flow_pairs(embedded)
    assert len(pairs) > 40
    for importer, mineral in pairs:
        python = embedded.exposure(importer, mineral)
        group = python.summary.iloc[0]
        expected = {r.exporter: r.share for r in python.suppliers.itertuples() if r.share == r.share}
        rows = run_query(loaded, "importer_suppliers", {"importer": importer, "mineral": mineral})
        assert {r["exporter"]: r["share"] for r in rows} == pytest.approx(expected, rel=1e-12), (importer, mineral)
        assert rows[0]["edition"] == group.edition and rows[0]["source"] == group.source, (importer, mineral)


def test_ultimate_origin_twin_where_routes_are_short_and_acyclic(loaded, embedded):
    compared = 0
    for importer, mineral in flow_pairs(embedded):
        if len(importer) != 3:  # organisations: members' domestic rows need member resolution (Python only)
            continue
        e = embedded.exposure(importer, mineral)
        if e.summary.iloc[0].unknown_cycle > 0 or max(e.chain.visits.values()) > 1 + 1e-9:
            continue  # a re-export cycle: the Cypher walk truncates it
        python = {(r.origin, r.kind): r.share for r in e.origins.itertuples()}
        rows = run_query(loaded, "ultimate_origin", {"importer": importer, "mineral": mineral})
        cypher = {(r["origin"], r["kind"]): r["share"] for r in rows}
        assert cypher == pytest.approx(python, rel=1e-9, abs=1e-12), (importer, mineral)
        compared += 1
    assert compared >= 25


def test_routes_from_china_to_the_us_pass_japan_for_rare_earths(loaded):
    rows = run_query(loaded, "routes_to_importer", {"origin": "CHN", "importer": "USA", "mineral": "rare_earths"})
    # every group of each hop is listed: MCS 2026 (71 %) and MCS 2025 (70 %) for the direct route
    routes = {(tuple(r["route"]), r["sources"][-1]["edition"]): r["share"] for r in rows}
    assert routes[(("CHN", "USA"), "MCS2026")] == pytest.approx(0.71)
    assert routes[(("CHN", "USA"), "MCS2025")] == pytest.approx(0.70)
    via_japan = [r["share"] for r in rows if r["route"] == ["CHN", "JPN", "USA"]]
    # MCS 2026 Japan 5 % x Japan's H1 2024 customs 79.6 % from China (MCS 2025's 6 % and METI 2018 are listed too)
    assert any(share == pytest.approx(0.05 * 0.796) for share in via_japan)

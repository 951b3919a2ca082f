"""Subgraph selection as a specification: on the tiny hand-made world (tests/conftest.py), every rule
picks exactly the nodes and relationships one can list by hand; on the shipped data, the shapes'
support and provenance come along; bad selections are one precise error each."""

from __future__ import annotations

import dataclasses

import pytest

import minerals_kg
from minerals_kg.errors import InvalidArgument
from minerals_kg.subgraph import Node, Relationship, Subgraph


@pytest.fixture(scope="module")
def tiny_kg(tmp_path_factory):
    from tests.conftest import build_tiny

    return minerals_kg.open(root=build_tiny(tmp_path_factory.mktemp("tiny") / "loaders"))


@pytest.fixture(scope="module")
def kg():
    return minerals_kg.open()


def ids(sub: Subgraph) -> list[str]:
    return [n.id for n in sub.nodes]


def triples(sub: Subgraph) -> list[tuple[str, str, str]]:
    return [(r.start, r.type, r.end) for r in sub.relationships]


def test_an_alliance_is_its_members_as_of_the_day_and_what_makes_them_members(tiny_kg):
    sub = tiny_kg.subgraph(alliance="club", as_of="2026-02-04")
    # AUS directly; FRA and DEU through the member bloc; GBR left in 2023; JPN is an observer
    assert ids(sub) == ["AUS", "DEU", "FRA", "bloc", "club", "x", "y"]
    assert triples(sub) == [
        ("AUS", "MEMBER_OF", "club"),
        ("AUS", "PRODUCES", "x"),
        ("DEU", "MEMBER_OF", "bloc"),
        ("DEU", "PRODUCES", "y"),
        ("FRA", "MEMBER_OF", "bloc"),
        ("FRA", "PRODUCES", "x"),
        ("bloc", "MEMBER_OF", "club"),
    ]
    assert sub.highlight == {"AUS", "DEU", "FRA"}
    assert sub.selection == {"alliance": "club", "as_of": "2026-02-04"}


def test_an_alliance_on_an_earlier_day_has_the_members_of_that_day(tiny_kg):
    sub = tiny_kg.subgraph(alliance="club", as_of="2023-06-01")
    assert {"GBR", "AUS", "FRA"} <= set(ids(sub)) and "DEU" not in ids(sub)


def test_an_event_counts_its_host_and_the_bloc_an_agency_acts_for(tiny_kg):
    sub = tiny_kg.subgraph(alliance="summit")
    assert ("USA", "PARTICIPATED_IN", "summit") in triples(sub)
    assert ("agency", "PART_OF", "bloc") in triples(sub)
    assert {"FRA", "DEU"} <= sub.highlight


def test_a_mineral_stage_is_its_latest_group_with_the_world_total(tiny_kg):
    sub = tiny_kg.subgraph(minerals=["x"], stages=["refining"])
    assert triples(sub) == [("CHN", "PRODUCES", "x"), ("FRA", "PRODUCES", "x"), ("world", "PRODUCES", "x")]
    assert sub.shares["CHN"] == {"x": {"mining": 0.6, "refining": 0.9}}


def test_a_neighbourhood_reaches_sources_but_does_not_walk_through_them(tiny_kg):
    one = tiny_kg.subgraph(node="bloc", hops=1)
    assert ids(one) == ["DEU", "FRA", "agency", "bloc", "club", "defs"]
    two = tiny_kg.subgraph(node="bloc", hops=2)
    # 'defs' is cited by every organisation and mineral; walking through it would add them all
    assert "summit" in ids(two) and "stats" not in ids(two)
    assert tiny_kg.subgraph(node="bloc", hops=0).nodes == (one.nodes[3],)


def test_selectors_combine_as_a_union(tiny_kg):
    both = tiny_kg.subgraph(alliance="club", minerals=["x"], stages=["refining"])
    assert set(ids(both)) == set(ids(tiny_kg.subgraph(alliance="club"))) | {"CHN", "world"}


def test_labels_keep_nodes_and_the_relationships_between_them(tiny_kg):
    sub = tiny_kg.subgraph(alliance="club", labels=["Country", "Mineral"])
    assert ids(sub) == ["AUS", "DEU", "FRA", "x", "y"]
    assert {t for _, t, _ in triples(sub)} == {"PRODUCES"}


def test_types_keep_relationships_and_the_nodes_they_connect(tiny_kg):
    sub = tiny_kg.subgraph(alliance="club", types="MEMBER_OF")
    assert ids(sub) == ["AUS", "DEU", "FRA", "bloc", "club"]


def test_a_scenario_marks_cut_groups_lost_shares_and_removed_producers(tiny_kg):
    sub = tiny_kg.subgraph(
        minerals=["x"],
        scenario={
            "alliance": "club",
            "cut_stages": [{"mineral": "x", "stage": "refining"}],
            "remove_countries": ["CHN"],
        },
    )
    marks = {
        (r.start, r.properties["stage"]): r.properties["scenario_lost_share"]
        for r in sub.relationships
        if r.properties.get("scenario_cut")
    }
    assert marks == {("CHN", "mining"): 0.6, ("CHN", "refining"): 0.9, ("FRA", "refining"): 0.1}
    nodes = {n.id: n.properties for n in sub.nodes}
    assert nodes["CHN"]["scenario_removed"] is True and nodes["CHN"]["scenario_lost_share"] == 0.9
    assert nodes["x"]["scenario_cut_stages"] == ["mining", "refining"]
    assert "scenario_cut" not in next(r for r in sub.relationships if r.start == "AUS").properties


def test_the_whole_graph_without_a_selector_and_relationships_are_identified_by_their_fact(kg):
    sub = kg.subgraph()
    assert len(sub.nodes) == kg.graph.number_of_nodes() and len(sub.relationships) == kg.graph.number_of_edges()
    assert len({r.id for r in sub.relationships}) == len(sub.relationships)
    assert [n.id for n in sub.nodes] == sorted(n.id for n in sub.nodes)


def test_provenance_comes_along_as_the_cited_source_documents(kg):
    sub = kg.subgraph(minerals=["gallium"], stages=["refining"])
    cited = {r.properties["source"] for r in sub.relationships if "source" in r.properties}
    assert cited <= set(sub.sources) and all(sub.sources[s]["url"].startswith("http") for s in cited)


def test_support_holds_what_the_shapes_require_of_a_lone_firm(kg):
    sub = kg.subgraph(node="cmoc", hops=0)
    assert ids(sub) == ["cmoc"] and sub.relationships == ()
    support = {(r.start, r.type, r.end) for r in sub.support_relationships}
    assert ("cmoc", "HEADQUARTERED_IN", "CHN") in support
    assert any(t == "SOURCED_FROM" and s == "CHN" for s, t, _ in support)  # the country needs its own source
    assert {"CHN"} <= {n.id for n in sub.support_nodes}


def test_a_subgraph_refuses_a_relationship_whose_end_it_does_not_hold():
    node = Node("a", ("Country",), {"id": "a"})
    with pytest.raises(ValueError, match="endpoint outside"):
        Subgraph((node,), (Relationship("f", "a", "PRODUCES", "b", {}),))


def test_highlight_can_be_replaced_like_any_field(kg):
    sub = kg.subgraph(node="CHN", hops=0)
    assert dataclasses.replace(sub, highlight=frozenset({"CHN"})).highlight == {"CHN"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"labels": ["Contry"]},
            "labels: expected a label of the ontology (23 known; nearest: 'Country'), got 'Contry'",
        ),
        (
            {"types": ["OWNZ"]},
            "types: expected a relationship type of the ontology (21 known; nearest: 'OWNS'), got 'OWNZ'",
        ),
        ({"node": "Atlantis"}, "node: expected a node id of the graph"),
        ({"node": "CHN", "hops": 11}, "hops: expected an integer between 0 and 10, got 11"),
        ({"hops": 2}, "hops: expected a depth together with a node to start from, got 2"),
        ({"as_of": "2026-01-01"}, "as_of: expected a date together with an alliance"),
        ({"alliance": "nope"}, "alliance: expected an organisation or event id"),
        ({"minerals": ["rubidium"]}, "minerals: expected a mineral id with production data"),
        (
            {"minerals": ["cobalt"], "stages": ["component_manufacturing"]},
            "stages: expected a stage with data for cobalt",
        ),
        (
            {"stages": ["smelting"]},
            "stages: expected a stage (mining, processing, refining, metal_production, component_manufacturing)",
        ),
        ({"labels": ["Source"], "types": ["PRODUCES"]}, "types: expected types that keep part of the selection"),
        ({"cypher": "MATCH p=()-->() RETURN p"}, "cypher: expected a knowledge graph on a Neo4j server"),
        ({"scenario": {"alliance": "nope"}}, "scenario: alliance: expected an organisation or event id"),
    ],
)
def test_a_bad_selection_is_one_precise_error(kg, kwargs, message):
    with pytest.raises(InvalidArgument) as exc:
        kg.subgraph(**kwargs)
    assert str(exc.value).startswith(message), str(exc.value)


def test_a_node_id_may_differ_in_case_when_the_match_is_unique(kg):
    assert ids(kg.subgraph(node="chn", hops=0)) == ["CHN"]


def test_labels_and_types_may_be_comma_separated(kg):
    sub = kg.subgraph(node="gallium", labels="Country,Mineral", types=["PRODUCES"])
    assert {n.label for n in sub.nodes} <= {"Country", "Mineral"}

"""Chokepoints computed in the database with Graph Data Science, equal to the Python analyses on the
same network; APOC exports as the README shows them; the server's file access stays confined."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import minerals_kg
from minerals_kg.analysis.network import articulation_suppliers
from minerals_kg.analysis.supply import mineral_subnetwork
from minerals_kg.backends.neo4j.library import library, run_query
from minerals_kg.backends.neo4j.loader import load

from ..conftest import REPO, build_tiny, prod
from ..test_validation import append_rows
from .conftest import SHIPPED, wipe

pytestmark = pytest.mark.integration


def python_supply_metrics(kg: minerals_kg.KnowledgeGraph) -> tuple[set, dict, set]:
    """Articulation points, normalized betweenness and bridges of every mineral's supply network."""
    g = kg.supply_network()
    cut, between, bridges = set(), {}, set()
    for mineral in g.graph["chains"]:
        sub = mineral_subnetwork(g, mineral)

        def node(n, sub=sub):  # type: ignore[no-untyped-def]
            d = sub.nodes[n]
            return (d.get("kind"), d.get("country"), d.get("stage"))

        cut |= {(mineral, *node(n)[1:]) for n in articulation_suppliers(sub)}
        for n, score in nx.betweenness_centrality(sub, normalized=True).items():
            if sub.nodes[n]["kind"] == "supplier":
                between[(mineral, *node(n)[1:])] = score
        for a, b in nx.bridges(sub.to_undirected()):
            a, b = (a, b) if sub.has_edge(a, b) else (b, a)
            bridges.add((mineral, *node(a), *node(b)))
    return cut, between, bridges


def gds_supply_metrics(driver) -> tuple[set, dict, set]:  # type: ignore[no-untyped-def]
    rows = run_query(driver, "gds_supply_chokepoints")
    cut = {(r["mineral"], r["country"], r["stage"]) for r in rows if r["articulation_point"]}
    between = {(r["mineral"], r["country"], r["stage"]): r["betweenness_normalized"] for r in rows}
    bridges = {
        (r["mineral"], r["from_kind"], r["from_country"], r["from_stage"], r["to_kind"], r["to_country"], r["to_stage"])
        for r in run_query(driver, "gds_supply_bridges")
    }
    return cut, between, bridges


@pytest.fixture(scope="module")
def shipped(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False)
    return clean_db


def test_gds_and_python_agree_on_the_shipped_supply_network(shipped):
    py_cut, py_between, py_bridges = python_supply_metrics(minerals_kg.open())
    gds_cut, gds_between, gds_bridges = gds_supply_metrics(shipped)
    assert gds_cut == py_cut
    assert set(gds_between) == set(py_between) and len(py_between) > 200
    assert all(gds_between[k] == pytest.approx(py_between[k], rel=1e-9, abs=1e-12) for k in py_between)
    assert gds_bridges == py_bridges


def test_a_sole_supplier_is_an_articulation_point_in_both(driver, neo4j_settings, tmp_path):
    root = build_tiny(tmp_path / "loaders")
    # mineral y gets a refining stage with one refiner: every path to demand passes through it
    append_rows(
        root / "stats" / "production.csv",
        [prod("y", "refining", "Japan", 40), prod("y", "refining", "World total", 40)],
    )
    wipe(driver)
    load(neo4j_settings, root, progress=False)
    py_cut, py_between, py_bridges = python_supply_metrics(minerals_kg.open(root=root))
    gds_cut, gds_between, gds_bridges = gds_supply_metrics(driver)
    assert gds_cut == py_cut == {("y", "JPN", "refining")}
    assert gds_between == pytest.approx(py_between)
    assert gds_bridges == py_bridges and ("y", "supplier", "JPN", "refining", "pool", None, "refining") in gds_bridges
    wipe(driver)
    load(neo4j_settings, SHIPPED, progress=False)  # the module's other tests read the shipped data


def test_ownership_clusters_are_the_weakly_connected_components(shipped):
    rows = run_query(shipped, "gds_ownership_clusters", {"min_size": 2})
    g = nx.Graph()
    for u, v, d in minerals_kg.open().graph.edges(data=True):
        if d["type"] in ("OWNS", "OPERATES"):
            g.add_edge(u, v)
    expected = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
    assert [r["size"] for r in rows] == expected
    lynas = next(r for r in rows if "lynas" in r["firms"])
    assert "mt_weld" in lynas["facilities"] and "JPN" in lynas["countries"]  # JARE's stake ties Japan in


def test_country_pagerank_ranks_the_countries_at_the_end_of_ownership_chains(shipped):
    rows = run_query(shipped, "gds_country_pagerank", {"top": 5})
    assert len(rows) == 5 and rows == sorted(rows, key=lambda r: -r["pagerank"])
    assert {"CHN", "USA"} <= {r["country"] for r in rows}


def test_gds_queries_leave_no_graph_in_the_catalog(shipped):
    for name in [q for q in library().queries if q.startswith("gds_")]:
        run_query(shipped, name)
    with shipped.session() as session:
        assert session.run("CALL gds.graph.list() YIELD graphName RETURN count(*) AS n").single()["n"] == 0


def readme_block(title: str) -> str:
    """The Cypher block of the README that follows a line containing ``title``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(re.escape(title) + r".*?```cypher\n(.*?)```", text, re.S)
    assert m, title
    return m.group(1)


def test_the_readme_graphml_export_runs_and_gives_the_subgraph(shipped):
    with shipped.session() as session:
        records = list(session.run(readme_block("apoc.export.graphml.query")))
    graphml = "".join(r["data"] for r in records)
    root = ET.fromstring(graphml)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    nodes = root.findall(".//g:node", ns)
    edges = root.findall(".//g:edge", ns)
    assert len(nodes) >= 2 and len(edges) >= 1 and records[0]["nodes"] == len(nodes)
    assert any(":Country" in (n.get("labels") or "") for n in nodes)


def test_the_readme_json_export_runs_and_gives_the_subgraph(shipped):
    with shipped.session() as session:
        records = list(session.run(readme_block("apoc.export.json.query")))
    lines = [json.loads(line) for r in records for line in r["data"].splitlines() if line.strip()]
    assert lines and all(set(line) == {"c", "p", "m"} for line in lines)  # one line per result row
    elements = [x for line in lines for x in line.values()]
    assert {x["type"] for x in elements} == {"node", "relationship"}
    assert all(line["p"]["label"] == "PRODUCES" and line["p"]["properties"]["latest"] for line in lines)
    assert {line["c"]["properties"]["id"] for line in lines} == {"CHN"}


def test_apoc_writes_no_files_and_load_csv_reads_only_the_import_folder(shipped):
    import neo4j

    with shipped.session() as session:
        with pytest.raises(
            neo4j.exceptions.ClientError, match=r"(?i)export to files not enabled|apoc.export.file.enabled"
        ):
            session.run("CALL apoc.export.json.all('/tmp/mkg-leak.json', {})").consume()
        with pytest.raises(
            neo4j.exceptions.ClientError, match=r"(?i)couldn't load the external resource|not found|no such file"
        ):
            session.run("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN count(row)").consume()
        with pytest.raises(neo4j.exceptions.ClientError):
            session.run("LOAD CSV FROM 'file:///../../../../etc/passwd' AS row RETURN count(row)").consume()

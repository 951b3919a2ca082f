"""Exports read back by the tools people use: networkx (GraphML, GEXF, node-link), a second, independent
GraphML reader written against the GraphML structure (ElementTree), rdflib and pyshacl (Turtle,
JSON-LD). Same counts, same typed values, provenance intact; the same selection gives the same bytes;
a bad path is one precise error and nothing half-written."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import pytest
from rdflib import Graph

import minerals_kg
from minerals_kg.errors import InvalidArgument
from minerals_kg.export import FORMATS, export
from minerals_kg.export.gexf import spells
from minerals_kg.export.naming import flat, node_attributes, relationship_attributes
from minerals_kg.shacl import graph_issues
from minerals_kg.subgraph import Node, Relationship, Subgraph

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://gexf.net/1.3}"
SCENARIO = {
    "name": "China's export controls in force on 2025-01-01",
    "alliance": "ministerial_2026",
    "as_of": "2025-01-01",
    "imposer": "CHN",
}


@pytest.fixture(scope="module")
def kg():
    return minerals_kg.open()


@pytest.fixture(scope="module")
def selections(kg) -> dict[str, Subgraph]:
    return {
        "whole": kg.subgraph(),
        "alliance": kg.subgraph(alliance="ministerial_2026"),
        "scenario": kg.subgraph(minerals=["gallium", "germanium", "graphite"], scenario=SCENARIO),
    }


@pytest.fixture(scope="module")
def written(selections, tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("exports")
    return {
        (name, fmt): export(sub, fmt, out / f"{name}.{fmt}").path for name, sub in selections.items() for fmt in FORMATS
    }


# --- GraphML -------------------------------------------------------------------------------------


def read_graphml_independently(path: Path) -> tuple[dict[str, dict], dict[str, tuple[str, str, dict]]]:
    """A GraphML reader that shares no code with networkx: the structure checked as the spec says.

    Keys come before the graph, each with a unique id, a domain and one of GraphML's types; every
    ``<data>`` names a key declared for its element's domain; edges join declared nodes; ids are
    unique. Values are parsed by their key's type.
    """
    root = ET.parse(path).getroot()
    assert root.tag == f"{GRAPHML}graphml"
    children = list(root)
    keys = [c for c in children if c.tag == f"{GRAPHML}key"]
    graphs = [c for c in children if c.tag == f"{GRAPHML}graph"]
    assert len(graphs) == 1 and children.index(graphs[0]) > max(children.index(k) for k in keys)
    parse = {
        "boolean": lambda s: {"true": True, "false": False}[s],
        "int": int,
        "long": int,
        "float": float,
        "double": float,
        "string": str,
    }
    declared: dict[str, tuple[str, str, Any]] = {}
    for k in keys:
        assert k.get("id") not in declared
        assert k.get("for") in ("node", "edge", "graph", "all")
        declared[k.get("id")] = (k.get("for"), k.get("attr.name"), parse[k.get("attr.type")])
    names = [(d, n) for d, n, _ in declared.values()]
    assert len(names) == len(set(names))
    graph = graphs[0]
    assert graph.get("edgedefault") == "directed"

    def data(element: ET.Element, domain: str) -> dict[str, Any]:
        out = {}
        for d in element.findall(f"{GRAPHML}data"):
            kdomain, name, convert = declared[d.get("key")]
            assert kdomain in (domain, "all"), (d.get("key"), domain)
            out[name] = convert(d.text or "")
        return out

    nodes = {}
    for n in graph.findall(f"{GRAPHML}node"):
        assert n.get("id") not in nodes
        nodes[n.get("id")] = data(n, "node")
    edges = {}
    for e in graph.findall(f"{GRAPHML}edge"):
        assert e.get("id") not in edges and e.get("source") in nodes and e.get("target") in nodes
        edges[e.get("id")] = (e.get("source"), e.get("target"), data(e, "edge"))
    return nodes, edges


def flat_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: flat(v) for k, v in attributes.items()}


@pytest.mark.parametrize("name", ["whole", "alliance", "scenario"])
def test_graphml_reads_back_the_same_with_an_independent_reader(selections, written, name):
    sub = selections[name]
    nodes, edges = read_graphml_independently(written[(name, "graphml")])
    assert nodes == {n.id: flat_attributes(node_attributes(n)) for n in sub.nodes}
    assert edges == {r.id: (r.start, r.end, flat_attributes(relationship_attributes(r))) for r in sub.relationships}


@pytest.mark.parametrize("name", ["whole", "alliance", "scenario"])
def test_graphml_reads_back_with_networkx_typed_and_with_provenance(selections, written, name):
    sub = selections[name]
    g = nx.read_graphml(written[(name, "graphml")], force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(sub.nodes), len(sub.relationships))
    by_id = {k: (u, v, d) for u, v, k, d in g.edges(keys=True, data=True)}
    for rel in sub.relationships:
        u, v, d = by_id[rel.id]
        assert (u, v, d["kg_type"]) == (rel.start, rel.end, rel.type)
        assert d.get("kg_source") == rel.properties.get("source")
        assert d.get("kg_confidence") == rel.properties.get("confidence")
        for key in ("year", "share", "quantity", "estimated"):
            if key in rel.properties:
                assert d[key] == rel.properties[key] and type(d[key]) is type(rel.properties[key])


def test_graphml_keys_are_typed(written):
    root = ET.parse(written[("whole", "graphml")]).getroot()
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.findall(f"{GRAPHML}key")}
    assert types[("edge", "year")] == "long" and types[("edge", "share")] == "double"
    assert types[("edge", "estimated")] == "boolean" and types[("node", "kg_labels")] == "string"
    assert types[("edge", "kg_source")] == "string" and ("edge", "source") not in types


# --- GEXF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["whole", "alliance", "scenario"])
def test_gexf_reads_back_with_networkx_with_spells_and_provenance(selections, written, name):
    sub = selections[name]
    g = nx.read_gexf(written[(name, "gexf")])
    assert g.graph["mode"] == "dynamic"
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(sub.nodes), len(sub.relationships))
    by_id = {k: d for _, _, k, d in g.edges(keys=True, data=True)}
    events = {n.id: n.properties["start"] for n in sub.nodes if n.label == "Event"}
    for rel in sub.relationships:
        d = by_id[rel.id]
        assert d["label"] == rel.type and d.get("kg_source") == rel.properties.get("source")
        expected = [(_iso(a), _iso(b)) for a, b in spells(rel, events)]
        assert d.get("spells", []) == expected
    for node in sub.nodes:
        assert g.nodes[node.id]["kg_label"] == node.label
        assert g.nodes[node.id].get("kg_source") == node.properties.get("source")


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "None"  # networkx reads a missing spell end as the text 'None'


def test_gexf_replays_the_alliance_forming(written, selections):
    root = ET.parse(written[("alliance", "gexf")]).getroot()
    graph = root.find(f"{GEXF}graph")
    assert root.get("version") == "1.3" and graph.get("timeformat") == "date" and graph.get("mode") == "dynamic"
    dated = [e for e in graph.iter(f"{GEXF}edge") if e.find(f"{GEXF}spells") is not None]
    kinds = {e.get("kind") for e in dated}
    assert {"MEMBER_OF", "PARTICIPATED_IN"} <= kinds
    for spell in graph.iter(f"{GEXF}spell"):
        assert spell.get("start") or spell.get("end")
        for key in ("start", "end"):
            if spell.get(key):
                dt.date.fromisoformat(spell.get(key))


def test_an_instrument_suspended_for_a_year_has_two_spells(kg):
    sub = kg.subgraph(node="cn_mofcom_2025_61", hops=0)
    node = sub.nodes[0]
    assert node.properties["suspended_from"] and len(spells(node, {})) == 2


# --- JSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["whole", "scenario"])
def test_d3_node_link_reads_back_with_networkx_and_keeps_provenance(selections, written, name):
    sub = selections[name]
    data = json.loads(written[(name, "d3")].read_text(encoding="utf-8"))
    g = nx.node_link_graph(data, edges="links")
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(sub.nodes), len(sub.relationships))
    links = {link["id"]: link for link in data["links"]}
    for rel in sub.relationships:
        link = links[rel.id]
        assert (link["source"], link["target"]) == (rel.start, rel.end)
        assert link.get("kg_source") == rel.properties.get("source")
    assert set(data["graph"]["sources"]) == set(sub.sources)


def test_cytoscape_json_keeps_endpoints_and_provenance_apart(selections, written):
    sub = selections["scenario"]
    data = json.loads(written[("scenario", "cytoscape")].read_text(encoding="utf-8"))
    edges = {e["data"]["id"]: e["data"] for e in data["elements"]["edges"]}
    assert len(data["elements"]["nodes"]) == len(sub.nodes) and len(edges) == len(sub.relationships)
    for rel in sub.relationships:
        assert (edges[rel.id]["source"], edges[rel.id]["target"]) == (rel.start, rel.end)
        assert edges[rel.id].get("kg_source") == rel.properties.get("source")
    marked = [e for e in edges.values() if e.get("scenario_cut")]
    assert marked and all(0 < e["scenario_lost_share"] <= 1 for e in marked)
    stages = next(n["data"] for n in data["elements"]["nodes"] if n["data"]["id"] == "cn_mofcom_2023_23")["stages"]
    assert stages == ["processing", "refining"]  # lists stay lists where the format has them


# --- RDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
@pytest.mark.parametrize("name", ["whole", "alliance", "scenario"])
def test_rdf_parses_and_conforms_to_the_shapes_on_its_own(written, name, fmt):
    g = Graph().parse(written[(name, fmt)], format="json-ld" if fmt == "jsonld" else "turtle")
    assert len(g) > 1000
    assert graph_issues(g, with_ontology=False) == []


def test_turtle_and_jsonld_hold_the_same_triples_with_typed_dates(written):
    turtle = Graph().parse(written[("alliance", "turtle")], format="turtle")
    jsonld = Graph().parse(written[("alliance", "jsonld")], format="json-ld")
    assert set(turtle) == set(jsonld)
    datatypes = {str(o.datatype).rsplit("#", 1)[-1] for _, p, o in turtle if str(p).endswith("#since")}
    assert datatypes <= {"date", "gYearMonth", "gYear"} and datatypes


# --- neo4j-admin ---------------------------------------------------------------------------------


def test_neo4j_admin_csv_has_typed_headers_and_every_element(selections, written):
    folder = written[("whole", "neo4j-admin")]
    nodes = rels = 0
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        if path.name.startswith("nodes-"):
            assert header[:2] == ["id:ID", ":LABEL"]
            nodes += len(rows) - 1
        else:
            assert header[:4] == [":START_ID", ":END_ID", ":TYPE", "fact_id:string"]
            rels += len(rows) - 1
        assert all(":" in column for column in header)
    assert (nodes, rels) == (len(selections["whole"].nodes), len(selections["whole"].relationships))
    header = (folder / "relationships-PRODUCES.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "year:long" in header and "share:double" in header and "estimated:boolean" in header
    assert "stages:string[]" in (folder / "nodes-Facility.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "--nodes=nodes-Country.csv" in (folder / "import.sh").read_text(encoding="utf-8")


def test_neo4j_admin_replaces_its_own_earlier_export_but_no_other_folder(selections, tmp_path):
    export(selections["alliance"], "neo4j-admin", tmp_path / "csv")
    export(selections["scenario"], "neo4j-admin", tmp_path / "csv")
    assert "scenario" in (tmp_path / "csv" / "import.sh").read_text(encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(InvalidArgument, match="a folder with other files"):
        export(selections["alliance"], "neo4j-admin", tmp_path / "mine")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


# --- the same bytes, whole files, precise errors -------------------------------------------------

SAME_BYTES = """
import sys, minerals_kg
from minerals_kg.export import FORMATS, export
kg = minerals_kg.open()
sub = kg.subgraph(alliance="ministerial_2026", minerals=["gallium"], scenario={"imposer": "CHN"})
for fmt in FORMATS:
    export(sub, fmt, f"{sys.argv[1]}/out.{fmt}")
"""


def test_the_same_selection_gives_the_same_bytes_whatever_the_hash_seed(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", SAME_BYTES, str(folder)], check=True, env=env)
        outputs.append({p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) > len(FORMATS)
    assert [k for k in outputs[0] if outputs[0][k] != outputs[1][k]] == []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_unwritable_path_is_one_precise_error(selections, fmt):
    with pytest.raises(InvalidArgument) as exc:
        export(selections["scenario"], fmt, "/dev/null/out", where="--out")
    assert str(exc.value).startswith("--out: expected a writable location, got '/dev/null/out'")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_error_while_writing_leaves_nothing_half_written(selections, tmp_path, monkeypatch, fmt):
    target = tmp_path / "out"
    target.mkdir() if FORMATS[fmt].folder else target.write_text("the earlier export")
    before = sorted(p.name for p in tmp_path.iterdir())

    def failing() -> Iterator[Relationship]:
        for i, rel in enumerate(selections["scenario"].relationships):
            if i == 50:
                raise OSError("disk full")
            yield rel

    sub = selections["scenario"]
    broken = type("Broken", (), {})()
    for field in ("sources", "support_nodes", "support_relationships", "shares", "highlight", "selection"):
        setattr(broken, field, getattr(sub, field))
    broken.iter_nodes = sub.iter_nodes
    broken.iter_relationships = failing
    with pytest.raises(OSError, match="disk full"):
        export(broken, fmt, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left behind
    if not FORMATS[fmt].folder:
        assert target.read_text() == "the earlier export"


def test_an_unknown_format_names_the_formats(selections, tmp_path):
    with pytest.raises(InvalidArgument, match=r"format: expected an export format \(graphml, gexf, cytoscape"):
        export(selections["scenario"], "xml", tmp_path / "x")


def test_files_are_readable_by_others_like_any_file_the_user_writes(selections, tmp_path):
    old = os.umask(0o022)
    try:
        path = export(selections["scenario"], "graphml", tmp_path / "x.graphml").path
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


# --- streams: anything with the GraphStream attributes exports, without being held in memory ------


class CountingStream:
    """A synthetic chain of nodes generated on every pass (nothing kept), counting the passes."""

    sources = MappingProxyType({})
    support_nodes: tuple = ()
    support_relationships: tuple = ()
    shares = MappingProxyType({})
    highlight: frozenset = frozenset()
    selection = MappingProxyType({"synthetic": "chain"})

    def __init__(self, n: int):
        self.n, self.passes = n, 0

    def iter_nodes(self) -> Iterator[Node]:
        self.passes += 1
        for i in range(self.n):
            yield Node(f"n{i:06d}", ("Firm",), {"id": f"n{i:06d}", "name": f"Firm {i}"})

    def iter_relationships(self) -> Iterator[Relationship]:
        for i in range(self.n - 1):
            yield Relationship(f"r{i:06d}", f"n{i:06d}", "OWNS", f"n{i + 1:06d}", {"share": 0.5, "source": "s"})


@pytest.mark.parametrize("fmt", ["graphml", "neo4j-admin", "gexf", "d3", "cytoscape"])
def test_a_generated_stream_exports_in_a_fixed_number_of_passes(tmp_path, fmt):
    stream = CountingStream(5_000)
    result = export(stream, fmt, tmp_path / "synthetic")
    assert (result.nodes, result.relationships) == (5_000, 4_999)
    assert stream.passes <= 2  # at most one pass to learn the columns and one to write


def test_the_vendored_library_is_the_file_recorded_with_its_licence():
    import hashlib

    from minerals_kg.export.html import CYTOSCAPE_DIR, vendored

    meta = vendored()
    assert meta["licence"] == "MIT" and meta["tarball"].startswith("https://registry.npmjs.org/cytoscape/")
    for name, info in meta["files"].items():
        assert hashlib.sha256((CYTOSCAPE_DIR / name).read_bytes()).hexdigest() == info["sha256"], name
    assert f'version="{meta["version"]}"' in (CYTOSCAPE_DIR / "cytoscape.min.js").read_text(encoding="utf-8")[-200:]

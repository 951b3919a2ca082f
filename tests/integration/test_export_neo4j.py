"""Exports on a real Neo4j: the same selection gives byte-identical files on both backends; a read-only
Cypher query selects a subgraph and a writing one is refused; the neo4j-admin CSV files import with
the real import tool (``neo4j-admin database import full``, from the same Maven artifacts as the
server) into a fresh database that equals what the loader writes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import minerals_kg
from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.loader import load
from minerals_kg.cli import main
from minerals_kg.errors import InvalidArgument
from minerals_kg.export import FORMATS, export
from minerals_kg.export.neo4j_admin import import_arguments

from .conftest import SHIPPED, _free_port, dump

pytestmark = pytest.mark.integration

SELECTIONS = {
    "whole": {},
    "alliance": {"alliance": "ministerial_2026", "as_of": "2025-06-01"},
    "chains": {"minerals": ["gallium", "cobalt"], "stages": ["refining"], "node": "cmoc", "hops": 1},
    "scenario": {"minerals": ["graphite"], "scenario": {"imposer": "CHN", "as_of": "2025-01-01"}},
}


@pytest.fixture(scope="module")
def loaded(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False, wipe=True)
    return clean_db


@pytest.fixture(scope="module")
def on_server(loaded, neo4j_settings):  # type: ignore[no-untyped-def]
    previous = os.environ.get("NEO4J_PASSWORD")
    os.environ["NEO4J_PASSWORD"] = neo4j_settings.password
    with minerals_kg.open(neo4j_settings.uri) as kg:
        yield kg
    if previous is None:
        os.environ.pop("NEO4J_PASSWORD", None)
    else:
        os.environ["NEO4J_PASSWORD"] = previous


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_the_same_selection_gives_byte_identical_files_on_both_backends(on_server, name, tmp_path):
    embedded = minerals_kg.open()
    files: dict[str, dict[str, bytes]] = {}
    for backend, kg in (("embedded", embedded), ("neo4j", on_server)):
        sub = kg.subgraph(**SELECTIONS[name])
        for fmt in FORMATS:
            export(sub, fmt, tmp_path / backend / f"out.{fmt}")
        root = tmp_path / backend
        files[backend] = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert files["embedded"].keys() == files["neo4j"].keys()
    assert [f for f in files["embedded"] if files["embedded"][f] != files["neo4j"][f]] == []


def test_a_read_only_cypher_query_selects_its_paths(on_server):
    sub = on_server.subgraph(cypher="MATCH p = (c:Country {id: 'CHN'})-[:IMPOSES]->(:ExportControl) RETURN p")
    assert {r.type for r in sub.relationships} == {"IMPOSES"}
    assert "CHN" in {n.id for n in sub.nodes} and len(sub.nodes) == len(sub.relationships) + 1
    both = on_server.subgraph(cypher="MATCH (m:Mineral {id: 'gallium'}) RETURN m", node="gallium", hops=0)
    assert [n.id for n in both.nodes] == ["gallium"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "MATCH (n:Country {id: 'CHN'}) SET n.hacked = true RETURN n",
            "a read-only query (the server classes this one as 'rw')",
        ),
        ("CREATE (n:Country {id: 'XXX'}) RETURN n", "a read-only query (the server classes this one as"),
        ("MATCH (n RETURN n", "a Cypher query the server accepts"),
        ("RETURN 1 AS one", "a query that returns nodes, relationships or paths of the graph"),
    ],
)
def test_a_writing_or_broken_cypher_query_is_one_precise_error(on_server, loaded, query, message):
    before = dump(loaded)
    with pytest.raises(InvalidArgument) as exc:
        on_server.subgraph(cypher=query)
    assert str(exc.value).startswith(f"cypher: expected {message}"), str(exc.value)
    assert dump(loaded) == before


def test_the_command_line_exports_a_cypher_selection(loaded, neo4j_settings, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    out = tmp_path / "firms.graphml"
    main(["export", "-f", "graphml", "-o", str(out), "--uri", neo4j_settings.uri, "--cypher",
          "MATCH p = (:Firm {id: 'cmoc'})-[*1..2]-() RETURN p"])  # fmt: skip
    assert "as graphml to" in capsys.readouterr().out and out.stat().st_size > 1000
    query = "MATCH (n:Country {id: 'CHN'}) SET n.x = 1 RETURN n"  # the README's example
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "export",
                "-f",
                "graphml",
                "-o",
                str(tmp_path / "x.graphml"),
                "--uri",
                neo4j_settings.uri,
                "--cypher",
                query,
            ]
        )
    assert exc.value.code == 2
    assert capsys.readouterr().err == (
        f"error: --cypher: expected a read-only query (the server classes this one as 'rw'), got \"{query}\"\n"
    )
    assert not (tmp_path / "x.graphml").exists()


def test_the_neo4j_admin_files_import_into_a_fresh_database_equal_to_the_loaded_one(
    loaded, neo4j_settings, tmp_path, monkeypatch
):
    folder = export(minerals_kg.open().subgraph(), "neo4j-admin", tmp_path / "csv").path
    home = tmp_path / "imported"
    (home / "conf").mkdir(parents=True)
    (home / "conf" / "neo4j.conf").write_text("")
    lib = server.build() / "target" / "lib"
    java = shutil.which("java") or "java"
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    result = subprocess.run(
        [java, "-Xmx1g", "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", *import_arguments(folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "IMPORT DONE" in result.stdout + result.stderr
    # the local server writes its own <home>/conf/neo4j.conf and serves the imported database
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    bolt, http = _free_port(), _free_port()
    while http == bolt:
        http = _free_port()
    uri = server.start(server.ServerOptions(bolt_port=bolt, http_port=http), home=home).uri
    assert uri is not None
    try:
        with Neo4jSettings(uri=uri, password=neo4j_settings.password).driver() as imported:
            assert dump(imported) == dump(loaded)
    finally:
        server.stop(home)

"""The local server's pure parts: which server clients reach, the generated neo4j.conf, memory options,
the Browser style sheet, and the shares and latest groups every PRODUCES fact carries."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest

import minerals_kg
from minerals_kg.analysis.concentration import current_groups
from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.state import ServerState, write_state
from minerals_kg.checks import load_dataset
from minerals_kg.errors import InvalidArgument
from minerals_kg.ontology import load_ontology
from minerals_kg.resources import QUERY_DIR
from minerals_kg.world_shares import production_properties

PASSWORD = "a-secret-for-tests"


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("NEO4J_URI", "NEO4J_PORT", "NEO4J_DATABASE", "NEO4J_HTTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    monkeypatch.setenv("MINERALS_KG_NEO4J_HOME", str(tmp_path / "home"))
    return monkeypatch


def test_clients_reach_the_server_that_neo4j_start_started(env, tmp_path):
    write_state(
        ServerState(
            os.getpid(),
            "bolt://127.0.0.1:17999",
            "http://127.0.0.1:17998",
            "minerals",
            "5.26.31",
            str(tmp_path / "home"),
        )
    )
    settings = Neo4jSettings.from_env()
    assert (settings.uri, settings.database) == ("bolt://127.0.0.1:17999", "minerals")
    assert "local server of `minerals-kg neo4j start`" in settings.describe()
    assert PASSWORD not in settings.describe() and PASSWORD not in repr(settings)


def test_neo4j_uri_wins_over_the_local_server_and_an_explicit_uri_over_both(env, tmp_path):
    write_state(
        ServerState(
            os.getpid(), "bolt://127.0.0.1:17999", "http://127.0.0.1:17998", "neo4j", "5.26.31", str(tmp_path / "home")
        )
    )
    env.setenv("NEO4J_URI", "neo4j://db.example:7687")
    assert Neo4jSettings.from_env().uri == "neo4j://db.example:7687"
    assert Neo4jSettings.from_env("bolt://other:1").origin == "given with --uri"


def test_without_a_running_server_neo4j_port_moves_the_default(env):
    env.setenv("NEO4J_PORT", "7690")
    settings = Neo4jSettings.from_env()
    assert settings.uri == "bolt://127.0.0.1:7690" and "no local server runs" in settings.origin
    env.setenv("NEO4J_PORT", "port")
    with pytest.raises(InvalidArgument, match="NEO4J_PORT: expected a port number in 1-65535, got 'port'"):
        Neo4jSettings.from_env()


def test_a_stale_state_file_is_not_a_running_server(env, tmp_path):
    write_state(ServerState(2**22 + 12345, "bolt://127.0.0.1:17999", "http://x", "neo4j", "5", str(tmp_path / "home")))
    assert Neo4jSettings.from_env().uri == "bolt://127.0.0.1:7687"
    assert server.status().running is False


def test_the_server_listens_on_loopback_only_with_auth_and_confined_files(tmp_path):
    conf = server.neo4j_conf(server.ServerOptions(bolt_port=7700, http_port=7701), tmp_path, tmp_path / "plugins")
    settings = dict(line.split("=", 1) for line in conf.splitlines() if line and not line.startswith("#"))
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"] == "127.0.0.1:7700"
    assert settings["server.http.listen_address"] == "127.0.0.1:7701"
    assert settings["server.https.enabled"] == "false"
    assert settings["dbms.security.auth_enabled"] == "true"
    assert settings["server.directories.import"] == str(tmp_path / "import")
    assert settings["dbms.security.procedures.unrestricted"] == "gds.*,apoc.*"
    assert "apoc.export.file.enabled=false" in server.APOC_CONF


def test_memory_suits_two_cores_and_24_gb_and_can_be_overridden(env):
    default = server.ServerOptions.from_env()
    assert (default.heap, default.pagecache) == ("2g", "512m")
    assert "-Xmx2g" in default.jvm_flags() and "-Xms512m" in default.jvm_flags()
    env.setenv("MINERALS_KG_NEO4J_HEAP", "4G")
    assert "-Xmx4g" in server.ServerOptions.from_env().jvm_flags()
    small = server.ServerOptions.from_env(heap="256m", pagecache="128m")
    assert "-Xms256m" in small.jvm_flags() and small.pagecache == "128m"
    with pytest.raises(InvalidArgument, match="--pagecache: expected a memory size"):
        server.ServerOptions.from_env(pagecache="lots")
    with pytest.raises(InvalidArgument, match="--http-port: expected a port other than the Bolt port 7687"):
        server.ServerOptions.from_env(bolt_port=7687, http_port=7687)


def test_no_password_is_ever_in_the_server_command_line_or_its_configuration(env, tmp_path):
    options = server.ServerOptions.from_env()
    text = " ".join(options.jvm_flags()) + server.neo4j_conf(options, tmp_path, tmp_path) + server.APOC_CONF
    text = text.replace(str(tmp_path), "HOME")
    assert PASSWORD not in text and "password" not in text.lower()


GRASS_RULE = re.compile(r'^(node|relationship)(?:\.(\w+))?\s*\{((?:[^{}"]|"[^"]*")*)\}', re.M)


def test_the_browser_style_sheet_styles_every_label_and_relationship_type():
    text = (QUERY_DIR / "minerals-kg.grass").read_text()
    rules = {(kind, name): body for kind, name, body in GRASS_RULE.findall(text)}
    assert len(GRASS_RULE.findall(text)) == len(rules) == text.count("\n}")
    onto = load_ontology()
    assert {n for k, n in rules if k == "node" and n} == set(onto.labels)
    assert {n for k, n in rules if k == "relationship" and n} == set(onto.relationship_types)
    for body in rules.values():
        for line in filter(None, (x.strip() for x in body.splitlines())):
            assert re.match(r"^[a-z-]+: .+;$", line), line


@pytest.fixture(scope="module")
def shipped():
    return load_dataset(shacl=False)


def test_every_production_fact_carries_the_share_the_analysis_computes(shipped):
    props, _ = production_properties(shipped.production)
    conc = minerals_kg.open().concentration()
    by_group = {(r.mineral, r.stage, r.year, r.edition): r for r in conc.itertuples()}
    for record, p in zip(shipped.production, props):
        group = by_group.get((record.mineral, record.stage.value, record.year, record.edition))
        if group is None:  # a group without a reported country row has no concentration and is never latest
            assert p["latest"] is False
            continue
        if record.value_status.value != "reported":
            assert p["share"] is None
            continue
        if record.country in group.shares:
            assert p["share"] == group.shares[record.country]  # exactly the same float
        if pd.notna(group.world_total):
            assert p["world_total"] == group.world_total and p["share_stated"] is False
        else:
            assert p["world_total"] is None and p["share_stated"] is True


def test_the_latest_group_marked_on_facts_is_the_one_the_analyses_use(shipped):
    props, _ = production_properties(shipped.production)
    marked = {(r.mineral, r.stage.value, r.year, r.edition) for r, p in zip(shipped.production, props) if p["latest"]}
    current = current_groups(minerals_kg.open().concentration())
    assert marked == set(zip(current.mineral, current.stage, current.year, current.edition))


def test_a_firm_quantity_gets_a_share_of_the_latest_group_it_matches(shipped):
    # CMOC's 2024 cobalt (company report) against MCS 2026's 2024 world total, the latest edition for 2024
    _, firm_props = production_properties(shipped.production, shipped.firm_activities)
    cmoc = next(
        p
        for a, p in zip(shipped.firm_activities, firm_props)
        if a.firm == "cmoc" and a.mineral == "cobalt" and a.year == 2024 and p
    )
    assert cmoc["share_edition"] == "MCS2026" and cmoc["share"] == pytest.approx(114_165 / 302_000)
    assert cmoc["world_total"] == 302_000

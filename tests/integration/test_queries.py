"""The Cypher library on a real server: every query runs; parameters are bound (injection is
harmless); names come only from the library; writes are refused without --write."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from minerals_kg.backends.neo4j.library import QueryError, get_query, library, run_query
from minerals_kg.backends.neo4j.loader import load
from minerals_kg.errors import InvalidArgument, InvalidArguments
from minerals_kg.present import jsonable

from .conftest import SHIPPED, counts

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def loaded(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False)
    return clean_db


@pytest.mark.parametrize("name", sorted(library().queries))
def test_every_library_query_runs_with_its_defaults_and_returns_its_columns(loaded, name):
    rows = run_query(loaded, name)
    assert rows, name
    assert list(rows[0]) == get_query(name).returns
    json.dumps(jsonable(rows))  # --format json works for every query (dates become ISO text)


def test_instruments_for_gallium_include_chinas_export_control(loaded):
    rows = run_query(loaded, "instruments_for_mineral", {"mineral": "gallium", "kind": "export_control"})
    assert any(r["instrument"] == "cn_mofcom_2023_23" and r["imposer"] == "CHN" for r in rows)


def test_end_uses_exposed_to_chinese_export_controls(loaded):
    rows = run_query(loaded, "end_use_exposure", {"country": "CHN"})
    assert {"rare_earths", "gallium"} <= {r["mineral"] for r in rows}
    assert "wind_turbines" in {r["end_use"] for r in rows}


def test_injection_through_parameters_is_harmless(loaded):
    before = counts(loaded)
    for evil in ["' OR 1=1 //", "x'}) DETACH DELETE n //", 'rare_earths") MATCH (n) DETACH DELETE n //']:
        assert run_query(loaded, "instruments_for_mineral", {"mineral": evil}) == []  # bound, so only a value
        assert run_query(loaded, "concentration", {"edition": evil}) == []
        with pytest.raises(InvalidArgument, match="country_profile: country: expected an ISO 3166-1 alpha-3"):
            run_query(loaded, "country_profile", {"country": evil})
    assert counts(loaded) == before


def test_ids_in_parameters_are_checked_against_the_graph(neo4j_settings, loaded, monkeypatch):
    import minerals_kg

    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    with minerals_kg.open(neo4j_settings.uri) as kg:
        with pytest.raises(
            InvalidArgument, match=r"concentration: mineral: expected a known mineral id .*'unobtainium'"
        ):
            kg.query("concentration", mineral="unobtainium")
        with pytest.raises(InvalidArgument, match="coverage_matrix: alliance: expected an organisation or event id"):
            kg.query("coverage_matrix", alliance="nope")
        assert len(kg.query("concentration", mineral="cobalt", stage="mining")) >= 1


@pytest.mark.parametrize(
    "name",
    [
        "../queries/concentration",
        "concentration; MATCH (n) DETACH DELETE n",
        "CONCENTRATION",
        "concentration.cypher",
        "nope",
    ],
)
def test_query_names_come_only_from_the_library(name):
    with pytest.raises(InvalidArgument, match="query: expected a query of the library"):
        get_query(name)


def test_unknown_parameters_and_bad_types_are_refused(loaded):
    with pytest.raises(InvalidArgument, match="concentration: parameter: expected one of the query's parameters"):
        run_query(loaded, "concentration", {"minerl": "lithium"})
    with pytest.raises(InvalidArgument, match="concentration: year: expected an integer"):
        run_query(loaded, "concentration", {"year": "twenty"})
    with pytest.raises(InvalidArguments):
        run_query(loaded, "concentration", {"year": "twenty", "stage": "smelting"})


def test_a_writing_query_is_refused_without_write(loaded, tmp_path, monkeypatch):
    (tmp_path / "tag_minerals.cypher").write_text(
        '// name: tag_minerals\n// description: tags minerals\n// param: tag: string = "x" -- tag\n'
        "// returns: n\nMATCH (m:Mineral) SET m.tag = $tag RETURN count(m) AS n\n"
    )
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    before = counts(loaded)
    with pytest.raises(QueryError, match="refused without --write"):
        run_query(loaded, "tag_minerals")
    assert counts(loaded) == before
    assert run_query(loaded, "tag_minerals", {"tag": "checked"}, write=True)[0]["n"] > 0
    with loaded.session() as session:
        assert session.run("MATCH (m:Mineral) WHERE m.tag = 'checked' RETURN count(m) AS n").single()["n"] > 0
        session.run("MATCH (m:Mineral) REMOVE m.tag").consume()


def test_a_write_hidden_from_any_text_check_is_caught_by_the_server(loaded, tmp_path, monkeypatch):
    (tmp_path / "sneaky.cypher").write_text(
        "// name: sneaky\n// description: looks like a read\n// returns: n\n"
        "MATCH (m:Mineral) WITH m, '//' AS s CALL { WITH m MERGE (m)-[:X]->(:Y) } RETURN count(m) AS n\n"
    )
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    before = counts(loaded)
    with pytest.raises(QueryError, match="the server classes it as 'rw'"):
        run_query(loaded, "sneaky")
    assert counts(loaded) == before


def test_read_sessions_refuse_writes_even_past_the_static_check(loaded):
    import neo4j

    with loaded.session(default_access_mode=neo4j.READ_ACCESS) as session, pytest.raises(neo4j.exceptions.ClientError):
        session.execute_read(lambda tx: tx.run("CREATE (:Intruder)").consume())


def test_cli_query_and_load(loaded, neo4j_settings, tmp_path):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_PASSWORD": neo4j_settings.password, "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minerals_kg.cli",
            "query",
            "concentration",
            "-p",
            "mineral=cobalt",
            "-p",
            "stage=mining",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert '"top_country": "COD"' in result.stdout
    assert neo4j_settings.password not in result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "minerals_kg.cli", "load"], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "stale removed: 0 nodes, 0 relationships" in result.stdout


@pytest.mark.parametrize("name", sorted(library().queries))
def test_library_queries_use_no_deprecated_cypher(loaded, name):
    spec = get_query(name)
    with loaded.session() as session:
        summary = session.run("EXPLAIN " + spec.text, spec.bind({})).consume()
    deprecations = [s for s in summary.gql_status_objects if "DEPRECATION" in str(s.classification)]
    assert deprecations == [], [s.status_description for s in deprecations]

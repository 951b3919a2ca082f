"""A real Neo4j for the integration tests: the local server from Maven Central artifacts (Bolt,
HTTP with Neo4j Browser, APOC and GDS; or NEO4J_URI when set), started once per session by the
project's own ``server.start`` and stopped at the end; each module gets a clean database. In CI
(CI=true) a missing server is a failure, never a skip."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.ontology import load_ontology
from minerals_kg.resources import DEFAULT_ROOT

TEST_PASSWORD = "minerals-kg-test-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):  # type: ignore[no-untyped-def]
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"integration tests need a real Neo4j in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The local server started for this session (None when the tests use NEO4J_URI)."""
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    if not (shutil.which("java") and shutil.which("mvn")):
        _unavailable("Java and Maven are needed to start the local Neo4j (or set NEO4J_URI)")
    home = tmp_path_factory.mktemp("neo4j-home")
    previous = os.environ.get("NEO4J_PASSWORD")
    os.environ["NEO4J_PASSWORD"] = TEST_PASSWORD
    try:
        bolt, http = _free_port(), _free_port()
        while http == bolt:
            http = _free_port()
        status = server.start(server.ServerOptions(bolt_port=bolt, http_port=http), home=home)
    except Exception as exc:
        _unavailable(f"could not start the local Neo4j: {exc}")
    try:
        yield status
    finally:
        server.stop(home)
        if previous is None:
            os.environ.pop("NEO4J_PASSWORD", None)
        else:
            os.environ["NEO4J_PASSWORD"] = previous


@pytest.fixture(scope="session")
def neo4j_settings(local_server) -> Neo4jSettings:  # type: ignore[no-untyped-def]
    if local_server is not None:
        return Neo4jSettings(uri=local_server.uri, password=TEST_PASSWORD, database=local_server.database)
    if os.environ.get("NEO4J_URI"):
        # the tests delete everything in the database they use: never do that to a server by accident
        if os.environ.get("MINERALS_KG_TESTS_MAY_WIPE") != "yes":
            _unavailable(
                "the integration tests delete everything in the database at NEO4J_URI; "
                "set MINERALS_KG_TESTS_MAY_WIPE=yes to allow it, or unset NEO4J_URI to use a local server"
            )
        return Neo4jSettings.from_env()
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def driver(neo4j_settings):  # type: ignore[no-untyped-def]
    with neo4j_settings.driver() as d:
        yield d


def wipe(driver, database: str = "neo4j") -> None:  # type: ignore[no-untyped-def]
    with driver.session(database=database) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for r in list(session.run("SHOW CONSTRAINTS YIELD name RETURN name")):
            session.run(f"DROP CONSTRAINT `{r['name']}` IF EXISTS").consume()
        for r in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")):
            session.run(f"DROP INDEX `{r['name']}` IF EXISTS").consume()


@pytest.fixture(scope="module")
def clean_db(driver):  # type: ignore[no-untyped-def]
    """A clean database for the module (and cleaned again after it)."""
    wipe(driver)
    yield driver
    wipe(driver)


SYSTEM = sorted(load_ontology().system_labels)
"""Labels of the database's bookkeeping (the load marker): not data, left out of counts and dumps."""


def counts(driver) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with driver.session() as session:
        nodes = {
            f"node:{r['label']}": r["n"]
            for r in session.run(
                "MATCH (n) WHERE none(l IN labels(n) WHERE l IN $system) UNWIND labels(n) AS label "
                "RETURN label, count(*) AS n",
                system=SYSTEM,
            )
        }
        rels = {
            f"rel:{r['type']}": r["n"] for r in session.run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
        }
    return {**nodes, **rels}


def dump(driver) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """Every node and relationship with labels and properties, sorted (for identity checks)."""
    with driver.session() as session:
        nodes = sorted(
            (sorted(r["labels"]), sorted(r["props"].items(), key=str))
            for r in session.run(
                "MATCH (n) WHERE none(l IN labels(n) WHERE l IN $system) RETURN labels(n) AS labels, "
                "properties(n) AS props",
                system=SYSTEM,
            )
        )
        rels = sorted(
            (r["a"], r["t"], r["b"], sorted(r["props"].items(), key=str))
            for r in session.run("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props")
        )
    return nodes, rels


SHIPPED = DEFAULT_ROOT

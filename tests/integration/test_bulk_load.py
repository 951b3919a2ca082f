"""``minerals-kg load --bulk``: the neo4j-admin import into a second local server's empty database gives
the graph an online load gives (every label, id, property, date and list, every relationship's
``fact_id``), refuses a database that is not empty, and ``--wipe`` replaces it with the same graph."""

from __future__ import annotations

import neo4j.time
import pytest

from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.loader import load
from minerals_kg.backends.neo4j.schema import diff_schema
from minerals_kg.bulk_load import bulk_load
from minerals_kg.checks import load_dataset
from minerals_kg.cli import main
from minerals_kg.elements import graph_elements
from minerals_kg.errors import InvalidArgument

from .conftest import SHIPPED, _free_port, dump

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def online(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    """The dump of an online load of the shipped data into the session's server."""
    load(neo4j_settings, SHIPPED, progress=False)
    return dump(clean_db)


@pytest.fixture(scope="module")
def second_server(local_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A second local server with a fresh home (bulk loads stop and start it)."""
    if local_server is None:
        pytest.skip("a bulk load needs the local server (NEO4J_URI is set)")
    home = tmp_path_factory.mktemp("bulk-home")
    bolt, http = _free_port(), _free_port()
    while http == bolt:
        http = _free_port()
    status = server.start(server.ServerOptions(bolt_port=bolt, http_port=http), home=home)
    try:
        yield status
    finally:
        server.stop(home)


def test_bulk_load_gives_the_graph_of_an_online_load(online, second_server, neo4j_settings, monkeypatch):
    settings = Neo4jSettings(uri=second_server.uri, password=neo4j_settings.password)
    elements = graph_elements(load_dataset(SHIPPED))
    report = bulk_load(settings, elements, home=second_server.home)
    assert report.nodes == len(elements.nodes) and report.relationships + report.duplicates == len(elements.edges)
    with settings.driver() as driver:
        bulk = dump(driver)
        with driver.session() as session:
            assert diff_schema(session).missing == []
    assert bulk == online
    values = [v for _, props in bulk[0] for _, v in props] + [v for *_, props in bulk[1] for _, v in props]
    assert any(isinstance(v, neo4j.time.Date) for v in values) and any(isinstance(v, list) for v in values)

    # not empty: refused, before anything is stopped
    with pytest.raises(InvalidArgument, match=r"^--bulk: expected an empty database .*, got [\d,]+ nodes in 'neo4j'"):
        bulk_load(settings, elements, home=second_server.home)

    # --wipe replaces the database; the command line finds the local server through its home
    monkeypatch.setenv("MINERALS_KG_NEO4J_HOME", str(second_server.home))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    main(["load", "--bulk", "--wipe"])
    with settings.driver() as driver:
        assert dump(driver) == online

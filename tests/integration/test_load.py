"""Loading into a real Neo4j: expected counts, idempotence, nothing written from bad input,
stale facts removed, one clear error for a wrong password."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from minerals_kg.backends.neo4j.config import Neo4jError
from minerals_kg.backends.neo4j.loader import load
from minerals_kg.backends.neo4j.schema import desired_schema, diff_schema
from minerals_kg.checks import load_dataset
from minerals_kg.elements import graph_elements
from minerals_kg.errors import DataValidationError

from ..conftest import build_tiny, prod
from ..test_validation import append_rows
from .conftest import SHIPPED, counts, dump, wipe

pytestmark = pytest.mark.integration


def expected_counts(root) -> dict[str, int]:  # type: ignore[no-untyped-def]
    elements = graph_elements(load_dataset(root))
    c: Counter[str] = Counter()
    for _, labels, _ in elements.nodes:
        for label in labels:
            c[f"node:{label}"] += 1
    for _, rel, _, _ in elements.edges:
        c[f"rel:{rel}"] += 1
    return dict(c)


def test_load_writes_every_label_and_type_with_the_expected_counts(clean_db, neo4j_settings):
    report = load(neo4j_settings, SHIPPED, progress=False)
    assert counts(clean_db) == expected_counts(SHIPPED)
    assert report.nodes_written == report.nodes_total and report.relationships_written == report.relationships_total
    assert counts(clean_db)["node:Country"] > 100 and counts(clean_db)["rel:PRODUCES"] > 500


def test_schema_has_a_uniqueness_constraint_per_label(clean_db, neo4j_settings):
    with clean_db.session() as session:
        diff = diff_schema(session)
        constraints = {
            r["name"]: r for r in session.run("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN *")
        }
    assert diff.missing == [] and diff.extra == []
    assert {i.name for i in desired_schema() if i.kind == "constraint"} <= set(constraints)
    assert constraints["mkg_country_id"]["type"] == "UNIQUENESS"
    assert constraints["mkg_policy_instrument_id"]["labelsOrTypes"] == ["PolicyInstrument"]


def test_loading_twice_gives_an_identical_graph(clean_db, neo4j_settings):
    before = dump(clean_db)
    second = load(neo4j_settings, SHIPPED, progress=False)
    assert dump(clean_db) == before
    assert second.nodes_deleted == 0 and second.relationships_deleted == 0 and second.schema_created == []


def test_every_fact_has_provenance_in_neo4j(clean_db):
    with clean_db.session() as session:
        missing = session.run(
            "MATCH ()-[r]->() WHERE type(r) <> 'SOURCED_FROM' AND (r.source IS NULL OR r.confidence IS NULL) "
            "RETURN count(r) AS n"
        ).single()["n"]
        unsourced = session.run(
            "MATCH (n) WHERE NOT n:Source AND NOT n:Aggregate AND NOT n:LoadState "  # the marker is not data
            "AND NOT (n)-[:SOURCED_FROM]->(:Source) "
            "RETURN count(n) AS n"
        ).single()["n"]
    assert missing == 0 and unsourced == 0


def test_bad_input_writes_nothing_to_an_empty_database(clean_db, neo4j_settings, tmp_path):
    wipe(clean_db)
    root = build_tiny(tmp_path / "loaders")
    append_rows(root / "stats" / "production.csv", [prod("x", "processing", "CHN", -1)])
    with pytest.raises(DataValidationError):
        load(neo4j_settings, root, progress=False)
    assert counts(clean_db) == {}
    with clean_db.session() as session:  # not even the schema
        assert session.run("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n").single()["n"] == 0


def test_bad_input_leaves_a_loaded_graph_untouched(clean_db, neo4j_settings, tmp_path):
    root = build_tiny(tmp_path / "loaders")
    load(neo4j_settings, root, progress=False)
    before = dump(clean_db)
    append_rows(root / "stats" / "production.csv", [prod("x", "processing", "Narnia", 1)])
    with pytest.raises(DataValidationError):
        load(neo4j_settings, root, progress=False)
    assert dump(clean_db) == before


def test_a_fact_removed_from_the_sources_is_removed_from_the_graph(clean_db, neo4j_settings, tmp_path):
    root = build_tiny(tmp_path / "loaders")
    load(neo4j_settings, root, progress=False)
    path = root / "stats" / "production.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line for line in lines if ",France," not in line) + "\n")
    report = load(neo4j_settings, root, progress=False)
    assert report.relationships_deleted == 1
    with clean_db.session() as session:
        n = session.run("MATCH (:Country {id: 'FRA'})-[p:PRODUCES]->() RETURN count(p) AS n").single()["n"]
    assert n == 0


def test_wipe_then_load(clean_db, neo4j_settings, tmp_path):
    root = build_tiny(tmp_path / "loaders")
    report = load(neo4j_settings, root, wipe=True, progress=False)
    assert report.nodes_deleted > 0
    assert counts(clean_db) == expected_counts(root)


def test_wrong_password_is_one_clear_error(neo4j_settings):
    wrong = dataclasses.replace(neo4j_settings, password="not-the-password")
    with pytest.raises(Neo4jError) as exc:
        load(wrong, SHIPPED, progress=False)
    message = str(exc.value)
    assert "refused the credentials" in message and "NEO4J_PASSWORD" in message
    assert "not-the-password" not in message


def test_routing_uri_works_against_a_single_server(clean_db, neo4j_settings, tmp_path):
    routed = dataclasses.replace(neo4j_settings, uri=neo4j_settings.uri.replace("bolt://", "neo4j://"))
    report = load(routed, build_tiny(tmp_path / "loaders"), progress=False)
    assert report.relationships_written > 0


def test_schema_diff_reports_and_prunes_what_the_ontology_no_longer_has(clean_db, neo4j_settings):
    from minerals_kg.backends.neo4j.schema import apply_schema

    with clean_db.session() as session:
        session.run(
            "CREATE CONSTRAINT mkg_retired_label_id IF NOT EXISTS FOR (n:RetiredLabel) REQUIRE n.id IS UNIQUE"
        ).consume()
        session.run("CREATE INDEX someone_elses_index IF NOT EXISTS FOR (n:Other) ON (n.x)").consume()
    kept = apply_schema(clean_db, "neo4j")
    assert kept.extra == ["mkg_retired_label_id"]  # reported, not dropped
    pruned = apply_schema(clean_db, "neo4j", prune=True)
    assert pruned.extra == ["mkg_retired_label_id"]
    with clean_db.session() as session:
        names = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")}
        indexes = {r["name"] for r in session.run("SHOW INDEXES YIELD name RETURN name")}
        session.run("DROP INDEX someone_elses_index IF EXISTS").consume()
    assert "mkg_retired_label_id" not in names
    assert "someone_elses_index" in indexes  # not ours: left alone


def test_two_writers_on_partitions_write_the_graph_one_writer_writes(clean_db, neo4j_settings):
    """2,000 firms and 12,000 stakes in batches of 150: every relationship type's rows are split into
    buckets of node partitions and written by two writers; the graph equals a one-writer load's, on a
    first load (all CREATE) and on a reload (all MERGE on fact_id)."""
    import random

    from minerals_kg.backends.neo4j.loader import write_elements
    from minerals_kg.elements import GraphElements

    rng = random.Random(3)
    firms = [(f"f{i}", ("Firm",), {"id": f"f{i}", "name": f"Firm {i}"}) for i in range(2000)]
    stakes = [
        (f"f{rng.randrange(2000)}", "OWNS", f"f{rng.randrange(2000)}", {"share": rng.randrange(1, 100) / 100})
        for _ in range(12_000)
    ]
    elements = GraphElements(firms, stakes)
    one = write_elements(neo4j_settings, elements, wipe=True, progress=False, batch_size=150, workers=1)
    expected = dump(clean_db)
    assert len(expected[1]) == one.relationships_written == len(set(map(str, stakes)))
    two = write_elements(neo4j_settings, elements, wipe=True, progress=False, batch_size=150, workers=2)
    assert dump(clean_db) == expected and two.relationships_written == one.relationships_written
    again = write_elements(neo4j_settings, elements, progress=False, batch_size=150, workers=2)
    assert dump(clean_db) == expected and again.relationships_deleted == 0
    with clean_db.session() as session:
        assert session.run("MATCH ()-[r:OWNS]->() WHERE r.fact_id IS NULL RETURN count(r) AS n").single()["n"] == 0
    wipe(clean_db)

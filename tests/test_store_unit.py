"""The Neo4j layer's pure parts: query headers, write detection, version gate, generated schema."""

from __future__ import annotations

import pytest

from minerals_kg.store.config import Neo4jError, Neo4jSettings
from minerals_kg.store.loader import fact_id, node_query, relationship_query
from minerals_kg.store.queries import QueryError, get_query, library
from minerals_kg.store.schema import check_version, desired_schema
from minerals_kg.ontology import load_ontology

REQUIRED_QUERIES = {"concentration", "chokepoints", "coverage_matrix", "alliance_members", "instruments_for_mineral",
                    "firms_for_mineral", "country_profile", "end_use_exposure"}


def test_the_library_has_the_standard_questions_with_headers():
    lib = library()
    assert REQUIRED_QUERIES <= set(lib)
    for spec in lib.values():
        assert spec.description and spec.returns and spec.text
        assert not spec.writes, spec.name  # the shipped library is read-only


def test_parameters_are_typed_and_defaulted():
    spec = get_query("concentration")
    assert spec.bind({"year": "2024", "mineral": "lithium"}) == {
        "mineral": "lithium", "stage": None, "year": 2024, "edition": None}
    assert get_query("coverage_matrix").bind({"include_host": "false"})["include_host"] is False
    with pytest.raises(QueryError, match="expected a boolean"):
        get_query("coverage_matrix").bind({"include_host": "maybe"})


def test_write_clauses_are_detected_but_not_inside_strings_or_comments(tmp_path, monkeypatch):
    (tmp_path / "reads.cypher").write_text("// name: reads\n// description: d\n// returns: x\n"
                                           "MATCH (n) WHERE n.name = 'CREATE SET DELETE' RETURN n.id AS x // MERGE\n")
    (tmp_path / "writes.cypher").write_text("// name: writes\n// description: d\n// returns: x\n"
                                            "MATCH (n) detach delete n RETURN 1 AS x\n")
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    assert not get_query("reads").writes
    assert get_query("writes").writes


def test_a_user_folder_cannot_replace_a_shipped_query(tmp_path, monkeypatch):
    (tmp_path / "concentration.cypher").write_text("// name: concentration\n// description: evil\n// returns: x\nMATCH (n) DETACH DELETE n\n")
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    assert not get_query("concentration").writes


@pytest.mark.parametrize("version", ["5.26.0", "5.26.31", "2025.01.0", "2025.10.1", "2026.10.2"])
def test_supported_versions(version):
    check_version(version, "community")


@pytest.mark.parametrize("version", ["4.4.30", "5.13.0", "5.25.1", "3.5.0", "nonsense"])
def test_unsupported_versions_are_refused_clearly(version):
    with pytest.raises(Neo4jError, match="not supported: minerals-kg needs Neo4j 5.26 LTS"):
        check_version(version, "community")


def test_schema_is_derived_from_the_ontology():
    items = desired_schema()
    constraints = {i.label for i in items if i.kind == "constraint"}
    assert constraints == set(load_ontology().labels)
    country = next(i for i in items if i.label == "Country" and i.kind == "constraint")
    assert country.create() == "CREATE CONSTRAINT mkg_country_id IF NOT EXISTS FOR (n:Country) REQUIRE (n.id) IS UNIQUE"


def test_generated_cypher_merges_on_labelled_keys_only():
    onto = load_ontology()
    q = node_query(("PolicyInstrument", "ExportControl"), onto)
    assert q.startswith("UNWIND $rows AS row MERGE (n:PolicyInstrument {id: row.id}) SET n = row.props")
    assert q.endswith("SET n:ExportControl")
    r = relationship_query("PRODUCES", "Country", "Mineral", onto)
    assert "MATCH (a:Country {id: row.start}) MATCH (b:Mineral {id: row.end})" in r
    assert "MERGE (a)-[r:PRODUCES {fact_id: row.fact_id}]->(b)" in r
    with pytest.raises(ValueError):
        node_query(("Country`) DETACH DELETE (x",), onto)


def test_fact_ids_are_stable_and_content_addressed():
    a = fact_id("CHN", "PRODUCES", "gallium", {"year": 2024, "stage": "refining"})
    assert a == fact_id("CHN", "PRODUCES", "gallium", {"stage": "refining", "year": 2024})
    assert a != fact_id("CHN", "PRODUCES", "gallium", {"year": 2025, "stage": "refining"})


def test_the_password_never_appears_in_settings_repr(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-password")
    settings = Neo4jSettings.from_env("bolt://127.0.0.1:7687")
    assert "s3cret-password" not in repr(settings)


def test_a_missing_password_is_one_clear_error(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(Neo4jError, match="NEO4J_PASSWORD is not set"):
        Neo4jSettings.from_env()

"""The Neo4j layer's pure parts: query headers, write detection, version gate, generated schema."""

from __future__ import annotations

import datetime as dt

import pytest

from minerals_kg.backends.neo4j.config import Neo4jError, Neo4jSettings
from minerals_kg.backends.neo4j.library import QueryError, get_query, library, stale_queries, sync_fragments
from minerals_kg.backends.neo4j.loader import (
    Job,
    fact_id,
    group_rows,
    node_query,
    relationship_create_query,
    relationship_jobs,
    relationship_query,
    run_jobs,
)
from minerals_kg.backends.neo4j.schema import check_version, desired_schema
from minerals_kg.errors import InvalidArgument, InvalidArguments
from minerals_kg.ontology import load_ontology

REQUIRED_QUERIES = {
    "concentration",
    "chokepoints",
    "coverage_matrix",
    "alliance_members",
    "instruments_for_mineral",
    "firms_for_mineral",
    "country_profile",
    "end_use_exposure",
}


def test_the_library_has_the_standard_questions_with_headers():
    lib = library()
    assert not lib.problems
    assert set(lib.queries) >= REQUIRED_QUERIES
    for spec in lib.queries.values():
        assert spec.description and spec.returns and spec.text


def test_parameters_are_typed_and_defaulted():
    spec = get_query("concentration")
    assert spec.bind({"year": "2024", "mineral": "lithium"}) == {
        "mineral": "lithium",
        "stage": None,
        "year": 2024,
        "edition": None,
    }
    assert get_query("coverage_matrix").bind({"include_host": "false"})["include_host"] is False
    assert get_query("coverage_matrix").bind({"as_of": "2025-01"})["as_of"] == dt.date(2025, 1, 1)  # a Neo4j DATE
    assert get_query("scenario_supply_loss").bind({"kinds": "export_control,tariff", "imposer": "chn"}) == {
        "imposer": "CHN",
        "kinds": ["export_control", "tariff"],
        "alliance": "ministerial_2026",
        "as_of": None,
        "include_host": True,
    }


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        (
            "coverage_matrix",
            {"include_host": "maybe"},
            "coverage_matrix: include_host: expected a boolean (true, false), got 'maybe'",
        ),
        (
            "coverage_matrix",
            {"as_of": "2025-13-01"},
            "coverage_matrix: as_of: expected a calendar date YYYY-MM-DD (month 1-12, a day that exists), got '2025-13-01'",
        ),
        ("concentration", {"stage": "smelting"}, "concentration: stage: expected a stage"),
        ("concentration", {"year": "twenty"}, "concentration: year: expected an integer, got 'twenty'"),
        ("chokepoints", {"cr1": "2"}, "chokepoints: cr1: expected a number between 0 and 1, got 2"),
        (
            "country_profile",
            {"country": "Atlantis"},
            "country_profile: country: expected an ISO 3166-1 alpha-3 country code",
        ),
        ("instruments_for_mineral", {"kind": "bribe"}, "instruments_for_mineral: kind: expected an instrument kind"),
        ("concentration", {"colour": "red"}, "concentration: parameter: expected one of the query's parameters"),
    ],
)
def test_bad_parameters_are_one_precise_error_before_any_server(query, params, message):
    with pytest.raises(InvalidArgument) as exc:
        get_query(query).bind(params)
    assert str(exc.value).startswith(message)


def test_every_bad_parameter_is_reported_together():
    with pytest.raises(InvalidArguments) as exc:
        get_query("concentration").bind({"stage": "smelting", "year": "x"})
    assert len(exc.value.problems) == 2


def test_fragments_are_written_once_and_every_copy_is_in_sync():
    assert stale_queries() == []
    members = [p for p in library().queries.values() if "// @fragment members" in p.text]
    assert {q.name for q in members} == {"alliance_members", "coverage_matrix", "scenario_supply_loss"}
    shares = {q.name for q in library().queries.values() if "// @fragment shares" in q.text}
    assert {"concentration", "chokepoints", "coverage_matrix", "scenario_supply_loss"} <= shares


def test_sync_replaces_only_the_marked_fragment():
    text = "MATCH (n)\n// @fragment f (old note)\nOLD\n// @end f\nRETURN n"
    assert sync_fragments(text, {"f": "NEW"}) == (
        "MATCH (n)\n// @fragment f (from _fragments/f.cypher; edit it there)\nNEW\n// @end f\nRETURN n"
    )


def test_a_user_folder_cannot_replace_a_shipped_query(tmp_path, monkeypatch):
    (tmp_path / "concentration.cypher").write_text(
        "// name: concentration\n// description: evil\n// returns: x\nMATCH (n) DETACH DELETE n\n"
    )
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    assert "DETACH" not in get_query("concentration").text


def test_a_stray_file_without_a_header_breaks_only_itself(tmp_path, monkeypatch):
    (tmp_path / "stray.cypher").write_text("MATCH (n) RETURN n\n")
    monkeypatch.setenv("MINERALS_KG_QUERIES", str(tmp_path))
    lib = library()
    assert "concentration" in lib.queries and "stray" not in lib.queries
    assert "stray.cypher:1: name: expected a header line '// name: stray'" in next(iter(lib.problems.values()))
    with pytest.raises(QueryError, match=r"stray\.cypher:1: name"):
        get_query("stray")
    get_query("concentration")


def test_an_unknown_query_name_is_one_error_listing_the_library():
    with pytest.raises(InvalidArgument, match=r"query: expected a query of the library .*got 'nope'"):
        get_query("nope")


@pytest.mark.parametrize("version", ["5.26.0", "5.26.31", "2025.01.0", "2025.10.1", "2026.10.2"])
def test_supported_versions(version):
    check_version(version, "community")


@pytest.mark.parametrize("version", ["4.4.30", "5.13.0", "5.25.1", "3.5.0", "nonsense"])
def test_unsupported_versions_are_refused_clearly(version):
    with pytest.raises(Neo4jError, match=r"not supported: minerals-kg needs Neo4j 5\.26 LTS"):
        check_version(version, "community")


def test_schema_is_derived_from_the_ontology():
    items = desired_schema()
    constraints = {i.label for i in items if i.kind == "constraint"}
    assert constraints == set(load_ontology().labels) | set(load_ontology().system_labels)
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


def test_relationships_proven_absent_are_created_between_labelled_ends():
    onto = load_ontology()
    q = relationship_create_query("PRODUCES", "Country", "Mineral", onto)
    assert "MATCH (a:Country {id: row.start}) MATCH (b:Mineral {id: row.end})" in q
    assert q.endswith("CREATE (a)-[r:PRODUCES]->(b) SET r = row.props, r.fact_id = row.fact_id")
    with pytest.raises(ValueError):
        relationship_create_query("PRODUCES]->() DETACH DELETE (x", "Country", "Mineral", onto)


def test_a_fact_listed_twice_is_one_row_as_merge_would_make_it_one_relationship():
    from minerals_kg.bulk_load import ElementStream
    from minerals_kg.elements import GraphElements

    fact = ("CHN", "PRODUCES", "gallium", {"year": 2024, "stage": "refining"})
    other = ("CHN", "PRODUCES", "gallium", {"year": 2025, "stage": "refining"})
    elements = GraphElements(
        [("CHN", ("Country",), {"id": "CHN"}), ("gallium", ("Mineral",), {"id": "gallium"})], [fact, other, fact]
    )
    _, rels = group_rows(elements)
    rows = rels[("PRODUCES", "Country", "Mineral")]
    assert [r["fact_id"] for r in rows] == [fact_id(*fact), fact_id(*other)]
    stream = ElementStream(elements)
    assert [r.id for r in stream.iter_relationships()] == [fact_id(*fact), fact_id(*other)]
    assert stream.duplicates == 1


def test_fact_ids_are_stable_and_content_addressed():
    a = fact_id("CHN", "PRODUCES", "gallium", {"year": 2024, "stage": "refining"})
    assert a == fact_id("CHN", "PRODUCES", "gallium", {"stage": "refining", "year": 2024})
    assert a != fact_id("CHN", "PRODUCES", "gallium", {"year": 2025, "stage": "refining"})


def test_fact_ids_hash_exactly_the_text_json_dumps_gives():
    import hashlib
    import json

    facts = [
        ("CHN", "PRODUCES", "gallium", {"year": 2024, "share": 0.985, "stage": "refining"}),
        (
            "COD",
            "EXPORTS_TO",
            "CHN",
            {"value_usd": 1.5e9, "hs": ["2605", "8105"], "note": "cobalt, « intermédiaires »"},
        ),
        ("f1", "OWNS", "f2", {"since": dt.date(2024, 5, 1), "share": float("nan"), "x": None, "flag": True}),
    ]
    for start, rel, end, props in facts:
        text = json.dumps([start, rel, end, props], sort_keys=True, default=str, ensure_ascii=False)
        assert fact_id(start, rel, end, props) == hashlib.sha1(text.encode("utf-8")).hexdigest()


class _Session:
    """A session that records which batches run at the same time (the scheduler's view of the server)."""

    def __init__(self, log):
        self.log = log

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def execute_write(self, work):
        return work(self)

    def run(self, query, rows):
        import time

        job = next(j for j in self.log["jobs"] if j.rows is rows)
        with self.log["lock"]:
            self.log["running"].append(job)
            self.log["overlaps"].append(list(self.log["running"]))
        time.sleep(0.002)
        with self.log["lock"]:
            self.log["running"].remove(job)
        if job.query == "fail":
            raise RuntimeError("batch failed")
        return self

    def consume(self):
        return None


class _Driver:
    def __init__(self, jobs):
        import threading

        self.log = {"jobs": jobs, "running": [], "overlaps": [], "lock": threading.Lock()}

    def session(self, **_):
        return _Session(self.log)


def test_parallel_writers_never_run_two_batches_that_claim_the_same_partition():
    jobs = [Job(f"q{i}", [{"i": i}], "relationships", frozenset({i % 4, (i * 3) % 4})) for i in range(40)]
    jobs += [Job("exclusive", [{"i": "x"}], "relationships", frozenset(range(4)))]
    jobs += [Job("node", [{"i": n}], "nodes") for n in range(10)]
    driver = _Driver(jobs)
    done = []
    run_jobs(driver, "neo4j", jobs, 3, done.append)
    assert sorted(map(id, done)) == sorted(map(id, jobs))  # every batch once, reported in this thread
    for running in driver.log["overlaps"]:
        claimed = [p for job in running for p in job.parts]
        assert len(claimed) == len(set(claimed)), running
    assert any(len(r) > 1 for r in driver.log["overlaps"])  # and they did run side by side


def test_a_failed_batch_stops_the_writers_and_is_raised():
    jobs = [Job("q", [{"i": i}], "relationships", frozenset({i % 2})) for i in range(20)]
    jobs[3] = Job("fail", [{"i": 3}], "relationships", frozenset({1}))
    done = []
    with pytest.raises(RuntimeError, match="batch failed"):
        run_jobs(_Driver(jobs), "neo4j", jobs, 2, done.append)
    assert 0 < len(done) < 19


def test_relationship_rows_split_by_the_partitions_of_both_ends():
    """Four nodes in two partitions: a0, a1 in 0 and b0, b1 in 1 (by position), batch size 1."""
    onto = load_ontology()
    parts = {"a0": 0, "b0": 1, "a1": 0, "b1": 1}
    rows = [
        {"start": s, "end": e, "fact_id": f"{s}{e}", "props": {}}
        for s, e in [("b1", "a0"), ("a0", "a1"), ("a1", "b0"), ("b0", "b1"), ("a0", "b1"), ("b1", "b0")]
    ]
    rels = {("OWNS", "Firm", "Firm"): rows}
    jobs = relationship_jobs(_Reader(), "neo4j", rels, onto, 1, parts=parts)
    got = [([r["fact_id"] for r in j.rows], sorted(j.parts)) for j in jobs]
    assert got == [
        (["a0a1"], [0]),
        (["a0b1"], [0, 1]),
        (["a1b0"], [0, 1]),
        (["b1a0"], [0, 1]),
        (["b0b1"], [1]),
        (["b1b0"], [1]),
    ]
    # too few rows for a batch per bucket: one bucket that claims every partition
    jobs = relationship_jobs(_Reader(), "neo4j", rels, onto, 10, parts=parts)
    assert [(len(j.rows), sorted(j.parts)) for j in jobs] == [(6, [0, 1])]
    assert [r["start"] for r in jobs[0].rows] == ["a0", "a0", "a1", "b0", "b1", "b1"]  # sorted by start node


class _Reader:
    """An empty database for the pre-read of fact ids."""

    def session(self, **_):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_read(self, work):
        return []


def test_the_password_never_appears_in_settings_repr(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-password")
    settings = Neo4jSettings.from_env("bolt://127.0.0.1:7687")
    assert "s3cret-password" not in repr(settings)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://x:7687", "expected a URI with scheme bolt"),
        ("bolt://neo4j:s3cret@host:7687", "expected a URI without credentials"),
        ("bolt://host:99999", "expected a URI with a host and a port in 1-65535"),
    ],
)
def test_bad_uris_are_refused_without_echoing_a_password(monkeypatch, uri, message):
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-password")
    with pytest.raises(InvalidArgument, match=message) as exc:
        Neo4jSettings.from_env(uri)
    assert "s3cret" not in str(exc.value)


def test_a_missing_password_is_one_clear_error(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(Neo4jError, match="NEO4J_PASSWORD is not set"):
        Neo4jSettings.from_env()

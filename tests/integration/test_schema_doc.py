"""The README's schema section is the live database's schema: every label, relationship type and end
labels, every property and its Neo4j type, both ways, on the loaded shipped data. A relationship type
may take several README rows (PRODUCES of countries, of firms, of facilities); its properties are
compared as the union over its rows."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from minerals_kg.backends.neo4j.loader import load
from minerals_kg.ontology import load_ontology

from ..conftest import REPO
from .conftest import SHIPPED

pytestmark = pytest.mark.integration

PROPERTY = re.compile(r"`([a-z_0-9]+)` (STRING|INTEGER|FLOAT|BOOLEAN|DATE|LIST<STRING>)")
NOT_YET = "declared, not yet in the data:"
COMMON = {("fact_id", "STRING"), ("source", "STRING"), ("confidence", "STRING")}


def schema_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Schema (for analysts)") : text.index("## Data sources and licences")]


def table_rows(section: str, header: str) -> list[list[str]]:
    lines = section[section.index(header) :].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def properties(cell: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(documented as loaded, declared but not yet in the data)."""
    loaded, _, later = cell.partition(NOT_YET)
    return set(PROPERTY.findall(loaded)), set(PROPERTY.findall(later))


def documented_nodes() -> dict[str, tuple[set, set, set]]:
    out = {}
    for label_cell, props in table_rows(schema_section(), "| label | properties"):
        names = re.findall(r"`(\w+)`", label_cell)
        out[names[0]] = (*properties(props), set(names[1:]))
    return out


def documented_relationships() -> dict[str, tuple[set, set, set]]:
    """Type -> (end label pairs, properties as loaded, declared but not yet in the data)."""
    out: dict[str, tuple[set, set, set]] = defaultdict(lambda: (set(), set(), set()))
    for rel_cell, ends, props in table_rows(schema_section(), "| relationship | from → to"):
        rel = re.findall(r"`(\w+)`", rel_cell)[0]
        loaded, later = properties(props)
        pairs, have, lack = out[rel]
        have |= loaded | (COMMON if rel != "SOURCED_FROM" else {("fact_id", "STRING")})
        lack |= later
        for group in ends.split(";"):
            starts, _, finishes = group.partition("→")
            pairs |= {(a, b) for a in re.findall(r"`(\w+)`", starts) for b in re.findall(r"`(\w+)`", finishes)}
    return dict(out)


@pytest.fixture(scope="module")
def live(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False)
    top = sorted(load_ontology().labels)
    nodes: dict[str, set] = defaultdict(set)
    sublabels: dict[str, set] = defaultdict(set)
    rels: dict[str, set] = defaultdict(set)
    ends: dict[str, set] = defaultdict(set)
    with clean_db.session() as session:
        for r in session.run(
            "MATCH (n) WITH n, [l IN labels(n) WHERE l IN $top][0] AS label WHERE label IS NOT NULL "
            "UNWIND keys(n) AS key RETURN DISTINCT label, key, replace(valueType(n[key]), ' NOT NULL', '') AS type",
            top=top,
        ):
            nodes[r["label"]].add((r["key"], r["type"]))
        for r in session.run(
            "MATCH (n) UNWIND labels(n) AS other WITH [l IN labels(n) WHERE l IN $top][0] AS label, other "
            "WHERE NOT other IN $top RETURN DISTINCT label, other",
            top=top,
        ):
            sublabels[r["label"]].add(r["other"])
        for r in session.run(
            "MATCH (a)-[x]->(b) WITH [l IN labels(a) WHERE l IN $top][0] AS a, type(x) AS rel, x, "
            "[l IN labels(b) WHERE l IN $top][0] AS b UNWIND keys(x) AS key "
            "RETURN DISTINCT rel, a, b, key, replace(valueType(x[key]), ' NOT NULL', '') AS type",
            top=top,
        ):
            rels[r["rel"]].add((r["key"], r["type"]))
            ends[r["rel"]].add((r["a"], r["b"]))
    return nodes, sublabels, (rels, ends)


def test_the_readme_lists_every_label_with_its_properties_and_types(live):
    nodes, sublabels, _ = live
    documented = documented_nodes()
    assert set(documented) == set(nodes) == set(load_ontology().labels)
    for label, (loaded, later, subs) in documented.items():
        assert loaded == nodes[label], (label, loaded ^ nodes[label])
        assert not later & nodes[label], label
        assert sublabels[label] <= subs <= set(load_ontology().instrument_labels.values()), label


def test_the_readme_lists_every_relationship_with_its_ends_properties_and_types(live):
    _, _, (rels, ends) = live
    documented = documented_relationships()
    assert set(documented) == set(rels)
    for rel, (pairs, loaded, later) in documented.items():
        assert pairs == ends[rel], (rel, pairs ^ ends[rel])
        assert loaded == rels[rel], (rel, loaded ^ rels[rel])
        assert not later & rels[rel], rel


def test_what_the_readme_declares_but_the_data_lacks_is_in_the_ontology():
    onto = load_ontology()
    for label, (_, later, _) in documented_nodes().items():
        assert {name for name, _ in later} <= onto.node_properties[label]
    for rel, (_, _, later) in documented_relationships().items():
        assert {name for name, _ in later} <= onto.edge_properties[rel]

"""Neo4j schema derived from the ontology, diffed against ``SHOW CONSTRAINTS`` / ``SHOW INDEXES``.

Every label gets a uniqueness constraint on its key property (``id``); the relationships the
analyses filter on get range indexes; names and ids get one full-text index. Names are derived and
readable (``mkg_country_id``, ``mkg_produces_stage_year_edition``, ``mkg_name_fulltext``), so the
diff can tell ours from anything else on the server and leaves the latter alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...ontology import Ontology, load_ontology
from .config import Neo4jError

PREFIX = "mkg_"
SUPPORTED = "Neo4j 5.26 LTS or a CalVer release (2025.01 or later)"


@dataclass(frozen=True, order=True)
class SchemaItem:
    name: str
    kind: str  # "constraint" | "index" | "fulltext"
    entity: str  # "node" | "relationship"
    label: str  # label or relationship type (from the ontology)
    properties: tuple[str, ...]

    def create(self) -> str:
        pattern = f"(n:{self.label})" if self.entity == "node" else f"()-[n:{self.label}]-()"
        props = ", ".join(f"n.{p}" for p in self.properties)
        if self.kind == "constraint":
            return f"CREATE CONSTRAINT {self.name} IF NOT EXISTS FOR {pattern} REQUIRE ({props}) IS UNIQUE"
        if self.kind == "fulltext":
            return f"CREATE FULLTEXT INDEX {self.name} IF NOT EXISTS FOR {pattern} ON EACH [{props}]"
        return f"CREATE INDEX {self.name} IF NOT EXISTS FOR {pattern} ON ({props})"

    def drop(self) -> str:
        return f"DROP {'CONSTRAINT' if self.kind == 'constraint' else 'INDEX'} {self.name} IF EXISTS"


#: Relationship and node properties the analyses and the query library filter on.
INDEXED: list[tuple[str, str, tuple[str, ...]]] = [
    ("relationship", "PRODUCES", ("stage", "year", "edition")),
    ("relationship", "MEMBER_OF", ("since", "until")),
    ("node", "PolicyInstrument", ("kind", "status")),
]


FULLTEXT_NAME = f"{PREFIX}name_fulltext"
"""The full-text index on names and ids: ``CALL db.index.fulltext.queryNodes('mkg_name_fulltext', 'lynas')``."""
FULLTEXT_PROPERTIES = ("id", "name", "title")


def snake(name: str) -> str:
    """A label or relationship type as a readable part of a name.

    >>> snake("PolicyInstrument"), snake("MEMBER_OF"), snake("EndUse")
    ('policy_instrument', 'member_of', 'end_use')
    """
    if name.isupper():
        return name.lower()
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def desired_schema(ontology: Ontology | None = None) -> list[SchemaItem]:
    onto = ontology or load_ontology()
    items = [
        SchemaItem(f"{PREFIX}{snake(label)}_id", "constraint", "node", onto.check_label(label), ("id",))
        for label in sorted(onto.labels)
    ]
    items += [  # the load marker (a system class): one node per graph, found by its key
        SchemaItem(f"{PREFIX}{snake(label)}_{key}", "constraint", "node", onto.check_system_label(label), (key,))
        for label, key in sorted(onto.system_labels.items())
    ]
    for entity, label, props in INDEXED:
        label = onto.check_type(label) if entity == "relationship" else onto.check_label(label)
        name = f"{PREFIX}{snake(label)}_{'_'.join(props)}"
        items.append(SchemaItem(name, "index", entity, label, props))
    named = "|".join(sorted(label for label in onto.labels if onto.node_properties[label] & {"name", "title"}))
    items.append(SchemaItem(FULLTEXT_NAME, "fulltext", "node", named, FULLTEXT_PROPERTIES))
    return sorted(items)


def parse_version(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def check_version(version: str, edition: str = "") -> None:
    """Refuse servers older than 5.26 (Neo4j is CalVer since 2025: 2025.01, 2026.x, ...)."""
    v = parse_version(version)
    if not v or (v[0] == 5 and v[:2] < (5, 26)) or v[0] < 5 or (5 < v[0] < 2025):
        raise Neo4jError(
            f"Neo4j {version} {edition} is not supported: minerals-kg needs {SUPPORTED}".replace("  ", " ")
        )


def server_version(session) -> tuple[str, str]:
    record = session.run(
        "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS v, edition"
    ).single()
    return record["v"], record["edition"]


@dataclass(frozen=True)
class SchemaDiff:
    missing: list[SchemaItem]
    extra: list[str]  # names of mkg_* constraints/indexes the ontology no longer has
    present: list[str]


def _existing(session) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Name -> (kind, labels or types, properties) of every constraint and index not owned by a constraint."""
    have = {
        r["name"]: ("constraint", tuple(r["labelsOrTypes"] or ()), tuple(r["properties"] or ()))
        for r in session.run("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties RETURN *")
    }
    for r in session.run(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint "
        "WHERE owningConstraint IS NULL RETURN name, type, labelsOrTypes, properties"
    ):
        kind = "fulltext" if r["type"] == "FULLTEXT" else "index"
        have[r["name"]] = (kind, tuple(r["labelsOrTypes"] or ()), tuple(r["properties"] or ()))
    return have


def diff_schema(session, ontology: Ontology | None = None) -> SchemaDiff:
    want = desired_schema(ontology)
    have = _existing(session)
    wanted = {i.name for i in want}
    return SchemaDiff(
        missing=[i for i in want if i.name not in have],
        extra=sorted(n for n in have if n.startswith(PREFIX) and n not in wanted),
        present=sorted(n for n in have if n in wanted),
    )


def apply_schema(driver, database: str, *, prune: bool = False, ontology: Ontology | None = None) -> SchemaDiff:
    """Create what the ontology needs and the server lacks; drop stale ``mkg_*`` items with ``prune``.

    One of ours under an older name (``mkg_m_e_m_b_e_r__o_f_since_until`` before names were made
    readable) is replaced by the readable one: Neo4j keeps one index per schema, so it must go first.
    """
    with driver.session(database=database) as session:
        check_version(*server_version(session))
        diff = diff_schema(session, ontology)
        have = _existing(session)
        for item in diff.missing:
            shape = (item.kind, tuple(item.label.split("|")), item.properties)
            for name, (kind, labels, props) in have.items():
                if name.startswith(PREFIX) and name in diff.extra and (kind, labels, props) == shape:
                    session.run(f"DROP {'CONSTRAINT' if kind == 'constraint' else 'INDEX'} {name} IF EXISTS").consume()
                    diff.extra.remove(name)
            session.run(item.create()).consume()
        if prune:
            for name in diff.extra:
                kind = (
                    "CONSTRAINT"
                    if name in {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")}
                    else "INDEX"
                )
                session.run(f"DROP {kind} {name} IF EXISTS").consume()  # name from SHOW, prefixed mkg_
    return diff

"""``minerals_kg.open("neo4j://...")``: the same API over a Neo4j server.

The analyses are the same Python functions; this projection feeds them the same tables the embedded
graph does, read with fixed Cypher in read-only transactions.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from ..graph import Projection
from .config import Neo4jError, Neo4jSettings
from .schema import check_version, server_version

PRODUCTION = """
MATCH (a)-[p:PRODUCES]->(m:Mineral) WHERE a:Country OR a:Aggregate
RETURN m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition, a.id AS country,
       CASE WHEN a:Country THEN 'Country' ELSE 'Aggregate' END AS country_label, p.quantity AS quantity,
       p.unit AS unit, p.basis AS basis, p.share AS share, p.estimated AS estimated,
       p.value_status AS value_status, p.source AS source, p.confidence AS confidence
"""
MEMBERSHIPS = """
MATCH (m)-[r:MEMBER_OF]->(o:Organisation)
RETURN m.id AS member, CASE WHEN m:Country THEN 'Country' ELSE 'Organisation' END AS member_label,
       o.id AS organisation, r.since AS since, r.until AS until, r.role AS role
"""
PARTICIPATIONS = """
MATCH (p)-[r:PARTICIPATED_IN]->(e:Event)
RETURN p.id AS participant, CASE WHEN p:Country THEN 'Country' ELSE 'Organisation' END AS participant_label,
       e.id AS event, r.role AS role
"""
NODE_LABEL = "MATCH (n:Organisation|Event|Country|EndUse {id: $id}) RETURN labels(n)[0] AS label LIMIT 1"
ALLIANCE_IDS = "MATCH (n:Organisation|Event) RETURN n.id AS id ORDER BY id"
EVENT_DATE = "MATCH (e:Event {id: $id}) RETURN e.start AS start"
PARTS_OF = "MATCH (:Organisation {id: $id})-[:PART_OF]->(p:Organisation) RETURN p.id AS id"
FIRMS = "MATCH (f:Firm) OPTIONAL MATCH (f)-[:HEADQUARTERED_IN]->(c:Country) RETURN f.id AS id, f.name AS name, c.id AS hq"
FACILITIES = "MATCH (x:Facility) OPTIONAL MATCH (f:Firm)-[:OPERATES]->(x) RETURN x.id AS id, x.name AS name, f.id AS operator"
FIRM_ACTIVITIES = """
MATCH (f:Firm)-[p:PRODUCES]->(m:Mineral)
RETURN f.id AS firm, m.id AS mineral, p.stage AS stage, p.country AS country, p.facility AS facility, p.year AS year,
       p.quantity AS quantity, p.unit AS unit, p.basis AS basis, p.source AS source
"""
OWNERSHIP = "MATCH (o)-[r:OWNS]->(x) RETURN o.id AS owner, x.id AS owned, r.share AS share"
INSTRUMENTS = """
MATCH (i:PolicyInstrument)
OPTIONAL MATCH (imp)-[:IMPOSES]->(i)
OPTIONAL MATCH (i)-[:COVERS]->(m:Mineral)
OPTIONAL MATCH (i)-[:TARGETS]->(t)
WITH i, imp, collect(DISTINCT m.id) AS minerals, collect(DISTINCT t.id) AS targets
RETURN i.id AS id, i.name AS name, i.kind AS kind, imp.id AS imposer, i.status AS status, i.status_as_of AS status_as_of,
       i.announced AS announced, i.effective AS effective, i.ended AS ended, i.suspended_from AS suspended_from,
       i.suspended_until AS suspended_until, i.stages AS stages, i.target_scope AS target_scope, i.item_scope AS item_scope,
       minerals, targets
"""
END_USES = "MATCH (m:Mineral)-[:USED_IN]->(e:EndUse) RETURN DISTINCT m.id AS mineral, e.id AS end_use"
SOURCES = "MATCH (s:Source) RETURN s {.*} AS source ORDER BY s.id"
ALL_NODES = "MATCH (n) WHERE n.id IS NOT NULL RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
ALL_RELS = ("MATCH (a)-[r]->(b) WHERE a.id IS NOT NULL AND b.id IS NOT NULL "
            "RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props")


class Neo4jProjection:
    """The tables the analyses read, from Neo4j (same columns as :class:`minerals_kg.graph.Projection`)."""

    def __init__(self, driver, database: str = "neo4j"):  # type: ignore[no-untyped-def]
        self.driver = driver
        self.database = database

    def _rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        import neo4j

        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(lambda tx: [r.data() for r in tx.run(query, params)])

    def production(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(PRODUCTION), columns=Projection.PRODUCTION_COLUMNS).astype({"year": "Int64"})

    def memberships(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(MEMBERSHIPS), columns=Projection.MEMBERSHIP_COLUMNS)

    def participations(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(PARTICIPATIONS), columns=Projection.PARTICIPATION_COLUMNS)

    def node_label(self, node_id: str) -> str | None:
        rows = self._rows(NODE_LABEL, id=node_id)
        return rows[0]["label"] if rows else None

    def alliance_ids(self) -> list[str]:
        return [r["id"] for r in self._rows(ALLIANCE_IDS)]

    def event_date(self, event: str) -> str:
        return self._rows(EVENT_DATE, id=event)[0]["start"]

    def parts_of(self, organisation: str) -> list[str]:
        return [r["id"] for r in self._rows(PARTS_OF, id=organisation)]

    def firms(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(FIRMS), columns=["id", "name", "hq"])

    def facilities(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(FACILITIES), columns=["id", "name", "operator"])

    def firm_activities(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(FIRM_ACTIVITIES), columns=Projection.FIRM_ACTIVITY_COLUMNS)

    def ownership(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(OWNERSHIP), columns=["owner", "owned", "share"])

    def instruments(self) -> pd.DataFrame:
        rows = self._rows(INSTRUMENTS)
        for r in rows:
            r["minerals"], r["targets"] = sorted(r["minerals"]), sorted(r["targets"])
        return pd.DataFrame(rows, columns=Projection.INSTRUMENT_COLUMNS)

    def end_uses(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows(END_USES), columns=["mineral", "end_use"])

    def sources(self) -> pd.DataFrame:
        return pd.DataFrame([r["source"] for r in self._rows(SOURCES)])

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph read back into networkx, in the embedded store's shape."""
        g = nx.MultiDiGraph()
        for r in self._rows(ALL_NODES):
            labels = sorted(r["labels"], key=lambda label: label != _primary(r["labels"]))
            g.add_node(r["id"], label=labels[0], labels=labels, **r["props"])
        for r in self._rows(ALL_RELS):
            g.add_edge(r["start"], r["end"], type=r["type"], **r["props"])
        return g


def _primary(labels: list[str]) -> str:
    from ..ontology import load_ontology

    top = load_ontology().labels
    return next((label for label in labels if label in top), labels[0])


def open_neo4j(uri: str):  # type: ignore[no-untyped-def]
    """A KnowledgeGraph over a server; credentials from NEO4J_USER / NEO4J_PASSWORD."""
    import neo4j.exceptions as nxe

    from ..api import KnowledgeGraph

    settings = Neo4jSettings.from_env(uri)
    driver = settings.driver()
    try:
        driver.verify_connectivity()
        with driver.session(database=settings.database) as session:
            check_version(*server_version(session))
    except nxe.AuthError as exc:
        driver.close()
        raise Neo4jError(f"Neo4j at {uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD") from exc
    except (nxe.ServiceUnavailable, OSError) as exc:
        driver.close()
        raise Neo4jError(f"cannot reach Neo4j at {uri}: {exc}") from exc
    return KnowledgeGraph(None, Neo4jProjection(driver, settings.database), None, driver=driver, database=settings.database)

"""The contract's tables read from a Neo4j server, with fixed Cypher in read-only transactions.

:class:`Neo4jReader` implements :class:`minerals_kg.contract.GraphReader`; ``minerals_kg.open(uri)``
wraps it in the same :class:`~minerals_kg.api.KnowledgeGraph` as the embedded graph, so every
analysis is the same Python function fed the same frames.

Every read runs in one read transaction between two reads of the load marker
(:func:`.loadstate.consistent_read`): it returns the graph of one completed load, or fails with one
line while a load is in progress (or after one that did not finish). A server that cannot be
reached, or any other driver error, is one :class:`~.config.Neo4jError` line, never a driver exception.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from ...contract import TABLES
from ...errors import InvalidArgument, shorten
from ...ontology import load_ontology
from .config import Neo4jError, Neo4jSettings, first_line, native
from .library import query_type
from .loadstate import LoadInProgress, consistent_read
from .schema import check_version, server_version

__all__ = ["Neo4jReader", "connect", "native"]

TABLE_QUERIES: dict[str, str] = {
    "production": """
MATCH (a)-[p:PRODUCES]->(m:Mineral) WHERE a:Country OR a:Aggregate
RETURN m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition, a.id AS country,
       CASE WHEN a:Country THEN 'Country' ELSE 'Aggregate' END AS country_label, p.quantity AS quantity,
       p.unit AS unit, p.basis AS basis, p.product AS product, CASE WHEN p.share_stated THEN p.share END AS share,
       p.estimated AS estimated,
       p.value_status AS value_status, p.source AS source, p.confidence AS confidence""",
    "firm_activities": """
MATCH (f:Firm)-[p:PRODUCES]->(m:Mineral)
RETURN f.id AS firm, m.id AS mineral, p.stage AS stage, p.country AS country, p.facility AS facility, p.year AS year,
       p.quantity AS quantity, p.unit AS unit, p.basis AS basis, p.source AS source""",
    "memberships": """
MATCH (m)-[r:MEMBER_OF]->(o:Organisation)
RETURN m.id AS member, CASE WHEN m:Country THEN 'Country' ELSE 'Organisation' END AS member_label,
       o.id AS organisation, r.since AS since, r.until AS until, r.role AS role,
       coalesce(r.contested, false) AS contested""",
    "participations": """
MATCH (p)-[r:PARTICIPATED_IN]->(e:Event)
RETURN p.id AS participant, CASE WHEN p:Country THEN 'Country' ELSE 'Organisation' END AS participant_label,
       e.id AS event, r.role AS role""",
    "organisations": """
MATCH (o:Organisation) OPTIONAL MATCH (o)-[:PART_OF]->(p:Organisation)
RETURN o.id AS id, o.name AS name, o.kind AS kind, p.id AS parent, o.founded AS founded, o.dissolved AS dissolved""",
    "events": """
MATCH (e:Event) OPTIONAL MATCH (e)-[:LOCATED_IN]->(c:Country)
RETURN e.id AS id, e.name AS name, e.kind AS kind, e.start AS start, e.end AS end, c.id AS location""",
    "minerals": "MATCH (m:Mineral) OPTIONAL MATCH (m)-[:PART_OF]->(f:Mineral) RETURN m.id AS id, m.name AS name, f.id AS part_of",
    "imports": """
MATCH (i)-[r:IMPORTS_FROM]->(x)
RETURN i.id AS importer, CASE WHEN i:Country THEN 'Country' ELSE 'Organisation' END AS importer_label, x.id AS exporter,
       r.mineral AS mineral, r.stage AS stage, r.form AS form, r.year_from AS year_from, r.year_to AS year_to,
       r.share AS share, r.share_basis AS share_basis, r.quantity AS quantity, r.unit AS unit, r.value_usd AS value_usd,
       r.basis AS basis, r.rank AS rank, r.edition AS edition, r.source AS source, r.confidence AS confidence""",
    "import_reliance": """
MATCH (i)-[r:RELIES_ON_IMPORTS]->(m:Mineral)
RETURN i.id AS importer, m.id AS mineral, r.year AS year, r.stage AS stage, r.form AS form, r.reliance AS reliance,
       r.bound AS bound, r.edition AS edition, r.source AS source, r.confidence AS confidence""",
    "data_gaps": """
MATCH (m:Mineral)-[r:HAS_DATA_GAP]->(s:Source)
RETURN m.id AS mineral, r.stage AS stage, r.reason AS reason, s.id AS source, r.confidence AS confidence""",
    "instrument_amounts": """
MATCH (i:PolicyInstrument)-[r:HAS_AMOUNT]->(s:Source)
RETURN i.id AS instrument, r.amount AS amount, r.currency AS currency, r.component AS component, s.id AS source,
       r.confidence AS confidence""",
    "firms": "MATCH (f:Firm) OPTIONAL MATCH (f)-[:HEADQUARTERED_IN]->(c:Country) RETURN f.id AS id, f.name AS name, c.id AS hq",
    "facilities": "MATCH (x:Facility) OPTIONAL MATCH (f:Firm)-[:OPERATES]->(x) RETURN x.id AS id, x.name AS name, f.id AS operator",
    "ownership": "MATCH (o)-[r:OWNS]->(x) RETURN o.id AS owner, x.id AS owned, r.share AS share",
    "instruments": """
MATCH (i:PolicyInstrument)
OPTIONAL MATCH (imp)-[:IMPOSES]->(i)
OPTIONAL MATCH (i)-[:COVERS]->(m:Mineral)
OPTIONAL MATCH (i)-[:TARGETS]->(t)
WITH i, imp, collect(DISTINCT m.id) AS minerals, collect(DISTINCT t.id) AS targets
RETURN i.id AS id, i.name AS name, i.kind AS kind, imp.id AS imposer, i.status AS status, i.status_as_of AS status_as_of,
       i.announced AS announced, i.effective AS effective, i.ended AS ended, i.suspended_from AS suspended_from,
       i.suspended_until AS suspended_until, i.stages AS stages, i.target_scope AS target_scope, i.item_scope AS item_scope,
       minerals, targets""",
    "end_uses": "MATCH (m:Mineral)-[:USED_IN]->(e:EndUse) RETURN DISTINCT m.id AS mineral, e.id AS end_use",
    "sources": "MATCH (s:Source) RETURN s {.*} AS row ORDER BY s.id",
    "nodes": "MATCH (n) WHERE n.id IS NOT NULL RETURN n.id AS id, labels(n) AS labels",
}
ALL_NODES = "MATCH (n) WHERE n.id IS NOT NULL RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
ALL_RELS = (
    "MATCH (a)-[r]->(b) WHERE a.id IS NOT NULL AND b.id IS NOT NULL "
    "RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props"
)


def _primary(labels: list[str]) -> str:
    top = load_ontology().labels
    return next((label for label in labels if label in top), labels[0])


class Neo4jReader:
    """The contract's tables from a Neo4j server (see :class:`minerals_kg.contract.GraphReader`)."""

    backend = "neo4j"

    def __init__(self, driver: Any, database: str = "neo4j", uri: str = "", origin: str = ""):
        self.driver = driver
        self.database = database
        self.uri = uri
        self.origin = origin
        self.generation: int | None = None  # of the load the last read saw
        self.on_reload: Any = None  # called when a read sees a newer load than the one before (caches go)

    def _seen(self, generation: int) -> None:
        if self.generation is not None and generation != self.generation and callable(self.on_reload):
            self.on_reload()
        self.generation = generation

    def describe(self) -> str:
        """The server, database and why (never credentials)."""
        why = f" ({self.origin})" if self.origin else ""
        return f"Neo4j at {self.uri}, database {self.database}{why}"

    def read(self, work: Any) -> Any:
        """``work(tx)`` in one read transaction of a completed load's graph (see the module docstring)."""
        import neo4j
        import neo4j.exceptions as nxe

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return consistent_read(session, work, self.uri, seen=self._seen)
        except (nxe.ServiceUnavailable, nxe.SessionExpired, OSError) as exc:
            raise Neo4jError(f"cannot reach Neo4j at {self.uri}: {type(exc).__name__}: {first_line(exc)}") from None
        except nxe.Neo4jError as exc:
            raise Neo4jError(f"Neo4j at {self.uri} refused a read: {exc.code}: {first_line(exc)}") from None
        except nxe.DriverError as exc:
            raise Neo4jError(f"Neo4j at {self.uri}: {type(exc).__name__}: {first_line(exc)}") from None

    def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a fixed query, in a read-only transaction (Neo4j dates as ``datetime.date``)."""
        return self.read(lambda tx: [native(r.data()) for r in tx.run(query, params)])

    def table(self, name: str) -> pd.DataFrame:
        rows = self.rows(TABLE_QUERIES[name])
        if name == "sources":
            rows = [r["row"] for r in rows]
        elif name == "nodes":
            rows = [{"id": r["id"], "label": _primary(r["labels"])} for r in rows]
        elif name == "instruments":
            for r in rows:
                r["minerals"], r["targets"] = sorted(r["minerals"]), sorted(r["targets"])
        return TABLES[name].conform(rows)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph read back into networkx, in the embedded backend's shape."""
        node_rows, rel_rows = self.read(  # both in one transaction: one load's graph
            lambda tx: (
                [native(r.data()) for r in tx.run(ALL_NODES)],
                [native(r.data()) for r in tx.run(ALL_RELS)],
            )
        )
        g = nx.MultiDiGraph()
        for r in node_rows:
            labels = sorted(r["labels"], key=lambda label: label != _primary(r["labels"]))
            g.add_node(r["id"], label=labels[0], labels=labels, **r["props"])
        for r in rel_rows:
            g.add_edge(r["start"], r["end"], type=r["type"], **r["props"])
        return g

    def elements_of(self, text: str, where: str = "cypher") -> tuple[set[str], set[str]]:
        """The node ids and relationship fact ids a read-only query returns (as nodes, relationships or paths).

        The server judges whether the query writes (``EXPLAIN`` query type): anything but ``r`` is
        refused, and the query runs in a read-only transaction besides. Values nested in lists and
        maps count too.
        """
        import neo4j
        import neo4j.exceptions as nxe
        from neo4j.graph import Node, Path, Relationship

        node_ids: set[str] = set()
        rel_ids: set[str] = set()

        def collect(value: Any) -> None:
            if isinstance(value, Node):
                node_ids.add(value.element_id)
            elif isinstance(value, Relationship):
                rel_ids.add(value.element_id)
            elif isinstance(value, Path):
                node_ids.update(n.element_id for n in value.nodes)
                rel_ids.update(r.element_id for r in value.relationships)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    collect(item)
            elif isinstance(value, dict):
                for item in value.values():
                    collect(item)

        def run(tx: Any) -> tuple[list[dict], list[dict]]:
            node_ids.clear()
            rel_ids.clear()
            for record in tx.run(text):
                for value in record.values():
                    collect(value)
            nodes = tx.run("MATCH (n) WHERE elementId(n) IN $ids RETURN n.id AS id", ids=sorted(node_ids)).data()
            rels = tx.run(
                "MATCH (a)-[r]->(b) WHERE elementId(r) IN $ids RETURN a.id AS a, b.id AS b, r.fact_id AS fact_id",
                ids=sorted(rel_ids),
            ).data()
            return nodes, rels

        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument(where, "a Cypher query that returns nodes, relationships or paths", shorten(text))
        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                kind = query_type(session, text, {})
                if kind != "r":
                    raise InvalidArgument(
                        where, f"a read-only query (the server classes this one as '{kind}')", shorten(text)
                    )
                nodes, rels = consistent_read(session, run, self.uri, seen=self._seen)
        except LoadInProgress:
            raise
        except nxe.ClientError as exc:
            raise InvalidArgument(
                where, "a Cypher query the server accepts", f"{shorten(text)} ({exc.code}: {first_line(exc)})"
            ) from None
        except (nxe.ServiceUnavailable, nxe.SessionExpired, OSError) as exc:
            raise Neo4jError(f"cannot reach Neo4j at {self.uri}: {type(exc).__name__}") from None
        except nxe.DriverError as exc:
            raise Neo4jError(f"Neo4j at {self.uri}: {type(exc).__name__}: {first_line(exc)}") from None
        except nxe.Neo4jError as exc:
            raise Neo4jError(f"Neo4j at {self.uri} refused a read: {exc.code}: {first_line(exc)}") from None
        found_nodes = {r["id"] for r in nodes if r["id"] is not None}
        found_rels = {r["fact_id"] for r in rels if r["fact_id"] is not None}
        found_nodes |= {end for r in rels for end in (r["a"], r["b"]) if end is not None}
        if not found_nodes:
            raise InvalidArgument(
                where, "a query that returns nodes, relationships or paths of the graph", f"{shorten(text)} (none)"
            )
        return found_nodes, found_rels

    def close(self) -> None:
        self.driver.close()


def connect(settings: Neo4jSettings) -> Neo4jReader:
    """A reader over the server ``settings`` name, after checking credentials and its version."""
    import neo4j.exceptions as nxe

    driver = settings.driver()
    try:
        driver.verify_connectivity()
        with driver.session(database=settings.database) as session:
            check_version(*server_version(session))
    except nxe.AuthError as exc:
        driver.close()
        raise Neo4jError(
            f"Neo4j at {settings.safe_uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD"
        ) from exc
    except (nxe.ServiceUnavailable, nxe.SessionExpired, OSError) as exc:
        driver.close()
        raise Neo4jError(
            f"cannot reach Neo4j at {settings.safe_uri}: expected a server answering there"
            f"{f' ({settings.origin})' if settings.origin else ''}; start one with `minerals-kg neo4j start` "
            f"or set NEO4J_URI, got {type(exc).__name__}"
        ) from exc
    except (nxe.Neo4jError, nxe.DriverError) as exc:
        driver.close()
        raise Neo4jError(f"Neo4j at {settings.safe_uri}: {type(exc).__name__}: {first_line(exc)}") from None
    except BaseException:
        driver.close()
        raise
    return Neo4jReader(driver, settings.database, settings.safe_uri, settings.origin)

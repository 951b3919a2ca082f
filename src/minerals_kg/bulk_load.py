"""Bulk first load: the graph into an empty local Neo4j through ``neo4j-admin database import full``.

The online loader (:mod:`minerals_kg.backends.neo4j.loader`) writes through Bolt transactions and
works against any server; this path is the physical limit it is compared with, and the fast way to
a first load of a large graph. It writes the graph as the ``neo4j-admin`` CSV files of
:mod:`minerals_kg.export.neo4j_admin` (the same labels, properties, ``DATE`` and list types and
``fact_id`` as the online loader), then:

1. refuses unless the target is the local server of ``minerals-kg neo4j start`` (an import replaces
   a database's files, which only works on this machine with the server stopped) and its database
   is empty, or ``wipe`` is given: then the import replaces the *whole* database, nodes of any
   label included (Community Edition has one user database: it cannot be dropped and recreated);
2. stops the server, runs the importer (``org.neo4j.cli.AdminTool`` from the same Maven artifacts
   the server runs from, ``--overwrite-destination``; no password is needed or passed), starts the
   server again on the same ports, whatever the import's outcome;
3. creates the schema (constraints and indexes, waiting until they are online) and checks that the
   database holds exactly the nodes and relationships written.

Relationship rows are deduplicated on ``fact_id``, as the online loader's ``MERGE`` would make two
copies of one fact one relationship; the result equals an online load of the same elements.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .backends.neo4j import loadstate, server
from .backends.neo4j.config import Neo4jError, Neo4jSettings
from .backends.neo4j.schema import apply_schema
from .backends.neo4j.state import home_dir, read_state
from .elements import GraphElements, fact_id
from .errors import InvalidArgument
from .export.neo4j_admin import import_arguments, write_neo4j_admin
from .subgraph import Node, Relationship

__all__ = ["BulkReport", "ElementStream", "bulk_load", "check_local"]


@dataclass
class BulkReport:
    """What a bulk load did, with the seconds of each phase."""

    nodes: int = 0
    relationships: int = 0
    duplicates: int = 0  # relationship rows whose fact_id was already written
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class ElementStream:
    """Graph elements as the ``GraphStream`` the neo4j-admin writer reads, fact ids computed once.

    Nodes and relationships come in the elements' order (the importer needs no order); a relationship
    whose ``fact_id`` was seen before is skipped and counted in :attr:`duplicates`.
    """

    sources: Mapping[str, Mapping[str, Any]] = {}
    support_nodes: tuple[Node, ...] = ()
    support_relationships: tuple[Relationship, ...] = ()
    shares: Mapping[str, Mapping[str, Mapping[str, float]]] = {}
    highlight: frozenset[str] = frozenset()
    selection: Mapping[str, Any] = {}

    def __init__(self, elements: GraphElements):
        self.elements = elements
        self._fact_ids: list[str | None] | None = None
        self.duplicates = 0

    def iter_nodes(self) -> Iterator[Node]:
        for nid, labels, props in self.elements.nodes:
            yield Node(nid, tuple(labels), props)

    def _ids(self) -> list[str | None]:
        if self._fact_ids is None:
            seen: set[str] = set()
            ids: list[str | None] = []
            for start, rel, end, props in self.elements.edges:
                fid = fact_id(start, rel, end, props)
                ids.append(None if fid in seen else fid)
                seen.add(fid)
            self.duplicates = ids.count(None)
            self._fact_ids = ids
        return self._fact_ids

    def iter_relationships(self) -> Iterator[Relationship]:
        for (start, rel, end, props), fid in zip(self.elements.edges, self._ids(), strict=True):
            if fid is not None:
                yield Relationship(fid, start, rel, end, props)


def check_local(settings: Neo4jSettings, home: Path | str | None = None) -> Any:
    """The state of the local server ``settings`` point at, or one ``--bulk: expected …, got …`` error."""
    home = home_dir(home)
    state = read_state(home)
    if state is None or _endpoint(settings.uri) != _endpoint(state.bolt_uri):
        where = f"at {state.bolt_uri}" if state else f"(none runs from {home})"
        raise InvalidArgument(
            "--bulk",
            f"the local server of `minerals-kg neo4j start` {where}, as an import replaces its files",
            repr(settings.safe_uri),
        )
    if settings.database != state.database:
        raise InvalidArgument("--bulk", f"its database {state.database!r}", repr(settings.database))
    return state


def _endpoint(uri: str) -> tuple[str, int | None]:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    return ("127.0.0.1" if host in ("localhost", "::1") else host, parts.port)


def _count(driver, database: str, query: str) -> int:
    records, _, _ = driver.execute_query(query, database_=database)
    return int(records[0]["n"])


def _ports(state: Any) -> server.ServerOptions:
    bolt = urlsplit(state.bolt_uri).port
    http = urlsplit(state.http_url).port
    assert bolt is not None and http is not None
    return server.ServerOptions.from_env(bolt, http)


def bulk_load(
    settings: Neo4jSettings,
    elements: GraphElements,
    *,
    home: Path | str | None = None,
    wipe: bool = False,
    workdir: Path | str | None = None,
) -> BulkReport:
    """Import ``elements`` into the local server's database with ``neo4j-admin``; see the module docstring.

    ``workdir`` is where the CSV files are written (a temporary folder, removed afterwards, by default).
    """
    state = check_local(settings, home)
    home = Path(state.home)
    report = BulkReport()
    clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[name] = report.seconds.get(name, 0.0) + now - clock
        clock = now

    with settings.driver() as driver:
        present = _count(driver, settings.database, "MATCH (n) RETURN count(n) AS n")
    if present and not wipe:
        raise InvalidArgument(
            "--bulk",
            "an empty database (or --wipe, to replace the whole database)",
            f"{present:,} nodes in {settings.database!r} at {settings.safe_uri}",
        )
    folder = Path(tempfile.mkdtemp(prefix="mkg-bulk-", dir=workdir))
    try:
        stream = ElementStream(elements)
        report.nodes, report.relationships = write_neo4j_admin(stream, folder, "bulk load")
        report.duplicates = stream.duplicates
        phase("write CSV files")
        server.stop(home)
        phase("stop server")
        result: subprocess.CompletedProcess[str] | None = None
        try:
            result = subprocess.run(
                _import_command(folder, state.database, home),
                cwd=folder,
                env={**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")},
                capture_output=True,
                text=True,
            )
            phase("neo4j-admin import")
        finally:
            server.start(_ports(state), home)
            phase("start server")
        if result.returncode != 0 or "IMPORT DONE" not in result.stdout + result.stderr:
            tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
            # whatever the importer left is not a whole graph: readers are told the load did not finish
            with settings.driver() as driver, driver.session(database=settings.database) as session:
                loadstate.begin(session)
            raise Neo4jError(
                f"neo4j-admin database import failed (exit {result.returncode}): {tail[0][:300]}; "
                "the server was started again with its database as the importer left it, marked as a load that did not finish"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with settings.driver() as driver:
        apply_schema(driver, settings.database)
        driver.execute_query("CALL db.awaitIndexes(3600)", database_=settings.database)
        phase("schema")
        nodes = _count(driver, settings.database, "MATCH (n) RETURN count(n) AS n")
        rels = _count(driver, settings.database, "MATCH ()-[r]->() RETURN count(r) AS n")
        phase("verify counts")
    if (nodes, rels) != (report.nodes, report.relationships):
        raise Neo4jError(
            f"bulk load into {settings.safe_uri}: expected {report.nodes:,} nodes and {report.relationships:,} "
            f"relationships after the import, got {nodes:,} and {rels:,}"
        )
    return report


def _import_command(folder: Path, database: str, home: Path) -> list[str]:
    """``java … AdminTool database import full …`` (no credentials: the importer needs none)."""
    lib = server.build() / "target" / "lib"
    heap = server.ServerOptions.from_env().heap
    return [
        shutil.which("java") or "java",
        f"-Xmx{heap}",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        *import_arguments(folder, database),
        "--overwrite-destination=true",
        f"--report-file={home / 'logs' / 'import.report'}",
    ]

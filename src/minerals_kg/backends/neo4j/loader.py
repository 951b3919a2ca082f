"""Batched, idempotent loading into Neo4j: validate everything first, then MERGE on constrained ids.

Nodes: ``UNWIND $rows MERGE (n:Label {id: row.id}) SET n = row.props`` per label (never a label-less
MERGE). Relationships: ``MATCH`` both ends by label and id, then, per relationship type, one read of
the fact ids already in the database splits the rows in two: those present are merged on their
content-hash ``fact_id`` (``SET r = row.props, r.fact_id = row.fact_id``), those proven absent are
created (``CREATE``, rows sorted by start node), which spares the server the search through both
ends' relationships (a first load is all ``CREATE``).
Rows are deduplicated on ``fact_id`` first, so a fact in two sources is still one relationship. Each
batch is a managed transaction (the driver retries transient errors, deadlocks included), run by
``workers`` writers in parallel (two by default), each with its own session: nodes first, then
relationships. Relationship batches run side by side only when the nodes they touch are in
disjoint partitions (:func:`relationship_jobs`), so parallel writers never wait on each other's
node locks.
After writing, nodes and relationships of the ontology's labels and types that are no longer in the
sources are deleted, so a load always leaves exactly the sources' graph: running it twice yields the
same counts and properties.

Around the writes (see :mod:`.loadstate`): before anything is written, a load that would remove
most of a source's facts stops unless ``allow_deletions``; the load marker is set before the first
write and cleared after the last, so readers never see part of a load; a failure says what was
deleted as well as what was written.
"""

from __future__ import annotations

import gc
import operator
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ...checks import load_dataset
from ...elements import GraphElements, fact_id, graph_elements
from ...ontology import Ontology, load_ontology
from ...resources import DEFAULT_ROOT
from . import loadstate
from .config import Neo4jError, Neo4jSettings, first_line
from .schema import apply_schema


@dataclass
class LoadReport:
    nodes_total: int = 0
    relationships_total: int = 0
    nodes_written: int = 0
    relationships_written: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    wiped_nodes: int = 0  # by --wipe (also counted in nodes_deleted / relationships_deleted)
    wiped_relationships: int = 0
    marked: bool = False  # the load marker was set: readers wait until a load completes
    schema_created: list[str] = field(default_factory=list)
    schema_stale: list[str] = field(default_factory=list)  # mkg_* items the ontology no longer has
    seconds: float = 0.0


class LoadError(Neo4jError):
    pass


def _chunks(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def node_query(labels: tuple[str, ...], onto: Ontology) -> str:
    label, *extra = (onto.check_label(x) for x in labels)
    text = f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n = row.props"
    if label == "PolicyInstrument":
        kinds = ":".join(sorted(onto.instrument_labels.values()))
        text += f" REMOVE n:{kinds}"
    for x in extra:
        text += f" SET n:{x}"
    return text


def relationship_query(rel: str, start_label: str, end_label: str, onto: Ontology) -> str:
    rel, a, b = onto.check_type(rel), onto.check_label(start_label), onto.check_label(end_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel} {{fact_id: row.fact_id}}]->(b) SET r = row.props, r.fact_id = row.fact_id"
    )


def relationship_create_query(rel: str, start_label: str, end_label: str, onto: Ontology) -> str:
    """The write of relationships proven absent (their ``fact_id`` is not in the database): ``CREATE``."""
    rel, a, b = onto.check_type(rel), onto.check_label(start_label), onto.check_label(end_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}}) "
        f"CREATE (a)-[r:{rel}]->(b) SET r = row.props, r.fact_id = row.fact_id"
    )


def group_rows(elements: GraphElements) -> tuple[dict, dict]:
    """Node rows per label combination and relationship rows per (type, start label, end label).

    Relationship rows carry their ``fact_id`` beside their properties (the queries set both, so the
    properties are not copied); a fact listed twice (same ends, type and properties) is one row, as
    MERGE on ``fact_id`` would make it one relationship.
    """
    label_of = {nid: labels[0] for nid, labels, _ in elements.nodes}
    nodes: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    rels: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    seen: set[str] = set()
    collecting = gc.isenabled()
    gc.disable()  # a million small dicts: the cyclic collector would scan them over and over, finding nothing
    try:
        for nid, labels, props in elements.nodes:
            nodes[labels].append({"id": nid, "props": props})
        for start, rel, end, props in elements.edges:
            fid = fact_id(start, rel, end, props)
            if fid in seen:
                continue
            seen.add(fid)
            rels[(rel, label_of[start], label_of[end])].append(
                {"start": start, "end": end, "fact_id": fid, "props": props}
            )
    finally:
        if collecting:
            gc.enable()
    return nodes, rels


class Job(NamedTuple):
    """One batch: a query, its rows, what they are, and the node partitions its writes lock."""

    query: str
    rows: list[dict]
    kind: str  # "nodes" | "relationships"
    parts: frozenset[int] = frozenset()  # runs only beside batches whose parts are disjoint from these


#: node partitions of parallel relationship writes (see :func:`relationship_jobs`)
PARTITIONS = 8


def partition_of(elements: GraphElements, partitions: int = PARTITIONS) -> dict[str, int]:
    """Each node id's partition, by position in the node list (the same for every relationship type)."""
    return {nid: i % partitions for i, (nid, _, _) in enumerate(elements.nodes)}


def relationship_jobs(
    driver,
    database: str,
    rels: dict,
    onto: Ontology,
    batch_size: int,
    create_absent: bool = True,
    parts: dict[str, int] | None = None,
) -> list[Job]:
    """Batches of relationship rows: ``MERGE`` for fact ids already in the database, ``CREATE`` for the rest.

    One read per relationship type lists the fact ids present (none in an empty database). Rows to
    create are sorted by start node, so a batch writes each node's relationship chain once, in
    order (the server's work per row falls by about a sixth).

    With ``parts`` (node id -> partition, :func:`partition_of`), a group large enough is split
    into buckets by the partitions of its two ends ("mix and batch"): a bucket's batches lock only
    the nodes of its one or two partitions, so batches with disjoint partitions run side by side
    without waiting on each other's locks or deadlocking. A group too small to fill a batch per
    bucket is split coarser (partitions modulo 4, 2 or 1); its batches then claim every partition
    their coarse ones stand for, so correctness never depends on the split.
    """
    present: dict[str, set[str]] = {}
    jobs: list[Job] = []
    total = max(parts.values(), default=0) + 1 if parts else 1
    # a type not yet in the database is no news here: no "does not exist" notifications
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for (rel, a, b), rows in rels.items():
            merge = relationship_query(rel, a, b, onto)
            create = relationship_create_query(rel, a, b, onto)
            if not create_absent:
                split = [(merge, rows)]
            else:
                if rel not in present:
                    q = f"MATCH ()-[r:{onto.check_type(rel)}]->() RETURN r.fact_id AS f"
                    present[rel] = set(session.execute_read(lambda tx, q=q: [r[0] for r in tx.run(q)]))
                have = present[rel]
                old = [r for r in rows if r["fact_id"] in have] if have else []
                new = [r for r in rows if r["fact_id"] not in have] if have else rows
                split = [(merge, old), (create, sorted(new, key=_by_start))]
            for query, part in split:
                for claim, bucket in _buckets(part, parts, total, batch_size):
                    jobs += [Job(query, batch, "relationships", claim) for batch in _chunks(bucket, batch_size)]
    return jobs


_by_start = operator.itemgetter("start")


def _buckets(
    rows: list[dict], parts: dict[str, int] | None, total: int, batch_size: int
) -> Iterator[tuple[frozenset[int], list[dict]]]:
    """Rows split by the (coarse) partitions of their ends, each bucket with the partitions it claims."""
    if not rows:
        return
    every = frozenset(range(total))
    coarse = total if parts is not None else 1
    while coarse > 1 and len(rows) < coarse * coarse * batch_size // 2:
        coarse //= 2  # fewer, fuller buckets: at least half a batch each
    if parts is None or coarse == 1:
        yield every, rows
        return
    buckets: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:  # stable: each bucket keeps the rows' order (sorted by start node)
        buckets[(parts[row["start"]] % coarse, parts[row["end"]] % coarse)].append(row)
    for (i, j), bucket in sorted(buckets.items()):
        yield frozenset(k for k in every if k % coarse in (i, j)), bucket


def run_jobs(driver, database: str, jobs: list[Job], workers: int, done: Callable[[Job], None]) -> None:
    """Run each batch in a managed write transaction, ``workers`` at a time (one session per writer).

    A writer takes the first batch not yet run whose partitions no running batch holds (node
    batches hold none). ``done`` is called in this thread after each batch commits; the first
    failure stops the writers from starting more batches and is raised once those running have
    finished.
    """

    def write(session, job: Job) -> None:
        session.execute_write(lambda tx: tx.run(job.query, rows=job.rows).consume())

    if workers <= 1 or len(jobs) <= 1:
        with driver.session(database=database) as session:
            for job in jobs:
                write(session, job)
                done(job)
        return

    pending = list(jobs)
    held: set[int] = set()
    committed: list[Job] = []
    failures: list[BaseException] = []
    running = [workers]
    cond = threading.Condition()

    def next_job() -> Job | None:
        with cond:
            while pending and not failures:
                job = next((j for j in pending if held.isdisjoint(j.parts)), None)
                if job is not None:
                    pending.remove(job)
                    held.update(job.parts)
                    return job
                cond.wait()
            return None

    def writer() -> None:
        try:
            with driver.session(database=database) as session:
                while (job := next_job()) is not None:
                    write(session, job)
                    with cond:
                        held.difference_update(job.parts)
                        committed.append(job)
                        cond.notify_all()
        except BaseException as exc:  # handed to the calling thread, raised there
            with cond:
                failures.append(exc)
        finally:
            with cond:
                running[0] -= 1
                cond.notify_all()

    threads = [threading.Thread(target=writer, name=f"mkg-writer-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    try:
        while True:
            with cond:
                cond.wait_for(lambda: committed or not running[0])
                finished, committed[:] = list(committed), []
                over = not running[0]
            for job in finished:
                done(job)
            if over:
                break
    except BaseException as exc:  # Ctrl-C here: the writers finish their batch and stop
        with cond:
            failures.append(exc)
            cond.notify_all()
        raise
    finally:
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]


def write_elements(
    settings: Neo4jSettings,
    elements: GraphElements,
    *,
    wipe: bool = False,
    batch_size: int = 10_000,
    progress: bool = True,
    sync: bool = True,
    workers: int = 2,
    create_absent: bool = True,
    allow_deletions: bool = False,
) -> LoadReport:
    """Write nodes and relationships in batched managed transactions; see the module docstring.

    ``workers`` writers run the batches in parallel (``1``: one after the other, no partitions);
    ``create_absent=False`` MERGEs every relationship (the loader before the pre-read; kept for the
    benchmark's step-by-step table).
    """
    import time

    import neo4j.exceptions as nx
    from rich.progress import Progress

    onto = load_ontology()
    nodes, rels = group_rows(elements)
    report = LoadReport(nodes_total=len(elements.nodes), relationships_total=len(elements.edges))
    t0 = time.perf_counter()
    try:
        with settings.driver() as driver:
            driver.verify_connectivity()
            if sync and not wipe and not allow_deletions:
                with driver.session(database=settings.database) as session:
                    loadstate.check_deletions(session, onto, loadstate.keep_lists(nodes, rels)[1], settings.safe_uri)
            diff = apply_schema(driver, settings.database)
            report.schema_created = [i.name for i in diff.missing]
            report.schema_stale = diff.extra
            with (
                driver.session(database=settings.database) as session,
                Progress(disable=not progress, transient=True) as bar,
            ):
                token = loadstate.begin(session)
                report.marked = True
                if wipe:
                    _wipe(session, onto, report)
                task = bar.add_task("loading", total=report.nodes_total + report.relationships_total)

                def done(job: Job) -> None:
                    if job.kind == "nodes":
                        report.nodes_written += len(job.rows)
                    else:
                        report.relationships_written += len(job.rows)
                    bar.advance(task, len(job.rows))

                node_jobs = [
                    Job(node_query(labels, onto), batch, "nodes")
                    for labels, rows in nodes.items()
                    for batch in _chunks(rows, batch_size)
                ]
                run_jobs(driver, settings.database, node_jobs, workers, done)
                parts = partition_of(elements) if workers > 1 else None
                rel_jobs = relationship_jobs(driver, settings.database, rels, onto, batch_size, create_absent, parts)
                run_jobs(driver, settings.database, rel_jobs, workers, done)
                if sync:
                    _delete_stale(session, onto, nodes, rels, report)
                loadstate.finish(session, *token)
    except loadstate.DeletionRefused:
        raise
    except nx.AuthError as exc:
        raise Neo4jError(
            f"Neo4j at {settings.safe_uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD"
        ) from exc
    except (nx.ServiceUnavailable, OSError) as exc:
        raise LoadError(
            _partial(report, settings, f"cannot reach Neo4j at {settings.safe_uri}: {first_line(exc)}")
        ) from exc
    except nx.Neo4jError as exc:
        raise LoadError(_partial(report, settings, f"{exc.code}: {first_line(exc)}")) from exc
    except (Exception, KeyboardInterrupt) as exc:  # anything else mid-load: still say what was written and deleted
        raise LoadError(_partial(report, settings, loadstate.describe_failure(exc))) from exc
    report.seconds = time.perf_counter() - t0
    return report


def _wipe(session, onto: Ontology, report: LoadReport, batch: int = 10_000) -> None:
    """Delete the ontology's nodes: relationships first, then nodes, in bounded transactions."""
    for label in sorted(onto.labels):
        label = onto.check_label(label)
        for query in (
            f"MATCH (:{label})-[r]-() WITH DISTINCT r LIMIT {batch} DELETE r RETURN count(*) AS n",
            f"MATCH (n:{label}) WITH n LIMIT {batch} DETACH DELETE n RETURN count(*) AS n",
        ):
            while True:
                n = session.execute_write(lambda tx, q=query: tx.run(q).single()["n"])
                if "DETACH" in query:
                    report.nodes_deleted += n
                    report.wiped_nodes += n
                else:
                    report.relationships_deleted += n
                    report.wiped_relationships += n
                if n == 0:
                    break


def _partial(report: LoadReport, settings: Neo4jSettings, why: str) -> str:
    if not report.marked:
        return f"load into {settings.safe_uri} failed: {why}. Nothing was written or deleted."
    return (
        f"load into {settings.safe_uri} failed: {why}. Before the failure: written {report.nodes_written} of "
        f"{report.nodes_total} nodes and {report.relationships_written} of {report.relationships_total} "
        f"relationships; deleted {report.nodes_deleted} nodes and {report.relationships_deleted} relationships"
        f"{f' ({report.wiped_nodes} nodes and {report.wiped_relationships} relationships by --wipe)' if report.wiped_nodes or report.wiped_relationships else ''}. "
        "Readers are told the load did not finish until one does: run `minerals-kg load` again to complete "
        "(loads are idempotent)."
    )


def _delete_stale(session, onto: Ontology, nodes: dict, rels: dict, report: LoadReport) -> None:
    keep_ids, keep_facts = loadstate.keep_lists(nodes, rels)
    for rel in sorted(onto.relationship_types):
        q = f"MATCH ()-[r:{onto.check_type(rel)}]->() WHERE NOT r.fact_id IN $keep DELETE r RETURN count(*) AS n"
        report.relationships_deleted += session.execute_write(
            lambda tx, q=q, k=keep_facts.get(rel, []): tx.run(q, keep=k).single()["n"]
        )
    for label in sorted(onto.labels):
        q = f"MATCH (n:{onto.check_label(label)}) WHERE NOT n.id IN $keep DETACH DELETE n RETURN count(*) AS n"
        report.nodes_deleted += session.execute_write(
            lambda tx, q=q, k=keep_ids.get(label, []): tx.run(q, keep=k).single()["n"]
        )


def check_reachable(settings: Neo4jSettings) -> None:
    """One line when the server cannot be reached or refuses the credentials (nothing is written)."""
    import neo4j.exceptions as nx

    try:
        with settings.driver() as driver:
            driver.verify_connectivity()
    except nx.AuthError:
        raise Neo4jError(
            f"Neo4j at {settings.safe_uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD"
        ) from None
    except (nx.DriverError, nx.Neo4jError, OSError) as exc:
        raise LoadError(
            f"cannot reach Neo4j at {settings.safe_uri}: expected a server answering there"
            f"{f' ({settings.origin})' if settings.origin else ''}, got {type(exc).__name__}; nothing was loaded"
        ) from None


def load(
    settings: Neo4jSettings,
    root: Path | str = DEFAULT_ROOT,
    *,
    wipe: bool = False,
    batch_size: int = 10_000,
    progress: bool = True,
    allow_deletions: bool = False,
) -> LoadReport:
    """Validate every source (pydantic, cross-file rules, SHACL), then write the graph.

    Validation runs before any connection is made: with any error, nothing is written. A load
    that would remove most of a source's facts stops before writing unless ``allow_deletions``
    (see :mod:`.loadstate`); ``wipe`` deletes every fact by intent and counts what it deleted.
    """
    from ...errors import InvalidArgument, shorten

    for name, value in (("wipe", wipe), ("allow_deletions", allow_deletions), ("progress", progress)):
        if not isinstance(value, bool):
            raise InvalidArgument(name, "True or False", shorten(value))
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 1_000_000:
        raise InvalidArgument("batch_size", "an integer in 1-1,000,000", shorten(batch_size))
    check_reachable(settings)  # a server that is down: one line in seconds, before minutes of validation
    dataset = load_dataset(root, shacl=True)
    return write_elements(
        settings,
        graph_elements(dataset),
        wipe=wipe,
        batch_size=batch_size,
        progress=progress,
        allow_deletions=allow_deletions,
    )

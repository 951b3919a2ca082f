"""The graph's load state in Neo4j: a load marker readers honour, and a guard against mass deletions.

Neo4j Community has one user database, so a load cannot be staged in another and switched in. A load
instead announces itself on one node of the ontology's system class ``LoadState`` (key ``graph``)::

    (:LoadState {graph: 'minerals-kg', generation: 7, running: ['<token>'], started: ['<UTC time>'],
                 completed: '<UTC time of the last completed load>'})

**Loader.** In its own transaction, before its first write (the ``--wipe`` deletes included), a
load adds itself to ``running`` and increments ``generation``; in another, after its last write (the
stale deletes included), it removes itself, and any entry that started before it (a load killed
before it could clear its entry, which the completed load has now superseded), and sets
``completed``. A load that fails or is killed leaves its entry, so the graph stays marked as not
finished until a load completes.

**Readers** (:func:`consistent_read`: every read of :class:`~.reader.Neo4jReader`, the library's
read-only queries, ``kg.query``, ``minerals-kg query``, exports from Neo4j) run in one read
transaction that reads the marker, runs the query and reads the marker again, a seqlock: the rows
count only if no load was running at either read and the generation did not change in between
(Neo4j reads committed data, so a write of a load that the query saw was committed after that
load's marker, and the second read sees the marker). Otherwise the reader waits and retries for up
to :data:`WAIT_SECONDS`, then fails with one line ("a load into <uri> is in progress since <time>;
…"). So a reader gets the whole graph of one generation or that error, never part of a load.

Analysts in Neo4j Browser or cypher-shell run the same check by hand: a graph is complete when
``MATCH (m:LoadState) RETURN m.running = [] AS complete, m.started, m.generation`` says ``true``.

**Deletion guard** (:func:`check_deletions`): before a load writes anything, it counts what its
stale-delete step would remove. A source's facts are the relationships whose ``source`` is that
source (a ``SOURCED_FROM`` link counts for the Source it points to); every node but Source and
Aggregate nodes has at least one, so a node that would go shows as its relationships. The load
stops, with one line, when a source would lose more than half of its facts and at least
:data:`MIN_FACTS` of them, or all of them: ``--allow-deletions`` (``allow_deletions=True``) says
the sources mean it; ``--wipe`` deletes everything by intent and reports the counts.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...ontology import Ontology, load_ontology
from .config import Neo4jError, first_line

__all__ = [
    "GRAPH",
    "MIN_FACTS",
    "SHARE",
    "WAIT_SECONDS",
    "DeletionRefused",
    "LoadInProgress",
    "Marker",
    "begin",
    "check_deletions",
    "consistent_read",
    "finish",
    "keep_lists",
    "marker_check",
    "read_marker",
    "refused_sources",
]

GRAPH = "minerals-kg"
"""The key of this package's marker node (``LoadState.graph``)."""
WAIT_SECONDS = 5.0
"""How long a reader waits for a load to finish before it fails with :class:`LoadInProgress`."""
SHARE = 0.5
"""A load that would remove more than this share of a source's facts stops (with at least :data:`MIN_FACTS`)."""
MIN_FACTS = 10
"""Fewer facts of a source than this may go without the flag, unless they are all of its facts."""


class LoadInProgress(Neo4jError):
    """A read met a load that has not finished (running now, or killed before it could finish)."""


class DeletionRefused(Neo4jError):
    """A load would remove most of a source's facts without ``--allow-deletions``."""


def _label(onto: Ontology | None = None) -> str:
    return (onto or load_ontology()).check_system_label("LoadState")


@dataclass(frozen=True)
class Marker:
    """The load state a reader saw: generation, and the start times of the loads not finished.

    >>> Marker(3, ("2026-12-01T05:00:00Z",)).busy, Marker(3, ()).busy
    (True, False)
    """

    generation: int = 0
    started: tuple[str, ...] = ()
    completed: str | None = None

    @property
    def busy(self) -> bool:
        return bool(self.started)


def read_marker(tx: Any) -> Marker:
    """The marker as committed now (``Marker()`` on a graph no load of this version has touched)."""
    record = tx.run(
        f"MATCH (m:{_label()} {{graph: $graph}}) RETURN m.generation AS g, m.started AS s, m.completed AS c",
        graph=GRAPH,
    ).single()
    if record is None:
        return Marker()
    return Marker(int(record["g"] or 0), tuple(record["s"] or ()), record["c"])


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def begin(session: Any) -> tuple[str, str]:
    """Mark a load as running (own transaction, before any write); returns its token and start time."""
    token, started = uuid.uuid4().hex, _now()
    query = (
        f"MERGE (m:{_label()} {{graph: $graph}}) "
        "ON CREATE SET m.generation = 0, m.running = [], m.started = [] "
        "SET m.generation = m.generation + 1, m.running = m.running + $token, m.started = m.started + $started"
    )
    session.execute_write(lambda tx: tx.run(query, graph=GRAPH, token=token, started=started).consume())
    return token, started


def finish(session: Any, token: str, started: str) -> None:
    """Mark a load as complete: drop its entry and those of loads started before it (see the docstring)."""
    query = (
        f"MATCH (m:{_label()} {{graph: $graph}}) "
        "WITH m, [i IN range(0, size(m.running) - 1) "
        "         WHERE m.running[i] <> $token AND m.started[i] > $started] AS kept "
        "SET m.running = [i IN kept | m.running[i]], m.started = [i IN kept | m.started[i]], m.completed = $now"
    )
    session.execute_write(lambda tx: tx.run(query, graph=GRAPH, token=token, started=started, now=_now()).consume())


def marker_check(uri: str, marker: Marker) -> str:
    """The one line a reader gets when a load has not finished."""
    return (
        f"a load into {uri} is in progress since {marker.started[0]} (generation {marker.generation}); "
        "wait for it to finish and read again. If no load is running, the last one did not finish: "
        "run `minerals-kg load` again"
    )


def consistent_read(
    session: Any,
    work: Callable[[Any], Any],
    uri: str,
    *,
    wait: float = WAIT_SECONDS,
    poll: float = 0.2,
    seen: Callable[[int], None] | None = None,
) -> Any:
    """``work(tx)`` in one read transaction between two reads of the marker (a seqlock, see the docstring).

    Retries while a load runs or the generation changes, for up to ``wait`` seconds; then
    :class:`LoadInProgress` with one line. ``seen`` is told the generation the rows belong to.
    """
    deadline = time.monotonic() + wait

    def attempt(tx: Any) -> tuple[Marker, Any, Marker]:
        before = read_marker(tx)
        if before.busy:
            return before, None, before
        result = work(tx)
        return before, result, read_marker(tx)

    import neo4j.exceptions as nxe

    while True:
        try:
            before, result, after = session.execute_read(attempt)
        except (nxe.TransientError, nxe.DatabaseError):
            # a read that met a load's deletes may fail on the server: while a load runs, wait and retry
            before = after = session.execute_read(read_marker)
            if not after.busy:
                raise
        if not before.busy and not after.busy and before.generation == after.generation:
            if seen is not None:
                seen(after.generation)
            return result
        if time.monotonic() >= deadline:
            if after.busy or before.busy:
                raise LoadInProgress(marker_check(uri, after if after.busy else before))
            raise LoadInProgress(
                f"the graph at {uri} was reloaded while it was read (generation {before.generation} to "
                f"{after.generation}), again for {wait:g}s: read again once the loads are over"
            )
        time.sleep(poll)


# --- deletion guard -----------------------------------------------------------------------------------


def keep_lists(nodes: dict, rels: dict) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Node ids per label and fact ids per relationship type that a load writes (and keeps)."""
    keep_ids: dict[str, list[str]] = defaultdict(list)
    for labels, rows in nodes.items():
        keep_ids[labels[0]].extend(r["id"] for r in rows)
    keep_facts: dict[str, list[str]] = defaultdict(list)
    for (rel, _, _), rows in rels.items():
        keep_facts[rel].extend(r["fact_id"] for r in rows)
    return keep_ids, keep_facts


def would_delete(session: Any, onto: Ontology, keep_facts: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """Per source: (facts the stale-delete step would remove, facts in the graph now)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel in sorted(onto.relationship_types):
        query = (
            f"MATCH ()-[r:{onto.check_type(rel)}]->(b) "
            "WITH CASE WHEN type(r) = 'SOURCED_FROM' THEN b.id ELSE coalesce(r.source, '(no source)') END AS source, "
            "     NOT r.fact_id IN $keep AS gone "
            "RETURN source, sum(CASE WHEN gone THEN 1 ELSE 0 END) AS gone, count(*) AS total"
        )
        for r in session.execute_read(lambda tx, q=query, k=keep_facts.get(rel, []): tx.run(q, keep=k).data()):
            out[r["source"]][0] += r["gone"]
            out[r["source"]][1] += r["total"]
    return {source: (gone, total) for source, (gone, total) in out.items()}


def refused_sources(counts: dict[str, tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The sources whose facts a load may not remove without the flag, most facts first.

    >>> refused_sources({"usgs": (900, 1000), "iea": (3, 1000), "tiny": (4, 4), "small": (5, 9)})
    [('usgs', 900, 1000), ('tiny', 4, 4)]
    """
    refused = [
        (source, gone, total)
        for source, (gone, total) in counts.items()
        if gone and (gone == total or (gone >= MIN_FACTS and gone > SHARE * total))
    ]
    return sorted(refused, key=lambda x: (-x[1], x[0]))


def check_deletions(session: Any, onto: Ontology, keep_facts: dict[str, list[str]], uri: str) -> None:
    """Refuse a load that would remove most of a source's facts (one line; see the module docstring)."""
    refused = refused_sources(would_delete(session, onto, keep_facts))
    if refused:
        source, gone, total = refused[0]
        more = f" (and {len(refused) - 1} more source(s))" if len(refused) > 1 else ""
        raise DeletionRefused(
            f"load into {uri}: expected the sources to keep most facts of source {source!r}, got {gone} of its "
            f"{total} facts to be deleted{more}; nothing was written. If the sources mean it, run "
            "`minerals-kg load --allow-deletions` (API: allow_deletions=True)"
        )


def describe_failure(exc: BaseException) -> str:
    """A driver exception as ``code: first line`` (or its type)."""
    code = getattr(exc, "code", None)
    return f"{code}: {first_line(exc)}" if code else f"{type(exc).__name__}: {first_line(exc)}"

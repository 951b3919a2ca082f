"""The seqlock of readers and the deletion rule, without a server (a fake session replays marker reads)."""

from __future__ import annotations

import pytest

from minerals_kg.backends.neo4j import loadstate
from minerals_kg.backends.neo4j.loadstate import LoadInProgress, Marker, consistent_read, refused_sources


class FakeSession:
    """Each ``execute_read`` call sees the next (marker before, marker after) pair."""

    def __init__(self, markers: list[tuple[Marker, Marker]]):
        self.markers = markers
        self.calls = 0

    def execute_read(self, fn):  # type: ignore[no-untyped-def]
        before, after = self.markers[min(self.calls, len(self.markers) - 1)]
        self.calls += 1
        reads = iter([before, after])
        original = loadstate.read_marker
        loadstate.read_marker = lambda tx: next(reads)  # type: ignore[assignment]
        try:
            return fn(object())
        finally:
            loadstate.read_marker = original


IDLE = Marker(3)
BUSY = Marker(4, ("2026-12-01T05:00:00.000000Z",))


def test_a_read_between_two_idle_markers_of_one_generation_counts():
    session = FakeSession([(IDLE, IDLE)])
    assert consistent_read(session, lambda tx: "rows", "bolt://h:1") == "rows"
    assert session.calls == 1


def test_a_read_that_a_load_overlapped_is_retried():
    session = FakeSession([(IDLE, BUSY), (IDLE, Marker(5)), (Marker(5), Marker(5))])
    assert consistent_read(session, lambda tx: "rows", "bolt://h:1", poll=0) == "rows"
    assert session.calls == 3


def test_a_load_that_does_not_finish_is_one_clear_line():
    with pytest.raises(LoadInProgress) as exc:
        consistent_read(FakeSession([(BUSY, BUSY)]), lambda tx: "rows", "bolt://h:1", wait=0.05, poll=0.01)
    message = str(exc.value)
    assert message.startswith("a load into bolt://h:1 is in progress since 2026-12-01T05:00:00")
    assert "run `minerals-kg load` again" in message and "\n" not in message


def test_the_deletion_rule():
    assert refused_sources({"a": (6, 10), "b": (10, 19), "c": (9, 10), "d": (1, 1), "e": (0, 0)}) == [
        ("b", 10, 19),
        ("d", 1, 1),
    ]

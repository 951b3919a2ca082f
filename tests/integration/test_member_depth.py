"""Member resolution is one rule with the same depth in Cypher (queries/_fragments/members.cypher)
and Python (analysis.coverage.resolve_members), checked on a hand-made tree deeper than the shipped data.

    alliance 'top' <- member org 'mid' (2020-2024) <- member org 'low' <- DEU, FRA (FRA until 2022-06)
    'top' <- JPN (observer: never counts); 'agency' PART_OF 'low'; event 'meet' with delegation 'agency'
    'low' <- ITA since 2023-03 (a partial date: counts from 1 March)
"""

from __future__ import annotations

import pytest

import minerals_kg
from minerals_kg.backends.neo4j.library import run_query
from minerals_kg.backends.neo4j.loader import load

from ..conftest import build_tiny, write_source
from .conftest import wipe

pytestmark = pytest.mark.integration

D = {"source": "defs", "confidence": "official"}


def deep_tree(root):
    build_tiny(root)
    write_source(
        root,
        "deep",
        {
            "organisations.csv": (
                "organisations",
                [
                    {"id": "top", "name": "Top", "kind": "alliance", "parent": "", **D},
                    {"id": "mid", "name": "Mid", "kind": "alliance", "parent": "", **D},
                    {"id": "low", "name": "Low", "kind": "bloc", "parent": "", **D},
                    {"id": "agency2", "name": "Agency of Low", "kind": "government_agency", "parent": "low", **D},
                ],
            ),
            "memberships.csv": (
                "memberships",
                [
                    {"member": "mid", "organisation": "top", "since": "2020", "until": "2024", "role": "member", **D},
                    {"member": "low", "organisation": "mid", "since": "", "until": "", "role": "member", **D},
                    {"member": "DEU", "organisation": "low", "since": "", "until": "", "role": "member", **D},
                    {"member": "FRA", "organisation": "low", "since": "", "until": "2022-06", "role": "member", **D},
                    {"member": "ITA", "organisation": "low", "since": "2023-03", "until": "", "role": "member", **D},
                    {"member": "JPN", "organisation": "top", "since": "", "until": "", "role": "observer", **D},
                ],
            ),
            "events.csv": (
                "events",
                [
                    {"id": "meet", "name": "Meeting", "kind": "meeting", "start": "2023-03-01", "location": "", **D},
                ],
            ),
            "participations.csv": (
                "participations",
                [
                    {"participant": "agency2", "event": "meet", "role": "delegation", **D},
                    {"participant": "mid", "event": "meet", "role": "guest", **D},
                ],
            ),
        },
    )
    return root


@pytest.fixture(scope="module")
def deep(driver, neo4j_settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    root = deep_tree(tmp_path_factory.mktemp("deep") / "loaders")
    wipe(driver)
    load(neo4j_settings, root, progress=False)
    yield root, driver
    wipe(driver)


CASES = [
    ("top", "2019-12-31", set()),
    ("top", "2021-06-01", {"DEU", "FRA"}),
    ("top", "2022-06-30", {"DEU", "FRA"}),
    ("top", "2022-07-01", {"DEU"}),
    ("top", "2023-02-28", {"DEU"}),
    ("top", "2023-03-01", {"DEU", "ITA"}),
    ("top", "2025-01-01", set()),
    ("mid", "2025-01-01", {"DEU", "ITA"}),
    ("meet", None, {"DEU", "ITA"}),
    ("agency2", "2021-01-01", {"DEU", "FRA"}),
]


@pytest.mark.parametrize(("alliance", "as_of", "expected"), CASES)
def test_members_are_the_same_in_cypher_and_python_at_any_depth(deep, alliance, as_of, expected):
    root, driver = deep
    python = minerals_kg.open(root=root).members(alliance, as_of=as_of).countries
    cypher = {r["country"] for r in run_query(driver, "alliance_members", {"alliance": alliance, "as_of": as_of})}
    assert python == cypher == expected

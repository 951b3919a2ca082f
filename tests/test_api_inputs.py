"""Every argument of the Python API is checked before any work: a bad one is one InvalidArgument
naming the argument, never a raw exception and never an empty result."""

from __future__ import annotations

import pytest

import minerals_kg
from minerals_kg.errors import InvalidArgument, InvalidArguments


@pytest.fixture(scope="module")
def kg():
    return minerals_kg.open()


BAD_CALLS = [
    ("concentration", ("unobtainium",), {}, "mineral: expected a known mineral id"),
    ("concentration", ("cobalt", "smelting"), {}, "stage: expected a stage"),
    ("concentration", ("cobalt",), {"year": "abc"}, "year: expected an integer"),
    ("concentration", ("cobalt",), {"year": True}, "year: expected an integer"),
    ("concentration", ("cobalt",), {"year": 1990}, "year: expected a year with data"),
    ("concentration", (), {"edition": "MCS1999"}, "edition: expected a edition with data"),
    ("concentration", (), {"basis": "sideways"}, "basis: expected an attribution basis (host, control)"),
    ("chokepoints", (), {"cr1": 2}, "cr1: expected a number between 0 and 1"),
    ("chokepoints", (), {"hhi": float("nan")}, "hhi: expected a finite number"),
    ("coverage", ("nope",), {}, "alliance: expected an organisation or event id"),
    ("coverage", ("ministerial_2026",), {"as_of": "garbage"}, "as_of: expected a date YYYY-MM-DD"),
    ("coverage", ("ministerial_2026",), {"as_of": "2025-02-30"}, "as_of: expected a calendar date"),
    ("coverage", ("ministerial_2026",), {"benchmark": -1}, "benchmark: expected a number between 0 and 1"),
    ("members", ("g7",), {"as_of": 20260204}, "as_of: expected a date YYYY-MM-DD"),
    ("network_chokepoints", ("nowhere",), {}, "demand: expected an alliance, ISO-3 country or end-use id"),
    ("network_chokepoints", ("ministerial_2026",), {"top": 0}, "top: expected an integer of at least 1"),
    (
        "network_chokepoints",
        ("ministerial_2026",),
        {"minerals": ["rubidium"]},
        "minerals: expected a mineral id with production data",
    ),
    ("recommend", ("ministerial_2026",), {"k": 0}, "k: expected an integer of at least 1"),
    ("recommend", ("ministerial_2026",), {"exclude": ["XXX"]}, "exclude: expected an ISO 3166-1 alpha-3"),
    ("what_if", ("ministerial_2026",), {"add": ["Atlantis"]}, "add: expected an ISO 3166-1 alpha-3"),
    ("table", ("nope",), {}, "table: expected a table of the contract"),
    ("scenario", ({"cut_stages": [{"mineral": "cobalt", "stage": "smelting"}]},), {}, "scenario: cut_stages.0.stage"),
    ("scenario", ({"as_of": "2026-13-45"},), {}, "scenario: as_of"),
    ("query", ("concentration",), {}, "query: expected a knowledge graph on a Neo4j server"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "message"), BAD_CALLS, ids=[f"{m}-{msg.split(':')[0]}" for m, _, _, msg in BAD_CALLS]
)
def test_bad_arguments_are_one_precise_error(kg, method, args, kwargs, message):
    with pytest.raises((InvalidArgument, InvalidArguments)) as exc:
        getattr(kg, method)(*args, **kwargs)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value) or isinstance(exc.value, InvalidArguments)


def test_open_refuses_a_missing_root_and_a_bad_uri(tmp_path):
    with pytest.raises(InvalidArgument, match="root: expected a folder of source folders"):
        minerals_kg.open(root=tmp_path / "missing")
    with pytest.raises(InvalidArgument, match="uri: expected a URI with scheme bolt"):
        minerals_kg.open("http://localhost:7474")


def test_a_yaml_alias_bomb_in_a_scenario_file_is_refused_without_expanding(kg, tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    with pytest.raises(InvalidArgument, match="expected well-formed YAML, got 'YAML aliases"):
        kg.scenario(path)


def test_good_arguments_are_normalised(kg):
    assert kg.what_if("g7", add=["aus"], as_of="2026-02-04")["coverage_after"].ge(0).all()
    assert sorted(kg.members("g7", as_of="2026-02").countries) == sorted(kg.members("g7", as_of="2026-02-01").countries)

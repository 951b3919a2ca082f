"""Concentration, chokepoints and coverage on a tiny hand-made world (see conftest.build_tiny)."""

from __future__ import annotations

import datetime as dt

import pytest

import minerals_kg
from minerals_kg.errors import InvalidArgument


@pytest.fixture
def kg(tiny):
    return minerals_kg.open(root=tiny)


def test_concentration_uses_the_world_total_as_denominator(kg):
    row = kg.concentration("x", "mining").iloc[0]
    assert row.top_country == "CHN"
    assert row.top_share == pytest.approx(0.60)
    assert row.cr3 == pytest.approx(0.95)
    assert row.hhi == pytest.approx(0.36 + 0.09 + 0.0025)  # 'Other countries' is not a supplier
    assert row.hhi_points == pytest.approx(4525)
    assert row.effective_suppliers == pytest.approx(1 / 0.4525)
    assert row.other_share == pytest.approx(0.05)
    assert row.shares == {"CHN": 0.6, "AUS": 0.3, "USA": 0.05}


def test_usgs_spellings_resolve_to_iso3(kg):
    row = kg.concentration("y", "mining").iloc[0]
    assert row.top_country == "COD"
    assert row.top_share == pytest.approx(0.75)


def test_chokepoints_respect_thresholds_and_rank_by_top_share(kg):
    default = kg.chokepoints()
    assert list(zip(default.mineral, default.stage)) == [("x", "refining"), ("y", "mining"), ("x", "mining")]
    strict = kg.chokepoints(cr1=0.8, hhi=0.9)
    assert list(zip(strict.mineral, strict.stage)) == [("x", "refining")]


def test_organisation_members_expand_member_blocs_and_respect_dates(kg):
    members = kg.members("club", as_of="2024-01-01")
    # AUS directly, FRA and DEU through the bloc; GBR left end-2023; JPN only observes
    assert members.countries == {"AUS", "FRA", "DEU"}
    # DEU joins the bloc in "2024-01" (from 1 January); GBR is still in until 2023-12-31 inclusive
    assert kg.members("club", as_of="2023-12-31").countries == {"AUS", "FRA", "GBR"}
    assert kg.members("club", as_of="2024-01-01", expand_organisations=False).countries == {"AUS"}


def test_event_members_count_the_host_only_when_asked(kg):
    with_host = kg.members("summit")
    assert with_host.as_of == dt.date(2026, 2, 4)
    assert with_host.countries == {"USA", "AUS", "FRA", "DEU"}  # the agency acts for the bloc
    assert with_host.via["USA"] == "host"
    assert kg.members("summit", include_host=False).countries == {"AUS", "FRA", "DEU"}


def test_coverage_per_stage_ex_china_and_largest_outsider(kg):
    cov = kg.coverage("summit").set_index(["mineral", "stage"])
    mining = cov.loc[("x", "mining")]
    assert mining.coverage == pytest.approx(0.35)  # AUS 30 + USA 5 of 100
    assert mining.coverage_ex_china == pytest.approx(0.875)  # 35 of the 40 outside China
    assert (mining.max_outsider, mining.max_outsider_share) == ("CHN", pytest.approx(0.6))
    assert not mining.exceeds_benchmark
    refining = cov.loc[("x", "refining")]
    assert refining.coverage == pytest.approx(0.10)
    assert refining.exceeds_benchmark  # China 90% > CRMA 65%
    assert cov.loc[("y", "mining")].coverage == pytest.approx(0.10)


def test_chain_coverage_is_the_weakest_stage(kg):
    chain = kg.chain_coverage("summit").set_index("mineral")
    assert chain.loc["x", "weakest_stage"] == "refining"
    assert chain.loc["x", "chain_coverage"] == pytest.approx(0.10)


def test_coverage_grows_when_the_host_counts(kg):
    without = kg.coverage("summit", include_host=False).set_index(["mineral", "stage"])
    with_host = kg.coverage("summit").set_index(["mineral", "stage"])
    assert with_host.loc[("x", "mining"), "coverage"] - without.loc[("x", "mining"), "coverage"] == pytest.approx(0.05)


def test_unknown_alliance_is_one_clear_error_naming_the_alliances(kg):
    with pytest.raises(InvalidArgument) as exc:
        kg.coverage("clubb")
    assert str(exc.value) == (
        "alliance: expected an organisation or event id (agency, bloc, club, summit), got 'clubb'"
    )

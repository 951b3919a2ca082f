"""Scenarios, control attribution and alliance strategy on the tiny hand-made world (conftest)
plus a policy source: answers checkable by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import minerals_kg
from minerals_kg.analysis.strategy import objective

from .conftest import write_source
from .test_validation import run_cli

POLICY = {"source": "policies", "confidence": "official"}


def add_policies(root):
    inst = {
        "announced": "",
        "ended": "",
        "status_as_of": "2026-11-26",
        "suspended_from": "",
        "suspended_until": "",
        "targets": "",
        "stages": "",
        **POLICY,
    }
    write_source(
        root,
        "policies",
        {
            "instruments.csv": (
                "instruments",
                [
                    {
                        **inst,
                        "id": "ban_x",
                        "name": "X refining ban",
                        "kind": "export_control",
                        "imposer": "CHN",
                        "effective": "2024-01-01",
                        "status": "in_force",
                        "minerals": "x",
                        "stages": "refining",
                        "target_scope": "all",
                    },
                    {
                        **inst,
                        "id": "ban_jp",
                        "name": "Y ban on Japan",
                        "kind": "export_control",
                        "imposer": "CHN",
                        "effective": "2024-01-01",
                        "status": "in_force",
                        "minerals": "y",
                        "target_scope": "listed",
                        "targets": "JPN",
                    },
                    {
                        **inst,
                        "id": "old_ban",
                        "name": "Old X mining ban",
                        "kind": "export_control",
                        "imposer": "CHN",
                        "effective": "2020",
                        "ended": "2022",
                        "status": "expired",
                        "minerals": "x",
                        "stages": "mining",
                        "target_scope": "all",
                    },
                ],
            ),
            "firms.csv": (
                "firms",
                [
                    {"id": "dragon", "name": "Dragon Mining", "hq": "CHN", **POLICY},
                    {"id": "euro_firm", "name": "Euro Firm", "hq": "DEU", **POLICY},
                ],
            ),
            "facilities.csv": (
                "facilities",
                [
                    {
                        "id": "big_mine",
                        "name": "Big Mine",
                        "kind": "mine",
                        "country": "COD",
                        "operator": "euro_firm",
                        "minerals": "y",
                        "stages": "mining",
                        **POLICY,
                    },
                ],
            ),
            "ownership.csv": (
                "ownership",
                [
                    {"owner": "euro_firm", "owned": "big_mine", "share": "0.6", **POLICY},
                    {"owner": "COD", "owned": "big_mine", "share": "0.4", **POLICY},
                ],
            ),
            "firm_activities.csv": (
                "firm_activities",
                [
                    {
                        "firm": "dragon",
                        "mineral": "y",
                        "stage": "mining",
                        "country": "COD",
                        "facility": "",
                        "year": "2024",
                        "quantity": "100",
                        "unit": "t",
                        "basis": "content",
                        **POLICY,
                    },
                    {
                        "firm": "euro_firm",
                        "mineral": "y",
                        "stage": "mining",
                        "country": "COD",
                        "facility": "big_mine",
                        "year": "2024",
                        "quantity": "20",
                        "unit": "t",
                        "basis": "content",
                        **POLICY,
                    },
                ],
            ),
        },
    )
    return root


@pytest.fixture
def kg(tiny):
    return minerals_kg.open(root=add_policies(tiny))


def test_scenario_applies_only_instruments_in_force_that_reach_members(kg):
    result = kg.scenario({"imposer": "CHN", "alliance": "summit"})
    assert list(result.applied["instrument"]) == ["ban_x"]  # ban_jp targets Japan only; old_ban ended 2022
    row = result.by_stage.set_index(["mineral", "stage"]).loc[("x", "refining")]
    assert row.supply_lost_share == pytest.approx(0.9)
    assert row.supply_lost_quantity == pytest.approx(90)
    assert row.coverage_before == pytest.approx(0.1)
    assert row.coverage_of_remaining_supply == pytest.approx(1.0)  # only France's 10 t remain
    assert row.remaining_suppliers == {"FRA": pytest.approx(0.1)}
    flow = result.by_mineral.set_index("mineral").loc["x"]
    assert (flow.flow_before, flow.flow_after) == (pytest.approx(1.0), pytest.approx(0.1))
    assert set(result.by_member["member"]) == {"USA", "AUS", "FRA", "DEU"}


def test_an_instrument_in_force_at_an_earlier_date(kg):
    result = kg.scenario({"imposer": "CHN", "alliance": "summit", "as_of": "2021-06-01"})
    assert list(result.applied["instrument"]) == ["old_ban"]
    assert result.by_stage.iloc[0][["mineral", "stage"]].tolist() == ["x", "mining"]


def test_removing_a_country_and_cutting_a_stage(kg):
    result = kg.scenario(
        {"alliance": "summit", "remove_countries": ["CHN"], "cut_stages": [{"mineral": "y", "stage": "mining"}]}
    )
    flows = result.by_mineral.set_index("mineral")
    assert flows.loc["x", "flow_after"] == pytest.approx(0.1)  # min(40% mining, 10% refining)
    assert flows.loc["y", "flow_after"] == 0
    assert result.by_end_use.empty  # the tiny world has no end uses


def test_scenario_cli_saves_json(tiny, tmp_path):
    root = add_policies(tiny)
    spec = tmp_path / "scenario.yaml"
    spec.write_text("name: bans\nalliance: summit\nimposer: CHN\nkinds: [export_control]\n")
    out = tmp_path / "result.json"
    result = run_cli("scenario", str(spec), "--root", str(root), "--save", str(out))
    assert result.returncode == 0, result.stderr
    saved = json.loads(out.read_text())
    assert saved["scenario"]["name"] == "bans" and saved["by_stage"][0]["mineral"] == "x"


def test_control_attribution_follows_firms_and_facility_owners(kg):
    host = kg.concentration("y", "mining").iloc[0].shares
    control = kg.concentration("y", "mining", basis="control").iloc[0].shares
    assert host == pytest.approx({"COD": 0.75, "DEU": 0.10})
    # Dragon (CHN) 100 t; Big Mine 20 t: 60% Euro Firm (DEU) = 12 t, 40% DRC stays
    assert control == pytest.approx({"CHN": 0.5, "COD": 0.19, "DEU": 0.16})
    moves = kg.control_moves()
    assert set(zip(moves.controller, moves.quantity)) == {("CHN", 100.0), ("DEU", 12.0)}
    cov = kg.coverage("summit", basis="control").set_index(["mineral", "stage"])
    assert cov.loc[("y", "mining"), "coverage"] == pytest.approx(0.16)


def test_what_if_reports_coverage_deltas(kg):
    delta = kg.what_if("summit", add=["COD"]).set_index(["mineral", "stage"])
    assert delta.loc[("y", "mining"), "delta"] == pytest.approx(0.75)
    assert delta.loc[("x", "mining"), "delta"] == 0


def test_recommend_is_greedy_and_its_gain_is_exact(kg):
    picks = kg.recommend("summit", k=2)
    assert list(picks["country"]) == ["COD"]  # CHN is excluded by default; nobody else adds anything
    members = kg.members("summit").countries
    current = kg.concentration(current=True)
    assert objective(current, members) == pytest.approx(0.10)
    first = picks.iloc[0]
    assert first.marginal_gain == pytest.approx(objective(current, members | {"COD"}) - objective(current, members))
    assert first.marginal_gain == pytest.approx(0.375)
    everyone = kg.recommend("summit", k=2, exclude=())
    assert list(everyone["country"]) == ["CHN", "COD"]
    assert everyone.iloc[0].marginal_gain == pytest.approx(0.425)


def test_removing_a_firm_takes_its_sourced_output_from_its_host(kg):
    result = kg.scenario({"alliance": "summit", "remove_firms": ["dragon"]})
    row = result.by_stage.set_index(["mineral", "stage"]).loc[("y", "mining")]
    assert row.supply_lost_share == pytest.approx(0.5)  # Dragon's 100 t of the 200 t world
    assert row.supply_lost_quantity == pytest.approx(100)
    # DRC keeps 50 t of its 150 t; Germany's 20 t and the 30 t USGS leaves unattributed are untouched
    assert row.remaining_suppliers == pytest.approx({"COD": 0.25, "unattributed": 0.15, "DEU": 0.10})
    assert result.by_mineral.set_index("mineral").loc["y", "flow_after"] == pytest.approx(0.5)
    assert result.firms["matched"].all()


def test_a_scenario_naming_unknown_things_is_refused_with_every_problem(kg):
    from minerals_kg.errors import MineralsKGError

    with pytest.raises(MineralsKGError) as exc:
        kg.scenario(
            {
                "alliance": "summit",
                "instruments": ["no_such_ban"],
                "remove_firms": ["nobody"],
                "remove_countries": ["XXX"],
                "cut_stages": [{"mineral": "unobtainium", "stage": "mining"}],
            }
        )
    lines = str(exc.value).splitlines()
    assert lines == [
        "scenario: instruments: expected a known instrument id (ban_jp, ban_x, old_ban), got 'no_such_ban'",
        "scenario: remove_firms: expected a known firm id (dragon, euro_firm), got 'nobody'",
        "scenario: remove_countries: expected an ISO 3166-1 alpha-3 country code, got 'XXX'",
        "scenario: cut_stages.0.mineral: expected a mineral id with production data (x, y), got 'unobtainium'",
    ]


def test_a_malformed_scenario_file_is_one_precise_error_per_problem_and_exit_2(tiny, tmp_path):
    root = add_policies(tiny)
    spec = tmp_path / "bad.yaml"
    spec.write_text("alliance: summit\ncut_stages: [{mineral: x, stage: smelting}]\ncolour: red\n")
    result = run_cli("scenario", str(spec), "--root", str(root))
    assert result.returncode == 2
    assert f"{spec}: cut_stages.0.stage: expected 'mining', 'processing'" in result.stderr
    assert f"{spec}: colour: expected a field of the document (name, alliance, as_of" in result.stderr


def test_unknown_minerals_in_analyses_are_refused(kg):
    from minerals_kg.errors import MineralsKGError

    with pytest.raises(MineralsKGError, match=r"minerals: expected a known mineral id \(x, y\), got 'xx'"):
        kg.recommend("summit", minerals=["xx"])
    with pytest.raises(MineralsKGError, match="demand: expected an alliance, ISO-3 country or end-use id"):
        kg.network_chokepoints("nowhere")


def set_instrument(root, instrument, **fields):
    """Change fields of one instrument row of the policies source."""
    import csv
    import io

    path = root / "policies" / "instruments.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    for r in rows:
        if r["id"] == instrument:
            r.update(fields)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue())


def test_an_instrument_of_unknown_status_is_reported_apart_and_never_applied(tiny):
    root = add_policies(tiny)
    # ban_x (X refining, effective 2024-01-01): no source says what happened after 2025-06
    set_instrument(root, "ban_x", status="unknown", status_as_of="2025-06", confidence="uncertain")
    kg = minerals_kg.open(root=root)
    before = kg.scenario({"alliance": "summit", "imposer": "CHN", "as_of": "2025-01-01"})
    after = kg.scenario({"alliance": "summit", "imposer": "CHN", "as_of": "2025-07-01"})
    assert "ban_x" in set(before.applied["instrument"]) and before.uncertain.empty  # dates settle it before June
    assert "ban_x" not in set(after.applied["instrument"])
    # status_as_of "2025-06" is a date: the first day of its period (precision month, in the graph)
    assert list(after.uncertain["instrument"]) == ["ban_x"] and after.uncertain.iloc[0]["status_as_of"] == dt.date(
        2025, 6, 1
    )
    assert after.to_dict()["instruments_status_unknown"][0]["status_as_of"] == "2025-06-01"
    assert ("x", "refining") not in set(zip(after.by_stage["mineral"], after.by_stage["stage"]))


def test_a_control_on_a_stage_without_data_says_so(tiny):
    root = add_policies(tiny)
    set_instrument(root, "ban_x", stages="refining;metal_production")
    result = minerals_kg.open(root=root).scenario({"alliance": "summit", "instruments": ["ban_x"]})
    row = result.applied.set_index("instrument").loc["ban_x"]
    # the tiny world has x refining data but no metal production: the control cuts nothing there, visibly
    assert row["cuts"] == [{"mineral": "x", "stage": "refining"}]
    assert row["without_data"] == [{"mineral": "x", "stage": "metal_production"}]

"""The shipped sources validate (pydantic, cross-file rules, SHACL) and reproduce the headline facts."""

from __future__ import annotations

import pytest

import minerals_kg
from minerals_kg.checks import load_dataset

from .conftest import SHIPPED


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(SHIPPED, shacl=True)


@pytest.fixture(scope="module")
def kg():
    return minerals_kg.open()


def test_shipped_sources_are_valid_including_shacl(dataset):
    assert dataset.counts()["production"] > 400


def test_every_fact_cites_a_declared_source_with_a_url_and_licence(dataset):
    for source in dataset.sources.values():
        assert source.url.startswith("http") and source.licence and source.retrieved
    cited = {r.source for r in dataset.production + dataset.memberships + dataset.participations}
    assert cited <= set(dataset.sources)


def test_at_least_25_minerals_have_production_data_including_the_four_curated_ones(kg):
    assert len(set(kg.concentration()["mineral"])) >= 25
    mining = set(kg.concentration(stage="mining")["mineral"])
    assert {"antimony", "tungsten", "niobium", "tantalum"} <= mining
    # by-products (gallium, germanium, indium, tellurium, bismuth) have refinery data only: USGS
    # publishes no mine production for them
    refining_only = {"gallium", "germanium", "indium", "tellurium", "bismuth"}
    assert refining_only <= set(kg.concentration(stage="refining")["mineral"]) and not refining_only & mining


def test_china_mines_about_70_percent_of_rare_earths_in_2024(kg):
    row = kg.concentration("rare_earths", "mining", year=2024, edition="MCS2025").iloc[0]
    assert row.top_country == "CHN"
    assert row.top_share == pytest.approx(270_000 / 390_000)  # 69.2 %
    assert row.world_total == 390_000


def test_editions_disagree_and_are_kept_side_by_side(kg):
    both = kg.concentration("rare_earths", "mining", year=2024).set_index("edition")
    assert both.loc["MCS2026", "top_share"] == pytest.approx(270_000 / 380_000)  # 71.1 %, revised
    assert both.loc["MCS2025", "shares"]["AUS"] != both.loc["MCS2026", "shares"]["AUS"]


def test_china_refines_about_90_percent_of_rare_earths(kg):
    refining = kg.concentration("rare_earths", "refining")
    assert len(refining) >= 1
    assert refining.iloc[-1].top_country == "CHN"
    assert 0.85 <= refining.iloc[-1].top_share <= 0.95


def test_drc_mines_most_cobalt_and_indonesia_most_nickel(kg):
    for mineral, country in (("cobalt", "COD"), ("nickel", "IDN")):
        rows = kg.concentration(mineral, "mining")
        assert (rows["top_country"] == country).all(), mineral


def test_the_ministerial_has_55_delegations_and_a_host(dataset):
    parts = [p for p in dataset.participations if p.event == "ministerial_2026"]
    delegations = [p for p in parts if p.role.value == "delegation"]
    assert len(delegations) == 55
    assert sum(p.participant == "european_commission" for p in delegations) == 1
    assert [p.participant for p in parts if p.role.value == "host"] == ["USA"]


def test_ministerial_alliance_counts_the_eu_through_the_commission(kg):
    members = kg.members("ministerial_2026")
    assert len(members.countries) >= 55  # 54 countries + the host, + EU states not present
    assert {"USA", "ESP", "DNK"} <= members.countries  # Spain and Denmark only via the Commission
    assert "CHN" not in members.countries
    direct = kg.members("ministerial_2026", expand_organisations=False, include_host=False)
    assert len(direct.countries) == 54


def test_china_has_export_controls_on_gallium_germanium_antimony_graphite_and_rare_earths(dataset):
    covered = {
        m
        for i in dataset.instruments.values()
        if i.imposer == "CHN" and i.instrument_kind.value == "export_control"
        for m in i.minerals
    }
    assert {"gallium", "germanium", "antimony", "graphite", "rare_earths"} <= covered


def test_coverage_values_are_fractions(kg):
    cov = kg.coverage("ministerial_2026")
    assert cov["coverage"].between(0, 1.02).all()  # rounded world totals can add up to a hair over 1
    assert cov["coverage_ex_china"].between(0, 1.02).all()


def test_chinas_export_controls_cut_the_five_minerals_with_the_lost_share(kg):
    result = kg.scenario({"imposer": "CHN", "kinds": ["export_control"], "alliance": "ministerial_2026"})
    cut = result.by_stage.set_index(["mineral", "stage"])
    assert {"gallium", "germanium", "antimony", "graphite", "rare_earths"} <= set(cut.index.get_level_values(0))
    # IEA Global Critical Minerals Outlook 2025: China 91% of rare-earth refining in 2024
    assert cut.loc[("rare_earths", "refining"), "supply_lost_share"] == pytest.approx(0.91)
    assert cut.loc[("antimony", "mining"), "supply_lost_share"] == pytest.approx(0.60)
    # the 2023 technology catalogue is applied but cuts no material
    assert ("rare_earths", "mining") not in cut.index
    tech = result.applied.set_index("instrument").loc["cn_mofcom_most_2023_tech_catalogue"]
    assert bool(tech["technology_only"]) and tech["cuts"] == []


def test_network_chokepoints_name_chinas_magnets_and_refining(kg):
    nc = kg.network_chokepoints("ministerial_2026", minerals=["rare_earths"])
    n1 = nc[nc["method"] == "n_1"].set_index("stage")
    # IEA (Oct 2025 commentary, as reported): China 94% of permanent magnets; GCMO 2025: 91% of refining
    assert n1.loc["component_manufacturing", "country"] == "CHN" and not n1.loc["component_manufacturing", "is_member"]
    assert n1.loc["component_manufacturing", "flow_at_stake"] == pytest.approx(0.94)
    assert n1.loc["refining", "flow_at_stake"] == pytest.approx(0.91)
    assert "CHN" in set(nc[nc["method"] == "min_node_cut"]["country"])


def test_recommend_first_pick_raises_the_objective_by_exactly_its_gain(kg):
    from minerals_kg.analysis.strategy import objective

    picks = kg.recommend("ministerial_2026", k=3)
    members = kg.members("ministerial_2026").countries
    current = kg.concentration(current=True)
    first = picks.iloc[0]
    assert first.marginal_gain > 0 and first.country not in members | {"CHN", "RUS"}
    assert objective(current, members | {first.country}) - objective(current, members) == pytest.approx(
        first.marginal_gain, abs=1e-12
    )
    assert list(picks["marginal_gain"]) == sorted(picks["marginal_gain"], reverse=True)


def test_control_attribution_moves_chinese_owned_drc_cobalt_to_china(kg):
    host = kg.concentration("cobalt", "mining", year=2024, edition="MCS2025").iloc[0]
    control = kg.concentration("cobalt", "mining", year=2024, edition="MCS2025", basis="control").iloc[0]
    assert host.top_country == "COD"
    assert control.shares["CHN"] > 0.3 > host.shares.get("CHN", 0.0)
    assert control.shares["COD"] < host.shares["COD"]


def test_the_readme_coverage_tables_are_generated_from_the_data():
    """The README's coverage tables are the output of `minerals-kg data-coverage` (they cannot drift)."""
    import io
    from pathlib import Path

    from minerals_kg import present
    from minerals_kg.analysis.data_coverage import LIST_COVERAGE

    kg = minerals_kg.open()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    lists = io.StringIO()
    present.render(kg.list_coverage(), "markdown", LIST_COVERAGE.names, LIST_COVERAGE.names, "", lists, None)
    assert lists.getvalue() in readme
    table = io.StringIO()
    columns = ["mineral", "lists", "mining", "processing", "refining", "metal_production", "component_manufacturing"]
    present.render(kg.data_coverage(), "markdown", columns, columns, "", table, None)
    assert table.getvalue() in readme


# One sourced figure per newly covered mineral and stage (issue 11), as the cited source prints it:
# (mineral, stage, year, edition, country, quantity or share, unit or "share", product)
PINNED = [
    ("nickel", "mining", 2025, "MCS2026", "IDN", 2_600_000, "t", None),  # MCS 2026 Nickel, world mine production
    ("vanadium", "mining", 2025, "MCS2026", "CHN", 82_000, "t", None),  # MCS 2026 Vanadium
    ("uranium", "mining", 2022, "WNA-2023", "KAZ", 21_227, "t", None),  # WNA World Uranium Mining Production (Aug 2023)
    ("titanium", "refining", 2025, "MCS2026", "CHN", 260_000, "t", "titanium sponge"),  # MCS 2026 Titanium, sponge
    ("magnesium", "refining", 2025, "MCS2026", "CHN", 950, "kt", "primary magnesium metal"),  # MCS 2026 Magnesium metal
    ("silicon", "refining", 2025, "MCS2026", "CHN", 4_000, "kt", "silicon metal"),  # MCS 2026 Silicon
    ("silicon", "processing", 2025, "MCS2026", "CHN", 3_500, "kt", "ferrosilicon"),  # MCS 2026 Silicon
    ("lead", "mining", 2024, "MCS2025", "CHN", 1_900, "kt", None),  # MCS 2025 Lead
    ("helium", "mining", 2024, "MCS2025", "USA", 68, "Mm3", "helium extracted from natural gas"),  # MCS 2025 Helium
    ("potash", "mining", 2025, "MCS2026", "CAN", 15_000, "kt", None),  # MCS 2026 Potash (K2O equivalent)
    ("phosphate_rock", "mining", 2025, "MCS2026", "CHN", 110_000, "kt", None),  # MCS 2026 Phosphate Rock
    ("silver", "mining", 2025, "MCS2026", "MEX", 6_300, "t", None),  # MCS 2026 Silver
    ("zirconium", "mining", 2025, "MCS2026", "AUS", 400, "kt", "zirconium mineral concentrates"),  # MCS 2026 Zirconium
    ("strontium", "mining", 2025, "MCS2026", "ESP", 100_000, "t", "celestite"),  # MCS 2026 Strontium
    ("rhenium", "mining", 2025, "MCS2026", "CHL", 30_000, "kg", None),  # MCS 2026 Rhenium
    ("tellurium", "refining", 2025, "MCS2026", "CHN", 800, "t", None),  # MCS 2026 Tellurium, refinery production
    ("tungsten", "processing", 2020, "EC-CRM2023", "CHN", 0.856, "share", None),  # EC CRM study 2023, Appendix 7
    ("heavy_rare_earths", "refining", 2023, "BMI-2023-12", "CHN", 0.999, "share", "separated heavy rare earths"),
    (
        "rare_earths",
        "component_manufacturing",
        2024,
        "IEA-COMMENTARY-2025-10",
        "CHN",
        0.94,
        "share",
        "permanent magnets",
    ),
    (
        "manganese",
        "refining",
        2022,
        "STRATAS-2023-02",
        "CHN",
        0.84,
        "share",
        "high-purity manganese sulphate monohydrate (HPMSM)",
    ),
]


@pytest.mark.parametrize(
    ("mineral", "stage", "year", "edition", "country", "value", "unit", "product"),
    PINNED,
    ids=[f"{p[0]}-{p[1]}-{p[3]}" for p in PINNED],
)
def test_a_newly_covered_mineral_and_stage_holds_its_sourced_figure(
    kg, mineral, stage, year, edition, country, value, unit, product
):
    p = kg.table("production")
    row = p[
        (p.mineral == mineral) & (p.stage == stage) & (p.year == year) & (p.edition == edition) & (p.country == country)
    ].iloc[0]
    if unit == "share":
        assert row.share == pytest.approx(value)
    else:
        assert (row.quantity, row.unit) == (pytest.approx(value), unit)
    assert row["product"] == product
    assert row.confidence in ("official", "secondary", "press")

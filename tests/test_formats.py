"""Loaders of the public formats: CEPII BACI and UN Comtrade trade files through the HS concordance,
and the USGS MCS data release. Fixtures are small files in the exact published layouts
(``tests/fixtures/``); each test states the answer worked out by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from minerals_kg.checks import load_dataset
from minerals_kg.errors import DataValidationError
from minerals_kg.resources import DEFAULT_ROOT as SHIPPED

FIXTURES = Path(__file__).parent / "fixtures"
TRADE = FIXTURES / "trade"
MCS = FIXTURES / "usgs_mcs"


def minerals_folder(root: Path) -> None:
    """The shipped mineral ids, citing one local source (the shipped rows cite sources of other folders)."""
    import csv

    with (SHIPPED / "minerals" / "minerals.csv").open(encoding="utf-8") as fh:
        rows = [{"id": r["id"], "name": r["name"], "usgs_chapter": r["usgs_chapter"]} for r in csv.DictReader(fh)]
    folder = root / "minerals"
    folder.mkdir(parents=True)
    with (folder / "minerals.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["id", "name", "usgs_chapter", "source", "confidence"])
        writer.writeheader()
        writer.writerows({**r, "source": "mineral_ids", "confidence": "official"} for r in rows)
    (folder / "manifest.yaml").write_text(
        "id: mineral_ids\ntitle: Mineral ids\npublisher: Test\nurl: https://example.org/minerals\n"
        "published: 2025-01-01\nretrieved: 2026-12-01\nlicence: CC0\nfiles:\n  - {path: minerals.csv, kind: minerals}\n",
        encoding="utf-8",
    )


def trade_root(tmp_path: Path, entries: str, files: dict[str, Path | str]) -> Path:
    """A loaders folder with the shipped minerals, countries and HS concordance, and one trade source."""
    root = tmp_path / "loaders"
    minerals_folder(root)
    for folder in ("countries", "hs_concordance"):
        shutil.copytree(SHIPPED / folder, root / folder)
    src = root / "trade"
    src.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, src / name)
        else:
            (src / name).write_text(content, encoding="utf-8")
    (src / "manifest.yaml").write_text(
        "id: trade_test\ntitle: Trade file\npublisher: Test\nurl: https://example.org/trade\n"
        "published: 2025-01-01\nretrieved: 2026-12-01\nlicence: CC0\nfiles:\n" + entries,
        encoding="utf-8",
    )
    return root


def flows(dataset, **match):
    return [f for f in dataset.imports if all(getattr(f, k) == v for k, v in match.items())]


# --- BACI ---------------------------------------------------------------------------------------

BACI_ENTRY = "  - {path: BACI_HS22_Y2023_V202501.csv, kind: baci, country_codes: country_codes_V202501.csv}\n"
BACI_FILES = {
    "BACI_HS22_Y2023_V202501.csv": TRADE / "BACI_HS22_Y2023_V202501.csv",
    "country_codes_V202501.csv": TRADE / "country_codes_V202501.csv",
}


def test_baci_flows_are_summed_per_form_in_us_dollars_and_tonnes(tmp_path):
    ds = load_dataset(trade_root(tmp_path, BACI_ENTRY, BACI_FILES), shacl=False)
    # China -> Japan: 284690 (250.125 k$, 10 t) + 284610 (49.875 k$, 2 t) are one form, rare-earth compounds
    (jpn,) = flows(ds, importer="JPN", exporter="CHN")
    assert (jpn.mineral, jpn.stage.value, jpn.form) == ("rare_earths", "processing", "rare-earth compounds")
    assert jpn.value_usd == pytest.approx(300_000.0) and jpn.quantity == pytest.approx(12.0)
    assert jpn.unit.value == "t" and (jpn.year_from, jpn.year_to) == (2023, 2023)
    assert jpn.edition == "BACI V202501" and jpn.source == "trade_test" and jpn.confidence.value == "estimate"
    assert "284610+284690" in jpn.note


def test_baci_quantity_na_leaves_the_flow_without_a_quantity_never_a_partial_sum(tmp_path):
    ds = load_dataset(trade_root(tmp_path, BACI_ENTRY, BACI_FILES), shacl=False)
    (oxides,) = flows(ds, importer="USA", exporter="CHN", form="cobalt oxides and hydroxides")
    assert oxides.value_usd == pytest.approx(100_000.0) and oxides.quantity is None and oxides.unit is None


def test_baci_country_codes_map_non_iso_codes_through_the_release_table(tmp_path):
    ds = load_dataset(trade_root(tmp_path, BACI_ENTRY, BACI_FILES), shacl=False)
    # 699 is India and 842 the United States in BACI (ISO 356 and 840)
    assert flows(ds, importer="USA", exporter="IND")[0].form == "permanent magnets of metal"
    # 490 "Other Asia, nes" (S19) is no country: as an exporter it is other_countries; as an importer, left out
    assert flows(ds, importer="USA", exporter="other_countries")[0].value_usd == pytest.approx(50_000.0)
    assert not [f for f in ds.imports if f.importer not in ("USA", "CHN", "JPN")]


def test_baci_products_outside_the_concordance_are_not_loaded(tmp_path):
    ds = load_dataset(trade_root(tmp_path, BACI_ENTRY, BACI_FILES), shacl=False)
    assert len(ds.imports) == 8  # 11 rows: one outside the concordance (010121), one into 'Other Asia'; 2 summed
    assert {f.mineral for f in ds.imports} == {"cobalt", "rare_earths"}


def test_a_bad_baci_file_is_one_error_per_bad_line_and_nothing_loads(tmp_path):
    bad = (
        "t,i,j,k,v,q\n2023,180,156,260500,1000.5,2000\n2023,180,156,260500,abc,2000\n\n"
        "2023,999,156,260500,5,1\n2023,180,156,260500,5,1,7\n2023,180,156,260500,-5,1\n2023,180,156,260500,5,x\n"
    )
    files = {**BACI_FILES, "BACI_HS22_Y2023_V202501.csv": bad}
    with pytest.raises(DataValidationError) as exc:
        load_dataset(trade_root(tmp_path, BACI_ENTRY, files), shacl=False)
    text = [str(i) for i in exc.value.issues]
    name = "loaders/trade/BACI_HS22_Y2023_V202501.csv"
    assert text == [
        f"{name}:3: v: expected a value in thousands of US$ (a number), got 'abc'",
        f"{name}:5: i: expected an exporter code listed in loaders/trade/country_codes_V202501.csv, got '999'",
        f"{name}:6: row: expected 6 fields, got 7 fields",
        f"{name}:7: v: expected a value of at least 0 (thousands of US$), got '-5.0'",
        f"{name}:8: q: expected a quantity of at least 0 tonnes, NA or empty, got 'x'",
    ]


def test_a_baci_entry_needs_its_country_codes_file(tmp_path):
    entry = "  - {path: BACI_HS22_Y2023_V202501.csv, kind: baci}\n"
    with pytest.raises(DataValidationError, match="country_codes: expected the release's country_codes"):
        load_dataset(trade_root(tmp_path, entry, BACI_FILES), shacl=False)


# --- Comtrade -------------------------------------------------------------------------------------


def comtrade(tmp_path, reporting: str | None = None):
    option = f", reporting: {reporting}" if reporting else ""
    entry = f"  - {{path: TradeData_minerals_2023.csv, kind: comtrade{option}}}\n"
    files = {"TradeData_minerals_2023.csv": TRADE / "TradeData_minerals_2023.csv"}
    return load_dataset(trade_root(tmp_path, entry, files), shacl=False)


def test_comtrade_keeps_the_importers_declaration_and_the_total_row(tmp_path):
    ds = comtrade(tmp_path)
    (usa,) = flows(ds, importer="USA", exporter="CHN", mineral="rare_earths")
    # the M total row (1,000,000 US$, 5,000,000 kg); the by-sea breakdown and China's X declaration are not added
    assert usa.value_usd == pytest.approx(1_000_000.0) and usa.quantity == pytest.approx(5_000.0)
    assert usa.basis.startswith("Comtrade importer-reported (flowCode M)") and usa.confidence.value == "official"


def test_comtrade_mirror_fills_an_importer_that_declares_nothing(tmp_path):
    ds = comtrade(tmp_path)
    (kor,) = flows(ds, importer="KOR")  # Korea reports nothing: China's export declaration stands in
    assert kor.exporter == "CHN" and kor.value_usd == pytest.approx(500_000.0) and "flowCode X" in kor.basis
    assert not flows(comtrade(tmp_path / "i", "importer"), importer="KOR")
    exporter_side = comtrade(tmp_path / "x", "exporter")
    assert flows(exporter_side, importer="USA")[0].value_usd == pytest.approx(950_000.0)


def test_comtrade_weight_is_net_weight_in_tonnes_else_a_kilogram_quantity_else_none(tmp_path):
    ds = comtrade(tmp_path)
    assert flows(ds, importer="USA", exporter="JPN")[0].quantity == pytest.approx(40.0)  # qty 40,000 kg
    (cobalt,) = flows(ds, importer="USA", exporter="CHN", mineral="cobalt")
    assert cobalt.quantity is None and cobalt.value_usd == pytest.approx(45_000.0)


def test_comtrade_codes_use_the_iso_column_then_the_numeric_code(tmp_path):
    ds = comtrade(tmp_path)
    assert flows(ds, importer="USA", exporter="COD")[0].value_usd == pytest.approx(70_000.0)  # reporterISO empty, 842
    assert flows(ds, importer="USA", exporter="other_countries")[0].value_usd == pytest.approx(20_000.0)  # S19
    assert not flows(ds, exporter="world") and len(flows(ds, importer="USA")) == 5


def test_a_bad_comtrade_line_names_its_line_and_column(tmp_path):
    lines = (TRADE / "TradeData_minerals_2023.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",600000,", ",lots,")  # primaryValue of line 3
    files = {"TradeData_minerals_2023.csv": "\n".join(lines) + "\n"}
    entry = "  - {path: TradeData_minerals_2023.csv, kind: comtrade}\n"
    with pytest.raises(DataValidationError) as exc:
        load_dataset(trade_root(tmp_path, entry, files), shacl=False)
    assert [str(i) for i in exc.value.issues] == [
        "loaders/trade/TradeData_minerals_2023.csv:3: primaryValue: expected a number, got 'lots'"
    ]


def test_the_concordance_maps_the_issue_s_products_and_keeps_baskets_out():
    lines = {(h.hs_code, h.mineral): h for h in load_dataset(shacl=False).hs_concordance}
    expected = {
        "284690": ("rare_earths", "processing"),
        "280530": ("rare_earths", "metal_production"),
        "850511": ("rare_earths", "component_manufacturing"),
        "283691": ("lithium", "refining"),
        "282520": ("lithium", "refining"),
        "260500": ("cobalt", "mining"),
        "810520": ("cobalt", "refining"),
        "250410": ("graphite", "mining"),
        "380110": ("graphite", "processing"),
        "261710": ("antimony", "mining"),
        "261100": ("tungsten", "mining"),
    }
    for code, (mineral, stage) in expected.items():
        assert lines[(code, mineral)].stage.value == stage and lines[(code, mineral)].specific
    # gallium and germanium share 8112.92 with three other metals; spodumene hides in 2530.90: never loaded
    assert not lines[("811292", "gallium")].specific and not lines[("253090", "lithium")].specific


# --- USGS MCS data release ------------------------------------------------------------------------


def mcs_root(tmp_path: Path, text: bytes | None = None) -> Path:
    root = tmp_path / "loaders"
    minerals_folder(root)
    shutil.copytree(SHIPPED / "countries", root / "countries")
    src = root / "mcs"
    src.mkdir()
    (src / "MCS2026_Commodities_Data.csv").write_bytes(text or (MCS / "MCS2026_Commodities_Data.csv").read_bytes())
    (src / "manifest.yaml").write_text(
        "id: usgs_mcs2026_release\ntitle: MCS 2026 data release\npublisher: U.S. Geological Survey\n"
        "url: https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8\nedition: MCS2026\n"
        "published: 2026-02-06\nretrieved: 2026-12-01\nlicence: Public domain\n"
        "files:\n  - {path: MCS2026_Commodities_Data.csv, kind: usgs_mcs_release}\n",
        encoding="utf-8",
    )
    return root


def test_the_mcs_release_loads_production_without_hand_transcription(tmp_path):
    ds = load_dataset(mcs_root(tmp_path), shacl=False)
    rows = {(p.mineral, p.stage.value, p.year, p.country): p for p in ds.production}
    cod = rows[("cobalt", "mining", 2024, "COD")]  # "Congo (Kinshasa)", "226,000", "Estimated."
    assert cod.quantity == 226_000 and cod.unit.value == "t" and cod.estimated and cod.edition == "MCS2026"
    assert cod.basis == "cobalt content" and cod.source == "usgs_mcs2026_release"
    assert rows[("cobalt", "mining", 2024, "TUR")].quantity == 2_200  # "Turkey" through the crosswalk
    assert rows[("cobalt", "mining", 2024, "world")].quantity == 302_000  # "Mine production: rounded"
    assert (
        rows[("gallium", "refining", 2024, "CHN")].quantity == 839_000
        and not rows[("gallium", "refining", 2024, "CHN")].estimated
    )
    assert rows[("gallium", "refining", 2024, "CHN")].unit.value == "kg"
    usa_ga = rows[("gallium", "refining", 2025, "USA")]  # "—"
    assert usa_ga.value_status.value == "zero" and usa_ga.quantity == 0
    assert rows[("lithium", "mining", 2024, "USA")].value_status.value == "withheld"  # "W"
    assert "Excludes U.S. production." in rows[("lithium", "mining", 2024, "world")].note
    # reserves and capacity are not production; the rounded world totals are the groups' denominators
    assert {p.stage.value for p in ds.production} == {"mining", "refining"} and len(ds.production) == 38


def test_the_mcs_release_feeds_concentration_like_the_curated_files(tmp_path):
    import minerals_kg

    kg = minerals_kg.open(root=mcs_root(tmp_path))
    row = kg.concentration("cobalt", "mining", year=2024).iloc[0]
    assert row.top_country == "COD" and row.top_share == pytest.approx(226_000 / 302_000)


def test_a_bad_mcs_value_is_one_precise_error(tmp_path):
    text = (MCS / "MCS2026_Commodities_Data.csv").read_bytes().replace(b'"226,000"', b"lots", 1)
    with pytest.raises(DataValidationError) as exc:
        load_dataset(mcs_root(tmp_path, text), shacl=False)
    assert [str(i) for i in exc.value.issues] == [
        "loaders/mcs/MCS2026_Commodities_Data.csv:6: Value: expected a number (thousands separators allowed), "
        "W, NA or —, got 'lots'"
    ]

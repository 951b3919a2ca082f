"""The validator's honesty, integrity and robustness rules, one defect at a time: each gives exactly one
issue at its file, row and field, and the rest of the sources still read (tiny world from conftest)."""

from __future__ import annotations

import os

import pytest

import minerals_kg
from minerals_kg.errors import DataValidationError

from .conftest import prod, write_csv, write_source
from .test_validation import append_rows, issues, only

S = {"source": "defs", "confidence": "official"}


def manifest_with_via(root, via_kind="code"):
    text = (root / "defs" / "manifest.yaml").read_text()
    (root / "defs" / "manifest.yaml").write_text(
        text.replace("licence: CC0", f"licence: CC0\nvia: https://example.org/copy\nvia_kind: {via_kind}")
    )


# --- honesty ----------------------------------------------------------------------------------------


def test_official_needs_the_publishers_own_text(tiny):
    manifest_with_via(tiny, "code")
    found = issues(tiny)
    assert {i.field for i in found} == {"confidence"}
    assert all("secondary or weaker (source defs was read in a code copy" in i.expected for i in found)


def test_a_faithful_archive_may_be_official(tiny):
    manifest_with_via(tiny, "archive")
    assert minerals_kg.open(root=tiny)


def test_nothing_stronger_than_press_from_a_blog(tiny):
    manifest_with_via(tiny, "blog")
    found = issues(tiny)
    assert any("press or weaker (source defs was read in a blog copy)" in i.expected for i in found)


def test_a_source_says_when_it_was_published_or_why_not(tiny):
    text = (tiny / "stats" / "manifest.yaml").read_text()
    (tiny / "stats" / "manifest.yaml").write_text(text.replace("published: 2025-01-31\n", ""))
    issue = only(issues(tiny))
    assert (issue.field, issue.got) == ("published", "neither")
    (tiny / "stats" / "manifest.yaml").write_text(
        text.replace("published: 2025-01-31\n", "published_note: undated web page\n")
    )
    assert minerals_kg.open(root=tiny)


def test_zero_production_is_a_quantity_of_zero(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "mining", "Chile", "", value_status="zero")])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "quantity", "empty")
    assert "0 with a unit when value_status is zero" in issue.expected


def test_a_table_without_its_world_total_is_a_partial_extract(tiny):
    append_rows(
        tiny / "stats" / "production.csv", [prod("y", "refining", "Chile", 4), prod("y", "refining", "Peru", 2)]
    )
    issue = only(issues(tiny))
    assert issue.field == "country" and "a World total row in y/refining/2024/T2025" in issue.expected


@pytest.mark.parametrize("value", ["inf", "1e308", "270_000", "nan"])
def test_numbers_are_plain_finite_decimals(tiny, value):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", value)])
    issue = only(issues(tiny))
    assert (issue.row, issue.field) == (row, "quantity")


def test_a_world_total_of_zero_is_an_error_not_a_crash(tiny):
    path = tiny / "stats" / "production.csv"
    path.write_text(
        path.read_text().replace(
            "y,mining,World total (rounded),2024,T2025,200", "y,mining,World total (rounded),2024,T2025,0"
        )
    )
    issue = only(issues(tiny))
    assert issue.field == "quantity" and issue.got == "0 with parts summing to 200"


# --- structure --------------------------------------------------------------------------------------


def test_memberships_end_when_their_organisation_is_dissolved(tiny):
    path = tiny / "defs" / "organisations.csv"
    write_csv(
        path,
        [
            {"id": "bloc", "name": "Bloc", "kind": "bloc", "parent": "", "dissolved": "", **S},
            {"id": "agency", "name": "Agency", "kind": "government_agency", "parent": "bloc", "dissolved": "", **S},
            {"id": "club", "name": "Club", "kind": "alliance", "parent": "", "dissolved": "2025-06", **S},
        ],
    )
    found = issues(tiny)
    assert {(i.field, i.got) for i in found} == {("until", "empty (open-ended)")}
    assert all("a date no later than club's dissolution (2025-06)" in i.expected for i in found)
    assert len(found) == 2  # AUS and bloc; JPN's observer row is exempt; GBR ended in 2023


def test_contested_memberships_never_count(tiny):
    write_csv(
        tiny / "defs" / "memberships.csv",
        [
            {
                "member": "AUS",
                "organisation": "club",
                "since": "2022-06-14",
                "until": "",
                "role": "member",
                "contested": "",
                **S,
            },
            {
                "member": "CHL",
                "organisation": "club",
                "since": "2022-06-14",
                "until": "",
                "role": "member",
                "contested": "true",
                **S,
            },
        ],
    )
    assert "AUS" in minerals_kg.open(root=tiny).members("club", as_of="2024-06-01").countries
    assert "CHL" not in minerals_kg.open(root=tiny).members("club", as_of="2024-06-01").countries


def test_an_organisation_cannot_be_its_own_parent_or_member(tiny):
    path = tiny / "defs" / "organisations.csv"
    path.write_text(path.read_text().replace("bloc,Bloc,bloc,,", "bloc,Bloc,bloc,agency,"))  # bloc -> agency -> bloc
    append_rows(
        tiny / "defs" / "memberships.csv",
        [{"member": "club", "organisation": "club", "since": "", "until": "", "role": "member", **S}],
    )
    found = issues(tiny)
    assert any(i.field == "parent" and "no cycle of parent links" in i.expected for i in found)
    assert any(i.field == "member" and i.got == "'club'" for i in found)


def add_firms(root, ownership):
    write_source(
        root,
        "owners",
        {
            "firms.csv": ("firms", [{"id": f, "name": f.title(), "hq": "AUS", **S} for f in ("alpha", "beta")]),
            "ownership.csv": ("ownership", ownership),
        },
    )
    text = (root / "owners" / "manifest.yaml").read_text()
    (root / "owners" / "manifest.yaml").write_text(text)


def stake(owner, owned, share, since="", until=""):
    return {"owner": owner, "owned": owned, "share": share, "since": since, "until": until, **S}


def test_stakes_in_one_firm_sum_to_at_most_one_at_any_date(tiny):
    add_firms(tiny, [stake("CHN", "alpha", "0.6", "2020"), stake("AUS", "alpha", "0.5", "2024-07-23")])
    issue = only(issues(tiny))
    assert issue.field == "share" and "stakes in alpha summing to at most 1 on 2024-07-23" in issue.expected
    assert issue.got.startswith("1.100: CHN 0.6")


def test_a_superseded_stake_closed_with_until_is_fine(tiny):
    add_firms(tiny, [stake("CHN", "alpha", "0.6", "2020", "2024-07-22"), stake("AUS", "alpha", "0.5", "2024-07-23")])
    assert minerals_kg.open(root=tiny)


def test_no_firm_owns_itself_and_no_circular_majority_ownership(tiny):
    add_firms(tiny, [stake("alpha", "alpha", "0.1"), stake("alpha", "beta", "0.6"), stake("beta", "alpha", "0.7")])
    found = issues(tiny)
    assert any(i.field == "owner" and i.got == "'alpha'" and "other than the owned" in i.expected for i in found)
    assert any("no circular majority ownership" in i.expected for i in found)


def test_unknown_status_is_uncertain(tiny):
    from .test_strategy_scenarios import add_policies

    add_policies(tiny)
    path = tiny / "policies" / "instruments.csv"
    path.write_text(path.read_text().replace(",in_force,", ",unknown,", 1))
    issue = only(issues(tiny))
    assert (issue.field, issue.expected) == ("confidence", "uncertain when status is unknown")


def test_a_crosswalk_row_needs_a_real_iso_code(tiny):
    row = append_rows(
        tiny / "countries" / "crosswalk.csv",
        [{"name": "Kosovo", "iso3": "XKX", "source": "usgs_mcs_country_names", "confidence": "official", "note": ""}],
    )
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "iso3", "'XKX'")


# --- reading: one defect, one line --------------------------------------------------------------------


def test_a_latin1_byte_is_one_error_and_the_other_rows_still_read(tiny):
    path = tiny / "defs" / "minerals.csv"
    path.write_bytes(path.read_bytes() + "z,Min\xe9ral Z,defs,official\nw,Mineral W,defs,official\n".encode("latin-1"))
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (4, "encoding", "the byte 0xe9")
    path.write_bytes(path.read_bytes().replace(b"Min\xe9ral", b"Mineral"))
    assert {"w", "z"} <= set(minerals_kg.open(root=tiny).table("minerals")["id"])


def test_an_unbalanced_quote_mid_file_is_one_error_at_its_row(tiny):
    path = tiny / "stats" / "production.csv"
    lines = path.read_text().splitlines()
    lines.insert(3, 'x,mining,"Chile,2024,T2025,1,t,content,,,,stats,official')
    path.write_text("\n".join(lines) + "\n")
    issue = only(issues(tiny))
    assert (issue.row, issue.field) == (4, "csv")


def test_a_duplicated_header_column(tiny):
    path = tiny / "defs" / "minerals.csv"
    path.write_text(path.read_text().replace("id,name,", "id,name,name,", 1))
    found = issues(tiny)
    assert any(i.row == 1 and i.field == "name" and i.got.startswith("column 'name' 2 times") for i in found)


def test_control_characters_are_refused(tiny):
    row = append_rows(tiny / "defs" / "minerals.csv", [{"id": "z", "name": "Mineral\x00Z", **S}])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "name", "U+0000 at character 8")


def test_a_file_listed_twice_is_one_error_naming_the_manifest(tiny):
    path = tiny / "stats" / "manifest.yaml"
    path.write_text(path.read_text() + "  - {path: production.csv, kind: production}\n")
    issue = only(issues(tiny))
    assert (issue.file, issue.field) == ("loaders/stats/manifest.yaml", "files")


def test_a_header_only_file_is_refused_instead_of_deleting_its_facts(tiny):
    path = tiny / "stats" / "production.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    found = issues(tiny)
    assert any(i.field == "rows" and i.got == "a header only" for i in found)


def test_a_folder_of_data_without_a_manifest_is_an_error_not_a_silent_skip(tiny):
    (tiny / "stats" / "manifest.yaml").unlink()
    found = issues(tiny)
    assert any(i.file == "loaders/stats" and i.field == "manifest.yaml" for i in found)


@pytest.mark.parametrize("path", ["/etc/hostname", "../../etc/passwd", "../defs/minerals.csv"])
def test_manifest_paths_stay_inside_their_source_folder(tiny, path):
    manifest = tiny / "stats" / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace("{path: production.csv,", f"{{path: '{path}',"))
    found = issues(tiny)
    assert any(i.field == "files.path" and i.expected == "a path inside the source folder" for i in found)
    assert not any("root:" in i.got for i in found)  # nothing of the file is echoed


def test_a_symlink_leaving_the_root_is_refused(tiny, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text((tiny / "stats" / "production.csv").read_text())
    (tiny / "stats" / "production.csv").unlink()
    os.symlink(outside, tiny / "stats" / "production.csv")
    found = issues(tiny)
    assert any(i.field == "files.path" and i.expected == "a path inside the source folder" for i in found)


def test_yaml_aliases_in_a_manifest_are_refused(tiny):
    path = tiny / "stats" / "manifest.yaml"
    path.write_text(path.read_text() + "x: &a [1, 2]\ny: [*a, *a]\n")
    found = issues(tiny)
    assert any(i.field == "yaml" and "aliases" in i.got for i in found)


def test_every_rule_keeps_nothing_half_loaded(tiny):
    append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", "inf")])
    with pytest.raises(DataValidationError):
        minerals_kg.open(root=tiny)

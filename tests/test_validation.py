"""Bad input: each defect yields one precise error (file, row, field, expected vs got), a nonzero
exit, and no graph — nothing is loaded and no report is written."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

import minerals_kg
from minerals_kg.checks import load_dataset
from minerals_kg.errors import DataValidationError, Issue

from .conftest import prod


def append_rows(path: Path, rows: list[dict]) -> int:
    """Append rows to a CSV (same header); return the line number of the first appended row."""
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
        lines = 1 + sum(1 for _ in fh)
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=header).writerows(rows)
    return lines + 1


def issues(root: Path) -> list[Issue]:
    with pytest.raises(DataValidationError) as exc:
        load_dataset(root)
    return exc.value.issues


def only(found: list[Issue]) -> Issue:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_the_tiny_world_is_valid(tiny):
    assert load_dataset(tiny).counts()["production"] == 12


def test_malformed_csv_row_names_the_line_and_field_count(tiny):
    path = tiny / "stats" / "production.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("x,mining,Chile,2024\n")
    issue = only(issues(tiny))
    assert (issue.file, issue.row, issue.field) == ("loaders/stats/production.csv", 14, "row")
    assert issue.expected == "13 fields" and issue.got == "4 fields"


def test_unterminated_quote_is_a_csv_error(tiny):
    path = tiny / "defs" / "minerals.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write('z,"Mineral Z,defs,official\n')
    issue = only(issues(tiny))
    assert issue.file == "loaders/defs/minerals.csv" and issue.field == "csv"


def test_unknown_country_suggests_the_nearest_name(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "Austrailia", 5)])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "country", "'Austrailia'")
    assert "nearest: 'Australia'" in issue.expected


def test_unknown_mineral(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("unobtainium", "mining", "CHN", 5)])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.expected, issue.got) == (
        row,
        "mineral",
        "a known mineral id",
        "'unobtainium'",
    )


def test_shares_over_100_percent(tiny):
    rows = [prod("x", "processing", c, "", share=s, edition="T2025") for c, s in (("CHN", "0.8"), ("AUS", "0.3"))]
    append_rows(tiny / "stats" / "production.csv", rows)
    issue = only(issues(tiny))
    assert issue.field == "share" and "summing to at most 1.010" in issue.expected and issue.got == "1.100"


def test_a_share_above_one(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", "", share="1.5")])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "share", "'1.5'")
    assert "less than or equal to 1" in issue.expected


def test_parts_exceeding_the_world_total(tiny):
    append_rows(tiny / "stats" / "production.csv", [prod("y", "mining", "Chile", 40)])
    issue = only(issues(tiny))
    assert issue.field == "quantity" and "world total of y/mining/2024/T2025" in issue.expected


def test_negative_quantity(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", -3)])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "quantity", "'-3'")
    assert "greater than or equal to 0" in issue.expected


def test_unknown_unit(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", 3, unit="lbs")])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "unit", "'lbs'")
    assert "'kg', 't', 'kt', 'Mt', 'm3' or 'Mm3'" in issue.expected


def test_mixed_units_in_one_group(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "mining", "Chile", 1, unit="kt")])
    found = issues(tiny)
    assert any(i.row == row and i.field == "unit" and "the unit and basis of the group" in i.expected for i in found)


def test_duplicate_id_names_the_first_occurrence(tiny):
    row = append_rows(
        tiny / "defs" / "minerals.csv", [{"id": "x", "name": "X again", "source": "defs", "confidence": "official"}]
    )
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "id", "'x'")
    assert "first used at loaders/defs/minerals.csv:2" in issue.expected


def test_date_out_of_order(tiny):
    row = append_rows(
        tiny / "defs" / "memberships.csv",
        [
            {
                "member": "ITA",
                "organisation": "bloc",
                "since": "2024-05-01",
                "until": "2020-01-01",
                "role": "member",
                "source": "defs",
                "confidence": "official",
            }
        ],
    )
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.expected, issue.got) == (
        row,
        "until",
        "a date on or after since (2024-05-01)",
        "'2020-01-01'",
    )


def test_impossible_calendar_date(tiny):
    row = append_rows(
        tiny / "defs" / "memberships.csv",
        [
            {
                "member": "ITA",
                "organisation": "bloc",
                "since": "2025-02-30",
                "until": "",
                "role": "member",
                "source": "defs",
                "confidence": "official",
            }
        ],
    )
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.expected) == (row, "since", "a calendar date")


def test_missing_source(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", 3, source="nowhere")])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "source", "'nowhere'")
    assert issue.expected == "the id of a source declared in a manifest"


def test_missing_source_column(tiny):
    path = tiny / "defs" / "minerals.csv"
    path.write_text("id,name,confidence\nx,Mineral X,official\ny,Mineral Y,official\n")
    issue = only(issues(tiny))
    assert (issue.file, issue.row, issue.field, issue.expected) == (
        "loaders/defs/minerals.csv",
        1,
        "source",
        "this required column",
    )


def test_unknown_column(tiny):
    path = tiny / "defs" / "minerals.csv"
    path.write_text("id,name,source,confidence,colour\nx,Mineral X,defs,official,red\ny,Y,defs,official,\n")
    issue = only(issues(tiny))
    assert (issue.row, issue.field) == (1, "colour")


def test_unknown_country_code_in_a_reference(tiny):
    row = append_rows(
        tiny / "defs" / "memberships.csv",
        [
            {
                "member": "XYZ",
                "organisation": "bloc",
                "since": "",
                "until": "",
                "role": "member",
                "source": "defs",
                "confidence": "official",
            }
        ],
    )
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "member", "'XYZ'")
    assert issue.expected == "an ISO-3 country code or a known organisation id"


def test_edition_must_match_its_source(tiny):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", 3, edition="T2026")])
    issue = only(issues(tiny))
    assert (issue.row, issue.field, issue.got) == (row, "edition", "'T2026'")


def test_every_error_is_reported_not_just_the_first(tiny):
    append_rows(
        tiny / "stats" / "production.csv",
        [
            prod("unobtainium", "mining", "CHN", 5),
            prod("x", "processing", "CHN", -1),
            prod("x", "refining", "Narnia", 1),
        ],
    )
    assert {i.field for i in issues(tiny)} == {"mineral", "quantity", "country"}


def test_nothing_is_opened_from_bad_sources(tiny):
    append_rows(tiny / "stats" / "production.csv", [prod("unobtainium", "mining", "CHN", 5)])
    with pytest.raises(DataValidationError):
        minerals_kg.open(root=tiny)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "minerals_kg.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_validate_exits_nonzero_and_report_writes_nothing(tiny, tmp_path):
    row = append_rows(tiny / "stats" / "production.csv", [prod("x", "processing", "CHN", 3, unit="lbs")])
    result = run_cli("validate", "--root", str(tiny))
    assert result.returncode == 1
    assert (
        f"loaders/stats/production.csv:{row}: unit: expected 'kg', 't', 'kt', 'Mt', 'm3' or 'Mm3', got 'lbs'"
        in result.stderr
    )
    out = tmp_path / "report"
    result = run_cli("report", "--root", str(tiny), "--out", str(out), "--alliance", "summit")
    assert result.returncode == 1
    assert not out.exists()

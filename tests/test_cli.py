"""The command line: the JSON contract, the formats and the report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .test_validation import run_cli

CONCENTRATION_KEYS = {"mineral", "stage", "year", "edition", "top_country", "top_share", "hhi", "cr3", "shares"}
COVERAGE_KEYS = {
    "mineral",
    "stage",
    "year",
    "edition",
    "coverage",
    "coverage_ex_china",
    "max_outsider",
    "max_outsider_share",
}


def test_concentration_json_contract(tiny):
    result = run_cli("concentration", "--root", str(tiny), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert all(set(r) >= CONCENTRATION_KEYS for r in rows)
    x = next(r for r in rows if (r["mineral"], r["stage"]) == ("x", "mining"))
    assert x["top_country"] == "CHN" and x["top_share"] == 0.6 and x["shares"] == {"CHN": 0.6, "AUS": 0.3, "USA": 0.05}


def test_chokepoints_json_is_ranked(tiny):
    rows = json.loads(run_cli("chokepoints", "--root", str(tiny), "-f", "json").stdout)
    assert [r["top_share"] for r in rows] == sorted((r["top_share"] for r in rows), reverse=True)
    assert all(set(r) >= CONCENTRATION_KEYS for r in rows)


def test_coverage_json_contract(tiny):
    result = run_cli("coverage", "--alliance", "summit", "--root", str(tiny), "-f", "json")
    rows = json.loads(result.stdout)
    assert all(set(r) >= COVERAGE_KEYS for r in rows)
    x = next(r for r in rows if (r["mineral"], r["stage"]) == ("x", "mining"))
    assert abs(x["coverage"] - 0.35) < 1e-9 and x["max_outsider"] == "CHN"


def test_csv_format(tiny):
    result = run_cli("coverage", "--alliance", "club", "--as-of", "2024-06-01", "--root", str(tiny), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["mineral"] for r in rows} == {"x", "y"}


def test_unknown_alliance_is_one_line_and_exit_2(tiny):
    result = run_cli("coverage", "--alliance", "nope", "--root", str(tiny))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "expected an organisation or event id" in result.stderr


def test_report_writes_a_self_contained_html_with_charts(tmp_path):
    out = tmp_path / "out"
    result = run_cli("report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Headline chokepoints" in result.stdout and "Coverage of ministerial_2026" in result.stdout
    page = (out / "report.html").read_text()
    # the charts are HTML and CSS: a coloured coverage table and the top producers' stacked bars
    assert "<table class='heat'>" in page and page.count("<div class='bars'") == 2
    assert "src='http" not in page and 'src="http' not in page  # opens offline
    assert json.loads((out / "coverage.json").read_text())


def _cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip("│ ").split("│"))


def test_the_readme_excerpt_of_report_is_what_report_prints(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What `report` shows", 1)[1].split("```", 2)[1]
    excerpt_rows = {_cells(line) for line in section.splitlines() if line.startswith("│")}
    result = run_cli("report", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    printed = {_cells(line) for line in result.stdout.splitlines() if line.startswith("│")}
    assert excerpt_rows and excerpt_rows <= printed, sorted(excerpt_rows - printed)

"""Shared fixtures: small hand-made source trees whose answers can be checked by hand."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from minerals_kg.resources import DEFAULT_ROOT as SHIPPED

REPO = Path(__file__).resolve().parents[1]

MANIFEST = """id: {id}
title: {title}
publisher: Test publisher
url: https://example.org/{id}
{edition}published: 2025-01-31
retrieved: 2026-11-26
licence: CC0
files:
{files}
"""


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_source(root: Path, sid: str, files: dict[str, tuple[str, list[dict]]], edition: str | None = None) -> Path:
    """A source folder: manifest + CSV files. ``files`` maps file name -> (kind, rows)."""
    folder = root / sid
    folder.mkdir(parents=True, exist_ok=True)
    for name, (_, rows) in files.items():
        write_csv(folder / name, rows)
    listing = "\n".join(f"  - {{path: {name}, kind: {kind}}}" for name, (kind, _) in files.items()) or "  []"
    (folder / "manifest.yaml").write_text(
        MANIFEST.format(
            id=sid, title=f"Test source {sid}", edition=f"edition: {edition}\n" if edition else "", files=listing
        )
    )
    return folder


def prod(mineral, stage, country, quantity, *, year=2024, edition="T2025", unit="t", source="stats", **extra):
    row = {
        "mineral": mineral,
        "stage": stage,
        "country": country,
        "year": year,
        "edition": edition,
        "quantity": quantity,
        "unit": unit,
        "basis": "content",
        "share": "",
        "value_status": "",
        "estimated": "",
        "source": source,
        "confidence": "official",
    }
    row.update(extra)
    return row


def build_tiny(root: Path) -> Path:
    """A tiny world: two minerals, an alliance with a member bloc, and an event with a host.

    mineral x, mining 2024 (world 100): CHN 60, AUS 30, USA 5, others 5
    mineral x, refining 2024 (world 100): CHN 90, FRA 10
    mineral y, mining 2024 (world 200): COD 150, DEU 20, others 30
    bloc 'bloc' = {FRA, DEU}; alliance 'club' = {AUS} + bloc 'bloc' (as a member organisation)
    event 'summit' hosted by USA with delegations AUS and 'agency' (acts for 'bloc')
    """
    write_source(
        root,
        "defs",
        {
            "minerals.csv": (
                "minerals",
                [
                    {"id": "x", "name": "Mineral X", "source": "defs", "confidence": "official"},
                    {"id": "y", "name": "Mineral Y", "source": "defs", "confidence": "official"},
                ],
            ),
            "organisations.csv": (
                "organisations",
                [
                    {
                        "id": "bloc",
                        "name": "Bloc",
                        "kind": "bloc",
                        "parent": "",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "id": "agency",
                        "name": "Agency",
                        "kind": "government_agency",
                        "parent": "bloc",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "id": "club",
                        "name": "Club",
                        "kind": "alliance",
                        "parent": "",
                        "source": "defs",
                        "confidence": "official",
                    },
                ],
            ),
            "memberships.csv": (
                "memberships",
                [
                    {
                        "member": "FRA",
                        "organisation": "bloc",
                        "since": "1958",
                        "until": "",
                        "role": "founding_member",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "member": "DEU",
                        "organisation": "bloc",
                        "since": "2024-01",
                        "until": "",
                        "role": "member",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "member": "AUS",
                        "organisation": "club",
                        "since": "2022-06-14",
                        "until": "",
                        "role": "founding_member",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "member": "bloc",
                        "organisation": "club",
                        "since": "2022-06-14",
                        "until": "",
                        "role": "member",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "member": "GBR",
                        "organisation": "club",
                        "since": "2022-06-14",
                        "until": "2023-12-31",
                        "role": "member",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "member": "JPN",
                        "organisation": "club",
                        "since": "2022-06-14",
                        "until": "",
                        "role": "observer",
                        "source": "defs",
                        "confidence": "official",
                    },
                ],
            ),
            "events.csv": (
                "events",
                [
                    {
                        "id": "summit",
                        "name": "Summit",
                        "kind": "ministerial",
                        "start": "2026-02-04",
                        "location": "USA",
                        "source": "defs",
                        "confidence": "official",
                    },
                ],
            ),
            "participations.csv": (
                "participations",
                [
                    {
                        "participant": "USA",
                        "event": "summit",
                        "role": "host",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "participant": "AUS",
                        "event": "summit",
                        "role": "delegation",
                        "source": "defs",
                        "confidence": "official",
                    },
                    {
                        "participant": "agency",
                        "event": "summit",
                        "role": "delegation",
                        "source": "defs",
                        "confidence": "official",
                    },
                ],
            ),
        },
    )
    write_source(
        root,
        "stats",
        {
            "production.csv": (
                "production",
                [
                    prod("x", "mining", "China", 60),
                    prod("x", "mining", "Australia", 30),
                    prod("x", "mining", "USA", 5),
                    prod("x", "mining", "Other countries", 5),
                    prod("x", "mining", "World total", 100),
                    prod("x", "refining", "CHN", 90),
                    prod("x", "refining", "France", 10),
                    prod("x", "refining", "World total", 100),
                    prod("y", "mining", "Congo (Kinshasa)", 150),
                    prod("y", "mining", "Germany", 20),
                    prod("y", "mining", "Other countries", 30),
                    prod("y", "mining", "World total (rounded)", 200),
                ],
            )
        },
        edition="T2025",
    )
    shutil.copytree(SHIPPED / "countries", root / "countries")
    return root


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return build_tiny(tmp_path / "loaders")

"""Tools analysts use on the loaded graph: cypher-shell prints the rows `minerals-kg query` prints, and
Neo4j Browser, driven in headless Chromium, connects and draws the graph with the shipped style sheet."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import pytest

from minerals_kg.backends.neo4j.loader import load
from minerals_kg.resources import QUERY_DIR

from ..conftest import REPO
from .conftest import SHIPPED, _unavailable

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOT = REPO / "docs" / "images" / "neo4j-browser.png"
"""Refreshed by ``MINERALS_KG_UPDATE_SCREENSHOT=1 make test``; otherwise the picture goes to a temporary folder."""


@pytest.fixture(scope="module")
def loaded(clean_db, neo4j_settings):  # type: ignore[no-untyped-def]
    load(neo4j_settings, SHIPPED, progress=False)
    return clean_db


@pytest.fixture(scope="module")
def env(neo4j_settings):  # type: ignore[no-untyped-def]
    return {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_PASSWORD": neo4j_settings.password}


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minerals_kg.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


def cell(text: str) -> object:
    """One value as both tools print it: numbers as numbers, NULL (cypher-shell) and "" (CSV) as None."""
    if text in ("", "NULL"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def rows(text: str) -> list[list[object]]:
    """cypher-shell --format plain (strings quoted, ", " between cells) or CSV, as comparable rows."""
    return [[cell(c) for c in row] for row in csv.reader(io.StringIO(text), skipinitialspace=True)]


@pytest.mark.parametrize(
    ("query", "params"),
    [("alliance_members", ["alliance=g7", "as_of=2026-02-04"]), ("dominant_producers", ["min_share=0.5"])],
)
def test_cypher_shell_prints_the_rows_minerals_kg_query_prints(loaded, env, query, params):
    flags = [x for p in params for x in ("-p", p)]
    shell = cli("shell", "-f", str(QUERY_DIR / f"{query}.cypher"), *flags, "--format", "plain", env=env)
    assert shell.returncode == 0, shell.stderr
    ours = cli("query", query, *flags, "--format", "csv", env=env)
    assert ours.returncode == 0, ours.stderr
    shell_rows, our_rows = rows(shell.stdout), rows(ours.stdout)
    assert shell_rows[0] == our_rows[0] and len(shell_rows) == len(our_rows) > 2
    for a, b in zip(shell_rows[1:], our_rows[1:]):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert x == pytest.approx(y, rel=1e-12) if isinstance(x, float) else x == y


def test_neo4j_browser_connects_and_draws_the_graph_in_headless_chromium(
    loaded, neo4j_settings, local_server, tmp_path
):
    if local_server is None:
        pytest.skip("Browser is served by the local server")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Neo4j Browser is checked in Debian's chromium ({CHROMIUM}): apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the test extras install it; in CI its absence fails the run
        _unavailable("Playwright for Python is needed (pip install -e '.[test]')")
    grass = (QUERY_DIR / "minerals-kg.grass").read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(local_server.browser_url, wait_until="domcontentloaded", timeout=120_000)
            page.get_by_test_id("boltaddress").wait_for(timeout=120_000)
            page.get_by_test_id("bolt-scheme-select").select_option("bolt://")
            page.get_by_test_id("boltaddress").fill(local_server.uri.removeprefix("bolt://"))
            page.get_by_test_id("username").fill(neo4j_settings.user)
            page.get_by_test_id("password").fill(neo4j_settings.password)
            page.get_by_test_id("connect").click()
            page.get_by_test_id("disconnectedBanner").wait_for(state="detached", timeout=60_000)
            page.get_by_test_id("frame").filter(has_text="Connected to Neo4j").first.wait_for(timeout=60_000)
            # the shipped style sheet, dropped on Browser as a user drops the file
            page.evaluate(
                """(grass) => {
                    const data = new DataTransfer();
                    data.items.add(new File([grass], 'minerals-kg.grass', {type: 'text/plain'}));
                    const target = document.querySelector('[data-testid=main]');
                    for (const type of ['dragenter', 'dragover', 'drop']) {
                        target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
                    }
                }""",
                grass,
            )
            page.get_by_test_id("frame").filter(has_text="node.Country").first.wait_for(timeout=60_000)
            query = "MATCH (c:Country {id:'CHN'})-[p:PRODUCES]->(m) RETURN c, p, m LIMIT 5"
            page.get_by_test_id("activeEditor").click()
            page.keyboard.type(query)
            page.get_by_test_id("editor-Run").click()
            frame = page.get_by_test_id("frame").filter(has_text="RETURN c, p, m LIMIT 5").first
            frame.locator("svg g.node").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)  # let the force layout settle for the picture
            nodes = frame.locator("svg g.node")
            assert nodes.count() >= 2
            assert "Country" in frame.inner_text() and "PRODUCES" in frame.inner_text()
            colours = {c.get_attribute("fill") for c in frame.locator("svg g.node circle.b-outline").all()}
            assert "#4C8EDA" in {c.upper() for c in colours if c}  # node.Country from minerals-kg.grass
            picture = tmp_path / SCREENSHOT.name
            page.screenshot(path=str(picture))
            assert picture.stat().st_size > 20_000
            if os.environ.get("MINERALS_KG_UPDATE_SCREENSHOT") == "1":
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(picture, SCREENSHOT)
        finally:
            browser.close()

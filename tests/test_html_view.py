"""The HTML view and the Cytoscape JSON, opened in a real headless Chromium (Debian's ``chromium``,
driven by Playwright): no console errors, no network request, the graph the page draws has the
selection's node and edge counts (read from cytoscape's own API in the page), clicking a node or a
relationship shows its source, the filters and the search work, and a screenshot is written.

Without Chromium these tests are skipped, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

import minerals_kg
from minerals_kg.export import export
from minerals_kg.export.html import CYTOSCAPE_DIR
from minerals_kg.subgraph import Subgraph

CHROMIUM = os.environ.get("MINERALS_KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _unavailable(reason: str):  # type: ignore[no-untyped-def]
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the HTML view tests need headless Chromium in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set MINERALS_KG_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page opened from a file, with everything it logged and every request it made."""

    def __init__(self, browser, path: Path):  # type: ignore[no-untyped-def]
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.messages: list[tuple[str, str]] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.messages.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.messages.append(("pageerror", str(e))))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())

    def problems(self) -> list[tuple[str, str]]:
        return [m for m in self.messages if m[0] in ("error", "warning", "pageerror")]

    def click_element(self, selector: str) -> None:
        """Click where cytoscape draws the element: a node's centre or an edge's midpoint."""
        x, y = self.page.evaluate(
            """(sel) => { const e = cy.$(sel); const box = document.getElementById('cy').getBoundingClientRect();
                 const p = e.isNode() ? e.renderedPosition() : e.renderedMidpoint();
                 return [p.x + box.left, p.y + box.top]; }""",
            selector,
        )
        self.page.mouse.click(x, y)


@pytest.fixture(scope="module")
def kg():
    return minerals_kg.open()


@pytest.fixture(scope="module")
def chains(kg) -> Subgraph:
    return kg.subgraph(
        minerals=["gallium", "germanium", "rare_earths"],
        labels=["Country", "Mineral", "PolicyInstrument", "Firm", "Facility", "EndUse", "Organisation"],
    )


def open_view(browser, path: Path) -> Page:  # type: ignore[no-untyped-def]
    view = Page(browser, path)
    view.page.wait_for_function("window.kgView && window.kgView.ready", timeout=120_000)
    return view


def test_the_page_draws_the_selection_offline_without_errors(browser, chains, tmp_path):
    path = export(chains, "html", tmp_path / "chains.html").path
    view = open_view(browser, path)
    counts = view.page.evaluate("[cy.nodes().length, cy.edges().length]")
    assert counts == [len(chains.nodes), len(chains.relationships)]
    assert view.problems() == []
    assert [r for r in view.requests if not r.startswith("file:")] == []
    assert view.page.evaluate("cytoscape.version") == json.loads((CYTOSCAPE_DIR / "VENDOR.json").read_text())["version"]
    shot = tmp_path / "view.png"
    view.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_clicking_a_node_shows_its_properties_and_its_source(browser, chains, tmp_path):
    path = export(chains, "html", tmp_path / "chains.html").path
    view = open_view(browser, path)
    view.click_element("#CHN")
    details = view.page.locator("#kg-details")
    china = next(n for n in chains.nodes if n.id == "CHN")
    source = chains.sources[china.properties["source"]]
    assert details.locator("h2").inner_text() == "China"
    assert source["title"] in details.inner_text()
    assert details.locator("a.source-url").get_attribute("href") == source["url"]
    assert "share of gallium refining" in details.inner_text()


def test_clicking_a_relationship_shows_the_fact_and_its_source(browser, kg, tmp_path):
    sub = kg.subgraph(node="gallium", hops=1, types=["PRODUCES"], labels=["Country", "Mineral"])
    path = export(sub, "html", tmp_path / "gallium.html").path
    view = open_view(browser, path)
    rel = next(r for r in sub.relationships if r.start == "CHN")
    view.click_element(f"edge[id = '{rel.id}']")
    details = view.page.locator("#kg-details").inner_text()
    assert "China → PRODUCES → Gallium" in details
    assert sub.sources[rel.properties["source"]]["title"] in details
    assert view.problems() == []


def test_search_filters_and_sizes_follow_the_controls(browser, chains, tmp_path):
    path = export(chains, "html", tmp_path / "chains.html").path
    view = open_view(browser, path)
    page = view.page
    page.fill("#kg-search", "germanium")
    assert re.fullmatch(r"\d+ match(es)?", page.inner_text("#kg-search-result"))
    assert page.evaluate("cy.nodes('.match').map(n => n.id())").count("germanium") == 1
    page.fill("#kg-search", "")
    page.select_option("#kg-mineral", "gallium")
    hidden_minerals = page.evaluate("cy.nodes('[kg_label = \"Mineral\"].hidden').map(n => n.id()).sort()")
    assert hidden_minerals == ["germanium", "rare_earths"]
    page.select_option("#kg-stage", "refining")
    big, small = page.evaluate("[cy.$id('CHN').width(), cy.$id('JPN').length ? cy.$id('JPN').width() : 0]")
    assert big > small  # China holds nearly all gallium refining
    page.uncheck("input[data-type='COVERS']")
    assert page.evaluate("cy.edges('[kg_type = \"COVERS\"]').filter(e => !e.hasClass('hidden')).length") == 0
    assert view.problems() == []


def test_the_cytoscape_json_draws_in_a_minimal_page(browser, chains, tmp_path):
    path = export(chains, "cytoscape", tmp_path / "chains.cyjs").path
    library = (CYTOSCAPE_DIR / "cytoscape.min.js").resolve().as_uri()
    page_path = tmp_path / "minimal.html"
    page_path.write_text(
        "<!doctype html><html><body><div id='cy' style='width:800px;height:600px'></div>"
        f"<script src='{library}'></script><script>"
        f"const data = {path.read_text(encoding='utf-8')};"
        "window.cy = cytoscape({container: document.getElementById('cy'), elements: data.elements,"
        " layout: {name: 'grid'}});</script></body></html>",
        encoding="utf-8",
    )
    view = Page(browser, page_path)
    view.page.wait_for_function("window.cy !== undefined")
    assert view.page.evaluate("[cy.nodes().length, cy.edges().length]") == [
        len(chains.nodes),
        len(chains.relationships),
    ]
    rel = chains.relationships[0]
    assert view.page.evaluate(f"cy.$id('{rel.id}').data('kg_source')") == rel.properties["source"]
    assert view.page.evaluate(f"cy.$id('{rel.id}').source().id()") == rel.start
    assert view.problems() == []


def test_the_report_shows_the_most_concentrated_chains_with_members_ringed(browser, tmp_path):
    from minerals_kg.cli import main

    main(["report", "--out", str(tmp_path)])
    report = tmp_path / "report.html"
    assert (tmp_path / "network.html").is_file() and "most concentrated chains" in report.read_text(encoding="utf-8")
    view = Page(browser, report)
    frame = view.page.frames[1]
    frame.wait_for_function("window.kgView && window.kgView.ready", timeout=120_000)
    nodes, members = frame.evaluate("[cy.nodes().length, cy.nodes('.member').length]")
    assert nodes > 50 and members > 5
    assert view.problems() == []

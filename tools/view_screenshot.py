"""Write docs/network-view.png: the report's network view (the most concentrated chains) in headless Chromium.

    .venv/bin/python tools/view_screenshot.py [--chromium /usr/bin/chromium]

The README shows this picture; rerun it when the view or the data change.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import minerals_kg
from minerals_kg.report import network_view

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "network-view.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    kg = minerals_kg.open()
    with tempfile.TemporaryDirectory() as tmp:
        page_path, minerals = network_view(kg, "ministerial_2026", kg.members("ministerial_2026"), Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(page_path.as_uri())
            page.wait_for_function("window.kgView && window.kgView.ready", timeout=120_000)
            page.select_option("#kg-stage", "refining")
            page.evaluate("window.kgView.show(cy.$id('CHN')); cy.$id('CHN').select()")
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"wrote {args.out} ({', '.join(minerals)})")


if __name__ == "__main__":
    main()

"""One self-contained, offline, interactive HTML page of a subgraph, drawn with cytoscape.js.

The page holds everything it needs: the vendored cytoscape.js (``data/vendor/cytoscape``, MIT, its
licence in the page's footer), the view's script and style (``data/view``), and the subgraph as
Cytoscape.js elements with the cited sources, each node's shares of world output and the nodes to
highlight. Its Content-Security-Policy forbids any network access, so it opens the same offline.

In the page: node colour by label; node size by share of world output at the chosen stage (largest
over stages and minerals unless one is chosen); edge colour and line style by relationship type;
a search box (id or name); filters for mineral, stage and relationship type; clicking a node or a
relationship shows its properties and its source's title, publisher and URL. ``window.cy`` is the
cytoscape instance and ``window.kgView.ready`` turns true once the layout has run.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from functools import cache
from typing import IO, Any

from ..model import Stage
from ..resources import VENDOR_DIR, VIEW_DIR
from ..subgraph import GraphStream
from .json_formats import _iso, cytoscape_edges, cytoscape_nodes
from .palette import LABEL_COLOURS, TYPE_COLOURS, hex_colour, label_colour, type_colour

__all__ = ["CYTOSCAPE_DIR", "vendored", "write_html"]

CYTOSCAPE_DIR = VENDOR_DIR / "cytoscape"


@cache
def vendored() -> dict[str, Any]:
    """What was vendored (``VENDOR.json``): name, version, licence, where it came from, file hashes."""
    return dict(json.loads((CYTOSCAPE_DIR / "VENDOR.json").read_text(encoding="utf-8")))


def _script_safe(text: str) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<`` that could close or comment it."""
    return text.replace("<", "\\u003c")


def _data_chunks(stream: GraphStream, description: str, title: str, highlight_label: str) -> Iterator[str]:
    labels = {node.label for node in stream.iter_nodes()}
    types = {rel.type for rel in stream.iter_relationships()}
    head = {
        "title": title,
        "description": description,
        "sources": {k: dict(v) for k, v in stream.sources.items()},
        "shares": {k: {m: dict(s) for m, s in v.items()} for k, v in stream.shares.items()},
        "highlight": sorted(stream.highlight),
        "highlightLabel": highlight_label,
        "labelColours": {x: hex_colour(label_colour(x)) for x in sorted(labels | set(LABEL_COLOURS))},
        "typeColours": {x: hex_colour(type_colour(x)) for x in sorted(types | set(TYPE_COLOURS))},
        "stages": [s.value for s in Stage],
    }
    yield _script_safe(json.dumps(head, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_iso))[:-1]
    yield ',"elements":{"nodes":['
    for i, text in enumerate(cytoscape_nodes(stream)):
        yield ("" if i == 0 else ",\n") + _script_safe(text)
    yield '],"edges":['
    for i, text in enumerate(cytoscape_edges(stream)):
        yield ("" if i == 0 else ",\n") + _script_safe(text)
    yield "]}}"


def write_html(
    stream: GraphStream,
    out: IO[str],
    description: str,
    *,
    title: str | None = None,
    highlight_label: str = "highlighted",
) -> tuple[int, int]:
    """Write the interactive page; returns (nodes, relationships) drawn."""
    meta = vendored()
    title = title or f"minerals-kg: {description}"
    n = sum(1 for _ in stream.iter_nodes())
    m = sum(1 for _ in stream.iter_relationships())
    page = (VIEW_DIR / "network.html").read_text(encoding="utf-8")
    replacements = {
        "{{TITLE}}": html.escape(title),
        "{{SUMMARY}}": html.escape(
            f"{n:,} nodes, {m:,} relationships. Colour: label; size: share of world output at the chosen stage; "
            "click a node or relationship for its properties and source."
        ),
        "{{STYLE}}": (VIEW_DIR / "network.css").read_text(encoding="utf-8"),
        "{{VENDOR}}": html.escape(f"{meta['name']} {meta['version']} ({meta['licence']})"),
        "{{LICENCE}}": html.escape((CYTOSCAPE_DIR / meta["licence_file"]).read_text(encoding="utf-8")),
        "{{CYTOSCAPE}}": (CYTOSCAPE_DIR / "cytoscape.min.js").read_text(encoding="utf-8"),
        "{{APP}}": (VIEW_DIR / "network.js").read_text(encoding="utf-8"),
    }
    before, after = page.split("{{DATA}}")
    for key, value in replacements.items():
        before, after = before.replace(key, value), after.replace(key, value)
    out.write(before)
    for chunk in _data_chunks(stream, description, title, highlight_label):
        out.write(chunk)
    out.write(after)
    return n, m

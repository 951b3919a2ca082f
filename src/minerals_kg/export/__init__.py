"""Exporters: a subgraph (:class:`~minerals_kg.subgraph.Subgraph`, or any
:class:`~minerals_kg.subgraph.GraphStream`) to the formats people open.

===============  ==============================================================  ======
format           for                                                             output
===============  ==============================================================  ======
``graphml``      Gephi, yEd, igraph, networkx, Cytoscape desktop (typed keys)    file
``gexf``         Gephi, dynamic (validity as spells: the timeline replays it)    file
``cytoscape``    Cytoscape.js and Cytoscape desktop (Cytoscape.js JSON)          file
``d3``           D3 force layouts, networkx (node-link JSON)                     file
``turtle``       triple stores, RDF tools (conforms to ``shapes.ttl``)           file
``jsonld``       JSON-LD processors (the same triples)                           file
``neo4j-admin``  ``neo4j-admin database import full`` (CSVs and ``import.sh``)   folder
``html``         a browser, offline: one interactive page (cytoscape.js inside)  file
===============  ==============================================================  ======

Every file is written whole or not at all (a temporary file or folder beside the target, renamed
into place), so an error never leaves half a file. Names, lists and dates follow one rule in every
format (:mod:`minerals_kg.export.naming`); elements are written sorted, so the same selection is the
same bytes on both backends.

>>> import pathlib, tempfile
>>> import minerals_kg
>>> kg = minerals_kg.open()
>>> sub = kg.subgraph(minerals=["gallium"], stages=["refining"])
>>> result = export(sub, "graphml", pathlib.Path(tempfile.mkdtemp()) / "gallium.graphml")
>>> result.nodes == len(sub.nodes), result.relationships == len(sub.relationships)
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_directory, open_atomic
from ..errors import InvalidArgument, shorten
from ..inputs import choose
from ..subgraph import GraphStream
from .gexf import write_gexf
from .graphml import write_graphml
from .html import write_html
from .json_formats import write_cytoscape, write_d3
from .neo4j_admin import IMPORT_SCRIPT, write_neo4j_admin
from .rdf_formats import write_jsonld, write_turtle

__all__ = ["FORMATS", "ExportFormat", "ExportResult", "describe", "export"]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    writer: Callable[..., tuple[int, int]]
    folder: bool = False
    suffix: str = ""


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("graphml", write_graphml, suffix=".graphml"),
        ExportFormat("gexf", write_gexf, suffix=".gexf"),
        ExportFormat("cytoscape", write_cytoscape, suffix=".cyjs"),
        ExportFormat("d3", write_d3, suffix=".json"),
        ExportFormat("turtle", write_turtle, suffix=".ttl"),
        ExportFormat("jsonld", write_jsonld, suffix=".jsonld"),
        ExportFormat("neo4j-admin", write_neo4j_admin, folder=True),
        ExportFormat("html", write_html, suffix=".html"),
    )
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the path (a file, or a folder for neo4j-admin), its files and counts."""

    path: Path
    format: str
    nodes: int
    relationships: int
    files: tuple[Path, ...]


def describe(selection: Mapping[str, Any]) -> str:
    """The selection a subgraph came from, as one line of ``key=value`` pairs (in the files' metadata).

    >>> describe({"alliance": "g7", "as_of": "2026-02-04", "minerals": ["cobalt", "lithium"]})
    'selection: alliance=g7; as_of=2026-02-04; minerals=cobalt,lithium'
    >>> describe({})
    'selection: the whole graph'
    """
    parts = []
    for key, value in selection.items():
        if value is None or value == []:
            continue
        text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{key}={' '.join(text.split())}")
    return "selection: " + ("; ".join(parts) if parts else "the whole graph")


def export(
    stream: GraphStream,
    fmt: str,
    path: Path | str,
    *,
    title: str | None = None,
    highlight_label: str = "highlighted",
    where: str = "path",
) -> ExportResult:
    """Write a subgraph in one format; see the table above.

    Parameters
    ----------
    stream : Subgraph or GraphStream
        What to write, e.g. ``kg.subgraph(alliance="msp")``.
    fmt : str
        One of :data:`FORMATS`.
    path : path
        The file to write (a folder for ``neo4j-admin``: a new or empty one, or one an earlier
        export wrote).
    title, highlight_label : str, optional
        ``html`` only: the page's title and the legend entry of highlighted nodes.
    where : str
        How the caller names ``path`` in errors (``--out`` on the command line).

    Returns
    -------
    ExportResult

    Raises
    ------
    InvalidArgument
        For an unknown format, a path that cannot be written (nothing is written then), or
        something that is not a subgraph.
    """
    spec = FORMATS[choose(fmt, FORMATS, "format", "an export format")]
    if not isinstance(stream, GraphStream):
        raise InvalidArgument("subgraph", "a Subgraph (kg.subgraph(...)) or another GraphStream", type(stream).__name__)
    if not isinstance(path, (str, Path)) or not str(path).strip():
        raise InvalidArgument(where, "a file or folder path", shorten(path))
    path = Path(path)
    description = describe(stream.selection)
    if spec.folder:
        with atomic_directory(path, marker=IMPORT_SCRIPT, where=where) as tmp:
            n, m = spec.writer(stream, tmp, description)
        return ExportResult(path, spec.name, n, m, tuple(sorted(path.iterdir())))
    options = {"title": title, "highlight_label": highlight_label} if spec.name == "html" else {}
    with open_atomic(path, "w", where=where) as fh:
        n, m = spec.writer(stream, fh, description, **options)
    return ExportResult(path, spec.name, n, m, (path,))

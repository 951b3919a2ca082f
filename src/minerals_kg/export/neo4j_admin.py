"""CSV files for ``neo4j-admin database import full``, written as a stream into a folder.

One node file per label combination (``nodes-Country.csv``, ``nodes-PolicyInstrument-ExportControl.csv``)
with the header ``id:ID,:LABEL,<property>:<type>,...``, and one relationship file per type
(``relationships-PRODUCES.csv``) with ``:START_ID,:END_ID,:TYPE,fact_id:string,<property>:<type>,...``.
Types are Neo4j's: ``string``, ``long``, ``double``, ``boolean``, ``date`` and ``string[]`` (items
joined by ``;``, the importer's array delimiter). The files hold what the loader (``minerals-kg
load``) writes: the same labels, properties and ``fact_id`` on every relationship, and dates as
``DATE``s with their ``<name>_precision`` (a partial source date is the first day of its period, the
last for ``until``, ``end`` and ``suspended_until``).

``import.sh`` in the folder runs the import with every file (``NEO4J_HOME`` and the database name
from the environment and its argument); :func:`import_arguments` gives the same arguments to a
program. A first pass collects each file's columns, a second writes the rows, so memory does not grow
with the graph; a missing value is an empty field (no property).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ..subgraph import GraphStream, Node, Relationship
from .naming import ColumnTypes, scalar_text

__all__ = ["IMPORT_SCRIPT", "import_arguments", "write_neo4j_admin"]

IMPORT_SCRIPT = "import.sh"
NEO4J_TYPE = {
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "string": "string",
    "list": "string[]",
    "date": "date",
}
ARRAY_DELIMITER = ";"
_SAFE = re.compile(r"[^A-Za-z0-9_]")


def _file_part(name: str) -> str:
    return _SAFE.sub("_", name)


def node_file(labels: Iterable[str]) -> str:
    return "nodes-" + "-".join(_file_part(label) for label in labels) + ".csv"


def relationship_file(rel_type: str) -> str:
    return f"relationships-{_file_part(rel_type)}.csv"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if type(value) is str:  # most cells: the text itself (what scalar_text gives a string)
        return value
    if kind == "list":
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise ValueError(f"an array item contains the array delimiter {ARRAY_DELIMITER!r}: {items}")
        return ARRAY_DELIMITER.join(items)
    return scalar_text(value)


def _columns(stream: GraphStream) -> tuple[dict[tuple[str, ...], dict[str, str]], dict[str, dict[str, str]]]:
    nodes: dict[tuple[str, ...], ColumnTypes] = {}
    rels: dict[str, ColumnTypes] = {}
    for n in stream.iter_nodes():
        types = nodes.setdefault(tuple(n.labels), ColumnTypes())
        for k, v in n.properties.items():
            if k != "id":
                types.add(k, v)
    for r in stream.iter_relationships():
        types = rels.setdefault(r.type, ColumnTypes())
        for k, v in r.properties.items():
            if k != "fact_id":
                types.add(k, v)
    return {k: v.types() for k, v in sorted(nodes.items())}, {k: v.types() for k, v in sorted(rels.items())}


def _node_row(n: Node, columns: dict[str, str]) -> list[str]:
    return [n.id, ";".join(n.labels), *(_cell(n.properties.get(k), kind) for k, kind in columns.items())]


def _relationship_row(r: Relationship, columns: dict[str, str]) -> list[str]:
    props = r.properties
    return [r.start, r.end, r.type, r.id, *(_cell(props.get(k), kind) for k, kind in columns.items())]


def import_arguments(folder: Path | str, database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin database import full`` arguments for an exported folder (files in it, sorted)."""
    folder = Path(folder)
    args = ["database", "import", "full"]
    args += [f"--nodes={p}" for p in sorted(folder.glob("nodes-*.csv"))]
    args += [f"--relationships={p}" for p in sorted(folder.glob("relationships-*.csv"))]
    return [*args, f"--array-delimiter={ARRAY_DELIMITER}", "--id-type=string", database]


def _script(node_files: list[str], rel_files: list[str], description: str) -> str:
    lines = [
        "#!/bin/sh",
        f"# minerals-kg: {description}",
        "# Import these CSV files into a new, empty database (Neo4j 5.26 or later, server stopped):",
        "#   NEO4J_HOME=/path/to/neo4j sh import.sh [database]     (default database: neo4j)",
        'set -eu\ncd "$(dirname "$0")"',
        '"${NEO4J_HOME:?set NEO4J_HOME}/bin/neo4j-admin" database import full \\',
        *(f"  --nodes={f} \\" for f in node_files),
        *(f"  --relationships={f} \\" for f in rel_files),
        f"  --array-delimiter='{ARRAY_DELIMITER}' --id-type=string \\",
        '  "${1:-neo4j}"',
    ]
    return "\n".join(lines) + "\n"


def write_neo4j_admin(stream: GraphStream, folder: Path, description: str) -> tuple[int, int]:
    """Write the CSV files and ``import.sh`` into ``folder``; returns (nodes, relationships) written."""
    node_columns, rel_columns = _columns(stream)
    handles: dict[str, IO[str]] = {}
    writers: dict[str, Any] = {}
    try:
        for labels, columns in node_columns.items():
            name = node_file(labels)
            handles[name] = (folder / name).open("w", encoding="utf-8", newline="")
            writers[name] = csv.writer(handles[name], lineterminator="\n")
            writers[name].writerow(["id:ID", ":LABEL", *(f"{k}:{NEO4J_TYPE[t]}" for k, t in columns.items())])
        for rel_type, columns in rel_columns.items():
            name = relationship_file(rel_type)
            handles[name] = (folder / name).open("w", encoding="utf-8", newline="")
            writers[name] = csv.writer(handles[name], lineterminator="\n")
            header = [":START_ID", ":END_ID", ":TYPE", "fact_id:string"]
            writers[name].writerow([*header, *(f"{k}:{NEO4J_TYPE[t]}" for k, t in columns.items())])
        n = m = 0
        for node in stream.iter_nodes():
            labels = tuple(node.labels)
            writers[node_file(labels)].writerow(_node_row(node, node_columns[labels]))
            n += 1
        for rel in stream.iter_relationships():
            writers[relationship_file(rel.type)].writerow(_relationship_row(rel, rel_columns[rel.type]))
            m += 1
    finally:
        for fh in handles.values():
            fh.close()
    script = _script(
        [node_file(labels) for labels in node_columns], [relationship_file(t) for t in rel_columns], description
    )
    (folder / IMPORT_SCRIPT).write_text(script, encoding="utf-8")
    return n, m

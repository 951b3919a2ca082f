"""The package's structure as a specification: no import cycle, no import from a lower layer to a
higher one, and the contract declared once (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import minerals_kg
from minerals_kg.backends.embedded import EmbeddedReader
from minerals_kg.contract import TABLES, GraphReader

PACKAGE = Path(minerals_kg.__file__).parent

# rank: a module may import modules of its own rank or lower
LAYERS = {
    "errors": 0,
    "resources": 0,
    "atomic": 0,
    "bulk": 0,
    "ontology": 1,
    "model": 1,
    "contract": 2,
    "countries": 3,
    "sources": 3,
    "formats": 3,
    "inputs": 3,
    "world_shares": 3,
    "rules": 4,
    "elements": 4,
    "rdf": 4,
    "shacl": 4,
    "checks": 4,
    "backends": 5,
    "analysis": 6,
    "subgraph": 6,
    "selection": 6,
    "api": 7,
    "export": 7,
    "present": 8,
    "report": 8,
    "bulk_load": 8,
    "cli": 9,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or "__init__"


def internal_imports(path: Path) -> set[str]:
    """Package modules a file imports (resolving relative imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = [p for p in path.relative_to(PACKAGE).with_suffix("").parts if p != "__init__"]
    package = parts if path.name == "__init__.py" else parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [".".join(target)] if node.module else [".".join([*target, a.name]) for a in node.names]
                out.update(n for n in names if n)
            elif node.module and node.module.startswith("minerals_kg."):
                out.add(node.module.removeprefix("minerals_kg."))
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("minerals_kg.") for a in node.names if a.name.startswith("minerals_kg."))
    return out


def layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


@pytest.fixture(scope="module")
def imports() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        g.add_node(name)
        for target in internal_imports(path):
            g.add_edge(name, target)
    return g


def test_every_module_has_a_layer(imports):
    assert {m for m in imports if m != "__init__" and m.split(".")[0] not in LAYERS} == set()


def test_there_is_no_import_cycle(imports):
    modules = imports.subgraph(n for n in imports if n != "__init__" and not n.endswith("__init__"))
    assert list(nx.simple_cycles(modules)) == []


def test_no_module_imports_a_higher_layer(imports):
    upward = [(a, b) for a, b in imports.edges if a != "__init__" and layer(b) > layer(a)]
    assert upward == []


def test_both_backends_implement_the_reader_protocol():
    from minerals_kg.backends.neo4j.reader import Neo4jReader

    assert isinstance(EmbeddedReader(nx.MultiDiGraph()), GraphReader)
    assert {"table", "to_networkx", "close"} <= set(dir(Neo4jReader))


def test_the_embedded_tables_are_the_declared_tables():
    kg = minerals_kg.open()
    for name, table in TABLES.items():
        df = kg.table(name)
        assert list(df.columns) == table.names, name
        assert [str(t) for t in df.dtypes] == [c.dtype for c in table.columns], name


def test_no_display_string_is_parsed_back():
    """Analyses return data; only `present` words it (STYLE.md: a display string is an output)."""
    for path in (PACKAGE / "analysis").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '.split("/")' not in text and "technology only" not in text, path.name

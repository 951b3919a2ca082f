"""Files shipped inside the package: the ontology, the sourced data, the Cypher library, the launcher.

They are package resources (``minerals_kg/data/...``), found with :mod:`importlib.resources`, so an
installed wheel works from any directory exactly like a source checkout. pip always installs
packages unzipped, so every resource is a real file on disk.

>>> (ONTOLOGY_FILE.name, SHAPES_FILE.name)
('minerals-kg.ttl', 'shapes.ttl')
>>> (DEFAULT_ROOT / "minerals" / "manifest.yaml").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "DEFAULT_ROOT",
    "LAUNCHER_DIR",
    "ONTOLOGY_DIR",
    "ONTOLOGY_FILE",
    "QUERY_DIR",
    "SHAPES_FILE",
    "VENDOR_DIR",
    "VIEW_DIR",
]


def _data_dir() -> Path:
    root = files("minerals_kg") / "data"
    path = Path(str(root))
    if not path.is_dir():  # pragma: no cover - only a broken install gets here
        raise RuntimeError(f"minerals_kg's data folder is missing ({root}); reinstall the package")
    return path


DATA_DIR = _data_dir()
ONTOLOGY_DIR = DATA_DIR / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "minerals-kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
DEFAULT_ROOT = DATA_DIR / "loaders"
"""The shipped sources: one folder per source with a ``manifest.yaml`` (``--root`` replaces it)."""
QUERY_DIR = DATA_DIR / "queries"
LAUNCHER_DIR = DATA_DIR / "neo4j-launcher"
VENDOR_DIR = DATA_DIR / "vendor"
"""Third-party files shipped inside the package, one folder each with its licence and ``VENDOR.json``."""
VIEW_DIR = DATA_DIR / "view"
"""The HTML network view's template, script and style (:mod:`minerals_kg.export.html`)."""

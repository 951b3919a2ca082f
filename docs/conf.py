"""Sphinx configuration: the API reference is generated from the package's numpydoc docstrings."""

from __future__ import annotations

import minerals_kg

project = "minerals-kg"
author = "minerals-kg contributors"
copyright = "2026, minerals-kg contributors"  # noqa: A001 - Sphinx's name
release = minerals_kg.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.viewcode", "numpydoc", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "examples/.ipynb_checkpoints"]
autodoc_default_options = {"members": True, "member-order": "bysource", "undoc-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
html_theme = "alabaster"
html_static_path: list[str] = []
nitpicky = False
suppress_warnings = ["myst.header"]

"""How properties are named, typed and flattened in the exported formats: one rule for every format.

**Names.** The graph-visualisation formats (GraphML, GEXF, Cytoscape JSON, D3 JSON, the HTML view)
use some names for their own structure: GraphML and GEXF edges have ``source``/``target``, Cytoscape
and D3 read ``id``, ``source``, ``target`` and ``parent`` from an element's data, Gephi shows
``label`` and treats ``start``/``end``/``weight``/``type`` specially, networkx's ``node_link_data``
and ``cytoscape_data`` overwrite ``source``/``target``. So in those formats the graph's structure and
provenance go under ``kg_`` names — ``kg_label`` (the ontology class), ``kg_labels``, ``kg_type`` (the
relationship type), ``kg_source`` and ``kg_confidence`` (provenance) — and so does any other property
whose name is in :data:`RESERVED` (``start`` and ``end`` of an event become ``kg_start``, ``kg_end``).
The element's own id is the node id or the relationship's fact id. Turtle/JSON-LD and the neo4j-admin
CSV keep the ontology's names: those formats reserve none of them.

**Lists** (an instrument's ``stages``, a node's labels): kept as lists where the format has them
(JSON arrays, ``string[]`` columns for neo4j-admin, one triple per item in RDF); GraphML and GEXF have
no list type every reader understands, so there the items are joined by ``|`` in order
(``mining|refining``). No id or vocabulary term contains ``|``.

**Dates** are the graph's: full ISO dates (``2025-10-01``; a partial source date is the first day of
its period, the last for ``until``, ``end`` and ``suspended_until``) with ``<name>_precision`` beside
them, as Neo4j holds them; neo4j-admin columns are typed ``date``, RDF types each by its precision
(``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``) and GEXF turns validity dates into spells.

>>> visual_name("source"), visual_name("start"), visual_name("share")
('kg_source', 'kg_start', 'share')
>>> flat(["mining", "refining"])
'mining|refining'
>>> value_type([1, 2.5]), value_type([True]), value_type(["a", 1])
('double', 'boolean', 'string')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..subgraph import Node, Relationship

__all__ = [
    "LIST_SEPARATOR",
    "PROVENANCE",
    "RESERVED",
    "ColumnTypes",
    "flat",
    "node_attributes",
    "relationship_attributes",
    "scalar_text",
    "value_type",
    "visual_name",
]

RESERVED = frozenset(
    {"id", "source", "target", "label", "labels", "type", "weight", "parent", "key", "start", "end", "confidence"}
)
"""Property names that take a ``kg_`` prefix in the visualisation formats (``confidence`` goes with ``source``)."""
PROVENANCE = ("kg_source", "kg_confidence")
LIST_SEPARATOR = "|"


def visual_name(key: str) -> str:
    """A property's name in the visualisation formats: ``kg_`` + the name when it is reserved."""
    return f"kg_{key}" if key in RESERVED else key


def flat(value: Any) -> Any:
    """A list as its items joined by ``|``, a date as ISO text; any other value unchanged."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        if any(LIST_SEPARATOR in item for item in items):
            raise ValueError(f"a list item contains {LIST_SEPARATOR!r}: {items}")
        return LIST_SEPARATOR.join(items)
    return value


def scalar_text(value: Any) -> str:
    """A value as XML/CSV text: ``true``/``false``, the shortest exact float, lists flattened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(flat(value))


def value_type(values: Iterable[Any]) -> str:
    """The one type of a column's values: ``boolean``, ``long``, ``double``, ``date``, ``string`` or ``list``.

    Integers and floats together are ``double``; anything else mixed is ``string``.
    """
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("long")
        elif isinstance(v, float):
            kinds.add("double")
        elif isinstance(v, dt.date):
            kinds.add("date")
        elif isinstance(v, (list, tuple)):
            kinds.add("list")
        else:
            kinds.add("string")
    if len(kinds) == 1:
        return kinds.pop()
    if kinds == {"long", "double"}:
        return "double"
    return "string"


class ColumnTypes:
    """Running column types: ``add(key, value)`` per value; ``types()`` gives key -> type, sorted."""

    def __init__(self) -> None:
        self._kinds: dict[str, set[str]] = {}
        self._seen: set[tuple[str, type]] = set()

    def add(self, key: str, value: Any) -> None:
        seen = (key, type(value))  # a value's kind depends on its Python type alone: classify each type once
        if seen not in self._seen:
            self._seen.add(seen)
            self._kinds.setdefault(key, set()).add(value_type([value]))

    def types(self) -> dict[str, str]:
        out = {}
        for key in sorted(self._kinds):
            kinds = self._kinds[key]
            out[key] = next(iter(kinds)) if len(kinds) == 1 else ("double" if kinds == {"long", "double"} else "string")
        return out


def node_attributes(node: Node) -> dict[str, Any]:
    """A node's attributes in the visualisation formats: ``kg_label``, ``kg_labels``, its renamed properties.

    The ``id`` property is the element's id there, not an attribute.
    """
    out: dict[str, Any] = {"kg_label": node.label, "kg_labels": list(node.labels)}
    out.update((visual_name(k), v) for k, v in node.properties.items() if k != "id")
    return dict(sorted(out.items()))


def relationship_attributes(rel: Relationship) -> dict[str, Any]:
    """A relationship's attributes in the visualisation formats: ``kg_type`` and its renamed properties."""
    out: dict[str, Any] = {"kg_type": rel.type}
    out.update((visual_name(k), v) for k, v in rel.properties.items())
    return dict(sorted(out.items()))

"""GEXF 1.3 for Gephi, **dynamic**: what has a validity carries it as spells, so Gephi's timeline
replays the alliance forming. Written as a stream (attribute declarations from a first pass).

Spells (``timeformat="date"``, closed intervals, an open end left out):

- ``MEMBER_OF`` and ``OWNS``: ``since`` .. ``until``;
- a policy instrument: from ``effective`` (else ``announced``) to the day before ``ended``, with the
  suspension (``suspended_from`` .. ``suspended_until``) cut out — the rule of
  :func:`~minerals_kg.analysis.scenario.instrument_in_force`;
- an organisation: ``founded`` .. ``dissolved``; an event, and what happened at it
  (``PARTICIPATED_IN``, ``ANNOUNCED_AT``), from its ``start`` on.

Partial dates widen to their period (``since: 2024-03`` starts on 1 March, ``until: 2026`` runs to
31 December). Everything else has no spell and is always there. Node labels are names; edge labels
and kinds are relationship types; ``viz:color`` follows the node's label. Names, lists and
provenance follow :mod:`minerals_kg.export.naming`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from ..model import period_end, period_start
from ..subgraph import GraphStream, Node, Relationship
from .naming import ColumnTypes, node_attributes, relationship_attributes, scalar_text
from .palette import label_colour

__all__ = ["spells", "write_gexf"]

NAMESPACE = "http://gexf.net/1.3"
GEXF_TYPE = {
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "string": "string",
    "list": "string",
    "date": "string",
}
Spell = tuple[dt.date | None, dt.date | None]
DAY = dt.timedelta(days=1)


def _start(value: Any) -> dt.date | None:
    """A graph date as is (already the first or last day of its period); source text widened."""
    if isinstance(value, dt.date):
        return value
    return period_start(value) if isinstance(value, str) else None


def _end(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return period_end(value) if isinstance(value, str) else None


def instrument_spells(props: Mapping[str, Any]) -> list[Spell]:
    """When an instrument was in force, as spells (the suspension cut out).

    >>> instrument_spells({"effective": "2025-10-09", "suspended_from": "2025-11-10", "suspended_until": "2026-11-10"})
    [(datetime.date(2025, 10, 9), datetime.date(2025, 11, 9)), (datetime.date(2026, 11, 11), None)]
    """
    start = _start(props.get("effective") or props.get("announced"))
    ended = _start(props.get("ended"))
    end = ended - DAY if ended else None
    if start is None and end is None:
        return []
    pause_from, pause_until = _start(props.get("suspended_from")), _end(props.get("suspended_until"))
    if pause_from is None:
        return [(start, end)]
    out: list[Spell] = []
    if start is None or start < pause_from:
        out.append((start, pause_from - DAY))
    if pause_until is not None and (end is None or pause_until < end):
        out.append((pause_until + DAY, end))
    return out


def spells(element: Node | Relationship, event_starts: Mapping[str, str]) -> list[Spell]:
    """The spells of a node or relationship (see the module docstring); [] when always present."""
    p = element.properties
    if isinstance(element, Node):
        if "PolicyInstrument" in element.labels:
            return instrument_spells(p)
        if element.label == "Organisation" and (p.get("founded") or p.get("dissolved")):
            return [(_start(p.get("founded")), _end(p.get("dissolved")))]
        if element.label == "Event" and p.get("start"):
            return [(_start(p["start"]), None)]
        return []
    if element.type in ("MEMBER_OF", "OWNS") and (p.get("since") or p.get("until")):
        return [(_start(p.get("since")), _end(p.get("until")))]
    if element.type in ("PARTICIPATED_IN", "ANNOUNCED_AT") and element.end in event_starts:
        return [(_start(event_starts[element.end]), None)]
    return []


def _spells_xml(found: list[Spell]) -> str:
    if not found:
        return ""
    items = "".join(
        "<spell"
        + (f' start="{start.isoformat()}"' if start else "")
        + (f' end="{end.isoformat()}"' if end else "")
        + "/>"
        for start, end in found
    )
    return f"<spells>{items}</spells>"


def _attvalues(attrs: Mapping[str, Any], ids: Mapping[str, str]) -> str:
    values = "".join(f"<attvalue for={quoteattr(ids[k])} value={quoteattr(scalar_text(v))}/>" for k, v in attrs.items())
    return f"<attvalues>{values}</attvalues>" if values else ""


def _token(text: str) -> str:
    return " ".join(str(text).split())


def write_gexf(stream: GraphStream, out: IO[str], description: str) -> tuple[int, int]:
    """Write ``stream`` as dynamic GEXF 1.3 to ``out``; returns (nodes, relationships) written."""
    node_types, edge_types, event_starts = ColumnTypes(), ColumnTypes(), {}
    for node in stream.iter_nodes():
        for k, v in node_attributes(node).items():
            node_types.add(k, v)
        if node.label == "Event" and node.properties.get("start"):
            event_starts[node.id] = node.properties["start"]
    for rel in stream.iter_relationships():
        for k, v in relationship_attributes(rel).items():
            edge_types.add(k, v)
    node_ids = {k: f"n{i}" for i, k in enumerate(node_types.types())}
    edge_ids = {k: f"e{i}" for i, k in enumerate(edge_types.types())}
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<gexf xmlns="{NAMESPACE}" xmlns:viz="{NAMESPACE}/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/gexf.xsd" version="1.3">\n'
    )
    out.write(f"  <meta><creator>minerals-kg</creator><description>{escape(description)}</description></meta>\n")
    out.write('  <graph defaultedgetype="directed" mode="dynamic" timeformat="date" timerepresentation="interval">\n')
    for domain, types, ids in (("node", node_types.types(), node_ids), ("edge", edge_types.types(), edge_ids)):
        out.write(f'    <attributes class="{domain}">\n')
        for key, kind in types.items():
            out.write(
                f"      <attribute id={quoteattr(ids[key])} title={quoteattr(key)} type={quoteattr(GEXF_TYPE[kind])}/>\n"
            )
        out.write("    </attributes>\n")
    out.write("    <nodes>\n")
    n = m = 0
    for node in stream.iter_nodes():
        r, g, b = label_colour(node.label)
        label = _token(node.properties.get("name") or node.id)
        out.write(
            f"      <node id={quoteattr(node.id)} label={quoteattr(label)}>"
            f"{_attvalues(node_attributes(node), node_ids)}{_spells_xml(spells(node, event_starts))}"
            f'<viz:color r="{r}" g="{g}" b="{b}"/></node>\n'
        )
        n += 1
    out.write("    </nodes>\n    <edges>\n")
    for rel in stream.iter_relationships():
        out.write(
            f"      <edge id={quoteattr(rel.id)} source={quoteattr(rel.start)} target={quoteattr(rel.end)} "
            f"label={quoteattr(rel.type)} kind={quoteattr(rel.type)}>"
            f"{_attvalues(relationship_attributes(rel), edge_ids)}{_spells_xml(spells(rel, event_starts))}</edge>\n"
        )
        m += 1
    out.write("    </edges>\n  </graph>\n</gexf>\n")
    return n, m

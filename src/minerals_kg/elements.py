"""Validated records -> the graph's nodes and relationships, in a form every writer takes.

Nodes are keyed by id (ISO-3 for countries, slugs otherwise; ids are unique across the project) and
carry their labels (the ontology class, plus an instrument's kind label) and properties.
Relationships carry their type and properties. Which record column becomes which relationship is
declared in :mod:`minerals_kg.contract`; labels, types and property keys are checked against the
ontology here, so no identifier that reaches a database comes from anywhere else.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .contract import FACTS, REFERENCES
from .model import Dataset, Facility, Record, date_columns, date_precision, graph_date
from .ontology import Ontology, load_ontology
from .world_shares import production_properties

__all__ = ["GraphElements", "fact_id", "graph_elements", "plain"]

Node = tuple[str, tuple[str, ...], dict[str, Any]]  # (id, labels, properties)
Edge = tuple[str, str, str, dict[str, Any]]  # (start id, type, end id, properties)


def plain(value: Any) -> Any:
    """A record value as a graph property: enums as their values, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def fact_id(start: str, rel: str, end: str, props: dict[str, Any]) -> str:
    """A relationship's stable id: a hash of its endpoints, type and properties (without ``fact_id``).

    The Neo4j loader MERGEs on it, so loading twice changes nothing; exports use it as the
    relationship's id, so the same fact has the same id in every format and on both backends.

    >>> fact_id("CHN", "PRODUCES", "gallium", {"stage": "refining"})[:12]
    'c194e75e5ad5'
    """
    payload = "".join(_fact_json([start, rel, end, props]))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def _json_encoder() -> Callable[[Any], Any]:
    """``json.dumps(..., sort_keys=True, default=str, ensure_ascii=False)``'s text, encoder made once.

    ``JSONEncoder.encode`` builds a new C encoder on every call (a third of the time of hashing a
    million facts); the standard library's own C encoder, made once with the same arguments as
    ``JSONEncoder.iterencode`` gives it, returns the same text as chunks. Without the C accelerator
    the pure-Python encoder gives the identical text.

    >>> "".join(_json_encoder()(["CHN", {"b": 1.5, "a": ["x", None], "c": "é"}]))
    '["CHN", {"a": ["x", null], "b": 1.5, "c": "é"}]'
    """
    reference = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the accelerator
        return lambda value: reference.iterencode(value)
    c_encoder = make(
        None,  # markers: no circular-reference check (a fact's properties are plain values)
        reference.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        reference.indent,
        reference.key_separator,
        reference.item_separator,
        reference.sort_keys,
        reference.skipkeys,
        reference.allow_nan,
    )
    return lambda value: c_encoder(value, 0)


_fact_json = _json_encoder()


@functools.cache
def _columns(model: type[Record]) -> tuple[tuple[str, str], ...]:
    """(field name, column name) of a record kind, read once per kind (pydantic's field table is slow to reach)."""
    return tuple((name, info.alias or name) for name, info in model.model_fields.items())


def _props(record: Record, skip: set[str]) -> dict[str, Any]:
    """Non-empty properties of a record under their column names (aliases).

    A partial source date becomes a date (the first day of its period, or the last day for the
    properties that close a span: :data:`~minerals_kg.model.PERIOD_END_DATES`) with its precision
    beside it as ``<name>_precision`` (``year``, ``month`` or ``day``).
    """
    out: dict[str, Any] = {}
    dates = date_columns(type(record))
    values = record.__dict__  # pydantic keeps a model's field values here; getattr would look each one up
    for name, key in _columns(type(record)):
        value = values[name]
        if key in skip or value is None or value == ():
            continue
        if key in dates:
            out[key] = graph_date(key, value)
            out[f"{key}_precision"] = date_precision(value)
            continue
        out[key] = plain(value)
    return out


@dataclass(frozen=True)
class GraphElements:
    """Nodes and relationships in backend-neutral form (what every backend and exporter loads)."""

    nodes: list[Node]
    edges: list[Edge]


def graph_elements(dataset: Dataset, ontology: Ontology | None = None) -> GraphElements:
    """Every node and relationship of the knowledge graph, checked against the ontology."""
    onto = ontology or load_ontology()
    refs: dict[type[Record], list] = {}
    for ref in REFERENCES:
        refs.setdefault(ref.model, []).append(ref)
    nodes: list[Node] = []
    edges: list[Edge] = []

    for label, entities in dataset.entities().items():
        for record in entities.values():
            own_refs = refs.get(type(record), [])
            props = _props(record, {r.column for r in own_refs})
            unknown = set(props) - onto.node_properties[label]
            if unknown:
                raise ValueError(f"{label} properties {sorted(unknown)} are not in the ontology")
            extra: tuple[str, ...] = ()
            if label == "PolicyInstrument":
                extra = (onto.instrument_labels[record.instrument_kind.value],)  # type: ignore[attr-defined]
            nid = props["id"]
            nodes.append((nid, (onto.check_label(label), *map(onto.check_label, extra)), props))
            provenance = (
                {"source": record.source, "confidence": plain(record.confidence)}  # type: ignore[attr-defined]
                if "source" in props
                else {}
            )
            for ref in own_refs:
                value = getattr(record, ref.column)
                for target in value if isinstance(value, tuple) else (value,) if value is not None else ():
                    if isinstance(record, Facility) and ref.rel_type == "PRODUCES":
                        # a facility produces each of its minerals at each of its stages, in its country
                        for stage in record.stages or (None,):
                            p = dict(provenance, country=record.country)
                            if stage is not None:
                                p["stage"] = plain(stage)
                            edges.append((nid, ref.rel_type, target, p))
                        continue
                    start, end = (nid, target) if ref.direction == "out" else (target, nid)
                    edges.append((start, ref.rel_type, end, dict(provenance)))
            if "source" in props:
                edges.append((nid, "SOURCED_FROM", props["source"], {}))

    endpoints = {fact.model: fact for fact in FACTS}
    production, firm_production = production_properties(dataset.production, dataset.firm_activities)
    computed = {id(r): p for r, p in zip(dataset.production, production)}
    computed |= {id(r): p for r, p in zip(dataset.firm_activities, firm_production)}
    for record in dataset.facts():
        fact = endpoints[type(record)]
        skip = {fact.start, fact.end} - {"source"}  # provenance stays on the fact even when the source is its end
        props = _props(record, skip)
        props.update({k: v for k, v in computed.get(id(record), {}).items() if v is not None})
        edges.append((getattr(record, fact.start), fact.rel_type, getattr(record, fact.end), props))
    for _, rel, _, props in edges:
        unknown = set(props) - onto.edge_properties[onto.check_type(rel)]
        if unknown:
            raise ValueError(f"{rel} properties {sorted(unknown)} are not in the ontology")
    return GraphElements(nodes, edges)

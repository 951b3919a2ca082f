"""The pydantic models and the ontology agree: every class, relationship type, property and
vocabulary term in one exists in the other."""

from __future__ import annotations

import typing
from enum import Enum

import pytest
from rdflib import Graph

from minerals_kg import model as M
from minerals_kg.contract import FACTS, REFERENCES
from minerals_kg.ontology import load_ontology
from minerals_kg.resources import ONTOLOGY_FILE, SHAPES_FILE

ONTO = load_ontology()


def columns(model) -> dict[str, object]:
    return {(info.alias or name): info.annotation for name, info in model.model_fields.items()}


def enum_of(annotation) -> type[Enum] | None:
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is tuple:
            arg = typing.get_args(arg)[0]
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg
    return None


def test_the_ontology_and_shapes_parse():
    assert len(Graph().parse(ONTOLOGY_FILE)) > 500
    assert len(Graph().parse(SHAPES_FILE)) > 50


def test_every_entity_model_is_an_ontology_class_and_back():
    assert {m.__ontology_class__ for m in M.ENTITY_MODELS} == set(ONTO.labels)


@pytest.mark.parametrize("model", M.ENTITY_MODELS, ids=lambda m: m.__name__)
def test_node_properties_match_the_model_fields(model):
    label = model.__ontology_class__
    refs = {r.column for r in REFERENCES if r.model is model}
    precisions = {f"{c}_precision" for c in M.date_columns(model)}  # computed beside every date
    assert (set(columns(model)) - refs) | precisions == ONTO.node_properties[label]


def test_every_relationship_type_in_code_is_in_the_ontology():
    used = {r.rel_type for r in REFERENCES} | {f.rel_type for f in FACTS} | {"SOURCED_FROM"}
    assert used <= set(ONTO.relationship_types)
    assert set(ONTO.relationship_types) == used


@pytest.mark.parametrize("model", M.FACT_MODELS, ids=lambda m: m.__name__)
def test_fact_fields_are_edge_properties_of_their_type(model):
    fact = next(f for f in FACTS if f.model is model)
    rel, start, end = fact.rel_type, fact.start, fact.end
    assert model.__ontology_relation__ == rel
    precisions = {f"{c}_precision" for c in M.date_columns(model)}
    assert (set(columns(model)) - {start, end}) | precisions <= ONTO.edge_properties[rel]


COMPUTED_PRODUCES = {"share_stated", "world_total", "latest", "share_edition"}  # minerals_kg.world_shares


def test_edge_properties_are_all_used_by_some_fact_or_reference():
    produced = set(columns(M.Production)) | set(columns(M.FirmActivity))
    assert ONTO.edge_properties["PRODUCES"] <= produced | {"facility", "country", "fact_id"} | COMPUTED_PRODUCES


def test_every_date_property_is_a_partial_date_with_its_precision_beside_it():
    graph = Graph().parse(ONTOLOGY_FILE)
    ranges = {
        str(label): str(rng).rsplit("#", 1)[-1]
        for label, rng in graph.query(
            "SELECT ?l ?r WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l ; "
            "<http://www.w3.org/2000/01/rdf-schema#range> ?r }"
        )
    }
    dates = {c for m in (*M.ENTITY_MODELS, *M.FACT_MODELS) for c in M.date_columns(m)}
    assert dates and {name for name, rng in ranges.items() if rng == "PartialDate"} == dates
    assert all(ranges[f"{d}_precision"] == "string" for d in dates)


def test_vocabularies_have_the_same_terms():
    assert set(ONTO.vocabularies) == set(M.VOCABULARIES)
    for name, enum_cls in M.VOCABULARIES.items():
        assert ONTO.vocabularies[name] == {e.value for e in enum_cls}, name


def test_every_enum_field_names_its_vocabulary_and_owner():
    for model in (*M.ENTITY_MODELS, *M.FACT_MODELS):
        owner = getattr(model, "__ontology_class__", None) or model.__ontology_relation__
        for column, annotation in columns(model).items():
            enum_cls = enum_of(annotation)
            if enum_cls is None:
                continue
            props, owners = ONTO.vocabulary_use[enum_cls.__name__]
            assert column in props and owner in owners, (model.__name__, column)


def test_each_instrument_kind_has_its_own_label():
    assert set(ONTO.instrument_labels) == {k.value for k in M.InstrumentKind}
    assert ONTO.instrument_labels["export_control"] == "ExportControl"


def test_identifiers_not_in_the_ontology_are_refused():
    with pytest.raises(ValueError):
        ONTO.check_label("Country) DETACH DELETE (n")
    with pytest.raises(ValueError):
        ONTO.check_type("MEMBER_OF]->() DELETE")


def is_partial_date(info) -> bool:
    """A pydantic field declared ``PartialDate`` (required: its validators; optional: inside the union)."""
    validators = typing.get_args(M.PartialDate)[1:]
    inner = [m for arg in typing.get_args(info.annotation) for m in typing.get_args(arg)[1:]]
    return all(v in [*info.metadata, *inner] for v in validators)


def test_every_partial_date_field_has_the_partial_date_range_and_back():
    dated = {
        info.alias or name
        for model in (*M.ENTITY_MODELS, *M.FACT_MODELS)
        for name, info in model.model_fields.items()
        if is_partial_date(info)
    }
    assert dated == ONTO.date_properties

"""SHACL validation of the dataset (as RDF) against ``ontology/shapes.ttl`` with pyshacl."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF, SH

from .elements import graph_elements
from .errors import Issue
from .model import Dataset
from .rdf import DATA, to_rdf
from .resources import ONTOLOGY_FILE, SHAPES_FILE


def shacl_issues(dataset: Dataset) -> list[Issue]:
    """Every SHACL violation as an Issue naming the focus node and the property path."""
    from pyshacl import validate

    data = to_rdf(graph_elements(dataset))
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    data += ontology  # the SKOS concepts the vocabulary values point to
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return []
    issues = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        focus_id = str(focus).removeprefix(str(DATA)) if focus is not None else "?"
        if focus is not None and not str(focus).startswith(str(DATA)):
            # a reified relationship: name it by its subject and predicate
            subj, pred = data.value(focus, RDF.subject), data.value(focus, RDF.predicate)
            focus_id = f"{str(subj).removeprefix(str(DATA))} -[{str(pred).rsplit('#', 1)[-1]}]->"
        field = str(path).rsplit("#", 1)[-1] if path is not None else "node"
        issues.append(
            Issue(f"shapes.ttl: {focus_id}", 0, field, str(message), "empty" if value is None else str(value))
        )
    return issues

"""SHACL validation against ``ontology/shapes.ttl`` with pyshacl: of the dataset (as RDF) and of any
RDF graph, such as a Turtle or JSON-LD export."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF, SH

from .elements import graph_elements
from .errors import Issue
from .model import Dataset
from .rdf import DATA, to_rdf
from .resources import ONTOLOGY_FILE, SHAPES_FILE

__all__ = ["graph_issues", "shacl_issues"]


def graph_issues(data: Graph, *, with_ontology: bool = True) -> list[Issue]:
    """Every SHACL violation in ``data`` as an Issue naming the focus node and the property path.

    ``with_ontology`` adds the ontology's triples (the SKOS concepts vocabulary values point to) to
    what is validated; an export that carries the concepts it uses conforms without them.
    """
    from pyshacl import validate

    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    if with_ontology:
        data = data + Graph().parse(ONTOLOGY_FILE, format="turtle")
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


def shacl_issues(dataset: Dataset) -> list[Issue]:
    """Every SHACL violation of the dataset's graph (see :func:`graph_issues`)."""
    return graph_issues(to_rdf(graph_elements(dataset)))

"""Running the SHACL shapes with pySHACL and mapping each result back to its YAML line."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import KgError
from kg.catalog.diagnostics import ERROR, WARNING
from kg.rdf.vocab import KG, SH
from kg.validation.results import ShapeResult, report_results  # noqa: F401 - their home before


class ShapesError(KgError):
    """The shapes themselves are broken (a maintainer's problem, not a contributor's)."""


def load_turtle_dir(folder: Path) -> Graph:
    """Every ``*.ttl`` file of ``folder`` in one graph."""
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def has_shapes(graph: Graph) -> bool:
    """Does ``graph`` declare at least one node shape (what validation would run)?"""
    from rdflib.namespace import RDF

    return (None, RDF.type, SH.NodeShape) in graph or (None, SH.targetClass, None) in graph


def check_graph(graph: Graph, shapes: Graph) -> list[ShapeResult]:
    """Run pySHACL (SHACL Core + SHACL-SPARQL, no inference) on ``graph``; one item per result."""
    from pyshacl import validate  # heavy import, only where validation runs

    _conforms, results, text = validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True,
        advanced=True, abort_on_first=False,
    )
    if not isinstance(results, Graph):  # pyshacl reports a broken shapes graph this way
        raise ShapesError(f"the SHACL shapes cannot be run: {text or results}")
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = WARNING if results.value(result, SH.resultSeverity) != SH.Violation else ERROR
        found.append(ShapeResult(
            code=_code(shapes, results, result), severity=severity,
            focus=results.value(result, SH.focusNode), path=results.value(result, SH.resultPath),
            value=results.value(result, SH.value),
            message=str(results.value(result, SH.resultMessage) or "does not satisfy the shapes")))
    return found


def _code(shapes: Graph, results: Graph, result) -> str:
    for node in (results.value(result, SH.sourceConstraint), results.value(result, SH.sourceShape)):
        if node is not None:
            code = shapes.value(node, KG.diagnosticCode)
            if code is not None:
                return str(code)
    return "KG500"

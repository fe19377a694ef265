"""Running the SHACL shapes with pySHACL and mapping each result back to its YAML line."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import KgError
from kg.catalog.diagnostics import ERROR, WARNING, Report
from kg.rdf.vocab import KG, SH


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


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, with the diagnostic code of the shape that produced it."""

    code: str
    severity: str
    focus: object
    path: object
    value: object
    message: str


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


def report_results(results: list[ShapeResult], origins, report: Report) -> None:
    """Add one diagnostic per SHACL result, at the YAML line of the value behind it."""
    for result in results:
        focus, path, value = result.focus, result.path, result.value
        severity, code, message = result.severity, result.code, result.message
        where = origins.origin(focus, path, value) or (str(focus), 1, 0)
        file, line, column = where
        if severity == ERROR and report.has_error_at(file, line):
            continue  # the loader already explained this line, with a better hint
        if value is not None and str(value) not in message:
            message = f"{message} (found {_show(value)})"
        report.add(file, line, column, code, message, severity=severity)


def _code(shapes: Graph, results: Graph, result) -> str:
    for node in (results.value(result, SH.sourceConstraint), results.value(result, SH.sourceShape)):
        if node is not None:
            code = shapes.value(node, KG.diagnosticCode)
            if code is not None:
                return str(code)
    return "KG500"


def _show(value) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."

"""Running the SHACL shapes with pySHACL and mapping each result back to its YAML line."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from .diagnostics import ERROR, WARNING, Report
from .graph import BuiltGraph
from .vocab import KG, SH


def load_turtle_dir(folder: Path) -> Graph:
    """Every ``*.ttl`` file of ``folder`` in one graph."""
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def run_shapes(built: BuiltGraph, shapes: Graph, report: Report) -> int:
    """Validate the asserted graph; add one diagnostic per result. Returns the result count."""
    from pyshacl import validate  # heavy import, only where validation runs

    _conforms, results, _text = validate(
        built.graph, shacl_graph=shapes, inference="none", allow_warnings=True,
        advanced=True, abort_on_first=False,
    )
    count = 0
    for result in results.subjects(RDF.type, SH.ValidationResult):
        count += 1
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = WARNING if results.value(result, SH.resultSeverity) != SH.Violation else ERROR
        code = _code(shapes, results, result)
        message = str(results.value(result, SH.resultMessage) or "does not satisfy the shapes")
        where = built.origin(focus, path, value) or (str(focus), 1, 0)
        file, line, column = where
        if severity == ERROR and report.has_error_at(file, line):
            continue  # the loader already explained this line, with a better hint
        if value is not None and str(value) not in message:
            message = f"{message} (found {_show(value)})"
        report.add(file, line, column, code, message, severity=severity)
    return count


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

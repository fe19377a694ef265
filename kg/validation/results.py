"""A SHACL result, whichever validator found it, and its diagnostic at the YAML line behind it.

No RDF library here: the results' terms are whatever the validator gave (rdflib terms).
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.catalog.diagnostics import ERROR, Report


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, with the diagnostic code of the shape that produced it."""

    code: str
    severity: str
    focus: object
    path: object
    value: object
    message: str


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


def _show(value) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."

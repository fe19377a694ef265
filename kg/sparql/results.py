"""Query results in one engine-neutral shape, and their SPARQL 1.1 result formats."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD


@dataclass
class QueryResult:
    """SELECT rows (rdflib terms or None), an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    kind: str  # select | ask | graph
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


def without_parameters(result: QueryResult) -> QueryResult:
    """Drop the columns of parameter variables (``?_x``, ``?__x``): they echo what was given.

    Saved queries project their parameters because pyoxigraph substitutes only projected
    variables; the columns carry no information, so no engine shows them.
    """
    if result.kind != "select":
        return result
    keep = [i for i, v in enumerate(result.variables) if not v.startswith("_")]
    if len(keep) == len(result.variables):
        return result
    return QueryResult("select", [result.variables[i] for i in keep],
                       [tuple(row[i] for i in keep) for row in result.rows])


def from_rdflib(result) -> QueryResult:
    if result.type == "SELECT":
        variables = [str(v) for v in result.vars]
        return QueryResult("select", variables, [tuple(row) for row in result])
    if result.type == "ASK":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    graph = result.graph if result.graph is not None else Graph()
    return QueryResult("graph", graph=graph)


def render(result: QueryResult, fmt: str, namespaces=None) -> str:
    """SELECT/ASK in table, csv, tsv or json (the SPARQL 1.1 result formats)."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "json":
        return _json(result)
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    return _table(result, namespaces)


def _json(result: QueryResult) -> str:
    bindings = []
    for row in result.rows:
        binding = {}
        for var, term in zip(result.variables, row):
            if term is not None:
                binding[var] = _json_term(term)
        bindings.append(binding)
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else t.n3() for t in row))
    return "\n".join(lines) + "\n"


def short(term, namespaces=None) -> str:
    """A term as a person reads it: a CURIE for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        if namespaces is not None:
            try:
                return namespaces.normalizeUri(term) if not str(term).endswith("/") else str(term)
            except Exception:  # an IRI that cannot be shortened
                return str(term)
        return str(term)
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"


def _table(result: QueryResult, namespaces) -> str:
    header = result.variables
    cells = [[short(t, namespaces).replace("\n", " ") for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    widths = [min(w, 60) for w in widths]

    def line(values):
        return "  ".join(_fit(v, w).ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    count = len(cells)
    out.append(f"({count} row{'s' * (count != 1)})")
    return "\n".join(out) + "\n"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

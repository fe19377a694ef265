"""Running a checked query on a SPARQL engine and returning an engine-neutral result."""
from __future__ import annotations

from rdflib import Graph

from .queries import parse_safe
from .results import QueryResult, from_rdflib

ENGINES = ("rdflib",)


def run_query(graph: Graph, text: str, bindings: dict | None = None,
              engine: str = "rdflib") -> QueryResult:
    """Refuse network-reaching queries, then evaluate ``text`` with the parameters bound as terms."""
    parse_safe(text)
    if engine != "rdflib":
        raise ValueError(f"unknown engine {engine}")
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph from the web
    return from_rdflib(graph.query(text, initBindings=bindings or {}))

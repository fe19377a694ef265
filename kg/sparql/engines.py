"""Running a checked query on a SPARQL engine (rdflib or pyoxigraph) with the same result shape.

Both engines get the parameters as RDF terms (rdflib ``initBindings``, pyoxigraph
``substitutions``), never spliced into the text, and both refuse SERVICE, LOAD and FROM
before evaluation (see queries.parse_safe).
"""
from __future__ import annotations

from rdflib import Graph

from kg.errors import KgUsageError
from kg.registry import ENGINES
from kg.rdf.terms import from_oxigraph, load_store, to_oxigraph
from kg.sparql.saved import QueryError, parse_safe
from kg.sparql.results import QueryResult, from_rdflib, without_parameters


def run_query(graph, text: str, bindings: dict | None = None, engine: str = "rdflib") -> QueryResult:
    """Refuse network-reaching queries, then evaluate ``text`` on ``graph``.

    ``graph`` is an rdflib Graph, or for the oxigraph engine either an rdflib Graph (loaded
    into a fresh in-memory store) or a ``pyoxigraph.Store``.
    """
    parse_safe(text)
    if engine == "rdflib":
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph from the web
        try:
            result = from_rdflib(graph.query(text, initBindings=bindings or {}))
        except Exception as exc:  # rdflib raises many types while evaluating; all mean the same
            raise QueryError(f"rdflib could not evaluate the query ({type(exc).__name__}: {exc}); "
                             "try --engine oxigraph") from None
        return without_parameters(result)
    if engine == "oxigraph":
        store = graph if not isinstance(graph, Graph) else store_from_graph(graph)
        return without_parameters(run_on_store(store, text, bindings))
    raise KgUsageError(f"unknown engine '{engine}': use one of {', '.join(ENGINES)}")


def store_from_graph(graph: Graph):
    """A pyoxigraph in-memory store holding the triples of ``graph`` (via canonical N-Triples lines)."""
    from kg.rdf.ntriples import graph_lines

    return load_store(graph_lines(graph))


def run_on_store(store, text: str, bindings: dict | None = None) -> QueryResult:
    import pyoxigraph as ox

    substitutions = {ox.Variable(str(var)): to_oxigraph(term) for var, term in (bindings or {}).items()}
    try:
        result = store.query(text, substitutions=substitutions)
    except RuntimeError as exc:
        if "SELECT projection" in str(exc):
            names = ", ".join(f"?{v}" for v in sorted(str(v) for v in (bindings or {})))
            raise QueryError(f"the oxigraph engine binds parameters only when they are selected: "
                             f"add {names} to the SELECT clause (and GROUP BY)") from None
        raise QueryError(f"oxigraph: {exc}") from None
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        converted: dict = {None: None}  # rows repeat terms (an organization, a year): convert each once

        def convert(term):
            value = converted.get(term, converted)
            if value is converted:
                value = converted[term] = from_oxigraph(term)
            return value

        rows = [tuple(convert(solution[v]) for v in variables) for solution in result]
        return QueryResult("select", variables, rows)
    graph = Graph()
    for triple in result:
        graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
                   from_oxigraph(triple.object)))
    return QueryResult("graph", graph=graph)

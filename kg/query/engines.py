"""Running a checked query on a SPARQL engine (rdflib or pyoxigraph) with the same result shape.

Both engines get the parameters as RDF terms (rdflib ``initBindings``, pyoxigraph
``substitutions``), never spliced into the text, and both refuse SERVICE, LOAD and FROM
before evaluation (see queries.parse_safe).
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import KgUsageError
from kg.registry import ENGINES
from kg.query.saved import QueryError, parse_safe
from kg.query.results import QueryResult, from_rdflib, without_parameters


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
    import pyoxigraph as ox

    from kg.rdf.ntriples import LinesReader, graph_lines

    store = ox.Store()
    lines = graph_lines(graph)
    if lines:
        store.bulk_load(LinesReader(lines), format=ox.RdfFormat.N_TRIPLES)
    return store


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


def to_oxigraph(term):
    """An rdflib term as a pyoxigraph term (plain literals become xsd:string, as in RDF 1.1)."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def from_oxigraph(term):
    """A pyoxigraph term as the rdflib term rdflib itself would give (xsd:string -> plain)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


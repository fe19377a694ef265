"""Running a checked query on a SPARQL engine (rdflib or pyoxigraph) with the same result shape.

Both engines get the parameters as RDF terms (rdflib ``initBindings``, pyoxigraph
``substitutions``), never spliced into the text, and both refuse SERVICE, LOAD and FROM
before evaluation. rdflib parses the query once, and the check walks that parse; pyoxigraph
parses the query itself, so it is checked by ``saved.check_safe``, which needs rdflib's
parser only for a text it cannot prove safe by reading it (see ``saved.surely_safe``).
"""
from __future__ import annotations

import re

from kg.errors import KgUsageError
from kg.registry import ENGINES
from kg.rdf.ntriples import Blank, Iri, Lit
from kg.rdf.terms import load_store, neutral_from_oxigraph, to_oxigraph, to_rdflib
from kg.sparql.saved import check_characters, check_nesting, QueryError, check_safe, parse_safe
from kg.sparql.results import QueryResult, from_rdflib, without_parameters, with_columns

_NEUTRAL = (Iri, Lit, Blank)


def run_query(graph, text: str, bindings: dict | None = None, engine: str = "rdflib", *,
              base: str | None = None, stream: bool = False) -> QueryResult:
    """Refuse network-reaching queries, then evaluate ``text`` on ``graph``.

    ``graph`` is an rdflib Graph, or for the oxigraph engine either an rdflib Graph (loaded
    into a fresh in-memory store) or a ``pyoxigraph.Store``. ``bindings`` maps variable names
    (or rdflib Variables) to terms: kg's neutral ``Iri``/``Lit`` or rdflib terms.
    """
    check_nesting(text)
    check_characters(text)
    if engine == "rdflib":
        return in_order_of_appearance(without_parameters(_run_on_rdflib(graph, text, bindings)), text)
    if engine == "oxigraph":
        store = store_from_graph(graph) if _is_rdflib_graph(graph) else graph
        result = run_on_store(store, text, bindings, prefixes=known_prefixes(base), stream=stream)
        return in_order_of_appearance(without_parameters(result), text)
    raise KgUsageError(f"unknown engine '{engine}': use one of {', '.join(ENGINES)}")


_SELECT_ALL = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_]+)")


def in_order_of_appearance(result: QueryResult, text: str) -> QueryResult:
    """The columns of a ``SELECT *`` in the order their variables first appear in the query, on both
    engines (SPARQL leaves it open: rdflib's order changed from run to run)."""
    if result.kind != "select" or not _SELECT_ALL.search(text):
        return result
    first = {}
    for match in _VARIABLE.finditer(text):
        first.setdefault(match.group(1), match.start())
    order = sorted(range(len(result.variables)), key=lambda i: (first.get(result.variables[i], 1 << 60),
                                                                result.variables[i]))
    return result if order == list(range(len(order))) else with_columns(result, order)


def _is_rdflib_graph(graph) -> bool:
    return not hasattr(graph, "quads_for_pattern")


def _run_on_rdflib(graph, text: str, bindings: dict | None) -> QueryResult:
    import rdflib.plugins.sparql as rdflib_sparql
    from rdflib import Variable
    from rdflib.plugins.sparql.algebra import translateQuery

    tree = parse_safe(text)  # the one parse: checked, then translated and evaluated
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph from the web
    terms = {Variable(str(var)): to_rdflib(term) if type(term) in _NEUTRAL else term
             for var, term in (bindings or {}).items()}
    try:
        prepared = translateQuery(tree, None, dict(graph.namespaces()))
        return from_rdflib(graph.query(prepared, initBindings=terms))
    except RecursionError:  # (a query nested too deeply is refused before: check_nesting, parse_safe)
        raise QueryError("rdflib ran out of recursion depth evaluating the query (a long chain of UNION "
                         "or ||, or arithmetic on an ill-typed literal such as \"abc\"^^xsd:integer + 1, "
                         "where rdflib recurses without end); run it with --engine oxigraph") from None
    except Exception as exc:  # rdflib raises many types while evaluating; all mean the same
        raise QueryError(f"rdflib could not evaluate the query ({type(exc).__name__}: {exc}); "
                         "try --engine oxigraph") from None


def store_from_graph(graph):
    """A pyoxigraph in-memory store holding the triples of ``graph`` (via canonical N-Triples lines)."""
    from kg.rdf.ntriples import graph_lines

    return load_store(graph_lines(graph))


def known_prefixes(base: str | None = None) -> dict[str, str]:
    """The prefixes an ad-hoc query may use without declaring them, on both engines: kg's own
    (kg:, schema:, skos:, …) and, given ``base``, the entity prefixes (model:, org:, …), as rdflib
    resolves them from the graph's bindings."""
    from kg import namespaces as ns

    prefixes = dict(ns.PREFIXES)
    if base is not None:
        root = ns.normalized_base(base)
        prefixes.update({prefix: f"{root}/{segment}/" for prefix, segment in ns.ENTITY_PREFIXES.items()})
    return prefixes


def _evaluate(store, text: str, bindings: dict | None, prefixes: dict[str, str] | None):
    """pyoxigraph's result of ``text`` on ``store``, ``bindings`` substituted as terms."""
    import pyoxigraph as ox

    substitutions = {ox.Variable(str(var)): to_oxigraph(term) for var, term in (bindings or {}).items()}
    return store.query(text, substitutions=substitutions, prefixes=prefixes)


def select_as_tsv(store, text: str, bindings: dict | None = None, *,
                  prefixes: dict[str, str] | None = None) -> tuple[list[str], bytes] | None:
    """A SELECT's variables and its rows written by pyoxigraph in the SPARQL TSV format (read
    back by kg.sparql.tsv_rows.cells_from_tsv), or None for a query of another form. For a text
    already checked safe; errors are pyoxigraph's own (run_on_store words them)."""
    import pyoxigraph as ox

    result = _evaluate(store, text, bindings, prefixes)
    if not isinstance(result, ox.QuerySolutions):
        return None
    return [v.value for v in result.variables], result.serialize(format=ox.QueryResultsFormat.TSV)


def run_on_store(store, text: str, bindings: dict | None = None, *,
                 prefixes: dict[str, str] | None = None, stream: bool = False) -> QueryResult:
    """Evaluate on a pyoxigraph store. With ``stream``, a SELECT's rows are produced as they are read
    (``cells`` is an iterator, to be read once): a large result is never held whole."""
    import pyoxigraph as ox

    check_safe(text)
    answered = getattr(store, "answered", None)  # a store of kg.pipeline.speculate: rows found meanwhile
    found = answered(text, bindings, prefixes) if answered is not None else None
    if found is not None:
        variables, cells = found
        return QueryResult("select", variables, cells=iter(cells) if stream else cells)
    try:
        result = _evaluate(store, text, bindings, prefixes)
    except RuntimeError as exc:
        if "SELECT projection" in str(exc):
            names = ", ".join(f"?{v}" for v in sorted(str(v) for v in (bindings or {})))
            raise QueryError(f"the oxigraph engine binds parameters only when they are selected: "
                             f"add {names} to the SELECT clause (and GROUP BY)") from None
        raise QueryError(f"oxigraph: {exc}") from None
    except SyntaxError as exc:
        parse_safe(text)  # rdflib's parser says why in kg's words (an update, a line and column)...
        raise QueryError(f"SPARQL syntax error: {exc}") from None  # ...unless only oxigraph objects
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        converted: dict = {None: None}  # rows repeat terms (an organization, a year): convert each once

        def convert(term):
            value = converted.get(term, converted)
            if value is converted:
                value = converted[term] = neutral_from_oxigraph(term)
            return value

        if stream:
            def rows():
                for solution in result:
                    if len(converted) > 100_000:  # the cache of converted terms stays small too
                        converted.clear()
                        converted[None] = None
                    yield tuple(map(convert, solution))  # a solution gives its terms in the variables' order

            return QueryResult("select", variables, cells=rows())
        cells = [tuple(map(convert, solution)) for solution in result]
        return QueryResult("select", variables, cells=cells)
    from rdflib import Graph

    from kg.rdf.terms import from_oxigraph

    graph = Graph()
    for triple in result:
        graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
                   from_oxigraph(triple.object)))
    return QueryResult("graph", graph=graph)

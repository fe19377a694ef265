"""rdflib and pyoxigraph give the same rows for every saved query, parameters bound as terms."""
from __future__ import annotations

import re

import pytest
from rdflib.compare import isomorphic

from kg.sparql.engines import run_query
from kg.pipeline.project import Project
from kg.pipeline.queryable import query_source
from kg.registry import ENGINES
from kg.sparql.saved import ParameterError, QueryError, bind_parameters, list_saved_queries

from .conftest import FIXTURE_CATALOG, ROOT

SAVED = list_saved_queries(ROOT / "queries")
BASE = "https://w3id.org/llm-kg"
EXTRA_PARAMS = {"country": "FR", "min_parameters": "66000000000", "since": "2023-07", "org": "stanford",
                "model": "llama", "technique": "rope"}


@pytest.fixture(scope="module", params=["fixture", "catalog"])
def engines(request):
    """The fixture catalog, and the real catalog of data/ (its gaps find engine differences)."""
    data = FIXTURE_CATALOG if request.param == "fixture" else ROOT / "data"
    project = Project.locate(data=data, start=ROOT)
    return tuple(query_source(project, engine=engine, use_cache=False).target for engine in ENGINES)


def _param_sets(query):
    names = {p.name for p in query.parameters}
    yield {}
    extra = {k: v for k, v in EXTRA_PARAMS.items() if k in names}
    if extra:
        yield extra


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_same_rows_on_both_engines(engines, query):
    graph, store = engines
    for params in _param_sets(query):
        try:
            bindings = bind_parameters(query, params, graph, BASE)
        except ParameterError:  # a default id this catalog lacks
            continue
        mine = run_query(graph, query.text, bindings, engine="rdflib")
        theirs = run_query(store, query.text, bindings, engine="oxigraph")
        assert mine.kind == theirs.kind
        if mine.kind == "graph":
            assert isomorphic(mine.graph, theirs.graph)
        else:
            assert mine.variables == theirs.variables
            assert mine.rows == theirs.rows, params


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_parameters_are_projected(query):
    """pyoxigraph substitutes only projected variables: a saved query must select its parameters."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, re.S | re.I)
    if match is None:  # CONSTRUCT / ASK / DESCRIBE: substitution needs no projection
        return
    head = match.group(1)
    for parameter in query.parameters:
        assert re.search(rf"\?{parameter.variable}\b", head), \
            f"{query.name}: add ?{parameter.variable} to the SELECT clause"


def test_oxigraph_refuses_service_too(engines):
    _, store = engines
    with pytest.raises(QueryError, match="SERVICE"):
        run_query(store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  engine="oxigraph")


def test_unprojected_parameter_explained(engines):
    graph, store = engines
    from rdflib import URIRef, Variable

    text = "SELECT ?o WHERE { ?_m_iri ?p ?o }"
    with pytest.raises(QueryError, match=r"add \?_m_iri to the SELECT clause"):
        run_query(store, text, {Variable("_m_iri"): URIRef(f"{BASE}/model/llama")}, engine="oxigraph")

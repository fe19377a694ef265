"""Saved queries: metadata, typed parameters bound as terms, refusals, expected results."""
from __future__ import annotations


import re

import pytest
from rdflib import Literal, URIRef, Variable

from kg.sparql.engines import run_query
from kg.pipeline.project import Project, compile_catalog
from kg.pipeline.queryable import query_graph
from kg.sparql.saved import (Parameter, ParameterError, QueryError, bind_parameters, find_saved_query,
                        list_saved_queries, parse_safe, read_saved_query)

from .conftest import FIXTURE_CATALOG, ROOT

BASE = "https://w3id.org/llm-kg"


@pytest.fixture(scope="module")
def graph():
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    return query_graph(compile_catalog(project, shapes=False), project)


def rows(graph, name, **params):
    saved = find_saved_query(ROOT / "queries", name)
    bindings = bind_parameters(saved, params, graph, BASE)
    result = run_query(graph, saved.text, bindings)
    return [tuple(_short(t) for t in row) for row in result.rows]


def _short(term):
    if term is None:
        return None
    text = str(term)
    return text[len(BASE) + 1:] if text.startswith(BASE + "/") else text


def test_every_default_parameter_names_one_entity_of_the_catalog():
    """`kg query NAME` with no -p runs on the real catalog: each default id is one entity there
    (fact-sources' llama-2 named both the model and the paper, and the query stopped)."""
    project = Project.locate(data=ROOT / "data", start=ROOT)
    catalog_graph = query_graph(compile_catalog(project, shapes=False), project)
    for saved in list_saved_queries(ROOT / "queries"):
        bind_parameters(saved, {}, catalog_graph, BASE)  # raises ParameterError for an unknown or ambiguous id


def test_every_saved_query_has_metadata():
    saved = list_saved_queries(ROOT / "queries")
    assert len(saved) >= 10
    for query in saved:
        assert query.summary, query.name
        assert query.description, query.name
        assert query.tags, query.name
        for parameter in query.parameters:
            if parameter.required:
                assert parameter.name in query.defaults, f"{query.name}: no default for {parameter.name}"
        parse_safe(query.text)


EXPECTED = {
    ("models-by-organization", ()): [
        ("model/llama-2", "Llama 2", "2023-07-18"), ("model/llama", "LLaMA", "2023-02-24"),
        ("model/llama-family", "Llama family", None)],
    ("models-by-organization", (("org", "stanford"),)): [("model/alpaca", "Alpaca", "2023-03-13")],
    ("model-ancestors", ()): [
        ("model/llama", "LLaMA", "model/alpaca", "ontology#instructionTunedFrom")],
    ("model-descendants", ()): [
        ("model/alpaca", "Alpaca", "model/llama", "2023-03-13"),
        ("model/llama-2", "Llama 2", "model/llama", "2023-07-18")],
    ("techniques-of-model", (("model", "llama"),)): [
        ("technique/rmsnorm", "RMSNorm", None, None, None),
        ("technique/rope", "Rotary position embedding", "technique/positional-encoding", "paper/roformer",
         "2104.09864"),
        ("technique/swiglu", "SwiGLU", None, None, None)],
    ("models-using-technique", ()): [
        ("model/llama", "LLaMA", "technique/rope"), ("model/llama-2", "Llama 2", "technique/rope")],
    ("releases-per-year", ()): [("2023", "4")],  # the family entry has no release date
    ("technique-papers", ()): [
        ("technique/rope", "Rotary position embedding", "paper/roformer",
         "RoFormer: Enhanced Transformer with Rotary Position Embedding", "2104.09864", "2021-04")],
    ("largest-open-weights-models", ()): [
        ("model/llama-2", "Llama 2", "70000000000"), ("model/llama", "LLaMA", "65000000000"),
        ("model/mixtral-8x7b", "Mixtral 8x7B", "46700000000")],
    ("largest-open-weights-models", (("min_parameters", "66000000000"),)): [
        ("model/llama-2", "Llama 2", "70000000000")],
    ("organizations-by-country", ()): [
        ("FR", "organization/mistral-ai", "Mistral AI", "1"), ("US", "organization/meta", "Meta", "3"),
        ("US", "organization/stanford", "Stanford University", "1")],
    ("organizations-by-country", (("country", "FR"),)): [
        ("FR", "organization/mistral-ai", "Mistral AI", "1")],
    ("curation-gaps", ()): [("model/alpaca", "Alpaca", "paper"),
                            ("model/mixtral-8x7b", "Mixtral 8x7B", "paper")],
    ("moe-models", ()): [("model/mixtral-8x7b", "Mixtral 8x7B", "46700000000", "12900000000", "27.6")],
    ("new-since", (("since", "2023-07"),)): [("model/mixtral-8x7b", "Mixtral 8x7B", "2023-12"),
                                            ("model/llama-2", "Llama 2", "2023-07-18")],
    ("new-since", ()): [],
    ("entities-without-sources", ()): [],
    ("family-members", ()): [("model/llama", "LLaMA", "2023-02-24", None),
                             ("model/llama-2", "Llama 2", "2023-07-18", "model/llama")],
    ("longest-context-windows", ()): [("model/llama-2", "Llama 2", "4096", "organization/meta"),
                                      ("model/llama", "LLaMA", "2048", "organization/meta")],
    ("models-by-architecture", ()): [("decoder-only", "1", "2023-02-24")],
    ("models-by-country", ()): [("model/mixtral-8x7b", "Mixtral 8x7B", "organization/mistral-ai", "2023-12")],
    ("models-by-country", (("country", "US"),)): [
        ("model/llama-family", "Llama family", "organization/meta", None),
        ("model/llama", "LLaMA", "organization/meta", "2023-02-24"),
        ("model/alpaca", "Alpaca", "organization/stanford", "2023-03-13"),
        ("model/llama-2", "Llama 2", "organization/meta", "2023-07-18")],
    ("models-by-license", ()): [
        ("http://spdx.org/licenses/Apache-2.0", "Apache License 2.0", "1", "1"),
        ("http://spdx.org/licenses/CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0", "1", "0"),
        ("license/llama-community", "LLaMA non-commercial research licence", "1", "1"),
        ("license/llama-2-community", "Llama 2 Community License", "1", "1")],
    ("most-cited-papers", ()): [
        ("paper/roformer", "RoFormer: Enhanced Transformer with Rotary Position Embedding", "2"),
        ("paper/llama", "LLaMA: Open and Efficient Foundation Language Models", "1"),
        ("paper/llama-2", "Llama 2: Open Foundation and Fine-Tuned Chat Models", "1")],
    ("most-derived-models", ()): [("model/llama", "LLaMA", "2")],
    ("organizations-by-model-count", ()): [
        ("organization/meta", "Meta", "3", "2023-02-24", "2023-07-18"),
        ("organization/mistral-ai", "Mistral AI", "1", "2023-12", "2023-12"),
        ("organization/stanford", "Stanford University", "1", "2023-03-13", "2023-03-13")],
    ("paper-by-arxiv", ()): [
        ("paper/roformer", "RoFormer: Enhanced Transformer with Rotary Position Embedding", "technique/rope", None)],
    ("papers-by-year", ()): [("2021", "1"), ("2023", "2")],
    ("releases-per-quarter", ()): [("2023-Q1", "2"), ("2023-Q3", "1"), ("2023-Q4", "1")],
    ("search", (("text", "rope"),)): [
        ("technique/rope", "ontology#Technique", "Rotary position embedding")],
    ("search", ()): [
        ("model/llama", "ontology#Model", "LLaMA"),
        ("model/llama-2", "ontology#Model", "Llama 2"),
        ("model/llama-family", "ontology#Model", "Llama family"),
        ("paper/llama", "ontology#Paper",
         "LLaMA: Open and Efficient Foundation Language Models"),
        ("paper/llama-2", "ontology#Paper",
         "Llama 2: Open Foundation and Fine-Tuned Chat Models")],
    ("technique-adoption", ()): [
        ("technique/rope", "Rotary position embedding", "2", "2023-02-24", "2023-07-18"),
        ("technique/rmsnorm", "RMSNorm", "1", "2023-02-24", "2023-02-24"),
        ("technique/swiglu", "SwiGLU", "1", "2023-02-24", "2023-02-24"),
        ("technique/grouped-query-attention", "Grouped-query attention", "1", "2023-07-18", "2023-07-18"),
        ("technique/mixture-of-experts", "Mixture of experts", "1", "2023-12", "2023-12")],
    ("technique-hierarchy", ()): [
        ("technique/grouped-query-attention", "technique/grouped-query-attention", "Grouped-query attention",
         None),
        ("technique/mixture-of-experts", "technique/mixture-of-experts", "Mixture of experts", None),
        ("technique/positional-encoding", "technique/positional-encoding", "Positional encoding", None),
        ("technique/positional-encoding", "technique/rope", "Rotary position embedding",
         "technique/positional-encoding"),
        ("technique/rmsnorm", "technique/rmsnorm", "RMSNorm", None),
        ("technique/swiglu", "technique/swiglu", "SwiGLU", None)],
}


@pytest.mark.parametrize("name, params", sorted(EXPECTED), ids=lambda x: str(x))
def test_saved_query_results(graph, name, params):
    assert rows(graph, name, **dict(params)) == EXPECTED[(name, params)]


def test_derivations_by_kind(graph):
    found = rows(graph, "derivations-by-kind")
    assert found == [("instruction-tuned", "1", "Alpaca <- LLaMA"), ("version of", "1", "Llama 2 <- LLaMA")]


def test_neighbourhood_construct(graph):
    saved = find_saved_query(ROOT / "queries", "model-neighbourhood")
    result = run_query(graph, saved.text, bind_parameters(saved, {"model": "alpaca"}, graph, BASE))
    assert result.kind == "graph"
    subjects = {str(s) for s in result.graph.subjects()}
    assert subjects == {f"{BASE}/model/alpaca", f"{BASE}/model/llama", f"{BASE}/organization/stanford",
                        "http://spdx.org/licenses/CC-BY-NC-4.0", "ontology#Model"} \
        or f"{BASE}/model/alpaca" in subjects


def test_every_query_covered():
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    covered = {name for name, _ in EXPECTED} | {"derivations-by-kind", "model-neighbourhood"} | {
        "fact-sources", "disputed-facts", "facts-without-source"}  # tests/test_provenance_dataset.py
    assert names <= covered, f"saved queries without an expected-result test: {names - covered}"


@pytest.mark.parametrize("variable, expected", [
    ("_org_iri", Parameter("_org_iri", "org", "iri", True)),
    ("__year_integer", Parameter("__year_integer", "year", "integer", False)),
    ("_since_xsd_date", Parameter("_since_xsd_date", "since", "date", True)),
    ("_min_parameters_integer", Parameter("_min_parameters_integer", "min_parameters", "integer", True)),
    ("_label_en", Parameter("_label_en", "label", "literal", True, "en")),
    ("_name", Parameter("_name", "name", "literal", True)),
])
def test_parameter_names(variable, expected):
    assert Parameter.from_variable(variable) == expected


def test_values_are_validated(graph):
    saved = find_saved_query(ROOT / "queries", "largest-open-weights-models")
    with pytest.raises(ParameterError, match="'min_parameters' must be an integer"):
        bind_parameters(saved, {"min_parameters": "7 billion"}, graph, BASE)
    seven = bind_parameters(saved, {"min_parameters": "7B"}, graph, BASE)  # as the catalog writes counts
    assert [str(term) for term in seven.values()] == ["7000000000"]
    assert [str(term) for term in bind_parameters(saved, {"min_parameters": "1.5k"}, graph, BASE).values()] == ["1500"]
    with pytest.raises(ParameterError, match="not a whole number"):
        bind_parameters(saved, {"min_parameters": "1.2345K"}, graph, BASE)
    with pytest.raises(ParameterError, match="from -9223372036854775808 to 9223372036854775807"):
        bind_parameters(saved, {"min_parameters": "9223372036854775808"}, graph, BASE)
    with pytest.raises(ParameterError, match="not '-9223372036854775809'"):
        bind_parameters(saved, {"min_parameters": "-9223372036854775809"}, graph, BASE)
    assert bind_parameters(saved, {"min_parameters": "9223372036854775807"}, graph, BASE)
    padded = bind_parameters(saved, {"min_parameters": "0" * 5000 + "1"}, graph, BASE)  # no digit-limit error
    assert [str(term) for term in padded.values()] == ["1"]
    assert [str(term) for term in bind_parameters(saved, {"min_parameters": "-007"}, graph, BASE).values()] == ["-7"]
    with pytest.raises(ParameterError, match="unknown parameter 'size'"):
        bind_parameters(saved, {"size": "1"}, graph, BASE)
    new_since = find_saved_query(ROOT / "queries", "new-since")
    with pytest.raises(ParameterError, match="'since'"):
        bind_parameters(new_since, {"since": "last week"}, graph, BASE)


def test_ids_stand_for_iris(graph):
    saved = find_saved_query(ROOT / "queries", "models-by-organization")
    bound = bind_parameters(saved, {"org": "meta"}, graph, BASE)
    assert bound == {Variable("_org_iri"): URIRef(f"{BASE}/organization/meta")}
    bound = bind_parameters(saved, {"org": f"<{BASE}/organization/stanford>"}, graph, BASE)
    assert bound[Variable("_org_iri")] == URIRef(f"{BASE}/organization/stanford")


def test_prefixed_ids_as_the_table_prints_them(graph):
    """``org:meta`` (and ``kg:…``), copied from a table, is the IRI the table shortened; an
    IRI in angle brackets stays as written; an id two entities share names both prefixed forms."""
    saved = find_saved_query(ROOT / "queries", "models-by-organization")
    assert bind_parameters(saved, {"org": "org:meta"}, graph, BASE) == {
        Variable("_org_iri"): URIRef(f"{BASE}/organization/meta")}
    assert bind_parameters(saved, {"org": "kg:Model"}, graph, BASE) == {
        Variable("_org_iri"): URIRef("https://w3id.org/llm-kg/ontology#Model")}
    assert bind_parameters(saved, {"org": "<org:meta>"}, graph, BASE) == {Variable("_org_iri"): URIRef("org:meta")}
    assert bind_parameters(saved, {"org": "urn:x:y"}, graph, BASE) == {Variable("_org_iri"): URIRef("urn:x:y")}
    for wrong in ("org:", "org:Meta AI"):
        with pytest.raises(ParameterError, match="is not a catalog id"):
            bind_parameters(saved, {"org": wrong}, graph, BASE)
    with pytest.raises(ParameterError, match="no prefix 'ogr': did you mean org:meta\\?.*written <ogr:meta>"):
        bind_parameters(saved, {"org": "ogr:meta"}, graph, BASE)  # a mistyped prefix
    assert bind_parameters(saved, {"org": "<ogr:meta>"}, graph, BASE) == {Variable("_org_iri"): URIRef("ogr:meta")}
    facts = find_saved_query(ROOT / "queries", "fact-sources")
    with pytest.raises(ParameterError, match="pass model:llama-2 or paper:llama-2"):
        bind_parameters(facts, {"entity": "llama-2"}, graph, BASE)


def test_hostile_value_changes_nothing_but_the_value(graph):
    """Quotes, braces and \\u0022 escapes stay inside the literal: no injection."""
    hostile = 'FR" ) } UNION { ?org ?p ?o } #\\u0022 } \u0022'
    saved = find_saved_query(ROOT / "queries", "organizations-by-country")
    bound = bind_parameters(saved, {"country": hostile}, graph, BASE)
    assert bound[Variable("__country_literal")] == Literal(hostile)
    assert run_query(graph, saved.text, bound).rows == []
    text_before = saved.text
    bind_parameters(saved, {"country": hostile}, graph, BASE)
    assert saved.text == text_before


@pytest.mark.parametrize("text, word", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("LOAD <http://example.org/data.ttl>", "updates"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "updates"),
])
def test_network_and_updates_refused(graph, text, word):
    with pytest.raises(QueryError, match=word):
        run_query(graph, text)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("text, said", [
    ('SELECT ?x WHERE { BIND("\\uD800" AS ?x) }', "holds \\uD800, a surrogate"),
    ('SELECT ?x WHERE { BIND("a\\\\\\udfff" AS ?x) }', "holds \\udfff, a surrogate"),
    ('SELECT ?x WHERE { BIND("\\U0000DC00" AS ?x) }', "holds \\U0000DC00, a surrogate"),
    ('SELECT ?x WHERE { BIND("\udcff" AS ?x) }', "holds the byte 0xff, which is not UTF-8"),
])
def test_what_is_not_a_character_is_refused_on_both_engines(graph, engine, text, said):
    """rdflib took a surrogate escape, and printing its answer failed with a traceback."""
    with pytest.raises(QueryError, match=re.escape(said)):
        run_query(graph, text, engine=engine)


def test_a_query_for_an_endpoint_is_refused_the_same_before_it_is_sent():
    import kg

    with pytest.raises(QueryError, match="holds the byte 0xff"):  # never sent: the port is closed anyway
        kg.answer('SELECT ?x WHERE { BIND("\udcff" AS ?x) }', kg.open_project(ROOT, data=FIXTURE_CATALOG),
                  endpoint="http://127.0.0.1:9/sparql", timeout=5)


def test_a_parameter_that_is_not_utf8_is_refused(graph):
    saved = find_saved_query(ROOT / "queries", "search")
    with pytest.raises(ParameterError, match="parameter 'text' holds the byte 0xff, which is not UTF-8"):
        bind_parameters(saved, {"text": "ll\udcffa"}, graph, BASE)


def test_service_in_comment_or_string_is_fine(graph):
    text = '# SERVICE <http://x>\nSELECT ?s WHERE { ?s ?p "SERVICE <http://x>" }'
    assert run_query(graph, text).rows == []


def test_syntax_error_is_reported(graph):
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        run_query(graph, "SELECT WHERE {")


NAMED_GRAPH_TEXTS = [
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE {graph<http://x/g>{?s ?p ?o}}",
    "PREFIX w: <http://x/>\nSELECT * WHERE { GRAPHw:g { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y 1GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z\n# note \r. GRAPH ?g { ?s ?p ?o }\n}",
    "# reads GRAPH ?g\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s <http://x/Oxigraph> ?o } # on Oxigraph's store",
    "# on Oxigraph's store\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o . ?subgraph ?p ?o }",
    'SELECT * WHERE { ?x ?y """multi\n# """ . GRAPH ?g { ?s ?p ?o } }',
    "SELECT * WHERE { ?x ?y \'\'\'x\n#\'\'\' . GRAPH ?g { ?s ?p ?o } }",
    'SELECT * WHERE { ?x ?y "a\x0c# " . GRAPH ?g { ?s ?p ?o } }',
    "SELECT * WHERE { ?s ?p \"graph\" }",
    "SELECT * WHERE {\n  # a comment\n  GRAPH ?g { ?s ?p ?o }\n}",
    "SELECT * WHERE { ?x ?y ?z . GR\\u0041PH ?g { ?s ?p ?o } }",
]


@pytest.fixture(scope="module")
def two_stores():
    """The same default graph, with and without a named graph beside it."""
    import pyoxigraph as ox

    default = ('<http://x/a> <http://x/b> 1 .\n<http://x/a> <http://x/b> <http://x/c> .\n'
               '<http://x/a> <http://x/b> "a\\f# " .\n<http://x/a> <http://x/b> "multi\\n# " .\n'
               "<http://x/a> <http://x/b> \"x\\n#\" .\n")
    plain, dataset = ox.Store(), ox.Store()
    for store in (plain, dataset):
        store.load(default.encode(), format=ox.RdfFormat.TURTLE)
    dataset.load(b"<http://x/s> <http://x/p> <http://x/o> <http://x/g> .\n", format=ox.RdfFormat.N_QUADS)
    return plain, dataset


@pytest.mark.parametrize("text", NAMED_GRAPH_TEXTS + [q.text for q in list_saved_queries(ROOT / "queries")])
def test_a_query_that_reads_named_graphs_is_never_missed(text, two_stores):
    """uses_named_graphs may say yes wrongly (it costs a store), never no wrongly (GRAPH would
    read nothing): judged by Oxigraph itself, which answers differently beside a named graph,
    and by rdflib's parse."""
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.sparql.saved import uses_named_graphs

    plain, dataset = two_stores
    try:
        answers = [sorted(str(row) for row in store.query(text)) if "SELECT" in text else None
                   for store in (plain, dataset)]
    except SyntaxError:
        answers = [None, None]
    if answers[0] != answers[1]:
        assert uses_named_graphs(text)
    try:
        if "GraphGraphPattern" in str(parseQuery(text)):
            assert uses_named_graphs(text)
    except Exception:  # rdflib cannot parse it: Oxigraph judged
        pass


def test_the_saved_queries_that_read_named_graphs_are_the_three_that_do():
    """A note naming Oxigraph in a whole-line comment makes no query wait for the named graphs."""
    from kg.sparql.saved import uses_named_graphs

    assert not uses_named_graphs("# on Oxigraph's store, see the subgraph\r# or GRAPH\nSELECT * WHERE { ?s ?p ?o }")
    named = sorted(q.name for q in list_saved_queries(ROOT / "queries") if uses_named_graphs(q.text))
    assert named == ["disputed-facts", "fact-sources", "facts-without-source"]


def test_kg_queries_shows_which_parameters_may_be_left_out():
    from kg.cli.query import _shown_parameter
    from kg.sparql.saved import Parameter

    required, optional = Parameter.from_variable("_org_iri"), Parameter.from_variable("__year_integer")
    assert _shown_parameter(required, {}) == "org=iri"
    assert _shown_parameter(required, {"org": "meta"}) == "[org=iri, default meta]"
    assert _shown_parameter(optional, {}) == "[year=integer]"
    assert _shown_parameter(required, {"org": ""}) == '[org=iri, default ""]'
    assert _shown_parameter(required, {"org": "a], [b=c"}) == '[org=iri, default "a], [b=c"]'
    assert _shown_parameter(required, {"org": "two\nlines"}) == '[org=iri, default "two\\nlines"]'
    assert _shown_parameter(required, {"org": "x" * 50}) == f'[org=iri, default "{"x" * 39}…"]'


def test_a_default_left_empty_is_no_default(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: s\n#+ defaults:\n#+   - org:\nSELECT ?x WHERE { ?x ?p ?_org_iri }\n")
    assert read_saved_query(path).defaults == {}


def test_an_entry_whose_file_name_is_no_id_can_still_be_queried(tmp_path):
    """models/Bad Name.yaml (KG104, an error): its IRI has the space percent-encoded, so the graph
    loads on oxigraph (a traceback before) and the query answers with the catalog's warning."""
    import shutil

    import kg
    from kg.namespaces import entity_iri

    assert entity_iri("https://w3id.org/llm-kg", "model", "Bad Name") == "https://w3id.org/llm-kg/model/Bad%20Name"
    assert entity_iri("https://w3id.org/llm-kg", "model", "llama-2") == "https://w3id.org/llm-kg/model/llama-2"
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    for stem in ("Bad Name", "50%off", "a[1]", "x\x85y", "q#r?s"):
        (data / "models" / f"{stem}.yaml").write_text(f"name: Bad {stem[:2]}\n")
    project = kg.open_project(ROOT, data=data)
    for engine in ("oxigraph", "rdflib"):
        outcome = kg.answer("search", project, params={"text": "bad"}, engine=engine, cache=False)
        assert outcome.catalog_errors and sorted(str(row[0]).rsplit("/", 1)[1] for row in outcome.result.rows) == [
            "50%25off", "Bad%20Name", "a%5B1%5D", "q%23r%3Fs", "x%C2%85y"]


def test_rdflib_recursing_without_end_is_not_called_deep_nesting(graph):
    """rdflib recurses without end adding 1 to "abc"^^xsd:integer; the query nests nothing."""
    text = 'SELECT ?y WHERE { BIND("abc"^^<http://www.w3.org/2001/XMLSchema#integer> + 1 AS ?y) }'
    with pytest.raises(QueryError, match="ran out of recursion depth") as raised:
        run_query(graph, text, engine="rdflib")
    assert "nests" not in str(raised.value)
    assert run_query(graph, text, engine="oxigraph").rows == [(None,)]

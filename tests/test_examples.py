"""The saved queries as SPARQL examples (sib-swiss/sparql-examples): the export validated by pySHACL
against the rules of their spex.shacl, served by `kg serve` where a SPARQL editor lists them, and
every query running unchanged on the served endpoint."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Namespace, URIRef

from kg.pipeline.project import Project, compile_catalog
from kg.pipeline.queryable import query_graph
from kg.sparql.engines import run_query
from kg.sparql.examples import FORMS, examples_graph, query_body
from kg.sparql.remote import query_endpoint
from kg.sparql.saved import bind_parameters, list_saved_queries, parse_safe, uses_named_graphs

from .conftest import FIXTURE_CATALOG, ROOT, project_args
from .test_remote import free_port, wait_until_up

SPEX_SHAPES = ROOT / "tests" / "fixtures" / "sparql-examples" / "spex-shapes.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")
KG = str(Path(sys.executable).parent / "kg")
BASE = "https://w3id.org/llm-kg"
QUERIES = list_saved_queries(ROOT / "queries")
#: The query a sib-swiss/sparql-editor sends to an endpoint to list its examples (no GRAPH clause).
EDITOR_QUERY = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sq ?comment ?query
WHERE {
  ?sq a sh:SPARQLExecutable ;
    rdfs:comment ?comment ;
    sh:select|sh:ask|sh:construct|sh:describe ?query .
} ORDER BY ?sq"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Graph:
    from click.testing import CliRunner

    from kg.cli import cli

    out = tmp_path_factory.mktemp("examples") / "examples.ttl"
    result = CliRunner().invoke(cli, ["export", *project_args(), "--format", "sparql-examples", "--output",
                                      str(out), "--endpoint", "https://example.org/sparql"])
    assert result.exit_code == 0, result.output
    return Graph().parse(out, format="turtle")


def validate(graph: Graph):
    from pyshacl import validate as shacl

    conforms, results, text = shacl(graph, shacl_graph=Graph().parse(SPEX_SHAPES), inference="none")
    return conforms, text, {str(node) for node in results.objects(None, SH.focusNode)}


def test_the_export_conforms_to_the_sparql_examples_rules(exported):
    conforms, text, _ = validate(exported)
    assert conforms, text


def test_the_shape_catches_each_broken_rule():
    conforms, text, failing = validate(Graph().parse(SPEX_SHAPES.parent / "bad.ttl"))
    assert not conforms
    assert failing == {f"https://example.org/examples/{focus}" for focus in
                       ("no-language", "two-queries", "no-target", "spaced-keyword", "declaration")}, text


def test_every_saved_query_is_an_example_with_its_text_and_tags(exported):
    assert not any(isinstance(node, BNode) for triple in exported for node in triple)  # kg exports none
    for query in QUERIES:
        node = URIRef(f"{BASE}/query/{query.name}")
        cls, holder = FORMS[parse_safe(query.text)[1].name]
        assert (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SH.SPARQLExecutable) in exported
        assert str(exported.value(node, URIRef(holder))) == query_body(query)
        assert (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(cls)) in exported
        assert exported.value(node, RDFS_COMMENT).language == "en"
        assert exported.value(node, SCHEMA.target) == URIRef("https://example.org/sparql")
        assert sorted(str(k) for k in exported.objects(node, SCHEMA.keywords)) == sorted(query.tags)
    prefixes = {str(exported.value(d, SH.prefix)): str(exported.value(d, SH.namespace))
                for d in exported.objects(None, SH.declare)}
    assert prefixes["kg"] == "https://w3id.org/llm-kg/ontology#"
    assert prefixes["model"] == f"{BASE}/model/"


def test_the_export_is_deterministic(run):
    first = run("export", *project_args(), "--format", "sparql-examples").stdout_bytes
    assert first == run("export", *project_args(), "--format", "sparql-examples").stdout_bytes
    assert first.count(b"sh:SPARQLExecutable") == len(QUERIES)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`kg serve` of the fixture catalog on a free port of 127.0.0.1 (a child process), stopped after."""
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("serve"))}
    process = subprocess.Popen([KG, "serve", *project_args(), "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(url, timeout=30)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        process.stderr.close()


def test_the_served_endpoint_lists_the_examples(served):
    listed = query_endpoint(served, EDITOR_QUERY)  # what sparql-editor asks, word for word
    assert len(listed.rows) == len(QUERIES)
    assert {str(row[0]) for row in listed.rows} == {f"{BASE}/query/{q.name}" for q in QUERIES}
    graph = examples_graph(served)
    in_graph = query_endpoint(served, f"SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE {{ GRAPH <{graph}> {{ "
                                      "?q a <http://www.w3.org/ns/shacl#SPARQLExecutable> ; "
                                      f"<https://schema.org/target> <{served}> }} }}")
    assert int(in_graph.rows[0][0]) == len(QUERIES)


def test_every_example_runs_unchanged_on_the_served_endpoint(served):
    """Each example's text, as the endpoint holds it, runs there as it is (its parameters unbound)."""
    listed = query_endpoint(served, EDITOR_QUERY)
    ran = 0
    for _node, _comment, text in listed.rows:
        result = query_endpoint(served, str(text))
        assert result.kind in ("select", "ask", "graph")
        ran += 1
    assert ran == len(QUERIES)


@pytest.fixture(scope="module")
def local_graph():
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    return query_graph(compile_catalog(project, shapes=False), project)


@pytest.mark.parametrize("query", [q for q in QUERIES if not uses_named_graphs(q.text)], ids=lambda q: q.name)
def test_served_rows_equal_the_local_rows(served, local_graph, query):
    """With its default parameters, each query gives the same rows served (catalog, ontology and the
    examples, in the union default graph) as kg query gives locally."""
    bindings = bind_parameters(query, {}, local_graph, BASE)
    local = run_query(local_graph, query.text, bindings)
    remote = query_endpoint(served, query_body(query), bindings)
    if local.kind == "graph":
        from rdflib.compare import isomorphic

        assert isomorphic(local.graph, remote.graph)
    else:
        assert (remote.variables, remote.rows) == (local.variables, local.rows)

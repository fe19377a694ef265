"""A SELECT's rows written by pyoxigraph as TSV and read back (kg.sparql.tsv_rows) are the rows
run_on_store gives: on every saved query of the real catalog, and on awkward literals; a form
the reader does not know is refused, never guessed."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.pipeline.project import Project
from kg.pipeline.queryable import query_source
from kg.sparql.engines import known_prefixes, run_on_store, select_as_tsv
from kg.sparql.saved import ParameterError, bind_parameters, list_saved_queries
from kg.sparql.tsv_rows import cell_term, cells_from_tsv

from .conftest import ROOT

SAVED = list_saved_queries(ROOT / "queries")
BASE = "https://w3id.org/llm-kg"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _both(store, text, bindings=None, prefixes=None):
    """(rows read back from TSV, rows of run_on_store), each with its variables."""
    variables, data = select_as_tsv(store, text, bindings, prefixes=prefixes)
    read = (variables, cells_from_tsv(data, len(variables)))
    result = run_on_store(store, text, bindings, prefixes=prefixes)
    return read, (result.variables, result.cells)


@pytest.fixture(scope="module")
def catalog():
    project = Project.locate(data=ROOT / "data", start=ROOT)
    graph = query_source(project, engine="rdflib", use_cache=False).target
    store = query_source(project, engine="oxigraph", use_cache=False).target
    return graph, store


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_every_saved_query_reads_back_as_evaluated(catalog, query):
    graph, store = catalog
    try:
        bindings = bind_parameters(query, {}, graph, BASE)
    except ParameterError:  # a default id this catalog lacks
        pytest.skip("no default parameter in this catalog")
    if select_as_tsv(store, query.text, bindings, prefixes=known_prefixes(BASE)) is None:
        return  # a CONSTRUCT or an ASK: only a SELECT goes through TSV
    read, evaluated = _both(store, query.text, bindings, known_prefixes(BASE))
    assert read == evaluated


AWKWARD = r'''
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?x ?y WHERE {
  VALUES (?x ?y) {
    (1 UNDEF) (-2 0) ("01"^^xsd:integer "+3"^^xsd:integer) (1.50 ".5"^^xsd:decimal) ("1."^^xsd:decimal 1e3)
    ("NaN"^^xsd:double "INF"^^xsd:double) (true "0"^^xsd:boolean) ("1"^^xsd:boolean "abc"^^xsd:integer)
    ("tab\there" "line\nbreak\r") ("quote \" and \\ backslash" "\u0001 control \u007F")
    ("x"@en-GB "é 😀 \U0001F600") ("typed"^^xsd:string "2020-01-01"^^xsd:date)
    ("t"^^<http://example.org/my%20type> <http://example.org/a%20b?c=d#e>)
    ("" "y"@fr) ("she said \"hi\"\n" "ok")
    (UNDEF UNDEF)
  }
}'''


def test_awkward_literals_read_back_as_evaluated():
    store = ox.Store()
    read, evaluated = _both(store, AWKWARD)
    assert len(read[1]) == 16
    assert read == evaluated


def test_stored_literals_read_back_as_evaluated():
    """Literals in a store, as a catalog holds them (and as rdflib's parser of the query text,
    which expands \\u escapes first, would not let a query write them)."""
    store = ox.Store()
    literals = [ox.Literal("\\u0041 is not an escape"), ox.Literal("", language="fr"),
                ox.Literal("a\\b\t\"c\"\r\n\x00\x1f"), ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
                ox.Literal("0042", datatype=ox.NamedNode(XSD + "integer")),
                ox.Literal("-0.0", datatype=ox.NamedNode(XSD + "decimal")),
                ox.Literal("2024-02-30", datatype=ox.NamedNode(XSD + "date")),
                ox.Literal("x", datatype=ox.NamedNode("http://example.org/t"))]
    for number, literal in enumerate(literals):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{number}"), ox.NamedNode("http://example.org/p"), literal))
    read, evaluated = _both(store, "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s")
    assert len(read[1]) == len(literals)
    assert read == evaluated


def test_blank_nodes_and_unbound_cells_read_back_as_evaluated():
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://example.org/p"), ox.Literal("v")))
    text = "SELECT ?s ?none WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/q> ?none } }"
    read, evaluated = _both(store, text)
    assert read == evaluated and read[1][0][0].value == "b1" and read[1][0][1] is None


@pytest.mark.parametrize("text, rows", [
    ("SELECT ?x WHERE { FILTER(false) }", 0),
    ("SELECT ?x WHERE { }", 1),  # one row, its only cell unbound: an empty line
    ("SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF } }", 2),
])
def test_empty_rows_are_counted(text, rows):
    read, evaluated = _both(ox.Store(), text)
    assert read == evaluated and len(read[1]) == rows


@pytest.mark.parametrize("cell", [
    "<<<http://a> <http://b> <http://c>>>",  # an RDF 1.2 triple term
    "1e3", "1.5e2", "NaN", "INF",  # numbers pyoxigraph writes quoted with their datatype
    '"x"@en--ltr',  # a base direction
    '"unterminated', '"a"b"', '"x"^^xsd:string', "<http://a> b", "plain words",
])
def test_unknown_forms_are_refused(cell):
    with pytest.raises(ValueError):
        cell_term(cell)


def test_malformed_results_are_refused():
    with pytest.raises(ValueError, match="newline"):
        cells_from_tsv(b"?x\n<http://a>", 1)
    with pytest.raises(ValueError, match="header"):
        cells_from_tsv(b"?x\t?y\n<http://a>\n", 1)
    with pytest.raises(ValueError, match="2 cells"):
        cells_from_tsv(b"?x\n<http://a>\t1\n", 1)
    with pytest.raises(ValueError):
        cells_from_tsv(b"\n", 0)

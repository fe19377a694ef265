"""The warm query path: SERVICE, LOAD and FROM refused on both engines however they are
spelled, results printed from pyoxigraph exactly as from rdflib terms, and no rdflib import
on the way (so that a warm query starts fast)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from kg.pipeline.project import Project, compile_catalog
from kg.pipeline.queryable import query_graph
from kg.rdf.ntriples import Blank, Iri, Lit
from kg.rdf.terms import from_oxigraph, neutral_from_oxigraph, neutral_from_rdflib, to_oxigraph, to_rdflib
from kg.rdf.vocab import bind_prefixes
from kg.sparql.engines import run_query, store_from_graph
from kg.sparql.results import Shortener, lexical, short
from kg.sparql.saved import QueryError, list_saved_queries, surely_safe

from .conftest import FIXTURE_CATALOG, ROOT, project_args

BASE = "https://w3id.org/llm-kg"
XSD = "http://www.w3.org/2001/XMLSchema#"
SAVED = list_saved_queries(ROOT / "queries")


@pytest.fixture(scope="module")
def engines():
    project = Project.locate(data=ROOT / "data", start=ROOT)
    graph = query_graph(compile_catalog(project, shapes=False), project)
    return graph, store_from_graph(graph)


REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . { OPTIONAL { { SERVICE <http://127.0.0.1:9/> { ?s ?p ?x } } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
    "# a comment\nSELECT * WHERE { # SERVICE in a comment, then the real one:\n"
    "  SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX kg: <https://w3id.org/llm-kg/ontology#>\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053\\u0045RVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p \"x\" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    "select * from <http://127.0.0.1:9/data.ttl> where { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * \\u0046ROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    "ASK FROM <http://127.0.0.1:9/data.ttl> { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } FROM <http://127.0.0.1:9/d.ttl> WHERE { ?s ?p ?o }",
    "DESCRIBE ?s FROM NAMED <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "\\u004cOAD <http://127.0.0.1:9/data.ttl>",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("text", REFUSED)
def test_network_and_updates_refused_on_both_engines(engines, engine, text):
    graph, store = engines
    assert not surely_safe(text) or text.startswith("INSERT")
    with pytest.raises(QueryError, match="refused"):
        run_query(graph if engine == "rdflib" else store, text, engine=engine)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_the_refusals_in_kg_s_words_on_both_engines(run, engine):
    for text, words in [(REFUSED[0], "refused: SERVICE"), (REFUSED[11], "refused: FROM"),
                        (REFUSED[8], "refused: SERVICE"), (REFUSED[-3], "updates are refused"),
                        ("SELECT WHERE {", "SPARQL syntax error at line 1"),
                        ("SELECT * WHERE { ?s ?p \\U0FFFFFFF }", "SPARQL syntax error")]:
        result = run("query", *project_args(), "--engine", engine, "--query", text)
        assert result.exit_code == 1 and words in result.stderr, (text, result.stderr)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_keywords_that_are_not_clauses_are_fine(engines, engine):
    graph, store = engines
    for text in ['# SERVICE <http://x>\nSELECT ?s WHERE { ?s ?p "SERVICE <http://x>, FROM, LOAD" }',
                 "SELECT ?loaded WHERE { ?s <http://example.org/from> ?loaded }",
                 "SELECT ?s WHERE { ?s <http://example.org/p> ?o } # LOAD <http://x> at the end of a line"]:
        assert run_query(graph if engine == "rdflib" else store, text, engine=engine).rows == []


def test_every_saved_query_is_surely_safe():
    """The lexical check spares the saved queries a second parser (their comments say "from")."""
    assert all(surely_safe(query.text) for query in SAVED)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o }\n# from here on\n",
    "SELECT * WHERE { ?s ?p ?o }  \n  \t# LOAD and SERVICE (nothing that ends a string or an IRI)\nLIMIT 1",
])
def test_whole_line_comments_are_skipped(text):
    assert surely_safe(text)


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p """\n# """ SERVICE <http://x> { ?s ?p ?o } }',  # a long string hides the "#"
    "SELECT * WHERE { ?s ?p '\n# ' SERVICE <http://x> { ?s ?p ?o } }",  # a quote ends on the comment line
    "SELECT * WHERE { ?s ?p <http://x\n# > SERVICE <http://x> { ?s ?p ?o } }",  # so may an IRI
    "SELECT * WHERE { ?s ?p ?o } \\u000a# SERVICE",  # an escaped line break
    "SELECT * WHERE { ?s ?p ?o }\r# SERVICE",
    "SELECT * WHERE { ?s ?p ?o . ?s ?p \"from\" }",  # a false alarm: the parser decides
])
def test_anything_that_could_hide_a_keyword_goes_to_the_parser(text):
    assert not surely_safe(text)


def _old_short(term, namespaces) -> str:
    """How the table wrote an rdflib term before results were printed from neutral terms."""
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        try:
            return namespaces.normalizeUri(term) if not str(term).endswith("/") else str(term)
        except Exception:
            return str(term)
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"


@pytest.mark.parametrize("data", [FIXTURE_CATALOG, ROOT / "data"], ids=["fixture", "catalog"])
def test_every_term_prints_as_rdflib_prints_it(data):
    """Each IRI and literal of the graph, read back from pyoxigraph as the warm path reads it,
    prints in the table, CSV and JSON as the rdflib term does."""
    from rdflib import Graph, Literal, URIRef

    project = Project.locate(data=data, start=ROOT)
    graph = query_graph(compile_catalog(project, shapes=False), project)
    namespaces = Graph()
    bind_prefixes(namespaces, BASE)
    manager, shorten = namespaces.namespace_manager, Shortener(BASE)
    extra = [URIRef(f"{BASE}/model/7b"), URIRef(f"{BASE}/model/gpt-3.5"), URIRef(f"{BASE}/model/x."),
             URIRef("http://www.w3.org/ns/org#Organization"), URIRef("https://example.org/a%20b"),
             URIRef(f"{BASE}/model/"), Literal("007", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
             *(Literal(v, datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
               for v in ("1.50", "-0.0", "25.0", "007.5", ".5", "1e3", "5.")),
             Literal("2023-02-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
             Literal("x", lang="en")]
    terms = {t for triple in graph for t in triple} | set(extra)
    assert len(terms) > 100
    shortened_here = 0
    for term in terms:
        for cell in (neutral_from_rdflib(term), neutral_from_oxigraph(to_oxigraph(term))):
            assert short(cell, shorten) == _old_short(term, manager), term
            if isinstance(term, Literal):
                assert lexical(cell) == str(term), term
    for term in terms:  # the rdflib engine's reading of cached graphs converts in one step, to the same term
        converted = from_oxigraph(to_oxigraph(term))
        expected = to_rdflib(neutral_from_oxigraph(to_oxigraph(term)))
        assert (type(converted), converted, getattr(converted, "datatype", None), getattr(converted, "language", None)) \
            == (type(expected), expected, getattr(expected, "datatype", None), getattr(expected, "language", None)), term
    for term in terms:
        if isinstance(term, URIRef) and shorten(str(term)) == _old_short(term, manager):
            shortened_here += 1
    assert shortened_here > 50


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_both_engines_print_the_same(run, query):
    outputs = {}
    for engine in ("rdflib", "oxigraph"):
        for fmt in ("table", "csv", "json", "tsv"):
            result = run("query", *project_args(), query.name, "--engine", engine, "--format", fmt)
            outputs.setdefault(fmt, []).append((result.exit_code, result.stdout, result.stderr))
    for fmt, (mine, theirs) in outputs.items():
        assert mine == theirs, fmt


def test_a_warm_query_on_oxigraph_imports_no_rdflib(tmp_path):
    env = {**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache")}
    args = [sys.executable, "-m", "kg", "query", *project_args(), "models-by-organization", "-p", "org=meta",
            "--engine", "oxigraph", "--format", "json"]
    cold = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr
    # Each process (kg and the child that answers) says what it imported as it leaves (os._exit).
    probe = ("import os, runpy, sys\n"
             "leave = os._exit\n"
             "def said(code):\n"
             "    heavy = sorted(m for m in ('rdflib', 'yaml', 'pyparsing', 'pyshacl') if m in sys.modules)\n"
             "    os.write(2, f'imported {heavy}\\n'.encode())\n"
             "    leave(code)\n"
             "os._exit = said\n"
             "runpy.run_module('kg', run_name='__main__')\n")
    warm = subprocess.run([sys.executable, "-c", probe, *args[3:]], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    assert warm.returncode == 0, warm.stderr
    assert json.loads(warm.stdout) == json.loads(cold.stdout)
    said = [line for line in warm.stderr.splitlines() if line.startswith("imported ")]
    assert said == ["imported []", "imported []"], warm.stderr  # the child, then kg itself


def test_the_registry_names_the_rdf_formats():
    from kg.rdf.formats import FORMATS
    from kg.registry import RDF_FORMATS

    assert tuple(FORMATS) == RDF_FORMATS


def test_parameter_hints_name_the_kinds_segments():
    from kg.catalog.schema import KINDS
    from kg.sparql.saved import SEGMENT_HINTS

    segments = {kind.segment for kind in KINDS}
    assert {k: v for k, v in SEGMENT_HINTS.items() if k in segments} == {s: s for s in segments}
    assert set(SEGMENT_HINTS.values()) <= segments


def test_an_iri_and_a_blank_node_of_the_same_name_stay_apart():
    from rdflib import BNode, URIRef

    from kg.rdf.ntriples import Blank, Iri
    from kg.sparql.results import QueryResult

    result = QueryResult("select", ["x"], cells=[(Iri("urn:x:1"),), (Blank("urn:x:1"),)])
    assert [type(row[0]) for row in result.rows] == [URIRef, BNode]


def test_the_registry_names_the_dataset_formats():
    from kg.rdf.formats import FORMATS
    from kg.registry import DATASET_FORMATS

    assert tuple(name for name, fmt in FORMATS.items() if fmt.dataset) == DATASET_FORMATS


def _old_table(result, base):
    """The table format as it was written before it cached each term's text (the reference)."""
    from kg.sparql.results import Shortener, _fit, short

    shorten = Shortener(base) if base is not None else None
    cells = [[short(c, shorten).replace("\n", " ") for c in row] for row in result.cells]
    widths = [min(max([len(h)] + [len(r[i]) for r in cells]), 60) for i, h in enumerate(result.variables)]

    def line(values):
        return "  ".join(_fit(v, w).ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(result.variables), "  ".join("-" * w for w in widths)] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' * (len(cells) != 1)})")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("rows", [
    [],
    [(Iri(f"{BASE}/model/llama-2"), Lit("Llama 2")), (Blank(f"{BASE}/model/llama-2"), None),
     (Iri(f"{BASE}/model/llama-2"), Lit("two\nlines", None, "en"))],
    [(Iri("urn:x:" + "y" * 70), Lit("1", XSD + "integer")), (Iri("urn:x:1"), Lit("z" * 61))],
    [(Iri(f"{BASE}/model/a"), Lit("x" * 60)), (Blank("b0"), Lit("{0} {}"))],
])
@pytest.mark.parametrize("base", [BASE, None])
def test_the_table_prints_what_it_printed(rows, base):
    from kg.sparql.results import QueryResult, render

    result = QueryResult("select", ["model", "name"], cells=rows)
    assert render(result, "table", base) == _old_table(result, base)
    empty = QueryResult("select", [], cells=[(), ()])
    assert render(empty, "table", base) == "(2 rows)\n"  # no column: no blank header lines (session 14)


def test_the_shortener_finds_by_look_up_what_its_loop_finds():
    shorten = Shortener(BASE)
    by_loop = shorten.by_loop

    locals_ = ["llama-2", "a.b", "x_1", "1abc", "a/b", "a#b", "a.", "", "é", "a b", "-x", "model/llama"]
    iris = [namespace + local for namespace, _ in shorten.namespaces for local in locals_]
    iris += [BASE, BASE + "/", BASE + "/model", "urn:x:1", "http://example.org/a#b/c", "no-separator"]
    assert shorten._ending_at_last_separator  # the look-up is in use
    for iri in iris:
        assert shorten(iri) == by_loop(iri), iri


def _described(term):
    """A term with everything rdflib keeps of it: its class, text, datatype, language and value."""
    value = getattr(term, "value", None)
    kind = type(value).__name__
    value = None if kind == "DocumentFragment" else value  # an rdf:HTML literal's: compared by its text
    return repr((type(term).__name__, str(term), getattr(term, "datatype", None), getattr(term, "language", None),
                 kind, value, getattr(term, "ill_typed", None)))


def _both_readings(data: bytes):
    from kg.pipeline.queryable import _parse_any_ntriples
    from kg.rdf.terms import rdflib_triples

    read = {tuple(map(_described, triple)) for triple in rdflib_triples(data)}
    parsed = {tuple(map(_described, triple)) for triple in _parse_any_ntriples(data, BASE)}
    return read, parsed


def test_kg_s_lines_read_as_pyoxigraph_parses_them(engines):
    """The rdflib engine's reader of cached lines makes the very terms the full parser makes, on the
    catalog's query graph and on literals that need every escape, datatype and language."""
    from kg.rdf.ntriples import graph_lines, line, literal, to_bytes

    graph, _ = engines
    catalog = graph_lines(graph)
    read, parsed = _both_readings(to_bytes(catalog))
    assert read == parsed and len(read) == len(catalog) > 1000
    s, p = f"{BASE}/model/x", "https://schema.org/name"
    odd = [Lit('say "hi"\\ \n\t\r\b\f\x00\x07\x7f\u2028\u0085 é 😀'), Lit("", None, None), Lit("x", None, "en-GB"),
           Lit("007", XSD + "integer"), Lit("1.50", XSD + "decimal"), Lit("2023-02-30", XSD + "date"),
           Lit("false", XSD + "boolean"), Lit("0", XSD + "boolean"), Lit(" a  b ", XSD + "token"),
           Lit("<b>x</b>", "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML"), Lit("x", "https://example.org/dt"),
           Iri(f"{BASE}/model/"), Iri("https://example.org/a%20b#c")]
    lines = [line(s, p, obj) for obj in odd] + [f"_:b1 <{p}> _:b2 .", f"<{s}> <{p}> _:b1 .",
                                                f"<{s}> <{p}> {literal('x')}^^<{XSD}string> ."]
    read, parsed = _both_readings(to_bytes(sorted(lines)))
    assert read == parsed and len(read) == len(lines) - 1  # "0" and "false" are the same boolean


@pytest.mark.parametrize("text", [
    '<https://e.org/\\u0061> <https://e.org/p> "x" .\n',  # an escape in an IRI: kg writes none
    '<https://e.org/a> <https://e.org/p> "x".\n',  # no space before the dot
    '<https://e.org/a>  <https://e.org/p> "x" .\n',  # two spaces
    '<https://e.org/a> <https://e.org/p> "x"@EN-us .\n',  # a language tag kg writes in lower case
    '<https://e.org/a> <https://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema\\u0023integer> .\n',
])
def test_other_ntriples_go_to_the_full_parser(text):
    """Lines kg would not have written are refused by the reader, and read by the full parser."""
    from kg.pipeline.queryable import _parse_ntriples
    from kg.rdf.terms import rdflib_triples

    with pytest.raises(ValueError):
        list(rdflib_triples(text.encode()))
    if "\\u" in text or "@" in text:  # valid N-Triples all the same: read whole by pyoxigraph
        assert {str(s) for s, _, _ in _parse_ntriples(text.encode(), BASE)} == {"https://e.org/a"}


@settings(max_examples=200, deadline=None)
@given(lexical=st.text(), tag=st.sampled_from([None, "en", "de-CH", XSD + "string", XSD + "integer",
                                                XSD + "date", XSD + "decimal", "https://example.org/dt"]))
def test_any_literal_kg_writes_reads_as_pyoxigraph_parses_it(lexical, tag):
    from kg.rdf.ntriples import line, to_bytes

    obj = Lit(lexical, None, tag) if tag and "/" not in tag else Lit(lexical, tag)
    read, parsed = _both_readings(to_bytes([line(f"{BASE}/model/x", "https://schema.org/name", obj)]))
    assert read == parsed and len(read) == 1


_IRIS = st.sampled_from(["https://w3id.org/llm-kg/model/x", "http://example.org/a\"b", "https://e.org/é"])
_CELLS = st.one_of(
    st.none(), _IRIS.map(Iri), st.sampled_from(["b0", "https://w3id.org/llm-kg/model/x"]).map(Blank),
    st.builds(Lit, st.text(max_size=12), st.sampled_from([None, XSD + "integer", XSD + "string", "https://e.org/t"])),
    st.builds(lambda text, tag: Lit(text, None, tag), st.text(max_size=12), st.sampled_from(["en", "de-CH"])))


@settings(max_examples=300, deadline=None)
@given(variables=st.lists(st.text(max_size=3), max_size=4), data=st.data())
def test_the_json_results_are_what_json_dumps_writes(variables, data):
    """kg writes the SPARQL JSON results itself (each distinct term encoded once): byte for byte what
    json.dumps writes of the same document, for rows streamed or held, blank nodes that equal IRIs,
    unbound cells, no rows or no variables at all, and a variable named twice (rdflib takes
    ``SELECT ?m ?m``: one member per name, the last column's)."""
    from kg.sparql.results import QueryResult, _json_term, render

    rows = data.draw(st.lists(st.tuples(*[_CELLS] * len(variables)), max_size=6))
    document = {"head": {"vars": variables},
                "results": {"bindings": [{var: _json_term(cell) for var, cell in zip(variables, row)
                                          if cell is not None} for row in rows]}}
    expected = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert render(QueryResult("select", variables, cells=list(rows)), "json") == expected
    assert render(QueryResult("select", variables, cells=iter(rows)), "json") == expected

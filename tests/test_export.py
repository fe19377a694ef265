"""Exports: golden files, determinism, Turtle/JSON-LD round trip, the dataset description."""
from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from kg.rdf.formats import FORMATS, guess_format, serialize, serialize_lines, UnknownFormat
from kg.rdf.ntriples import to_bytes
from kg.pipeline.project import Project, compile_catalog, export_lines, provenance_dataset_lines
from kg.rdf.vocab import VOID

from .conftest import FIXTURE_CATALOG, ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "golden"


def fixture_lines(engine: str = "rdflib", data: Path = FIXTURE_CATALOG,
                  dataset: bool = False) -> tuple[list[str], str]:
    """The fixture catalog's export lines (N-Quads lines of the provenance dataset if ``dataset``)."""
    project = Project.locate(data=data, start=ROOT)
    compiled = compile_catalog(project, shapes=False, engine=engine)
    assert compiled.ok, compiled.report.render()
    if dataset:
        return provenance_dataset_lines(compiled, project.base), project.base
    return export_lines(compiled, project.base), project.base


GRAPH_FORMATS = sorted(name for name, fmt in FORMATS.items() if not fmt.dataset)


def fixture_export() -> tuple[Graph, str]:
    lines, base = fixture_lines()
    return Graph().parse(data=to_bytes(lines), format="nt"), base


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_golden_export(name):
    """The fixture catalog's export, byte for byte. Regenerate: KG_UPDATE_GOLDEN=1 pytest."""
    fmt = FORMATS[name]
    lines, base = fixture_lines(dataset=fmt.dataset)
    data = serialize_lines(lines, fmt, base)
    golden = GOLDEN / f"{'provenance' if fmt.dataset else 'catalog'}{fmt.extensions[0]}"
    if os.environ.get("KG_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes()


@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_export_ignores_insertion_order(name):
    graph, base = fixture_export()
    triples = list(graph)
    random.Random(7).shuffle(triples)
    shuffled = Graph()
    for prefix, namespace in graph.namespaces():
        shuffled.bind(prefix, namespace, override=True, replace=True)
    for triple in triples:
        shuffled.add(triple)
    assert serialize(shuffled, FORMATS[name], base) == serialize(graph, FORMATS[name], base)


@pytest.mark.parametrize("data", [FIXTURE_CATALOG, ROOT / "data"], ids=["fixture", "catalog"])
@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_engines_export_the_same_bytes(name, data):
    """The graph built in rdflib and the one written straight into pyoxigraph export identically."""
    rdflib_lines, base = fixture_lines("rdflib", data)
    oxigraph_lines, _ = fixture_lines("oxigraph", data)
    assert rdflib_lines == oxigraph_lines
    fmt = FORMATS[name]
    assert serialize_lines(rdflib_lines, fmt, base) == serialize_lines(oxigraph_lines, fmt, base)


def test_ntriples_are_canonical():
    """Our N-Triples are what pyoxigraph writes for the same triples (RDF canonical N-Triples)."""
    import pyoxigraph as ox

    lines, base = fixture_lines(data=ROOT / "data")
    ours = serialize_lines(lines, FORMATS["nt"], base)
    theirs = ox.serialize(ox.parse(ours, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    assert ours == theirs


def test_awkward_literals_round_trip():
    """Quotes, backslashes, control characters, non-ASCII and languages survive every format."""
    graph = Graph()
    subject, predicate = URIRef("https://w3id.org/llm-kg/model/x"), URIRef("https://schema.org/name")
    for text in ['quote " and \\ back', "tab\tnew\nline\r", "ctl\x01\x7f", "ünï €", "💡", ""]:
        graph.add((subject, predicate, Literal(text)))
    graph.add((subject, predicate, Literal("hello", lang="en")))
    graph.add((subject, predicate, Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    graph.add((subject, predicate, Literal("007", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    for name, fmt in FORMATS.items():
        parsed = Graph().parse(data=serialize(graph, fmt, "https://w3id.org/llm-kg"), format=name)
        assert isomorphic(parsed, graph), name


def test_split_statement_reads_lines_as_pyoxigraph_does():
    """The JSON-LD writer splits lines as text: each term must come out as pyoxigraph parses it."""
    import pyoxigraph as ox

    from kg.rdf.ntriples import XSD_STRING, literal, split_literal, split_statement

    texts = ['quote " and \\ back', "tab\tnew\nline\r\b\f", "ctl\x01\x7f", "ünï €", "💡", "", "> <x> .", '"',
             "ends in \\"]
    objects = [literal(text) for text in texts] + [
        literal("hello", language="en-GB"), literal("7", "http://www.w3.org/2001/XMLSchema#integer"),
        '"\\U0001F600 \\u00e9 \\\' \\""',  # escapes a canonical writer does not use, which N-Triples allows
        "<https://w3id.org/llm-kg/model/x>", "_:b0"]
    subjects = ["<https://w3id.org/llm-kg/model/x>", "_:node1"]
    lines = [f"{s} <https://schema.org/name> {o} ." for s in subjects for o in objects]
    for line, triple in zip(lines, ox.parse(("\n".join(lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES)):
        subject, predicate, obj = split_statement(line)
        assert subject == str(triple.subject) and predicate == triple.predicate.value and obj[0] in '<_"'
        if isinstance(triple.object, ox.Literal):
            lexical, datatype, language = split_literal(obj)
            assert lexical == triple.object.value, line
            assert language == triple.object.language, line
            implied = str(RDF.langString) if language else XSD_STRING  # what a missing datatype stands for
            assert (datatype or implied) == triple.object.datatype.value, line
        else:
            assert obj == str(triple.object)


def test_turtle_and_jsonld_describe_the_same_triples():
    graph, base = fixture_export()
    turtle = Graph().parse(data=serialize(graph, FORMATS["turtle"], base), format="turtle")
    jsonld = Graph().parse(data=serialize(graph, FORMATS["json-ld"], base), format="json-ld")
    ntriples = Graph().parse(data=serialize(graph, FORMATS["nt"], base), format="nt")
    assert isomorphic(turtle, jsonld)
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, graph)


def test_jsonld_context_is_inline_and_readable():
    graph, base = fixture_export()
    document = json.loads(serialize(graph, FORMATS["json-ld"], base))
    assert isinstance(document["@context"], dict)
    llama2 = next(n for n in document["@graph"] if n["id"] == "model:llama-2")
    assert llama2["name"] == "Llama 2"
    assert llama2["developer"] == ["org:meta"]
    assert llama2["newVersionOf"] == ["model:llama"]
    assert not any(isinstance(v, str) and v.startswith("http") and "context" in k.lower()
                   for k, v in document.items())


def test_no_blank_nodes():
    graph, _ = fixture_export()
    from rdflib import BNode

    assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]


def test_dataset_description():
    graph, base = fixture_export()
    dataset = URIRef(f"{base}/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    described = int(graph.value(dataset, VOID.triples))
    catalog_triples = len(compile_catalog(Project.locate(data=FIXTURE_CATALOG, start=ROOT),
                                          shapes=False).graph)
    assert catalog_triples == 175  # 172, and the arXiv record of each of the 3 papers (skos:exactMatch)
    assert described == catalog_triples


def test_dates_keep_their_precision():
    graph, base = fixture_export()
    from rdflib.namespace import XSD
    from kg.rdf.vocab import KG

    founded = graph.value(URIRef(f"{base}/organization/mistral-ai"), KG.foundingDate)
    assert (str(founded), founded.datatype) == ("2023-04", XSD.gYearMonth)
    released = graph.value(URIRef(f"{base}/model/llama"), KG.releaseDate)
    assert (str(released), released.datatype) == ("2023-02-24", XSD.date)


def test_guess_format():
    assert guess_format("out.ttl", None).name == "turtle"
    assert guess_format("out.jsonld", None).name == "json-ld"
    assert guess_format("x.nt", "turtle").name == "turtle"
    with pytest.raises(UnknownFormat):
        guess_format("out.txt", None)
    with pytest.raises(UnknownFormat):
        guess_format(None, None)


def test_written_files_are_readable_by_others(tmp_path):
    """mkstemp creates 0600 files; an export is renamed into place with the mode open() would give."""
    from kg.util.fsutil import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.nt", b"")
        assert (tmp_path / "new.nt").stat().st_mode & 0o777 == 0o644
        (tmp_path / "kept.nt").write_bytes(b"")
        (tmp_path / "kept.nt").chmod(0o640)
        write_atomic(tmp_path / "kept.nt", b"x")
        assert (tmp_path / "kept.nt").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_compactor_takes_the_longest_namespace_whatever_the_iri():
    """compactor's one-lookup path gives what trying every namespace, longest first, gives."""
    from kg.namespaces import ENTITY_PREFIXES, PREFIXES, normalized_base
    from kg.rdf.terms import compactor

    base = "https://w3id.org/llm-kg"
    namespaces = sorted([(str(iri), prefix) for prefix, iri in PREFIXES.items()]
                        + [(f"{normalized_base(base)}/{segment}/", prefix) for prefix, segment in ENTITY_PREFIXES.items()],
                        key=lambda item: -len(item[0]))

    def slowly(iri: str) -> str:
        for namespace, prefix in namespaces:
            if iri.startswith(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    locals_ = ["", "x", "a/b", "a#b", "#", "/", "//x", "x//", "llama-2", "2307.09288"]
    iris = [namespace + local for namespace, _ in namespaces for local in locals_]
    iris += ["https://example.org/x", "urn:x:y", "https://w3id.org/llm-kg/", "https://w3id.org/llm-kg/model",
             "http://www.w3.org/2001/XMLSchema"]
    compact = compactor(base)
    assert [compact(iri) for iri in iris] == [slowly(iri) for iri in iris]


@pytest.mark.parametrize("name", ["turtle", "json-ld", "trig"])
def test_lines_kg_did_not_make_are_checked_before_they_are_written(name):
    """serialize() (a query's CONSTRUCT, an inference) refuses an IRI pyoxigraph would refuse, in
    every format; only a build's or an export's own lines are parsed leniently (trusted)."""
    from kg.rdf.formats import write_lines

    line = "<http://example.org/a b> <http://example.org/p> <http://example.org/o> ."
    lines = [line[:-1] + "<http://example.org/g> ."] if FORMATS[name].dataset else [line]
    with pytest.raises(SyntaxError):
        write_lines(lines, FORMATS[name], "https://w3id.org/llm-kg", io.BytesIO())

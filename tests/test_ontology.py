"""The ontology declares every term the catalog writes, and the shapes only name real terms."""
from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.pipeline.project import Project, compile_catalog
from kg.catalog.schema import DERIVATIONS, FIELDS, KINDS
from kg.rdf.vocab import KG, SH

from .conftest import FIXTURE_CATALOG, ROOT

ONTOLOGY = Graph().parse(ROOT / "ontology" / "kg.ttl")
SHAPES = Graph().parse(ROOT / "shapes" / "kg-shapes.ttl")
DECLARED = set(ONTOLOGY.subjects(RDF.type, None))
#: Standard terms the shapes may use without the ontology declaring them.
STANDARD = {RDF.type, RDFS.label, URIRef("http://purl.org/dc/terms/LicenseDocument")}


def catalog_terms() -> set[URIRef]:
    terms = {URIRef(kind.cls) for kind in KINDS} | {URIRef(p) for p in DERIVATIONS.values()} | {KG.ModelFamily}
    for fields in FIELDS.values():
        terms |= {URIRef(f.predicate) for f in fields.values() if f.predicate is not None}
    return terms


def test_ontology_header():
    ontology = URIRef("https://w3id.org/llm-kg/ontology")
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(ontology, OWL.versionIRI) == URIRef("https://w3id.org/llm-kg/ontology/0.1.0")


@pytest.mark.parametrize("term", sorted(catalog_terms()), ids=str)
def test_every_catalog_term_is_declared_with_label_and_comment(term):
    if term == RDFS.label:  # RDFS itself
        return
    assert term in DECLARED, f"{term} is not declared in ontology/kg.ttl"
    if str(term).startswith(str(KG)):
        assert ONTOLOGY.value(term, RDFS.label) is not None
        assert ONTOLOGY.value(term, RDFS.comment) is not None


def test_every_predicate_of_a_built_graph_is_declared():
    graph = compile_catalog(Project.locate(data=ROOT / "data", start=ROOT), shapes=False).graph
    used = set(graph.predicates()) - {RDF.type}
    standard = {RDFS.label}
    assert used - DECLARED - standard == set()


def test_shapes_name_only_declared_terms():
    """Catches http/https and spelling drift: a shape on a term nobody writes never fires."""
    targets = set(SHAPES.objects(None, SH.targetClass)) | set(SHAPES.objects(None, SH["class"]))
    paths = {p for p in SHAPES.objects(None, SH.path) if not isinstance(p, BNode)}
    paths |= set(SHAPES.objects(None, SH.targetSubjectsOf))
    unknown = {t for t in targets | paths if t not in DECLARED and t not in STANDARD}
    assert not unknown, f"shapes name terms the ontology does not declare: {sorted(unknown)}"


def test_alignment_uses_https_schema_org():
    texts = (ROOT / "ontology" / "kg.ttl").read_text() + (ROOT / "shapes" / "kg-shapes.ttl").read_text()
    assert "http://schema.org/" not in texts
    assert "dcterms:licence" not in texts
    assert (KG.Paper, RDFS.subClassOf, URIRef("http://purl.org/spar/fabio/ResearchPaper")) in ONTOLOGY
    assert (KG.basedOn, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) in ONTOLOGY


def test_reasoning_adds_aligned_terms_and_stays_apart():
    from kg.pipeline.queryable import query_graph
    from kg.pipeline.reason import infer

    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    graph = query_graph(compile_catalog(project, shapes=False), project)
    before = len(graph)
    inference = infer(graph, "owlrl")
    assert len(graph) == before, "the asserted graph must not change"
    alpaca = URIRef("https://w3id.org/llm-kg/model/alpaca")
    llama = URIRef("https://w3id.org/llm-kg/model/llama")
    inferred = inference.graph
    assert (alpaca, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), llama) in inferred
    assert (alpaca, KG.fineTunedFrom, llama) in inferred  # instruction-tuned is a kind of fine-tuned
    assert (llama, KG.derivative, alpaca) in inferred
    assert (alpaca, RDF.type, URIRef("https://schema.org/CreativeWork")) in inferred
    assert not [t for t in inferred if t[1] == OWL.sameAs]
    assert not [t for t in inferred if not str(t[0]).startswith("https://w3id.org/llm-kg/")]

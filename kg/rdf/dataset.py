"""The VoID / DCAT description of the dataset that every export carries."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD

from kg import __version__
from kg.namespaces import normalized_base
from kg.catalog.schema import KINDS
from kg.rdf.vocab import CC_BY_4, ONTOLOGY_IRI, VOID

#: The public documents the catalog was first curated from.
SEED_SOURCES = (
    "https://github.com/kimtth/awesome-azure-openai-llm",
    "https://github.com/ianderrington/genai",
    "https://github.com/premAI-io/state-of-open-source-ai",
    "https://goyalpramod.github.io/",
)


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{normalized_base(base)}/dataset")


def describe_dataset(triples: int, counts: dict, base: str) -> Graph:
    """The dataset description: ``triples`` catalog triples, ``counts`` entities of each Kind."""
    base = normalized_base(base)
    dataset = dataset_iri(base)
    graph = Graph()
    entities = sum(counts.values())
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal("kg: the large-language-model landscape", lang="en")))
    add((dataset, DCTERMS.description, Literal(
        "Models, organizations, papers and techniques of the large-language-model landscape, "
        "curated from public awesome-lists and timelines, each fact with its source.", lang="en")))
    add((dataset, DCTERMS.license, URIRef(CC_BY_4)))
    add((dataset, OWL.versionInfo, Literal(__version__)))
    add((dataset, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3 term
    add((dataset, VOID.triples, Literal(triples, datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(entities, datatype=XSD.integer)))
    add((dataset, VOID.uriSpace, Literal(base + "/")))
    add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    for source in SEED_SOURCES:
        add((dataset, DCTERMS.source, URIRef(source)))
    provenance = URIRef(f"{dataset}/provenance")
    add((dataset, VOID.subset, provenance))
    add((provenance, RDF.type, VOID.Dataset))
    add((provenance, DCTERMS.title, Literal("kg: the provenance of each fact", lang="en")))
    add((provenance, DCTERMS.description, Literal(
        "The same triples, each in the named graph of the source that states it (a seed line, an "
        "upstream permalink, a URL), with the claims the catalog does not prefer and the reason; "
        "published as provenance.nq (N-Quads) and provenance.trig (TriG).", lang="en")))
    add((provenance, DCTERMS.license, URIRef(CC_BY_4)))
    for kind in KINDS:
        partition = URIRef(f"{dataset}/{kind.segment}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], URIRef(kind.cls)))
        add((partition, VOID.entities, Literal(counts.get(kind, 0), datatype=XSD.integer)))
    return graph

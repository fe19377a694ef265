"""Namespaces and IRIs used by the catalog graph, defined once."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

#: The ontology's own namespace (fixed: it is the vocabulary, not the data).
KG = Namespace("https://w3id.org/llm-kg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/llm-kg/ontology"
#: Default base of entity IRIs: ``{base}/model/{id}`` and so on.
DEFAULT_BASE = "https://w3id.org/llm-kg"

SCHEMA = Namespace("https://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
VOID = Namespace("http://rdfs.org/ns/void#")
FAIR4ML = Namespace("https://w3id.org/fair4ml#")
MLS = Namespace("http://www.w3.org/ns/mls#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX_LICENSES = "http://spdx.org/licenses/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

#: Prefixes bound on every graph before anything is serialized.
PREFIXES = {
    "kg": KG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "foaf": FOAF,
    "prov": PROV,
    "schema": SCHEMA,
    "fabio": FABIO,
    "void": VOID,
    "fair4ml": FAIR4ML,
    "mls": MLS,
    "spdx": Namespace(SPDX_LICENSES),
}


def entity_prefixes(base: str) -> dict[str, str]:
    """Prefixes for the entity namespaces under ``base`` (model:, org:, paper:, technique:)."""
    base = base.rstrip("/")
    return {
        "model": f"{base}/model/",
        "org": f"{base}/organization/",
        "paper": f"{base}/paper/",
        "technique": f"{base}/technique/",
        "license": f"{base}/license/",
    }


def bind_prefixes(graph, base: str) -> None:
    """Bind the well-known and entity prefixes on ``graph`` (replacing rdflib's defaults)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for prefix, namespace in entity_prefixes(base).items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)

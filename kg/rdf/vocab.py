"""Namespaces and IRIs used by the catalog graph, defined once."""
from __future__ import annotations

from rdflib import Namespace

from kg import namespaces as ns
from kg.namespaces import entity_prefixes

KG = Namespace(ns.KG)
ONTOLOGY_IRI = ns.ONTOLOGY_IRI
DEFAULT_BASE = ns.DEFAULT_BASE

SCHEMA = Namespace(ns.SCHEMA)
FABIO = Namespace(ns.FABIO)
VOID = Namespace(ns.VOID)
FAIR4ML = Namespace(ns.FAIR4ML)
MLS = Namespace(ns.MLS)
SH = Namespace(ns.SH)
SPDX_LICENSES = ns.SPDX_LICENSES
CC_BY_4 = ns.CC_BY_4

#: Prefixes bound on every graph before anything is serialized.
PREFIXES = {prefix: Namespace(iri) for prefix, iri in ns.PREFIXES.items()}


def bind_prefixes(graph, base: str) -> None:
    """Bind the well-known and entity prefixes on ``graph`` (replacing rdflib's defaults)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for prefix, namespace in entity_prefixes(base).items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)

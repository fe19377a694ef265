"""Opt-in reasoning with owlrl: the inferred triples about catalog entities, kept apart.

The closure runs over the catalog plus the ontology, so that the super-properties and
super-classes of schema.org, PROV-O, DCTERMS and FOAF, the inverse properties and the
transitive ``kg:ancestor`` are materialized. Only new triples whose subject is a catalog
entity are kept: owlrl's reflexive ``owl:sameAs``, literal-subject triples, the ontology's
own closure and ``rdf:type rdfs:Resource``/``owl:Thing`` noise are dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from kg.errors import KgUsageError
from kg.registry import PROFILES

_NOISE_TYPES = {RDFS.Resource, OWL.Thing, RDFS.Class, OWL.Class}


@dataclass
class Inference:
    """The inferred triples, how many were added, how many dropped as noise, and the time taken."""

    graph: Graph
    profile: str
    added: int
    dropped: int
    seconds: float


def infer(graph: Graph, profile: str) -> Inference:
    """Run the ``profile`` closure on ``graph`` (catalog + ontology); keep new triples about entities.

    The entities are the subjects that carry a ``dcterms:identifier``: the catalog's entries.
    """
    if profile not in PROFILES:
        raise KgUsageError(f"unknown reasoning profile '{profile}': use {' or '.join(PROFILES)}")
    from owlrl import DeductiveClosure, OWLRL_Semantics, RDFS_Semantics

    class LinearRDFS(RDFS_Semantics):
        """RDFS without the one-time rule that compares every pair of literals (quadratic)."""

        def one_time_rules(self):
            return None

    semantics = LinearRDFS if profile == "rdfs" else OWLRL_Semantics
    start = time.perf_counter()
    subjects = set(graph.subjects(DCTERMS.identifier, None))
    work = Graph()
    work += graph
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    inferred = Graph()
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace, override=True, replace=True)
    dropped = 0
    for triple in work:
        if triple in graph:
            continue
        if _is_noise(triple, subjects):
            dropped += 1
            continue
        inferred.add(triple)
    seconds = time.perf_counter() - start
    return Inference(inferred, profile, len(inferred), dropped, seconds)


def _is_noise(triple, subjects: set) -> bool:
    s, p, o = triple
    if isinstance(s, Literal) or s not in subjects:
        return True
    if p == OWL.sameAs and s == o:
        return True
    if p == RDF.type and o in _NOISE_TYPES:
        return True
    return isinstance(o, URIRef) and p == OWL.sameAs

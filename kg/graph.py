"""Turning catalog entries into RDF triples, remembering the YAML line behind each triple."""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .catalog import Catalog, Entry
from .licenses import ALL_LICENSES, license_iri
from .schema import DERIVATIONS, FIELDS, KINDS, MODEL, TECHNIQUE, Kind
from .values import source_iri
from .vocab import DEFAULT_BASE, KG, bind_prefixes

Triple = tuple


@dataclass
class BuiltGraph:
    """The catalog graph and where each triple came from (file, line, column)."""

    graph: Graph
    base: str
    origins: dict[Triple, tuple[str, int, int]] = field(default_factory=dict)
    subjects: dict[URIRef, Entry] = field(default_factory=dict)
    _first_of_key: dict[tuple, tuple[str, int, int]] = field(default_factory=dict)

    def remember(self, triple: Triple, where: tuple[str, int, int]) -> None:
        if triple not in self.origins:
            self.origins[triple] = where
            self._first_of_key.setdefault(triple[:2], where)

    def origin(self, subject, predicate=None, obj=None) -> tuple[str, int, int] | None:
        """The file position of a triple, else of its key's first value, else of the entry (line 1)."""
        if predicate is not None and obj is not None and (subject, predicate, obj) in self.origins:
            return self.origins[(subject, predicate, obj)]
        if predicate is not None and (subject, predicate) in self._first_of_key:
            return self._first_of_key[(subject, predicate)]
        entry = self.subjects.get(subject)
        return (entry.file, 1, 1) if entry else None


def entity_iri(base: str, kind: Kind, entity_id: str) -> URIRef:
    return URIRef(f"{base.rstrip('/')}/{kind.segment}/{entity_id}")


def scheme_iri(base: str) -> URIRef:
    """The SKOS concept scheme of the techniques."""
    return URIRef(f"{base.rstrip('/')}/technique")


def build_graph(catalog: Catalog, base: str = DEFAULT_BASE) -> BuiltGraph:
    """Build the asserted catalog graph (no inference, no blank nodes)."""
    base = base.rstrip("/")
    graph = Graph()
    bind_prefixes(graph, base)
    built = BuiltGraph(graph, base)
    targets = {kind: catalog.by_kind(kind) for kind in KINDS}
    has_techniques = False
    for entry in sorted(catalog.entries, key=lambda e: (e.kind.folder, e.id)):
        subject = entity_iri(base, entry.kind, entry.id)
        built.subjects[subject] = entry
        _add_entry(built, entry, subject, targets)
        has_techniques |= entry.kind is TECHNIQUE
    if has_techniques:
        scheme = scheme_iri(base)
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, RDFS.label, Literal("LLM techniques")))
    return built


def _add_entry(built: BuiltGraph, entry: Entry, subject: URIRef, targets) -> None:
    graph, base = built.graph, built.base

    def add(predicate, obj, path=()) -> None:
        triple = (subject, predicate, obj)
        graph.add(triple)
        line, col = entry.where(*path) if path else (1, 1)
        built.remember(triple, (entry.file, line, col))

    add(RDF.type, entry.kind.cls)
    add(DCTERMS.identifier, Literal(entry.id))
    if entry.kind is MODEL and entry.first("kind") == "family":
        add(RDF.type, KG.ModelFamily, ("kind",))
    if entry.kind is TECHNIQUE:
        add(RDF.type, SKOS.Concept)
        add(SKOS.inScheme, scheme_iri(base))
        if not entry.values.get("broader"):
            add(SKOS.topConceptOf, scheme_iri(base))
            graph.add((scheme_iri(base), SKOS.hasTopConcept, subject))
    for key, values in entry.values.items():
        spec = FIELDS[entry.kind][key]
        if spec.predicate is None:
            continue
        for value in values:
            for predicate, obj in _objects(spec, value, base):
                add(predicate, obj, value.path)
                if spec.value == "license":
                    graph.add((obj, RDF.type, DCTERMS.LicenseDocument))
                    graph.add((obj, RDFS.label, Literal(ALL_LICENSES[value.value])))


def _objects(spec, value, base: str):
    """The (predicate, object) pairs one value becomes."""
    kind = spec.value
    v = value.value
    if kind == "text" or kind == "choice":
        yield spec.predicate, Literal(v)
    elif kind == "url":
        yield spec.predicate, URIRef(v)
    elif kind == "source":
        yield spec.predicate, URIRef(source_iri(v, base))
    elif kind == "date":
        yield spec.predicate, Literal(v.text, datatype=v.datatype)
    elif kind in ("count", "integer", "bool"):
        yield spec.predicate, Literal(v)
    elif kind == "license":
        yield spec.predicate, URIRef(license_iri(v, base))
    elif kind in ("ref", "based_on"):
        target = entity_iri(base, spec.target, v)
        yield spec.predicate, target
        if value.relation:
            yield DERIVATIONS[value.relation], target
    else:  # pragma: no cover - schema.py is fixed
        raise AssertionError(kind)

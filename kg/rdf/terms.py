"""RDF terms between kg's canonical lines, rdflib and pyoxigraph: one converter per direction,
one compactor, one way to load lines into a pyoxigraph store.

Entity IRIs are built by ``kg.namespaces.entity_iri``; canonical N-Triples text by
``kg.rdf.ntriples``.
"""
from __future__ import annotations

from typing import Callable, Iterable

from rdflib import BNode, Literal, URIRef

from kg import namespaces as ns
from kg.rdf.ntriples import Iri, Lit, LinesReader

_XSD_STRING = ns.XSD + "string"


def to_rdflib(obj: Iri | Lit):
    """A canonical term (``Iri``/``Lit``) as an rdflib term."""
    if type(obj) is Iri:
        return URIRef(obj.value)
    return Literal(obj.lexical, datatype=URIRef(obj.datatype) if obj.datatype else None, lang=obj.language)


def to_oxigraph(term):
    """An rdflib term as a pyoxigraph term (plain literals become xsd:string, as in RDF 1.1)."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def from_oxigraph(term):
    """A pyoxigraph term as the rdflib term rdflib itself would give (xsd:string -> plain)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def compactor(base: str | None = None) -> Callable[[str], str]:
    """A function writing an IRI as ``prefix:local`` with kg's prefixes (and, given ``base``, the
    entity prefixes model:, org:, …); an IRI no prefix covers comes back whole.

    >>> compactor("https://w3id.org/llm-kg")("https://w3id.org/llm-kg/model/llama-2")
    'model:llama-2'
    """
    namespaces = [(iri, prefix) for prefix, iri in ns.PREFIXES.items()]
    if base is not None:
        root = ns.normalized_base(base)
        namespaces += [(f"{root}/{segment}/", prefix) for prefix, segment in ns.ENTITY_PREFIXES.items()]
    namespaces.sort(key=lambda item: -len(item[0]))  # the longest namespace wins

    def compact(iri: str) -> str:
        for namespace, prefix in namespaces:
            if iri.startswith(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    return compact


def load_store(content: Iterable[str] | bytes, store=None, *, quads: bool = False):
    """Load canonical N-Triples (sorted lines, or their bytes; N-Quads with ``quads``) into ``store``
    (default: a new in-memory pyoxigraph store), which is returned."""
    import pyoxigraph as ox

    if store is None:
        store = ox.Store()
    syntax = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
    if isinstance(content, (bytes, bytearray)):
        if content.strip():
            store.bulk_load(content, format=syntax)
        return store
    lines = content if isinstance(content, list) else list(content)
    if lines:
        store.bulk_load(LinesReader(lines), format=syntax)
    return store

"""Serializing the graph: one registry of formats, byte-identical output for the same triples."""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import BinaryIO, Iterable

from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from kg.errors import KgUsageError
from kg.util.gcpause import paused_gc
from kg.rdf.ntriples import XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, LinesReader, graph_lines, write_blocks
from kg.catalog.schema import DERIVATIONS, FIELDS
from kg.rdf.terms import compactor
from kg.rdf.vocab import PREFIXES, entity_prefixes


@dataclass(frozen=True)
class Format:
    """An RDF serialization: its name, file extensions, media type, and whether it holds named graphs
    (a dataset format writes the provenance dataset; the others the asserted graph)."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    dataset: bool = False


FORMATS = {
    f.name: f
    for f in (
        Format("turtle", (".ttl",), "text/turtle"),
        Format("json-ld", (".jsonld", ".json"), "application/ld+json"),
        Format("nt", (".nt",), "application/n-triples"),
        Format("nquads", (".nq",), "application/n-quads", dataset=True),
        Format("trig", (".trig",), "application/trig", dataset=True),
    )
}


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_INTEGER = re.compile(r"^-?(0|[1-9][0-9]*)$")


class UnknownFormat(KgUsageError):
    """No format given and none can be guessed from the file name."""


def guess_format(path: str | Path | None, given: str | None) -> Format:
    """The format named by ``given``, else the one the file extension implies."""
    if given:
        return FORMATS[given]
    if path is None or str(path) == "-":
        raise UnknownFormat(f"writing to stdout needs --format ({', '.join(FORMATS)})")
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(ext for f in FORMATS.values() for ext in f.extensions)
    raise UnknownFormat(f"cannot tell the format of '{path}' from its extension ({known}): "
                        "pass --format")


def serialize(graph: Graph, fmt: Format, base: str) -> bytes:
    """An rdflib graph in ``fmt``, written exactly as ``serialize_lines`` writes its triples."""
    return serialize_lines(graph_lines(graph), fmt, base)


def serialize_lines(lines: list[str], fmt: Format, base: str) -> bytes:
    """Sorted canonical N-Triples lines (see kg.rdf.ntriples) in ``fmt``, as bytes."""
    buffer = io.BytesIO()
    write_lines(lines, fmt, base, buffer)
    return buffer.getvalue()


def write_lines(lines: list[str], fmt: Format, base: str, out: BinaryIO) -> None:
    """Write sorted canonical N-Triples lines (N-Quads lines for a dataset format) to ``out`` in
    ``fmt``, deterministically.

    N-Triples is the lines themselves; Turtle is pyoxigraph's serializer over them (one block
    per subject, in line order); JSON-LD is a node per subject, compacted with the inline
    context of ``jsonld_context``. The same lines give the same bytes, whichever engine
    built them.
    """
    if fmt.name in ("nt", "nquads"):
        write_blocks(lines, out)
        return
    import pyoxigraph as ox

    if fmt.name == "trig":
        quads = ox.parse(LinesReader(lines), format=ox.RdfFormat.N_QUADS) if lines else iter(())
        with paused_gc():
            ox.serialize(quads, out, ox.RdfFormat.TRIG, prefixes=_prefixes(base))
        return

    triples = ox.parse(LinesReader(lines), format=ox.RdfFormat.N_TRIPLES) if lines else iter(())
    with paused_gc():
        if fmt.name == "turtle":
            ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=_prefixes(base))
            return
        write_jsonld(triples, base, out)


def _prefixes(base: str) -> dict[str, str]:
    prefixes = {name: str(namespace) for name, namespace in PREFIXES.items()}
    prefixes.update(entity_prefixes(base))
    return prefixes


def jsonld_context(base: str) -> dict:
    """An inline context whose terms are the catalog's YAML keys (never a remote URL)."""
    context: dict = {name: str(ns) for name, ns in PREFIXES.items()}
    context.update(entity_prefixes(base))
    context.update({"id": "@id", "type": "@type"})
    compact = compactor()
    for fields in FIELDS.values():
        for spec in fields.values():
            if spec.predicate is None or spec.key in context or spec.value == "wikidata":
                continue  # wikidata: skos:exactMatch also links papers to arXiv; it keeps its compact IRI
            term: dict = {"@id": compact(spec.predicate)}
            if spec.value in ("ref", "based_on", "url", "source", "license", "replacement"):
                term["@type"] = "@id"
            if spec.many or spec.value in ("ref", "based_on"):
                term["@container"] = "@set"
            context[spec.key] = term
    for relation, predicate in DERIVATIONS.items():
        context[predicate.split("#")[-1]] = {"@id": compact(predicate), "@type": "@id",
                                             "@container": "@set"}
    context.update({
        "identifier": str(DCTERMS.identifier),
        "broader": {"@id": str(SKOS.broader), "@type": "@id", "@container": "@set"},
        "inScheme": {"@id": str(SKOS.inScheme), "@type": "@id"},
        "versionInfo": str(OWL.versionInfo),
    })
    context["name"] = str(RDFS.label)  # rdfs:label, the label of every entity
    return context


def write_jsonld(triples: Iterable, base: str, out: BinaryIO) -> None:
    """JSON-LD of pyoxigraph triples grouped by subject: {"@context": …, "@graph": [nodes]}.

    Terms are the catalog's YAML keys where the context defines one for the predicate and
    the values fit it; other predicates are compact IRIs. Integers and booleans are JSON
    numbers and booleans. Nodes come in the order of their subjects' first triple.
    """
    context = jsonld_context(base)
    terms = _property_terms(context)
    compact = compactor(base)
    out.write(b'{\n  "@context": ')
    out.write(_indented(context, 2))
    out.write(b',\n  "@graph": [')
    first = True
    for subject, statements in groupby(triples, key=lambda t: t.subject):
        node = _node(subject, statements, terms, compact)
        out.write(b"\n    " if first else b",\n    ")
        out.write(_indented(node, 4))
        first = False
    out.write(b"\n  ]\n}\n" if not first else b"]\n}\n")


def _indented(value, indent: int) -> bytes:
    """``json.dumps(value, indent=2, sort_keys=True)`` shifted right by ``indent``, built with the
    C encoder for each scalar (json's indenting encoder is pure Python and 5x slower)."""
    return _pretty(value, " " * indent).encode("utf-8")


_scalar = json.JSONEncoder(ensure_ascii=False).encode


def _pretty(value, pad: str) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = pad + "  "
        items = ",\n".join(f"{inner}{_scalar(key)}: {_pretty(value[key], inner)}" for key in sorted(value))
        return "{\n" + items + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _pretty(item, inner) for item in value) + "\n" + pad + "]"
    return _scalar(value)


def _property_terms(context: dict) -> dict[str, tuple[str, bool, bool]]:
    """Predicate IRI -> (term, values are IRIs, always a list), for the terms naming properties."""
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value

    terms: dict[str, tuple[str, bool, bool]] = {}
    for term in sorted(context):
        definition = context[term]
        if term.startswith("@") or term in ("id", "type") or term in prefixes:
            continue
        if isinstance(definition, str):
            definition = {"@id": definition}
        predicate = expand(definition["@id"])
        terms.setdefault(predicate, (term, definition.get("@type") == "@id",
                                     definition.get("@container") == "@set"))
    return terms


def _node(subject, statements, terms: dict, compact) -> dict:
    import pyoxigraph as ox

    node: dict = {"id": _node_id(subject, compact)}
    for predicate, group in groupby(statements, key=lambda t: t.predicate):
        objects = [t.object for t in group]
        if predicate.value == RDF_TYPE and all(isinstance(o, ox.NamedNode) for o in objects):
            types = [compact(o.value) for o in objects]
            node["type"] = types if len(types) > 1 else types[0]
            continue
        term, as_iri, as_set = terms.get(predicate.value, (None, False, False))
        if term is not None and as_iri and not all(isinstance(o, (ox.NamedNode, ox.BlankNode))
                                                    for o in objects):
            term = None  # a literal cannot go under a term that reads strings as IRIs
        key = term or compact(predicate.value)
        values = [(_node_id(o, compact) if as_iri and term else _value(o, compact)) for o in objects]
        node[key] = values if (as_set and term) or len(values) > 1 else values[0]
    return node


def _node_id(node, compact) -> str:
    import pyoxigraph as ox

    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else compact(node.value)


def _value(obj, compact):
    import pyoxigraph as ox

    if not isinstance(obj, ox.Literal):
        return {"id": _node_id(obj, compact)}
    if obj.language:
        return {"@language": obj.language, "@value": obj.value}
    datatype = obj.datatype.value
    if datatype == XSD_STRING:
        return obj.value
    if datatype == XSD_INTEGER and _INTEGER.match(obj.value):
        return int(obj.value)
    if datatype == XSD_BOOLEAN and obj.value in ("true", "false"):
        return obj.value == "true"
    return {"@type": compact(datatype), "@value": obj.value}

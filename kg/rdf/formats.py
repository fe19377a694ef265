"""Serializing the graph: one registry of formats, byte-identical output for the same triples."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
from dataclasses import dataclass
from itertools import groupby
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterable

from kg.errors import KgUsageError
from kg.util.gcpause import paused_gc
from kg.rdf.ntriples import (XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, LinesReader, graph_lines, split_literal,
                             split_statement, write_blocks)
from kg.catalog.schema import DERIVATIONS, FIELDS
from kg.rdf.terms import compactor
from kg.namespaces import DCTERMS, OWL, PREFIXES, RDFS, SKOS, entity_prefixes

if TYPE_CHECKING:  # rdflib only where an rdflib graph is written: kg build on oxigraph never imports it
    from rdflib import Graph


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


def serialize_lines(lines: list[str], fmt: Format, base: str, *, trusted: bool = False) -> bytes:
    """Sorted canonical N-Triples lines (see kg.rdf.ntriples) in ``fmt``, as bytes."""
    buffer = io.BytesIO()
    write_lines(lines, fmt, base, buffer, trusted=trusted)
    return buffer.getvalue()


def write_lines(lines: list[str], fmt: Format, base: str, out: BinaryIO, *, trusted: bool = False,
                pause_collector: bool = True, source: str | os.PathLike | None = None) -> None:
    """Write sorted canonical N-Triples lines (N-Quads lines for a dataset format) to ``out`` in
    ``fmt``, deterministically.

    N-Triples is the lines themselves; Turtle is pyoxigraph's serializer over them (one block
    per subject, in line order); JSON-LD is a node per subject, compacted with the inline
    context of ``jsonld_context``. The same lines give the same bytes, whichever engine
    built them.

    ``trusted``: kg made the lines from the catalog (a build, an export), so pyoxigraph parses them
    leniently, without checking the IRIs again (which halved the Turtle's parse at a million
    lines). Other lines (a query's CONSTRUCT, an inference) are checked: one whose IRI is not
    valid raises SyntaxError, for JSON-LD too, which splits the lines as text.

    ``pause_collector``: the cyclic collector is paused while Turtle, TriG or JSON-LD are written
    (kg.util.gcpause). It is the whole process's: a writer on a background thread passes False,
    so as not to switch it off and on again under the main thread's own pauses.

    ``source``: a file holding these very lines, as this function wrote them in N-Triples (or
    N-Quads for TriG): the Turtle or TriG is made from it, which pyoxigraph reads itself instead
    of calling back into Python for each block of lines (the same bytes; at a million lines
    0.73 → 0.57 s for the Turtle, 0.86 → 0.69 s for the TriG, one process, two runs each).
    """
    if fmt.name in ("nt", "nquads"):
        write_blocks(lines, out)
        return
    import pyoxigraph as ox

    pause = paused_gc if pause_collector else contextlib.nullcontext

    def parsed(syntax):
        if not lines:
            return iter(())
        if source is not None:
            return ox.parse(path=source, format=syntax, lenient=trusted)
        return ox.parse(LinesReader(lines), format=syntax, lenient=trusted)

    if fmt.name == "trig":
        quads = parsed(ox.RdfFormat.N_QUADS)
        with pause():
            ox.serialize(quads, out, ox.RdfFormat.TRIG, prefixes=_prefixes(base))
        return

    with pause():
        if fmt.name == "turtle":
            ox.serialize(parsed(ox.RdfFormat.N_TRIPLES), out, ox.RdfFormat.TURTLE, prefixes=_prefixes(base))
            return
        if not trusted and lines:
            for _triple in ox.parse(LinesReader(lines), format=ox.RdfFormat.N_TRIPLES):
                pass  # only to refuse what pyoxigraph refuses
        write_jsonld(lines, base, out)


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
        "identifier": DCTERMS + "identifier",
        "broader": {"@id": SKOS + "broader", "@type": "@id", "@container": "@set"},
        "inScheme": {"@id": SKOS + "inScheme", "@type": "@id"},
        "versionInfo": OWL + "versionInfo",
    })
    context["name"] = RDFS + "label"  # rdfs:label, the label of every entity
    return context


def write_jsonld(lines: Iterable[str], base: str, out: BinaryIO) -> None:
    """JSON-LD of sorted canonical N-Triples lines grouped by subject: {"@context": …, "@graph": [nodes]}.

    Terms are the catalog's YAML keys where the context defines one for the predicate and
    the values fit it; other predicates are compact IRIs. Integers and booleans are JSON
    numbers and booleans. Nodes come in the order of their subjects' first triple.

    The lines are split as text (kg.rdf.ntriples.split_statement), not parsed into pyoxigraph
    terms: at a million triples that was about a third of the writer's time, spent making a
    Python object for each term and attribute read.
    """
    context = jsonld_context(base)
    terms = _property_terms(context)
    compact = _Remembered(compactor(base)).__getitem__
    out.write(b'{\n  "@context": ')
    out.write(_indented(context, 2))
    out.write(b',\n  "@graph": [')
    first = True
    for subject, statements in groupby(map(split_statement, lines), key=_first):
        node = _node(subject, statements, terms, compact)
        out.write(b"\n    " if first else b",\n    ")
        out.write(_indented(node, 4))
        first = False
    out.write(b"\n  ]\n}\n" if not first else b"]\n}\n")


_first, _second = itemgetter(0), itemgetter(1)


class _Remembered(dict):
    """``compact`` answered from a dict once asked (predicates, types and the entries that many link
    to come back again and again); forgotten every ``LIMIT`` IRIs, so that it stays small."""

    LIMIT = 50_000

    def __init__(self, compact) -> None:
        super().__init__()
        self._compact = compact

    def __missing__(self, iri: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        compacted = self[iri] = self._compact(iri)
        return compacted


def _indented(value, indent: int) -> bytes:
    """``json.dumps(value, indent=2, sort_keys=True)`` shifted right by ``indent``, built with the
    C encoder for each scalar (json's indenting encoder is pure Python and 5x slower)."""
    return _pretty(value, " " * indent).encode("utf-8")


_string = encode_basestring  # json's, in C: what json.dumps(ensure_ascii=False) writes for a str
_scalar = json.JSONEncoder(ensure_ascii=False).encode


def _pretty(value, pad: str) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        items = ",\n".join([f"{inner}{_string(key)}: {_pretty(value[key], inner)}" for key in sorted(value)])
        return "{\n" + items + "\n" + pad + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join([inner + _pretty(item, inner) for item in value]) + "\n" + pad + "]"
    if kind is int:
        return int.__repr__(value)  # what json writes for an int (a bool is not one: its type is bool)
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


def _node(subject: str, statements, terms: dict, compact) -> dict:
    """The JSON-LD node of one subject's statements (split lines, grouped by predicate in order)."""
    node: dict = {"id": _node_id(subject, compact)}
    for predicate, group in groupby(statements, key=_second):
        objects = [statement[2] for statement in group]
        if predicate == RDF_TYPE and all(o[0] == "<" for o in objects):
            types = [compact(o[1:-1]) for o in objects]
            node["type"] = types if len(types) > 1 else types[0]
            continue
        term, as_iri, as_set = terms.get(predicate, _NO_TERM)
        if term is not None and as_iri and any(o[0] == '"' for o in objects):
            term = None  # a literal cannot go under a term that reads strings as IRIs
        key = term or compact(predicate)
        if as_iri and term:
            values = [_node_id(o, compact) for o in objects]
        else:
            values = [_value(o, compact) for o in objects]
        node[key] = values if (as_set and term) or len(values) > 1 else values[0]
    return node


_NO_TERM = (None, False, False)


def _node_id(node: str, compact) -> str:
    """An IRI (``<…>``, compacted) or a blank node (``_:id``, as it is) as written in N-Triples."""
    return compact(node[1:-1]) if node[0] == "<" else node


def _value(obj: str, compact):
    if obj[0] != '"':
        return {"id": _node_id(obj, compact)}
    lexical, datatype, language = split_literal(obj)
    if language:
        return {"@language": language, "@value": lexical}
    if datatype is None or datatype == XSD_STRING:
        return lexical
    if datatype == XSD_INTEGER and _INTEGER.match(lexical):
        return int(lexical)
    if datatype == XSD_BOOLEAN and lexical in ("true", "false"):
        return lexical == "true"
    return {"@type": compact(datatype), "@value": lexical}

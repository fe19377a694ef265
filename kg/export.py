"""Serializing the graph: one registry of formats, byte-identical output for the same graph."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from .schema import DERIVATIONS, FIELDS
from .vocab import PREFIXES, entity_prefixes


@dataclass(frozen=True)
class Format:
    """An RDF serialization: its name, file extensions and media type."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    rdflib_name: str


FORMATS = {
    f.name: f
    for f in (
        Format("turtle", (".ttl",), "text/turtle", "turtle"),
        Format("json-ld", (".jsonld", ".json"), "application/ld+json", "json-ld"),
        Format("nt", (".nt",), "application/n-triples", "nt"),
    )
}


class UnknownFormat(ValueError):
    """No format given and none can be guessed from the file name."""


def guess_format(path: str | Path | None, given: str | None) -> Format:
    """The format named by ``given``, else the one the file extension implies."""
    if given:
        return FORMATS[given]
    if path is None or str(path) == "-":
        raise UnknownFormat("writing to stdout needs --format (turtle, json-ld or nt)")
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(ext for f in FORMATS.values() for ext in f.extensions)
    raise UnknownFormat(f"cannot tell the format of '{path}' from its extension ({known}): "
                        "pass --format")


def serialize(graph: Graph, fmt: Format, base: str) -> bytes:
    """The graph in ``fmt``, deterministic: sorted N-Triples, rdflib's sorted Turtle, sorted JSON-LD."""
    if fmt.name == "nt":
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        lines = sorted(set(line for line in text.splitlines() if line.strip()))
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    if fmt.name == "json-ld":
        return _jsonld(graph, base)
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


def jsonld_context(base: str) -> dict:
    """An inline context whose terms are the catalog's YAML keys (never a remote URL)."""
    context: dict = {name: str(ns) for name, ns in PREFIXES.items()}
    context.update(entity_prefixes(base))
    context.update({"id": "@id", "type": "@type"})
    for fields in FIELDS.values():
        for spec in fields.values():
            if spec.predicate is None or spec.key in context:
                continue
            term: dict = {"@id": graph_curie(spec.predicate)}
            if spec.value in ("ref", "based_on", "url", "source", "license"):
                term["@type"] = "@id"
            if spec.many or spec.value in ("ref", "based_on"):
                term["@container"] = "@set"
            context[spec.key] = term
    for relation, predicate in DERIVATIONS.items():
        context[predicate.split("#")[-1]] = {"@id": graph_curie(predicate), "@type": "@id",
                                             "@container": "@set"}
    context.update({
        "identifier": str(DCTERMS.identifier),
        "broader": {"@id": str(SKOS.broader), "@type": "@id", "@container": "@set"},
        "inScheme": {"@id": str(SKOS.inScheme), "@type": "@id"},
        "versionInfo": str(OWL.versionInfo),
    })
    context["name"] = str(RDFS.label)  # rdfs:label, the label of every entity
    return context


def graph_curie(iri) -> str:
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(str(namespace)):
            return f"{prefix}:{str(iri)[len(str(namespace)):]}"
    return str(iri)


def _jsonld(graph: Graph, base: str) -> bytes:
    context = jsonld_context(base)
    raw = graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
    document = json.loads(raw)
    nodes = document.get("@graph", [])
    if not nodes and len(document) > 1:  # a single node is not wrapped in @graph
        nodes = [{k: v for k, v in document.items() if k != "@context"}]
    nodes = [_sorted_node(node) for node in nodes]
    nodes.sort(key=lambda node: str(node.get("id", node.get("@id", ""))))
    out = {"@context": context, "@graph": nodes}
    return (json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _sorted_node(node: dict) -> dict:
    result = {}
    for key, value in node.items():
        if isinstance(value, list):
            value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        result[key] = value
    return result


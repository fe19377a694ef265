"""The namespace IRIs kg uses, as plain strings: the one home every layer takes them from.

``kg.rdf.vocab`` wraps them as rdflib namespaces and binds the prefixes; the catalog layer
uses them as strings (it never imports rdflib).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

KG = "https://w3id.org/llm-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/llm-kg/ontology"
#: Default base of entity IRIs: ``{base}/model/{id}`` and so on.
DEFAULT_BASE = "https://w3id.org/llm-kg"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FABIO = "http://purl.org/spar/fabio/"
VOID = "http://rdfs.org/ns/void#"
FAIR4ML = "https://w3id.org/fair4ml#"
MLS = "http://www.w3.org/ns/mls#"
SH = "http://www.w3.org/ns/shacl#"
SPDX_LICENSES = "http://spdx.org/licenses/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

#: Prefix -> namespace, bound on every graph before anything is serialized (in this order).
PREFIXES = {
    "kg": KG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "dcat": DCAT, "foaf": FOAF, "prov": PROV, "schema": SCHEMA, "fabio": FABIO, "void": VOID,
    "fair4ml": FAIR4ML, "mls": MLS, "spdx": SPDX_LICENSES,
}

#: Entity kinds' IRI segments and the prefix each is written with.
ENTITY_PREFIXES = {"model": "model", "org": "organization", "paper": "paper", "technique": "technique",
                   "license": "license"}


def normalized_base(base: str) -> str:
    """``base`` without its trailing slashes: ``{base}/model/{id}`` must not double them."""
    return base.rstrip("/")


#: A catalog id (a file's stem): lowercase letters, digits, '-' and '.', starting with a letter or
#: a digit; to be used with ``fullmatch`` (KG104 refuses any other file name, KG107 any other reference).
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]*")


def entity_iri(base: str, segment: str, entity_id: str) -> str:
    """The IRI of an entity: ``{base}/{segment}/{id}``, e.g. https://w3id.org/llm-kg/model/llama-2.

    An id that is not valid (from a file named ``Bad Name.yaml`` or ``50%off.yaml``: KG104, an
    error) is percent-encoded whole, so that the graph can still be loaded and queried meanwhile.
    """
    written = _AS_WRITTEN.get(entity_id)
    if written is None:  # checked once an id (a build at a million triples makes ~350k IRIs, most of them again)
        if len(_AS_WRITTEN) >= 1 << 20:
            _AS_WRITTEN.clear()
        written = _AS_WRITTEN[entity_id] = entity_id if ID_PATTERN.fullmatch(entity_id) else _percent_encoded(entity_id)
    return f"{normalized_base(base)}/{segment}/{written}"


#: Each id as its IRI writes it (itself, or percent-encoded when it is no id).
_AS_WRITTEN: dict[str, str] = {}


def _percent_encoded(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def entity_prefixes(base: str) -> dict[str, str]:
    """Prefixes for the entity namespaces under ``base`` (model:, org:, paper:, technique:)."""
    base = normalized_base(base)
    return {prefix: f"{base}/{segment}/" for prefix, segment in ENTITY_PREFIXES.items()}


def entity_reference(text: str) -> str:
    """An entity named as a person copies it, as ``kind/id`` or a bare ``id``: ``llama-2``,
    ``model/llama-2``, the prefixed id a table prints (``model:llama-2``, ``org:meta``) or its IRI
    (``https://w3id.org/llm-kg/model/llama-2``, in ``<…>`` or not), whatever the base.

    >>> entity_reference("org:meta"), entity_reference("<https://w3id.org/llm-kg/model/llama-2>")
    ('organization/meta', 'model/llama-2')
    """
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if "://" in text:
        *_, segment, entity_id = text.rstrip("/").split("/")
        return f"{segment}/{entity_id}"
    prefix, colon, local = text.partition(":")
    return f"{ENTITY_PREFIXES[prefix]}/{local}" if colon and prefix in ENTITY_PREFIXES else text


def mistyped_prefix(text: str, also: Iterable[str] = ()) -> str | None:
    """A hint when ``text`` looks like a prefixed id whose prefix is none of the entity prefixes
    (nor of ``also``, e.g. ``PREFIXES``): ``did you mean model:llama-2?``, or which prefixes there
    are; else None.

    >>> mistyped_prefix("modle:llama-2"), mistyped_prefix("model:llama-2")
    ("no prefix 'modle': did you mean model:llama-2?", None)
    """
    prefix, colon, local = text.strip().partition(":")
    known = [*ENTITY_PREFIXES, *also]
    if not colon or local.startswith("//") or prefix in known or not prefix:
        return None
    import difflib

    close = difflib.get_close_matches(prefix, known, n=1)
    return f"no prefix '{prefix}': " + (f"did you mean {close[0]}:{local}?" if close else
                                        f"ids take {', '.join(f'{p}:' for p in ENTITY_PREFIXES)}")

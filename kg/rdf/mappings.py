"""Links out: the identifiers the catalog holds, as mappings to the records of other graphs.

| the catalog holds | becomes | why this predicate |
|---|---|---|
| a paper's ``arxiv`` id | ``skos:exactMatch <https://arxiv.org/abs/ID>`` | see below |
| a ``url`` on doi.org | ``skos:exactMatch <https://doi.org/10.…>`` | a DOI names the work itself |
| a ``wikidata`` item (a fact with its source) | ``skos:exactMatch <http://www.wikidata.org/entity/Q…>`` | the curator states they are the same entity |
| a model's ``url``/``repository`` on a Hugging Face repository | ``skos:closeMatch <https://huggingface.co/OWNER/NAME>`` | the repository holds the weights of the model: related, not the same thing |
| a ``repository`` | ``schema:codeRepository`` (as before) | |

Why not ``owl:sameAs`` for arXiv: the catalog's paper is the scholarly work; the arXiv IRI is
the abstract page of one e-print of it (other versions, other venues and DOIs may exist), an
information resource. ``owl:sameAs`` would make every statement about one hold of the other,
so a reasoner would give the abstract page the catalog's types, dates and authors and merge it
with any other record declared the same. ``skos:exactMatch`` says that the two can be used
interchangeably for retrieval, without that identity; it is also what SSSOM mapping sets use.

``kg export --format sssom`` writes the same mappings as an SSSOM TSV (``sssom_tsv``): a YAML
header (``curie_map``, ``license``, ``mapping_set_id``), then one row per mapping with the
sources that state the identifier.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg import namespaces as ns
from kg.catalog.loader import Catalog, Entry
from kg.catalog.schema import MODEL
from kg.catalog.values import source_iri

ARXIV_ABS = "https://arxiv.org/abs/"
DOI = "https://doi.org/"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
HUGGING_FACE = "https://huggingface.co/"
EXACT, CLOSE = ns.SKOS + "exactMatch", ns.SKOS + "closeMatch"
SEMAPV = "https://w3id.org/semapv/vocab/"

#: First path segments of huggingface.co that are not an owner of repositories.
_HF_RESERVED = {"blog", "collections", "datasets", "spaces", "docs", "papers", "models", "organizations",
                "learn", "tasks", "join", "login", "pricing", "settings", "api", "chat", "posts", "enterprise"}
_HF_REPO = re.compile(r"^https://huggingface\.co/([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)(?:/(?:tree|blob|resolve)/.*)?/?$")
_DOI = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)


def wikidata_iri(qid: str) -> str:
    return WIKIDATA_ENTITY + qid


def hugging_face_repository(url: str) -> str | None:
    """``https://huggingface.co/OWNER/NAME`` of a URL inside a model repository, else None."""
    match = _HF_REPO.match(url)
    if match is None or match.group(1).lower() in _HF_RESERVED:
        return None
    return f"{HUGGING_FACE}{match.group(1)}/{match.group(2)}"


#: What an arXiv id is written with (2307.09288v2, hep-th/9901001): an id with anything else makes no
#: link, whose IRI a strict N-Triples parser might refuse (``%``, ``[``, ``>``…); the shapes report it (KG550).
_ARXIV_ID_CHARACTERS = re.compile(r"[A-Za-z0-9./-]+")


def value_links(key: str, value, kind) -> list[tuple[str, str]]:
    """The (predicate, IRI) links out one value of ``key`` implies (beside its own triple)."""
    if key == "arxiv":
        return [(EXACT, ARXIV_ABS + value)] if _ARXIV_ID_CHARACTERS.fullmatch(value) else []
    if key in ("url", "repository"):
        links = []
        doi = _DOI.match(value)
        if doi and key == "url":
            links.append((EXACT, DOI + doi.group(1)))
        repository = hugging_face_repository(value) if kind is MODEL else None
        if repository:
            links.append((CLOSE, repository))
        return links
    return []


# --- SSSOM ------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Mapping:
    subject: str
    predicate: str
    object: str
    label: str
    key: str
    sources: tuple[str, ...]


def entry_mappings(entry: Entry, base: str) -> list[Mapping]:
    """Every link out of one entry, with the sources that state the identifier behind it."""
    from kg.catalog.sourcing import named_values

    subject = ns.entity_iri(base, entry.kind.segment, entry.id)
    sources_of: dict[int, list[str]] = {}
    for item in entry.values.get("sources", []):
        attribution = item.value
        for fact_name in attribution.facts:
            for _key, value in named_values(entry, fact_name) or []:
                sources_of.setdefault(id(value), []).append(source_iri(attribution.source, base))
    found = []
    for key in ("arxiv", "url", "repository", "wikidata"):
        for value in entry.values.get(key, []):
            links = [(EXACT, wikidata_iri(value.value))] if key == "wikidata" else \
                value_links(key, value.value, entry.kind)
            for predicate, target in links:
                found.append(Mapping(subject, predicate, target, entry.name, key,
                                     tuple(sorted(set(sources_of.get(id(value), []))))))
    return found


def catalog_mappings(catalog: Catalog, base: str) -> list[Mapping]:
    """Every link out of the catalog, one per (subject, predicate, object), sorted."""
    base = ns.normalized_base(base)
    merged: dict[tuple[str, str, str], Mapping] = {}
    for entry in catalog.entries:
        for mapping in entry_mappings(entry, base):
            identity = (mapping.subject, mapping.predicate, mapping.object)
            earlier = merged.get(identity)
            if earlier is not None:  # a url and a repository naming the same repository
                mapping = Mapping(*identity, mapping.label, min(earlier.key, mapping.key),
                                  tuple(sorted(set(earlier.sources) | set(mapping.sources))))
            merged[identity] = mapping
    return sorted(merged.values())


def curie_map(base: str) -> dict[str, str]:
    base = ns.normalized_base(base)
    prefixes = {prefix: f"{base}/{segment}/" for prefix, segment in ns.ENTITY_PREFIXES.items()
                if prefix != "license"}
    prefixes.update({"arxiv": ARXIV_ABS, "doi": DOI, "wikidata": WIKIDATA_ENTITY, "hf": HUGGING_FACE,
                     "skos": ns.SKOS, "semapv": SEMAPV})
    return dict(sorted(prefixes.items()))


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, namespace in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _cell(text: str) -> str:
    """A TSV cell: tabs and line breaks would break the row."""
    return " ".join(str(text).split())


#: The columns of the mapping table, in order.
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification", "see_also",
           "comment")


def sssom_tsv(mappings: list[Mapping], base: str, version: str) -> bytes:
    """The mappings as an SSSOM TSV: the metadata block (YAML, each line after ``#``), then the table."""
    base = ns.normalized_base(base)
    prefixes = curie_map(base)
    header = ["curie_map:"] + [f"  {prefix}: {namespace}" for prefix, namespace in prefixes.items()]
    header += [
        f"mapping_set_id: {base}/mappings.sssom.tsv",
        f"mapping_set_version: {version}",
        "mapping_set_title: kg - links from the LLM landscape catalog to arXiv, DOI, Wikidata and Hugging Face",
        "mapping_set_description: Each link comes from an identifier a curator recorded in the catalog with "
        "its source (an arXiv id, a DOI or Hugging Face URL, a Wikidata item); see_also lists those sources.",
        f"license: {ns.CC_BY_4}",
        "mapping_provider: https://w3id.org/llm-kg",
    ]
    rows = ["\t".join(COLUMNS)]
    for mapping in mappings:
        note = {"arxiv": "from the arxiv id", "url": "from the url", "repository": "from the repository URL",
                "wikidata": "the Wikidata item a curator recorded"}[mapping.key]
        rows.append("\t".join(_cell(value) for value in (
            _curie(mapping.subject, prefixes), mapping.label, _curie(mapping.predicate, prefixes),
            _curie(mapping.object, prefixes), "semapv:ManualMappingCuration", "|".join(mapping.sources),
            note)))
    text = "".join(f"# {row}\n" for row in header) + "\n".join(rows) + "\n"
    return text.encode("utf-8")

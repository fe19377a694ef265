"""The catalog format: which keys each kind of entry takes and what each becomes in RDF.

This table is the single source of truth for the YAML contract. The loader checks
entries against it, the graph builder maps keys to predicates with it, and tests check
that the ontology declares every predicate it names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kg.namespaces import DCTERMS, FABIO, KG, RDFS, SCHEMA, SKOS
ARXIV_PATTERN = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of entry: its folder under ``data/``, its class and its IRI segment.

    There are four, one per folder (KINDS), each the one object of its kind, even unpickled: they
    compare and hash by identity (a dataclass's field-wise ``__hash__``, called in Python for every
    lookup by kind, took 0.1 s of the cross-entry checks alone at a million triples).
    """

    folder: str
    cls: str
    segment: str
    label: str

    def __reduce__(self):
        """Unpickled (from a reading process) as the one Kind of its folder: ``is`` tests hold."""
        return _kind_of_folder, (self.folder,)


def _kind_of_folder(folder: str) -> "Kind":
    return KIND_BY_FOLDER[folder]


MODEL = Kind("models", KG + "Model", "model", "model")
ORGANIZATION = Kind("organizations", KG + "Organization", "organization", "organization")
PAPER = Kind("papers", KG + "Paper", "paper", "paper")
TECHNIQUE = Kind("techniques", KG + "Technique", "technique", "technique")
KINDS: tuple[Kind, ...] = (MODEL, ORGANIZATION, PAPER, TECHNIQUE)
KIND_BY_FOLDER = {kind.folder: kind for kind in KINDS}


@dataclass(frozen=True)
class Field:
    """One YAML key.

    ``value`` says what the key holds:
      text    a string literal              url     an http(s) URL, becomes an IRI
      date    2023-07-18 / 2023-07 / 2023   count   a number or '7B'/'270M', an integer
      integer a non-negative integer        bool    true / false
      ref     the id of another entry (``target`` names its kind)
      replacement  the id of the entry of the same kind that replaces this one (``replaced_by``)
      license an SPDX id or a licence id of kg/catalog/licenses.py
      source  a URL or ``seed:<file>:<line>``, or {source, for: [facts], quote} (kg.catalog.provenance)
      claim   {key, value, source, reason, quote}: a value not preferred (kg.catalog.provenance)
      based_on a model id or ``{model: id, relation: kind}``
      choice  one of ``choices``
      wikidata a Wikidata item id (Q42)
    """

    key: str
    value: str
    predicate: str | None
    many: bool = False
    target: Kind | None = None
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


COMMON = (
    Field("id", "text", None, doc="optional; must equal the file stem"),
    Field("name", "text", RDFS + "label", required=True, doc="the usual name"),
    Field("aliases", "text", SKOS + "altLabel", many=True, doc="other names"),
    Field("description", "text", DCTERMS + "description", doc="one or two sentences"),
    Field("url", "url", SCHEMA + "url", doc="the main page (announcement, homepage, paper)"),
    Field("wikidata", "wikidata", SKOS + "exactMatch",
          doc="the Wikidata item of the entity (Q42), a fact like any other: name its source"),
    Field("sources", "source", DCTERMS + "source", many=True,
          doc="where the facts come from: {source: URL or seed:<file>:<line>, for: [facts], quote: …}"),
    Field("claims", "claim", None, many=True,
          doc="values a source states that the entry does not prefer: {key, value, source, reason}"),
    Field("replaced_by", "replacement", DCTERMS + "isReplacedBy",
          doc="the id of the entry (of the same kind) that replaces this one: the entry stays, as a stub "
              "with its name and sources, so that its published IRI never disappears (owl:deprecated)"),
)

#: Kinds of derivation between models: YAML relation name -> sub-property of kg:basedOn.
DERIVATIONS: dict[str, str] = {
    "fine-tuned": KG + "fineTunedFrom",
    "instruction-tuned": KG + "instructionTunedFrom",
    "distilled": KG + "distilledFrom",
    "quantized": KG + "quantizedFrom",
    "merged": KG + "mergedFrom",
    "reproduction": KG + "reproductionOf",
    "continued-pretraining": KG + "continuedPretrainingOf",
    "adapter": KG + "adapterOf",
    "version-of": KG + "newVersionOf",
    "extended": KG + "extendedFrom",
}

ARCHITECTURES = ("encoder-only", "decoder-only", "encoder-decoder", "other")
MODALITIES = ("text", "code", "image", "audio", "video", "speech", "3d", "other")

MODEL_FIELDS = COMMON + (
    Field("kind", "choice", None, choices=("model", "family"),
          doc="'family' for an umbrella entry (Llama) whose versions point at it with 'family'"),
    Field("family", "ref", KG + "family", target=MODEL, doc="the family this model belongs to"),
    Field("developer", "ref", KG + "developer", many=True, target=ORGANIZATION,
          doc="organization id(s) that built it"),
    Field("released", "date", KG + "releaseDate", doc="first public release"),
    Field("based_on", "based_on", KG + "basedOn", many=True, target=MODEL,
          doc="model id(s) it derives from, or {model: id, relation: kind}"),
    Field("papers", "ref", KG + "paper", many=True, target=PAPER, doc="paper(s) describing it"),
    Field("techniques", "ref", KG + "usesTechnique", many=True, target=TECHNIQUE,
          doc="technique(s) it uses"),
    Field("parameters", "count", KG + "parameterCount", many=True,
          doc="total parameters, one value per released size: 7B, 270M, 7000000000"),
    Field("active_parameters", "count", KG + "activeParameterCount", many=True,
          doc="parameters active per token (mixture-of-experts models)"),
    Field("context_length", "integer", KG + "contextLength", doc="context window in tokens"),
    Field("training_tokens", "count", KG + "trainingTokens", doc="pretraining tokens: 1.4T, 2T"),
    Field("license", "license", KG + "license", many=True, doc="SPDX id or a licence id of kg/catalog/licenses.py"),
    Field("open_weights", "bool", KG + "openWeights", doc="are the weights downloadable?"),
    Field("architecture", "choice", KG + "architecture", choices=ARCHITECTURES,
          doc="transformer layout"),
    Field("pretraining_objective", "text", KG + "pretrainingObjective", doc="e.g. causal language modelling"),
    Field("corpus", "text", KG + "trainingCorpus", doc="pretraining data, as the source describes it"),
    Field("modalities", "choice", KG + "modality", many=True, choices=MODALITIES,
          doc="input/output modalities"),
    Field("repository", "url", SCHEMA + "codeRepository", doc="code or weights repository"),
)

ORGANIZATION_FIELDS = COMMON + (
    Field("country", "text", KG + "country", many=True, doc="ISO 3166-1 alpha-2 code: US, FR, CN"),
    Field("founded", "date", KG + "foundingDate", doc="founding date"),
    Field("parent", "ref", KG + "parentOrganization", target=ORGANIZATION,
          doc="the organization it belongs to"),
)

PAPER_FIELDS = COMMON + (
    Field("arxiv", "text", FABIO + "hasArXivId", doc="arXiv id: 2307.09288"),
    Field("published", "date", KG + "publicationDate", doc="first publication (arXiv v1)"),
    Field("authors", "text", KG + "authorName", many=True, doc="author names"),
    Field("organizations", "ref", KG + "affiliation", many=True, target=ORGANIZATION,
          doc="organization id(s) of the authors"),
    Field("introduces", "ref", KG + "introduces", many=True, target=TECHNIQUE,
          doc="technique id(s) the paper introduces"),
)

TECHNIQUE_FIELDS = COMMON + (
    Field("introduced_in", "ref", KG + "introducedIn", target=PAPER, doc="paper id that introduced it"),
    Field("broader", "ref", SKOS + "broader", many=True, target=TECHNIQUE,
          doc="the more general technique(s)"),
)



def _of_kind(kind: Kind, fields: tuple[Field, ...]) -> dict[str, Field]:
    """The keys of ``kind``: ``replaced_by`` names an entry of the kind itself."""
    return {f.key: (replace(f, target=kind) if f.value == "replacement" else f) for f in fields}


FIELDS: dict[Kind, dict[str, Field]] = {
    MODEL: _of_kind(MODEL, MODEL_FIELDS),
    ORGANIZATION: _of_kind(ORGANIZATION, ORGANIZATION_FIELDS),
    PAPER: _of_kind(PAPER, PAPER_FIELDS),
    TECHNIQUE: _of_kind(TECHNIQUE, TECHNIQUE_FIELDS),
}

"""The provenance dataset: every triple of the export in the named graph of the source that states it.

One named graph per source, named by the source's IRI (a seed line ``{base}/seed/<file>#L<n>``,
an upstream permalink, a URL), holding the facts that source states (``for:``). Triples no
source states (types, identifiers, the concept scheme, the dataset description, ``dcterms:source``
itself, and any fact still without a source) sit in the graph ``{base}/dataset``: every triple
of the asserted export is in at least one named graph.

Claims a source states but the catalog does not prefer go into that source's graph too, with
a statement node (standard RDF reification, which rdflib, pySHACL and Oxigraph all read):

    <{base}/statement/<hash>> a rdf:Statement, kg:Claim ;
        rdf:subject <s> ; rdf:predicate <p> ; rdf:object o ;
        kg:rank kg:DeprecatedRank ; kg:reason "…" ; kg:quote "…" ; prov:wasQuotedFrom <source> .

A quoted preferred fact gets the same node with ``kg:rank kg:PreferredRank``. A claimed value
that cannot be read as its key's values are (``64K`` for a context in tokens) keeps the
source's words as ``kg:claimedValue`` and asserts no triple.
"""
from __future__ import annotations

import hashlib

from kg import namespaces as ns
from kg.catalog.loader import Catalog, Entry, claim_value
from kg.catalog.schema import FIELDS
from kg.catalog.sourcing import fact_values
from kg.catalog.values import source_iri
from kg.rdf.mapping import entry_statements, sorted_entries, value_objects
from kg.rdf.ntriples import Iri, Lit, line

_TYPE = ns.RDF + "type"
_STATEMENT = ns.RDF + "Statement"
_CLAIM = ns.KG + "Claim"
_RANK = ns.KG + "rank"
_PREFERRED = ns.KG + "PreferredRank"
_DEPRECATED = ns.KG + "DeprecatedRank"
_REASON = ns.KG + "reason"
_QUOTE = ns.KG + "quote"
_CLAIMED_VALUE = ns.KG + "claimedValue"
_CLAIMED_KEY = ns.KG + "claimedProperty"
_QUOTED_FROM = ns.PROV + "wasQuotedFrom"


def dataset_graph(base: str) -> str:
    """The graph of the triples no source states: the catalog's own (the dataset's IRI)."""
    return f"{ns.normalized_base(base)}/dataset"


def provenance_lines(catalog: Catalog, base: str, export_lines: list[str],
                     sourced: "SourcedQuads | None" = None) -> list[str]:
    """The provenance dataset as sorted canonical N-Quads lines (no newlines).

    ``export_lines`` are the asserted export (catalog and description); each of them lands in
    at least one graph. ``sourced``: the entries' quads, gathered while their lines were made
    (kg.rdf.mapping.catalog_lines with ``each_entry``); else the entries are mapped here.
    """
    if sourced is None:
        sourced = SourcedQuads(base)
        base = ns.normalized_base(base)
        line_of = line
        for entry in sorted_entries(catalog):
            if entry.values.get("sources") or entry.values.get("claims"):
                sourced.add(entry, [(line_of(s, p, o), path) for s, p, o, path in entry_statements(entry, base)])
    return sourced.dataset(export_lines)


class SourcedQuads:
    """The quads the entries' sources give (facts in their sources' graphs, claims as statement
    nodes), gathered one entry at a time from that entry's statement lines.

    A fact's quad is kept as its triple and the end of the quad its graph makes (`` <graph> .``),
    in two lists, until ``dataset`` writes it out: the triple is the catalog line itself and each
    graph's ending is one string, so a fact costs two list slots where a quad would cost a new
    string (~120 MB at a million triples) and a (triple, graph) tuple in a set ~90 MB (both held
    while kg build runs the shapes). A fact stated twice is kept twice here and written once.
    """

    def __init__(self, base: str) -> None:
        self.base = ns.normalized_base(base)
        self.fact_triples: list[str] = []
        self.fact_ends: list[str] = []  # `` <graph> .`` of each fact, one shared string per graph
        self.quads: set[str] = set()  # statement nodes of quoted facts and claims
        self._ends: dict[str, str] = {}  # graph IRI -> its quads' ending

    def add(self, entry: Entry, statements: list[tuple[str, tuple | None]]) -> None:
        """Take in one entry, given its statements as (N-Triples line, value path) pairs."""
        if entry.values.get("sources") or entry.values.get("claims"):
            _entry_quads(entry, self.base, statements, self)

    def dataset(self, export_lines: list[str]) -> list[str]:
        """Every quad, sorted: these, and each line of ``export_lines`` no source states in the
        dataset's own graph."""
        home = dataset_graph(self.base)
        suffix = f" <{home}> ."
        placed = set(self.fact_triples)  # triples in some source's graph
        quads = [triple[:-2] + end for triple, end in zip(self.fact_triples, self.fact_ends)]  # as _quad writes
        quads += self.quads
        quads.sort()
        quads += [triple[:-2] + suffix for triple in export_lines if triple not in placed]
        quads.sort()  # two sorted runs: merged in linear time
        return [quad for quad, before in zip(quads, [None, *quads]) if quad != before]


def _entry_quads(entry: Entry, base: str, statements: list[tuple[str, tuple | None]],
                 sourced: SourcedQuads) -> None:
    ends_of: dict[tuple, list[str]] = {}
    quoted: list[tuple[tuple, str, str]] = []
    ends = sourced._ends
    for value in entry.values.get("sources", ()):
        attribution = value.value
        graph = source_iri(attribution.source, base)
        end = ends.get(graph)
        if end is None:
            end = ends[graph] = f" <{graph}> ."
        for fact_name in attribution.facts:
            named = fact_values(entry, fact_name)
            for fact in named[1] if named is not None else ():
                ends_of.setdefault(fact.path, []).append(end)
                if attribution.quote:
                    quoted.append((fact.path, graph, attribution.quote))
    add_triple, add_end = sourced.fact_triples.append, sourced.fact_ends.append
    for triple, path in statements:
        for end in ends_of.get(path, ()):
            add_triple(triple)
            add_end(end)
    quads = sourced.quads
    if quoted:
        triples_of: dict[tuple, list[str]] = {}
        for triple, path in statements:
            triples_of.setdefault(path, []).append(triple)
        for path, graph, quote in quoted:
            for triple in triples_of.get(path, ())[:1]:
                quads.update(_statement(base, triple, graph, _PREFERRED, quote=quote))
    for value in entry.values.get("claims", []):
        quads.update(_claim_quads(entry, base, value.value))


def _claim_quads(entry: Entry, base: str, claim) -> list[str]:
    graph = source_iri(claim.source, base)
    subject = ns.entity_iri(base, entry.kind.segment, entry.id)
    spec = FIELDS[entry.kind].get(claim.key)
    value = claim_value(entry, claim)
    if spec is None or spec.predicate is None or value is None:
        predicate = spec.predicate if spec is not None and spec.predicate else ns.KG + claim.key
        node = _node(base, subject, predicate, claim.value, graph)
        return [_quad(line(node, p, o), graph) for p, o in (
            (_TYPE, Iri(_CLAIM)), (ns.RDF + "subject", Iri(subject)), (_CLAIMED_KEY, Iri(predicate)),
            (_CLAIMED_VALUE, Lit(claim.value)),
            (_RANK, Iri(_DEPRECATED)), (_REASON, Lit(claim.reason)), (_QUOTED_FROM, Iri(graph)),
            *(((_QUOTE, Lit(claim.quote)),) if claim.quote else ()))]
    quads = []
    for predicate, obj in value_objects(spec, value, base)[:1]:
        triple = line(subject, predicate, obj)
        quads.append(_quad(triple, graph))
        quads += _statement(base, triple, graph, _DEPRECATED, reason=claim.reason, quote=claim.quote)
    return quads


def _statement(base: str, triple: str, graph: str, rank: str, reason: str | None = None,
               quote: str | None = None) -> list[str]:
    subject, predicate, obj = _split(triple)
    node = _node(base, subject, predicate, obj, graph)
    pairs = [(_TYPE, Iri(_STATEMENT)), (_TYPE, Iri(_CLAIM)), (ns.RDF + "subject", Iri(subject)),
             (ns.RDF + "predicate", Iri(predicate)), (_RANK, Iri(rank)), (_QUOTED_FROM, Iri(graph))]
    if reason:
        pairs.append((_REASON, Lit(reason)))
    if quote:
        pairs.append((_QUOTE, Lit(quote)))
    quads = [_quad(line(node, p, o), graph) for p, o in pairs]
    quads.append(f"<{node}> <{ns.RDF}object> {obj} <{graph}> .")
    return quads


def _node(base: str, subject: str, predicate: str, obj: str, graph: str) -> str:
    digest = hashlib.sha256("\n".join((subject, predicate, obj, graph)).encode("utf-8")).hexdigest()[:16]
    return f"{base}/statement/{digest}"


def _split(triple: str) -> tuple[str, str, str]:
    """``<s> <p> o .`` -> (s, p, o as N-Triples text)."""
    subject, rest = triple[1:].split("> ", 1)
    predicate, obj = rest[1:].split("> ", 1)
    return subject, predicate, obj[:-2]


def _quad(triple: str, graph: str) -> str:
    return f"{triple[:-2]} <{graph}> ."


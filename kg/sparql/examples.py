"""The saved queries as RDF, in the convention of sib-swiss/sparql-examples (what SPARQL editors list).

Each ``queries/*.rq`` becomes::

    <{base}/query/NAME> a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;   # Ask, Construct; spex:…Describe
        rdfs:comment "summary. description"@en ;
        sh:select "the query, without its #+ header" ;                       # sh:ask, sh:construct, spex:describe
        sh:prefixes <{base}/query/prefixes> ;
        schema:target <endpoint> ;
        schema:keywords "tag", … .

    <{base}/query/prefixes> a owl:Ontology ; sh:declare <{base}/query/prefixes#kg>, … .
    <{base}/query/prefixes#kg> a sh:PrefixDeclaration ; sh:prefix "kg" ; sh:namespace "…"^^xsd:anyURI .

The prefix declarations are IRIs, not blank nodes: kg's exports hold no blank nodes. The text
keeps the query's own PREFIX lines, so it runs unchanged on any endpoint holding the catalog;
its parameters (``?_org_iri``) are then plain variables. ``kg serve`` loads these triples into
the graph ``<endpoint>/.well-known/sparql-examples``.
"""
from __future__ import annotations

from kg import namespaces as ns
from kg.rdf.ntriples import Iri, Lit, line
from kg.sparql.saved import SavedQuery, parse_safe

SPEX = "https://purl.expasy.org/sparql-examples/ontology#"
SH = ns.SH
#: The graph of the examples, under the endpoint's URL (the sparql-examples convention).
WELL_KNOWN = "/.well-known/sparql-examples"
#: What each query form is: its class and the property holding its text.
FORMS = {
    "SelectQuery": (SH + "SPARQLSelectExecutable", SH + "select"),
    "AskQuery": (SH + "SPARQLAskExecutable", SH + "ask"),
    "ConstructQuery": (SH + "SPARQLConstructExecutable", SH + "construct"),
    "DescribeQuery": (SPEX + "SPARQLDescribeExecutable", SPEX + "describe"),
}


def examples_graph(endpoint: str) -> str:
    """The named graph an endpoint serves its examples in: ``<endpoint>/.well-known/sparql-examples``."""
    return endpoint.rstrip("/") + WELL_KNOWN


def query_body(query: SavedQuery) -> str:
    """The query text without its ``#+`` metadata header (the metadata is in the RDF)."""
    rows = query.text.splitlines()
    while rows and (rows[0].startswith("#+") or not rows[0].strip()):
        rows.pop(0)
    return "\n".join(rows).rstrip() + "\n"


def comment(query: SavedQuery) -> str:
    summary, description = query.summary.strip(), query.description.strip()
    if not summary:
        return description or query.name
    if not description:
        return summary
    return f"{summary.rstrip('.')}. {description}"


def example_lines(queries: list[SavedQuery], base: str, endpoint: str) -> list[str]:
    """The saved queries as sparql-examples triples, sorted canonical N-Triples lines."""
    base = ns.normalized_base(base)
    prefixes = f"{base}/query/prefixes"
    rows = [(prefixes, ns.RDF + "type", Iri(ns.OWL + "Ontology"))]
    declared = dict(ns.PREFIXES)
    declared.update({prefix: f"{base}/{segment}/" for prefix, segment in ns.ENTITY_PREFIXES.items()})
    for prefix, namespace in sorted(declared.items()):
        declaration = f"{prefixes}#{prefix}"
        rows += [(prefixes, SH + "declare", Iri(declaration)),
                 (declaration, ns.RDF + "type", Iri(SH + "PrefixDeclaration")),
                 (declaration, SH + "prefix", Lit(prefix)),
                 (declaration, SH + "namespace", Lit(namespace, ns.XSD + "anyURI"))]
    for query in queries:
        body = query_body(query)
        form = parse_safe(body)[1].name
        cls, holder = FORMS[form]
        subject = f"{base}/query/{query.name}"
        rows += [(subject, ns.RDF + "type", Iri(SH + "SPARQLExecutable")),
                 (subject, ns.RDF + "type", Iri(cls)),
                 (subject, ns.RDFS + "comment", Lit(comment(query), language="en")),
                 (subject, holder, Lit(body)),
                 (subject, SH + "prefixes", Iri(prefixes)),
                 (subject, ns.SCHEMA + "target", Iri(endpoint))]
        rows += [(subject, ns.SCHEMA + "keywords", Lit(tag.strip())) for tag in query.tags if tag.strip()]
    return sorted({line(s, p, o) for s, p, o in rows})


def example_quads(lines: list[str], endpoint: str) -> list[str]:
    """The example lines as N-Quads in the endpoint's examples graph."""
    graph = examples_graph(endpoint)
    return [f"{text[:-2]} <{graph}> ." for text in lines]


def examples_turtle(lines: list[str]) -> bytes:
    """The example lines as Turtle, with the prefixes of the sparql-examples convention."""
    import io

    import pyoxigraph as ox

    from kg.rdf.ntriples import LinesReader

    prefixes = {name: ns.PREFIXES[name] for name in ("rdf", "rdfs", "owl", "xsd", "schema")}
    prefixes.update({"sh": SH, "spex": SPEX})
    out = io.BytesIO()
    ox.serialize(ox.parse(LinesReader(lines), format=ox.RdfFormat.N_TRIPLES), out, ox.RdfFormat.TURTLE,
                 prefixes=prefixes)
    return out.getvalue()

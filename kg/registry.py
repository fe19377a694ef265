"""Names the library and the CLI share: graph engines, reasoning profiles, result formats.

Every ``click.Choice`` of the CLI is built from these (and from ``kg.rdf.formats.FORMATS``),
so a name is never typed twice. The module imports nothing, so the CLI starts fast.
"""
from __future__ import annotations

#: Where the graph lives: an rdflib Graph (validated by pySHACL) or a pyoxigraph Store
#: (the shapes compiled to SPARQL).
ENGINES = ("rdflib", "oxigraph")

#: The engine of every command with --engine: measured fastest on the real catalog and beyond
#: (docs/scale.md); the library's functions keep rdflib, whose graph their callers may use.
DEFAULT_ENGINE = "oxigraph"

#: Reasoning profiles of owlrl.
PROFILES = ("rdfs", "owlrl")

#: RDF serializations (kg.rdf.formats.FORMATS describes each).
RDF_FORMATS = ("turtle", "json-ld", "nt", "nquads", "trig")
#: Those of them that hold named graphs: the provenance dataset.
DATASET_FORMATS = ("nquads", "trig")

#: Formats of SELECT and ASK results.
SELECT_FORMATS = ("table", "csv", "tsv", "json")

#: Formats of diagnostics.
REPORT_FORMATS = ("text", "json", "github")

#: Exports beside the RDF serializations of kg.rdf.formats: the links out as an SSSOM mapping set,
#: and the saved queries as SPARQL examples.
OTHER_EXPORTS = ("sssom", "sparql-examples")

#: The name of a saved query (queries/NAME.rq), as opposed to SPARQL text: a regular expression.
SAVED_QUERY_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

#: The SPARQL endpoint the saved queries' examples target by default (kg serve's address).
DEFAULT_ENDPOINT = "http://127.0.0.1:7878/query"

#: What kg query --format takes: the row formats, then the graph formats (not the dataset
#: formats: a query gives one graph).
QUERY_FORMATS = (*SELECT_FORMATS, *(name for name in RDF_FORMATS if name not in DATASET_FORMATS))

"""Names the library and the CLI share: graph engines, reasoning profiles, result formats.

Every ``click.Choice`` of the CLI is built from these (and from ``kg.rdf.formats.FORMATS``),
so a name is never typed twice. The module imports nothing, so the CLI starts fast.
"""
from __future__ import annotations

#: Where the graph lives: an rdflib Graph (validated by pySHACL) or a pyoxigraph Store
#: (the shapes compiled to SPARQL).
ENGINES = ("rdflib", "oxigraph")

#: Reasoning profiles of owlrl.
PROFILES = ("rdfs", "owlrl")

#: Formats of SELECT and ASK results.
SELECT_FORMATS = ("table", "csv", "tsv", "json")

#: Formats of diagnostics.
REPORT_FORMATS = ("text", "json", "github")

#: Exports beside the RDF serializations of kg.rdf.formats: the links out as an SSSOM mapping set,
#: and the saved queries as SPARQL examples.
OTHER_EXPORTS = ("sssom", "sparql-examples")

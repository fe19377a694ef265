"""The catalog as RDF: vocabulary, canonical N-Triples lines, the YAML-to-triples mapping and serializations."""

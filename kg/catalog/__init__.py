"""The catalog as YAML: reading entries, their format, values, diagnostics and cross-entry checks (no RDF)."""

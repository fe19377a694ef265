"""The SHACL shapes, run by pySHACL or compiled to SPARQL, with results mapped to YAML lines."""

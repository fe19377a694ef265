"""SPARQL: saved queries and their parameters, safety, the two engines, results, endpoints and serving."""

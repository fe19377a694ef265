"""The SHACL shapes compiled to SPARQL (kg.validation.shacl_compile), run on pyoxigraph: the same
results as pySHACL, faster.

This module imports no RDF library until a shape reports something: a clean catalog whose
compiled shapes are kept (kg.pipeline.shapes_cache) is validated without rdflib. The shapes
stay authoritative: tests run both validators on the same fixtures.
"""
from __future__ import annotations

from kg.errors import KgError
from kg.validation.results import ShapeResult


class UnsupportedShape(KgError):
    """The shapes use a SHACL feature this compiler does not translate."""


def compile_shapes(shapes) -> list[dict]:
    """One entry per constraint of the shapes graph ``shapes`` (rdflib): its SPARQL, code, severity,
    message and path (see kg.validation.shacl_compile)."""
    from kg.validation.shacl_compile import compile_shapes as compile_graph

    return compile_graph(shapes)


def grouped_queries(compiled: list[dict]) -> list[tuple[str, list[dict]]]:
    """The property constraints as a few queries per target, each row naming its constraint (?c).

    Per target: one UNION of every value test, one query for all ``minCount 1`` paths (FILTER NOT
    EXISTS) and one for all ``maxCount 1`` paths (two distinct values). Other counts keep their
    own GROUP BY query. The target pattern is evaluated once per query instead of once per
    constraint: 155 queries become 12 on the shapes of this project.
    """
    by_target: dict[str, list[dict]] = {}
    for item in compiled:
        if item["kind"] == "property":
            by_target.setdefault(item["target"], []).append(item)
    queries: list[tuple[str, list[dict]]] = []
    for target, items in by_target.items():
        tests = [item for item in items if "test" in item]
        if tests:
            branches = " UNION ".join(f"{{ BIND({n} AS ?c) ?this <{item['path']}> ?value . "
                                      f"FILTER ({item['test']}) }}" for n, item in enumerate(tests))
            queries.append((f"SELECT DISTINCT ?c ?this ?value WHERE {{ {{ {target} }} {branches} }}", tests))
        for key, pattern in (("min", "FILTER NOT EXISTS { ?this ?p ?value }"),
                             ("max", "?this ?p ?value . ?this ?p ?other . FILTER (!sameTerm(?value, ?other))")):
            ones = [item for item in items if item.get(key) == 1]
            if ones:
                rows = " ".join(f"(<{item['path']}> {n})" for n, item in enumerate(ones))
                queries.append((f"SELECT DISTINCT ?c ?this WHERE {{ {{ {target} }} VALUES (?p ?c) {{ {rows} }} "
                                f"{pattern} }}", ones))
        for item in items:
            if ("min" in item and item["min"] != 1) or ("max" in item and item["max"] != 1):
                queries.append((item["select"].replace("SELECT ?this", "SELECT (0 AS ?c) ?this", 1), [item]))
    return queries


PREFIXES = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def check_store(store, shapes) -> list[ShapeResult]:
    """Run the shapes graph ``shapes`` compiled on a pyoxigraph store; results shaped like
    kg.validation.shacl.check_graph's."""
    return run_compiled(store, compile_shapes(shapes))


def run_compiled(store, compiled: list[dict]) -> list[ShapeResult]:
    """Run shapes compiled by ``compile_shapes`` on a pyoxigraph store (terms of the results in rdflib)."""
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox

    from kg.rdf.terms import from_oxigraph

    results: list[ShapeResult] = []
    queries = grouped_queries(compiled)

    def rows(query: str) -> list:
        return list(store.query(PREFIXES + query))

    # pyoxigraph evaluates without the GIL: two threads use both cores of a small machine
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(rows, [query for query, _ in queries]))
    for (_query, items), found in zip(queries, answers):
        for row in found:
            item = items[int(row["c"].value)]
            value = from_oxigraph(row["value"]) if item["with_value"] else None
            results.append(ShapeResult(item["code"], item["severity"], from_oxigraph(row["this"]),
                                       item["path"], value, item["message"]))
    for item in compiled:
        if item["kind"] != "sparql":
            continue
        focus_nodes = set()
        for target in item["targets"]:
            focus_nodes |= {row["this"] for row in store.query(target)}
        for node in sorted(focus_nodes, key=str):
            for row in store.query(item["select"], substitutions={ox.Variable("this"): node}):
                value = from_oxigraph(row["value"])
                message = item["message"].replace("{?value}", str(value)).replace("{$value}", str(value))
                results.append(ShapeResult(item["code"], item["severity"], from_oxigraph(node),
                                           from_oxigraph(row["path"]), value, message))
    return results

"""The SHACL shapes compiled to SPARQL and run on pyoxigraph: the same results as pySHACL, faster.

Only the SHACL features the shapes use are compiled (targets by class or SPARQL, property
shapes with a predicate path and minCount, maxCount, datatype, nodeKind, class, pattern,
in, minInclusive, minLength, or-of-datatypes; node-level SPARQL constraints). A shape
using anything else raises UnsupportedShape: a constraint is never skipped silently.
The shapes stay authoritative: tests run both validators on the same fixtures.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from kg.errors import KgError
from kg.catalog.diagnostics import ERROR, WARNING
from kg.rdf.terms import from_oxigraph
from kg.validation.shacl import ShapeResult
from kg.rdf.vocab import KG, SH

_METADATA = {SH.path, SH.name, SH.message, SH.severity, SH.description, SH.order, SH.group, RDFS.comment,
             RDFS.label, KG.diagnosticCode}
_SUPPORTED = {SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH.pattern, SH["in"],
              SH.minInclusive, SH.minLength, SH["or"]}
_NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)", SH.BlankNode: "isBlank(?value)",
               SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))"}


class UnsupportedShape(KgError):
    """The shapes use a SHACL feature this compiler does not translate."""


def _n3(term) -> str:
    if isinstance(term, (URIRef, Literal)):
        return term.n3()
    raise UnsupportedShape(f"cannot use {term!r} in a compiled constraint")


def compile_shapes(shapes: Graph) -> list[dict]:
    """One entry per constraint: its SPARQL, code, severity, message and path."""
    compiled = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = [f"?this rdf:type/rdfs:subClassOf* {_n3(c)} ." for c in shapes.objects(shape, SH.targetClass)]
        sparql_targets = [shapes.value(t, SH.select) for t in shapes.objects(shape, SH.target)]
        for predicate, _ in shapes.predicate_objects(shape):
            if predicate not in (RDF.type, SH.targetClass, SH.target, SH.property, SH.sparql, RDFS.comment,
                                 SH.targetSubjectsOf, SH.name, SH.description):
                raise UnsupportedShape(f"{shape}: node-level {predicate} is not compiled")
        if set(shapes.objects(shape, SH.targetSubjectsOf)) and not sparql_targets:
            raise UnsupportedShape(f"{shape}: sh:targetSubjectsOf without a SPARQL target is not compiled")
        for constraint in shapes.objects(shape, SH.sparql):
            compiled.append({
                "kind": "sparql", "targets": [str(t) for t in sparql_targets if t is not None],
                "select": str(shapes.value(constraint, SH.select)),
                "code": str(shapes.value(constraint, KG.diagnosticCode) or "KG500"),
                "severity": _severity(shapes, constraint), "message": str(shapes.value(constraint, SH.message) or ""),
            })
        if not targets:
            continue
        target = " UNION ".join("{ " + t + " }" for t in targets) if len(targets) > 1 else targets[0]
        for prop in shapes.objects(shape, SH.property):
            compiled.extend(_property(shapes, prop, target))
    return compiled


def _severity(shapes: Graph, node) -> str:
    return WARNING if shapes.value(node, SH.severity) in (SH.Warning, SH.Info) else ERROR


def _property(shapes: Graph, prop, target: str) -> list[dict]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShape(f"property shape {prop}: only predicate paths are compiled")
    base = {"kind": "property", "path": path, "code": str(shapes.value(prop, KG.diagnosticCode) or "KG500"),
            "severity": _severity(shapes, prop), "message": str(shapes.value(prop, SH.message) or ""),
            "target": target}
    p = _n3(path)
    out = []
    for parameter, value in shapes.predicate_objects(prop):
        if parameter in _METADATA:
            continue
        if parameter not in _SUPPORTED:
            raise UnsupportedShape(f"property shape {prop}: {parameter} is not compiled")
        if parameter == SH.minCount:
            count = {"min": int(value)}
            query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {target} "
                     f"OPTIONAL {{ ?this {p} ?value }} }} GROUP BY ?this }} FILTER (?n < {int(value)}) }}")
        elif parameter == SH.maxCount:
            count = {"max": int(value)}
            query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {target} "
                     f"?this {p} ?value }} GROUP BY ?this }} FILTER (?n > {int(value)}) }}")
        else:
            count = {"test": _test(shapes, parameter, value)}
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {p} ?value . FILTER ({count['test']}) }}"
        out.append({**base, **count, "select": query, "with_value": parameter not in (SH.minCount, SH.maxCount)})
    return out


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
            branches = " UNION ".join(f"{{ BIND({n} AS ?c) ?this {_n3(item['path'])} ?value . "
                                      f"FILTER ({item['test']}) }}" for n, item in enumerate(tests))
            queries.append((f"SELECT DISTINCT ?c ?this ?value WHERE {{ {{ {target} }} {branches} }}", tests))
        for key, pattern in (("min", "FILTER NOT EXISTS { ?this ?p ?value }"),
                             ("max", "?this ?p ?value . ?this ?p ?other . FILTER (!sameTerm(?value, ?other))")):
            ones = [item for item in items if item.get(key) == 1]
            if ones:
                rows = " ".join(f"({_n3(item['path'])} {n})" for n, item in enumerate(ones))
                queries.append((f"SELECT DISTINCT ?c ?this WHERE {{ {{ {target} }} VALUES (?p ?c) {{ {rows} }} "
                                f"{pattern} }}", ones))
        for item in items:
            if ("min" in item and item["min"] != 1) or ("max" in item and item["max"] != 1):
                queries.append((item["select"].replace("SELECT ?this", "SELECT (0 AS ?c) ?this", 1), [item]))
    return queries


def _test(shapes: Graph, parameter, value) -> str:
    """A SPARQL expression true when ?value violates the constraint."""
    if parameter == SH.datatype:
        return f"!(isLiteral(?value) && datatype(?value) = {_n3(value)})"
    if parameter == SH.nodeKind:
        if value not in _NODE_KINDS:
            raise UnsupportedShape(f"sh:nodeKind {value} is not compiled")
        return f"!{_NODE_KINDS[value]}"
    if parameter == SH["class"]:
        return f"NOT EXISTS {{ ?value rdf:type/rdfs:subClassOf* {_n3(value)} }}"
    if parameter == SH.pattern:
        return f"(isBlank(?value) || !REGEX(STR(?value), {Literal(str(value)).n3()}))"
    if parameter == SH["in"]:
        return f"?value NOT IN ({', '.join(_n3(v) for v in Collection(shapes, value))})"
    if parameter == SH.minInclusive:
        return f"!COALESCE(?value >= {_n3(value)}, false)"
    if parameter == SH.minLength:
        return f"(isBlank(?value) || STRLEN(STR(?value)) < {int(value)})"
    if parameter == SH["or"]:
        datatypes = []
        for member in Collection(shapes, value):
            keys = set(shapes.predicates(member)) - {RDF.type}
            if keys != {SH.datatype}:
                raise UnsupportedShape("sh:or is compiled only for alternatives of sh:datatype")
            datatypes.append(_n3(shapes.value(member, SH.datatype)))
        return f"!(isLiteral(?value) && datatype(?value) IN ({', '.join(datatypes)}))"
    raise UnsupportedShape(f"{parameter} is not compiled")  # pragma: no cover - _SUPPORTED guards


PREFIXES = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def check_store(store, shapes: Graph) -> list[ShapeResult]:
    """Run the compiled shapes on a pyoxigraph store; results shaped like kg.validation.shacl.check_graph's."""
    import pyoxigraph as ox

    compiled = compile_shapes(shapes)
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

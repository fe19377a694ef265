"""The SHACL shapes compiled to SPARQL: one query (or query part) per constraint, as plain data.

Only the SHACL features the shapes use are compiled (targets by class or SPARQL, property
shapes with a predicate path and minCount, maxCount, datatype, nodeKind, class, pattern,
in, minInclusive, minLength, or-of-datatypes; node-level SPARQL constraints). A shape
using anything else raises UnsupportedShape: a constraint is never skipped silently.
What ``compile_shapes`` returns holds only strings, numbers and booleans, so that it can be
kept (kg.pipeline.shapes_cache) and run (kg.validation.shacl_sparql) without rdflib.
"""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from kg.catalog.diagnostics import ERROR, WARNING
from kg.rdf.vocab import KG, SH
from kg.validation.shacl_sparql import UnsupportedShape

_METADATA = {SH.path, SH.name, SH.message, SH.severity, SH.description, SH.order, SH.group, RDFS.comment,
             RDFS.label, KG.diagnosticCode}
_SUPPORTED = {SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH.pattern, SH["in"],
              SH.minInclusive, SH.minLength, SH["or"]}
_NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)", SH.BlankNode: "isBlank(?value)",
               SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))"}


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
    base = {"kind": "property", "path": str(path), "code": str(shapes.value(prop, KG.diagnosticCode) or "KG500"),
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

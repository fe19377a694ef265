"""Counting what the catalog holds: entities per class and edges per relation."""
from __future__ import annotations

from collections import Counter

from rdflib.namespace import RDF

from kg.catalog.schema import KINDS
from kg.rdf.vocab import PREFIXES, entity_prefixes


def catalog_stats(lines: list[str], base: str) -> dict:
    """Triples, entities per class and triples per predicate, from sorted N-Triples lines."""
    kind_of_type = {f"<{RDF.type}> <{kind.cls}> .": kind.folder for kind in KINDS}
    entities: Counter = Counter({kind.folder: 0 for kind in KINDS})
    predicates: Counter = Counter()
    type_predicate = f"<{RDF.type}>"
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == type_predicate:
            folder = kind_of_type.get(f"{predicate} {rest}")
            if folder:
                entities[folder] += 1  # lines are unique: one per entity and class
            continue
        predicates[predicate] += 1
    names = _prefixes(base)
    relations = Counter({_curie(p[1:-1], names): n for p, n in predicates.items()})
    return {
        "triples": len(lines),
        "entities": dict(entities),
        "relations": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _prefixes(base: str) -> list[tuple[str, str]]:
    pairs = [(str(ns), name) for name, ns in PREFIXES.items()]
    pairs += [(ns, name) for name, ns in entity_prefixes(base).items()]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _curie(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for namespace, name in prefixes:
        if iri.startswith(namespace):
            return f"{name}:{iri[len(namespace):]}"
    return f"<{iri}>"


def render_stats(stats: dict) -> str:
    lines = [f"triples   {stats['triples']}", "", "entities"]
    for name, count in stats["entities"].items():
        lines.append(f"  {name:<28} {count:>6}")
    lines += ["", "relations"]
    for name, count in stats["relations"].items():
        lines.append(f"  {name:<28} {count:>6}")
    return "\n".join(lines) + "\n"

"""Counting what the catalog holds: entities per class and edges per relation."""
from __future__ import annotations

from collections import Counter

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .schema import KINDS


def catalog_stats(graph: Graph) -> dict:
    """Triples, entities per class and triples per predicate (object properties and literals)."""
    classes = {kind.cls: kind.folder for kind in KINDS}
    entities = Counter()
    for cls, folder in classes.items():
        entities[folder] = len(set(graph.subjects(RDF.type, cls)))
    relations: Counter = Counter()
    for _s, p, _o in graph:
        if p != RDF.type:
            relations[graph.namespace_manager.normalizeUri(p) if isinstance(p, URIRef) else str(p)] += 1
    return {
        "triples": len(graph),
        "entities": dict(entities),
        "relations": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def render_stats(stats: dict) -> str:
    lines = [f"triples   {stats['triples']}", "", "entities"]
    for name, count in stats["entities"].items():
        lines.append(f"  {name:<28} {count:>6}")
    lines += ["", "relations"]
    for name, count in stats["relations"].items():
        lines.append(f"  {name:<28} {count:>6}")
    return "\n".join(lines) + "\n"

"""What queries run on: the catalog and ontology in rdflib or pyoxigraph, from the cache when it holds them."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from rdflib import Graph

from kg.errors import ProjectError
from kg.pipeline.project import Compiled, Project, compile_catalog, ontology_lines
from kg.rdf.ntriples import graph_lines, merge, to_bytes
from kg.rdf.terms import load_store
from kg.rdf.vocab import bind_prefixes
from kg.util.progress import Progress, quiet
from kg.validation.shacl import load_turtle_dir


def query_graph(compiled: Compiled, project: Project) -> Graph:
    """The graph queries run on (rdflib): the catalog plus the ontology.

    On the rdflib engine the ontology is added to ``compiled.graph`` itself, which is returned.
    """
    graph = compiled.rdflib_graph()
    if project.ontology.is_dir():
        try:
            graph += load_turtle_dir(project.ontology)
        except Exception as exc:  # a broken ontology file is the maintainer's to fix
            raise ProjectError(f"cannot read the ontology in {project.ontology}: {exc}") from None
    return graph


def prime_query_cache(compiled: Compiled, project: Project) -> Callable[[], None]:
    """Begin caching the query graph (catalog + ontology) of a finished build; call the result to end.

    On the oxigraph engine the graph also goes into an on-disk Oxigraph store, which later
    queries open instead of loading a million lines. It is loaded in a background thread
    (pyoxigraph releases the GIL while loading), so it overlaps the exports the caller writes
    in between; the returned function writes the N-Triples file and waits for the store.
    """
    from kg.pipeline.cache import entry_for

    lines = merge(compiled.lines(), ontology_lines(project))
    read = {str(e.doc.path): e.doc.digest for e in compiled.catalog.entries if e.doc.digest}
    entry = entry_for([project.data, project.ontology, project.shapes], project.base, read,
                      compiled.catalog.read_at_ns)
    meta = {"errors": len(compiled.report.errors), "summary": compiled.report.summary(), "triples": len(lines)}
    loader = None
    if compiled.engine == "oxigraph" and not entry.store_dir.is_dir():
        loader = threading.Thread(target=entry.write_store, args=(lines,), name="kg-cache-store",
                                  daemon=True)
        loader.start()

    def finish() -> None:
        entry.store_lines(lines, meta)
        if loader is not None:
            loader.join()

    return finish


@dataclass
class QuerySource:
    """What queries run on: an rdflib Graph or a pyoxigraph Store, and the catalog's state."""

    target: object
    triples: int
    errors: int
    summary: str
    inferred: int = 0


def query_source(project: Project, *, engine: str = "rdflib", reason: str | None = None,
                 use_cache: bool = True, progress: Progress = quiet) -> QuerySource:
    """The catalog + ontology (+ inferred triples of ``reason``) loaded into ``engine``.

    Reuses the cached build when data/, ontology/ and shapes/ are unchanged (see kg.pipeline.cache).
    """
    from kg.pipeline.cache import entry_for

    project.require("data")
    entry = entry_for([project.data, project.ontology, project.shapes], project.base) if use_cache else None
    graph = store = None
    ntriples = lines = None
    if entry is not None and entry.complete():
        meta = entry.meta()
        if engine == "oxigraph" and not reason:
            store = entry.open_store()  # opened in milliseconds; read-only, nothing to add to it
        if store is None:
            ntriples = entry.graph_file.read_bytes()
    else:
        compiled = compile_catalog(project, shapes=False, engine=engine, progress=progress)
        extra = ontology_lines(project)
        if engine == "rdflib":
            graph = query_graph(compiled, project)
            lines = graph_lines(graph)
        else:
            store, lines = compiled.store, merge(compiled.lines(), extra)
            load_store(to_bytes(extra), store)
        meta = {"errors": len(compiled.report.errors), "summary": compiled.report.summary(),
                "triples": len(lines)}
        if entry is not None:
            entry.store_lines(lines, meta)

    def as_bytes() -> bytes:
        return ntriples if ntriples is not None else to_bytes(lines)

    inferred = b""
    if reason:
        cached = entry.inferred_file(reason) if entry is not None else None
        if cached is not None and cached.is_file():
            inferred = cached.read_bytes()
        else:
            from kg.pipeline.reason import infer

            reasoning_graph = graph if graph is not None else _parse_ntriples(as_bytes(), project.base)
            inferred = to_bytes(graph_lines(infer(reasoning_graph, reason).graph))
            if cached is not None:
                from kg.util.fsutil import write_atomic

                write_atomic(cached, inferred)
    if engine == "oxigraph":
        if store is None:
            store = load_store(ntriples)
        target = load_store(inferred, store)
    else:
        if graph is None:
            graph = _parse_ntriples(as_bytes(), project.base)
        if inferred.strip():
            graph.parse(data=inferred, format="nt")
        target = graph
    return QuerySource(target, meta["triples"], meta["errors"], meta["summary"],
                       inferred=inferred.count(b"\n") if inferred else 0)


def _parse_ntriples(data: bytes, base: str) -> Graph:
    graph = Graph()
    bind_prefixes(graph, base)
    if data.strip():
        graph.parse(data=data, format="nt")
    return graph

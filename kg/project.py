"""A project's folders and the pipeline over them: load, check, build, validate, describe."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .catalog import Catalog, load_catalog
from .checks import check_catalog
from .dataset import describe_dataset
from .diagnostics import Report
from .graph import BuiltGraph, build_graph
from .shacl import ShapesError, load_turtle_dir, run_shapes
from .vocab import DEFAULT_BASE, bind_prefixes


class ProjectError(Exception):
    """A folder or file the project needs is missing or unreadable."""


@dataclass(frozen=True)
class Project:
    """Where the catalog, ontology, shapes and saved queries live, and the IRI base."""

    data: Path
    ontology: Path
    shapes: Path
    queries: Path
    base: str = DEFAULT_BASE

    @classmethod
    def locate(cls, data=None, ontology=None, shapes=None, queries=None, base=None,
               start: Path | None = None) -> "Project":
        """Folders given explicitly win; the others come from the project root.

        The root is the nearest folder, from ``start`` (the working directory) upwards,
        that holds ``data/`` and ``shapes/``; failing that, ``start`` itself.
        """
        start = Path(start or Path.cwd()).resolve()
        root = next((p for p in (start, *start.parents)
                     if (p / "data").is_dir() and (p / "shapes").is_dir()), start)
        return cls(
            data=Path(data) if data else root / "data",
            ontology=Path(ontology) if ontology else root / "ontology",
            shapes=Path(shapes) if shapes else root / "shapes",
            queries=Path(queries) if queries else root / "queries",
            base=(base or DEFAULT_BASE).rstrip("/"),
        )

    def require(self, *names: str) -> None:
        for name in names:
            folder = getattr(self, name)
            if not folder.is_dir():
                raise ProjectError(f"{name} folder '{folder}' does not exist: run kg from the project "
                                   f"root or pass --{name} DIR")


@dataclass
class Compiled:
    """The result of reading a catalog: entries, graph and every diagnostic found."""

    catalog: Catalog
    built: BuiltGraph
    report: Report

    @property
    def graph(self) -> Graph:
        return self.built.graph

    @property
    def ok(self) -> bool:
        return not self.report.errors


def compile_catalog(project: Project, *, shapes: bool = True, today: datetime.date | None = None,
                    engine: str = "rdflib") -> Compiled:
    """Load and check every entry, build the graph and (unless told not to) run the shapes.

    ``engine`` picks the SHACL validator: pySHACL (rdflib) or the compiled shapes on pyoxigraph.
    """
    project.require("data")
    report = Report()
    catalog = load_catalog(project.data, report)
    check_catalog(catalog, report, today)
    built = build_graph(catalog, project.base)
    if shapes:
        project.require("shapes")
        try:
            shapes_graph = load_turtle_dir(project.shapes)
        except Exception as exc:  # a broken shapes file is the maintainer's to fix
            raise ProjectError(f"cannot read the shapes in {project.shapes}: {exc}") from None
        try:
            run_shapes(built, shapes_graph, report, engine=engine)
        except ShapesError as exc:
            raise ProjectError(str(exc)) from None
    return Compiled(catalog, built, report)


def export_graph(compiled: Compiled, base: str) -> Graph:
    """The graph to publish: the catalog plus its VoID/DCAT description."""
    graph = Graph()
    bind_prefixes(graph, base)
    for triple in compiled.graph:
        graph.add(triple)
    describe_dataset(graph, base)
    return graph


def query_graph(compiled: Compiled, project: Project) -> Graph:
    """The graph queries run on: the catalog plus the ontology (so queries can follow its axioms).

    The ontology is added to ``compiled.graph`` itself, which is returned.
    """
    graph = compiled.graph
    if project.ontology.is_dir():
        try:
            graph += load_turtle_dir(project.ontology)
        except Exception as exc:  # a broken ontology file is the maintainer's to fix
            raise ProjectError(f"cannot read the ontology in {project.ontology}: {exc}") from None
    return graph


@dataclass
class QuerySource:
    """What queries run on: an rdflib Graph or a pyoxigraph Store, and the catalog's state."""

    target: object
    triples: int
    errors: int
    summary: str
    inferred: int = 0


def query_source(project: Project, *, engine: str = "rdflib", reason: str | None = None,
                 use_cache: bool = True) -> QuerySource:
    """The catalog + ontology (+ inferred triples of ``reason``) loaded into ``engine``.

    Reuses the cached build when data/, ontology/ and shapes/ are unchanged (see kg.cache).
    """
    from .cache import entry_for

    project.require("data")
    entry = entry_for([project.data, project.ontology, project.shapes], project.base) if use_cache else None
    graph = None
    if entry is not None and entry.complete():
        ntriples, meta = entry.graph_file.read_bytes(), entry.meta()
    else:
        compiled = compile_catalog(project, shapes=False)
        graph = query_graph(compiled, project)
        ntriples = graph.serialize(format="nt", encoding="utf-8")
        meta = {"errors": len(compiled.report.errors), "summary": compiled.report.summary(),
                "triples": len(graph)}
        if entry is not None:
            entry.store(ntriples, meta)
    inferred = b""
    if reason:
        cached = entry.inferred_file(reason) if entry is not None else None
        if cached is not None and cached.is_file():
            inferred = cached.read_bytes()
        else:
            from .reason import infer

            if graph is None:
                graph = _parse_ntriples(ntriples, project.base)
            inferred = infer(graph, reason).graph.serialize(format="nt", encoding="utf-8")
            if cached is not None:
                from .fsutil import write_atomic

                write_atomic(cached, inferred)
    if engine == "oxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        for chunk in (ntriples, inferred):
            if chunk.strip():
                store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
        target = store
    else:
        if graph is None:
            graph = _parse_ntriples(ntriples, project.base)
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

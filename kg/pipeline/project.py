"""The pipeline over a project's folders (``Project``, kg.pipeline.location): load, check, build, validate, describe."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from kg.errors import ProjectError
from kg.pipeline.location import Project  # noqa: F401 - its home before; still imported from here
from kg.registry import ENGINES
from kg.catalog.loader import Catalog, load_catalog
from kg.catalog.checks import check_catalog
from kg.pipeline.source_checks import checked_beside, source_checks
from kg.catalog.diagnostics import Report
from kg.rdf.mapping import Origins, build_graph, catalog_lines, scheme_lines
from kg.util.gcpause import freeze_survivors, paused_gc
from kg.util.memory import give_back_freed_memory
from kg.util.progress import Progress, quiet
from kg.rdf.ntriples import graph_lines, merge, to_bytes
from kg.catalog.schema import KINDS
from kg.rdf.terms import load_store

if TYPE_CHECKING:  # rdflib, and what is made of it, is imported where a path needs it
    from rdflib import Graph

    from kg.pipeline.store_feed import StoreFeed
    from kg.rdf.provenance import SourcedQuads


@dataclass
class Compiled:
    """The result of reading a catalog: entries, graph and every diagnostic found.

    The graph lives where the engine put it: an rdflib ``Graph`` (``graph``), or sorted
    N-Triples lines that are loaded into a pyoxigraph ``Store`` (``store``) the first time
    something needs to query them (export, push and stats never do).
    """

    catalog: Catalog
    report: Report
    origins: Origins
    engine: str = "rdflib"
    graph: Graph | None = None
    _store: object | None = None
    _lines: list[str] | None = None
    #: The entries' provenance quads, gathered with the lines (``compile_catalog(provenance=True)``).
    _sourced: SourcedQuads | None = None
    #: What ``compile_catalog(alongside=…)`` returned.
    alongside_value: object = None
    #: The store being loaded while the lines were made (kg.pipeline.store_feed), until ``store`` takes it.
    _feed: object | None = None

    @property
    def ok(self) -> bool:
        return not self.report.errors

    @property
    def triples(self) -> int:
        return len(self.graph) if self.graph is not None else len(self.lines())

    def lines(self) -> list[str]:
        """The catalog triples as sorted canonical N-Triples lines."""
        if self._lines is None:
            self._lines = graph_lines(self.graph)
        return self._lines

    @property
    def store(self):
        """The catalog in a pyoxigraph store: the one fed while the lines were made
        (``compile_catalog``, with shapes on oxigraph), else loaded from the lines on first use."""
        if self._store is None:
            feed, self._feed = self._feed, None
            self._store = feed.store() if feed is not None else load_store(self.lines(), trusted=True)
        return self._store

    def release_store(self) -> None:
        """Free the store once nothing will query it (a build after validation: ~0.5 GB at 1M),
        and give its memory back to the system."""
        if self._feed is not None:
            self._feed.abandon()
            self._feed = None
        if self._store is not None:
            self._store = None
            give_back_freed_memory()

    def rdflib_graph(self) -> Graph:
        """The catalog as an rdflib graph (parsed from the lines on the oxigraph engine)."""
        if self.graph is None:
            from rdflib import Graph

            from kg.rdf.vocab import bind_prefixes

            graph = Graph()
            bind_prefixes(graph, self.origins.base)
            if self.lines():
                graph.parse(data=to_bytes(self.lines()), format="nt")
            return graph
        return self.graph


def compile_catalog(project: Project, *, shapes: bool = True, today: datetime.date | None = None,
                    engine: str = "rdflib", progress: Progress = quiet,
                    before_shapes: Callable[[Compiled], None] | None = None, provenance: bool = False,
                    freeze: bool = False, alongside: Callable[[Catalog], object] | None = None) -> Compiled:
    """Load and check every entry, build the graph and (unless told not to) run the shapes.

    ``engine`` rdflib builds an rdflib graph and validates it with pySHACL; oxigraph writes
    the triples straight into a pyoxigraph store and runs the same shapes compiled to SPARQL.
    ``before_shapes(compiled)`` is called once the graph is built, before the shapes run
    (kg build starts writing its exports there, to throw away if the shapes find errors).
    ``provenance``: on oxigraph, gather the provenance dataset's quads while making the lines
    (for a caller that will ask for ``provenance_dataset_lines``: the entries are mapped once).
    ``freeze``: the caller keeps the catalog until it exits, so the entries and lines are hidden
    from the cyclic collector once made (kg.util.gcpause.freeze_survivors).
    ``alongside(catalog)``: more work on the catalog as read, done while the lines are made, in the
    cross-entry checks' child when they have one (kg.pipeline.source_checks; kg build takes the
    query cache's fingerprint there), else here once they are made; its value is
    ``compiled.alongside_value``. It is not done (the value is None) once reading or the checks
    found an error: the caller has no use for it then, and what it raised would hide them.

    The collector is paused from the first entry read to the last line made, in one block:
    each time it ran again between the steps, its first pass went over every object made so
    far (at a million triples, the build's in-process time went from 47.6 s to 43.9 s with the
    collector off throughout, benchmarks/build_phases.py, one run each).
    """
    if engine not in ENGINES:
        raise ProjectError(f"unknown engine '{engine}': use one of {', '.join(ENGINES)}")
    project.require("data")
    report = Report()
    with paused_gc() as pause:
        catalog = load_catalog(project.data, report, progress)
        progress("checking references, cycles and dates", 0, 0)
        beside = checked_beside(catalog)  # in the source checks' child, while the lines are made
        if not beside:
            check_catalog(catalog, report, today)
        with source_checks(catalog, project.source_text(),
                           catalog_checks=(lambda found: check_catalog(catalog, found, today)) if beside
                           else None,
                           also=(lambda found: None if report.errors or found.errors else alongside(catalog))
                           if beside and alongside is not None else None) as add_source_diagnostics:
            progress(f"building the graph ({engine})", 0, 0)
            if engine == "rdflib":
                built = build_graph(catalog, project.base)
                compiled = Compiled(catalog, report, built.origins, engine, graph=built.graph)
            else:
                sourced = None
                if provenance:
                    from kg.rdf.provenance import SourcedQuads

                    sourced = SourcedQuads(project.base)
                feed = None
                if shapes:  # the shapes' store fills while the lines are made (once the checks' child is done)
                    from kg.pipeline.store_feed import StoreFeed

                    feed = StoreFeed(ready=add_source_diagnostics.finished if beside else lambda: True)
                try:
                    lines = catalog_lines(catalog, project.base, _each_entry(sourced, feed))
                    if feed is not None:
                        feed.add(scheme_lines(catalog, project.base))
                except BaseException:
                    if feed is not None:
                        feed.abandon()
                    raise
                compiled = Compiled(catalog, report, Origins.of(catalog, project.base), engine, _lines=lines,
                                    _sourced=sourced, _feed=feed)
            try:
                _finish(compiled, project, pause, add_source_diagnostics, beside=beside, alongside=alongside,
                        freeze=freeze, before_shapes=before_shapes, shapes=shapes, progress=progress)
            except BaseException:  # the store being fed (a thread) and its memory go with the failure
                compiled.release_store()
                raise
    return compiled


def _finish(compiled: Compiled, project: Project, pause, add_source_diagnostics, *, beside: bool, alongside,
            freeze: bool, before_shapes, shapes: bool, progress: Progress) -> None:
    """``compile_catalog`` once the graph is built: the checks' diagnostics, ``alongside``'s value,
    ``before_shapes`` and the shapes."""
    report, catalog = compiled.report, compiled.catalog
    if beside:
        add_source_diagnostics(report)  # the checks' errors decide whether kg build's exports begin
    if alongside is not None:
        if beside:
            compiled.alongside_value = add_source_diagnostics.also()
        elif not report.errors:
            compiled.alongside_value = alongside(catalog)
    if freeze:
        freeze_survivors()
    with pause.lifted():
        if before_shapes is not None:
            before_shapes(compiled)
        if shapes:
            progress(f"validating with the SHACL shapes ({'pySHACL' if compiled.engine == 'rdflib' else 'SPARQL'})",
                     0, 0)
            _validate(compiled, project, before_results=lambda: add_source_diagnostics(report))
        else:
            add_source_diagnostics(report)


def _each_entry(sourced: SourcedQuads | None, feed: StoreFeed | None):
    """What ``catalog_lines`` gives each entry's statement lines to: the provenance quads, the store."""
    if feed is None:
        return sourced.add if sourced is not None else None

    def each(entry, statements) -> None:
        if sourced is not None:
            sourced.add(entry, statements)
        feed.add([text for text, _path in statements])

    return each


def _validate(compiled: Compiled, project: Project, before_results: Callable[[], None] = lambda: None) -> None:
    """Run the shapes; ``before_results()`` is called once they have run, before their results are
    reported (the source checks' diagnostics join the report there)."""
    from kg.pipeline.shapes_cache import compiled_shapes, shapes_graph
    from kg.validation.results import report_results

    project.require("shapes")
    if compiled.engine == "oxigraph":  # the compiled shapes, kept: no rdflib unless a shape reports
        from kg.validation.shacl_sparql import run_compiled

        shapes = compiled_shapes(project.shapes)  # (compiled, on an empty cache) while the store loads
        results = run_compiled(compiled.store, shapes)
    else:
        from kg.validation.shacl import ShapesError, check_graph

        try:
            results = check_graph(compiled.graph, shapes_graph(project.shapes))
        except ShapesError as exc:
            raise ProjectError(str(exc)) from None
    before_results()
    report_results(results, compiled.origins, compiled.report)


def description_lines(compiled: Compiled, base: str) -> list[str]:
    """The VoID/DCAT description of the compiled catalog, as sorted N-Triples lines."""
    from kg.rdf.dataset import describe_dataset

    counts = {kind: 0 for kind in KINDS}
    for entry in compiled.catalog.entries:
        counts[entry.kind] += 1
    return graph_lines(describe_dataset(compiled.triples, counts, base))


def export_lines(compiled: Compiled, base: str) -> list[str]:
    """What is published: the catalog plus its dataset description, as sorted N-Triples lines."""
    return merge(compiled.lines(), description_lines(compiled, base))


def provenance_dataset_lines(compiled: Compiled, base: str, exported: list[str] | None = None) -> list[str]:
    """The provenance dataset (one named graph per source) as sorted N-Quads lines.

    The quads gathered while compiling (``compile_catalog(provenance=True)``) are used up: a
    second call maps the entries again (the same lines, more slowly).
    """
    from kg.rdf.provenance import provenance_lines

    sourced, compiled._sourced = compiled._sourced, None
    return provenance_lines(compiled.catalog, base, exported if exported is not None else
                            export_lines(compiled, base), sourced)


def ontology_lines(project: Project) -> list[str]:
    from kg.validation.shacl import load_turtle_dir

    if not project.ontology.is_dir():
        return []
    try:
        return graph_lines(load_turtle_dir(project.ontology))
    except Exception as exc:  # a broken ontology file is the maintainer's to fix
        raise ProjectError(f"cannot read the ontology in {project.ontology}: {exc}") from None

"""Building the catalog: validate, then write the export set, the ontology and the query cache."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.catalog.diagnostics import Report
from kg.pipeline.exports import BACKGROUND_EXPORT_TRIPLES, Exports
from kg.pipeline.project import Compiled, Project, compile_catalog, export_lines, provenance_dataset_lines
from kg.util.progress import Progress, quiet


class InvalidCatalog(KgError):
    """The catalog has errors, so nothing was written; ``report`` lists them."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Inference:
    """What ``build(reason=…)`` inferred and where it went."""

    profile: str
    added: int
    dropped: int
    seconds: float


@dataclass
class BuildResult:
    """A finished build: the compiled catalog, the files written and how long each export took."""

    compiled: Compiled
    written: list[Path]
    triples: int
    timings: dict[str, float] = field(default_factory=dict)
    inference: Inference | None = None
    #: Why the query cache could not be filled (a read-only or full cache); the exports are whole.
    cache_problem: str | None = None

    @property
    def report(self) -> Report:
        return self.compiled.report


def build(project: Project, out_dir: Path, *, engine: str = "rdflib", reason: str | None = None,
          cache: bool = True, progress: Progress = quiet,
          exports_in_background_from: int = BACKGROUND_EXPORT_TRIPLES) -> BuildResult:
    """Validate the catalog and write catalog.ttl/.jsonld/.nt, provenance.nq/.trig and ontology.ttl
    to ``out_dir``.

    The exports are begun while the shapes run (the JSON-LD, Turtle and N-Triples of a catalog of
    at least ``exports_in_background_from`` triples on a background thread), staged beside ``out_dir`` and swapped
    in as one set once everything is written (files of ``out_dir`` that are not exports stay);
    on an error nothing is written and ``InvalidCatalog`` is raised.
    Unless ``cache`` is false, the graph also goes to the query cache. With ``reason``
    (rdfs or owlrl) the inferred triples go to inferred-PROFILE.ttl and .nt, apart.
    """
    exports: Exports | None = None
    primer = None

    def cache_entry(catalog):
        from kg.pipeline.queryable import QueryCachePrimer

        return QueryCachePrimer.cache_entry(catalog, project)

    def start_exports(compiled: Compiled) -> None:
        nonlocal exports, primer
        if not compiled.report.errors:
            if cache:  # the query cache: its entry, and on oxigraph an on-disk store of the graph
                from kg.pipeline.queryable import QueryCachePrimer

                # its fingerprint was taken alongside the lines (cache_entry); its on-disk
                # store is loaded once the shapes passed (start_store)
                primer = QueryCachePrimer.begin(compiled, project, compiled.alongside_value)
            exported = export_lines(compiled, project.base)
            exports = Exports(exported, project.base, out_dir, dataset=True,
                              background_from=exports_in_background_from).start()

    try:
        # freeze: the catalog lives until the build ends, so no collector passes over it
        # the cache's fingerprint is taken while the lines are made (in the checks' child on a large catalog)
        compiled = compile_catalog(project, engine=engine, progress=progress, before_shapes=start_exports,
                                   provenance=True, freeze=True, alongside=cache_entry if cache else None)
        if compiled.report.errors:
            raise InvalidCatalog(f"{compiled.report.summary()}: nothing written. Fix the errors (kg "
                                 "validate lists them) and build again", compiled.report)
        compiled.release_store()  # validated; the exports are written from the lines
        if primer is not None:
            primer.start_store()  # loads while the exports are written
        # made once the shapes' store is gone: its million quads are not held while they run
        exports.dataset_lines = provenance_dataset_lines(compiled, project.base, exports.lines)
        if primer is not None:
            primer.give_quads(exports.dataset_lines)  # for the cache's N-Quads file
        # the cache's N-Quads file is a copy of the staged provenance.nq (written before ``meanwhile``)
        exports.finish(progress, meanwhile=(lambda: primer.finish(exports.staged("nquads")))
                       if primer is not None else None)
        ontology_file = project.ontology / "kg.ttl"
        if ontology_file.is_file():
            exports.add("ontology.ttl", ontology_file.read_bytes())
        inference = _add_inference(compiled, project, exports, reason) if reason else None
        written = exports.commit()
    except BaseException:
        if primer is not None:
            primer.abandon()
        if exports is not None:
            exports.discard()
        raise
    return BuildResult(compiled, written, len(exports.lines), dict(exports.timings), inference,
                       primer.problem if primer is not None else None)


def _add_inference(compiled: Compiled, project: Project, exports: Exports, profile: str) -> Inference:
    from kg.pipeline.queryable import query_graph
    from kg.pipeline.reason import infer
    from kg.rdf.formats import FORMATS, serialize

    inference = infer(query_graph(compiled, project), profile)  # owlrl needs an rdflib graph
    for fmt in (FORMATS["turtle"], FORMATS["nt"]):
        exports.add(f"inferred-{profile}{fmt.extensions[0]}", serialize(inference.graph, fmt, project.base))
    return Inference(profile, inference.added, inference.dropped, inference.seconds)

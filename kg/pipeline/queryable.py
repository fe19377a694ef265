"""What queries run on: the catalog and ontology in rdflib or pyoxigraph, from the cache when it holds them.

A warm query on the oxigraph engine loads the cached graph (into memory when small, else by
opening its on-disk store) and never imports rdflib nor the catalog loader: the imports of
the other paths are made where they are needed.
"""
from __future__ import annotations

import threading
from collections import namedtuple
from pathlib import Path

from kg.errors import ProjectError
from kg.pipeline.preload import MEMORY_LOAD_BYTES
from kg.rdf.ntriples import graph_lines, merge, to_bytes
from kg.rdf.terms import load_store
from kg.util.progress import Progress, quiet

TYPE_CHECKING = False  # typing's flag, without importing typing (see kg.cli.short_path)
if TYPE_CHECKING:
    from rdflib import Graph

    from kg.catalog.loader import Catalog
    from kg.pipeline.cache import CacheEntry
    from kg.pipeline.project import Compiled, Project


def query_graph(compiled: Compiled, project: Project) -> Graph:
    """The graph queries run on (rdflib): the catalog plus the ontology.

    On the rdflib engine the ontology is added to ``compiled.graph`` itself, which is returned.
    """
    from kg.validation.shacl import load_turtle_dir

    graph = compiled.rdflib_graph()
    if project.ontology.is_dir():
        try:
            graph += load_turtle_dir(project.ontology)
        except Exception as exc:  # a broken ontology file is the maintainer's to fix
            raise ProjectError(f"cannot read the ontology in {project.ontology}: {exc}") from None
    return graph


class QueryCachePrimer:
    """The query cache a build fills with its query graph (catalog + ontology) and provenance quads.

    Begun before the shapes run (``begin``): the cache entry is known then. Once they passed,
    ``start_store`` has a background thread load the query graph into an on-disk Oxigraph store
    (on the oxigraph engine), which later queries open instead of loading a million lines; it
    loads while this thread writes the exports (pyoxigraph releases the GIL while it loads),
    where one core was idle, not while the shapes, their store and the JSON-LD writer already
    keep both cores busy. ``give_quads`` hands the quads over for the cache's N-Quads file.
    They do not go into that store: the first query that may read named graphs makes a store
    with them (``CacheEntry.dataset_store_dir``), so a build does
    not spend on them most of its store's work: at a million triples, the store of the triples
    and the million quads took 20.7 CPU-seconds and 461 MB on disk, the triples' alone 7.7 and
    133 MB (loaded and compacted as the build does, one run each).
    The store's thread also writes the query graph's N-Triples file, from the very bytes each chunk
    is loaded from: the lines are encoded once for both (at a million triples that was 0.84 s of
    this thread's time once the exports were written, encoding them a second time).
    ``finish`` writes the N-Quads file while the store's thread still works, waits for it, then
    writes the N-Triples file (when no store was made) and the meta; ``abandon`` (a failed or
    interrupted build) makes the thread stop after the chunk it is loading and drop its scratch
    store, and removes an N-Quads file written ahead of an entry left incomplete.
    """

    def __init__(self, compiled: Compiled, project: Project, entry: CacheEntry | None = None) -> None:
        from kg.pipeline.project import ontology_lines

        self.compiled = compiled
        self._ontology = ontology_lines(project)
        self._lines: list[str] | None = None
        self.entry = entry if entry is not None else self.cache_entry(compiled.catalog, project)
        self.quads: list[str] | None = None
        #: Why the cache could not be filled (a read-only or full cache), once ``finish`` found it.
        self.problem: str | None = None
        self._abandoned = threading.Event()
        self._loader = None
        #: The store's thread wrote the query graph's N-Triples file (``_write_store``).
        self._graph_written = False
        #: ``finish`` wrote the N-Quads file before the store's thread was done.
        self._provenance_ahead = False

    @classmethod
    def begin(cls, compiled: Compiled, project: Project, entry: CacheEntry | None = None) -> "QueryCachePrimer":
        """``entry``: the build's cache entry, when already found (``cache_entry``)."""
        return cls(compiled, project, entry)

    @staticmethod
    def cache_entry(catalog: Catalog, project: Project) -> CacheEntry:
        """The cache entry of ``project`` as just read into ``catalog``: its fingerprint, from the
        entries' digests (the files are not read again). kg build takes it in the checks' child
        while the lines are made (``compile_catalog(alongside=…)``): 0.5 s at a million triples."""
        from kg.pipeline.cache import entry_for

        read = {str(e.doc.path): e.doc.digest for e in catalog.entries if e.doc.digest}
        return entry_for([project.data, project.ontology, project.shapes], project.base, read,
                         catalog.read_at_ns)

    @property
    def lines(self) -> list[str]:
        """The query graph's lines (catalog + ontology), merged when first needed: once the shapes
        ran, not beside their store (a million references are 8 MB)."""
        if self._lines is None:
            self._lines = merge(self.compiled.lines(), self._ontology)
        return self._lines

    def start_store(self) -> None:
        """Begin loading the on-disk store on a background thread (oxigraph engine; once)."""
        if (self.compiled.engine == "oxigraph" and self._loader is None and not self._abandoned.is_set()
                and self.entry.store_for() is None):  # none, not even the dataset's (a query made it)
            from kg.util.threads import Worker

            self._loader = Worker(self._write_store, name="kg-cache-store")
            self._loader.start()

    def _write_store(self) -> None:
        """On the store's thread: the on-disk store, and the query graph's N-Triples file with it
        (each chunk of lines encoded once, for both; ``finish`` then writes the rest of the entry).
        A store that could not be made leaves the file to ``finish`` too."""
        from kg.util.fsutil import PendingFile

        lease = self.entry.hold(create=True)  # eviction leaves the entry alone while it is written
        try:
            try:
                graph = PendingFile(self.entry.graph_file)
            except OSError:  # a read-only or full cache: finish says so
                graph = None
            try:
                stored = self.entry.write_store(self.lines, None, self._abandoned,
                                                copy_lines_to=graph.handle if graph is not None else None)
                if graph is not None and stored:  # every line in (else finish writes the file)
                    graph.commit()
                    self._graph_written = True
            finally:
                if graph is not None and not self._graph_written:
                    graph.discard()
        except OSError:  # the file could not be committed: finish writes it, or says why it cannot
            pass
        finally:
            if lease is not None:
                lease.release()

    def give_quads(self, quads: list[str]) -> None:
        self.quads = quads

    def finish(self, quads_file: Path | None = None) -> None:
        """Write the N-Quads file (while the store's thread still works), wait for the store, then
        write the meta file (and the N-Triples file, unless the store's thread wrote it); the
        shapes have run.
        ``quads_file``: the quads' N-Quads already written (kg build's staged provenance.nq), to copy."""
        if self.quads is None:
            raise RuntimeError("QueryCachePrimer.finish before give_quads")
        report = self.compiled.report
        if self._loader is not None:  # the N-Quads file copied while the store thread still works
            try:
                self.entry.store_provenance(self.quads, quads_file)
                self._provenance_ahead = True
            except OSError:  # written again below, where a failure is said
                pass
        self._join()  # the store, and the N-Triples file it wrote beside it, before the meta marks the entry whole
        meta = {"errors": len(report.errors), "summary": report.summary(), "triples": len(self.lines),
                "quads": len(self.quads)}
        try:
            self.entry.store_lines(self.lines, meta, self.quads, quads_file, graph_written=self._graph_written,
                                   provenance_written=self._provenance_ahead)
        except OSError as exc:  # a full or read-only cache must not stop a build: it costs the next query speed
            self.problem = _described(exc)
        if self.problem is None and self.entry.store_problem is not None:
            self.problem = f"its on-disk store: {_described(self.entry.store_problem)}"

    def abandon(self) -> None:
        """Stop filling the cache (the build failed): the store thread drops its scratch store, and
        an N-Quads file ``finish`` wrote ahead goes if the entry was left without its meta."""
        self.quads = None
        self._abandoned.set()
        self._join(interrupts=False)  # the build is on its way out with its own exception
        if self._provenance_ahead and not self.entry.meta_file.exists():
            try:
                self.entry.provenance_file.unlink(missing_ok=True)  # (a million quads: 172 MB)
            except OSError:  # a read-only cache: eviction takes the incomplete entry in time
                pass

    def _join(self, interrupts: bool = True) -> None:
        """Wait for the store's thread, even through Ctrl-C, which tells it to give up (it then
        removes its scratch store; kg.util.threads says why a plain join is not enough)."""
        from kg.util.threads import wait_for

        if self._loader is not None:
            wait_for([self._loader], interrupts=interrupts, on_interrupt=self._abandoned.set)
            self._loader = None


def _described(error: OSError) -> str:
    return f"{error.strerror or error}" + (f" ({error.filename})" if error.filename else "")


class QuerySource(namedtuple("QuerySource", "target triples errors summary inferred lease", defaults=(0, None))):
    """What queries run on (``target``: an rdflib Graph or a pyoxigraph Store), and the catalog's
    state; ``lease``: the cache entry's lock, held while the source is in use. (Named tuples and
    plain classes here, not dataclasses: dataclasses is kept off a warm query's path (kg.cli.short_path).)"""

    __slots__ = ()


def query_source(project: Project, *, engine: str = "rdflib", reason: str | None = None,
                 use_cache: bool = True, progress: Progress = quiet, named_graphs: bool = True) -> QuerySource:
    """The catalog + ontology (+ inferred triples of ``reason``) loaded into ``engine`` as the default
    graph, with the provenance dataset (one named graph per source) beside it unless
    ``named_graphs`` is false (a query without GRAPH cannot see them: no need to load them).

    Reuses the cached build when data/, ontology/ and shapes/ are unchanged (see kg.pipeline.cache).
    """
    from kg.pipeline.cache import entry_for

    project.require("data")
    entry = entry_for([project.data, project.ontology, project.shapes], project.base) if use_cache else None
    loaded = lease = None
    if entry is not None and entry.complete() and (lease := entry.hold()) is not None:
        try:
            loaded = _from_cache(entry, engine, reason, named_graphs)
            inferred = _inferred(loaded, entry, reason, project.base) if reason else b""
            target = _queryable(loaded, engine, named_graphs, inferred, project.base)
        except MemoryError:
            raise
        except Exception:  # a file removed or damaged (any parser's error, rdflib's too): rebuilt, and rewritten
            loaded = None
    if loaded is None:
        loaded = _from_catalog(project, engine, progress)
        if entry is not None:
            try:
                entry.store_lines(loaded.lines, loaded.meta, loaded.quads)
            except OSError:  # a full or read-only cache costs only speed
                pass
        inferred = _inferred(loaded, entry, reason, project.base) if reason else b""
        target = _queryable(loaded, engine, named_graphs, inferred, project.base)
    meta = loaded.meta
    return QuerySource(target, meta["triples"], meta["errors"], meta["summary"], inferred=inferred.count(b"\n"),
                       lease=lease)


def _queryable(loaded: _Loaded, engine: str, named_graphs: bool, inferred: bytes, base: str):
    """What the queries run on: ``loaded`` in ``engine``, with the inferred triples in its default graph
    and the provenance dataset's named graphs when ``named_graphs``."""
    if engine == "oxigraph":
        if loaded.store is not None:
            store = loaded.store
            if loaded.nquads_file is not None and named_graphs:  # a preloaded store: the graph alone
                load_store(loaded.quads_bytes(), store, quads=True)
        else:
            store = load_store(loaded.ntriples)
            if named_graphs:
                load_store(loaded.quads_bytes(), store, quads=True)
        return load_store(inferred, store) if inferred.strip() else store
    graph = loaded.rdflib_graph(base)
    if inferred.strip():
        graph.parse(data=inferred, format="nt")
    return _dataset(graph, loaded.quads_bytes()) if named_graphs else graph


class _Loaded:
    """The query graph as it was found: compiled here (a graph or a store, with its lines), or in
    the cache (its on-disk store, or its N-Triples bytes); ``meta`` is the catalog's state;
    ``nquads_file``: the provenance dataset, read when a query needs it."""

    def __init__(self, meta: dict, *, graph: Graph | None = None, store: object | None = None,
                 lines: list[str] | None = None, quads: list[str] | None = None) -> None:
        self.meta, self.graph, self.store, self.lines, self.quads = meta, graph, store, lines, quads
        self.ntriples: bytes | None = None
        self.nquads: bytes | None = None
        self.nquads_file: Path | None = None

    def as_bytes(self) -> bytes:
        return self.ntriples if self.ntriples is not None else to_bytes(self.lines)

    def quads_bytes(self) -> bytes:
        if self.nquads is None and self.nquads_file is not None:
            self.nquads = self.nquads_file.read_bytes()
            if self.nquads.count(b"\n") != self.meta["quads"]:
                raise ValueError("a cache file was cut short")
        return self.nquads if self.nquads is not None else to_bytes(self.quads or [])

    def rdflib_graph(self, base: str) -> Graph:
        """The graph as rdflib's, parsed once (reasoning reads it, then the rdflib engine queries it)."""
        if self.graph is None:
            self.graph = _parse_ntriples(self.as_bytes(), base)
        return self.graph


def _from_cache(entry, engine: str, reason: str | None, named_graphs: bool = True) -> _Loaded:
    """The cached graph; ValueError when the entry is damaged (its files disagree with its meta).

    A graph too large to load in memory is opened as an on-disk store: the query graph's own,
    or, for a query that may read named graphs, the one that also holds the provenance dataset;
    a store that is not there yet is made first, once (kg build makes only the first).
    """
    loaded = _Loaded(entry.meta())
    for key in ("triples", "quads", "errors", "summary"):
        if key not in loaded.meta:
            raise ValueError(f"cache entry meta lacks {key}")
    if engine == "oxigraph" and not reason:
        try:
            small = entry.graph_file.stat().st_size <= MEMORY_LOAD_BYTES
        except FileNotFoundError:  # only the store is left
            small = False
        if not small:
            if entry.store_for(named_graphs) is None:  # built by a query, or on rdflib: made once
                entry.write_store(entry.graph_file.read_bytes(),
                                  entry.provenance_file.read_bytes() if named_graphs else None)
            from kg.pipeline.speculate import take

            # read-only: nothing is added to it; the query perhaps answered meanwhile, in a child
            loaded.store = take(entry.folder, lambda: entry.open_store(named_graphs))
        else:
            from kg.pipeline.preload import take

            store = take(entry.folder)
            if store is not None and len(store) == loaded.meta["triples"]:
                loaded.store, loaded.nquads_file = store, entry.provenance_file
    if loaded.store is None:
        loaded.ntriples = entry.graph_file.read_bytes()
        if loaded.ntriples.count(b"\n") != loaded.meta["triples"]:
            raise ValueError("a cache file was cut short")  # a truncated file would answer wrongly
        loaded.nquads_file = entry.provenance_file
        if named_graphs:  # read (and checked) here, where a damaged file still means a rebuild
            loaded.quads_bytes()
    return loaded


def _from_catalog(project: Project, engine: str, progress: Progress) -> _Loaded:
    from kg.pipeline.project import compile_catalog, ontology_lines, provenance_dataset_lines

    compiled = compile_catalog(project, shapes=False, engine=engine, progress=progress)
    meta = {"errors": len(compiled.report.errors), "summary": compiled.report.summary()}
    quads = provenance_dataset_lines(compiled, project.base)
    if engine == "rdflib":
        graph = query_graph(compiled, project)
        loaded = _Loaded(meta, graph=graph, lines=graph_lines(graph), quads=quads)
    else:
        extra = ontology_lines(project)
        store = load_store(quads, load_store(to_bytes(extra), compiled.store), quads=True)
        loaded = _Loaded(meta, store=store, lines=merge(compiled.lines(), extra), quads=quads)
    meta["triples"], meta["quads"] = len(loaded.lines), len(quads)
    return loaded


def _inferred(loaded: _Loaded, entry, reason: str, base: str) -> bytes:
    """The triples ``reason`` infers, as N-Triples bytes: from the cache, or inferred and cached."""
    cached = entry.inferred_file(reason) if entry is not None else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    from kg.pipeline.reason import infer

    inferred = to_bytes(graph_lines(infer(loaded.rdflib_graph(base), reason).graph))
    if entry is not None:
        try:
            entry.store_inferred(reason, inferred)
        except OSError:  # a full or read-only cache costs only speed, as for the graph itself
            pass
    return inferred


def _parse_ntriples(data: bytes, base: str) -> Graph:
    """An rdflib graph of N-Triples ``data``, into rdflib's store without contexts (SimpleMemory:
    half the time of the default store's indexes; queries see the same graph). Lines as kg
    writes them are read by ``kg.rdf.terms.rdflib_triples``; any other N-Triples (a cache file
    written otherwise) by pyoxigraph's parser, each distinct term converted once."""
    from kg.rdf.terms import rdflib_triples

    graph = _empty_graph(base)
    add = graph.store.add
    try:
        for triple in rdflib_triples(data):
            add(triple, graph)
        return graph
    except (ValueError, IndexError):  # not kg's own lines: read by a full parser, into a new graph
        return _parse_any_ntriples(data, base)


def _parse_any_ntriples(data: bytes, base: str) -> Graph:
    """``_parse_ntriples`` for any N-Triples: pyoxigraph's parser (twice as fast as rdflib's),
    each distinct term converted once; SyntaxError for what is not N-Triples."""
    import pyoxigraph as ox

    from kg.rdf.terms import from_oxigraph

    graph = _empty_graph(base)
    converted: dict = {}

    def term(node):
        value = converted.get(node)
        if value is None:
            value = converted[node] = from_oxigraph(node)
        return value

    add = graph.store.add
    for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        add((term(quad.subject), term(quad.predicate), term(quad.object)), graph)
    return graph


def _empty_graph(base: str) -> Graph:
    """An rdflib graph without contexts (SimpleMemory), kg's prefixes bound."""
    from rdflib import Graph

    from kg.rdf.vocab import bind_prefixes

    graph = Graph(store="SimpleMemory")
    bind_prefixes(graph, base)
    return graph


def _dataset(graph: Graph, nquads: bytes):
    """An rdflib Dataset whose default graph is ``graph`` and whose named graphs are ``nquads``."""
    from rdflib import Dataset

    dataset = Dataset()
    dataset.namespace_manager = graph.namespace_manager
    dataset.default_graph.addN((s, p, o, dataset.default_graph) for s, p, o in graph)
    if nquads.strip():  # parsed apart: rdflib's Dataset.parse would hide the default graph from SPARQL
        import warnings

        named = Dataset()
        with warnings.catch_warnings():  # rdflib's own N-Quads parser uses its deprecated default_context
            warnings.simplefilter("ignore", DeprecationWarning)
            named.parse(data=nquads, format="nquads")
        dataset.addN((s, p, o, dataset.graph(g)) for s, p, o, g in named.quads((None, None, None, None))
                     if g is not None)
    return dataset


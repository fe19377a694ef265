"""The public Python API: open a project, load, validate, build, export and query its catalog.

Every function takes the project (a ``Project``, a folder inside a project, or None for the
working directory) and keyword-only options, and raises a ``KgError`` for anything the
user can fix. The CLI is a thin layer over these functions.

>>> import kg
>>> project = kg.Project.locate(start="tests/fixtures")
>>> project.data.name
'data'
"""
from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from kg.errors import KgUsageError
from kg.pipeline.location import Project
from kg.registry import DEFAULT_ENDPOINT, OTHER_EXPORTS
from kg.util.progress import Progress, quiet

TYPE_CHECKING = False  # typing's flag, without importing typing (see kg.cli.short_path)
if TYPE_CHECKING:  # imported where used: a warm query needs none of them
    from typing import BinaryIO, Mapping

    from kg.catalog.diagnostics import Report
    from kg.pipeline.build import BuildResult
    from kg.pipeline.project import Compiled
    from kg.sparql.results import QueryResult

ProjectLike = Project | str | Path | None


def open_project(where: ProjectLike = None, **folders) -> Project:
    """The project at ``where`` (a folder inside it; default: the working directory).

    ``folders`` (data, ontology, shapes, queries, base) override the project's own.

    >>> open_project("tests/fixtures", data="tests/fixtures/catalog").data.name
    'catalog'
    """
    if isinstance(where, Project):
        return where
    return Project.locate(start=Path(where) if where is not None else None, **folders)


def load(project: ProjectLike = None, *, shapes: bool = False, engine: str = "rdflib",
         progress: Progress = quiet) -> Compiled:
    """Read and check every entry and build the graph; run the SHACL shapes too if ``shapes``.

    The result holds the entries (``.catalog``), the diagnostics (``.report``) and the graph.

    >>> compiled = load(open_project("tests/fixtures", data="tests/fixtures/catalog"))
    >>> len(compiled.catalog) > 0, compiled.report.errors
    (True, [])
    """
    from kg.pipeline.project import compile_catalog

    # freeze: the catalog lives as long as the caller keeps it, so no collector passes over it
    return compile_catalog(open_project(project), shapes=shapes, engine=engine, progress=progress, freeze=True)


def validate(project: ProjectLike = None, *, engine: str = "rdflib", since: str | None = None,
             progress: Progress = quiet) -> Report:
    """Every problem of the catalog (loader checks and SHACL shapes), each at its file and line.

    With ``since`` (a git revision, a release folder or an export file), also every entity IRI
    of that state that the catalog no longer has, without a ``replaced_by`` stub (KG130).

    >>> report = validate(open_project("tests/fixtures", data="tests/fixtures/catalog"))
    >>> report.summary()
    '0 errors, 0 warnings'
    """
    opened = open_project(project)
    compiled = load(opened, shapes=True, engine=engine, progress=progress)
    if since is not None:
        from kg.pipeline.diff import check_since

        check_since(since, opened, compiled, progress=progress)
    return compiled.report


def build(project: ProjectLike = None, *, out: str | Path = "dist", engine: str = "rdflib",
          reason: str | None = None, cache: bool = True, progress: Progress = quiet) -> BuildResult:
    """Validate, then write catalog.ttl, catalog.jsonld, catalog.nt and ontology.ttl to ``out``.

    Raises ``InvalidCatalog`` (with its ``report``) and writes nothing when there are errors.

    >>> import tempfile
    >>> fixture = open_project("tests/fixtures", data="tests/fixtures/catalog")
    >>> with tempfile.TemporaryDirectory() as out:
    ...     result = build(fixture, out=out, cache=False)
    >>> sorted(path.name for path in result.written)
    ['catalog.jsonld', 'catalog.nt', 'catalog.ttl', 'ontology.ttl', 'provenance.nq', 'provenance.trig']
    """
    from kg.pipeline.build import build as build_catalog

    return build_catalog(open_project(project), Path(out), engine=engine, reason=reason, cache=cache,
                  progress=progress)


def export(project: ProjectLike = None, *, format: str = "turtle", to: BinaryIO | None = None,
           validate: bool = True, engine: str = "rdflib", endpoint: str = DEFAULT_ENDPOINT,
           progress: Progress = quiet) -> bytes | None:
    """The catalog graph with its dataset description, serialized as ``format`` (turtle, json-ld, nt),
    or the provenance dataset, one named graph per source (nquads, trig), or the links out to arXiv,
    DOI, Wikidata and Hugging Face as an SSSOM TSV (sssom), or the saved queries as SPARQL examples
    (sparql-examples: Turtle, each query targeting ``endpoint``).

    Returned as bytes, or streamed into the binary file ``to`` (then None is returned).

    >>> data = export(open_project("tests/fixtures", data="tests/fixtures/catalog"), format="nt")
    >>> data.startswith(b"<")
    True
    """
    from kg.pipeline.build import InvalidCatalog
    from kg.pipeline.project import export_lines, provenance_dataset_lines
    from kg.rdf.formats import FORMATS, serialize_lines, write_lines

    if format not in FORMATS and format not in OTHER_EXPORTS:
        raise KgUsageError(f"unknown format '{format}': use one of {', '.join([*FORMATS, *OTHER_EXPORTS])}")
    opened = open_project(project)
    if format == "sparql-examples":
        data = sparql_examples(opened, endpoint=endpoint)
    else:
        compiled = load(opened, shapes=validate, engine=engine, progress=progress)
        if compiled.report.errors:
            raise InvalidCatalog(f"{compiled.report.summary()}: nothing exported (kg validate lists the "
                                 "problems)", compiled.report)
        if format == "sssom":
            from kg import __version__
            from kg.rdf.mappings import catalog_mappings, sssom_tsv

            data = sssom_tsv(catalog_mappings(compiled.catalog, opened.base), opened.base, __version__)
            if to is None:
                return data
            to.write(data)
            return None
        lines = export_lines(compiled, opened.base)
        if FORMATS[format].dataset:
            lines = provenance_dataset_lines(compiled, opened.base, lines)
        if to is None:  # the catalog's own lines (trusted: not checked again, kg.rdf.formats.write_lines)
            return serialize_lines(lines, FORMATS[format], opened.base, trusted=True)
        write_lines(lines, FORMATS[format], opened.base, to, trusted=True)
        return None
    if to is None:
        return data
    to.write(data)
    return None


def sparql_examples(project: ProjectLike = None, *, endpoint: str = DEFAULT_ENDPOINT) -> bytes:
    """The saved queries as SPARQL examples (sib-swiss/sparql-examples), Turtle, targeting ``endpoint``."""
    from kg.sparql.examples import example_lines, examples_turtle
    from kg.sparql.saved import list_saved_queries

    opened = open_project(project)
    opened.require("queries")
    return examples_turtle(example_lines(list_saved_queries(opened.queries), opened.base, endpoint))


class Answer(namedtuple("Answer", "result triples inferred catalog_errors catalog_summary",
                        defaults=(0, 0, 0, ""))):
    """A query's result (a QueryResult) and the state of the catalog it ran on: its triples,
    inferred triples, and errors (how many, and a summary)."""

    __slots__ = ()


def query(text_or_name: str, project: ProjectLike = None, *, params: Mapping[str, str] | None = None,
          engine: str = "rdflib", reason: str | None = None, cache: bool = True,
          endpoint: str | None = None, timeout: float = 60, progress: Progress = quiet) -> QueryResult:
    """Run a saved query (by name) or SPARQL text on the catalog, or on ``endpoint``.

    Parameters are bound as RDF terms (values: strings, or numbers and booleans, written as
    strings); SERVICE, LOAD and FROM are refused. ``engine`` is rdflib here, the reference (the
    CLI's default is oxigraph). ``timeout`` bounds an endpoint's exchange; a local query runs in
    this process, unbounded (``kg query`` runs it in a child bounded in time and memory).

    >>> rows = query("SELECT ?m WHERE { ?m a kg:Model }",
    ...              open_project("tests/fixtures", data="tests/fixtures/catalog"), cache=False)
    >>> len(rows.rows) > 0
    True
    """
    return answer(text_or_name, project, params=params, engine=engine, reason=reason, cache=cache,
                  endpoint=endpoint, timeout=timeout, progress=progress).result


def answer(text_or_name: str, project: ProjectLike = None, *, params: Mapping[str, str] | None = None,
           engine: str = "rdflib", reason: str | None = None, cache: bool = True,
           endpoint: str | None = None, timeout: float = 60, progress: Progress = quiet,
           stream: bool = False, speculate: bool = False) -> Answer:
    """``query``, with the catalog's state (triples, inferred triples, errors) beside the result.

    With ``stream`` (the oxigraph engine), a SELECT's ``result.cells`` is an iterator over the rows
    as the engine produces them, to be read once. With ``speculate`` (what ``kg query`` does), a
    query on a large cached graph is answered in a forked child while the fingerprint is taken
    (kg.pipeline.speculate): faster on a free second core, at the cost of a fork per call.

    >>> fixture = open_project("tests/fixtures", data="tests/fixtures/catalog")
    >>> outcome = answer("ASK { ?m a kg:Model }", fixture, cache=False)
    >>> outcome.result.boolean, outcome.catalog_errors
    (True, 0)
    """
    from kg.sparql.saved import ad_hoc_query, bind_terms, find_saved_query, looks_like_name, uses_named_graphs

    opened = open_project(project)
    if looks_like_name(text_or_name):
        opened.require("queries")
        saved = find_saved_query(opened.queries, text_or_name)
    else:
        saved = ad_hoc_query(text_or_name)
    given = {name: _parameter_text(name, value) for name, value in (params or {}).items()}
    if endpoint:
        from kg.sparql.remote import query_endpoint
        from kg.sparql.saved import check_characters

        check_characters(saved.text)  # (run_query checks it for a local query)
        bindings = bind_terms(saved, given, None, opened.base)
        return Answer(query_endpoint(endpoint, saved.text, bindings, timeout=timeout))
    from kg.pipeline.queryable import query_source
    from kg.sparql.engines import run_query

    speculating = (speculate and engine == "oxigraph" and cache and not reason and not stream
                   and _speculate(opened, saved, given))
    try:
        source = query_source(opened, engine=engine, reason=reason, use_cache=cache, progress=progress,
                              named_graphs=uses_named_graphs(saved.text))
        bindings = bind_terms(saved, given, source.target, opened.base)
        result = run_query(source.target, saved.text, bindings, engine=engine, base=opened.base, stream=stream)
    finally:
        if speculating:
            from kg.pipeline.speculate import drop

            drop()
    return Answer(result, source.triples, source.inferred, source.errors, source.summary)


def _parameter_text(name: str, value) -> str:
    """A parameter's value as the text the CLI would be given: a string, or a number or boolean."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise KgUsageError(f"parameter {name}: give a string, a number or a boolean, not {type(value).__name__}")


def _speculate(project: Project, saved, given: dict[str, str]) -> bool:
    """Start answering ``saved`` in a child, on the cached store the fingerprint will most likely
    name (kg.pipeline.speculate), from the main thread, when its text is surely safe and its
    parameters bind without reading the graph. Whether a child may have been started. Only a
    SELECT: the child hands back rows, so the answer to an ASK or a CONSTRUCT would be waited for
    and thrown away, and the query evaluated again here."""
    import threading

    from kg.sparql.saved import bind_terms, check_characters, check_nesting, query_form, surely_safe

    if (threading.current_thread() is not threading.main_thread() or not surely_safe(saved.text)
            or query_form(saved.text) != "select"):
        return False
    try:
        check_nesting(saved.text)
        check_characters(saved.text)
        bindings = bind_terms(saved, given, None, project.base)
    except Exception:  # a query or parameter the tool refuses: the query itself says so, in its words
        return False
    from kg.pipeline import speculate
    from kg.sparql.engines import known_prefixes

    speculate.start(project.data, saved.text, bindings, known_prefixes(project.base))
    return True


def diff(old: str, new: str, project: ProjectLike = None, *, format: str = "markdown", dataset: bool = False,
         releases: str | Path = "dist", progress: Progress = quiet) -> str:
    """What changed from ``old`` to ``new``: each a git revision, a release folder (or a version
    released in ``releases``), a project folder, or an export file (.nt, .ttl, .jsonld; .nq, .trig
    with ``dataset``). ``format``: markdown (a changelog), json, or rdfpatch (RDF Patch).

    >>> changes = diff("tests/fixtures/golden/catalog.nt", "tests/fixtures/golden/catalog.nt", format="json")
    >>> import json; json.loads(changes)["triples"]
    {'removed': 0, 'added': 0}
    """
    from kg.pipeline.diff import diff_states, load_state
    from kg.rdf.diff import RENDERERS

    if format not in RENDERERS:
        raise KgUsageError(f"unknown diff format '{format}': use one of {', '.join(RENDERERS)}")
    opened = open_project(project)
    before = load_state(old, opened, dataset=dataset, progress=progress, releases=Path(releases))
    after = load_state(new, opened, dataset=dataset, progress=progress, releases=Path(releases))
    return RENDERERS[format](diff_states(before, after, opened.base))


def release(version: str, project: ProjectLike = None, *, out: str | Path = "dist", date=None,
            previous: str | None = None, changelog: str | Path | None = None, engine: str = "rdflib",
            endpoint: str = DEFAULT_ENDPOINT, progress: Progress = quiet):
    """Make release ``version`` in ``out/version``: the exports, CHANGELOG.md, changes.json,
    changes.rdfpatch (against the previous release: the latest in ``out``, or ``previous``),
    the links out (mappings.sssom.tsv), the saved queries as SPARQL examples (targeting ``endpoint``),
    void.ttl and SHA256SUMS; the changes are
    prepended to ``changelog`` (a file) if given. Refuses an existing release and a vanished IRI.

    >>> import tempfile, datetime
    >>> fixture = open_project("tests/fixtures", data="tests/fixtures/catalog")
    >>> with tempfile.TemporaryDirectory() as out:
    ...     made = release("0.1.0", fixture, out=out, date=datetime.date(2026, 1, 1))
    >>> made.folder.name, made.previous, "SHA256SUMS" in [p.name for p in made.files]
    ('0.1.0', None, True)
    """
    from kg.pipeline.release import release as make_release

    opened = open_project(project)
    return make_release(opened, version, out=Path(out), date=date, previous=previous,
                        changelog=Path(changelog) if changelog else None, engine=engine,
                        extra_files=_release_extras(opened, endpoint), progress=progress)


def _release_extras(project: Project, endpoint: str):
    """What a release holds beyond the build: the links out (SSSOM) and the saved queries as SPARQL examples."""
    from kg.util.fsutil import write_atomic

    def write(folder: Path) -> None:
        write_atomic(folder / "mappings.sssom.tsv", export(project, format="sssom", validate=False))
        if project.queries.is_dir():
            write_atomic(folder / "sparql-examples.ttl", sparql_examples(project, endpoint=endpoint))

    return write

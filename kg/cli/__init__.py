"""The ``kg`` command line: a thin layer over the library that turns its errors into exit codes."""
from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from pathlib import Path

import click

from kg import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
RDF_FORMATS = ("turtle", "json-ld", "nt")


class Settings:
    """Options of the root group that every command sees."""

    def __init__(self, verbosity: int = 0) -> None:
        self.verbosity = verbosity

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            click.echo(message, err=True)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            click.echo(message, err=True)

    @contextlib.contextmanager
    def progress(self):
        """A progress callback for long work: a status line on a terminal, silence otherwise."""
        from kg.util.progress import for_terminal, quiet

        reporter = for_terminal(self.verbosity)
        try:
            yield reporter or quiet
        finally:
            if reporter is not None:
                reporter.close()


def catalog_options(fn):
    """--data, --ontology, --shapes, --queries and --base, spelled the same on every command."""
    options = [
        click.option("--data", type=click.Path(file_okay=False, path_type=Path),
                     help="Catalog folder (default: data/ of the project root)."),
        click.option("--ontology", type=click.Path(file_okay=False, path_type=Path),
                     help="Ontology folder (default: ontology/)."),
        click.option("--shapes", type=click.Path(file_okay=False, path_type=Path),
                     help="SHACL shapes folder (default: shapes/)."),
        click.option("--queries", "queries_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Saved queries folder (default: queries/)."),
        click.option("--base", help="Base of entity IRIs (default: https://w3id.org/llm-kg)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def engine_option(help_text: str):
    """--engine, spelled the same on build, validate, export and query."""
    return click.option("--engine", type=click.Choice(["rdflib", "oxigraph"]), default="rdflib",
                        show_default=True, help=help_text)


GRAPH_ENGINE_HELP = ("Where the graph lives: rdflib in memory (validated by pySHACL), or a pyoxigraph "
                     "store (the same shapes compiled to SPARQL); much faster on large catalogs.")


def _project(data, ontology, shapes, queries_dir, base):
    from kg.pipeline.project import Project

    return Project.locate(data=data, ontology=ontology, shapes=shapes, queries=queries_dir, base=base)


def library_errors(fn):
    """Turn the library's exceptions into click's: user mistakes never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from kg.rdf.formats import UnknownFormat
        from kg.pipeline.project import ProjectError
        from kg.views.lineage import LineageError
        from kg.query.saved import ParameterError, QueryError
        from kg.query.serve import ServeError
        from kg.views.site import SiteError
        from kg.views.timeline import TimelineError

        try:
            return fn(*args, **kwargs)
        except ParameterError as exc:
            raise click.UsageError(str(exc)) from None
        except UnknownFormat as exc:
            raise click.UsageError(str(exc)) from None
        except (ProjectError, QueryError, FileNotFoundError, ServeError, LineageError, SiteError,
                TimelineError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror}") from None

    return wrapper


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="kg")
@click.option("-q", "--quiet", count=True, help="Print less (errors only).")
@click.option("-v", "--verbose", count=True, help="Print more (timings, counts).")
@click.pass_context
def cli(ctx: click.Context, quiet: int, verbose: int) -> None:
    """kg: the large-language-model landscape as a knowledge graph.

    Reads the catalog (data/), ontology (ontology/), SHACL shapes (shapes/) and saved
    queries (queries/) of the project root. Exit codes: 0 success, 1 problems to fix,
    2 usage error.
    """
    ctx.obj = Settings(verbose - quiet)


def _compile(settings: Settings, project, shapes: bool = True, engine: str = "rdflib", before_shapes=None):
    from kg.util.gcpause import freeze_survivors
    from kg.pipeline.project import compile_catalog

    start = time.perf_counter()
    with settings.progress() as progress:
        compiled = compile_catalog(project, shapes=shapes, engine=engine, progress=progress,
                                   before_shapes=before_shapes)
    freeze_survivors()  # the catalog lives until kg exits: no more collector passes over it
    settings.debug(f"read {len(compiled.catalog)} entries, {compiled.triples} triples "
                   f"in {time.perf_counter() - start:.2f} s ({engine})")
    return compiled


def _print_report(settings: Settings, report, fmt: str = "text") -> None:
    if fmt == "json":
        click.echo(report.render("json"))
        return
    shown = report.errors if settings.verbosity < 0 else report.items
    for diagnostic in shown:
        click.echo(diagnostic.text() if fmt == "text" else diagnostic.github())


@cli.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Diagnostics as compiler-style text, JSON, or GitHub annotations.")
@engine_option(GRAPH_ENGINE_HELP)
@click.pass_obj
@library_errors
def validate(settings: Settings, data, ontology, shapes, queries_dir, base, fmt, engine) -> None:
    """Check every entry and run the SHACL shapes; list each problem at its file and line.

    Exits 0 when there is no error (warnings never fail), 1 otherwise.
    """
    project = _project(data, ontology, shapes, queries_dir, base)
    compiled = _compile(settings, project, engine=engine)
    report = compiled.report
    _print_report(settings, report, fmt)
    if fmt != "json":
        settings.info(f"{len(compiled.catalog)} entries, {compiled.triples} triples: {report.summary()}")
    if report.errors:
        sys.exit(1)


@cli.command()
@catalog_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True, help="Folder for the exports.")
@click.option("--reason", type=click.Choice(["rdfs", "owlrl"]),
              help="Also materialize the inferred triples into inferred-PROFILE.ttl/.nt (kept apart).")
@engine_option(GRAPH_ENGINE_HELP)
@click.option("--no-cache", is_flag=True, help="Do not store the built graph for the queries that follow.")
@click.pass_obj
@library_errors
def build(settings: Settings, data, ontology, shapes, queries_dir, base, out_dir, reason, engine,
          no_cache) -> None:
    """Build, validate and export the catalog: Turtle, JSON-LD and N-Triples in --out.

    Writes catalog.ttl, catalog.jsonld, catalog.nt and ontology.ttl. Nothing is written
    when the catalog has errors. With --reason, the triples owlrl infers (over the
    catalog and the ontology) go to inferred-PROFILE.ttl and .nt, never into catalog.*.
    The graph is also kept in the query cache, so that 'kg query' after a build starts warm.
    """
    from kg.rdf.formats import FORMATS, Exports, serialize
    from kg.util.fsutil import write_atomic
    from kg.pipeline.project import export_lines

    project = _project(data, ontology, shapes, queries_dir, base)
    exports = None

    def start_exports(compiled) -> None:
        """Begin the exports while the shapes run (a child writes the JSON-LD of a large catalog)."""
        nonlocal exports
        if not compiled.report.errors:
            exports = Exports(export_lines(compiled, project.base), project.base, out_dir).start()

    try:
        compiled = _compile(settings, project, engine=engine, before_shapes=start_exports)
    except BaseException:
        if exports is not None:
            exports.discard()
        raise
    _print_report(settings, compiled.report)
    if compiled.report.errors:
        if exports is not None:
            exports.discard()
        raise click.ClickException(f"{compiled.report.summary()}: nothing written. Fix the errors "
                                   "above (kg validate lists them) and build again")
    compiled.release_store()  # validated; the exports are written from the lines
    lines = exports.lines
    finish_cache = None
    if not no_cache:
        from kg.pipeline.project import prime_query_cache

        finish_cache = prime_query_cache(compiled, project)  # on oxigraph, loads a store meanwhile
    start = time.perf_counter()
    with settings.progress() as progress:
        written = exports.finish(progress, meanwhile=finish_cache)
    for name, seconds in exports.timings.items():
        settings.debug(f"{name} written in {seconds:.2f} s")
    settings.debug(f"exports{'' if no_cache else ' and query cache'} done in {time.perf_counter() - start:.2f} s")
    ontology_file = project.ontology / "kg.ttl"
    if ontology_file.is_file():
        write_atomic(out_dir / "ontology.ttl", ontology_file.read_bytes())
        written.append(out_dir / "ontology.ttl")
    if reason:
        from kg.pipeline.project import query_graph
        from kg.pipeline.reason import infer

        inference = infer(query_graph(compiled, project), reason)  # owlrl needs an rdflib graph
        for fmt in (FORMATS["turtle"], FORMATS["nt"]):
            path = out_dir / f"inferred-{reason}{fmt.extensions[0]}"
            write_atomic(path, serialize(inference.graph, fmt, project.base))
            written.append(path)
        settings.info(f"reasoning ({reason}): {inference.added} triples inferred in "
                      f"{inference.seconds:.1f} s ({inference.dropped} dropped as noise)")
    settings.info(f"{len(compiled.catalog)} entries, {len(lines)} triples "
                  f"({compiled.report.summary()})")
    for path in written:
        settings.info(f"wrote {path}")


@cli.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS),
              help="Serialization (default: guessed from --output's extension).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes (loader errors still stop).")
@engine_option(GRAPH_ENGINE_HELP)
@click.pass_obj
@library_errors
def export(settings: Settings, data, ontology, shapes, queries_dir, base, fmt, output, no_validate,
           engine) -> None:
    """Write the catalog graph, with its dataset description, as Turtle, JSON-LD or N-Triples.

    The bytes are the same whichever --engine built the graph.
    """
    from kg.rdf.formats import guess_format, write_lines
    from kg.util.fsutil import atomic_writer
    from kg.pipeline.project import export_lines

    chosen = guess_format(output, fmt)
    project = _project(data, ontology, shapes, queries_dir, base)
    compiled = _compile(settings, project, shapes=not no_validate, engine=engine)
    if compiled.report.errors:
        _print_report(settings, compiled.report)
        raise click.ClickException(f"{compiled.report.summary()}: nothing exported (kg validate "
                                   "lists the problems)")
    lines = export_lines(compiled, project.base)
    if output is None or str(output) == "-":
        sys.stdout.flush()
        write_lines(lines, chosen, project.base, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with atomic_writer(output) as handle:
            write_lines(lines, chosen, project.base, handle)
        settings.info(f"wrote {output} ({chosen.name})")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        if "=" not in item:
            raise click.UsageError(f"parameter '{item}' must be written name=value")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    return params


@cli.command()
@catalog_options
@click.argument("name", required=False)
@click.option("--query", "query_text", help="SPARQL text to run instead of a saved query.")
@click.option("--query-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the SPARQL query to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; repeat for several. Ids stand for catalog IRIs.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", *RDF_FORMATS]),
              default="table", show_default=True,
              help="SELECT/ASK: table, csv, tsv, json. CONSTRUCT/DESCRIBE: turtle, json-ld, nt.")
@engine_option("SPARQL engine: rdflib (pure Python) or oxigraph (pyoxigraph, much faster).")
@click.option("--reason", type=click.Choice(["rdfs", "owlrl"]),
              help="Also query the triples this reasoning profile infers (cached after the first run).")
@click.option("--no-cache", is_flag=True, help="Rebuild the graph instead of reusing the cached build.")
@click.option("--endpoint", metavar="URL",
              help="Run on this SPARQL 1.1 endpoint instead of the local catalog.")
@click.option("--timeout", type=float, default=60, show_default=True, help="Seconds to wait for --endpoint.")
@click.pass_obj
@library_errors
def query(settings: Settings, data, ontology, shapes, queries_dir, base, name, query_text, query_file,
          params, fmt, engine, reason, no_cache, endpoint, timeout) -> None:
    """Run a saved query (NAME, see 'kg queries') or an ad-hoc one on the catalog.

    Parameters are bound as RDF terms, never pasted into the query text. SERVICE,
    LOAD and FROM are refused: the tool does not reach the network on its own. The
    built graph is cached, keyed by the content of data/, ontology/ and shapes/.
    """
    from kg.query.engines import run_query
    from kg.pipeline.project import query_source
    from kg.query.saved import ad_hoc_query, bind_parameters, find_saved_query

    given = [x for x in (name, query_text, query_file) if x]
    if len(given) != 1:
        raise click.UsageError("give one of NAME, --query TEXT or --query-file FILE")
    project = _project(data, ontology, shapes, queries_dir, base)
    if name:
        project.require("queries")
        saved = find_saved_query(project.queries, name)
    else:
        text = query_text if query_text else query_file.read_text(encoding="utf-8")
        saved = ad_hoc_query(text)
    if endpoint:
        from kg.query.remote import query_endpoint

        bindings = bind_parameters(saved, _parse_params(params), None, project.base)
        _print_result(query_endpoint(endpoint, saved.text, bindings, timeout=timeout), fmt, project.base)
        return
    start = time.perf_counter()
    with settings.progress() as progress:
        source = query_source(project, engine=engine, reason=reason, use_cache=not no_cache, progress=progress)
    settings.debug(f"graph ready ({source.triples} triples, {source.inferred} inferred) in "
                   f"{time.perf_counter() - start:.3f} s")
    if source.errors:
        settings.info(f"warning: the catalog has {source.summary}; results may be incomplete "
                      "(kg validate lists them)")
    bindings = bind_parameters(saved, _parse_params(params), source.target, project.base)
    start = time.perf_counter()
    result = run_query(source.target, saved.text, bindings, engine=engine)
    settings.debug(f"query ran in {time.perf_counter() - start:.3f} s")
    _print_result(result, fmt, project.base)


def _print_result(result, fmt: str, base: str) -> None:
    from kg.rdf.formats import FORMATS, serialize
    from kg.query.results import render
    from kg.rdf.vocab import bind_prefixes

    if result.kind == "graph":
        rdf_format = fmt if fmt in RDF_FORMATS else "turtle"
        bind_prefixes(result.graph, base)
        click.echo(serialize(result.graph, FORMATS[rdf_format], base).decode("utf-8"), nl=False)
        return
    if fmt in RDF_FORMATS:
        raise click.UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv or json")
    from rdflib import Graph

    namespaces = Graph()
    bind_prefixes(namespaces, base)
    click.echo(render(result, fmt, namespaces.namespace_manager), nl=False)


@cli.command("queries")
@catalog_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@library_errors
def list_queries(settings: Settings, data, ontology, shapes, queries_dir, base, fmt) -> None:
    """List the saved queries with their summaries and parameters."""
    from kg.query.saved import list_saved_queries

    project = _project(data, ontology, shapes, queries_dir, base)
    project.require("queries")
    saved = list_saved_queries(project.queries)
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "summary": q.summary, "tags": q.tags,
             "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                             "default": q.defaults.get(p.name)} for p in q.parameters]}
            for q in saved], indent=2))
        return
    width = max((len(q.name) for q in saved), default=0)
    for q in saved:
        params = " ".join(f"{p.name}={p.type}" if p.required else f"[{p.name}={p.type}]"
                          for p in q.parameters)
        click.echo(f"{q.name.ljust(width)}  {q.summary}" + (f"  ({params})" if params else ""))


@cli.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option(GRAPH_ENGINE_HELP)
@click.pass_obj
@library_errors
def stats(settings: Settings, data, ontology, shapes, queries_dir, base, fmt, engine) -> None:
    """Count triples, entities per class and edges per relation."""
    from kg.views.stats import catalog_stats, render_stats

    project = _project(data, ontology, shapes, queries_dir, base)
    compiled = _compile(settings, project, shapes=False, engine=engine)
    numbers = catalog_stats(compiled.lines(), project.base)
    click.echo(json.dumps(numbers, indent=2) if fmt == "json" else render_stats(numbers), nl=False)


from kg.cli.serve import push, serve  # noqa: E402  (registered on the group)

from kg.cli.importer import import_group  # noqa: E402
from kg.cli.visual import lineage, site, timeline  # noqa: E402

cli.add_command(serve)
cli.add_command(push)
cli.add_command(lineage)
cli.add_command(timeline)
cli.add_command(site)
cli.add_command(import_group, name="import")


def main() -> None:  # pragma: no cover - the console script
    cli(prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    main()

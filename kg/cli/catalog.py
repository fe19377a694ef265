"""`kg validate`, `kg build`, `kg export` and `kg stats`: the catalog checked, built and counted."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, compile_project, engine_option, examples_endpoint_option,
                           exit_with, library_errors, output_folder, rdf_format_names, read_catalog,
                           warn_if_empty)
from kg.registry import OTHER_EXPORTS, PROFILES, REPORT_FORMATS


@click.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
              help="Diagnostics as compiler-style text, JSON, or GitHub annotations.")
@click.option("--since", metavar="REV", help="Also report each entity IRI of REV (a git revision, a release "
              "folder or an export file) that is gone without a replaced_by stub (KG130).")
@engine_option()
@click.pass_obj
@library_errors
def validate(settings: Settings, project, fmt, since, engine) -> None:
    """Check every entry and run the SHACL shapes; list each problem at its file and line.

    Exits 0 when there is no error (warnings never fail), 1 otherwise.
    """
    compiled = compile_project(settings, project, engine=engine)
    if since is not None:
        from kg.pipeline.diff import check_since

        with settings.progress() as progress:
            check_since(since, project, compiled, progress=progress)
    report = compiled.report
    settings.print_report(report, fmt)
    if fmt != "json":
        settings.info(f"{len(compiled.catalog)} entries, {compiled.triples} catalog triples: {report.summary()}")
    if report.errors:
        exit_with(1)


@click.command()
@catalog_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the exports (default: dist/ of the project root, wherever kg runs inside it).")
@click.option("--reason", type=click.Choice(PROFILES),
              help="Also materialize the inferred triples into inferred-PROFILE.ttl/.nt (kept apart).")
@engine_option()
@click.option("--no-cache", is_flag=True, help="Do not store the built graph for the queries that follow.")
@click.pass_obj
@library_errors
def build(settings: Settings, project, out_dir, reason, engine,
          no_cache) -> None:
    """Build, validate and export the catalog: Turtle, JSON-LD and N-Triples in --out.

    Writes catalog.ttl, catalog.jsonld, catalog.nt, the provenance dataset (each fact in
    the named graph of its source) as provenance.nq and provenance.trig, and ontology.ttl.
    Nothing is written when the catalog has errors. With --reason, the triples owlrl infers (over the
    catalog and the ontology) go to inferred-PROFILE.ttl and .nt, never into catalog.*.
    The graph is also kept in the query cache, so that 'kg query' after a build starts warm.
    """
    from kg.api import build as build_catalog

    start = time.perf_counter()
    with settings.progress() as progress:
        out_dir = out_dir or output_folder(project, "dist")
        result = build_catalog(project, out=out_dir, engine=engine, reason=reason, cache=not no_cache,
                               progress=progress)
    settings.print_report(result.report)
    warn_if_empty(settings, project, len(result.compiled.catalog))
    for name, seconds in result.timings.items():
        settings.debug(f"{name} written in {seconds:.2f} s")
    settings.debug(f"built in {time.perf_counter() - start:.2f} s")
    if result.inference is not None:
        inference = result.inference
        settings.info(f"reasoning ({inference.profile}): {inference.added} triples inferred in "
                      f"{inference.seconds:.1f} s ({inference.dropped} dropped as noise)")
    settings.info(f"{len(result.compiled.catalog)} entries, {result.triples} triples exported (the "
                  f"{result.compiled.triples} of the catalog and its dataset description; "
                  f"{result.report.summary()})")
    for path in result.written:
        settings.info(f"wrote {path}")
    if result.cache_problem:
        settings.info(f"note: the query cache could not be filled: {result.cache_problem}; queries will read "
                      "the catalog until it can ('kg cache info' shows where it is; KG_CACHE_DIR moves it)")
    if not no_cache:
        from kg.errors import KgError
        from kg.pipeline.cache import max_bytes

        try:
            max_bytes()
        except KgError as exc:  # the build went on; the cache was not kept within a cap
            settings.info(f"note: {exc}; the query cache was not pruned")


@click.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice([*rdf_format_names(), *OTHER_EXPORTS]),
              help="Serialization (default: guessed from --output's extension).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL shapes (loader errors still stop).")
@examples_endpoint_option("The SPARQL endpoint the examples target (--format sparql-examples).")
@engine_option()
@click.pass_obj
@library_errors
def export(settings: Settings, project, fmt, output, no_validate, endpoint,
           engine) -> None:
    """Write the catalog graph, with its dataset description, as Turtle, JSON-LD or N-Triples; or the
    provenance dataset (one named graph per source, with the claims not preferred) as N-Quads or TriG;
    or the saved queries as SPARQL examples (sparql-examples: Turtle, the sib-swiss convention that
    SPARQL editors list).

    The bytes are the same whichever --engine built the graph.
    """
    from kg.api import export as export_catalog
    from kg.rdf.formats import guess_format
    from kg.util.fsutil import atomic_writer

    chosen = guess_format(output, fmt) if fmt not in OTHER_EXPORTS else None
    name = chosen.name if chosen is not None else fmt

    def write(handle) -> None:
        with settings.progress() as progress:
            export_catalog(project, format=name, to=handle, validate=not no_validate, engine=engine,
                           endpoint=endpoint, progress=progress)

    if output is None or str(output) == "-":
        sys.stdout.flush()
        from kg.util.fsutil import WholeWrites

        try:
            write(WholeWrites(sys.stdout.buffer))
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk behind stdout: say which file it was
            raise OSError(exc.errno, exc.strerror, exc.filename or "standard output") from None
    else:
        with atomic_writer(output) as handle:
            write(handle)
        settings.info(f"wrote {output} ({name})")


@click.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option()
@click.pass_obj
@library_errors
def stats(settings: Settings, project, fmt, engine) -> None:
    """Count triples, entities per class and edges per relation."""
    from kg.views.stats import catalog_stats, render_stats

    compiled = read_catalog(settings, project, engine=engine)
    numbers = catalog_stats(compiled.lines(), project.base)
    click.echo(json.dumps(numbers, indent=2) if fmt == "json" else render_stats(numbers), nl=False)

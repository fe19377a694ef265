"""What every command shares: settings, the options spelled once, and the error boundary.

Command modules import from here, never from ``kg.cli`` itself, so each imports on its own.
"""
from __future__ import annotations

import contextlib
import functools
import sys
import time
from pathlib import Path

import click

from kg.registry import ENGINES, RDF_FORMATS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

GRAPH_ENGINE_HELP = ("Where the graph lives: a pyoxigraph store (the SHACL shapes compiled to SPARQL), "
                     "or rdflib in memory (validated by pySHACL, the reference). Same output; oxigraph is "
                     "several times faster, even on a small catalog.")

#: The engine of every command with --engine: measured fastest on the real catalog and beyond
#: (docs/scale.md); the library's functions keep rdflib, whose graph their callers may use.
DEFAULT_ENGINE = "oxigraph"


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

    def print_report(self, report, fmt: str = "text") -> None:
        """Diagnostics as compiler-style text, JSON or GitHub annotations (errors only with -q)."""
        if fmt == "json":
            click.echo(report.render("json"))
            return
        shown = report.errors if self.verbosity < 0 else report.items
        for diagnostic in shown:
            click.echo(diagnostic.text() if fmt == "text" else diagnostic.github())


def rdf_format_names() -> tuple[str, ...]:
    return RDF_FORMATS


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


def engine_option(help_text: str = GRAPH_ENGINE_HELP):
    """--engine, spelled the same on every command that builds or queries a graph."""
    return click.option("--engine", type=click.Choice(ENGINES), default=DEFAULT_ENGINE, show_default=True,
                        help=help_text)


def project_from(data, ontology, shapes, queries_dir, base):
    """The project the catalog options name (the others from the project root)."""
    from kg.pipeline.location import Project

    return Project.locate(data=data, ontology=ontology, shapes=shapes, queries=queries_dir, base=base)


def compile_project(settings: Settings, project, shapes: bool = True, engine: str = DEFAULT_ENGINE):
    """Read, check and (unless ``shapes`` is false) validate the catalog, with progress and timing."""
    from kg.api import load

    start = time.perf_counter()
    with settings.progress() as progress:
        compiled = load(project, shapes=shapes, engine=engine, progress=progress)
    settings.debug(f"read {len(compiled.catalog)} entries, {compiled.triples} triples "
                   f"in {time.perf_counter() - start:.2f} s ({engine})")
    return compiled


def write_output(settings: Settings, data: bytes, output: Path | None) -> None:
    """``data`` to the file ``output`` (whole or not at all), or to stdout when it is None or '-'."""
    from kg.util.fsutil import write_atomic

    if output is None or str(output) == "-":
        click.echo(data.decode("utf-8") if not data.startswith(b"\x89PNG") else data, nl=False)
        return
    write_atomic(output, data)
    settings.info(f"wrote {output}")


def library_errors(fn):
    """The error boundary: the library's errors become click's; a user never sees a traceback.

    ``KgUsageError`` is a usage error (exit 2); any other ``KgError`` or ``OSError`` is
    ``Error: …`` (exit 1). An ``InvalidCatalog`` prints its diagnostics first.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from kg.errors import KgError, KgUsageError

        try:
            return fn(*args, **kwargs)
        except KgUsageError as exc:
            raise click.UsageError(str(exc)) from None
        except KgError as exc:
            report = getattr(exc, "report", None)
            if report is not None:
                settings = click.get_current_context().find_object(Settings) or Settings()
                settings.print_report(report)
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror}") from None

    return wrapper


def exit_with(code: int) -> None:
    """End the command with ``code`` (validate: 1 when there are errors)."""
    sys.exit(code)

"""What every command shares: settings, the options spelled once, and the error boundary.

Command modules import from here, never from ``kg.cli`` itself, so each imports on its own.
"""
from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from kg.cli.settings import ReaderGone, Settings, error_text  # noqa: F401 - re-exported for the commands
from kg.registry import DATASET_FORMATS, DEFAULT_ENDPOINT, DEFAULT_ENGINE, ENGINES, RDF_FORMATS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

GRAPH_ENGINE_HELP = ("Where the graph lives: a pyoxigraph store (the SHACL shapes compiled to SPARQL), "
                     "or rdflib in memory (validated by pySHACL, the reference). Same output; oxigraph is "
                     "several times faster, even on a small catalog.")

def rdf_format_names(datasets: bool = True) -> tuple[str, ...]:
    """The RDF serializations (with the dataset formats, N-Quads and TriG, unless ``datasets`` is false)."""
    return tuple(name for name in RDF_FORMATS if datasets or name not in DATASET_FORMATS)


def _folder(_context, parameter, value: str | None) -> Path | None:
    """A folder option as a Path; given as an empty string, it is a mistake, not the working directory."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("give a folder (an empty value would mean the working directory)",
                                 param=parameter)
    return Path(value)


def _shared_folder(context, parameter, value: str | None) -> Path | None:
    """--shared: its default may be absent (a clone without shared/); a folder named must exist."""
    folder = _folder(context, parameter, value)
    if folder is not None and not folder.is_dir():
        raise click.BadParameter(f"'{value}' is not a folder: give the one that holds seeds/ and upstream/, "
                                 "or leave --shared out", param=parameter)
    if folder is not None and not (folder / "seeds").is_dir() and not (folder / "upstream").is_dir():
        raise click.BadParameter(f"'{value}' holds neither seeds/ nor upstream/: give the folder of the "
                                 "source documents, or leave --shared out", param=parameter)
    return folder


def catalog_options(fn):
    """--data, --ontology, --shapes, --queries, --base and --shared, spelled the same on every command;
    the command receives the ``project`` they name."""
    options = [
        click.option("--data", type=click.Path(file_okay=False), callback=_folder,
                     help="Catalog folder (default: data/ of the project root)."),
        click.option("--ontology", type=click.Path(file_okay=False), callback=_folder,
                     help="Ontology folder (default: ontology/)."),
        click.option("--shapes", type=click.Path(file_okay=False), callback=_folder,
                     help="SHACL shapes folder (default: shapes/)."),
        click.option("--queries", "queries_dir", type=click.Path(file_okay=False), callback=_folder,
                     help="Saved queries folder (default: queries/)."),
        click.option("--base", help="Base of entity IRIs (default: https://w3id.org/llm-kg)."),
        click.option("--shared", type=click.Path(file_okay=False), callback=_shared_folder,
                     help="Source documents cited by seed: and upstream sources (default: shared/ "
                          "beside the project root)."),
    ]

    @functools.wraps(fn)
    def with_project(*args, data, ontology, shapes, queries_dir, base, shared, **kwargs):
        return fn(*args, project=project_from(data, ontology, shapes, queries_dir, base, shared), **kwargs)

    for option in reversed(options):
        with_project = option(with_project)
    return with_project


def engine_option(help_text: str = GRAPH_ENGINE_HELP):
    """--engine, spelled the same on every command that builds or queries a graph."""
    return click.option("--engine", type=click.Choice(ENGINES), default=DEFAULT_ENGINE, show_default=True,
                        help=help_text)


def examples_endpoint_option(help_text: str):
    """--endpoint URL: the SPARQL endpoint the saved queries' examples target (kg serve's by default)."""
    return click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True, metavar="URL", help=help_text)


def timeout_option(help_text: str):
    """--timeout SECONDS: a finite number above zero (checked before anything runs)."""

    def check(_ctx, _param, value):
        import math

        if value is not None and (not math.isfinite(value) or not 0 < value <= 86400):
            raise click.BadParameter(f"{value} is not a number of seconds above 0 and at most 86400 (a day)")
        return value

    return click.option("--timeout", type=float, default=60, show_default=True, callback=check, help=help_text)


def project_from(data, ontology, shapes, queries_dir, base, shared=None):
    """The project the catalog options name (the others from the project root)."""
    from kg.pipeline.location import Project

    return Project.locate(data=data, ontology=ontology, shapes=shapes, queries=queries_dir, base=base,
                          shared=shared)


def compile_project(settings: Settings, project, shapes: bool = True, engine: str = DEFAULT_ENGINE):
    """Read, check and (unless ``shapes`` is false) validate the catalog, with progress and timing."""
    from kg.api import load

    start = time.perf_counter()
    with settings.progress() as progress:
        compiled = load(project, shapes=shapes, engine=engine, progress=progress)
    settings.debug(f"read {len(compiled.catalog)} entries, {compiled.triples} triples "
                   f"in {time.perf_counter() - start:.2f} s ({engine})")
    if not compiled.report.errors:  # (an error says more: KG108 for --data data/models)
        warn_if_empty(settings, project, len(compiled.catalog))
    return compiled


def warn_if_empty(settings: Settings, project, entries: int) -> None:
    """An empty catalog is valid, but more often a wrong --data: say so."""
    if entries == 0:
        from kg.catalog.schema import KINDS

        folders = ", ".join(f"{kind.folder}/" for kind in KINDS)
        settings.info(f"warning: {project.data} holds no entries: they are YAML files in its {folders} "
                      "folders (is --data the catalog's folder?)")


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
            raise click.ClickException(error_text(exc)) from None
        except BrokenPipeError:
            raise ReaderGone() from None  # not an OSError, which click would turn into exit 1
        except OSError as exc:
            raise click.ClickException(error_text(exc)) from None

    return wrapper


def exit_with(code: int) -> None:
    """End the command with ``code`` (validate: 1 when there are errors)."""
    sys.exit(code)


def read_catalog(settings: Settings, project, engine: str = DEFAULT_ENGINE):
    """The catalog for a command that only reads it (views, kg why, kg import): its entries, with
    a warning when it has errors (the same warning kg query gives; kg build refuses instead)."""
    compiled = compile_project(settings, project, shapes=False, engine=engine)
    if compiled.report.errors:
        settings.info(f"warning: the catalog has {compiled.report.summary()}; what follows may be "
                      "incomplete (kg validate lists them)")
    return compiled


def output_folder(project, *parts: str) -> Path:
    """A default output folder under the project root (dist/), wherever inside the project kg runs;
    shown relative to the working directory when it is inside it."""
    folder = (project.root or Path.cwd()).joinpath(*parts)
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder


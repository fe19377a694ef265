"""`kg query` and `kg queries`: saved and ad-hoc SPARQL on the catalog or on an endpoint."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, engine_option, library_errors, timeout_option,
                           rdf_format_names)
from kg.errors import KgUsageError
from kg.registry import PROFILES, SELECT_FORMATS


def _memory_size(_ctx, _param, value: str) -> int:
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGkmg]?)i?[Bb]?\s*", value or "")
    if not match:
        raise click.BadParameter(f"'{value}' is not a size such as 512M or 4G")
    size = int(float(match.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()])
    if size < 64 << 20:
        raise click.BadParameter(f"{value} is too little to run a query in: give at least 64M")
    return size


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        if "=" not in item:
            raise click.UsageError(f"parameter '{item}' must be written name=value")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    return params


@click.command()
@catalog_options
@click.argument("name", required=False)
@click.option("--query", "query_text", help="SPARQL text to run instead of a saved query.")
@click.option("--query-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the SPARQL query to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; repeat for several. Ids stand for catalog IRIs.")
@click.option("--format", "fmt", type=click.Choice([*SELECT_FORMATS, *rdf_format_names(datasets=False)]),
              help="SELECT/ASK: table (default), csv, tsv, json. CONSTRUCT/DESCRIBE: turtle (default), "
                   "json-ld, nt.")
@engine_option("SPARQL engine: oxigraph (pyoxigraph) or rdflib (pure Python, much slower); the same rows.")
@click.option("--reason", type=click.Choice(PROFILES),
              help="Also query the triples this reasoning profile infers (cached after the first run).")
@click.option("--no-cache", is_flag=True, help="Rebuild the graph instead of reusing the cached build.")
@click.option("--endpoint", metavar="URL",
              help="Run on this SPARQL 1.1 endpoint instead of the local catalog.")
@timeout_option("Seconds the query has to answer in full, locally or on --endpoint.")
@click.option("--max-memory", type=str, default="4G", show_default=True, callback=_memory_size,
              help="How much more memory a local query may take (K, M, G: binary units); past it, it stops.")
@click.pass_obj
@library_errors
def query(settings: Settings, project, name, query_text, query_file,
          params, fmt, engine, reason, no_cache, endpoint, timeout, max_memory) -> None:
    """Run a saved query (NAME, see 'kg queries') or an ad-hoc one on the catalog.

    Parameters are bound as RDF terms, never pasted into the query text. SERVICE,
    LOAD and FROM are refused: the tool does not reach the network on its own. The
    built graph is cached, keyed by the content of data/, ontology/ and shapes/.
    """
    from kg.api import answer

    given = [x for x in (name, query_text, query_file) if x]
    if len(given) != 1:
        raise click.UsageError("give one of NAME, --query TEXT or --query-file FILE")
    if name:
        from kg.sparql.saved import looks_like_name

        if not looks_like_name(name):
            raise click.UsageError(f"'{name}' is not the name of a saved query: pass SPARQL text "
                                   "with --query")
        text = name
    else:
        text = query_text if query_text else query_file.read_text(encoding="utf-8")
    given_params = _parse_params(params)

    def answer_and_print() -> None:
        start = time.perf_counter()
        with settings.progress() as progress:
            outcome = answer(text, project, params=given_params, engine=engine, reason=reason,
                             cache=not no_cache, endpoint=endpoint, timeout=timeout, progress=progress,
                             stream=fmt == "csv")  # rows written as the engine finds them
        settings.debug(f"answered ({outcome.triples} triples, {outcome.inferred} inferred) in "
                       f"{time.perf_counter() - start:.3f} s")
        if outcome.catalog_errors:
            settings.info(f"warning: the catalog has {outcome.catalog_summary}; results may be incomplete "
                          "(kg validate lists them)")
        _print_result(outcome.result, fmt, project.base)
        sys.stdout.flush()

    if endpoint:
        answer_and_print()  # the endpoint's --timeout bounds the exchange
    else:
        run_bounded(answer_and_print, timeout=timeout, max_memory=max_memory)


def _writes_to_a_file(stream) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return False
    return True


def run_bounded(work, *, timeout: float, max_memory: int | None) -> None:
    """``work()`` in a forked child that prints as it goes: stopped after ``timeout`` seconds, and
    unable to grow by more than ``max_memory`` bytes; its errors are raised here."""
    from kg.errors import KgError
    from kg.util.parallel import can_fork, start_in_child

    if not can_fork() or not _writes_to_a_file(sys.stdout):  # not Linux, or output captured in memory
        work()  # (click's test runner): only a real file descriptor is shared with a child
        return
    from kg.util.parallel import limit_memory

    def bounded() -> None:  # in the child only: the limit is for the query, not for kg
        if max_memory:
            limit_memory(max_memory)
        work()

    sys.stdout.flush()
    sys.stderr.flush()
    child = start_in_child(bounded)
    try:
        child.wait(timeout=timeout)
    except TimeoutError:
        raise KgError(f"the query ran longer than --timeout {timeout:g} s and was stopped: add a LIMIT "
                      "or a tighter pattern, or give it more time with --timeout") from None
    except (MemoryError, RuntimeError):  # a MemoryError, or an engine that aborts when it cannot allocate
        raise KgError(f"the query needed more than --max-memory {max_memory // (1 << 20)} MiB and was "
                      "stopped: add a LIMIT or a tighter pattern, or raise --max-memory") from None


def _print_result(result, fmt: str, base: str) -> None:
    if result.kind == "graph":
        from kg.rdf.formats import FORMATS, serialize
        from kg.rdf.vocab import bind_prefixes

        if fmt is not None and fmt not in FORMATS:
            raise KgUsageError(f"--format {fmt} is for SELECT/ASK; a CONSTRUCT or DESCRIBE gives a graph: "
                               "use turtle, json-ld or nt")
        rdf_format = fmt or "turtle"
        bind_prefixes(result.graph, base)
        click.echo(serialize(result.graph, FORMATS[rdf_format], base).decode("utf-8"), nl=False)
        return
    if fmt is not None and fmt in rdf_format_names():
        raise KgUsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv or json")
    from kg.sparql.results import render_to

    render_to(result, fmt or "table", sys.stdout, base)


@click.command("queries")
@catalog_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@library_errors
def list_queries(settings: Settings, project, fmt) -> None:
    """List the saved queries with their summaries and parameters."""
    from kg.sparql.saved import list_saved_queries

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

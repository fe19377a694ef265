"""`kg query` and `kg queries`: saved and ad-hoc SPARQL on the catalog or on an endpoint."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, engine_option, library_errors, timeout_option,
                           rdf_format_names)
from kg.registry import PROFILES, SELECT_FORMATS


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
@timeout_option("Seconds --endpoint has to answer in full.")
@click.pass_obj
@library_errors
def query(settings: Settings, project, name, query_text, query_file,
          params, fmt, engine, reason, no_cache, endpoint, timeout) -> None:
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
    start = time.perf_counter()
    with settings.progress() as progress:
        outcome = answer(text, project, params=_parse_params(params), engine=engine, reason=reason,
                         cache=not no_cache, endpoint=endpoint, timeout=timeout, progress=progress)
    settings.debug(f"answered ({outcome.triples} triples, {outcome.inferred} inferred) in "
                   f"{time.perf_counter() - start:.3f} s")
    if outcome.catalog_errors:
        settings.info(f"warning: the catalog has {outcome.catalog_summary}; results may be incomplete "
                      "(kg validate lists them)")
    _print_result(outcome.result, fmt, project.base)


def _print_result(result, fmt: str, base: str) -> None:
    if result.kind == "graph":
        from kg.rdf.formats import FORMATS, serialize
        from kg.rdf.vocab import bind_prefixes

        if fmt is not None and fmt not in FORMATS:
            raise click.UsageError(f"--format {fmt} is for SELECT/ASK; a CONSTRUCT or DESCRIBE gives a graph: "
                                   "use turtle, json-ld or nt")
        rdf_format = fmt or "turtle"
        bind_prefixes(result.graph, base)
        click.echo(serialize(result.graph, FORMATS[rdf_format], base).decode("utf-8"), nl=False)
        return
    if fmt is not None and fmt in rdf_format_names():
        raise click.UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv or json")
    from kg.sparql.results import render

    click.echo(render(result, fmt or "table", base), nl=False)


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

"""`kg query` and `kg queries`: saved and ad-hoc SPARQL on the catalog or on an endpoint."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.common import Settings, catalog_options, engine_option, library_errors, timeout_option
from kg.cli.bounded import DEFAULT_MAX_MEMORY
from kg.cli.querying import QueryRequest, answer_and_print
from kg.registry import PROFILES, QUERY_FORMATS


def _memory_size(_ctx, _param, value: str) -> int:
    from kg.errors import KgUsageError
    from kg.pipeline.cache import parse_size

    try:
        size = parse_size(value or "")
    except KgUsageError:
        raise click.BadParameter(f"'{value}' is not a size such as 512M or 4G") from None
    if size < 64 << 20:
        raise click.BadParameter(f"{value} is too little to run a query in: give at least 64M")
    return size


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        if "=" not in item:
            raise click.UsageError(f"parameter '{item}' must be written name=value")
        key, value = item.split("=", 1)
        if key.strip() in params and params[key.strip()] != value:  # a parameter has one value
            raise click.UsageError(f"parameter '{key.strip()}' given twice ('{params[key.strip()]}' and "
                                   f"'{value}'): give it once")
        params[key.strip()] = value
    return params


@click.command()
@catalog_options
@click.argument("name", required=False)
@click.option("--query", "query_text", help="SPARQL text to run instead of a saved query.")
@click.option("--query-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the SPARQL query to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; repeat for several. Ids (llama-2, or model:llama-2 as tables "
                   "print them) stand for catalog IRIs.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS),
              help="SELECT/ASK: table (default), csv, tsv, json. CONSTRUCT/DESCRIBE: turtle (default), "
                   "json-ld, nt.")
@engine_option("SPARQL engine: oxigraph (pyoxigraph) or rdflib (pure Python, much slower); the same rows.")
@click.option("--reason", type=click.Choice(PROFILES),
              help="Also query the triples this reasoning profile infers (cached after the first run).")
@click.option("--no-cache", is_flag=True, help="Rebuild the graph instead of reusing the cached build.")
@click.option("--endpoint", metavar="URL",
              help="Run on this SPARQL 1.1 endpoint instead of the local catalog.")
@timeout_option("Seconds the query has to answer in full, locally or on --endpoint.")
@click.option("--max-memory", type=str, default=DEFAULT_MAX_MEMORY, show_default=True, callback=_memory_size,
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
        from kg.sparql.saved import read_query_text

        text = query_text if query_text else read_query_text(query_file)
    request = QueryRequest(text, _parse_params(params), fmt, engine, reason, not no_cache, endpoint, timeout,
                           max_memory)
    answer_and_print(settings, project, request)


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
    for query in saved:  # a header that is not YAML is reported before anything is listed
        _ = query.meta
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "summary": q.summary, "tags": q.tags,
             "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                             "default": q.defaults.get(p.name)} for p in q.parameters]}
            for q in saved], indent=2))
        return
    width = max((len(q.name) for q in saved), default=0)
    for q in saved:
        params = " ".join(_shown_parameter(p, q.defaults) for p in q.parameters)
        click.echo(f"{q.name.ljust(width)}  {q.summary}" + (f"  ({params})" if params else ""))


def _shown_parameter(parameter, defaults: dict) -> str:
    """``name=type`` for a parameter to give; in brackets one that may be left out: optional, or
    required with a default (``[org=iri, default meta]``)."""
    shown = f"{parameter.name}={parameter.type}"
    if parameter.name in defaults:
        return f"[{shown}, default {_shown_default(defaults[parameter.name])}]"
    return shown if parameter.required else f"[{shown}]"


def _shown_default(value: str) -> str:
    """A default as the list shows it: as written, or quoted (JSON) when empty or holding a space,
    a bracket, a comma or a control character; cut at 40 characters."""
    import json

    if len(value) > 40:
        return json.dumps(value[:39] + "…", ensure_ascii=False)
    if not value or any(c in " ,[]" or not c.isprintable() for c in value):
        return json.dumps(value, ensure_ascii=False)
    return value

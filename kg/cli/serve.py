"""`kg serve` and `kg push`: handing the graph to a real triplestore."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, compile_project, engine_option, library_errors,
                           timeout_option)


def _publishable_lines(settings: Settings, project, validate: bool, with_ontology: bool,
                       engine: str) -> list[str]:
    """The export (catalog + dataset description), plus the ontology when asked, as N-Triples lines."""
    from kg.rdf.ntriples import merge
    from kg.pipeline.project import export_lines, ontology_lines

    compiled = compile_project(settings, project, shapes=validate, engine=engine)
    if compiled.report.errors:
        settings.print_report(compiled.report)
        skip = (" or pass --no-validate (it skips the shapes)" if validate else
                "; --no-validate skips the shapes, not these: the catalog itself must read whole")
        raise click.ClickException(f"{compiled.report.summary()}: fix them (kg validate lists them){skip}")
    lines = export_lines(compiled, project.base)
    if with_ontology:
        lines = merge(lines, ontology_lines(project))
    return lines


@click.command()
@catalog_options
@click.option("--bind", default="127.0.0.1:7878", show_default=True, help="HOST:PORT to listen on.")
@click.option("--no-validate", is_flag=True, help="Serve even if the shapes find problems.")
@click.option("--no-examples", is_flag=True, help="Do not serve the saved queries as SPARQL examples.")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (a SPARQL editor in a browser).")
@engine_option()
@click.pass_obj
@library_errors
def serve(settings: Settings, project, bind, no_validate, no_examples, cors, engine) -> None:
    """Serve the catalog (with the ontology) read-only over SPARQL 1.1 through Oxigraph.

    Builds and validates the graph, loads it into a temporary Oxigraph store and runs
    `oxigraph serve-read-only` on it, bound to 127.0.0.1 by default. The saved queries are
    served as SPARQL examples in the graph <endpoint>/.well-known/sparql-examples (and the
    default graph is the union of the graphs, so that SPARQL editors list them). Ctrl-C or
    SIGTERM stops the server and removes the store.
    """
    from kg.sparql.serve import Server, endpoint_url, parse_bind, terminate_on_signals

    host, port = parse_bind(bind)  # a bad value: a usage error (exit 2)
    from kg.rdf.ntriples import to_bytes

    lines = _publishable_lines(settings, project, validate=not no_validate, with_ontology=True, engine=engine)
    examples: list[str] = []
    if not no_examples and project.queries.is_dir():
        from kg.sparql.examples import example_lines, example_quads
        from kg.sparql.saved import list_saved_queries

        url = endpoint_url(host, port)
        examples = example_quads(example_lines(list_saved_queries(project.queries), project.base, url), url)
    server = Server(to_bytes(lines), host, port, nquads=to_bytes(examples), union_default_graph=bool(examples),
                    cors=cors)
    code = 0
    with terminate_on_signals():
        try:
            url = server.start()
            listed = f"; the saved queries as SPARQL examples in <{url}/.well-known/sparql-examples>" \
                if examples else ""
            click.echo(f"SPARQL endpoint: {url} ({len(lines)} triples: the catalog, its dataset description "
                       f"and the ontology{listed}); Ctrl-C to stop", err=True)
            code = server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    settings.info("server stopped")
    if code:
        raise click.ClickException(f"the Oxigraph server exited with status {code}")


@click.command()
@catalog_options
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store.")
@click.option("--graph", "graph_iri", metavar="IRI", help="Named graph to replace (default: the default graph).")
@click.option("--append", is_flag=True, help="Add to the graph (POST) instead of replacing it (PUT).")
@click.option("--format", "fmt", type=click.Choice(["nt", "turtle"]), default="nt", show_default=True)
@click.option("--query-endpoint", metavar="URL",
              help="Where to count the triples afterwards (default: …/store → …/query).")
@click.option("--user", help="Basic-auth user (or KG_PUSH_USER); the password comes from KG_PUSH_PASSWORD.")
@timeout_option("Seconds each request (the push, the count) has to complete.")
@click.option("--no-validate", is_flag=True, help="Push even if the shapes find problems.")
@click.option("--no-ontology", is_flag=True, help="Push the catalog only, without the ontology.")
@engine_option()
@click.pass_obj
@library_errors
def push(settings: Settings, project, endpoint, graph_iri, append, fmt,
         query_endpoint, user, timeout, no_validate, no_ontology, engine) -> None:
    """Send the export to a SPARQL Graph Store endpoint and verify what it holds.

    PUT replaces the graph (POST with --append adds to it); the body is streamed from a
    temporary file. Afterwards a COUNT query checks that the store holds exactly the
    triples sent (at least, with --append). Failures are reported in one line; nothing
    is retried.
    """
    import tempfile

    from kg.rdf.formats import FORMATS, write_lines
    from kg.sparql.remote import Credentials, count_triples, push_file, query_url_for

    credentials = Credentials.from_environment(user)
    lines = _publishable_lines(settings, project, validate=not no_validate, with_ontology=not no_ontology,
                               engine=engine)
    chosen = FORMATS[fmt]
    with tempfile.TemporaryDirectory(prefix="kg-push-") as folder:
        path = Path(folder) / f"catalog{chosen.extensions[0]}"
        with path.open("wb") as handle:
            write_lines(lines, chosen, project.base, handle)
        url = push_file(endpoint, path, chosen.media_type, graph=graph_iri, append=append, timeout=timeout,
                        credentials=credentials)
    counted = count_triples(query_endpoint or query_url_for(endpoint), graph_iri, timeout=timeout,
                            credentials=credentials)
    sent = len(lines)
    if counted < sent or (counted != sent and not append):
        raise click.ClickException(f"{url} holds {counted} triples after the push, {sent} were sent")
    settings.info(f"pushed {sent} triples to {url} ({'POST' if append else 'PUT'}); the store holds "
                  f"{counted}")

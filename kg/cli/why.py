"""`kg why`: each fact of an entry with the sources that state it, their words, and the claims set aside."""
from __future__ import annotations

import click

from kg.cli.common import Settings, catalog_options, read_catalog, library_errors


@click.command()
@catalog_options
@click.argument("entity")
@click.argument("field", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@library_errors
def why(settings: Settings, project, entity, field, fmt) -> None:
    """Show why the catalog says what it says about ENTITY (an id, KIND/ID such as paper/llama-2,
    the prefixed id a table prints such as paper:llama-2, or its IRI).

    Every fact (or only those of FIELD) with each source that states it: the seed or
    upstream line's own words, or the quote kept from a page; then the claims the entry
    does not prefer, with the reason.
    """
    from kg.views.why import explain

    catalog = read_catalog(settings, project).catalog
    explanation = explain(catalog, entity, key=field, sources=project.source_text())
    click.echo(explanation.as_json() if fmt == "json" else explanation.as_text(), nl=False if fmt != "json" else True)
    for other in explanation.also:
        settings.info(f"also: {other} (kg why {other})")

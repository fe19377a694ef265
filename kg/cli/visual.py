"""`kg lineage`, `kg timeline` and `kg site`: seeing the landscape."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, read_catalog, library_errors, output_folder,
                           write_output)


#: Format name -> the file extensions it is guessed from.
LINEAGE_FORMATS = {"mermaid": (".mmd", ".mermaid"), "dot": (".dot", ".gv"), "svg": (".svg",), "png": (".png",)}
TIMELINE_FORMATS = {"md": (".md", ".markdown"), "svg": (".svg",), "png": (".png",)}


def format_for(given: str | None, output: Path | None, formats: dict, default: str) -> str:
    """The format given, else the one ``output``'s extension names, else ``default`` (on stdout)."""
    if given:
        return given
    if output is None or str(output) == "-":
        return default
    suffix = output.suffix.lower()
    for name, extensions in formats.items():
        if suffix in extensions:
            return name
    known = ", ".join(ext for extensions in formats.values() for ext in extensions)
    raise click.UsageError(f"cannot tell the format of '{output}' from its extension ({known}): pass --format")


@click.command()
@catalog_options
@click.argument("model", required=False)
@click.option("--format", "fmt", type=click.Choice(list(LINEAGE_FORMATS)),
              help="Mermaid and DOT are text; SVG and PNG need Graphviz's dot (default: from --output's "
                   "extension, else mermaid).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_obj
@library_errors
def lineage(settings: Settings, project, model, fmt, output) -> None:
    """Draw the evolutionary tree of MODEL (its id, model:ID as a table prints it, or its IRI: its
    ancestors and descendants), or of the whole catalog.

    Edges are derivations typed and styled by kind (fine-tuned, distilled, quantized,
    version of…) and family membership; nodes show name and release date, are
    coloured by developer and laid out by release year.
    """
    from kg.views.lineage import family_tree, model_id_of, render, to_dot, to_mermaid

    fmt = format_for(fmt, output, LINEAGE_FORMATS, "mermaid")
    model = model_id_of(model) if model else None  # (another kind's id is refused before the catalog is read)
    catalog = read_catalog(settings, project).catalog
    tree = family_tree(catalog, model)
    title = f"Lineage of {next(n.name for n in tree.nodes if n.id == model)}" if model else "Model lineage"
    if fmt == "mermaid":
        write_output(settings, to_mermaid(tree).encode("utf-8"), output)
        return
    dot = to_dot(tree, title)
    write_output(settings, dot.encode("utf-8") if fmt == "dot" else render(dot, fmt), output)


@click.command()
@catalog_options
@click.option("--format", "fmt", type=click.Choice(list(TIMELINE_FORMATS)),
              help="md: a Markdown table; svg/png: a chart (needs matplotlib: pip install 'kg-llm[plot]'). "
                   "Default: from --output's extension, else md.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.option("--top", type=click.IntRange(1, 20), default=8, show_default=True,
              help="Organizations shown by name; the rest are 'other'.")
@click.pass_obj
@library_errors
def timeline(settings: Settings, project, fmt, output, top) -> None:
    """Model releases per year by organization."""
    from kg.views.timeline import to_chart, to_markdown

    fmt = format_for(fmt, output, TIMELINE_FORMATS, "md")
    catalog = read_catalog(settings, project).catalog
    payload = to_markdown(catalog, top).encode("utf-8") if fmt == "md" else to_chart(catalog, fmt, top)
    write_output(settings, payload, output)


@click.command()
@catalog_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the site, replaced whole if it is a previous kg site (default: dist/site of "
                   "the project root).")
@click.pass_obj
@library_errors
def site(settings: Settings, project, out_dir) -> None:
    """Write a static HTML catalog: searchable index, one page per entity, lineage, JSON-LD.

    The pages open from disk (no server, no CDN, no network).
    """
    from kg.views.site import build_site

    catalog = read_catalog(settings, project).catalog
    out_dir = out_dir or output_folder(project, "dist", "site")
    pages = build_site(catalog, out_dir, project.base, sources=project.source_text())
    settings.info(f"wrote {pages} pages to {out_dir} (open {out_dir / 'index.html'})")

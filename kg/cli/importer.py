"""`kg import markdown`: drafts of catalog entries from awesome-list and blog markdown."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import Settings, catalog_options, read_catalog, library_errors


@click.group("import")
def import_group() -> None:
    """Draft catalog entries from other sources (see 'kg import markdown -h')."""


@import_group.command()
@catalog_options
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("drafts"),
              show_default=True, help="Folder for the drafts (laid out like data/).")
@click.option("--dry-run", is_flag=True, help="Print the report only; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite drafts already in --out.")
@click.option("--summary", is_flag=True,
              help="Print only the counts (new, known, unsure, skipped) and the reasons, not every item.")
@click.pass_obj
@library_errors
def markdown(settings: Settings, project, files, out_dir, dry_run, force, summary) -> None:
    """Turn markdown (awesome-list bullets, admonitions, timelines, catalog cards) into drafts.

    Headings, contents links and side links are never entries. Every other item is matched
    against the catalog (--data) by id, name or alias, URL and arXiv id: known entries are
    reported (with the facts that differ) instead of drafted again. The rest are drafted as
    models, papers, techniques or organizations, skipped with the reason (guides, tools,
    products, posts…), or reported unsure (never drafted). Each draft names its sources,
    including seed:<file>:<line>. See docs/importer.md.
    """
    from kg.importer.drafts import import_markdown, render_table, write_drafts
    from kg.importer.summary import render_summary

    missing = [f for f in files if not f.is_file()]
    if missing:
        raise click.ClickException(f"{missing[0]}: no such file")
    catalog = read_catalog(settings, project).catalog
    result = import_markdown(list(files), catalog)
    click.echo(render_summary(result) if summary else render_table(result), nl=False)
    if dry_run:
        return
    written = write_drafts(result, out_dir, force=force)
    settings.info(f"wrote {len(written)} drafts under {out_dir}")

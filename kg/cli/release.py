"""`kg release` and `kg diff`: versioned releases and the changes between two states of the graph."""
from __future__ import annotations

import datetime
from pathlib import Path

import click

from kg.cli.common import (Settings, catalog_options, engine_option, examples_endpoint_option, library_errors,
                           write_output)

DIFF_FORMATS = ("markdown", "json", "rdfpatch")


def _date(_ctx, _param, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date: write YYYY-MM-DD") from None


def default_changelog(project) -> Path | None:
    """CHANGELOG.md at the project root, for a catalog in a folder named data/ (the usual layout)."""
    data = Path(project.data).resolve()
    return data.parent / "CHANGELOG.md" if data.name == "data" else None


@click.command(name="release")
@click.argument("version")
@catalog_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder of the releases: the release goes to OUT/VERSION.")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD", help="Release date (default: today).")
@click.option("--previous", metavar="DIR|VERSION",
              help="The release this one follows (default: the latest version in --out).")
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              help="Changelog to prepend the changes to (default: CHANGELOG.md beside data/).")
@click.option("--no-changelog", is_flag=True, help="Do not touch the project changelog.")
@examples_endpoint_option("The SPARQL endpoint the examples (sparql-examples.ttl) target.")
@engine_option()
@click.pass_obj
@library_errors
def release(settings: Settings, project, version, out_dir, date, previous, changelog, no_changelog,
            endpoint, engine) -> None:
    """Make release VERSION in OUT/VERSION: the exports, the changes since the previous release
    (CHANGELOG.md, changes.json, changes.rdfpatch), the links out (mappings.sssom.tsv), the saved
    queries as SPARQL examples (sparql-examples.ttl), a VoID/DCAT description (void.ttl) and
    SHA256SUMS.

    The release is built in a temporary folder beside it and renamed into place in one step:
    it is there whole or not at all. An existing release is never overwritten, and an entity
    IRI of the previous release that is gone without a replaced_by stub stops the release
    (KG130). The changes are also prepended to the project changelog.
    """
    from kg.api import release as make_release

    log = None if no_changelog else (changelog or default_changelog(project))
    with settings.progress() as progress:
        made = make_release(version, project, out=out_dir, date=date, previous=previous, changelog=log,
                            engine=engine, endpoint=endpoint, progress=progress)
    settings.print_report(made.report)
    diff = made.diff
    counts = ", ".join(f"{len(diff.by_status(s))} {s}" for s in ("added", "replaced", "removed", "changed"))
    since = f"since {made.previous}" if made.previous else "(the first release)"
    settings.info(f"released {version} in {made.folder} ({len(made.files)} files): {counts} {since}")
    if made.changelog is not None:
        settings.info(f"prepended the changes to {made.changelog}")


@click.command(name="diff")
@click.argument("old")
@click.argument("new")
@catalog_options
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="markdown", show_default=True,
              help="A changelog to read, JSON, or RDF Patch for a store to apply.")
@click.option("--dataset", is_flag=True,
              help="Compare the provenance datasets (one named graph per source) instead of the graphs.")
@click.option("--releases", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Where a bare version (0.1.0) is looked up.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.pass_obj
@library_errors
def diff(settings: Settings, project, old, new, fmt, dataset, releases, output) -> None:
    """Show what changed from OLD to NEW, entity by entity.

    Each side is a git revision of the catalog (HEAD~1, a tag, a commit), a release folder
    (dist/0.1.0, or just 0.1.0), a project folder, or an export file (.nt, .ttl, .jsonld;
    .nq, .trig with --dataset). Entities added, removed, replaced (deprecated, with their
    successor) and changed, property by property (old -> new), with the counts of changed
    values per property. --format rdfpatch writes the RDF Patch (D and A rows) that turns
    OLD's triples into NEW's.
    """
    from kg.api import diff as compare

    with settings.progress() as progress:
        text = compare(old, new, project, format=fmt, dataset=dataset, releases=releases, progress=progress)
    write_output(settings, text.encode("utf-8"), output)

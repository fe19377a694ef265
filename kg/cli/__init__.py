"""The ``kg`` command line: a thin layer over the library (kg.api) that turns its errors into exit codes.

Each command lives in a module of this package and takes what it shares from
``kg.cli.common``; this module only makes the root group and registers them.
"""
from __future__ import annotations

import click

from kg import __version__
from kg.cli.catalog import build, export, stats, validate
from kg.cli.common import CONTEXT_SETTINGS, Settings
from kg.cli.importer import import_group
from kg.cli.query import list_queries, query
from kg.cli.release import diff, release
from kg.cli.serve import push, serve
from kg.cli.visual import lineage, site, timeline
from kg.cli.why import why


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="kg")
@click.option("-q", "--quiet", count=True, help="Print less (errors only).")
@click.option("-v", "--verbose", count=True, help="Print more (timings, counts).")
@click.pass_context
def cli(ctx: click.Context, quiet: int, verbose: int) -> None:
    """kg: the large-language-model landscape as a knowledge graph.

    Reads the catalog (data/), ontology (ontology/), SHACL shapes (shapes/) and saved
    queries (queries/) of the project root. Exit codes: 0 success, 1 problems to fix,
    2 usage error.
    """
    ctx.obj = Settings(verbose - quiet)


for command in (validate, build, export, query, list_queries, stats, why, serve, push, lineage, timeline, site,
                release, diff):
    cli.add_command(command)
cli.add_command(import_group, name="import")


def main() -> None:  # pragma: no cover - the console script
    cli(prog_name="kg")

"""The ``kg`` command group: its root options, and its commands, each imported when it is run.

A command's module (and what it imports) loads only when that command runs or ``kg --help``
lists them all: click's "lazily loading subcommands" pattern.
"""
from __future__ import annotations

import importlib

import click

from kg import __version__
from kg.cli.common import CONTEXT_SETTINGS
from kg.cli.settings import Settings

#: Each command's name, and the module and attribute that define it.
COMMANDS = {
    "build": "kg.cli.catalog:build",
    "cache": "kg.cli.cache:cache_group",
    "diff": "kg.cli.release:diff",
    "export": "kg.cli.catalog:export",
    "import": "kg.cli.importer:import_group",
    "lineage": "kg.cli.visual:lineage",
    "push": "kg.cli.serve:push",
    "queries": "kg.cli.query:list_queries",
    "query": "kg.cli.query:query",
    "release": "kg.cli.release:release",
    "serve": "kg.cli.serve:serve",
    "site": "kg.cli.visual:site",
    "stats": "kg.cli.catalog:stats",
    "timeline": "kg.cli.visual:timeline",
    "validate": "kg.cli.catalog:validate",
    "why": "kg.cli.why:why",
}


class LazyGroup(click.Group):
    """A group whose commands are named in ``COMMANDS`` and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
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

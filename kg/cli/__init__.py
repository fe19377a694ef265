"""The ``kg`` command line: a thin layer over the library (kg.api) that turns its errors into exit codes.

Each command lives in a module of this package and takes what it shares from
``kg.cli.common``; this module only makes the root group and registers them.
"""
from __future__ import annotations

import click

from kg import __version__
from kg.cli.cache import cache_group
from kg.cli.catalog import build, export, stats, validate
from kg.cli.common import CONTEXT_SETTINGS, ReaderGone, Settings
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
cli.add_command(cache_group, name="cache")


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: unwind, so that every clean-up runs (temporary files, children)."""


def _terminated(signum, _frame):
    raise Terminated(signum)


def main() -> None:  # pragma: no cover - the console script (tests/test_faults.py runs it as a process)
    """Run the CLI with the exit codes of a well-behaved Unix tool: 130 after Ctrl-C, 128+N after
    signal N (SIGTERM, SIGHUP), and a quiet end when the reader of stdout goes away."""
    import signal
    import sys

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminated)
    try:
        code = cli.main(prog_name="kg", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        code = 130
    except Terminated as signal_received:
        code = 128 + signal_received.args[0]
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except (BrokenPipeError, ReaderGone):
        _quiet_stdout()
        code = 141  # 128 + SIGPIPE, as a shell reports a writer whose reader left
    sys.stdout.flush() if code in (0, None) else None
    sys.exit(code if isinstance(code, int) else 0)


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's final flush says nothing."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

"""What every command sees, without click: the root options (``Settings``), how the error
boundary words a library error (``error_text``), and the end of stdout's reader (``ReaderGone``).

Click-free so that ``kg query NAME``'s short path (kg.cli.short_path) can use it without importing click.
"""
from __future__ import annotations

import contextlib
import sys


class Settings:
    """Options of the root group that every command sees."""

    def __init__(self, verbosity: int = 0) -> None:
        self.verbosity = verbosity

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            _echo(message, sys.stderr)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            _echo(message, sys.stderr)

    @contextlib.contextmanager
    def progress(self):
        """A progress callback for long work: a status line on a terminal, silence otherwise."""
        from kg.util.progress import for_terminal, quiet

        reporter = for_terminal(self.verbosity)
        try:
            yield reporter or quiet
        finally:
            if reporter is not None:
                reporter.close()

    def print_report(self, report, fmt: str = "text") -> None:
        """Diagnostics as compiler-style text, JSON or GitHub annotations (errors only with -q)."""
        if fmt == "json":
            _echo(report.render("json"), sys.stdout)
            return
        shown = report.errors if self.verbosity < 0 else report.items
        from kg.util.terminal import shown_safely

        for diagnostic in shown:  # a message quotes the catalog: nothing in it acts on the terminal
            _echo(shown_safely(diagnostic.text() if fmt == "text" else diagnostic.github()), sys.stdout)


def _echo(message: str, stream) -> None:
    """``message`` and a newline on ``stream``, flushed (as click.echo writes it)."""
    stream.write(f"{message}\n")
    stream.flush()


class ReaderGone(Exception):
    """The reader of stdout went away (``kg export | head``): kg.cli.main ends quietly, exit 141."""


def error_text(exc: OSError | Exception) -> str:
    """What ``Error: …`` says for a library error (a ``KgError``) or an ``OSError``.

    >>> error_text(FileNotFoundError(2, "No such file or directory", "data/x.yaml"))
    'data/x.yaml: No such file or directory'
    """
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)

"""The ``kg`` command line: a thin layer over the library (kg.api) that turns its errors into exit codes.

Each command lives in a module of this package and takes what it shares from
``kg.cli.common``; ``kg.cli.root`` makes the root group (``cli``, importable from here), which
imports a command's module only when it runs. ``main`` first offers the command line to the
short path of ``kg query NAME`` (kg.cli.short_path), which answers without importing click.
"""
from __future__ import annotations

import sys


def __getattr__(name: str):
    if name == "cli":  # the click group, made on first use: `kg query NAME` may never need click
        from kg.cli.root import cli

        return cli
    raise AttributeError(f"module 'kg.cli' has no attribute '{name}'")


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: unwind, so that every clean-up runs (temporary files, children)."""


def _terminated(signum, _frame):
    raise Terminated(signum)


def main() -> None:  # pragma: no cover - the console script (tests/test_faults.py runs it as a process)
    """Run the CLI with the exit codes of a well-behaved Unix tool: 130 after Ctrl-C, 128+N after
    signal N (SIGTERM, SIGHUP), and a quiet end when the reader of stdout goes away."""
    try:
        import signal

        from kg.cli.settings import ReaderGone
    except KeyboardInterrupt:  # Ctrl-C as kg starts
        sys.stderr.write("interrupted\n") if sys.stderr is not None else None
        sys.exit(130)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminated)
    if sys.stderr is None:  # started with stderr closed (`kg ... 2>&-`): messages go nowhere, the output still out
        import os

        sys.stderr = open(os.devnull, "w")
    if sys.stdout is None:  # started with stdout closed (`kg ... >&-`): Python has no stream to write to
        sys.stderr.write("Error: standard output is closed; send it somewhere instead, e.g. > /dev/null\n")
        sys.exit(1)
    _whole_writes_to_stdout()
    answered_short = False
    try:
        code = _run_short_path(sys.argv[1:])
        answered_short = code is not None
        if not answered_short:
            code = _run_click(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    except Terminated as signal_received:
        code = 128 + signal_received.args[0]
    except (BrokenPipeError, ReaderGone):
        _quiet_stdout()
        code = 141  # 128 + SIGPIPE, as a shell reports a writer whose reader left
    code = code if isinstance(code, int) else 0
    if answered_short:  # nothing is left to clean up: no temporary files, no children, no atexit handlers
        import os

        try:  # what the query printed here (where it could not fork) is written whatever the code
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # the reader left: nothing more to say
            code = code or 141
        except (OSError, ValueError):  # stdout closed, or a full disk: the output is not whole
            code = code or 1
        os._exit(code)  # no interpreter finalization: 3 ms of a warm query
    if code == 0:
        sys.stdout.flush()
    sys.exit(code)


def _whole_writes_to_stdout() -> None:
    """Under ``python -u`` or PYTHONUNBUFFERED (common in containers), stdout's text layer writes
    straight to the file, and a pipe whose reader leaves takes part of a large write: the rest was
    dropped without a word, and kg exited 0 with its output cut. A buffered layer writes the rest,
    or raises BrokenPipeError (exit 141); it is flushed at each newline written, as a terminal's is."""
    import io

    raw = getattr(sys.stdout, "buffer", None)
    if type(raw) is io.FileIO:
        encoding, errors = sys.stdout.encoding, sys.stdout.errors
        sys.stdout.flush()
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(sys.stdout.detach()), encoding=encoding, errors=errors,
                                      line_buffering=True)
        sys.__stdout__ = sys.stdout  # the detached one would refuse any write


def run(args: list[str]) -> int | None:
    """The exit code of ``kg ARGS``: by the short path when it takes them, else by click."""
    code = _run_short_path(args)
    return code if code is not None else _run_click(args)


def _run_short_path(args: list[str]) -> int | None:
    from kg.cli.short_path import run_short_path

    try:
        return run_short_path(args)
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # as click writes before it aborts
        raise


def _run_click(args: list[str]) -> int | None:
    import click

    from kg.cli.root import cli

    try:
        return cli.main(args=args, prog_name="kg", standalone_mode=False)
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    except click.ClickException as error:
        error.show()
        return error.exit_code


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's final flush says nothing."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

"""``kg query NAME`` without click: the short path of the command people run all day.

Importing click and the command modules takes about 25 ms, longer than Oxigraph takes to answer
a saved query on a warm cache. So when the command line is ``kg query NAME`` with nothing but
``-p/--param NAME=VALUE``, ``--engine``, ``--format`` and the folders ``--data``, ``--ontology``,
``--shapes`` and ``--queries`` (in their plain spellings: ``-p X``, ``--param X`` or ``--param=X``,
``--engine X`` or ``--engine=X``, and so on), it is answered here, by the code the click command
runs once it has read its options (kg.cli.querying), with the click command's defaults. Anything
else (another option, a mistake, ``--help``, a root option such as ``-v``) gives None: click takes
the command line and says what it says. A usage error found while answering (an unknown or
ill-typed parameter, a format that does not fit the result) comes before anything is printed;
it too goes back to click, which words it. tests/test_short_path.py holds the two paths to the
same bytes and exit codes.

The bounded child (kg.cli.bounded) is forked before the rest of kg is imported: it then copies
few of this process's pages as it works.

What the modules on this path import is kept small: each of these would add to every warm query
(start-up added to ``import threading, hashlib, pyoxigraph, marshal``, medians of 21 runs):
typing 7 ms, dataclasses (it imports inspect) 12 ms, pickle 7 ms. So they use ``collections``'
named tuples and plain classes, ``collections.abc`` and a local ``TYPE_CHECKING = False``, and a
child that returns None says so without pickle (kg.util.parallel). ``benchmarks/warm_timeline.py``
shows when a warm query reaches each step.
"""
from __future__ import annotations

import collections
import os
import re
import sys

from kg.registry import ENGINES, QUERY_FORMATS, SAVED_QUERY_NAME

#: A ``kg query NAME`` the short path takes: the saved query, its parameters, --format (None: the
#: default), --engine, and the project folders given ({"data": "path", ...}).
ShortRequest = collections.namedtuple("ShortRequest", "name params fmt engine folders")

#: Each option the short path reads, and what it sets.
_OPTIONS = {"-p": "params", "--param": "params", "--engine": "engine", "--format": "fmt",
            "--data": "data", "--ontology": "ontology", "--shapes": "shapes", "--queries": "queries"}


def parse(args: list[str]) -> ShortRequest | None:
    """What ``kg ARGS`` asks when it is a ``kg query NAME`` the short path reads the way click
    would; else None. A folder option naming an existing file or an unreadable folder is click's
    to refuse.

    >>> parse(["query", "models-by-organization", "-p", "org=mistral-ai", "--format=csv", "--data", "data"])
    ShortRequest(name='models-by-organization', params={'org': 'mistral-ai'}, fmt='csv', engine='oxigraph', \
folders={'data': 'data'})
    >>> parse(["query", "--query", "ASK {}"]) is None, parse(["-v", "query", "x"]) is None
    (True, True)
    """
    from kg.registry import DEFAULT_ENGINE

    if not args or args[0] != "query":
        return None
    name, params, fmt, engine, folders = None, {}, None, DEFAULT_ENGINE, {}
    tokens = iter(args[1:])
    for token in tokens:
        if not token.startswith("-"):
            if name is not None or not re.match(SAVED_QUERY_NAME, token.strip()):
                return None
            name = token
            continue
        option, equals, value = token.partition("=")
        if option not in _OPTIONS or (equals and option == "-p"):  # -p=X: click reads "=X"
            return None
        if not equals:
            value = next(tokens, None)
            if value is None:
                return None
        what = _OPTIONS[option]
        if what == "params":
            key, equals, given = value.partition("=")
            if not equals or not key.strip() or key.strip() in params:  # (twice: click says so)
                return None
            params[key.strip()] = given
        elif what == "engine" and value in ENGINES:
            engine = value
        elif what == "fmt" and value in QUERY_FORMATS:
            fmt = value
        elif what in ("data", "ontology", "shapes", "queries") and value and _click_takes_folder(value):
            folders[what] = value
        else:
            return None
    return ShortRequest(name, params, fmt, engine, folders) if name is not None else None


def _click_takes_folder(value: str) -> bool:
    """Whether click's ``Path(file_okay=False)`` takes ``value``: not a file, and readable if it exists."""
    return not os.path.isfile(value) and (not os.path.exists(value) or os.access(value, os.R_OK))


def run_short_path(args: list[str]) -> int | None:
    """The exit code of ``kg ARGS`` answered on the short path, or None when click must take it."""
    short = parse(args)
    if short is None:
        return None
    from kg.cli.bounded import DEFAULT_MAX_MEMORY_BYTES, DEFAULT_TIMEOUT, run_bounded
    from kg.cli.settings import error_text
    from kg.errors import KgError, KgUsageError

    try:
        run_bounded(lambda: _answer(short), timeout=DEFAULT_TIMEOUT, max_memory=DEFAULT_MAX_MEMORY_BYTES)
    except KgUsageError:
        return None  # found before anything was printed: click runs the command and words it
    except BrokenPipeError:
        raise
    except (KgError, OSError) as exc:
        sys.stderr.write(f"Error: {error_text(exc)}\n")
        return 1
    return 0


def _answer(short: ShortRequest) -> None:
    """In the bounded child: the cached graph loading (kg.pipeline.preload) while the rest of kg is
    imported, then the query answered and printed. The preload begins first, on its guess of
    the data folder: everything after it is Python that holds the GIL, and only the load runs beside it."""
    if short.engine == "oxigraph":
        from kg.pipeline import preload

        preload.start(preload.guess_data(short.folders.get("data")))
    from kg.pipeline.location import Project

    project = Project.locate(**short.folders)
    from kg.cli.querying import QueryRequest, answer_here
    from kg.cli.settings import Settings

    request = QueryRequest(short.name, dict(short.params), short.fmt, short.engine)
    answer_here(Settings(), project, request)

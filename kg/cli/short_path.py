"""``kg query NAME`` without click: the short path of the command people run all day.

Importing click and the command modules takes about 25 ms, longer than Oxigraph takes to answer
a saved query on a warm cache. So when the command line is ``kg query NAME`` with nothing but
``-p/--param NAME=VALUE``, ``--engine`` and ``--format`` (in their plain spellings: ``-p X``,
``--param X``, ``--param=X``, ``--engine X``, ``--engine=X``, ``--format X``, ``--format=X``), it
is answered here, by the code the click command runs once it has read its options
(kg.cli.querying), with the click command's defaults. Anything else (another option, a mistake,
``--help``, a root option such as ``-v``) gives None: click takes the command line and says what
it says. A usage error found while answering (an unknown or ill-typed parameter, a format that
does not fit the result) comes before anything is printed; it too goes back to click, which
words it. tests/test_short_path.py holds the two paths to the same bytes and exit codes.
"""
from __future__ import annotations

import sys

from kg.cli.querying import QueryRequest, answer_and_print, query_formats
from kg.cli.settings import Settings, error_text
from kg.registry import ENGINES

#: Each option the short path reads, and the field of QueryRequest it sets.
_OPTIONS = {"-p": "params", "--param": "params", "--engine": "engine", "--format": "fmt"}


def parse(args: list[str]) -> QueryRequest | None:
    """The request of ``kg ARGS`` when it is a ``kg query NAME`` the short path reads the way click
    would; else None.

    >>> parse(["query", "models-by-organization", "-p", "org=mistral-ai", "--format=csv"])
    QueryRequest(text='models-by-organization', params={'org': 'mistral-ai'}, fmt='csv', engine='oxigraph', \
reason=None, cache=True, endpoint=None, timeout=60.0, max_memory=4294967296)
    >>> parse(["query", "--query", "ASK {}"]) is None, parse(["-v", "query", "x"]) is None
    (True, True)
    """
    from kg.sparql.saved import looks_like_name

    if not args or args[0] != "query":
        return None
    request, name, tokens = QueryRequest(""), None, iter(args[1:])
    for token in tokens:
        if not token.startswith("-"):
            if name is not None or not looks_like_name(token):
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
        field = _OPTIONS[option]
        if field == "params":
            key, equals, given = value.partition("=")
            if not equals or not key.strip():
                return None
            request.params[key.strip()] = given
        elif field == "engine" and value in ENGINES:
            request.engine = value
        elif field == "fmt" and value in query_formats():
            request.fmt = value
        else:
            return None
    if name is None:
        return None
    request.text = name
    return request


def run_short_path(args: list[str]) -> int | None:
    """The exit code of ``kg ARGS`` answered on the short path, or None when click must take it."""
    request = parse(args)
    if request is None:
        return None
    from kg.errors import KgError, KgUsageError
    from kg.pipeline.location import Project

    settings = Settings()
    try:
        answer_and_print(settings, Project.locate(), request)
    except KgUsageError:
        return None  # found before anything was printed: click runs the command and words it
    except BrokenPipeError:
        raise
    except (KgError, OSError) as exc:
        report = getattr(exc, "report", None)
        if report is not None:
            settings.print_report(report)
        sys.stderr.write(f"Error: {error_text(exc)}\n")
        return 1
    return 0

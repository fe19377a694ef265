"""Answering a query and printing it, bounded in time and memory: what ``kg query`` does once its
options are read, shared by the click command (kg.cli.query) and its short path (kg.cli.short_path).

Click-free: the short path answers ``kg query NAME`` without importing click.
"""
from __future__ import annotations

import sys
import time

from kg.cli.bounded import DEFAULT_MAX_MEMORY_BYTES, DEFAULT_TIMEOUT, run_bounded
from kg.cli.settings import Settings
from kg.errors import KgUsageError
from kg.registry import DEFAULT_ENGINE, RDF_FORMATS


class QueryRequest:
    """A ``kg query`` as its options give it (``text``: a saved query's name or SPARQL).

    A plain class rather than a dataclass: dataclasses is kept off a warm query's path (kg.cli.short_path).
    """

    __slots__ = ("text", "params", "fmt", "engine", "reason", "cache", "endpoint", "timeout", "max_memory")

    def __init__(self, text: str, params: dict[str, str] | None = None, fmt: str | None = None,
                 engine: str = DEFAULT_ENGINE, reason: str | None = None, cache: bool = True,
                 endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_memory: int | None = DEFAULT_MAX_MEMORY_BYTES) -> None:
        self.text, self.params, self.fmt, self.engine, self.reason = text, params or {}, fmt, engine, reason
        self.cache, self.endpoint, self.timeout, self.max_memory = cache, endpoint, timeout, max_memory

    def __repr__(self) -> str:
        return f"QueryRequest({', '.join(f'{name}={getattr(self, name)!r}' for name in self.__slots__)})"


def answer_and_print(settings: Settings, project, request: QueryRequest) -> None:
    """Answer ``request`` on ``project`` (or its endpoint) and print the result to stdout.

    A local query runs in a forked child bounded by ``request.timeout`` and ``request.max_memory``
    (see kg.cli.bounded); an endpoint's exchange is bounded by its own timeout.
    """
    if request.endpoint:
        answer_here(settings, project, request)
    else:
        run_bounded(lambda: answer_here(settings, project, request), timeout=request.timeout,
                    max_memory=request.max_memory)


def answer_here(settings: Settings, project, request: QueryRequest) -> None:
    """``answer_and_print`` in this process, unbounded."""
    from kg.api import answer

    from kg.rdf.terms import say_literal_problems_in_one_line

    say_literal_problems_in_one_line()  # "abc"^^xsd:integer: one line, not a traceback per conversion
    _check_format_early(project, request)
    start = time.perf_counter()
    with settings.progress() as progress:
        outcome = answer(request.text, project, params=request.params, engine=request.engine,
                         reason=request.reason, cache=request.cache, endpoint=request.endpoint,
                         timeout=request.timeout, progress=progress,
                         stream=request.fmt == "csv",  # rows written as the engine finds them
                         speculate=True)
    settings.debug(f"answered ({outcome.triples} triples, {outcome.inferred} inferred) in "
                   f"{time.perf_counter() - start:.3f} s")
    check_format(outcome.result.kind, request.fmt)  # a usage error comes before any output
    if outcome.catalog_errors:
        settings.info(f"warning: the catalog has {outcome.catalog_summary}; results may be incomplete "
                      "(kg validate lists them)")
    print_result(outcome.result, request.fmt, project.base)
    sys.stdout.flush()


def _check_format_early(project, request: QueryRequest) -> None:
    """The usage error of a --format that does not fit the query's form, before the query runs (the
    short path hands a usage error to click, which would otherwise run the query a second time).
    Only when the form is sure; the answer's own check stays the rule."""
    if request.fmt is None:
        return
    from kg.sparql.saved import QueryError, find_saved_query, looks_like_name, query_form

    try:
        text = find_saved_query(project.queries, request.text).text if looks_like_name(request.text) else request.text
    except (QueryError, OSError):  # a missing query: the answer says so, in its own words
        return
    form = query_form(text)
    if form is not None:
        check_format(form, request.fmt)


def check_format(kind: str, fmt: str | None) -> None:
    """A KgUsageError when ``fmt`` does not fit a result of this ``kind`` ("graph" or rows)."""
    if fmt is None:
        return
    if kind == "graph" and fmt not in RDF_FORMATS:
        raise KgUsageError(f"--format {fmt} is for SELECT/ASK; a CONSTRUCT or DESCRIBE gives a graph: "
                           "use turtle, json-ld or nt")
    if kind != "graph" and fmt in RDF_FORMATS:
        raise KgUsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv or json")


def print_result(result, fmt: str | None, base: str) -> None:
    """A query's result on stdout: a graph in ``fmt`` (default Turtle), rows as a table, CSV, TSV or JSON."""
    check_format(result.kind, fmt)
    if result.kind == "graph":
        from kg.rdf.formats import FORMATS, serialize
        from kg.rdf.vocab import bind_prefixes

        bind_prefixes(result.graph, base)
        sys.stdout.write(serialize(result.graph, FORMATS[fmt or "turtle"], base).decode("utf-8"))
        return
    from kg.sparql.results import render_to

    render_to(result, fmt or "table", sys.stdout, base)

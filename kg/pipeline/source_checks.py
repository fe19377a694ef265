"""The source checks (KG120–KG124) of a catalog, and on a large one its cross-entry checks too, run
in a forked child beside the graph's building (and on a small one its shapes).

On the real catalog the source checks are the slowest check (about 0.2 s of ``kg validate``'s
0.6 s) and need nothing the graph needs, so on Linux they run in a forked child (kg.util.parallel)
while this process builds the graph and runs the shapes, each on one of two cores. Their
diagnostics join the report before the shapes' results are reported (a shape's error on a line
that already has one is left out, kg.validation.shacl).

A catalog of more than ``FORK_UP_TO`` entries hands its cross-entry checks (kg.catalog.checks,
given as ``catalog_checks``) to the same child, and waits for it once the graph's lines are
made: their errors decide whether kg build begins its exports. At a million triples (77k
entries) the checks took 2.8 s and the lines 4.1 s, one after the other 7.2 s, side by side
4.3 s. The child touches every entry, so the pages they are on are copied (about 300 MB): the
sum of both processes' PSS peaked at 922 MiB then, below what the build holds later while
its shapes run (one run each, after reading the catalog in-process).
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from kg.catalog.diagnostics import Report
from kg.catalog.loader import Catalog
from kg.catalog.sourcing import check_sources
from kg.util.gcpause import paused_gc

#: Up to this many entries, the source checks run in a forked child (the real catalog: 724 files); above,
#: the cross-entry checks go with them into the child, which is waited for once the lines are made.
FORK_UP_TO = 20_000


def checked_beside(catalog: Catalog) -> bool:
    """Do the cross-entry checks of ``catalog`` go to the source checks' child (``catalog_checks``)?"""
    return len(catalog.entries) > FORK_UP_TO


class SourceChecks:
    """What ``source_checks`` yields. Called with a report, it waits for the checks and adds their
    diagnostics to it (a second call adds nothing); ``also()`` waits for them too and returns
    what the ``also`` function given to ``source_checks`` returned."""

    def __init__(self, outcome: Callable[[], tuple[list, object]], finished: Callable[[], bool] = lambda: True) -> None:
        self._outcome = outcome
        self._finished = finished
        self._value: tuple[list, object] | None = None
        self._added = False

    def finished(self) -> bool:
        """Whether the checks are done: they ran here, or their child has exited (kg.util.parallel.Child.finished)."""
        return self._value is not None or self._finished()

    def _wait(self) -> tuple[list, object]:
        if self._value is None:
            self._value = self._outcome()
        return self._value

    def __call__(self, report: Report) -> None:
        if not self._added:
            report.extend(self._wait()[0])
            self._added = True

    def also(self) -> object:
        value = self._wait()[1]
        if isinstance(value, _Raised):
            raise value.error
        return value


class _Raised:
    """What ``also`` raised, carried back with the checks' diagnostics."""

    def __init__(self, error: Exception) -> None:
        self.error = error


@contextlib.contextmanager
def source_checks(catalog: Catalog, sources, *, fork_up_to: int | None = None,
                  catalog_checks: Callable[[Report], None] | None = None,
                  also: Callable[[Report], object] | None = None) -> Iterator[SourceChecks]:
    """Start the source checks of ``catalog`` (after ``catalog_checks(report)``, when given); the
    value (``SourceChecks``) is ``add(report)``, which waits for them and adds their diagnostics
    to ``report`` (a second call adds nothing). Leaving the block stops a child still at work.

    They run in a forked child when ``catalog_checks`` is given, or the catalog has at most
    ``fork_up_to`` (default ``FORK_UP_TO``) entries; else here, at once. ``also(diagnostics)``,
    when given, runs after them, where they run, with what they found (kg build gives the query
    cache's fingerprint, which the child takes while this process makes the lines);
    ``add.also()`` is its value, or raises what it raised.

    >>> from kg.pipeline.location import Project
    >>> from kg.catalog.loader import load_catalog
    >>> fixture = Project.locate(data="tests/fixtures/catalog", start="tests/fixtures")
    >>> report = Report()
    >>> with source_checks(load_catalog(fixture.data, report), fixture.source_text()) as add:
    ...     add(report)
    >>> report.summary()
    '0 errors, 0 warnings'
    """
    from kg.util.parallel import can_fork, start_in_child

    def found() -> tuple[list, object]:
        diagnostics = Report()
        with paused_gc():  # millions of acyclic objects made: no collector passes (kg.util.gcpause)
            if catalog_checks is not None:
                catalog_checks(diagnostics)
            check_sources(catalog, diagnostics, sources)
            extra = None
            if also is not None:
                try:
                    extra = also(diagnostics)
                except Exception as exc:  # raised by add.also(), not by the checks: they are not redone
                    extra = _Raised(exc)
            return diagnostics.items, extra

    if fork_up_to is None:
        fork_up_to = FORK_UP_TO
    forking = can_fork() and (catalog_checks is not None or (sources is not None
                                                             and len(catalog.entries) <= fork_up_to))
    if not forking:
        value = found()
        yield SourceChecks(lambda: value)
        return
    child = start_in_child(found)

    def outcome() -> tuple[list, object]:
        ok, value = child.outcome()
        return value if ok and isinstance(value, tuple) else found()  # a child that died: redone here

    try:
        yield SourceChecks(outcome, child.finished)
    finally:
        child.stop()

"""The source checks (KG120–KG124) of a catalog, run beside the graph's building and its shapes.

On the real catalog they are the slowest check (about 0.2 s of ``kg validate``'s 0.6 s) and
need nothing the graph needs, so on Linux they run in a forked child (kg.util.parallel) while
this process builds the graph and runs the shapes, each on one of two cores. Their diagnostics
join the report before the shapes' results are reported (a shape's error on a line that already
has one is left out, kg.validation.shacl). A catalog of more than ``FORK_UP_TO`` entries is
checked here instead: a child reading every entry would copy most of its parent's pages.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from kg.catalog.diagnostics import Report
from kg.catalog.loader import Catalog
from kg.catalog.sourcing import check_sources
from kg.util.gcpause import paused_gc

#: Up to this many entries, the source checks run in a forked child (the real catalog: 724).
FORK_UP_TO = 20_000


@contextlib.contextmanager
def source_checks(catalog: Catalog, sources, *, fork_up_to: int = FORK_UP_TO) -> Iterator[Callable[[Report], None]]:
    """Start the source checks of ``catalog``; the value is ``add(report)``, which waits for them
    and adds their diagnostics to ``report``. Leaving the block stops a child still at work.

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

    def found() -> list:
        diagnostics = Report()
        with paused_gc():  # millions of acyclic objects made: no collector passes (kg.util.gcpause)
            check_sources(catalog, diagnostics, sources)
        return diagnostics.items

    if sources is None or not can_fork() or len(catalog.entries) > fork_up_to:
        items = found()
        yield lambda report: report.extend(items)
        return
    child = start_in_child(found)

    def add(report: Report) -> None:
        ok, value = child.outcome()
        report.extend(value if ok and isinstance(value, list) else found())  # a child that died: redone here

    try:
        yield add
    finally:
        child.stop()

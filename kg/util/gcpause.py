"""Pausing Python's cyclic garbage collector while millions of acyclic objects are made.

Reading a large catalog allocates millions of small objects (values, marks, lines) that
never form cycles; the collector still rescans all of them each time a generation fills,
which at a million triples costs a large share of the load. The pause is scoped: the
collector runs again (and catches up) as soon as the block ends.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from collections.abc import Iterator


class Pause:
    """A pause of the collector (``paused_gc``); ``lifted()`` lets it run inside a part of the block."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @contextmanager
    def lifted(self) -> Iterator[None]:
        """The collector as it was before the pause, for this inner block; paused again after it."""
        if self.enabled:
            gc.enable()
        try:
            yield
        finally:
            gc.disable()


@contextmanager
def paused_gc() -> Iterator[Pause]:
    """Disable the cyclic collector for the block (reference counting still frees everything).

    The collector's first pass after the block goes over every object made during it (about a
    second once a million triples' entries and lines exist): what lives on should be frozen
    (``freeze_survivors``) before the block ends, not after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield Pause(enabled)
    finally:
        if enabled:
            gc.enable()


def freeze_survivors() -> None:
    """Hide every object alive now from the cyclic collector, for the rest of the process.

    For a command that has just built a catalog it keeps until it exits: the collector would
    otherwise rescan those millions of objects (a second or more each full pass), and forked
    children would copy every page it touches. Reference counting still frees them; the few
    cycles already garbage stay (a full collection first would cost more than they weigh).
    """
    gc.freeze()

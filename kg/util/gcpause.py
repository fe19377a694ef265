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


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block (reference counting still frees everything)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
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

"""How soon a thread coming back from pyoxigraph gets the GIL: sooner, while a build's threads run.

A build keeps threads in pyoxigraph (the shapes' store and queries, the query cache's store),
which release the GIL, beside threads in Python (an export writer, the main thread). When a
pyoxigraph call ends, its thread waits for the GIL until the Python thread holding it reaches
the interpreter's switch interval (5 ms by default), while its core may be idle: tens of
chunks and queries, each waiting up to that long. At a million triples a 0.5 ms interval made
the build about half a second faster (benchmarks/build_phases.py, interleaved runs; see
docs/scale.md).
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The switch interval while a build runs, in seconds.
BUILD_SWITCH_INTERVAL = 0.0005

_lock = threading.Lock()
_holders = 0
_saved = 0.0


@contextmanager
def short_switch_interval(seconds: float = BUILD_SWITCH_INTERVAL) -> Iterator[None]:
    """The interpreter's switch interval at most ``seconds`` for the block (shared by nested and
    concurrent blocks; the one before the first is back after the last)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = sys.getswitchinterval()
        _holders += 1
        sys.setswitchinterval(min(seconds, _saved))
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                sys.setswitchinterval(_saved)

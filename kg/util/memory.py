"""Giving memory that was freed back to the system, so that a process's size follows what it holds.

glibc's allocator keeps freed blocks for reuse: a pyoxigraph store of a million triples
(~350 MB in many small allocations) leaves the process just as large once dropped, and only
the allocator itself would ever use that memory again; Python's own objects come from other
pages. ``malloc_trim`` returns the free pages at once.
"""
from __future__ import annotations


def give_back_freed_memory() -> None:
    """Return the allocator's free pages to the system (glibc); elsewhere nothing happens."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass

"""A command's work in a forked child, bounded in time and memory, its errors raised here in the
words of ``--timeout`` and ``--max-memory``.

Lean on purpose (no click, no dataclasses): ``kg query NAME``'s short path forks before it
imports the rest of kg, so that the child copies few of its parent's pages.
"""
from __future__ import annotations

import sys

from kg.errors import KgError

#: --timeout's default for a query: seconds it has to answer in full.
DEFAULT_TIMEOUT = 60.0
#: --max-memory's default for a query, as written on the command line, and in bytes.
DEFAULT_MAX_MEMORY = "4G"
DEFAULT_MAX_MEMORY_BYTES = 4 << 30


def _writes_to_a_file(stream) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return False
    return True


def run_bounded(work, *, timeout: float, max_memory: int | None) -> None:
    """``work()`` in a forked child that prints as it goes: stopped after ``timeout`` seconds, and
    unable to grow by more than ``max_memory`` bytes; what it raised is raised here.

    >>> run_bounded(lambda: None, timeout=10, max_memory=None)
    """
    from kg.util.parallel import ChildDied, can_fork, start_in_child

    if not can_fork() or not _writes_to_a_file(sys.stdout):  # not Linux, or output captured in memory
        work()  # (click's test runner): only a real file descriptor is shared with a child
        return

    def bounded() -> None:  # in the child only: the limit is for the query, not for kg
        if max_memory:
            from kg.util.parallel import limit_memory

            limit_memory(max_memory)
        work()

    sys.stdout.flush()
    sys.stderr.flush()
    child = start_in_child(bounded)
    try:
        try:
            child.wait(timeout=timeout)
        except KgError:  # the query's own error, sent back by a child that cleaned up after itself
            raise
        except BaseException:  # stopped (Ctrl-C, SIGTERM, --timeout, --max-memory) or dead: no clean-up ran there
            _remove_dead_scratch_stores()
            raise
    except TimeoutError:
        raise KgError(f"the query ran longer than --timeout {timeout:g} s and was stopped: add a LIMIT "
                      "or a tighter pattern, or give it more time with --timeout") from None
    except (MemoryError, ChildDied) as exc:  # out of memory, or an engine that aborted when it could not allocate
        damaged = ""
        if isinstance(exc, ChildDied):  # an engine also aborts on a damaged store asking for an impossible block
            damaged = ("; a query that is not large may have met a damaged cache store instead: kg cache "
                       "clear --project (with the same --data), and the next query rebuilds it")
        if not max_memory:
            raise KgError(f"the query stopped: {exc or 'out of memory'}{damaged}") from None
        raise KgError(f"the query needed more than --max-memory {max_memory // (1 << 20)} MiB and was "
                      f"stopped: add a LIMIT or a tighter pattern, or raise --max-memory{damaged}") from None
    except RuntimeError as exc:  # another failure sent back by the child: in its words
        raise KgError(f"the query stopped: {type(exc).__name__}: {exc}") from None


def _remove_dead_scratch_stores() -> None:
    """The scratch store of the child, stopped by SIGKILL while it made one (no clean-up ran there)."""
    try:
        from kg.pipeline.cache import remove_dead_scratch_stores

        remove_dead_scratch_stores()
    except (OSError, KgError):  # the next query holding the entry, or kg cache prune, removes it
        pass

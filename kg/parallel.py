"""Running one function over shares of a list on several processes (fork), results in order.

Reading a large catalog is CPU-bound Python (YAML, normalization), so threads do not help;
forked processes do. Each share but the last goes to a child process that sends its result
back through a pipe (pickled); the last share runs here meanwhile. Where ``fork`` is not
the safe default (anything but Linux), or a child fails for any reason, the work runs in this
process instead: the result is the same, only slower.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: ``tick(n)``: ``n`` more items of a share are done (drives the progress line).
Tick = Callable[[int], None]


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def split(items: Sequence[T], parts: int, weights: Sequence[float] | None = None) -> list[Sequence[T]]:
    """``items`` cut into at most ``parts`` contiguous, non-empty shares of near-equal weight.

    ``weights`` (one per item, default 1 each) measure the work an item takes, e.g. file sizes.
    """
    parts = max(1, min(parts, len(items)))
    if weights is None:
        weights = [1] * len(items)
    total = sum(weights) or 1
    shares, start, running = [], 0, 0.0
    for i, weight in enumerate(weights):
        running += weight
        if len(shares) < parts - 1 and running >= total * (len(shares) + 1) / parts:
            shares.append(items[start:i + 1])
            start = i + 1
    shares.append(items[start:])
    return [share for share in shares if len(share)]


def map_shares(function: Callable[[Sequence[T], Tick], R], shares: list[Sequence[T]],
               progress: Callable[[int], None] | None = None) -> list[R]:
    """``[function(share, tick) for share in shares]``, the shares but the last in child processes.

    ``progress(done)`` is called from this process with the items done across all shares.
    """
    if len(shares) <= 1 or not can_fork():
        return _serial(function, shares, progress)
    context = multiprocessing.get_context("fork")
    counters = [context.Value("q", 0, lock=False) for _ in shares[:-1]]  # each child's items done
    children = []
    for share, counter in zip(shares, counters):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(function, share, sender, counter), daemon=True)
        child.start()
        sender.close()
        children.append((child, receiver))
    own = 0

    def tick(n: int) -> None:
        nonlocal own
        own += n
        if progress is not None:
            progress(own + sum(counter.value for counter in counters))

    try:
        last = function(shares[-1], tick)
        results = [_collect(child, receiver, function, share)
                   for (child, receiver), share in zip(children, shares)]
    finally:
        for child, receiver in children:
            receiver.close()
            if child.is_alive():
                child.terminate()
            child.join()
    if progress is not None:
        progress(sum(len(s) for s in shares))
    return [*results, last]


def _serial(function, shares, progress) -> list:
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done)

    return [function(share, tick) for share in shares]


def _child(function, share, sender, counter) -> None:
    """In the child: run the share, send ``(True, result)`` or ``(False, reason)``, exit."""
    _become_child()

    def tick(n: int) -> None:
        counter.value += n

    try:
        result = (True, function(share, tick))
    except BaseException as exc:  # reported to the parent, which redoes the share itself
        result = (False, f"{type(exc).__name__}: {exc}")
    try:
        sender.send(result)
    finally:
        sender.close()
        os._exit(0)  # no atexit handlers or finalizers of the parent's objects in the child


def _collect(child, receiver, function, share):
    """The child's result; the share is redone here if the child failed or died."""
    try:
        ok, result = receiver.recv()
    except (EOFError, OSError):
        ok = False
    if ok:
        return result
    return function(share, lambda n: None)


class Child:
    """A function running in a forked child process (see ``start_in_child``)."""

    def __init__(self, process, receiver) -> None:
        self.process, self.receiver = process, receiver

    def wait(self) -> None:
        """Wait for the function to end; re-raise what it raised (a full disk stays an OSError)."""
        if self.process is None:
            return
        try:
            ok, value = self.receiver.recv()
        except (EOFError, OSError):
            ok, value = False, RuntimeError(f"a child process of kg died (exit code {self.process.exitcode})")
        finally:
            self._end()
        if not ok:
            raise value

    def stop(self) -> None:
        """Stop the child now, whatever it is doing (its work is being thrown away)."""
        if self.process is not None:
            self.process.terminate()
            self._end()

    def _end(self) -> None:
        self.receiver.close()
        self.process.join()
        self.process = None


def start_in_child(function: Callable[[], None]) -> Child:
    """Start ``function()`` in a forked child process; ``wait()`` on the result to end it.

    Where fork is not safe, ``function`` runs here and now, and ``wait()`` has nothing to do.
    """
    if not can_fork():
        function()
        return Child(None, None)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run_alone, args=(function, sender), daemon=True)
    process.start()
    sender.close()
    return Child(process, receiver)


def _run_alone(function, sender) -> None:
    _become_child()
    try:
        function()
        result = (True, None)
    except BaseException as exc:
        result = (False, exc)
    try:
        try:
            sender.send(result)
        except Exception:  # an exception that does not pickle: send its text
            sender.send((False, RuntimeError(f"{type(result[1]).__name__}: {result[1]}")))
    finally:
        sender.close()
        os._exit(0)


def _become_child() -> None:
    """Ctrl-C is the parent's to handle; and no collector passes, which would copy every page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()

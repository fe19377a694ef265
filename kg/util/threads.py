"""Threads that are waited for until they have really ended, even through Ctrl-C.

On Python 3.11 and 3.12, once a ``Thread.join()`` has been interrupted (Ctrl-C, or the
exception kg's SIGTERM handler raises), the thread counts as ended: ``is_alive()`` is False and
every later ``join()`` returns at once, while it runs on (fixed in 3.13). A clean-up that joins
a thread after an interrupt then goes on under it, and a daemon thread killed when the process
exits leaves behind what it was making (the query cache's scratch store, a staged export).
A ``Worker`` sets an event once its target has returned; ``wait_for`` waits on that instead.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


class Worker(threading.Thread):
    """A daemon thread whose ``ended`` event is set once its target has returned or raised."""

    def __init__(self, target, args: tuple = (), name: str | None = None) -> None:
        super().__init__(target=target, args=args, name=name, daemon=True)
        self.ended = threading.Event()

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.ended.set()


def wait_for(workers: Iterable[Worker], *, interrupts: bool = True,
             on_interrupt: Callable[[], None] | None = None) -> None:
    """Wait until every started worker of ``workers`` has ended. Each must end by itself soon
    (told to stop, or near the end of its work). An interrupt meanwhile (Ctrl-C, SIGTERM) calls
    ``on_interrupt()`` (which tells them to stop) and does not stop the wait; the first is raised
    once they have all ended, unless ``interrupts`` is false (a clean-up already on its way out
    with an exception of its own)."""
    interrupted: BaseException | None = None
    for worker in workers:
        if worker.ident is None:  # never started
            continue
        while not worker.ended.is_set():
            try:
                worker.ended.wait()
            except BaseException as exc:  # raised by a signal handler: the worker still runs
                interrupted = interrupted or exc
                if on_interrupt is not None:
                    try:
                        on_interrupt()
                    except BaseException:  # another signal inside it: the wait goes on all the same
                        pass
    if interrupted is not None and interrupts:
        raise interrupted

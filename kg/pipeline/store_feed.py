"""The shapes' in-memory store, loaded on a thread from the catalog's lines while they are made."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from kg.rdf.terms import load_store
from kg.util.threads import Worker, wait_for

#: Lines per load: a batch is joined into one bytes object (~3 MB) before pyoxigraph takes it.
FEED_BATCH = 25_000


class StoreFeed:
    """Lines handed over as they are made (``add``) go into a new in-memory pyoxigraph store on a
    background thread; ``store()`` waits for the last of them and returns the store.

    pyoxigraph parses and inserts without the GIL, so the store fills on the second core while
    this one goes on making lines. Nothing is loaded before ``ready()`` is true: kg build's
    cross-entry checks run in a forked child meanwhile, whose copied pages and a growing store
    together would make the build's peak memory; from when it is done, batches load as they come.
    At a million triples the lines took 3.7 s, the child 3.0 s of them, and loading the store
    after the lines 2.5 s more (benchmarks/build_phases.py).

    The store holds what ``load_store`` of the same lines would (a set of triples: a line added
    twice is one triple). ``abandon()`` stops the thread after its current batch.
    """

    def __init__(self, ready: Callable[[], bool] = lambda: True, batch: int = FEED_BATCH) -> None:
        import pyoxigraph as ox

        self._store = ox.Store()
        self._ready = ready
        self._opened = False
        self._batch = batch
        self._pending: list[str] = []
        self._held: list[list[str]] = []  # full batches kept until ready()
        self._queue: queue.Queue = queue.Queue()
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = Worker(self._run, name="kg-store-feed")
        self._started = False

    def add(self, lines: list[str]) -> None:
        """More lines of the graph (in any order; duplicates are fine)."""
        self._pending += lines
        if len(self._pending) >= self._batch:
            self._held.append(self._pending)
            self._pending = []
            self._pass_on()

    def _pass_on(self) -> None:
        if not self._opened:
            if not self._ready():
                return
            self._opened = True
        if not self._started:
            self._thread.start()
            self._started = True
        for batch in self._held:
            self._queue.put(batch)
        self._held = []

    def store(self):
        """The store, once every line added is in it; what went wrong on the thread is raised here."""
        if self._pending:
            self._held.append(self._pending)
            self._pending = []
        self._opened = True
        self._pass_on()
        self._queue.put(None)
        wait_for([self._thread], on_interrupt=self._stop.set)
        if self._error is not None:
            raise self._error
        return self._store

    def abandon(self) -> None:
        """Stop loading (what was fed is thrown away) and wait for the thread."""
        self._stop.set()
        if self._started:
            self._queue.put(None)
            wait_for([self._thread], interrupts=False)
        self._store = None

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None or self._stop.is_set():
                return
            try:
                load_store(batch, self._store, trusted=True)  # the lines kg is making: parsed leniently
            except BaseException as exc:  # raised by store()
                self._error = exc
                return

"""A warm query's graph, loaded while the query's code is still being imported.

A warm ``kg query`` spends about as long importing kg as loading its cached graph into an
in-memory pyoxigraph store; pyoxigraph loads without the GIL, so on two cores the two can
overlap. Before the fingerprint says which cache entry holds the catalog as it is now,
``start`` guesses it is the project's most recently used entry and loads that entry's graph in
a thread; ``take`` hands the store over only for that very entry folder (an entry's folder
is named by the fingerprint of the content it holds, so the guess is either right or unused).
The project's data folder is a guess too (``guess_data``), made before pathlib is imported, so
that the load begins as early as it can: the rest of kg's work is GIL-bound Python, and only
the load runs beside it. This module imports nothing heavy; ``start`` imports pyoxigraph.
"""
from __future__ import annotations

import os
import sys
import threading

#: Up to this size a cached graph loads into an in-memory store faster than its on-disk store
#: opens (8k triples, 1.6 MB: 12 ms against 10-35 ms); a larger one is opened from disk, never preloaded.
MEMORY_LOAD_BYTES = 4 << 20

#: The GIL's switch interval while the loader runs: the thread needs the GIL only to begin and to
#: end its load, and with Python's 5 ms the import going on in the main thread keeps it waiting.
SWITCH_INTERVAL = 0.0002

_lock = threading.Lock()
_started: list[threading.Thread] = []
_stores: dict[str, object] = {}


def guess_data(given: str | None = None, start: str | None = None) -> str:
    """The data folder ``kg.pipeline.location.Project.locate`` finds, in plain strings: ``given``,
    else ``data/`` in the nearest folder from ``start`` (the working directory) upwards that holds
    ``data/`` and ``shapes/``, else in ``start``. A wrong guess only costs the preload.

    >>> os.path.basename(guess_data(start="tests/fixtures"))
    'data'
    """
    if given:
        return given
    start = os.path.realpath(start or os.getcwd())
    folder = start
    while True:
        if os.path.isdir(os.path.join(folder, "data")) and os.path.isdir(os.path.join(folder, "shapes")):
            return os.path.join(folder, "data")
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.join(start, "data")
        folder = parent


def start(data: str | os.PathLike, *, max_bytes: int = MEMORY_LOAD_BYTES) -> None:
    """Begin loading, in a thread, the graph of the most recently used cache entry of the project
    whose data folder is ``data``, if its N-Triples file holds at most ``max_bytes``.

    The entry is found, its file read and pyoxigraph imported here: that is GIL-bound work the
    query needs anyway, which a thread would only do slower, taking turns with the imports; the
    thread does the part that runs beside them, pyoxigraph's load.
    """
    found = _latest_graph(os.fspath(data), max_bytes)
    if found is None:
        return
    folder, ntriples = found
    import pyoxigraph

    thread = threading.Thread(target=_load, args=(pyoxigraph, folder, ntriples, sys.getswitchinterval()),
                              daemon=True, name="kg-preload")
    with _lock:
        _started.append(thread)
    sys.setswitchinterval(SWITCH_INTERVAL)  # set back by the thread once its load is kept
    thread.start()


def take(folder: str | os.PathLike):
    """The store loaded for the entry ``folder`` (after waiting for its loader), or None; a store
    loaded for another entry (a wrong guess) is dropped."""
    with _lock:
        threads = list(_started)
        _started.clear()
    for thread in threads:
        thread.join()
    with _lock:
        store = _stores.pop(os.path.abspath(os.fspath(folder)), None)
        _stores.clear()
    return store


def _latest_graph(data: str, max_bytes: int) -> tuple[str, bytes] | None:
    """The folder and N-Triples of the project's most recently used complete entry; None when
    there is none, or its graph is larger than ``max_bytes``, or anything goes wrong."""
    from kg.pipeline.cache_location import GRAPH_FILE, latest_entry

    latest = latest_entry(data)
    if latest is None:
        return None
    try:
        with open(os.path.join(latest, GRAPH_FILE), "rb") as graph_file:
            if os.fstat(graph_file.fileno()).st_size > max_bytes:
                return None
            return latest, graph_file.read()
    except OSError:  # nothing to guess from, or a file gone under us: the query loads its own
        return None


def _load(ox, folder: str, ntriples: bytes, switch_interval: float) -> None:
    """In the thread: the graph into an in-memory store, kept for ``take(folder)``; then the GIL's
    switch interval as it was."""
    try:
        store = ox.Store()
        store.load(ntriples, ox.RdfFormat.N_TRIPLES)  # one thread: the other core runs the query's Python
        with _lock:
            _stores[folder] = store
    except Exception:  # a damaged file: the query finds it so and loads its own
        pass
    finally:
        sys.setswitchinterval(switch_interval)

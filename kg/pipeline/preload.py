"""A warm query's graph, loaded while the query's code is still being imported.

A warm ``kg query`` spends about as long importing kg as loading its cached graph into an
in-memory pyoxigraph store; pyoxigraph loads without the GIL, so on two cores the two can
overlap. Before the fingerprint says which cache entry holds the catalog as it is now,
``start`` guesses it is the project's most recently used entry and loads that entry's graph in
a thread; ``take`` hands the store over only for that very entry folder (an entry's folder
is named by the fingerprint of the content it holds, so the guess is either right or unused).
This module imports nothing heavy: the thread imports what it needs.
"""
from __future__ import annotations

import os
import threading

#: Up to this size a cached graph loads into an in-memory store faster than its on-disk store
#: opens (8k triples, 1.6 MB: 12 ms against 10-35 ms); a larger one is opened from disk, never preloaded.
MEMORY_LOAD_BYTES = 4 << 20

_lock = threading.Lock()
_started: list[threading.Thread] = []
_stores: dict[str, object] = {}


def start(data: str | os.PathLike, *, max_bytes: int = MEMORY_LOAD_BYTES) -> None:
    """Begin loading, in a thread, the graph of the most recently used cache entry of the project
    whose data folder is ``data``, if its N-Triples file holds at most ``max_bytes``."""
    thread = threading.Thread(target=_load_latest, args=(os.fspath(data), max_bytes), daemon=True,
                              name="kg-preload")
    with _lock:
        _started.append(thread)
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


def _load_latest(data: str, max_bytes: int) -> None:
    try:
        from kg.pipeline.cache import CacheEntry, is_key, project_dir

        project = project_dir(data)
        entries = [CacheEntry(project / name) for name in os.listdir(project) if is_key(name, 32)]
        latest = max((e for e in entries if e.complete()), key=lambda e: e.folder.stat().st_mtime_ns, default=None)
        if latest is None or latest.graph_file.stat().st_size > max_bytes:
            return
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(latest.graph_file.read_bytes(), ox.RdfFormat.N_TRIPLES)
    except Exception:  # nothing to guess from, or a file gone under us: the query loads its own
        return
    with _lock:
        _stores[os.path.abspath(os.fspath(latest.folder))] = store

"""Where the query cache lives: its root, each project's folder, and the files of an entry.

Plain strings and ``os.path`` only: a warm query's preload thread (kg.pipeline.preload) finds
its entry with these before anything else of kg is imported. kg.pipeline.cache builds on them.
"""
from __future__ import annotations

import os

#: The files of a cache entry: the query graph, the provenance dataset and the catalog's state.
GRAPH_FILE = "query-graph.nt"
PROVENANCE_FILE = "provenance.nq"
META_FILE = "meta.json"
#: The entry's on-disk Oxigraph stores (folders), made for a graph too large to load in memory:
#: the query graph alone (what a query without GRAPH reads; kg build makes it), and the query
#: graph with the provenance dataset's named graphs (made by the first query that may read
#: them). The second keeps the name and content of the one store older versions made, so an
#: older kg sharing the cache reads the right one, and its stores serve this one.
STORE_DIR = "oxigraph-graph"
DATASET_STORE_DIR = "oxigraph"


def store_names(named_graphs: bool) -> tuple[str, ...]:
    """The stores of an entry that can answer a query (one that may read named graphs, or not),
    the one to prefer first: without GRAPH, the dataset's store answers as the graph's would."""
    return (DATASET_STORE_DIR,) if named_graphs else (STORE_DIR, DATASET_STORE_DIR)


def entry_store(folder: str | os.PathLike, named_graphs: bool = False) -> str | None:
    """The store of the entry ``folder`` that such a query opens (``store_names``), if there is one."""
    return next((path for path in (os.path.join(folder, name) for name in store_names(named_graphs))
                 if os.path.isdir(path)), None)


def cache_root() -> str:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return os.environ["KG_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kg")


def project_folder(data: str | os.PathLike) -> str:
    """The folder of one project's entries and digest index, keyed by its data folder's path.

    >>> len(os.path.basename(project_folder("data")))
    16
    """
    import hashlib

    absolute = os.path.abspath(os.fspath(data))
    return os.path.join(cache_root(), "projects", hashlib.sha256(absolute.encode()).hexdigest()[:16])


def is_key(name: str, length: int) -> bool:
    """Whether ``name`` is a key of the cache: ``length`` lowercase hexadecimal digits.

    >>> is_key("0123abcd", 8), is_key("0123ABCD", 8)
    (True, False)
    """
    return len(name) == length and all(c in "0123456789abcdef" for c in name)


def entry_complete(folder: str | os.PathLike) -> bool:
    """Whether the entry ``folder`` holds its three files."""
    return all(os.path.isfile(os.path.join(folder, name)) for name in (GRAPH_FILE, PROVENANCE_FILE, META_FILE))


def latest_entry(data: str | os.PathLike) -> str | None:
    """The absolute folder of the most recently used complete entry of the project whose data
    folder is ``data`` (a query's best guess at the entry its fingerprint will name); None when
    there is none or the cache cannot be read."""
    try:
        project = project_folder(data)
        names = os.listdir(project)
    except OSError:
        return None
    best, best_ns = None, -1
    for name in names:
        if not is_key(name, 32):
            continue
        folder = os.path.join(project, name)
        try:
            used_ns = os.stat(folder).st_mtime_ns
        except OSError:  # evicted meanwhile
            continue
        if used_ns > best_ns and entry_complete(folder):
            best, best_ns = folder, used_ns
    return os.path.abspath(best) if best is not None else None

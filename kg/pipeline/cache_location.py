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

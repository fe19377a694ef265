"""A warm query on a large cached graph, answered in a forked child while the fingerprint is taken.

On a million-triple catalog the fingerprint stats 77k files (~0.2 s), and only then does the
query open the cache entry it names, evaluate there (0.1-0.3 s) and read its rows (0.1 s for
17k). pyoxigraph holds the GIL while it evaluates, so a thread would not overlap the two; a
forked child (kg.util.parallel) does, on the second core. ``start`` guesses that the entry
will be the project's most recently used one holding an on-disk store (as kg.pipeline.preload
does for small graphs) and answers the query there, in a child; ``take`` hands the entry's
store over, wrapped so that the query the child answered, asked again with the same text,
substitutions and prefixes, takes the child's rows instead of being evaluated again, only
for that very entry folder (named by the fingerprint of the content it holds, so the guess is
either right or unused). A wrong guess, or anything that goes wrong in the child, only means
the query runs as it would have; the child is stopped.

The child has pyoxigraph write the rows in the TSV results format and sends the bytes, read
back here once (kg.sparql.tsv_rows); rows in a form that reader does not know only mean the same.

Only a SELECT comes back; only a text ``saved.surely_safe`` proves free of SERVICE, LOAD and
FROM is sent to the child, so the safety check still comes before any evaluation.
"""
from __future__ import annotations

import os
from pathlib import Path

from kg.pipeline.cache import CacheEntry, _flock
from kg.pipeline.cache_location import GRAPH_FILE, entry_store, latest_entry
from kg.pipeline.preload import MEMORY_LOAD_BYTES

_current: list["Speculation"] = []
_UNREAD = object()
#: A child that has used no CPU time for this many seconds before answering is stuck: it is
#: stopped and the query runs here (kg.util.parallel.Child.outcome).
STALLED_AFTER = 2.0


class Speculation:
    """One guess: the entry folder, the query sent, and the child answering it."""

    def __init__(self, folder: str, text: str, bindings: dict, prefixes: dict | None, child) -> None:
        self.folder, self.text, self.bindings, self.prefixes, self.child = folder, text, bindings, prefixes, child
        self.taken = False
        self._rows = _UNREAD

    def rows(self):
        """``(variables, cells)`` from the child, or None (it failed, the result is no SELECT, or
        its rows are in a form kg.sparql.tsv_rows does not read); read once, waiting for the child."""
        if self._rows is _UNREAD:
            self._rows = self._read_rows()
        return self._rows

    def _read_rows(self):
        import pickle  # noqa: F401  the child's answer comes pickled: imported while it still works
        from kg.sparql.tsv_rows import cells_from_tsv

        ok, value = self.child.outcome(stalled_after=STALLED_AFTER)
        if not ok or value is None:
            return None
        variables, data = value
        try:
            return variables, cells_from_tsv(data, len(variables))
        except ValueError:  # the query runs here instead
            return None

    def stop(self) -> None:
        self.child.stop()


def latest_store_entry(data: str | os.PathLike, named_graphs: bool = False) -> str | None:
    """The folder of the project's most recently used complete entry with an on-disk store (one
    with the provenance dataset when ``named_graphs``), if its graph is too large for
    kg.pipeline.preload's in-memory load; else None."""
    latest = latest_entry(data)
    try:
        if (latest is None or entry_store(latest, named_graphs) is None
                or os.stat(os.path.join(latest, GRAPH_FILE)).st_size <= MEMORY_LOAD_BYTES):
            return None
    except OSError:  # evicted meanwhile
        return None
    return latest


def _answer(folder: str, text: str, bindings: dict, prefixes: dict | None, named_graphs: bool,
            parent_cpu: int | None = None):
    """In the child: the query's variables and its rows as TSV bytes (kg.sparql.engines.select_as_tsv)
    on the entry's store, or None. Written by pyoxigraph and read once by the parent, rows cost
    less than as terms converted here, pickled and unpickled: at a million triples, a warm
    models-using-technique (17k rows) took 0.44 s against 0.50 (benchmarks/compare.py, medians of 9).
    Reading the rows here when they are few (hidden behind the parent's fingerprint) measured no
    faster for moe-models (8.8k rows: 0.29 s either way), so it is not done.

    The child works on one CPU, not the one its parent last ran on (kg.util.parallel.on_one_cpu):
    the parent takes the fingerprint meanwhile, and RocksDB, opening the store's files on several
    threads, would otherwise have some of them wait for that CPU (the store opened in 9 ms instead
    of 48, the rows came 50 ms sooner: benchmarks/warm_timeline.py, in docs/scale.md). Not when
    its parent has used an on-disk store (on_one_cpu says why): kg query's process has not."""
    from kg.util.parallel import on_one_cpu

    # a shared lock without CacheEntry.hold's record of use: a guess must not make an old entry
    # look recently used (the next query's guess would be it again)
    if _flock(folder, exclusive=False) is None:  # being evicted; else held until the child ends
        return None
    return on_one_cpu(lambda: _answer_on(folder, text, bindings, prefixes, named_graphs), avoid=parent_cpu)


def _answer_on(folder: str, text: str, bindings: dict, prefixes: dict | None, named_graphs: bool):
    from kg.sparql.engines import select_as_tsv

    store = CacheEntry(Path(folder)).open_store(named_graphs)  # the one the query will open
    if store is None:  # damaged, or made by another pyoxigraph: the query opens what it can itself
        return None
    return select_as_tsv(store, text, bindings, prefixes=prefixes)


def start(data: str | os.PathLike, text: str, bindings: dict, prefixes: dict | None) -> None:
    """Begin answering ``text`` (with ``bindings`` and ``prefixes``, as kg.sparql.engines.run_on_store
    takes them) in a forked child, on the store of the project's most recently used entry. The
    caller has checked that the text is safe, and calls ``drop`` once the query is answered."""
    from kg.sparql.saved import uses_named_graphs
    from kg.util.parallel import can_fork, current_cpu, start_in_child

    drop()
    named_graphs = uses_named_graphs(text)
    folder = latest_store_entry(data, named_graphs)
    if folder is None or not can_fork():
        return
    import fcntl  # noqa: F401  imported before the fork, as is pyoxigraph: a module another thread
    import pyoxigraph  # noqa: F401  was importing at the fork would stay locked in the child

    try:
        cpu = current_cpu()
        child = start_in_child(lambda: _answer(folder, text, bindings, prefixes, named_graphs, cpu))
    except OSError:  # no fork to be had (no memory, too many processes): the query runs as it would have
        return
    _current.append(Speculation(folder, text, bindings, prefixes, child))


def take(folder: str | os.PathLike, open_store):
    """The store of the entry ``folder`` (``open_store()`` opens it: a pyoxigraph store, or None),
    wrapped with the child's answer when the guess named this entry and the child answered; else
    ``open_store()`` itself, and the child is stopped.

    The child's rows are waited for here: when it answered, the store is opened only if a query
    other than the child's comes (``AnsweringStore``). Opening it costs 10-40 ms (RocksDB reads
    its files' indexes on several threads), which would otherwise be spent after the fingerprint
    of a query whose rows the child has already, or beside the child's evaluation, slowing it.
    """
    speculation = next((s for s in _current if not s.taken), None)
    if speculation is None:
        return open_store()
    speculation.taken = True
    if speculation.folder != os.path.abspath(os.fspath(folder)):
        speculation.stop()
        return open_store()
    if speculation.rows() is None:  # the child failed, or sent what is not read here: evaluated here
        return open_store()
    return AnsweringStore(open_store, speculation)


def drop() -> None:
    """Stop the child (if it is still at work: the query went another way, or failed) and forget it."""
    while _current:
        _current.pop().stop()


class AnsweringStore:
    """A pyoxigraph store that takes one query's rows from a speculation instead of evaluating
    it again; anything else goes to the store, opened on first need."""

    def __init__(self, open_store, speculation: Speculation) -> None:
        self._open, self._opened, self._speculation = open_store, None, speculation

    @property
    def _store(self):
        if self._opened is None:
            self._opened = self._open()
            if self._opened is None:  # the child opened it a moment ago: gone or damaged since
                from kg.errors import KgError

                raise KgError("the query cache's on-disk store could not be opened: run the query again "
                              "(kg cache clear, if it fails again)")
        return self._opened

    def answered(self, text: str, bindings: dict | None, prefixes: dict | None):
        """The speculation's ``(variables, cells)`` if it answered exactly this query; else None."""
        speculation, self._speculation = self._speculation, None
        if speculation is None:
            return None
        if text != speculation.text or (bindings or {}) != speculation.bindings or prefixes != speculation.prefixes:
            speculation.stop()
            return None
        return speculation.rows()

    def quads_for_pattern(self, *args, **kwargs):  # defined here: what tells a store from an rdflib graph
        return self._store.quads_for_pattern(*args, **kwargs)  # (kg.sparql.engines), without opening it

    def __getattr__(self, name):
        return getattr(self._store, name)

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self):
        return iter(self._store)

    def __contains__(self, quad) -> bool:
        return quad in self._store

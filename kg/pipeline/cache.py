"""A bounded cache of built graphs, keyed by the content of data/, ontology/ and shapes/.

``kg query`` would otherwise read every YAML file and rebuild the graph on each call. The
cache holds the query graph (catalog + ontology) as N-Triples, the provenance dataset as
N-Quads, for a large graph on-disk Oxigraph stores (of the query graph alone, and of it with the
provenance dataset's named graphs: kg.pipeline.cache_location.store_names), and the inferred
triples of each reasoning profile once computed, under ``$KG_CACHE_DIR`` (default
``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``)::

    projects/<key of the data folder>/project.txt         the data folder's path
    projects/<key of the data folder>/file-digests.bin    that project's DigestIndex
    projects/<key of the data folder>/<fingerprint>/      one entry: meta.json, query-graph.nt,
                                                          provenance.nq, oxigraph-graph/, oxigraph/
    shapes/<key>.json                                     compiled SHACL shapes (kg.pipeline.shapes_cache)

Any change to a file changes the fingerprint. Entries beyond ``max_bytes()`` (1 GiB, or
``$KG_CACHE_MAX_BYTES``) are evicted least recently used first: a hit touches its entry's
folder, so its mtime is its last use. A process using an entry holds a shared ``flock`` on
its folder; eviction takes an exclusive one without waiting and skips an entry it cannot
lock, then renames the folder away before deleting it, so no reader ever sees half an entry.
"""
from __future__ import annotations

import errno
import hashlib
import stat as stat_module
import json
import os
import threading
import time
from collections import namedtuple
from pathlib import Path

from kg import __version__
from kg.errors import KgError, KgUsageError
from kg.pipeline import cache_location
from kg.pipeline.cache_location import is_key
from kg.util.fsutil import atomic_writer, process_alive, write_atomic
from kg.util.gcpause import paused_gc
from kg.util.parallel import note_on_disk_store

TYPE_CHECKING = False  # typing's flag, without importing typing (a warm query's path, kg.cli.short_path)
if TYPE_CHECKING:
    from typing import BinaryIO


def cache_root() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    return Path(cache_location.cache_root())


#: The cap on the cache's entries when ``$KG_CACHE_MAX_BYTES`` does not set one.
DEFAULT_MAX_BYTES = 1 << 30
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``1073741824``, ``512M``, ``1G`` or ``1.5GiB`` (powers of 1024).

    >>> parse_size("512M"), parse_size("1GiB"), parse_size("2048")
    (536870912, 1073741824, 2048)
    """
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS and cleaned[-1:] else ""
    number = cleaned[: len(cleaned) - len(unit)].strip()
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        value = -1.0
    if not 0 <= value < float(1 << 62):  # negative, nan, inf, 1e400: no size
        raise KgUsageError(f"not a size: '{text}' (write bytes, or a number with K, M or G)")
    return int(value)


def max_bytes() -> int:
    """The cap on the cache's entries: ``$KG_CACHE_MAX_BYTES`` (e.g. ``2G``), else 1 GiB."""
    given = os.environ.get("KG_CACHE_MAX_BYTES", "").strip()
    if not given:
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(given)
    except KgUsageError:  # the environment's mistake, not the command line's
        raise KgError(f"KG_CACHE_MAX_BYTES={given!r} is not a size: write bytes or a number with K, M or G "
                      f"(e.g. 2G), or unset it for the default ({DEFAULT_MAX_BYTES // (1 << 30)}G)") from None


def project_dir(data: Path) -> Path:
    """The folder of one project's entries and digest index, keyed by its data folder's path."""
    return Path(cache_location.project_folder(data))


INDEX_NAME = "file-digests.bin"
PROJECT_NAME = "project.txt"


#: A recorded digest is trusted only for a file last changed this long before it was taken, so
#: that a change within one tick of a coarse file-system clock is never missed (git's rule for
#: "racily clean" index entries).
RACY_NS = 2_000_000_000

#: The length of a digest (sha256): a recorded one of any other length is damage, never trusted.
DIGEST_BYTES = 32


def read_marshalled_dict(path: Path, magic: bytes) -> dict:
    """The ``marshal``-ed dict written after the line ``magic`` in ``path``; {} when the file is
    missing, unreadable, of another kind or damaged (a cache file only ever costs speed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(magic):
        return {}
    import marshal

    try:
        value = marshal.loads(memoryview(data)[len(magic):])
    except (EOFError, ValueError, TypeError):
        return {}
    return value if type(value) is dict else {}


def write_marshalled_dict(path: Path, magic: bytes, value: dict) -> None:
    """Write ``value`` marshal-ed after the line ``magic``, whole or not at all; a cache that
    cannot be written (read-only, full) only costs speed, so that is not an error."""
    import marshal

    try:
        write_atomic(path, magic + marshal.dumps(value))
    except (OSError, ValueError):
        pass


class DigestIndex:
    """The sha256 of files by path, trusted while their size, mtime, ctime and inode are unchanged.

    Fingerprinting a million-triple catalog means hashing 77k files (~2 s); with the index it
    means stat-ing them (~0.2 s), reading only files that changed. Kept in the project's cache
    folder as a ``marshal``-ed dict ``{path: (size, mtime_ns, ctime_ns, inode, digest)}``
    after a magic line: it loads in a third of the time text lines would take (35 ms for
    77k files). Anything unreadable or damaged there only costs re-reading files.
    """

    MAGIC = b"kg file digests 1\n"

    def __init__(self, path: Path, *, racy_ns: int = RACY_NS) -> None:
        """``racy_ns``: a file changed less than this long before it was hashed is not trusted."""
        self.path, self.racy_ns = path, racy_ns
        self.entries: dict[str, tuple[int, int, int, int, bytes]] = read_marshalled_dict(path, self.MAGIC)
        self.changed = False

    def digest(self, path: str, known: bytes | None = None, known_since_ns: int = 0) -> bytes:
        """The sha256 of the file at ``path``: recorded, ``known`` (read at ``known_since_ns``), or read now."""
        stat = os.stat(path)
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if known is not None:
            self._record(path, key, known, known_since_ns)
            return known
        recorded = self.entries.get(path)
        if (type(recorded) is tuple and len(recorded) == 5 and recorded[:4] == key and type(recorded[4]) is bytes
                and len(recorded[4]) == DIGEST_BYTES):
            return recorded[4]
        now_ns = time.time_ns()
        if not stat_module.S_ISREG(stat.st_mode):  # a FIFO or device in a project folder: never read it
            return hashlib.sha256(f"not a regular file {stat.st_mode:o}".encode()).digest()
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).digest()
        self._record(path, key, digest, now_ns)
        return digest

    def _record(self, path: str, key: tuple, digest: bytes, taken_ns: int) -> None:
        trusted = max(key[1], key[2]) < taken_ns - self.racy_ns and "\n" not in path
        if trusted and self.entries.get(path) != (*key, digest):
            self.entries[path] = (*key, digest)
            self.changed = True
        elif not trusted and path in self.entries:
            del self.entries[path]
            self.changed = True

    def save(self) -> None:
        if self.changed:
            write_marshalled_dict(self.path, self.MAGIC, self.entries)
        self.changed = False


SNAPSHOT_NAME = "folder-stats.bin"


class FolderSnapshots:
    """Each folder's files as the DigestIndex trusts them all: its paths, its stat keys (size, mtime,
    ctime, inode) and its digests, each as one bytes object, in the project's cache folder.

    A query compares the paths and stat keys of a folder's files with its snapshot as two byte
    strings (the paths NUL-joined, as the fingerprint hashes them; the keys ``marshal``-ed in
    version 2, which has no back-references, so equal keys give equal bytes) instead of looking
    every file up in the index: no Python object per file to read back, and one comparison in C.
    Any difference (a file changed, added or removed) falls back to the index, file by file; a
    snapshot is taken only when the index trusts every file of the folder (so git's racily clean
    rule holds here too). Anything unreadable or damaged only costs the fallback.
    """

    MAGIC = b"kg folder stats 2\n"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folders: dict[str, tuple[bytes, bytes, bytes]] = read_marshalled_dict(path, self.MAGIC)
        self.changed = False

    @staticmethod
    def packed(keys: list[tuple]) -> bytes:
        """Stat keys as the bytes a snapshot compares (``marshal`` version 2: no references)."""
        import marshal

        return marshal.dumps(keys, 2)

    def matching(self, folder: str, names: bytes, count: int, keys: bytes) -> bytes | None:
        """The joined digests of the folder's ``count`` files if their NUL-joined paths ``names`` and
        their ``packed`` stat keys are the snapshot's."""
        recorded = self.folders.get(folder)
        if (type(recorded) is tuple and len(recorded) == 3 and all(type(part) is bytes for part in recorded)
                and len(recorded[2]) == DIGEST_BYTES * count and recorded[0] == names and recorded[1] == keys):
            return recorded[2]
        return None

    def take(self, folder: str, names: bytes, absolutes: list[str], index: DigestIndex, joined: bytes) -> None:
        """Record the folder as ``index`` holds it, if it trusts every file with the digest used."""
        entries = index.entries
        keys = []
        for at, path in enumerate(absolutes):
            recorded = entries.get(path)
            if (type(recorded) is not tuple or len(recorded) != 5
                    or recorded[4] != joined[at * DIGEST_BYTES:(at + 1) * DIGEST_BYTES]):
                if self.folders.pop(folder, None) is not None:
                    self.changed = True
                return
            keys.append(recorded[:4])
        snapshot = (names, self.packed(keys), joined)
        if self.folders.get(folder) != snapshot:
            self.folders[folder] = snapshot
            self.changed = True

    def save(self) -> None:
        if self.changed:
            write_marshalled_dict(self.path, self.MAGIC, self.folders)
        self.changed = False


def fingerprint(folders: list[Path], base: str, known: dict[str, bytes] | None = None,
                known_since_ns: int = 0, *, racy_ns: int = RACY_NS) -> str:
    """A digest of every file's path and bytes under ``folders``, the base IRI and kg's version.

    ``known`` maps a file's path (as ``os.walk`` spells it) to the sha256 of its bytes, for
    files just read (the catalog's entries during a build, read from ``known_since_ns`` on):
    they are not read again. Other files come from the DigestIndex of the project whose data
    folder is ``folders[0]``, when unchanged.
    """
    with paused_gc():  # tens of thousands of tuples, none cyclic: no collector pass over them
        return _fingerprint(folders, base, known or {}, known_since_ns, racy_ns)


def _fingerprint(folders: list[Path], base: str, known: dict[str, bytes], known_since_ns: int,
                 racy_ns: int) -> str:
    project = project_dir(folders[0])
    snapshots = FolderSnapshots(project / SNAPSHOT_NAME)
    index: DigestIndex | None = None  # read only when a snapshot does not match
    digest = hashlib.sha256(f"kg {__version__}\n{base}\n".encode())
    for folder in folders:
        digest.update(f"[{folder.name}]\n".encode())
        if not folder.is_dir():
            continue
        top = os.fspath(folder)
        relatives: list[str] = []
        for parent, _dirs, names in os.walk(top):  # a prefix per folder: no path calls per file
            relative = parent[len(top):].lstrip(os.sep)
            if relative:
                prefix = os.path.join(relative, "")
                relatives += [prefix + name for name in names]
            else:
                relatives += names
        relatives.sort()
        absolute_top = os.path.join(os.path.abspath(top), "")
        absolutes = [absolute_top + relative for relative in relatives]
        names = "\0".join(relatives).encode()
        joined = None
        if not known:
            stat = os.stat
            keys = [(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) for st in map(stat, absolutes)]
            joined = snapshots.matching(absolute_top, names, len(relatives), snapshots.packed(keys))
        if joined is None:
            if index is None:
                index = DigestIndex(project / INDEX_NAME, racy_ns=racy_ns)
            if known:  # a build: the files it read are not read again
                walked = os.path.join(top, "")
                digests = [index.digest(absolute, known.get(walked + relative), known_since_ns)
                           for relative, absolute in zip(relatives, absolutes)]
            else:
                digests = _recorded_digests(index, absolutes)
            joined = b"".join(digests)
            snapshots.take(absolute_top, names, absolutes, index, joined)
        # how many files, their paths (none holds a NUL) and their digests (32 bytes each), in order
        digest.update(f"{len(relatives)}\0".encode())
        digest.update(names)
        digest.update(b"\0")
        digest.update(joined)
    if index is not None:
        if index.changed:
            _note_project(folders[0])
        index.save()
    snapshots.save()
    return digest.hexdigest()[:32]


def _recorded_digests(index: DigestIndex, paths: list[str]) -> list[bytes]:
    """``index.digest`` of each path, with its common case (the recorded stat matches) inlined:
    no method call per file, which counts at 77k files."""
    entries, stat, of_file = index.entries, os.stat, index.digest
    digests = []
    append = digests.append
    for path in paths:
        recorded = entries.get(path)
        if type(recorded) is tuple and len(recorded) == 5 and type(recorded[4]) is bytes:
            st = stat(path)
            if (recorded[0] == st.st_size and recorded[1] == st.st_mtime_ns and recorded[2] == st.st_ctime_ns
                    and recorded[3] == st.st_ino and len(recorded[4]) == DIGEST_BYTES):
                append(recorded[4])
                continue
        append(of_file(path))
    return digests


def _note_project(data: Path) -> None:
    """Write which data folder a project folder of the cache belongs to (for ``kg cache info``)."""
    note = project_dir(data) / PROJECT_NAME
    if not note.is_file():
        try:
            write_atomic(note, (os.path.abspath(os.fspath(data)) + "\n").encode("utf-8"))
        except OSError:  # a read-only cache only costs speed
            pass


#: Lines per bulk load into an on-disk store (see CacheEntry.write_store).
STORE_CHUNK = 25_000
#: The same for N-Triples or N-Quads bytes (the cache's files), cut after a line: ~30k generated lines.
STORE_CHUNK_BYTES = 4 << 20
#: Threads loading chunks into an on-disk store at once (see _load_in_chunks).
STORE_FEEDERS = 2


def _load_in_chunks(store, content: list[str] | bytes, as_quads: bool, cancelled: threading.Event | None,
                    feeders: int = STORE_FEEDERS, copy_to: BinaryIO | None = None) -> bool:
    """Load lines (``STORE_CHUNK`` at a time) or bytes into ``store``: True once every chunk is in,
    False when ``cancelled`` was set first (checked before each chunk).
    Lines are a build's own (parsed leniently, kg.rdf.terms.load_store); bytes, the cache's files
    read back (checked). ``copy_to``: a file the chunks' N-Triples (N-Quads) are written to as
    well, in order, as they are made for the store (whole once True is returned): for lines, what
    ``kg.rdf.ntriples.write_blocks`` writes, the lines encoded once for both.

    ``feeders`` threads take the chunks in turn, each loading one while the others load theirs
    (pyoxigraph bulk-loads without the GIL, and concurrent loads into one store are safe: the same
    store, equal sorted dumps for data without blank nodes, whose ids differ from one load to the
    next anyway). One bulk load of a chunk keeps a core busy only part of the time:
    at a million lines, loaded and compacted, two feeders took 2.98 s and 4.49 CPU-seconds
    against 3.35 s and 5.02 for one, and 24 MiB more at their peak (benchmarks/store_load.py,
    medians of 3); kg build 19.09 → 18.15 s (benchmarks/compare.py, 5 runs each).
    """
    from kg.rdf.ntriples import to_bytes
    from kg.rdf.terms import load_store

    from_file = isinstance(content, (bytes, bytearray))
    if from_file:  # whole lines of about STORE_CHUNK_BYTES at a time
        bounds, start = [], 0
        while start < len(content):
            end = content.find(b"\n", start + STORE_CHUNK_BYTES)
            end = len(content) if end < 0 else end + 1
            bounds.append((start, end))
            start = end
    else:
        bounds = [(start, start + STORE_CHUNK) for start in range(0, len(content), STORE_CHUNK)]

    def take(start: int, end: int) -> bytes:  # under the lock: the chunks reach copy_to in their order
        data = content[start:end] if from_file else to_bytes(content[start:end])
        if copy_to is not None:
            copy_to.write(data)
        return data

    def load(data: bytes) -> None:
        load_store(data, store, quads=as_quads, bulk=True, trusted=not from_file)

    chunks = iter(bounds)
    taking = threading.Lock()
    failed: list[BaseException] = []
    exhausted = []

    def feed() -> None:
        while not failed and not (cancelled is not None and cancelled.is_set()):
            try:
                with taking:
                    chunk = next(chunks, None)
                    data = take(*chunk) if chunk is not None else None
                if chunk is None:
                    exhausted.append(True)
                    return
                load(data)
            except BaseException as exc:  # raised again by the caller's thread
                failed.append(exc)

    from kg.util.threads import Worker, wait_for

    helpers = [Worker(feed, name="kg-store-feeder") for _ in range(min(feeders, len(bounds)) - 1)]
    try:
        for helper in helpers:
            helper.start()
        feed()
    except BaseException as exc:  # Ctrl-C between two chunks: the helpers stop after theirs
        failed.append(exc)
        raise
    finally:  # the store's folder must not be removed under them, even after a second Ctrl-C
        wait_for(helpers, on_interrupt=lambda: failed.append(KeyboardInterrupt()))
    if failed:
        raise failed[0]
    return bool(exhausted) or not bounds


def _flock(folder: Path, exclusive: bool) -> int | None:
    """A descriptor of ``folder`` locked shared or (without waiting) exclusive; None if not had.

    Where ``fcntl`` does not exist, -1: nothing is locked, nothing is refused.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return -1
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return None
    try:
        if os.path.samestat(os.fstat(fd), os.stat(folder)):  # not renamed away while we waited
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


class Lease:
    """A shared lock on an entry's folder: eviction leaves the entry alone until it is released
    (by ``release()``, or when the lease is garbage-collected or the process ends)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
        self.fd = -1

    def __del__(self) -> None:
        self.release()


class CacheEntry:
    """One cached build: its folder, and the files a reader may find there. (Plain classes and
    named tuples here, not dataclasses: dataclasses is kept off a warm query's path (kg.cli.short_path).)"""

    __slots__ = ("folder", "store_problem")

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Why the last ``write_store`` could not write its store (a full or read-only cache), if it could not.
        self.store_problem: OSError | None = None

    def __repr__(self) -> str:
        return f"CacheEntry(folder={self.folder!r})"

    def __eq__(self, other: object) -> bool:
        return self.folder == other.folder if type(other) is CacheEntry else NotImplemented

    __hash__ = None  # as the dataclass it was

    @property
    def graph_file(self) -> Path:
        return self.folder / cache_location.GRAPH_FILE

    @property
    def meta_file(self) -> Path:
        return self.folder / cache_location.META_FILE

    @property
    def provenance_file(self) -> Path:
        """The provenance dataset (N-Quads), loaded beside the query graph as its named graphs."""
        return self.folder / cache_location.PROVENANCE_FILE

    def inferred_file(self, profile: str) -> Path:
        return self.folder / f"inferred-{profile}.nt"

    def complete(self) -> bool:
        return cache_location.entry_complete(self.folder)

    def meta(self) -> dict:
        return json.loads(self.meta_file.read_text(encoding="utf-8"))

    def remove_dead_scratch(self) -> bool:
        """Remove the scratch stores of writers that died: a query killed while it made a store
        (Ctrl-C stops the child answering it with SIGKILL, which runs no clean-up; its parent
        looks then, ``remove_dead_scratch_stores``, unless it was killed too). Every query holding
        an entry looks, and ``prune``: one listing of its folder, shutil imported only to remove.
        Whether any was removed."""
        try:
            names = [name for name in os.listdir(self.folder) if name.startswith(".oxigraph-")]
        except OSError:
            return False
        removed = False
        for name in names:
            pid = name.split("-")[1]
            if pid.isdigit() and not process_alive(int(pid)):
                import shutil

                shutil.rmtree(self.folder / name, ignore_errors=True)
                removed = True
        return removed

    def hold(self, *, create: bool = False) -> Lease | None:
        """A shared lock on the entry, which also records its use; keep it while reading the entry.

        Eviction skips a locked entry. None when the entry is gone (or being evicted): the
        caller then rebuilds. ``create`` makes the folder first (before writing the entry).
        """
        if create:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                return None
        fd = _flock(self.folder, exclusive=False)
        if fd is None:
            return None
        try:
            os.utime(self.folder)  # its mtime is its last use, for least-recently-used eviction
        except OSError:
            pass
        self.remove_dead_scratch()
        return Lease(fd)

    @property
    def store_dir(self) -> Path:
        """An on-disk Oxigraph store of the query graph alone (kg build makes it)."""
        return self.folder / cache_location.STORE_DIR

    @property
    def dataset_store_dir(self) -> Path:
        """An on-disk Oxigraph store of the query graph and, as its named graphs, the provenance
        dataset: made by the first query that may read named graphs (kg.sparql.saved.uses_named_graphs)."""
        return self.folder / cache_location.DATASET_STORE_DIR

    def store_for(self, named_graphs: bool = False) -> Path | None:
        """The folder of the store a query (that may read named graphs, or not) opens, if there is one."""
        found = cache_location.entry_store(self.folder, named_graphs)
        return Path(found) if found is not None else None

    def open_store(self, named_graphs: bool = False):
        """The query graph as a read-only pyoxigraph store (with the provenance dataset's named graphs
        when ``named_graphs``), or None when there is none to open. Without ``named_graphs``, the
        dataset's store serves when it is the only one: its default graph is the same."""
        folder = self.store_for(named_graphs)
        if folder is None:
            return None
        import pyoxigraph as ox

        note_on_disk_store()
        try:
            return ox.Store.read_only(str(folder))
        except (OSError, RuntimeError):  # damaged, or made by another pyoxigraph: the N-Triples file serves
            return None

    def write_store(self, lines: list[str] | bytes, quads: list[str] | bytes | None = None,
                    cancelled: threading.Event | None = None, copy_lines_to: BinaryIO | None = None) -> bool:
        """Load N-Triples ``lines`` (the default graph) into an on-disk store, with N-Quads ``quads``
        (named graphs) when given, as lists or bytes, and move it into place in one rename: the
        query graph's store (``store_dir``), or with quads the dataset's (``dataset_store_dir``).
        ``cancelled`` set (checked between chunks) means to give up: the scratch store is removed
        and nothing is written.

        Readers never see a half-loaded store: it is built in a scratch folder beside it. False
        when it could not be written (the cache then serves the N-Triples file instead). Lists of
        lines go in ``STORE_CHUNK`` at a time: the bulk loader's memory grows with what one load
        holds (a million lines in one load: ~0.8 GB more; 100k: ~120 MB; 25k: ~40 MB, as fast).
        ``copy_lines_to``: a file ``lines`` are written to as well, as N-Triples, chunk by chunk as
        they go into the store: whole when True is returned.
        """
        import shutil
        import tempfile

        import pyoxigraph as ox

        self.store_problem = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.remove_dead_scratch()
            scratch = tempfile.mkdtemp(prefix=f".oxigraph-{os.getpid()}-", dir=self.folder)
        except OSError as exc:
            self.store_problem = exc
            return False
        store = None
        note_on_disk_store()
        try:
            store = ox.Store(scratch)
            if not _load_in_chunks(store, lines, False, cancelled, copy_to=copy_lines_to):
                return False
            if quads is not None and not _load_in_chunks(store, quads, True, cancelled):
                return False
            store.optimize()  # one compaction of the chunks' files: queries then run about twice as fast
            store.flush()
            store = None  # closes the database before it moves
            os.rename(scratch, self.store_dir if quads is None else self.dataset_store_dir)
            return True
        except (OSError, RuntimeError) as exc:  # no space, or another process put its store there first
            problem = isinstance(exc, OSError) and exc.errno not in (errno.EEXIST, errno.ENOTEMPTY)
            self.store_problem = exc if problem else None  # a store already there is no problem
            return False
        finally:
            store = None  # closed first: RocksDB still writing into the folder would make it outlive its removal
            shutil.rmtree(scratch, ignore_errors=True)
            enforce_cap(keep=self.folder)

    def store_lines(self, lines: list[str], meta: dict, quads: list[str] = (), quads_file: Path | None = None,
                    *, graph_written: bool = False, provenance_written: bool = False) -> None:
        """Store N-Triples lines and the provenance N-Quads, written a block at a time (no copy of the
        whole graph in memory); the meta file, written last, marks the entry complete.

        ``quads_file``: a file already holding the quads' N-Quads (kg build's staged provenance.nq,
        the same bytes), copied instead of encoding the lines again (a million quads: 0.05 s
        against 0.48). ``graph_written``: the N-Triples file already holds ``lines`` (kg build's
        store thread wrote it beside its store, kg.pipeline.queryable.QueryCachePrimer);
        ``provenance_written``: the N-Quads file holds ``quads`` (``store_provenance``).
        """
        from kg.rdf.ntriples import write_blocks

        lease = self.hold(create=True)  # eviction leaves the entry alone until it is whole
        try:
            if not graph_written or not self.graph_file.is_file():  # (or the entry was cleared since)
                with atomic_writer(self.graph_file) as handle:
                    write_blocks(lines, handle)
            if not provenance_written or not self.provenance_file.is_file():
                self._write_provenance(quads, quads_file)
            write_atomic(self.meta_file, json.dumps(meta, sort_keys=True).encode("utf-8"))
        finally:
            if lease is not None:
                lease.release()
        enforce_cap(keep=self.folder)

    def store_provenance(self, quads: list[str], quads_file: Path | None = None) -> None:
        """Write the provenance N-Quads file ahead of ``store_lines`` (which then passes
        ``provenance_written``): kg build copies it while its store thread still works."""
        lease = self.hold(create=True)
        try:
            self._write_provenance(quads, quads_file)
        finally:
            if lease is not None:
                lease.release()

    def _write_provenance(self, quads: list[str], quads_file: Path | None) -> None:
        import shutil

        from kg.rdf.ntriples import write_blocks

        with atomic_writer(self.provenance_file) as handle:
            if quads_file is not None:
                with open(quads_file, "rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            else:
                write_blocks(list(quads), handle)

    def store_inferred(self, profile: str, data: bytes) -> None:
        write_atomic(self.inferred_file(profile), data)
        enforce_cap(keep=self.folder)


def entry_for(folders: list[Path], base: str, known: dict[str, bytes] | None = None,
              known_since_ns: int = 0) -> CacheEntry:
    """The entry of the project whose folders (data first) are ``folders``, as they are now."""
    return CacheEntry(project_dir(folders[0]) / fingerprint(folders, base, known, known_since_ns))


# --- what the cache holds, and eviction ------------------------------------------------------

class EntryInfo(namedtuple("EntryInfo", "folder project size last_used triples store", defaults=(None, False))):
    """One entry as ``kg cache info`` shows it: ``project`` is the data folder it was built from
    (None: unknown, an older kg's entry); ``last_used`` is in seconds since the epoch."""

    __slots__ = ()

    def as_dict(self) -> dict:
        return {"folder": str(self.folder), "project": self.project, "bytes": self.size,
                "last_used": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.last_used)),
                "triples": self.triples, "oxigraph_store": self.store}


def _size(folder: Path) -> int:
    total = 0
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(parent, name)).st_size
            except OSError:  # removed meanwhile
                pass
    return total


def _entry_info(folder: Path, project: str | None) -> EntryInfo | None:
    try:
        last_used = folder.stat().st_mtime
    except OSError:
        return None
    triples = None
    try:
        triples = json.loads((folder / cache_location.META_FILE).read_text(encoding="utf-8")).get("triples")
    except (OSError, ValueError, AttributeError):
        pass
    return EntryInfo(folder, project, _size(folder), last_used, triples, CacheEntry(folder).store_for() is not None)


def cache_entries(project: Path | None = None) -> list[EntryInfo]:
    """Every entry in the cache (or of the project whose data folder is ``project``), oldest use first.

    Entries an older kg left at the top of the cache are listed with no project.
    """
    root = cache_root()
    found: list[EntryInfo] = []
    if project is not None:
        folders = [project_dir(project)]
    else:
        projects = root / "projects"
        folders = sorted(p for p in projects.iterdir() if p.is_dir()) if projects.is_dir() else []
    for folder in folders:
        try:
            owner = (folder / PROJECT_NAME).read_text(encoding="utf-8").strip() or None
        except OSError:
            owner = None
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if is_key(child.name, 32) and child.is_dir():
                info = _entry_info(child, owner)
                if info is not None:
                    found.append(info)
    if project is None and root.is_dir():
        for child in sorted(root.iterdir()):
            if is_key(child.name, 32) and child.is_dir():
                info = _entry_info(child, None)
                if info is not None:
                    found.append(info)
    found.sort(key=lambda info: info.last_used)
    return found


def remove_entry(folder: Path) -> bool:
    """Delete one entry unless a process is using it (then False): lock, rename away, delete.

    A cache this user may not change raises the OSError (PermissionError, or a read-only file
    system): that is not an entry in use.
    """
    fd = _flock(folder, exclusive=True)
    if fd is None:
        return not folder.exists()
    import errno
    import shutil

    trash = folder.parent / f".{folder.name}.{os.getpid()}.trash"
    try:
        os.rename(folder, trash)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OSError(exc.errno, f"{exc.strerror}: the cache is not writable here", str(folder.parent)) from None
        return False
    finally:
        if fd >= 0:
            os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    return True


class Pruned(namedtuple("Pruned", "removed in_use remaining_bytes")):
    """What ``prune`` or ``clear`` did: the entries removed (EntryInfo), those left because in use,
    and the bytes the whole cache's entries still hold (other projects' too)."""

    __slots__ = ()


def prune(limit: int | None = None, *, keep: Path | None = None) -> Pruned:
    """Evict least-recently-used entries until the cache's entries fit in ``limit`` bytes
    (default ``max_bytes()``); ``keep`` (an entry just written) and entries in use stay."""
    limit = max_bytes() if limit is None else limit
    remove_dead_scratch_stores()
    entries = cache_entries()  # (sized once the dead writers' stores are gone)
    total = sum(info.size for info in entries)
    removed, in_use = [], []
    for info in entries:
        if total <= limit:
            break
        if keep is not None and info.folder == keep:
            continue
        if remove_entry(info.folder):
            removed.append(info)
            total -= info.size
        else:
            in_use.append(info)
    return Pruned(removed, in_use, total)


def remove_dead_scratch_stores() -> bool:
    """``CacheEntry.remove_dead_scratch`` in every entry: after kg query's child answering in
    bounds (kg.cli.bounded) was stopped with SIGKILL (Ctrl-C, --timeout, --max-memory) while it
    made a store (at a million quads, ~450 MB), and by ``prune``. Whether any was removed."""
    entries = (cache_root() / "projects").glob("*/*/")  # no sizes taken: one listing a project
    return any([CacheEntry(folder).remove_dead_scratch() for folder in entries])


def enforce_cap(keep: Path | None = None) -> None:
    """Keep the cache within its cap after an entry grew (never failing the command that wrote it)."""
    try:
        prune(keep=keep)
    except (OSError, KgError):  # a cap that cannot be read or a cache that cannot be walked
        pass


def clear(project: Path | None = None) -> Pruned:
    """Remove every entry not in use (or only those of the project whose data folder is
    ``project``), with the digest indexes that are then unused."""
    import shutil

    entries = cache_entries(project)
    removed, in_use = [], []
    for info in entries:
        (removed if remove_entry(info.folder) else in_use).append(info)
    root = cache_root()
    folders = [project_dir(project)] if project is not None else (
        [p for p in (root / "projects").iterdir()] if (root / "projects").is_dir() else [])
    for folder in folders:
        if folder.is_dir() and not any(is_key(child.name, 32) for child in folder.iterdir() if child.is_dir()):
            shutil.rmtree(folder, ignore_errors=True)
    if project is None:
        shutil.rmtree(root / "shapes", ignore_errors=True)  # compiled shapes (kg.pipeline.shapes_cache)
        for stale in [root / "file-digests.txt", *root.glob(".*.trash")]:  # an older kg's one global index
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
    return Pruned(removed, in_use, sum(info.size for info in cache_entries()))  # the whole cache's

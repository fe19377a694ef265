"""A cache of built graphs, keyed by the content of data/, ontology/ and shapes/.

``kg query`` would otherwise read every YAML file and rebuild the graph on each call. The
cache holds the query graph (catalog + ontology) as N-Triples, an on-disk Oxigraph store of
it after ``kg build --engine oxigraph``, and the inferred triples of each reasoning profile
once computed, under ``$KG_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``).
Any change to a file changes the key; ``file-digests.txt`` spares re-reading unchanged files.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kg import __version__
from kg.util.fsutil import atomic_writer, write_atomic
from kg.rdf.terms import load_store
from kg.rdf.ntriples import to_bytes, write_blocks


def cache_root() -> Path:
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


#: A recorded digest is trusted only for a file last changed this long before it was taken, so
#: that a change within one tick of a coarse file-system clock is never missed (git's rule for
#: "racily clean" index entries).
RACY_NS = 2_000_000_000


class DigestIndex:
    """The sha256 of files by path, trusted while their size, mtime, ctime and inode are unchanged.

    Fingerprinting a million-triple catalog means hashing 77k files (~2 s); with the index it
    means stat-ing them (~0.3 s), reading only files that changed. Kept in the cache folder as
    one line per file: ``digest size mtime_ns ctime_ns inode path``.
    """

    def __init__(self, path: Path, *, racy_ns: int = RACY_NS) -> None:
        """``racy_ns``: a file changed less than this long before it was hashed is not trusted."""
        self.path, self.racy_ns = path, racy_ns
        self.entries: dict[str, tuple[int, int, int, int, bytes]] = {}
        self.changed = False
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        for line in text.splitlines():
            fields = line.split(" ", 5)
            try:
                digest = bytes.fromhex(fields[0])
                self.entries[fields[5]] = (int(fields[1]), int(fields[2]), int(fields[3]), int(fields[4]), digest)
            except (IndexError, ValueError):  # a damaged line only costs a re-read
                continue

    def digest(self, path: str, known: bytes | None = None, known_since_ns: int = 0) -> bytes:
        """The sha256 of the file at ``path``: recorded, ``known`` (read at ``known_since_ns``), or read now."""
        stat = os.stat(path)
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if known is not None:
            self._record(path, key, known, known_since_ns)
            return known
        recorded = self.entries.get(path)
        if recorded is not None and recorded[:4] == key:
            return recorded[4]
        now_ns = time.time_ns()
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
        if not self.changed:
            return
        lines = [f"{e[4].hex()} {e[0]} {e[1]} {e[2]} {e[3]} {p}\n" for p, e in sorted(self.entries.items())]
        try:
            write_atomic(self.path, "".join(lines).encode("utf-8"))
        except OSError:  # a read-only cache only costs speed
            pass
        self.changed = False


def fingerprint(folders: list[Path], base: str, known: dict[str, bytes] | None = None,
                known_since_ns: int = 0, *, racy_ns: int = RACY_NS) -> str:
    """A digest of every file's path and bytes under ``folders``, the base IRI and kg's version.

    ``known`` maps a file's path (as ``os.walk`` spells it) to the sha256 of its bytes, for
    files just read (the catalog's entries during a build, read from ``known_since_ns`` on):
    they are not read again. Other files come from the DigestIndex when unchanged.
    """
    known = known or {}
    index = DigestIndex(cache_root() / "file-digests.txt", racy_ns=racy_ns)
    digest = hashlib.sha256(f"kg {__version__}\n{base}\n".encode())
    for folder in folders:
        digest.update(f"[{folder.name}]\n".encode())
        if not folder.is_dir():
            continue
        files = []
        top = os.fspath(folder)
        absolute_top = os.path.abspath(top)
        for parent, _dirs, names in os.walk(top):  # prefixes per folder: no path calls per file
            relative = parent[len(top):].lstrip(os.sep)
            relative_prefix = os.path.join(relative, "") if relative else ""
            walked_prefix = os.path.join(parent, "")
            absolute_prefix = os.path.join(absolute_top, relative, "")
            files.extend((relative_prefix + name, walked_prefix + name, absolute_prefix + name)
                         for name in names)
        files.sort()
        for relative, walked, absolute in files:
            digest.update(relative.encode() + b"\0")
            digest.update(index.digest(absolute, known.get(walked), known_since_ns))
    index.save()
    return digest.hexdigest()[:32]


#: Lines per bulk load into the on-disk store (see CacheEntry.write_store).
STORE_CHUNK = 100_000


@dataclass
class CacheEntry:
    """One cached build: its folder, and the files a reader may find there."""

    folder: Path

    @property
    def graph_file(self) -> Path:
        return self.folder / "query-graph.nt"

    @property
    def meta_file(self) -> Path:
        return self.folder / "meta.json"

    @property
    def provenance_file(self) -> Path:
        """The provenance dataset (N-Quads), loaded beside the query graph as its named graphs."""
        return self.folder / "provenance.nq"

    def inferred_file(self, profile: str) -> Path:
        return self.folder / f"inferred-{profile}.nt"

    def complete(self) -> bool:
        return self.graph_file.is_file() and self.provenance_file.is_file() and self.meta_file.is_file()

    def meta(self) -> dict:
        return json.loads(self.meta_file.read_text(encoding="utf-8"))

    @property
    def store_dir(self) -> Path:
        """An on-disk Oxigraph store of the query graph (written by ``kg build --engine oxigraph``)."""
        return self.folder / "oxigraph"

    def open_store(self):
        """The query graph as a read-only pyoxigraph store, or None when there is none to open."""
        if not self.store_dir.is_dir():
            return None
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(str(self.store_dir))
        except (OSError, RuntimeError):  # damaged, or made by another pyoxigraph: the N-Triples file serves
            return None

    def write_store(self, lines: list[str], quads: list[str] = ()) -> bool:
        """Load N-Triples ``lines`` (the default graph) and N-Quads ``quads`` (named graphs) into an
        on-disk store and move it into place in one rename.

        Readers never see a half-loaded store: it is built in a scratch folder beside it. False
        when it could not be written (the cache then serves the N-Triples file instead). The
        lines go in 100k at a time: one bulk load of a million lines holds ~0.8 GB more memory
        and is slower than ten of a hundred thousand.
        """
        import shutil
        import tempfile

        import pyoxigraph as ox

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            scratch = tempfile.mkdtemp(prefix=".oxigraph-", dir=self.folder)
        except OSError:
            return False
        try:
            store = ox.Store(scratch)
            for start in range(0, len(lines), STORE_CHUNK):
                load_store(to_bytes(lines[start:start + STORE_CHUNK]), store)
            for start in range(0, len(quads), STORE_CHUNK):
                load_store(to_bytes(quads[start:start + STORE_CHUNK]), store, quads=True)
            store.optimize()  # one compaction of the chunks' files: queries then run about twice as fast
            store.flush()
            del store  # closes the database before it moves
            os.rename(scratch, self.store_dir)
            return True
        except (OSError, RuntimeError):  # no space, or another process put its store there first
            return False
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def store_lines(self, lines: list[str], meta: dict, quads: list[str] = ()) -> None:
        """Store N-Triples lines and the provenance N-Quads, written a block at a time (no copy of the
        whole graph in memory); the meta file, written last, marks the entry complete."""
        with atomic_writer(self.graph_file) as handle:
            write_blocks(lines, handle)
        with atomic_writer(self.provenance_file) as handle:
            write_blocks(list(quads), handle)
        write_atomic(self.meta_file, json.dumps(meta, sort_keys=True).encode("utf-8"))


def entry_for(folders: list[Path], base: str, known: dict[str, bytes] | None = None,
              known_since_ns: int = 0) -> CacheEntry:
    return CacheEntry(cache_root() / fingerprint(folders, base, known, known_since_ns))

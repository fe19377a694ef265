"""A cache of built graphs, keyed by the content of data/, ontology/ and shapes/.

``kg query`` would otherwise read every YAML file and rebuild the graph on each call. The
cache holds the query graph (catalog + ontology) as N-Triples, plus the inferred triples of
each reasoning profile once computed, under ``$KG_CACHE_DIR`` (default
``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``). Any change to a file changes the key.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .fsutil import atomic_writer, write_atomic
from .ntriples import to_bytes


def cache_root() -> Path:
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def fingerprint(folders: list[Path], base: str, known: dict[str, bytes] | None = None) -> str:
    """A digest of every file's path and bytes under ``folders``, the base IRI and kg's version.

    ``known`` maps a file's path (as ``os.walk`` spells it) to the sha256 of its bytes, for
    files just read (the catalog's entries during a build): they are not read again.
    """
    known = known or {}
    digest = hashlib.sha256(f"kg {__version__}\n{base}\n".encode())
    for folder in folders:
        digest.update(f"[{folder.name}]\n".encode())
        if not folder.is_dir():
            continue
        files = []
        for parent, _dirs, names in os.walk(folder):
            relative = os.path.relpath(parent, folder)
            files.extend((os.path.normpath(os.path.join(relative, name)), os.path.join(parent, name))
                         for name in names)
        for relative, path in sorted(files):
            digest.update(relative.encode() + b"\0")
            if path in known:
                digest.update(known[path])
                continue
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:32]


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

    def inferred_file(self, profile: str) -> Path:
        return self.folder / f"inferred-{profile}.nt"

    def complete(self) -> bool:
        return self.graph_file.is_file() and self.meta_file.is_file()

    def meta(self) -> dict:
        return json.loads(self.meta_file.read_text(encoding="utf-8"))

    def store(self, ntriples: bytes, meta: dict) -> None:
        write_atomic(self.graph_file, ntriples)
        write_atomic(self.meta_file, json.dumps(meta, sort_keys=True).encode("utf-8"))

    def store_lines(self, lines: list[str], meta: dict) -> None:
        """Store N-Triples lines, written a block at a time (no copy of the whole graph in memory)."""
        with atomic_writer(self.graph_file) as handle:
            for start in range(0, len(lines), 50_000):
                handle.write(to_bytes(lines[start:start + 50_000]))
        write_atomic(self.meta_file, json.dumps(meta, sort_keys=True).encode("utf-8"))


def entry_for(folders: list[Path], base: str, known: dict[str, bytes] | None = None) -> CacheEntry:
    return CacheEntry(cache_root() / fingerprint(folders, base, known))

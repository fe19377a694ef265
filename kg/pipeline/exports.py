"""The export set of a build: catalog.ttl/.jsonld/.nt and provenance.nq/.trig, written together or not at all."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from kg.rdf.formats import FORMATS, write_lines
from kg.util.progress import Progress, quiet


#: From this many triples on, ``Exports`` writes the JSON-LD in a child process.
BACKGROUND_JSONLD_TRIPLES = 200_000


class Exports:
    """catalog.ttl, catalog.jsonld and catalog.nt of ``lines`` (and, given ``dataset_lines``,
    provenance.nq and provenance.trig of them) in ``out_dir``: all of them, or none.

    ``start()`` opens a temporary file for each and, on a large catalog, forks a child that
    writes the JSON-LD (Python, the slowest of the three) while this process goes on: kg build
    starts it before the shapes run. ``finish()`` writes Turtle (pyoxigraph) and N-Triples
    here, waits for the child and renames the three into place; ``discard()`` drops them all.
    """

    def __init__(self, lines: list[str], base: str, out_dir: Path, *, dataset_lines: list[str] | None = None,
                 child_from: int = BACKGROUND_JSONLD_TRIPLES) -> None:
        self.lines, self.base = lines, base
        self.dataset_lines = dataset_lines
        self.child_from = child_from
        self.paths = {name: out_dir / f"{'provenance' if fmt.dataset else 'catalog'}{fmt.extensions[0]}"
                      for name, fmt in FORMATS.items() if not fmt.dataset or dataset_lines is not None}
        self.timings: dict[str, float] = {}
        self._pending: dict = {}
        self._child = None
        self._child_started = 0.0

    def start(self) -> "Exports":
        from kg.util.fsutil import PendingFile
        from kg.util.parallel import start_in_child

        try:
            for name, path in self.paths.items():
                self._pending[name] = PendingFile(path)
        except BaseException:
            self.discard()
            raise
        if len(self.lines) >= self.child_from:
            self._child_started = time.perf_counter()
            self._child = start_in_child(lambda: self._write("json-ld"))
        return self

    def finish(self, progress: Progress = quiet, meanwhile: Callable[[], None] | None = None) -> list[Path]:
        """Write what is left, run ``meanwhile`` (more of the caller's work), wait, rename."""
        try:
            for name in self.paths:
                if name == "json-ld" and self._child is not None:
                    continue
                progress(f"writing {self.paths[name]}", 0, 0)
                start = time.perf_counter()
                self._write(name)
                self.timings[name] = time.perf_counter() - start
            if meanwhile is not None:
                meanwhile()
            if self._child is not None:
                progress(f"writing {self.paths['json-ld']} (in a child process)", 0, 0)
                self._child.wait()
                self._child = None
                self.timings["json-ld"] = time.perf_counter() - self._child_started
            for pending in self._pending.values():
                pending.commit()
        except BaseException:
            self.discard()
            raise
        self._pending = {}
        return list(self.paths.values())

    def discard(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None
        for pending in self._pending.values():
            pending.discard()
        self._pending = {}

    def _write(self, name: str) -> None:
        handle = self._pending[name].handle
        fmt = FORMATS[name]
        write_lines(self.dataset_lines if fmt.dataset else self.lines, fmt, self.base, handle)
        handle.flush()  # a child leaves with os._exit: nothing else would flush it

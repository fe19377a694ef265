"""The export set of a build: catalog.ttl/.jsonld/.nt and provenance.nq/.trig, written together or not at all."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import BinaryIO, Callable

from kg.rdf.formats import FORMATS, write_lines
from kg.util.fsutil import mode_for
from kg.util.progress import Progress, quiet
from kg.util.threads import Worker, wait_for


#: From this many triples on, ``Exports`` writes some exports (``BACKGROUND_FORMATS``) on a background thread.
BACKGROUND_EXPORT_TRIPLES = 200_000
#: What that thread writes, in this order: the JSON-LD (Python, the slowest) while the shapes'
#: store loads, then the N-Triples and the Turtle (made from them, ``PARSED_FROM``) while the
#: shapes' queries run (two threads in pyoxigraph, which leave part of a core free), so that less
#: is left for after the shapes, when the query cache's store loads beside the rest.
BACKGROUND_FORMATS = ("json-ld", "nt", "turtle")
#: An export made from another of the set once that one is written: pyoxigraph parses the staged
#: file itself instead of lines handed over from Python (kg.rdf.formats.write_lines ``source``).
PARSED_FROM = {"turtle": "nt", "trig": "nquads"}


class Exports:
    """The export set of a build in ``out_dir``: catalog.ttl, catalog.jsonld and catalog.nt of ``lines``
    (and, given ``dataset_lines``, provenance.nq and provenance.trig), with whatever else the build
    adds (``add``): replaced all together, or not at all.

    ``start()`` stages the set beside ``out_dir`` (kg.util.fsutil.StagedFolder: one writer at a time)
    and, on a large catalog, starts writing the JSON-LD (Python, the slowest of them), then the
    N-Triples and the Turtle (``BACKGROUND_FORMATS``) on a background thread (``BackgroundWriter``)
    while this thread goes on: kg build starts it before the shapes run. ``finish()`` writes the
    rest and waits for it; ``commit()`` swaps the staged folder in with one rename; ``discard()``
    drops it all.
    """

    def __init__(self, lines: list[str], base: str, out_dir: Path, *, dataset_lines: list[str] | None = None,
                 dataset: bool | None = None, background_from: int = BACKGROUND_EXPORT_TRIPLES) -> None:
        """``dataset``: the set includes the dataset exports (default: when ``dataset_lines`` are
        given); their lines may also be set later, as ``dataset_lines``, before ``finish``."""
        self.lines, self.base = lines, base
        self.out_dir = Path(out_dir)
        self.dataset_lines = dataset_lines
        self.background_from = background_from
        with_dataset = dataset_lines is not None if dataset is None else dataset
        self.names = {name: f"{'provenance' if fmt.dataset else 'catalog'}{fmt.extensions[0]}"
                      for name, fmt in FORMATS.items() if not fmt.dataset or with_dataset}
        self.timings: dict[str, float] = {}
        self.written: list[str] = []
        self._folder = None
        self._background: BackgroundWriter | None = None
        self._background_timings: dict[str, float] = {}
        self._staged: set[str] = set()  # the exports written whole to the staging folder

    @property
    def paths(self) -> dict[str, Path]:
        """Where each export lands once committed."""
        return {name: self.out_dir / file for name, file in self.names.items()}

    def start(self) -> "Exports":
        from kg.util.fsutil import StagedFolder

        self._folder = StagedFolder(self.out_dir, owner="kg build")
        self._folder.open()
        self._staged = set()
        if len(self.lines) >= self.background_from:
            self._background = BackgroundWriter(self._write_in_background).start()
        return self

    def _write_in_background(self, stop: threading.Event) -> None:
        for name in BACKGROUND_FORMATS:
            if name in self.names:
                start = time.perf_counter()
                self._write(name, stop)
                self._background_timings[name] = time.perf_counter() - start

    def finish(self, progress: Progress = quiet, meanwhile: Callable[[], None] | None = None) -> None:
        """Write what is left, run ``meanwhile`` (more of the caller's work) and wait for the background thread."""
        try:
            for name in self.names:
                if name in BACKGROUND_FORMATS and self._background is not None:
                    continue
                progress(f"writing {self.paths[name]}", 0, 0)
                start = time.perf_counter()
                self._write(name)
                self.timings[name] = time.perf_counter() - start
            if meanwhile is not None:
                meanwhile()
            if self._background is not None:
                waiting = [str(self.paths[name]) for name in BACKGROUND_FORMATS
                           if name in self.names and name not in self._background_timings]
                if waiting:
                    progress(f"writing {', '.join(waiting)} (on a background thread)", 0, 0)
                self._background.wait()
                self._background = None
                self.timings.update(self._background_timings)
            self.written = list(self.names.values())
        except BaseException:
            self.discard()
            raise

    def staged(self, name: str) -> Path:
        """Where the export ``name`` (a format's name) is staged until ``commit``: to read back what
        ``finish`` wrote (kg build copies provenance.nq into the query cache)."""
        return self._folder.staging / self.names[name]

    def add(self, name: str, data: bytes) -> None:
        """One more file of the set (the ontology, inferred triples)."""
        try:
            (self._folder.staging / name).write_bytes(data)
            self.written.append(name)
        except BaseException:
            self.discard()
            raise

    def commit(self) -> list[Path]:
        """Swap the set in (in one rename); the paths written, in the order they were."""
        try:
            for name in self.written:  # an export replacing a file keeps that file's mode
                os.chmod(self._folder.staging / name, mode_for(self.out_dir / name))
            self._folder.commit(replaces=is_build_output)
        except BaseException:
            self.discard()
            raise
        self._folder = None
        return [self.out_dir / name for name in self.written]

    def discard(self) -> None:
        if self._background is not None:
            self._background.stop()
            self._background = None
        if self._folder is not None:
            self._folder.discard()
            self._folder = None

    def _write(self, name: str, stop: threading.Event | None = None) -> None:
        fmt = FORMATS[name]
        made_from = PARSED_FROM.get(name)
        source = self._folder.staging / self.names[made_from] if made_from in self._staged else None
        try:
            with open(self._folder.staging / self.names[name], "wb", buffering=1 << 20) as handle:
                out = handle if stop is None else _StoppableFile(handle, stop)
                write_lines(self.dataset_lines if fmt.dataset else self.lines, fmt, self.base, out, trusted=True,
                            pause_collector=stop is None,  # the collector is the main thread's to pause
                            source=source)
        except OSError as exc:  # a full disk: named by the export, not by the staging folder
            raise OSError(exc.errno, exc.strerror or str(exc), str(self.paths[name])) from None
        self._staged.add(name)


class WriterStopped(Exception):
    """Raised inside a background writer asked to stop (its work is being thrown away)."""


class _StoppableFile:
    """A binary file whose next write raises WriterStopped once ``stop`` is set."""

    def __init__(self, handle: BinaryIO, stop: threading.Event) -> None:
        self._handle, self._stop = handle, stop

    def write(self, data) -> int:
        if self._stop.is_set():
            raise WriterStopped()
        return self._handle.write(data)

    def flush(self) -> None:  # pyoxigraph's serializer flushes what it was given when it ends
        self._handle.flush()


class BackgroundWriter:
    """``write(stop)`` on a thread of this process; ``wait()`` raises what it raised.

    A thread, not a forked child: the writer reads the build's million lines, and a child
    touching them (reference counts) would copy every page they are on (~0.5 GB at 1M). The
    GIL is no obstacle while the shapes, the stores and the other exports run in pyoxigraph,
    which releases it. ``stop()`` makes the writer's next write raise, and waits for it.
    """

    def __init__(self, write: Callable[[threading.Event], None]) -> None:
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = Worker(self._run, args=(write,), name="kg-background-export")

    def start(self) -> "BackgroundWriter":
        self._thread.start()
        return self

    def _run(self, write: Callable[[threading.Event], None]) -> None:
        try:
            write(self._stop)
        except BaseException as exc:  # handed to wait()
            self._error = exc

    def wait(self) -> None:
        """Wait for the writer (Ctrl-C meanwhile stops it, and is raised once it has stopped)."""
        wait_for([self._thread], on_interrupt=self._stop.set)
        if self._error is not None and not isinstance(self._error, WriterStopped):
            raise self._error

    def stop(self) -> None:
        self._stop.set()
        wait_for([self._thread], interrupts=False)  # its staging folder goes next


def is_build_output(name: str) -> bool:
    """Does kg build write files of this name (so that an old one is not kept beside a new set)?"""
    stem, _, suffix = name.partition(".")
    return stem in ("catalog", "provenance", "ontology") or stem.startswith("inferred-")


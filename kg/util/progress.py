"""Progress of long work on stderr, shown only when a person is watching a terminal.

The library reports through a plain callback, ``progress(phase, done, total)`` (``total`` 0
when unknown); the CLI passes a ``TerminalProgress`` when stderr is a terminal and -q was
not given, and nothing otherwise, so logs and pipes stay quiet.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable

TYPE_CHECKING = False  # typing's flag, without importing typing (see kg.cli.short_path)
if TYPE_CHECKING:
    from typing import TextIO

Progress = Callable[[str, int, int], None]


def quiet(phase: str, done: int, total: int) -> None:
    """The callback that reports nothing."""


class TerminalProgress:
    """One self-overwriting status line, redrawn at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0
        self._phase = ""
        self._width = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self._phase and now - self._last < self.interval and done != total:
            return
        self._phase, self._last = phase, now
        text = f"{phase} {done:,}/{total:,} ({100 * done // total}%)" if total else f"{phase}…"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        """Erase the status line (the next message starts on a clean line)."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def for_terminal(verbosity: int, stream: TextIO | None = None) -> TerminalProgress | None:
    """A TerminalProgress when ``stream`` (stderr) is a terminal and output is not quieted."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if verbosity < 0 or not (isatty and isatty()):
        return None
    return TerminalProgress(stream)

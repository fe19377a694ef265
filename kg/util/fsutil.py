"""Writing files whole or not at all: a temporary file in the same folder, then a rename."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half."""
    with atomic_writer(path) as handle:
        handle.write(data)


class PendingFile:
    """A temporary file beside ``path``: ``commit()`` renames it into place, ``discard()`` drops it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, _mode_for(self.path))  # mkstemp makes 0600 files; an export is for everyone
            self.handle: BinaryIO = os.fdopen(fd, "wb", buffering=1 << 20)
        except BaseException:
            os.close(fd)
            os.unlink(self.tmp)
            raise

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            self.handle.close()
        except OSError:  # e.g. a full disk on the last flush: the file goes anyway
            pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: renamed into place only when the block succeeds."""
    pending = PendingFile(path)
    try:
        yield pending.handle
        pending.commit()
    except BaseException:
        pending.discard()
        raise


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, else what a plain open() would create (0666 less umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

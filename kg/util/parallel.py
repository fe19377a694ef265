"""Work on forked child processes: shares of a list (results in order), or one function alone.

Reading a large catalog is CPU-bound Python (YAML, normalization), so threads do not help;
forked processes do. ``map_shares_streaming`` gives each share but the last to a child that
sends its results back through a pipe (pickled, in batches as it makes them), the last share
running here meanwhile; ``start_in_child`` runs one function (the source checks, a speculated
query) while this process goes on. Where ``fork`` is not
the safe default (anything but Linux), or a child fails for any reason, the work runs in this
process instead: the result is the same, only slower.
"""
from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # typing's flag, without importing typing (see kg.cli.short_path)
if TYPE_CHECKING:
    from typing import NoReturn, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")

#: ``tick(n)``: ``n`` more items of a share are done (drives the progress line).
Tick = Callable[[int], None]


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def current_cpu() -> int | None:
    """The CPU this process last ran on (Linux: /proc/self/stat), or None where that is not known."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            data = stat.read()
        return int(data[data.rindex(b")") + 2:].split()[36])  # field 39, "processor"
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None


#: Whether this process (or the one it was forked from) has opened or written an on-disk
#: (RocksDB) store: RocksDB then keeps thread pools, which a forked child inherits without their
#: threads. Such a process must not change its CPU set before it opens a store (``on_one_cpu``):
#: RocksDB resizes its pools to the CPUs it may use and waits for threads that do not exist (a
#: child pinned to one CPU after its parent had compacted a store hung every time; unpinned, or
#: pinned only after the open, never).
_on_disk_store_used = False


def note_on_disk_store() -> None:
    """Record that this process opens or writes an on-disk store (see ``on_one_cpu``)."""
    global _on_disk_store_used
    _on_disk_store_used = True


def on_one_cpu(call: Callable[[], R], avoid: int | None = None) -> R:
    """``call()`` with this thread, and the threads it starts meanwhile, kept to one CPU (not
    ``avoid`` when another is allowed); the thread's CPUs as they were afterwards. Where they cannot
    be set (not Linux, one CPU), or where this process has used an on-disk store
    (``note_on_disk_store``), ``call()`` as it is.

    For work that spreads over short-lived threads and waits for the slowest: RocksDB opens a
    store's files on several threads, and with the other core busy (a warm query's fingerprint,
    in another process) the scheduler puts some there; opening the million-triple cache's store
    took 45-89 ms so, against 8.6 ms on one CPU while the other was busy.
    """
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:  # pragma: no cover - not Linux
        return call()
    chosen = sorted(allowed - {avoid}) or sorted(allowed)
    if len(allowed) < 2 or _on_disk_store_used:
        return call()
    try:
        os.sched_setaffinity(0, {chosen[0]})
    except OSError:  # pragma: no cover - a CPU set that cannot be narrowed (a container's policy)
        return call()
    try:
        return call()
    finally:
        try:
            os.sched_setaffinity(0, allowed)
        except OSError:  # pragma: no cover - CPUs taken away meanwhile: the kernel keeps what it can
            pass


def die_with_parent(parent: int | None = None) -> None:
    """Linux: this process gets SIGKILL when its parent dies, however it dies (kill -9 included), so
    that no child is left blocked on a pipe nobody reads. Elsewhere nothing happens."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if parent is not None and os.getppid() != parent:  # the parent died before the call: go now
        os._exit(1)


def can_fork() -> bool:
    """Whether work may go to forked children: on Linux (elsewhere fork is not a safe default)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def split(items: Sequence[T], parts: int, weights: Sequence[float] | None = None, *,
          handback: float = 0.0) -> list[Sequence[T]]:
    """``items`` cut into at most ``parts`` contiguous, non-empty shares of near-equal weight.

    ``weights`` (one per item, default 1 each) measure the work an item takes, e.g. file sizes.
    ``handback`` is what handing a result back costs a child (``map_shares_streaming`` runs every share but
    the last in one), as a fraction of the share's own work: those shares are made that much
    lighter than the last, so that all end together.
    """
    parts = max(1, min(parts, len(items)))
    if weights is None:
        weights = [1] * len(items)
    total = sum(weights) or 1
    # a child's share weighs w, the last one w * (1 + handback): total = w * (parts + handback)
    step = total / (parts + handback)
    shares, start, running = [], 0, 0.0
    for i, weight in enumerate(weights):
        running += weight
        if len(shares) < parts - 1 and running >= step * (len(shares) + 1):
            shares.append(items[start:i + 1])
            start = i + 1
    shares.append(items[start:])
    return [share for share in shares if len(share)]


def map_shares_streaming(function: Callable[[Sequence[T], Tick, Callable[[list], None]], R],
                         shares: list[Sequence[T]], progress: Callable[[int], None] | None = None,
                         ) -> list[tuple[list, R]]:
    """``function(share, tick, emit)`` for each share, in order, the shares but the last in child
    processes: the function hands its items over as it makes them, calling ``emit(items)`` with
    lists of them, and returns a last value; each share gives ``(every item emitted, in order,
    the value returned)``. ``progress(done)`` is called from this process with the items done
    across all shares (each ``tick(n)`` counts ``n`` more).

    A child's items come back in pickled batches on a pipe of its own while it works, and this
    process reads them between its own items (each ``tick``): the unpickling is done while the
    children still work instead of after them (reading a million triples' catalog, 0.35 s of the
    0.6 s that this process spent after its own share, waiting and then unpickling, in one piece).
    A share whose child failed or died is redone here, whatever it had sent.
    """
    if len(shares) <= 1 or not can_fork():
        def collected(share, tick):
            items: list = []
            return items, function(share, tick, items.extend)

        return _serial(collected, shares, progress)
    import mmap

    shared = mmap.mmap(-1, 8 * len(shares))  # anonymous and shared: each child's items done, one slot each
    counters = memoryview(shared).cast("q")
    streams: list[_Stream] = []
    own = 0

    def tick(n: int) -> None:
        nonlocal own
        own += n
        for stream in streams:
            stream.take_ready()
        if progress is not None:
            progress(own + sum(counters[:len(streams)]))

    try:
        for slot, share in enumerate(shares[:-1]):  # inside the try: a failed fork stops the others
            streams.append(_Stream.start(function, share, _adding_to(counters, slot)))
        own_items: list = []
        last = function(shares[-1], tick, own_items.extend)
        _drain(streams)  # every child's pipe read as it comes, whichever child sends
        results = []
        for stream, share in zip(streams, shares):
            got = stream.finish()
            if got is None:  # the child failed or died: its share is done here
                items = []
                got = (items, function(share, lambda n: None, items.extend))
            results.append(got)
    finally:
        for stream in streams:
            stream.stop()
    if progress is not None:
        progress(sum(len(s) for s in shares))
    return [*results, (own_items, last)]


class _Stream:
    """A child of ``map_shares_streaming``: its batches of items, read as they come, and its outcome."""

    #: Bytes a batch pipe holds (Linux lets a process raise it to 1 MiB): the child writes its
    #: batches without waiting while this process is at its own work between two reads.
    PIPE_BYTES = 1 << 20

    def __init__(self, child: Child, fd: int) -> None:
        self.child, self.fd = child, fd
        self.items: list = []
        self.pending = bytearray()
        self.broken = False
        self.ended = False  # the child closed its end of the pipe: every batch is in

    @classmethod
    def start(cls, function, share, tick: Tick) -> "_Stream":
        import fcntl

        read_end, write_end = os.pipe()
        try:
            try:
                fcntl.fcntl(write_end, 1031, cls.PIPE_BYTES)  # F_SETPIPE_SZ (Linux)
            except OSError:  # a lower limit here: the child waits for the reads more often
                pass

            def in_child():
                os.close(read_end)
                try:
                    return function(share, tick, lambda items: _send_batch(write_end, items))
                finally:
                    os.close(write_end)  # the end of the batches, before the outcome is sent

            child = start_in_child(in_child)
        except BaseException:
            os.close(read_end)
            os.close(write_end)
            raise
        try:  # from here the child is this stream's to stop, whatever arrives (Ctrl-C included)
            os.close(write_end)
            os.set_blocking(read_end, False)
            return cls(child, read_end)
        except BaseException:
            child.stop()
            os.close(read_end)
            raise

    def take_ready(self) -> None:
        """Read what the child has sent so far, without waiting, and unpickle its whole batches."""
        if self.fd is None or self.broken or self.ended:
            return
        while True:
            try:
                chunk = os.read(self.fd, self.PIPE_BYTES)
            except BlockingIOError:
                break
            if not chunk:
                self.ended = True
                break
            self.pending += chunk
        self._unpickle_whole_batches()

    def finish(self) -> tuple[list, object] | None:
        """Every item and the value returned, once the child is done; None if it failed or died."""
        os.set_blocking(self.fd, True)
        try:
            while not self.ended and (chunk := os.read(self.fd, self.PIPE_BYTES)):
                self.pending += chunk
        finally:
            os.close(self.fd)
            self.fd = None
        self._unpickle_whole_batches()
        ok, value = self.child.outcome()
        if not ok or self.broken or self.pending:
            return None
        return self.items, value

    def stop(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.child.stop()

    def _unpickle_whole_batches(self) -> None:
        import pickle
        import struct

        pending, start = self.pending, 0
        while len(pending) - start >= 8:
            size = struct.unpack_from("<Q", pending, start)[0]
            if len(pending) - start - 8 < size:
                break
            try:
                self.items += pickle.loads(pending[start + 8:start + 8 + size])
            except Exception:  # cannot happen with kg's own items; the share is then redone here
                self.broken = True
                return
            start += 8 + size
        del pending[:start]


def _drain(streams: list[_Stream]) -> None:
    """Read every stream's pipe to its end, from whichever child has sent something, so that no
    child waits on a full pipe while another is read (the children end when their shares do)."""
    import select

    poller = select.poll()
    waiting = {}
    for stream in streams:
        if stream.fd is not None and not stream.broken:
            poller.register(stream.fd, select.POLLIN | select.POLLHUP | select.POLLERR)
            waiting[stream.fd] = stream
    while waiting:
        for fd, _event in poller.poll():
            stream = waiting.get(fd)
            if stream is None:
                continue
            stream.take_ready()
            if stream.ended or stream.broken:
                poller.unregister(fd)
                del waiting[fd]


def _send_batch(fd: int, items: list) -> None:  # pragma: no cover - in the child
    """In a child: one batch of items, pickled behind its length, written whole to ``fd``."""
    import pickle
    import struct

    data = pickle.dumps(items, pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _serial(function, shares, progress) -> list:
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done)

    return [function(share, tick) for share in shares]


def _adding_to(counters, slot: int) -> Tick:
    def tick(n: int) -> None:
        counters[slot] += n

    return tick


class Child:
    """A function running in a forked child process (see ``start_in_child``): its pid, and the
    read end of the pipe its pickled outcome comes back on."""

    def __init__(self, pid: int | None, fd: int | None, ran_here: tuple[bool, object] | None = None) -> None:
        self.pid, self.fd, self.ran_here = pid, fd, ran_here

    def outcome(self, timeout: float | None = None, *, stalled_after: float | None = None) -> tuple[bool, object]:
        """``(True, what the function returned)`` or ``(False, the exception it raised)``.

        A child that died without a word gives ``(False, RuntimeError)``; one still at work after
        ``timeout`` seconds is stopped and gives ``(False, TimeoutError)``, and so does one that
        has used no CPU time for ``stalled_after`` seconds (stuck: a lock no thread of it will
        release) before it answered. A result that cannot be unpickled gives ``(False,
        RuntimeError)`` too. Interrupted here (Ctrl-C), the child is stopped.
        """
        if self.pid is None:
            return self.ran_here or (False, RuntimeError("the child process was stopped"))
        try:
            if timeout is not None and not _readable(self.fd, timeout):
                self.stop()
                return False, TimeoutError(f"still at work after {timeout:g} s: stopped")
            if stalled_after is not None and not self._answers_unless_stalled(stalled_after):
                self.stop()
                return False, TimeoutError(f"no CPU time used for {stalled_after:g} s: stopped")
            data = _read_to_end(self.fd)
        except BaseException:
            self.stop()
            raise
        code = self._end()  # reaped first: the exit code is known only then
        if not data:
            return False, ChildDied(f"a child process of kg died ({_described(code)})")
        if data == _RETURNED_NONE:
            return True, None
        import pickle

        try:
            return pickle.loads(data)
        except Exception as exc:  # an exception whose class cannot be rebuilt from its arguments
            return False, RuntimeError(f"a child process of kg sent what cannot be read back: {exc}")

    def _answers_unless_stalled(self, stalled_after: float) -> bool:
        """Wait until the child's answer can be read (True), or until it has slept for
        ``stalled_after`` seconds without using CPU time (False: waiting on a lock, or on a thread
        that is not there). A child busy for an hour is waited for an hour; so is one waiting for
        the disk, or stopped (Ctrl-Z)."""
        import time

        used, since = _cpu_ticks(self.pid), time.monotonic()
        while not _readable(self.fd, min(0.25, stalled_after)):
            now_used = _cpu_ticks(self.pid)
            if now_used is None:  # gone (its pipe is then readable) or unreadable: read it
                return True
            if now_used != used or now_used[1] != "S":  # working, on the disk (D) or stopped (T)
                used, since = now_used, time.monotonic()
            elif time.monotonic() - since >= stalled_after:
                return False
        return True

    def finished(self) -> bool:
        """Whether the child has exited (its pages are given back; its outcome waits in the pipe when
        it fits there, else the child is still alive, blocked on writing it); never blocks."""
        if self.pid is None:
            return True
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except (ChildProcessError, AttributeError):  # reaped elsewhere; or no waitid (not Linux)
            return _readable(self.fd, 0)

    def wait(self, timeout: float | None = None):
        """What the function returned; what it raised is raised here (a full disk stays an OSError;
        a child stopped after ``timeout`` seconds, a TimeoutError)."""
        ok, value = self.outcome(timeout)
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Stop the child now, whatever it is doing (its work is being thrown away)."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already reaped by someone else
                pass
            self._end()

    def _end(self) -> int | None:
        """Close the pipe and reap the child; its exit code (-N after signal N)."""
        os.close(self.fd)
        pid, self.pid, self.fd = self.pid, None, None
        while True:
            try:
                _, status = os.waitpid(pid, 0)
            except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
                continue
            except ChildProcessError:  # pragma: no cover - reaped elsewhere
                return None
            return os.waitstatus_to_exitcode(status)


class ChildDied(RuntimeError):
    """A child ended without an answer: killed by a signal (an engine that aborts when it cannot
    allocate, or a store it could not read), or exited without a word."""


def _described(code: int | None) -> str:
    if code is None:
        return "exit code unknown"
    if code < 0:
        return f"killed by signal {-code}, exit code {code}"
    return f"exit code {code}"


def _cpu_ticks(pid: int) -> tuple[int, str] | None:
    """The CPU time process ``pid`` and its threads have used, in clock ticks, and the state of its
    main thread (R running, S sleeping, D waiting for the disk, T stopped…; Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12]), fields[0].decode()  # utime, stime; state (field 3)
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None


def _readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` has data or its end-of-file within ``timeout`` seconds."""
    import select

    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0, int(timeout * 1000))))


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def limit_memory(extra_bytes: int) -> None:
    """In this process, let the address space grow by at most ``extra_bytes`` more (Linux): an
    allocation past it raises MemoryError instead of swapping the machine to a halt."""
    import resource

    os.environ["RUST_BACKTRACE"] = "0"  # an engine that aborts on allocation says one line, not fifty
    try:
        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):  # pragma: no cover - not Linux
        return
    limit = size + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def start_in_child(function: Callable[[], R]) -> Child:
    """Start ``function()`` in a forked child process; ``wait()`` on the result to end it.

    Where fork is not safe, ``function`` runs here and now, and ``wait()`` has nothing to do.
    The child is a bare ``os.fork`` with a pipe back (no multiprocessing: its imports and
    machinery cost a short command 15 ms of its start-up). Call it from the main thread: the
    child dies with the thread that forked it (``die_with_parent``), and only the main thread
    sees Ctrl-C.
    """
    if not can_fork():
        try:
            return Child(None, None, (True, function()))
        except Exception as exc:
            return Child(None, None, (False, exc))
    parent = os.getpid()
    sys.stdout.flush()  # what is buffered here would otherwise be written twice, once by the child
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # pragma: no cover - the child (its outcome is what the tests check)
        os.close(read_end)
        _run_in_child(function, write_end, parent)
    os.close(write_end)
    return Child(pid, read_end)


#: What a child sends for ``(True, None)``, the outcome of most of them: the pickle module
#: need not be imported on either side for it (it is kept off a warm query's path, kg.cli.short_path).
_RETURNED_NONE = b"kg: returned None\n"


def _run_in_child(function, write_end: int, parent: int) -> NoReturn:  # pragma: no cover - in the child
    """In the child: run, send ``(True, result)`` or ``(False, exception)`` pickled (``(True, None)`` as
    ``_RETURNED_NONE``), and leave at once."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's clean-up handler is not the child's
        die_with_parent(parent)
        gc.disable()  # no collector passes: they would copy every page the child shares
        try:
            result = (True, function())
        except BaseException as exc:
            result = (False, exc)
        try:
            sys.stdout.flush()  # what the function printed, even before it failed (os._exit flushes nothing)
            sys.stderr.flush()
        except BaseException as exc:  # the reader of stdout went away: a BrokenPipeError to report
            result = result if not result[0] else (False, exc)
        if result[0] and result[1] is None:
            data = _RETURNED_NONE
        else:
            import pickle

            try:
                data = pickle.dumps(result)
            except Exception:  # an exception (or result) that does not pickle: send its text
                data = pickle.dumps((False, RuntimeError(f"{type(result[1]).__name__}: {result[1]}")))
        with open(write_end, "wb", closefd=True) as pipe:
            pipe.write(data)
    finally:
        os._exit(0)  # no atexit handlers or finalizers of the parent's objects in the child

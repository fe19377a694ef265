"""Serving the graph read-only through the Oxigraph server (the `oxigraph` PyPI package).

The Oxigraph server listens on a private loopback port; kg listens on the address the user
binds and forwards each request to it, after refusing any query that would reach the network
(SERVICE, LOAD, FROM: the Oxigraph server federates SERVICE for its clients). The child dies
with kg (Linux: PR_SET_PDEATHSIG), even when kg is killed with SIGKILL.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.errors import KgError, KgUsageError
from kg.util.fsutil import process_alive
from kg.rdf.terms import load_store as load_lines
from kg.sparql.remote import RemoteError, query_endpoint


class ServeError(KgError):
    """The server cannot start: port taken, executable missing, store unreadable."""


def oxigraph_executable() -> str:
    """The `oxigraph` CLI next to this Python first (a virtual environment), then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServeError("the Oxigraph server is not installed: pip install oxigraph")


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise KgUsageError(f"--bind '{bind}' must be HOST:PORT (a port from 1 to 65535), e.g. 127.0.0.1:7878")
    return host.strip("[]"), int(port)


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # as a server binds: a port whose last clients left (TIME_WAIT) is free, not taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another port "
                             "with --bind") from None


def load_store(ntriples: bytes, location: Path, nquads: bytes = b"") -> None:
    """Write the triples (and the quads, into their named graphs) into an on-disk Oxigraph store at
    ``location`` (then closed)."""
    import pyoxigraph as ox

    from kg.util.parallel import note_on_disk_store

    note_on_disk_store()
    store = load_lines(ntriples, ox.Store(str(location)), bulk=True)  # on disk: the server opens the folder
    if nquads:
        load_lines(nquads, store, quads=True, bulk=True)
    store.flush()
    del store


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: the child gets SIGTERM when kg dies, however it dies (kill -9 included)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: kg's own signal handlers stop it
        pass


def remove_stale_stores() -> None:
    """Remove the temporary stores of kg serve processes that are gone (killed without cleaning up)."""
    for folder in Path(tempfile.gettempdir()).glob("kg-serve-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def endpoint_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/query"


class Server:
    """An `oxigraph serve-read-only` child process over a temporary store, stopped on exit."""

    def __init__(self, ntriples: bytes, host: str = "127.0.0.1", port: int = 7878, *, nquads: bytes = b"",
                 union_default_graph: bool = False, cors: bool = False, query_timeout: int = 60) -> None:
        self.host, self.port = host, port
        self.ntriples = ntriples
        self.nquads = nquads
        self.query_timeout = query_timeout
        self.options = (["--union-default-graph"] if union_default_graph else []) + (["--cors"] if cors else [])
        self.location: Path | None = None
        self.process: subprocess.Popen | None = None
        self.guard = None

    @property
    def url(self) -> str:
        return endpoint_url(self.host, self.port)

    def start(self, timeout: float = 30) -> str:
        from kg.sparql.guard import Guard

        executable = oxigraph_executable()
        check_port_free(self.host, self.port)
        remove_stale_stores()
        self.location = Path(tempfile.mkdtemp(prefix=f"kg-serve-{os.getpid()}-"))
        load_store(self.ntriples, self.location, self.nquads)
        inner = free_loopback_port()
        self.process = subprocess.Popen(
            [executable, "serve-read-only", "--location", str(self.location), "--bind", f"127.0.0.1:{inner}",
             "--timeout-s", str(self.query_timeout), *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=_die_with_parent)
        upstream = endpoint_url("127.0.0.1", inner)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode("utf-8", "replace").strip()
                self.stop()
                raise ServeError(f"the Oxigraph server stopped at start: {error or 'no message'}")
            try:
                query_endpoint(upstream, "ASK { ?s ?p ?o }", timeout=2)
                break
            except RemoteError:
                time.sleep(0.1)
        else:
            self.stop()
            raise ServeError(f"the Oxigraph server did not answer on {upstream} within {timeout:g} s")
        try:
            self.guard = Guard((self.host, self.port), ("127.0.0.1", inner), timeout=self.query_timeout + 5)
        except OSError as exc:
            self.stop()
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}; choose another "
                             "port with --bind") from None
        self.guard.start()
        return self.url

    def wait(self) -> int:
        """Block until the child exits; the caller stops it (see ``terminate_on_signals``)."""
        return self.process.wait() if self.process else 0

    def stop(self) -> None:
        if self.guard is not None:
            self.guard.stop()
            self.guard = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        self.process = None
        if self.location is not None:
            shutil.rmtree(self.location, ignore_errors=True)
            self.location = None


class terminate_on_signals:
    """Within this block SIGTERM (like Ctrl-C) raises KeyboardInterrupt, so ``finally`` cleans up."""

    def __enter__(self):
        def handler(_signum, _frame):
            raise KeyboardInterrupt

        self.previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        return self

    def __exit__(self, *exc):
        for signum, old in self.previous.items():
            signal.signal(signum, old)
        return False

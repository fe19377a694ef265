"""Serving the graph read-only through the Oxigraph server (the `oxigraph` PyPI package)."""
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

from kg.errors import KgError
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
        raise ServeError(f"--bind '{bind}' must be HOST:PORT, e.g. 127.0.0.1:7878")
    return host.strip("[]"), int(port)


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another port "
                             "with --bind") from None


def load_store(ntriples: bytes, location: Path, nquads: bytes = b"") -> None:
    """Write the triples (and the quads, into their named graphs) into an on-disk Oxigraph store at
    ``location`` (then closed)."""
    import pyoxigraph as ox

    store = load_lines(ntriples, ox.Store(str(location)))  # on disk: the server opens the folder
    if nquads:
        load_lines(nquads, store, quads=True)
    store.flush()
    del store


def endpoint_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/query"


class Server:
    """An `oxigraph serve-read-only` child process over a temporary store, stopped on exit."""

    def __init__(self, ntriples: bytes, host: str = "127.0.0.1", port: int = 7878, *, nquads: bytes = b"",
                 union_default_graph: bool = False, cors: bool = False) -> None:
        self.host, self.port = host, port
        self.ntriples = ntriples
        self.nquads = nquads
        self.options = (["--union-default-graph"] if union_default_graph else []) + (["--cors"] if cors else [])
        self.location: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return endpoint_url(self.host, self.port)

    def start(self, timeout: float = 30) -> str:
        executable = oxigraph_executable()
        check_port_free(self.host, self.port)
        self.location = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        load_store(self.ntriples, self.location, self.nquads)
        self.process = subprocess.Popen(
            [executable, "serve-read-only", "--location", str(self.location), "--bind",
             f"{self.host}:{self.port}", *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode("utf-8", "replace").strip()
                self.stop()
                raise ServeError(f"the Oxigraph server stopped at start: {error or 'no message'}")
            try:
                query_endpoint(self.url, "ASK { ?s ?p ?o }", timeout=2)
                return self.url
            except RemoteError:
                time.sleep(0.1)
        self.stop()
        raise ServeError(f"the Oxigraph server did not answer on {self.url} within {timeout:g} s")

    def wait(self) -> int:
        """Block until the child exits; the caller stops it (see ``terminate_on_signals``)."""
        return self.process.wait() if self.process else 0

    def stop(self) -> None:
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

        self.previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
        return self

    def __exit__(self, *exc):
        for signum, old in self.previous.items():
            signal.signal(signum, old)
        return False

"""A guard in front of a SPARQL server: it forwards reads and refuses queries that reach the network.

``kg serve`` puts one in front of ``oxigraph serve-read-only``, which would otherwise evaluate
``SERVICE`` for any client, connecting to whatever host the query names. The guard refuses
SERVICE, LOAD and FROM (HTTP 403 with the reason) before the query reaches the server, and
forwards everything else unchanged; it accepts only reads (GET and POST of queries).
"""
from __future__ import annotations

import http.client
import http.server
import threading
import urllib.parse

from kg.sparql.saved import QueryError, check_nesting, parse_safe, surely_safe

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}
MAX_BODY = 16 * 1024 * 1024


def refusal(query: str) -> str | None:
    """Why ``query`` may not run here, or None. Queries that a lexical check proves free of SERVICE,
    LOAD and FROM (kg.sparql.saved.surely_safe) are let through at once; the others are parsed,
    and refused if they use those forms (or do not parse)."""
    try:
        check_nesting(query)
    except QueryError as exc:  # a parser's stack is not for a client to overflow
        return str(exc)
    if surely_safe(query):
        return None
    try:
        parse_safe(query)
    except QueryError as exc:
        return str(exc)
    return None


class Guard:
    """Listens on ``bind`` and forwards to the server at ``upstream`` (host, port), refusing what
    would reach the network. ``start()`` serves in a thread; ``stop()`` ends it."""

    def __init__(self, bind: tuple[str, int], upstream: tuple[str, int], *, timeout: float = 65) -> None:
        handler = type("GuardHandler", (_Handler,), {"upstream": upstream, "timeout_s": timeout})
        server_class = http.server.ThreadingHTTPServer
        if ":" in bind[0]:
            server_class = type("ThreadingHTTPServer6", (server_class,), {"address_family": _inet6()})
        self.server = server_class(bind, handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, name="kg-serve-guard", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(10)


def _inet6():
    import socket

    return socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    upstream: tuple[str, int]
    timeout_s: float
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/query":
            queries = urllib.parse.parse_qs(parts.query).get("query", [])
            if self._refused(queries):
                return
        self._forward(b"")

    def do_POST(self) -> None:  # noqa: N802
        parts = urllib.parse.urlsplit(self.path)
        if parts.path != "/query":
            self._answer(403, "this endpoint is read-only: POST queries to /query")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, f"a query of more than {MAX_BODY} bytes is not accepted")
            return
        body = self.rfile.read(length)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-query":
            queries = [body.decode("utf-8", "replace")]
        else:
            queries = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("query", [])
            queries += urllib.parse.parse_qs(parts.query).get("query", [])
        if self._refused(queries):
            return
        self._forward(body)

    def do_OPTIONS(self) -> None:  # noqa: N802 - a browser's CORS preflight (kg serve --cors)
        self._forward(b"")

    def do_PUT(self) -> None:  # noqa: N802
        self._answer(403, "this endpoint is read-only")

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    def _refused(self, queries: list[str]) -> bool:
        for query in queries:
            reason = refusal(query)
            if reason:
                self._answer(403, f"query refused: {reason}")
                return True
        return False

    def _forward(self, body: bytes) -> None:
        connection = http.client.HTTPConnection(*self.upstream, timeout=self.timeout_s)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as exc:
            self._answer(502, f"the Oxigraph server did not answer: {exc.strerror or exc}")
            return
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, status: int, message: str) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # quiet: kg serve prints its own lines
        pass

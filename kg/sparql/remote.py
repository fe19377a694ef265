"""Talking to a SPARQL 1.1 endpoint the user names: queries (Protocol) and pushes (Graph Store).

Standard library HTTP only. Nothing is retried silently; every failure becomes one
RemoteError line naming the method, the URL and the status.
"""
from __future__ import annotations

import base64
import contextlib
import http.client
import json
import math
import os
import re
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import KgUsageError
from kg.rdf.ntriples import Iri, Lit
from kg.rdf.terms import to_rdflib
from kg.sparql.saved import ParameterError, QueryError, parse_safe
from kg.sparql.results import QueryResult, without_parameters

USER_AGENT = "kg (https://w3id.org/llm-kg)"


class RemoteError(QueryError):
    """An HTTP request to an endpoint failed (network, status or timeout)."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    @classmethod
    def from_environment(cls, user: str | None = None) -> "Credentials | None":
        """Basic-auth credentials: the user from ``user`` or KG_PUSH_USER, the password from
        KG_PUSH_PASSWORD (never from the command line)."""
        user = user or os.environ.get("KG_PUSH_USER")
        password = os.environ.get("KG_PUSH_PASSWORD")
        if user and password is None:
            raise RemoteError("a user is set but KG_PUSH_PASSWORD is not: export the password "
                              "in that environment variable")
        return cls(user, password) if user else None

    def header(self) -> str:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return f"Basic {token}"


def redacted(url: str) -> str:
    """``url`` without the user and password it may carry (a URL is printed in messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_timeout(timeout: float) -> float:
    """A timeout is a finite number of seconds above zero (and at most a day)."""
    if not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or not 0 < timeout <= 86400:
        raise KgUsageError(f"timeout {timeout!r} is not a number of seconds above 0 and at most 86400 (a day)")
    return float(timeout)


def request(method: str, url: str, *, body=None, headers: dict | None = None, timeout: float = 60,
            credentials: Credentials | None = None) -> tuple[int, bytes]:
    """One HTTP request; ``body`` may be bytes or a binary file (streamed). Returns (status, body).

    ``timeout`` bounds the whole exchange, not each read: a server that trickles one byte a
    second is cut off when it runs out. A user and password in the URL are used as basic-auth
    credentials (unless ``credentials`` are given) and never printed.
    """
    timeout = check_timeout(timeout)
    parts = urllib.parse.urlsplit(url)
    shown = redacted(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"'{shown}' is not an http(s) URL")
    if credentials is None and parts.username is not None:
        credentials = Credentials(urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if credentials is not None:
        all_headers["Authorization"] = credentials.header()
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(method, target, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        if expired.is_set():
            raise TimeoutError
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise RemoteError(f"{method} {shown} failed: no complete answer within {timeout:g} s") from None
        if isinstance(exc, http.client.HTTPException):
            raise RemoteError(f"{method} {shown} failed: {type(exc).__name__} {exc}") from None
        raise RemoteError(f"{method} {shown} failed: {exc.strerror or exc}") from None
    finally:
        watchdog.cancel()
        connection.close()
    if response.status >= 400:
        detail = data.decode("utf-8", "replace").strip().splitlines()
        hint = f": {detail[0][:200]}" if detail else ""
        raise RemoteError(f"{method} {shown} failed: HTTP {response.status} {response.reason}{hint}")
    return response.status, data


# --- queries ------------------------------------------------------------------------------

_UNSAFE_IRI = re.compile(r'[\s<>"{}|^`\\]')
_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def inline_parameters(text: str, bindings: dict) -> str:
    """The query with a VALUES block of the bound terms opening its WHERE group.

    Over the protocol there is no substitution API, so the terms travel in the text. They
    are serialized by rdflib (``n3()``) after refusing what could break out of a term:
    SPARQL processes ``\\uXXXX`` escapes anywhere in a query, so a backslash in a value, or
    an IRI with characters IRIs cannot hold, is a usage error.
    """
    if not bindings:
        return text
    names, terms = [], []
    for variable, term in sorted(bindings.items(), key=lambda kv: str(kv[0])):
        if type(term) in (Iri, Lit):
            term = to_rdflib(term)
        if isinstance(term, URIRef) and _UNSAFE_IRI.search(str(term)):
            raise ParameterError(f"parameter ?{variable}: the IRI '{term}' holds characters IRIs "
                                 "cannot contain")
        if isinstance(term, Literal) and ("\\" in str(term) or not str(term).isprintable()):
            raise ParameterError(f"parameter ?{variable}: backslashes and control characters cannot be "
                                 "sent safely to a remote endpoint; remove them from the value")
        names.append(f"?{variable}")
        terms.append(term.n3())
    code = text
    match = _first_where(code)
    if match is None:
        raise QueryError("a query with parameters needs a WHERE { … } clause to run on an endpoint")
    values = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    return code[: match.end()] + values + code[match.end():]


def _first_where(text: str):
    """The first WHERE { outside comments, IRIs and strings."""
    masked = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*',
                    lambda m: " " * len(m.group(0)), text)
    return _WHERE.search(masked)


def query_endpoint(url: str, text: str, bindings: dict | None = None, *, timeout: float = 60,
                   credentials: Credentials | None = None) -> QueryResult:
    """Run a (checked) query on a SPARQL 1.1 Protocol endpoint and return a QueryResult."""
    tree = parse_safe(text)
    kind = tree[1].name  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    # The form encoding of the SPARQL 1.1 Protocol: every endpoint takes it (Virtuoso 7.2 never
    # answers a POST of application/sparql-query).
    body = urllib.parse.urlencode({"query": inline_parameters(text, bindings or {})}).encode("ascii")
    graph_query = kind in ("ConstructQuery", "DescribeQuery")
    accept = "application/n-triples" if graph_query else "application/sparql-results+json"
    _status, data = request("POST", url, body=body, timeout=timeout, credentials=credentials, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    if graph_query:
        graph = Graph()
        if data.strip():
            graph.parse(data=data, format="nt")
        return QueryResult("graph", graph=graph)
    try:
        document = json.loads(data)
    except ValueError:
        raise RemoteError(f"POST {redacted(url)}: the answer is not SPARQL JSON results") from None
    if "boolean" in document:
        return QueryResult("ask", boolean=bool(document["boolean"]))
    variables = document["head"]["vars"]
    rows = [tuple(_term(binding.get(v)) for v in variables) for binding in document["results"]["bindings"]]
    return without_parameters(QueryResult("select", variables, rows))


def _term(value: dict | None):
    from kg.rdf.terms import _rdflib_terms

    if value is None:
        return None
    URIRef, Literal, BNode = _rdflib_terms()  # (where an application's one-line warnings are set up)
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != str(XSD.string):
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])


# --- pushing ------------------------------------------------------------------------------

@dataclass
class PushResult:
    sent: int
    stored: int
    url: str


def push_file(store_url: str, path: Path, media_type: str, *, graph: str | None, append: bool,
              timeout: float = 60, credentials: Credentials | None = None) -> str:
    """Send ``path`` to a Graph Store Protocol endpoint: PUT replaces the graph, POST adds to it."""
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{store_url}{'&' if '?' in store_url else '?'}{query}"
    method = "POST" if append else "PUT"
    with open(path, "rb") as handle:  # http.client streams a file object block by block
        request(method, url, body=handle, timeout=timeout, credentials=credentials, headers={
            "Content-Type": media_type, "Content-Length": str(path.stat().st_size)})
    return redacted(url)


def count_triples(query_url: str, graph: str | None, *, timeout: float = 60,
                  credentials: Credentials | None = None) -> int:
    if graph:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        if _UNSAFE_IRI.search(graph):
            raise ParameterError(f"--graph '{graph}' is not a valid IRI")
    else:
        text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    result = query_endpoint(query_url, text, timeout=timeout, credentials=credentials)
    return int(result.rows[0][0])


def query_url_for(store_url: str) -> str:
    """The query endpoint next to a Graph Store endpoint: …/store → …/query (Oxigraph's layout)."""
    parts = urllib.parse.urlsplit(store_url)
    path = re.sub(r"/store/?$", "/query", parts.path) if parts.path.rstrip("/").endswith("store") else \
        parts.path.rstrip("/") + "/query"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))

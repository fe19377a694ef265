"""A real Oxigraph server on 127.0.0.1: push, every saved query through --endpoint, serve, failures."""
from __future__ import annotations

import base64
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.sparql.engines import run_query
from kg.pipeline.project import Project, compile_catalog
from kg.pipeline.queryable import query_graph
from kg.sparql.saved import ParameterError, bind_parameters, list_saved_queries, uses_named_graphs
from kg.sparql.remote import RemoteError, inline_parameters, query_endpoint
from kg.sparql.serve import oxigraph_executable

from .conftest import FIXTURE_CATALOG, ROOT, project_args

BASE = "https://w3id.org/llm-kg"
KG = str(Path(sys.executable).parent / "kg")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            query_endpoint(url, "ASK { ?s ?p ?o }", timeout=1)
            return
        except RemoteError:
            time.sleep(0.1)
    raise AssertionError(f"no server at {url}")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """`oxigraph serve` (read-write) on a free port of 127.0.0.1, stopped after the module."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-store")
    process = subprocess.Popen([oxigraph_executable(), "serve", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def local_graph():
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    return query_graph(compile_catalog(project, shapes=False), project)


def test_push_then_every_saved_query_matches_local(run, oxigraph, local_graph):
    result = run("push", *project_args(), "--endpoint", oxigraph + "/store")
    assert result.exit_code == 0, result.output
    assert "the store holds" in result.stderr
    for query in list_saved_queries(ROOT / "queries"):
        if uses_named_graphs(query.text):  # kg push sends the asserted graph; the provenance dataset is not pushed
            continue
        bindings = bind_parameters(query, {}, local_graph, BASE)
        local = run_query(local_graph, query.text, bindings)
        remote = query_endpoint(oxigraph + "/query", query.text, bindings)
        if local.kind == "graph":
            from rdflib.compare import isomorphic

            assert isomorphic(local.graph, remote.graph), query.name
        else:
            assert remote.variables == local.variables, query.name
            assert remote.rows == local.rows, query.name


def test_query_cli_with_endpoint(run, oxigraph):
    assert run("push", *project_args(), "--endpoint", oxigraph + "/store").exit_code == 0
    result = run("query", *project_args(), "models-by-organization", "-p", "org=stanford", "--format", "csv",
                 "--endpoint", oxigraph + "/query")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"model,name,released\r\nhttps://w3id.org/llm-kg/model/alpaca,Alpaca,2023-03-13\r\n"


def test_an_ill_typed_literal_from_an_endpoint_is_one_line(oxigraph):
    """The endpoint's JSON is made into rdflib terms before any other: the one-line warning holds there too."""
    import sys

    text = 'SELECT ?x WHERE { BIND("abc"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?x) }'
    done = subprocess.run([sys.executable, "-m", "kg", "query", *project_args(), "--query", text,
                           "--endpoint", oxigraph + "/query"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "abc" in done.stdout, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("warning: a literal that is not a valid")


def test_push_named_graph_and_append(run, oxigraph):
    graph = "https://w3id.org/llm-kg/graph/test"
    first = run("push", *project_args(), "--endpoint", oxigraph + "/store", "--graph", graph)
    assert first.exit_code == 0, first.output
    again = run("push", *project_args(), "--endpoint", oxigraph + "/store", "--graph", graph, "--append",
                "--format", "turtle")
    assert again.exit_code == 0, again.output


def test_hostile_values_over_the_protocol(oxigraph, run):
    from rdflib import Literal, Variable

    text = "SELECT ?s ?__country_literal WHERE { ?s ?p ?o FILTER (COALESCE(?o = ?__country_literal, true)) }"
    with pytest.raises(ParameterError, match="backslashes"):
        inline_parameters(text, {Variable("__country_literal"): Literal('FR" } \\u0022')})
    quoted = inline_parameters(text, {Variable("__country_literal"): Literal('FR" ) } UNION { ?s ?p ?o')})
    assert run("push", *project_args(), "--endpoint", oxigraph + "/store").exit_code == 0
    assert query_endpoint(oxigraph + "/query", quoted).rows == []


def test_server_down_is_one_line(run):
    port = free_port()
    result = run("query", *project_args(), "releases-per-year", "--endpoint", f"http://127.0.0.1:{port}/query")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: POST http://127.0.0.1:{port}/query failed: ")
    assert len(result.output.strip().splitlines()) == 1


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        expected = "Basic " + base64.b64encode(b"kg:secret").decode()
        if self.path.startswith("/fail"):
            self.send_response(500, "Internal Server Error")
        elif self.headers.get("Authorization") != expected:
            self.send_response(401, "Unauthorized")
        else:
            self.send_response(204, "No Content")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_store():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_errors_and_credentials(run, fake_store, monkeypatch):
    monkeypatch.delenv("KG_PUSH_USER", raising=False)
    monkeypatch.delenv("KG_PUSH_PASSWORD", raising=False)
    result = run("push", *project_args(), "--endpoint", fake_store + "/store")
    assert result.exit_code == 1
    assert "failed: HTTP 401 Unauthorized" in result.output
    monkeypatch.setenv("KG_PUSH_USER", "kg")
    monkeypatch.setenv("KG_PUSH_PASSWORD", "wrong")
    assert "HTTP 401" in run("push", *project_args(), "--endpoint", fake_store + "/store").output
    result = run("push", *project_args(), "--endpoint", fake_store + "/fail/store")
    assert result.exit_code == 1
    assert "failed: HTTP 500 Internal Server Error" in result.output
    monkeypatch.setenv("KG_PUSH_PASSWORD", "secret")
    result = run("push", *project_args(), "--endpoint", fake_store + "/store",
                 "--query-endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.exit_code == 1  # the PUT succeeds; the count query cannot reach a server
    assert "failed:" in result.output


def test_password_never_an_option(run):
    result = run("push", "-h")
    assert "--password" not in result.output


def test_serve_subprocess_answers_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([KG, "serve", *project_args(), "--bind", f"127.0.0.1:{port}"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/query", timeout=30)
        result = query_endpoint(f"http://127.0.0.1:{port}/query",
                                "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/llm-kg/ontology#Model> }")
        assert int(result.rows[0][0]) == 5
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("kg-serve-")]
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0, process.stderr.read().decode()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("kg-serve-")], "temporary store left"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again: no orphan server


def test_serve_refuses_a_taken_port(run):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run("serve", *project_args(), "--bind", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_bad_bind_is_a_usage_error_and_no_validate_is_not_offered_again(run):
    for bind in ("nonsense", "127.0.0.1:99999", "127.0.0.1:0"):
        result = run("serve", "--bind", bind)
        assert result.exit_code == 2 and "must be HOST:PORT" in result.output, result.output
    broken = run("serve", "--no-validate", "--data", str(ROOT / "tests" / "fixtures" / "broken"), "--bind",
                 "127.0.0.1:9")
    assert broken.exit_code == 1 and "--no-validate skips the shapes, not these" in broken.output
    assert "or pass --no-validate" not in broken.output


def test_serve_refuses_an_invalid_catalog(run, fixture_catalog):
    (fixture_catalog / "models" / "x.yaml").write_text("name: X\nname: Y\n")
    result = run("serve", *project_args(fixture_catalog), "--bind", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "KG004" in result.output

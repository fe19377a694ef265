"""Faults a hostile or unlucky user meets: odd files, odd values, odd nesting. Each gets a message
naming the file and line, a non-zero exit, and never a hang or a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from kg.catalog.values import BadValue, parse_count

from .conftest import ROOT, project_args, write_entry

KG = [sys.executable, "-m", "kg"]


def test_a_fifo_in_data_is_reported_not_waited_on(fixture_catalog):
    fifo = fixture_catalog / "models" / "pipe.yaml"
    os.mkfifo(fifo)
    done = subprocess.run([*KG, "validate", *project_args(fixture_catalog)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "pipe.yaml:1: KG009 not a regular file" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("text", [
    "name: X\naliases: !!set {a, b}\n",
    "name: X\nsources:\n- source: !!binary aGVsbG8=\n  for: [name]\n",
    "name: !custom X\n",
    "name: X\nbased_on: !!python/object:os.system [ls]\n",
    "name: X\nsources: !seq\n- https://example.org\n",
])
def test_yaml_tags_are_refused_wherever_they_are(run, fixture_catalog, text):
    write_entry(fixture_catalog, "models", "tagged.yaml", text)
    result = run("validate", *project_args(fixture_catalog))
    assert result.exit_code == 1
    assert "tagged.yaml" in result.output and "KG003 YAML tag" in result.output


@pytest.mark.parametrize("depth", [25, 450, 700, 1000, 5000])
def test_deep_nesting_is_a_diagnostic_not_a_recursion_error(run, fixture_catalog, depth):
    write_entry(fixture_catalog, "models", "deep.yaml", "name: Z\ncorpus: " + "[" * depth + "]" * depth + "\n")
    result = run("validate", *project_args(fixture_catalog))
    assert result.exit_code == 1
    assert "deep.yaml" in result.output and ("KG006" in result.output or "KG003" in result.output)
    assert "RecursionError" not in result.output and "Traceback" not in result.output


def test_an_impossible_date_hides_no_other_problem(run, fixture_catalog):
    write_entry(fixture_catalog, "models", "baddate.yaml", "name: Y\nreleased: 2024-13-01\nlicence: MIT\n")
    result = run("validate", *project_args(fixture_catalog))
    assert "baddate.yaml:2:11: KG107 'released' '2024-13-01' has month 13" in result.output
    assert "baddate.yaml:3:1: KG102 unknown key 'licence'" in result.output


@pytest.mark.parametrize("written", ["1,7B", "1,5B", "12,34B", "7,0B", "1,2345"])
def test_a_decimal_comma_is_refused_not_read_as_thousands(written):
    with pytest.raises(BadValue, match="decimal point"):
        parse_count(written)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_thousands_separators_read_as_the_number(number):
    assert parse_count(f"{number:,}") == number
    assert parse_count(f"{number}") == number


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=1000, places=3), st.sampled_from(["K", "M", "B", "T"]))
def test_counts_with_a_suffix_keep_their_value(number, suffix):
    scale = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}[suffix]
    value = number * scale
    if value != int(value):
        with pytest.raises(BadValue):
            parse_count(f"{number}{suffix}")
    else:
        assert parse_count(f"{number}{suffix}") == int(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_any_text_is_a_count_or_a_bad_value(text):
    try:
        assert parse_count(text) >= 0
    except BadValue:
        pass


def test_kg_site_keeps_files_it_did_not_write(run, tmp_path):
    out = tmp_path / "site"
    assert run("site", *project_args(), "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("mine")
    again = run("site", *project_args(), "--out", str(out))
    assert again.exit_code == 1 and "notes.txt" in again.output and "nothing was replaced" in again.output
    assert (out / "notes.txt").read_text() == "mine" and (out / "index.html").is_file()
    (out / "notes.txt").unlink()
    assert run("site", *project_args(), "--out", str(out)).exit_code == 0  # its own files only: replaced


@pytest.mark.parametrize("command,name,starts", [
    (["timeline"], "t.svg", b"<?xml"), (["timeline"], "t.md", b"| year"), (["lineage", "alpaca"], "l.dot", b"digraph"),
    (["lineage", "alpaca"], "l.mmd", b"flowchart")])
def test_the_format_of_a_picture_follows_its_file_name(run, tmp_path, command, name, starts):
    if name.endswith(".svg"):
        pytest.importorskip("matplotlib")
    out = tmp_path / name
    result = run(*command, *project_args(), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().lstrip().startswith(starts)


def test_a_picture_file_name_without_a_known_extension_is_a_usage_error(run, tmp_path):
    result = run("lineage", *project_args(), "-o", str(tmp_path / "l.txt"))
    assert result.exit_code == 2 and "pass --format" in result.output and not (tmp_path / "l.txt").exists()


def test_validating_with_no_shapes_is_an_error_not_a_clean_bill(run, tmp_path):
    empty = tmp_path / "shapes"
    empty.mkdir()
    for engine in ("rdflib", "oxigraph"):
        result = run("validate", *project_args(), "--shapes", str(empty), "--engine", engine)
        assert result.exit_code == 1 and "no SHACL shapes" in result.output


# --- endpoints that trickle, say nothing, or want credentials ------------------------------

import base64  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402

SPARQL_JSON = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'


@contextmanager
def tcp_server(handle):
    """A server on 127.0.0.1 (a free port) that runs ``handle(connection)`` for each client; bounded."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(connection, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _trickle(connection, stop):
    """Answers, one byte every 0.1 s: each read is quick, the whole answer never is."""
    connection.recv(65536)
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n" + SPARQL_JSON
    for byte in answer:
        if stop.is_set():
            break
        try:
            connection.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.1)
    connection.close()


def _silent(connection, stop):
    stop.wait(30)
    connection.close()


@pytest.mark.parametrize("handler", [_trickle, _silent], ids=["trickling", "silent"])
def test_an_endpoint_timeout_bounds_the_whole_answer(run, handler):
    with tcp_server(handler) as url:
        start = time.monotonic()
        result = run("query", *project_args(), "--query", "SELECT (1 AS ?n) {}", "--endpoint", url + "/query",
                     "--timeout", "1.5")
        took = time.monotonic() - start
    assert result.exit_code == 1 and "no complete answer within 1.5 s" in result.output
    assert took < 10


def test_credentials_in_an_endpoint_url_are_used_and_never_printed(run):
    seen = []

    def checks_credentials(connection, _stop):
        request = connection.recv(65536).decode("latin-1")
        seen.append(request)
        expected = "Authorization: Basic " + base64.b64encode(b"kg:s3cret").decode()
        status = b"200 OK" if expected in request else b"401 Unauthorized"
        body = SPARQL_JSON if status == b"200 OK" else b"no"
        connection.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/sparql-results+json\r\n"
                           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        connection.close()

    with tcp_server(checks_credentials) as url:
        with_password = url.replace("http://", "http://kg:s3cret@") + "/query"
        ok = run("query", *project_args(), "--query", "SELECT (1 AS ?n) {}", "--endpoint", with_password,
                 "--format", "csv")
        assert ok.exit_code == 0, ok.output
        assert ok.stdout.splitlines() == ["n", "1"]
        wrong = run("query", *project_args(), "--query", "SELECT (1 AS ?n) {}", "--endpoint",
                    with_password.replace("s3cret", "wrong"))
    assert wrong.exit_code == 1 and "HTTP 401" in wrong.output
    assert "s3cret" not in wrong.output and "wrong" not in wrong.output and "kg:" not in wrong.output


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "0"])
def test_a_timeout_that_is_not_a_duration_is_a_usage_error(run, value):
    result = run("query", *project_args(), "models-by-organization", "-p", "org=meta", "--endpoint",
                 "http://127.0.0.1:9/query", f"--timeout={value}")
    assert result.exit_code == 2 and "Traceback" not in result.output


# --- kg serve: no federation, no orphans ------------------------------------------------------

import signal  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

from .test_remote import free_port, wait_until_up  # noqa: E402


def _serve(tmp_path, port):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([*KG, "serve", *project_args(), "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_up(f"http://127.0.0.1:{port}/query", timeout=60)
    return process


def _post(url: str, query: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"query": query}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=20) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _oxigraph_children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    command = handle.read().split(b"\0")
            except OSError:
                continue
            if command and command[0].endswith(b"oxigraph") and b"serve-read-only" in command:
                found.append(int(entry))
    return found


def test_the_served_endpoint_refuses_service_and_never_connects_out(tmp_path):
    calls = []

    def records(connection, _stop):
        calls.append(connection.recv(4096))
        connection.close()

    port = free_port()
    process = _serve(tmp_path, port)
    try:
        with tcp_server(records) as listener:
            for query in (f"SELECT * WHERE {{ SERVICE <{listener}/sparql> {{ ?s ?p ?o }} }}",
                          f"SELECT * WHERE {{ \\u0053ERVICE <{listener}/sparql> {{ ?s ?p ?o }} }}"):
                status, text = _post(f"http://127.0.0.1:{port}/query", query)
                assert status == 403 and "SERVICE" in text
            status, text = _post(f"http://127.0.0.1:{port}/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            assert status == 200 and "results" in text
            time.sleep(0.5)
        assert calls == []  # nothing reached the listener
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP], ids=["kill -9", "SIGHUP"])
def test_a_killed_or_hung_up_kg_serve_leaves_no_server_and_frees_its_port(tmp_path, how):
    port = free_port()
    process = _serve(tmp_path, port)
    children = _oxigraph_children(process.pid)
    assert children
    process.send_signal(how)
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{c}") for c in children):
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{c}") and b"oxigraph" in open(f"/proc/{c}/cmdline", "rb").read()
                   for c in children), "the Oxigraph server outlived kg serve"
    again = _serve(tmp_path, port)  # the port is free at once, and stale stores are removed
    try:
        stores = [p for p in tmp_path.iterdir() if p.name.startswith("kg-serve-")]
        assert len(stores) == 1
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("kg-serve-")]

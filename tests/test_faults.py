"""Faults a hostile or unlucky user meets: odd files, odd values, odd nesting. Each gets a message
naming the file and line, a non-zero exit, and never a hang or a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from kg.catalog.values import BadValue, parse_count

from .conftest import FIXTURE_CATALOG, ROOT, project_args, write_entry

KG = [sys.executable, "-m", "kg"]


def test_a_fifo_in_data_is_reported_not_waited_on(fixture_catalog):
    fifo = fixture_catalog / "models" / "pipe.yaml"
    os.mkfifo(fifo)
    done = subprocess.run([*KG, "validate", *project_args(fixture_catalog)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "pipe.yaml:1: KG009 not a regular file" in done.stdout
    assert "Traceback" not in done.stderr
    asked = subprocess.run([*KG, "query", *project_args(fixture_catalog), "releases-per-year"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)  # the cache key reads data/ too
    assert asked.returncode == 0 and "Traceback" not in asked.stderr


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
        code = again.wait(timeout=30)
    assert code == 0  # how a server is stopped (README, exit codes)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("kg-serve-")]


# --- builds killed, interrupted, or run twice at once -----------------------------------------

import hashlib  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402

EXPORTS = ("catalog.ttl", "catalog.jsonld", "catalog.nt", "provenance.nq", "provenance.trig", "ontology.ttl")


def _project_copy(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(ROOT / "tests" / "fixtures" / "catalog", root / "data")
    return root


def _build_args(root, out):
    return [*KG, "build", "--data", str(root / "data"), "--shapes", str(root / "shapes"), "--ontology",
            str(root / "ontology"), "--queries", str(root / "queries"), "--out", str(out), "--no-cache"]


def _digests(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in EXPORTS if (folder / name).exists()}


def _debris(folder):
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def _processes_in_group(group: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry))
    return found


def test_a_build_killed_at_random_points_leaves_the_old_set_or_the_new_and_nothing_else(tmp_path):
    root = _project_copy(tmp_path)
    out = tmp_path / "dist"
    (out / "site").mkdir(parents=True)  # something else in the folder, which every build must keep
    (out / "site" / "index.html").write_text("my site")
    subprocess.run(_build_args(root, out), check=True, capture_output=True, timeout=120)
    old = _digests(out)
    alpaca = root / "data" / "models" / "alpaca.yaml"
    alpaca.write_text(alpaca.read_text().replace("name: Alpaca", "name: Alpaca 7B"))
    start = time.monotonic()
    subprocess.run(_build_args(root, tmp_path / "timing"), check=True, capture_output=True, timeout=120)
    took = time.monotonic() - start
    rng = random.Random(7)
    outcomes = set()
    for _ in range(6):
        process = subprocess.Popen(_build_args(root, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(rng.uniform(0.3, took * 1.1))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _processes_in_group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_in_group(process.pid) == [], "a process of the killed build is still running"
        now = _digests(out)
        assert now == old or all(now[name] != old[name] for name in ("catalog.nt", "catalog.ttl")), \
            "the export set mixes two builds"
        assert (now == old and set(now) == set(EXPORTS)) or set(now) == set(EXPORTS)
        assert (out / "site" / "index.html").read_text() == "my site"
        outcomes.add("old" if now == old else "new")
    finished = subprocess.run(_build_args(root, out), capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert _debris(out) == [], "a killed build left temporary files behind"
    assert (out / "site" / "index.html").read_text() == "my site"
    assert "Alpaca 7B" in (out / "catalog.nt").read_text()


def test_sigterm_and_ctrl_c_stop_a_build_cleanly(tmp_path):
    root = _project_copy(tmp_path)
    out = tmp_path / "dist"
    for signum, code in ((signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)):
        process = subprocess.Popen(_build_args(root, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)
        time.sleep(0.8)
        os.killpg(process.pid, signum)
        assert process.wait(timeout=60) in (code, 0)  # 0: it had already finished
        assert _debris(out) == [] and "Traceback" not in process.stderr.read().decode()


def test_two_builds_at_once_leave_one_complete_set(tmp_path):
    root = _project_copy(tmp_path)
    out = tmp_path / "dist"
    runs = [subprocess.Popen(_build_args(root, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    results = [(run.wait(timeout=180), run.stderr.read()) for run in runs]
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        assert code == 0 or (code == 1 and "is writing into" in err), err
    assert set(_digests(out)) == set(EXPORTS) and _debris(out) == []


@pytest.mark.parametrize("fmt", ["tsv", "table"])
@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_goes_away_ends_a_large_query_with_141(fmt, unbuffered):
    """With PYTHONUNBUFFERED, stdout wrote a 1 MB answer in one raw write: the pipe took 64 KiB of
    it when its reader left, the rest was dropped, and kg exited 0."""
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered} if unbuffered else \
        {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen([*KG, "query", "--data", str(ROOT / "data"), "--query", "SELECT * WHERE { ?s ?p ?o }",
                                "--format", fmt, "--no-cache"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(100)
    process.stdout.close()
    assert process.wait(timeout=120) == 141
    assert b"Traceback" not in process.stderr.read()


def test_a_reader_that_goes_away_ends_the_export_quietly():
    process = subprocess.Popen([*KG, "export", "--data", str(ROOT / "data"), "--format", "nt"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(100)
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def test_a_full_disk_names_the_file(run, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    done = subprocess.run(f"{sys.executable} -m kg export --data {ROOT / 'tests/fixtures/catalog'} --format nt "
                          "> /dev/full", shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "standard output: No space left on device" in done.stderr


def test_an_out_folder_that_cannot_be_made_is_named_not_a_temporary_file(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("build", *project_args(), "--out", str(blocker / "dist"), "--no-cache")
    assert result.exit_code == 1 and str(blocker / "dist") in result.output
    assert ".staging" not in result.output and ".tmp" not in result.output


def test_reading_processes_die_with_a_killed_kg(tmp_path):
    """From 2,000 files on, the YAML is read by forked children; kill -9 of kg must not orphan them."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    data = tmp_path / "data"
    generate.generate(30000, 3, data)
    process = subprocess.Popen([*KG, "validate", "--data", str(data), "--engine", "oxigraph"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    children = []
    while time.monotonic() < deadline and not children and process.poll() is None:
        children = [pid for pid in _processes_in_group(process.pid) if pid != process.pid]
        time.sleep(0.02)
    if not children:
        pytest.skip("the validation finished before a reading process could be seen")
    process.send_signal(signal.SIGKILL)  # the parent alone: its children are not signalled
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _processes_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_in_group(process.pid) == [], "a reading process outlived kg"


@pytest.mark.parametrize("command", [["stats"], ["timeline"], ["lineage"], ["why", "alpaca"], ["query", "releases-per-year"]])
def test_commands_that_read_an_invalid_catalog_say_so(run, fixture_catalog, command):
    write_entry(fixture_catalog, "models", "x.yaml", "name: X\nname: Y\n")
    result = run(*command[:1], *project_args(fixture_catalog), *command[1:])
    assert result.exit_code == 0, result.output
    assert "warning: the catalog has 2 errors" in result.stderr  # a duplicate key, and a name with no source


def test_build_and_validate_say_which_triples_they_count(run, tmp_path):
    validate = run("validate", *project_args())
    build = run("build", *project_args(), "--out", str(tmp_path / "dist"), "--no-cache")
    catalog = int(validate.stderr.split(" entries, ")[1].split(" catalog triples")[0])
    assert f"the {catalog} of the catalog and its dataset description" in build.stderr


# --- queries: one behaviour on both engines, and bad ones refused in words ---------------------

@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("depth", [40, 300, 3000])
def test_deeply_nested_queries_get_a_message_not_a_recursion_error(run, engine, depth):
    text = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1"
    result = run("query", *project_args(), "--engine", engine, "--query", text, "--format", "csv")
    assert "RecursionError" not in result.output and "Traceback" not in result.output
    assert result.exit_code == 0 or "nests" in result.output
    service = "SELECT * WHERE " + "{" * depth + " SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } " + "}" * depth
    refused = run("query", *project_args(), "--engine", engine, "--query", service)
    assert refused.exit_code == 1 and ("SERVICE" in refused.output or "nests" in refused.output)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o . ?o ?q ?z } ORDER BY ?s ?p ?o ?q ?z LIMIT 5",
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a kg:Model ; kg:developer org:meta }",
    "SELECT ?g ?s WHERE { GRAPH ?g { ?s a kg:Model } } ORDER BY ?g ?s LIMIT 5",
])
def test_ad_hoc_queries_behave_the_same_on_both_engines(run, query):
    outputs = {engine: run("query", *project_args(), "--engine", engine, "--query", query, "--format", "csv")
               for engine in ("rdflib", "oxigraph")}
    assert outputs["rdflib"].exit_code == outputs["oxigraph"].exit_code == 0, outputs
    assert outputs["rdflib"].stdout == outputs["oxigraph"].stdout


def test_select_star_columns_follow_the_query(run):
    for engine in ("rdflib", "oxigraph"):
        for _ in range(3):
            result = run("query", *project_args(), "--engine", engine, "--no-cache", "--query",
                         "SELECT * WHERE { ?s ?p ?o . ?o ?q ?z } LIMIT 1", "--format", "csv")
            assert result.stdout.splitlines()[0] == "s,p,o,q,z"


def test_a_graph_result_in_a_table_format_is_a_usage_error(run):
    result = run("query", *project_args(), "--query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--format", "csv")
    assert result.exit_code == 2 and "CONSTRUCT or DESCRIBE gives a graph" in result.output


# --- the query cache: damaged, cut short, or on a disk that is full ----------------------------

def _cache_entry(cache_root):
    entries = [p.parent for p in cache_root.rglob("meta.json")]
    assert len(entries) == 1, entries
    return entries[0]


COUNT = ["--format", "csv", "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("damage", ["cut at a line", "garbage meta", "meta without counts", "empty graph file"])
def test_a_damaged_cache_entry_is_rebuilt_not_believed(run, fixture_catalog, tmp_path, monkeypatch, engine, damage):
    cache = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    args = [*project_args(fixture_catalog), "--engine", engine]
    expected = run("query", *args, *COUNT)
    assert expected.exit_code == 0
    entry = _cache_entry(cache)
    graph = entry / "query-graph.nt"
    if damage == "cut at a line":
        lines = graph.read_bytes().splitlines(keepends=True)
        graph.write_bytes(b"".join(lines[: len(lines) // 2]))
    elif damage == "garbage meta":
        (entry / "meta.json").write_text("{not json")
    elif damage == "meta without counts":
        (entry / "meta.json").write_text("{}")
    else:
        graph.write_bytes(b"")
    again = run("query", *args, *COUNT)
    assert again.exit_code == 0 and "Traceback" not in again.output
    assert again.stdout == expected.stdout
    assert run("query", *args, *COUNT).stdout == expected.stdout  # and the entry was repaired


def test_a_cache_that_cannot_be_written_stops_neither_build_nor_query(run, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", "/dev/null/kg-cache")  # no folder can be made there
    built = run("build", *project_args(), "--out", str(tmp_path / "dist"))
    assert built.exit_code == 0, built.output
    asked = run("query", *project_args(), *COUNT)
    assert asked.exit_code == 0 and asked.stdout.splitlines()[0] == "n"


def test_an_interrupted_atomic_write_leaves_nothing_for_long(tmp_path):
    from kg.util.fsutil import write_atomic

    target = tmp_path / "out.nt"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".out.nt.{dead}.abcd1234.tmp"
    stale.write_bytes(b"half")
    write_atomic(target, b"whole\n")
    assert target.read_bytes() == b"whole\n" and not stale.exists()


def test_run_from_a_subfolder_kg_writes_under_the_project_root(tmp_path):
    root = _project_copy(tmp_path)
    inside = root / "queries"
    done = subprocess.run([*KG, "build", "--no-cache"], cwd=inside, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (root / "dist" / "catalog.nt").is_file() and not (inside / "dist").exists()


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_a_local_query_that_would_run_forever_is_stopped_at_its_timeout(engine):
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    start = time.monotonic()
    done = subprocess.run([*KG, "query", *project_args(), "--engine", engine, "--query", cross, "--timeout", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "ran longer than --timeout 2 s" in done.stderr
    assert time.monotonic() - start < 60 and "Traceback" not in done.stderr


def test_a_local_query_cannot_take_more_memory_than_it_is_given():
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # JSON holds every row before writing
    done = subprocess.run([*KG, "query", "--data", str(ROOT / "data"), "--query", cross, "--format", "json",
                           "--max-memory", "300M"], cwd=ROOT, capture_output=True, timeout=300)
    assert done.returncode == 1 and b"needed more than --max-memory 300 MiB" in done.stderr
    assert b"Traceback" not in done.stderr


def test_an_engine_that_aborts_is_said_to_have_run_out_of_memory_or_met_a_damaged_store():
    """An engine aborts (SIGABRT) when it cannot allocate: past --max-memory, or on a damaged
    on-disk store asking for an impossible block (std::bad_alloc); the message names both."""
    import os

    from kg.cli.bounded import run_bounded
    from kg.errors import KgError

    with pytest.raises(KgError, match=r"more than --max-memory 512 MiB .*damaged cache store.*kg cache clear"):
        run_bounded(os.abort, timeout=30, max_memory=512 << 20)
    with pytest.raises(KgError, match=r"the query stopped: a child process of kg died .*signal 6.*damaged cache store"):
        run_bounded(os.abort, timeout=30, max_memory=None)

    def raising():  # the query's own RuntimeError, sent back: no word of a damaged store
        raise RuntimeError("its own words")

    for limit in (None, 512 << 20):  # not a matter of memory, whatever the limit
        with pytest.raises(KgError, match=r"^the query stopped: RuntimeError: its own words$"):
            run_bounded(raising, timeout=30, max_memory=limit)


@pytest.mark.parametrize("engine, fmt", [("rdflib", "table"), ("oxigraph", "table"), ("oxigraph", "json"),
                                         ("oxigraph", "tsv")])
def test_an_ill_typed_literal_is_said_once_in_one_line(engine, fmt):
    """rdflib logged a traceback each time it converted "abc"^^xsd:integer (twice on rdflib, once
    more to print on oxigraph): kg query says it once a datatype, in one line, and answers."""
    text = ('SELECT ?x ?y WHERE { BIND("abc"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?x) '
            'BIND("12"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?y) }')
    done = subprocess.run([*KG, "query", *project_args(), "--engine", engine, "--format", fmt, "--query", text],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "abc" in done.stdout, done.stderr
    said = done.stderr.splitlines()
    assert "Traceback" not in done.stderr and len(said) == 1, said
    assert said[0].startswith("warning: a literal that is not a valid http://www.w3.org/2001/XMLSchema#integer "
                              "(ValueError: invalid literal for int() with base 10: ")


def test_a_programs_own_rdflib_logging_is_left_as_it_was():
    """The one-line warning is kg query's choice: a program using kg's Python API keeps rdflib's logging."""
    program = ("import kg\nfrom rdflib import Literal, URIRef\n"
               f"project = kg.open_project({str(ROOT)!r}, data={str(FIXTURE_CATALOG)!r})\n"
               "kg.query('SELECT ?m WHERE { ?m a kg:Model } LIMIT 1', project, cache=False)\n"
               "Literal('abc', datatype=URIRef('http://www.w3.org/2001/XMLSchema#integer'))\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" in done.stderr and "Failed to convert Literal" in done.stderr


def test_csv_rows_stream_from_the_engine_to_the_output():
    """On oxigraph, a streamed SELECT hands its rows over one by one, and CSV writes them a block at a
    time: 25,000 rows of a cross product never exist as one list or one string."""
    import kg
    from kg.sparql.results import render_to

    project = kg.open_project(ROOT)
    outcome = kg.answer("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 25000", project, engine="oxigraph",
                        stream=True)
    assert not isinstance(outcome.result.cells, (list, tuple))

    class Counting:
        writes, size = 0, 0

        def write(self, text):
            self.writes += 1
            self.size += len(text)

    out = Counting()
    render_to(outcome.result, "csv", out)
    assert out.writes >= 3 and out.size > 25_000 * 20

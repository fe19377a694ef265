"""`kg query NAME`'s short path (kg.cli.short_path): it reads only the command lines click would
read the same way, answers them with the same bytes and exit codes as the click command, and
never imports click; anything else goes to click."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli.short_path import ShortRequest, parse
from kg.sparql.saved import list_saved_queries

from .conftest import FIXTURE_CATALOG, ROOT, write_entry

SAVED = list_saved_queries(ROOT / "queries")
PARAMS = {"country": "US", "min_parameters": "1000000000", "since": "2023-01", "org": "meta",
          "model": "llama-2", "technique": "rope", "family": "llama-family", "entity": "alpaca",
          "arxiv": "2307.09288", "text": "llama"}


def _short(name, params=None, fmt=None, engine="oxigraph", **folders) -> ShortRequest:
    return ShortRequest(name, params or {}, fmt, engine, folders)


@pytest.mark.parametrize("args, expected", [
    (["query", "moe-models"], _short("moe-models")),
    (["query", "models-by-organization", "-p", "org=meta"], _short("models-by-organization", {"org": "meta"})),
    (["query", "--param=org=meta", "models-by-organization"], _short("models-by-organization", {"org": "meta"})),
    (["query", "search", "--param", "text=a=b", "--format", "csv", "--engine=rdflib"],
     _short("search", {"text": "a=b"}, "csv", "rdflib")),
    (["query", "x", "--engine", "rdflib", "--engine", "oxigraph"], _short("x")),  # the last one wins
    (["query", "model-neighbourhood", "-p", "model=llama", "--format=nt"],
     _short("model-neighbourhood", {"model": "llama"}, "nt")),
    (["query", "x", "--data", "d", "--ontology=o", "--shapes", "s", "--queries", "q"],
     _short("x", data="d", ontology="o", shapes="s", queries="q")),
])
def test_it_reads_the_plain_spellings(args, expected):
    assert parse(args) == expected


@pytest.mark.parametrize("args", [
    [], ["validate"], ["-v", "query", "moe-models"], ["query"], ["query", "a", "b"],
    ["query", "moe-models", "-h"], ["query", "moe-models", "--help"], ["query", "moe-models", "--"],
    ["query", "--query", "ASK {}"], ["query", "moe-models", "--timeout", "5"], ["query", "moe-models", "--no-cache"],
    ["query", "moe-models", "--base", "x"], ["query", "moe-models", "--shared", "x"],
    ["query", "moe-models", "--data", ""], ["query", "moe-models", "--data", __file__],
    ["query", "moe-models", "-pkey=value"], ["query", "moe-models", "-p=k=v"],
    ["query", "moe-models", "-p"], ["query", "moe-models", "-p", "novalue"], ["query", "moe-models", "-p", " =v"],
    ["query", "search", "-p", "text=a", "-p", "text=b"],
    ["query", "moe-models", "--engine", "virtuoso"], ["query", "moe-models", "--format", "nquads"],
    ["query", "moe-models", "--format", "CSV"], ["query", "moe-models", "--form", "csv"],
    ["query", "SELECT * WHERE { ?s ?p ?o }"], ["query", "moe-models", "-"],
])
def test_anything_else_goes_to_click(args):
    assert parse(args) is None


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project root of its own (the short path locates it from the working directory)."""
    root = tmp_path_factory.mktemp("project")
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(FIXTURE_CATALOG, root / "data")
    return root


def kg(args: list[str], cwd: Path, env: dict) -> tuple[int, bytes, bytes]:
    done = subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=env, capture_output=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    return {**os.environ, "KG_CACHE_DIR": str(tmp_path_factory.mktemp("cache")), "PYTHONPATH": str(ROOT)}


def _short_and_click(args: list[str], cwd: Path, env: dict):
    """The outcome of ``kg ARGS`` on the short path, and on click (--timeout 60, the default, is
    an option only click reads)."""
    assert parse(args) is not None, args
    return kg(args, cwd, env), kg([*args, "--timeout", "60"], cwd, env)


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_every_saved_query_prints_the_same_bytes_on_both_paths(query, project, env):
    params = [f"{p.name}={PARAMS[p.name]}" for p in query.parameters if p.required]
    args = ["query", query.name, *(x for value in params for x in ("-p", value))]
    formats = ["turtle", "nt"] if "CONSTRUCT" in query.text else ["table", "csv", "json"]
    for fmt in formats:
        short, full = _short_and_click([*args, "--format", fmt], project, env)
        assert short == full, (fmt, short[2], full[2])
        assert short[0] == 0 and short[1], short[2]


@pytest.mark.parametrize("args", [
    ["query", "models-by-organization", "-p", "nothere=1"],  # an unknown parameter: a usage error
    ["query", "models-by-organization", "-p", "org=not an id"],
    ["query", "moe-models", "--format", "turtle"],  # rows asked for as a graph
    ["query", "model-neighbourhood", "-p", "model=llama-2", "--format", "csv"],
])
def test_usage_mistakes_get_click_s_words_and_exit_code(args, project, env):
    short, full = _short_and_click(args, project, env)
    assert short == full
    assert short[0] == 2 and b"Usage: kg query" in short[2] and not short[1]


def test_other_mistakes_get_the_same_words_and_exit_code(project, env):
    short, full = _short_and_click(["query", "no-such-query"], project, env)
    assert short == full
    assert short == (1, b"", b"Error: no saved query 'no-such-query' in " + bytes(project / "queries") +
                     b": run 'kg queries' to list them\n")


def test_a_catalog_with_errors_warns_once_on_both_paths(project, env, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(project, broken)
    write_entry(broken / "data", "models", "zz-broken.yaml", "name: Broken\nreleased: 2023-13\n")
    short, full = _short_and_click(["query", "moe-models", "--format", "csv"], broken, env)
    assert short == full
    assert short[0] == 0 and short[2].count(b"warning: the catalog has") == 1


def test_no_project_here_is_said_by_click(tmp_path, env):
    short, full = _short_and_click(["query", "moe-models"], tmp_path, env)
    assert short == full and short[0] == 1 and b"folder" in short[2] and b"does not exist" in short[2]


def test_folders_named_on_the_command_line_are_read_on_both_paths(project, env, tmp_path):
    folders = [x for name in ("data", "ontology", "shapes", "queries") for x in (f"--{name}", str(project / name))]
    short, full = _short_and_click(["query", "models-by-organization", "-p", "org=meta", *folders], tmp_path, env)
    assert short == full and short[0] == 0 and b"model:llama-2" in short[1]


def test_the_short_path_never_imports_click(project, env):
    script = ("import sys\nfrom kg.cli import run\ncode = run(['query', 'moe-models', '--format', 'csv'])\n"
              "print('click' in sys.modules, code, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, timeout=120)
    assert done.stderr.decode().strip().splitlines()[-1] == "False 0", done.stderr
    assert done.stdout.startswith(b"model,")


@pytest.mark.parametrize("extra", [[], ["--timeout", "60"]], ids=["short", "click"])
def test_a_reader_that_leaves_ends_quietly(project, env, extra):
    """`kg query NAME | head -c 10`: no traceback, no message, on the short path as on click (the
    exit code is 141 when kg was still writing, 0 when its rows fit the pipe before the reader left)."""
    shell = f"{sys.executable} -m kg query search -p text=a --format csv {' '.join(extra)} | head -c 10 " \
            ">/dev/null; echo ${PIPESTATUS[0]}"
    done = subprocess.run(["bash", "-c", shell], cwd=project, env=env, capture_output=True, timeout=120)
    assert done.stdout.strip() in (b"0", b"141") and done.stderr == b""


@pytest.mark.parametrize("query", SAVED, ids=lambda q: q.name)
def test_the_form_read_without_parsing_is_the_result_kind(query):
    """query_form lets a --format that cannot fit be refused before a query runs: it must never
    name another kind than the answer has (None, unsure, is always allowed)."""
    from kg.api import query as run
    from kg.pipeline.location import Project
    from kg.sparql.saved import query_form

    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    params = {p.name: PARAMS[p.name] for p in query.parameters if p.required}
    result = run(query.name, project, params=params, engine="oxigraph")
    assert query_form(query.text) == result.kind


def test_a_format_that_cannot_fit_is_refused_before_the_query_runs(monkeypatch):
    import kg.api
    from kg.cli.querying import QueryRequest, answer_here
    from kg.cli.settings import Settings
    from kg.errors import KgUsageError
    from kg.pipeline.location import Project

    monkeypatch.setattr(kg.api, "answer", lambda *args, **kwargs: pytest.fail("the query ran"))
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    with pytest.raises(KgUsageError, match="--format turtle is for CONSTRUCT/DESCRIBE"):
        answer_here(Settings(), project, QueryRequest("moe-models", fmt="turtle"))
    with pytest.raises(KgUsageError, match="--format csv is for SELECT/ASK"):
        answer_here(Settings(), project, QueryRequest("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", fmt="csv"))


TRICKY_FORMS = [
    "# note\u2028CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\nSELECT * { ?s ?p ?o }",
    "# note\x0cASK {}\nSELECT * { ?s ?p ?o }",
    "# note\x85DESCRIBE <x:a>\nSELECT * { ?s ?p ?o }",
    "# SELECT in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX a: <x:> # a comment\nASK { ?s ?p ?o }",
    "PREFIX a:<x:>BASE<y:>select * { ?s ?p ?o }",
    "prefix a: <x:>\r\nbase <y:>\r\ndescribe <x:a>",
    "\ufeffSELECT * { ?s ?p ?o }",
    "\\u0053ELECT * { ?s ?p ?o }",
    "  \n\tconstruct { ?s ?p ?o } where { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", TRICKY_FORMS)
def test_the_form_read_without_parsing_never_contradicts_the_engine(text):
    import pyoxigraph as ox

    from kg.sparql.saved import query_form

    try:
        result = ox.Store().query(text)
    except SyntaxError:
        real = None
    else:
        real = {ox.QuerySolutions: "select", ox.QueryTriples: "graph", ox.QueryBoolean: "ask"}[type(result)]
    assert query_form(text) in (None, real)


def test_a_closed_stdout_is_an_error_not_a_traceback():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["query", "moe-models", "--format", "csv"], ["validate"]):
        done = subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                              text=True, preexec_fn=lambda: os.close(1), timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "standard output is closed" in done.stderr


def test_a_closed_stderr_still_gives_the_output(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "kg", "query", "moe-models", "--format", "csv"], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(2), timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("model,")


def test_a_query_file_that_is_not_utf8_is_named_not_a_traceback(tmp_path):
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "latin1.rq").write_bytes(b"#+ summary: caf\xe9\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    (queries / "bom.rq").write_bytes(b"\xef\xbb\xbfSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KG_CACHE_DIR": str(tmp_path / "cache")}
    for args in (["query", "latin1", "--queries", str(queries)], ["query", "--query-file", str(queries / "latin1.rq")],
                 ["queries", "--queries", str(queries)]):
        done = subprocess.run([sys.executable, "-m", "kg", *args, "--data", str(FIXTURE_CATALOG)] if args[0] == "query"
                              else [sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "latin1.rq: byte 0xe9 at offset 15 is not UTF-8" in done.stderr
    done = subprocess.run([sys.executable, "-m", "kg", "query", "bom", "--queries", str(queries), "--format", "csv",
                           "--data", str(FIXTURE_CATALOG)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("n\n"), done.stderr


def test_the_library_takes_numbers_and_booleans_as_parameters_and_refuses_the_rest():
    from kg.api import _parameter_text
    from kg.errors import KgUsageError

    assert [_parameter_text("x", v) for v in ("a", 7000000000, 1.5, True)] == ["a", "7000000000", "1.5", "true"]
    with pytest.raises(KgUsageError, match="parameter x: give a string"):
        _parameter_text("x", None)


def test_an_empty_folder_option_is_a_usage_error(run):
    for args in (["query", "moe-models", "--data", ""], ["query", "moe-models", "--data="], ["validate", "--shapes", " "]):
        result = run(*args)
        assert result.exit_code == 2 and "give a folder" in result.output, (args, result.output)


def test_inferred_triples_that_cannot_be_cached_are_still_answered(monkeypatch, tmp_path):
    from kg.pipeline import cache
    from kg.pipeline.location import Project
    from kg.pipeline.queryable import query_source

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.CacheEntry, "store_inferred", read_only)
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    source = query_source(project, engine="oxigraph", reason="rdfs")
    assert source.inferred > 0


def test_kg_queries_skips_folders_and_reports_a_bad_header_before_listing(run, tmp_path):
    queries = tmp_path / "queries"
    queries.mkdir()
    shutil.copy(ROOT / "queries" / "moe-models.rq", queries)
    (queries / "folder.rq").mkdir()
    listed = run("queries", "--queries", str(queries))
    assert listed.exit_code == 0 and listed.output.startswith("moe-models"), listed.output
    (queries / "zz-bad.rq").write_text("#+ summary: [unclosed\nSELECT * { ?s ?p ?o }\n")
    failed = run("queries", "--queries", str(queries))
    assert failed.exit_code == 1 and "zz-bad.rq: the '#+' header is not valid YAML" in failed.output
    assert "moe-models" not in failed.output  # nothing listed before the error

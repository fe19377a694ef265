"""Every command through click's runner: output, files written and exit codes."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph

from kg import __version__

from .conftest import FIXTURE_CATALOG, ROOT, project_args, write_entry

COMMANDS = ["build", "validate", "query", "export", "queries", "stats"]


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"kg, version {__version__}\n"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_everywhere(run, command):
    args = [command, "-h"] if command else ["-h"]
    result = run(*args)
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    if command is None:
        for name in COMMANDS:
            assert f"  {name} " in result.output


def test_validate_clean_catalog(run):
    result = run("validate", *project_args())
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 errors, 0 warnings" in result.stderr


def test_validate_reports_file_line_and_code(run, fixture_catalog):
    write_entry(fixture_catalog, "models", "alpaca.yaml",
                (FIXTURE_CATALOG / "models" / "alpaca.yaml").read_text().replace("model: llama", "model: llama-7b")
                .replace("based_on=llama", "based_on=llama-7b"))
    result = run("validate", *project_args(fixture_catalog))
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.endswith("alpaca.yaml:5:12: KG201 based_on 'llama-7b' is not a known model "
                         "(did you mean 'llama'?)")


def test_validate_json_and_github(run, fixture_catalog):
    write_entry(fixture_catalog, "models", "x.yaml", "name: X\nrelased: 2023\n")
    result = run("validate", *project_args(fixture_catalog), "--format", "json")
    assert result.exit_code == 1
    found = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    assert [d["code"] for d in found] == ["KG120", "KG102"]  # name: no source names it; relased: unknown
    assert [d["line"] for d in found] == [1, 2]
    result = run("validate", *project_args(fixture_catalog), "--format", "github")
    assert "::error file=" in result.stdout
    assert ",line=2,col=1,title=KG102::unknown key 'relased'" in result.stdout
    assert ",line=1,col=1,title=KG505::no source" in result.stdout  # a warning: ::warning


def test_usage_errors_exit_2(run):
    assert run("validate", "--format", "yaml").exit_code == 2
    assert run("nonsense").exit_code == 2
    assert run("export", *project_args(), "--no-validate").exit_code == 2  # stdout needs --format
    assert run("query", *project_args()).exit_code == 2
    result = run("query", *project_args(), "largest-open-weights-models", "-p", "min_parameters=big")
    assert result.exit_code == 2
    assert "'min_parameters' must be an integer" in result.output


def test_missing_data_folder_is_exit_1(run, tmp_path):
    result = run("validate", "--data", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_build_writes_every_export(run, tmp_path):
    out = tmp_path / "dist"
    result = run("build", *project_args(), "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["catalog.jsonld", "catalog.nt", "catalog.ttl", "ontology.ttl", "provenance.nq",
                     "provenance.trig"]
    assert len(Graph().parse(out / "catalog.ttl")) == len(Graph().parse(out / "catalog.nt"))


def test_build_refuses_broken_catalog_and_writes_nothing(run, fixture_catalog, tmp_path):
    write_entry(fixture_catalog, "models", "x.yaml", "name: X\nname: Y\n")
    out = tmp_path / "dist"
    result = run("build", *project_args(fixture_catalog), "--out", str(out))
    assert result.exit_code == 1
    assert "KG004 duplicate key 'name'" in result.output
    assert "nothing written" in result.output
    assert not out.exists()


def test_export_formats(run, tmp_path):
    for name, suffix in (("turtle", ".ttl"), ("json-ld", ".jsonld"), ("nt", ".nt")):
        path = tmp_path / f"out{suffix}"
        result = run("export", *project_args(), "--output", str(path))
        assert result.exit_code == 0, result.output
        stdout = run("export", *project_args(), "--format", name)
        assert stdout.stdout.encode() == path.read_bytes()


def test_query_formats(run):
    args = [*project_args(), "models-by-organization", "-p", "org=stanford"]
    table = run("query", *args)
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[2].split() == ["model:alpaca", "Alpaca", "2023-03-13"]
    as_json = json.loads(run("query", *args, "--format", "json").stdout)
    assert as_json["head"]["vars"] == ["model", "name", "released"]
    assert as_json["results"]["bindings"][0]["released"] == {
        "type": "literal", "value": "2023-03-13", "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert run("query", *args, "--format", "csv").stdout_bytes == \
        b"model,name,released\r\nhttps://w3id.org/llm-kg/model/alpaca,Alpaca,2023-03-13\r\n"
    assert run("query", *args, "--format", "tsv").stdout == (
        "?model\t?name\t?released\n<https://w3id.org/llm-kg/model/alpaca>\t\"Alpaca\"\t"
        "\"2023-03-13\"^^<http://www.w3.org/2001/XMLSchema#date>\n")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_tsv_escapes_what_would_split_a_row(run, engine):
    """A tab, line feed or carriage return inside a literal is escaped (\\t, \\n, \\r) in a
    single-quoted literal: rdflib's n3() wrote them raw, or in a triple-quoted string."""
    text = ('SELECT ?text ?tagged ?typed ?plain ?bell WHERE { BIND("a\\tb\\nc\\\\d\\"e\\r" AS ?text) '
            'BIND("x\\ty"@en AS ?tagged) BIND("1\\n2"^^<http://example.org/t> AS ?typed) BIND("plain" AS ?plain) '
            'BIND("a\\u0007\\u0085" AS ?bell) }')
    result = run("query", *project_args(), "--query", text, "--format", "tsv", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert result.stdout == ('?text\t?tagged\t?typed\t?plain\t?bell\n'
                             '"a\\tb\\nc\\\\d\\"e\\r"\t"x\\ty"@en\t"1\\n2"^^<http://example.org/t>\t"plain"\t'
                             '"a\\u0007\\u0085"\n')


def test_ask_as_json_is_indented_as_a_select_is(run):
    result = run("query", *project_args(), "--query", "ASK { ?s ?p ?o }", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == '{\n  "head": {},\n  "boolean": true\n}\n'


def test_a_shared_folder_named_must_exist(run, tmp_path):
    result = run("validate", *project_args(), "--shared", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "is not a folder: give the one that holds seeds/" in result.output
    result = run("validate", *project_args(), "--shared", str(tmp_path))
    assert result.exit_code == 2 and "holds neither seeds/ nor upstream/" in result.output
    (tmp_path / "seeds").mkdir()
    ran = run("validate", *project_args(), "--shared", str(tmp_path))  # validated (the seeds it cites are not there)
    assert ran.exit_code in (0, 1) and "--shared" not in ran.output, ran.output


def test_an_empty_catalog_is_said_to_be_empty(run, tmp_path):
    result = run("validate", *project_args(tmp_path))
    assert result.exit_code == 0 and f"warning: {tmp_path} holds no entries" in result.stderr
    assert "holds no entries" not in run("validate", *project_args()).stderr


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_table_shows_control_characters_harmlessly(run, engine):
    """A tab or line break is a space (the columns stay aligned), an ESC or another control an
    escape: a value cannot recolour or move the reader's terminal."""
    text = ('SELECT ?x ?y ?z WHERE { BIND("a\\tb\\nc\\r" AS ?x) BIND("\\u001b[31mred\\u0085" AS ?y) '
            'BIND("ab\\u202Edc\\u2028e" AS ?z) }')
    result = run("query", *project_args(), "--query", text, "--engine", engine)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "a b c   \\x1b[31mred\\x85  ab\\u202edc e"


def test_a_parameter_given_twice_is_refused(run):
    result = run("query", *project_args(), "search", "-p", "text=a", "-p", "text=b")
    assert result.exit_code == 2 and "parameter 'text' given twice ('a' and 'b')" in result.output


def test_query_construct_as_rdf(run):
    result = run("query", *project_args(), "model-neighbourhood", "--format", "nt")
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.stdout, format="nt")) > 5


def test_ad_hoc_queries(run, tmp_path):
    text = "PREFIX kg: <https://w3id.org/llm-kg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?m a kg:Model }"
    result = run("query", *project_args(), "--query", text, "--format", "csv")
    assert result.stdout_bytes == b"n\r\n5\r\n"
    path = tmp_path / "q.rq"
    path.write_text(text)
    assert run("query", *project_args(), "--query-file", str(path), "--format", "csv").stdout_bytes == b"n\r\n5\r\n"
    refused = run("query", *project_args(), "--query", "SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }")
    assert refused.exit_code == 1
    assert "refused: SERVICE" in refused.output


def test_unknown_saved_query(run):
    result = run("query", *project_args(), "models-by-org")
    assert result.exit_code == 1
    assert "did you mean 'models-by-organization'?" in result.output


def test_queries_lists_summaries(run):
    result = run("queries", *project_args())
    assert result.exit_code == 0
    assert any(line.startswith("models-by-organization") and
               line.endswith("  Models developed by an organization  ([org=iri, default meta])")
               for line in result.stdout.splitlines())
    lines = result.stdout.splitlines()  # a parameter without a default is shown as one to give
    assert any(line.startswith("largest-open-weights-models") and line.endswith("([min_parameters=integer])")
               for line in lines)
    as_json = json.loads(run("queries", *project_args(), "--format", "json").stdout)
    assert {q["name"] for q in as_json} == {p.stem for p in (ROOT / "queries").glob("*.rq")}


def test_stats(run):
    result = run("stats", *project_args(), "--format", "json")
    numbers = json.loads(result.stdout)
    assert numbers["entities"] == {"models": 5, "organizations": 3, "papers": 3, "techniques": 6}
    assert numbers["relations"]["kg:developer"] == 5
    text = run("stats", *project_args()).stdout
    assert "  models" in text and "kg:basedOn" in text


def test_query_cache_follows_the_catalog(run, fixture_catalog):
    args = ["query", *project_args(fixture_catalog), "models-by-organization", "-p", "org=stanford",
            "--format", "csv"]
    first = run(*args).stdout
    assert "Alpaca" in first
    again = run(*args).stdout
    assert again == first
    path = fixture_catalog / "models" / "alpaca.yaml"
    path.write_text(path.read_text().replace("name: Alpaca", "name: Alpaca 7B"))
    changed = run(*args).stdout
    assert "Alpaca 7B" in changed
    assert run(*args, "--no-cache").stdout == changed


def test_query_engines_agree_from_the_cli(run):
    for engine in ("rdflib", "oxigraph"):
        result = run("query", *project_args(), "family-members", "--engine", engine, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes.count(b"\r\n") == 3


def test_build_primes_the_query_cache(run, fixture_catalog, tmp_path, monkeypatch):
    """A query right after a build reuses the graph the build made: the catalog is not read again."""
    import kg.pipeline.project
    from kg.pipeline.cache import entry_for
    from kg.pipeline.project import Project

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = Project.locate(data=fixture_catalog, start=ROOT)
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    assert not entry.complete()
    result = run("build", "--data", str(fixture_catalog), "--out", str(tmp_path / "dist"), "--engine", "oxigraph")
    assert result.exit_code == 0, result.output
    assert entry.complete()
    cached = entry.graph_file.read_bytes()
    assert b"<https://w3id.org/llm-kg/model/llama-2>" in cached
    assert b"<http://www.w3.org/2002/07/owl#Ontology>" in cached  # the ontology rides along

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the query rebuilt the catalog instead of using the cache")

    monkeypatch.setattr(kg.pipeline.project, "compile_catalog", no_rebuild)
    for engine in ("rdflib", "oxigraph"):
        result = run("query", "--data", str(fixture_catalog), "--engine", engine, "--format", "csv",
                     "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert result.exit_code == 0, result.output
        assert result.output.split() == ["n", str(cached.count(b"\n"))]


def test_build_no_cache_leaves_the_cache_alone(run, fixture_catalog, tmp_path, monkeypatch):
    from kg.pipeline.cache import entry_for
    from kg.pipeline.project import Project

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = Project.locate(data=fixture_catalog, start=ROOT)
    result = run("build", "--data", str(fixture_catalog), "--out", str(tmp_path / "dist"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert not entry_for([project.data, project.ontology, project.shapes], project.base).complete()


@pytest.mark.parametrize("command", [["stats", "--format", "json"], ["export", "--format", "nt"],
                                     ["export", "--format", "json-ld"], ["validate"]])
def test_engines_print_the_same(run, command):
    """Every command with --engine prints the same bytes on rdflib and on oxigraph."""
    args = [*command, *project_args()]
    rdflib, oxigraph = run(*args, "--engine", "rdflib"), run(*args, "--engine", "oxigraph")
    assert rdflib.exit_code == oxigraph.exit_code == 0, rdflib.output + oxigraph.output
    assert (rdflib.stdout, rdflib.stderr) == (oxigraph.stdout, oxigraph.stderr)
    assert rdflib.stdout or rdflib.stderr


def test_engines_report_the_same_problems(run):
    """The broken fixture: the same diagnostics, lines and exit code from both engines."""
    args = ["validate", "--format", "json", *project_args(ROOT / "tests" / "fixtures" / "broken")]
    rdflib, oxigraph = run(*args, "--engine", "rdflib"), run(*args, "--engine", "oxigraph")
    assert rdflib.exit_code == oxigraph.exit_code == 1
    assert json.loads(rdflib.stdout) == json.loads(oxigraph.stdout)
    assert len(json.loads(rdflib.stdout)) >= 5


def test_a_table_without_columns_is_only_its_count(run):
    """SELECT of a parameter alone: its column is dropped, and no blank header lines are printed."""
    result = run("query", *project_args(), "--query", "SELECT ?_n_integer WHERE { }", "-p", "n=3")
    assert result.exit_code == 0 and result.stdout == "(1 row)\n", result.stdout

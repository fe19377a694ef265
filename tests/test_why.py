"""kg why: each fact with the sources that state it, their words, and the claims set aside."""
from __future__ import annotations

import json

from .conftest import ROOT, project_args, requires_shared, write_entry
from .test_provenance_dataset import QWEN



def test_why_shows_each_fact_with_its_sources_and_the_seed_line(run, fixture_catalog):
    requires_shared()
    write_entry(fixture_catalog, "models", "qwen2.yaml", QWEN)
    result = run("why", *project_args(fixture_catalog), "qwen2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("model/qwen2 (")
    assert any(line.split()[:2] == ["released", "2024-06"] and line.endswith("[2]") for line in lines)
    assert any(line.split()[:2] == ["parameters", "72B"] and line.endswith("[1]") for line in lines)
    assert "claims set aside" in lines and "not preferred: that line dates Qwen1.5" in result.stdout
    assert "  [1] seed:001_01e188e9c4403368.txt:135" in lines
    assert "Qwen2-0.5B" in result.stdout  # the words of seed 001, line 135
    assert "quote: the page's words" in result.stdout


def test_why_json_and_one_field(run, fixture_catalog):
    write_entry(fixture_catalog, "models", "qwen2.yaml", QWEN)
    result = run("why", *project_args(fixture_catalog), "qwen2", "released", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(f["key"], f["value"], [s["source"] for s in f["sources"]]) for f in data["facts"]] == [
        ("released", "2024-06", ["https://qwenlm.github.io/blog/qwen2/"])]
    assert [(c["value"], c["reason"]) for c in data["claims"]] == [("2024-02", "that line dates Qwen1.5")]


def test_why_bad_input_names_what_to_do(run):
    missing = run("why", *project_args(), "llamma")
    assert missing.exit_code == 1 and "did you mean llama" in missing.output
    field = run("why", *project_args(), "alpaca", "licence")
    assert field.exit_code == 2 and "did you mean 'license'" in field.output
    assert "Traceback" not in missing.output + field.output


def test_why_an_id_shared_by_two_kinds(run):
    """A bare id picks the model first and says which other entry has it; KIND/ID picks that one."""
    data = ["--data", str(ROOT / "data")]
    both = run("why", *data, "llama-2", "name")
    assert both.exit_code == 0 and both.stdout.startswith("model/llama-2")
    assert "also: paper/llama-2" in both.stderr
    paper = run("why", *data, "paper/llama-2", "name")
    assert paper.exit_code == 0 and paper.stdout.startswith("paper/llama-2")


def test_why_and_lineage_take_ids_as_tables_print_them(run):
    """model:llama-2 and org:meta (a table's cells), and IRIs, name the entry as kind/id does."""
    data = ["--data", str(ROOT / "data")]
    for written in ("paper:llama-2", "<https://w3id.org/llm-kg/paper/llama-2>", "https://w3id.org/llm-kg/paper/llama-2"):
        result = run("why", *data, written, "name")
        assert result.exit_code == 0 and result.stdout.startswith("paper/llama-2"), (written, result.output)
    assert run("why", *data, "org:meta").stdout.startswith("organization/meta")
    assert run("lineage", *data, "model:alpaca").stdout == run("lineage", *data, "alpaca").stdout
    wrong = run("lineage", *data, "org:meta")
    assert wrong.exit_code == 1 and "'org:meta' is not a model: give a model's id" in wrong.output


def test_why_says_when_a_cited_line_is_not_in_the_source_documents(run, fixture_catalog, tmp_path):
    shared = tmp_path / "shared"
    (shared / "seeds").mkdir(parents=True)
    (shared / "seeds" / "s.txt").write_text("Alpaca, by Stanford\n")
    path = fixture_catalog / "models" / "alpaca.yaml"
    path.write_text(path.read_text() + "- source: seed:s.txt:1\n  for: [name]\n- source: seed:nosuch.txt:1\n"
                    "  for: [name]\n")
    result = run("why", *project_args(fixture_catalog), "--shared", str(shared), "alpaca", "name")
    assert result.exit_code == 0, result.output
    assert "seed:nosuch.txt:1  (no such file or line in the source documents: KG121)" in result.stdout
    assert "seed:s.txt:1\n      Alpaca, by Stanford" in result.stdout
    as_json = json.loads(run("why", *project_args(fixture_catalog), "--shared", str(shared), "alpaca", "name",
                             "--format", "json").stdout)
    found = {c["source"]: c["not_found"] for fact in as_json["facts"] for c in fact["sources"]}
    assert found == {"https://crfm.stanford.edu/2023/03/13/alpaca.html": None, "seed:s.txt:1": False,
                     "seed:nosuch.txt:1": True}, found


def test_nothing_the_catalog_or_a_seed_holds_acts_on_the_terminal(run, fixture_catalog, tmp_path):
    """A seed line with a bell and an OSC sequence, a key with an ESC: kg why and kg validate
    print them as escapes."""
    shared = tmp_path / "shared"
    (shared / "seeds").mkdir(parents=True)
    (shared / "seeds" / "s.txt").write_text("Alpaca \x1b]0;pwned\x07 by Stanford\n")
    path = fixture_catalog / "models" / "alpaca.yaml"
    path.write_text(path.read_text() + "- source: seed:s.txt:1\n  for: [name]\n")
    shown = run("why", *project_args(fixture_catalog), "--shared", str(shared), "alpaca", "name")
    assert "Alpaca \\x1b]0;pwned\\x07 by Stanford" in shown.stdout and "\x1b" not in shown.stdout
    write_entry(fixture_catalog, "models", "esc.yaml", 'name: Esc\n"na\\e[31mme": x\n')
    checked = run("validate", *project_args(fixture_catalog), "--shared", str(shared))
    assert "\\x1b[31m" in checked.stdout and "\x1b" not in checked.stdout, checked.stdout


def test_a_mistyped_prefix_or_no_entity_is_said_as_such(run):
    data = ["--data", str(ROOT / "data")]
    typo = run("why", *data, "modle:llama-2")
    assert typo.exit_code == 1 and "no prefix 'modle': did you mean model:llama-2?" in typo.output
    lineage = run("lineage", *data, "modle:alpaca")
    assert lineage.exit_code == 1 and "did you mean model:alpaca?" in lineage.output
    empty = run("why", *data, "")
    assert empty.exit_code == 2 and "give an entity" in empty.output

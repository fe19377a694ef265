"""The markdown importer on fixture markdown in every shape of the seeds, and on the seeds."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kg.catalog import load_catalog
from kg.diagnostics import Report
from kg.importer import draft_yaml, import_markdown, render_table
from kg.mdparse import repair_mojibake
from kg.yamlload import parse_text

from .conftest import FIXTURE_CATALOG, ROOT, project_args

SHAPES = ROOT / "tests" / "fixtures" / "markdown" / "shapes.md"
SEEDS = ROOT.parent / "shared" / "seeds"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(scope="module")
def result():
    return import_markdown([SHAPES], load_catalog(FIXTURE_CATALOG, Report()), today=TODAY)


def test_report_table(result):
    rows = [(r.where, r.kind, r.name, r.status) for r in result.rows]
    assert rows == [
        ("shapes.md:3", "-", "Chatbot Arena", "skipped"),
        ("shapes.md:4", "-", "Twitter", "skipped"),
        ("shapes.md:4", "-", "Slides", "skipped"),
        ("shapes.md:5", "organization", "Mistral", "known"),
        ("shapes.md:7", "model", "Mixtral 8x7B", "known"),
        ("shapes.md:8", "model", "Codestral", "new"),
        ("shapes.md:9", "model", "Falcon LLM", "new"),
        ("shapes.md:9", "model", "Koala", "new"),
        ("shapes.md:10", "model", "Qwen2.5-VL", "new"),
        ("shapes.md:11", "model", "StableVicuna", "new"),
        ("shapes.md:12", "model", "Llama 2", "known"),
        ("shapes.md:13", "paper", "LLaMA: Open and Efficient Foundation Language Models", "known"),
        ("shapes.md:14", "model", "Phi-1", "new"),
        ("shapes.md:16", "paper", "Shepherd: A Critic for Language Model Generation", "new"),
        ("shapes.md:18", "model", "GPT-1", "new"),
        ("shapes.md:22", "-", "Decoder-only transformer", "skipped"),
    ]
    details = {r.name: r.detail for r in result.rows}
    assert details["Chatbot Arena"] == "a leaderboard ('arena'), not a model"
    assert details["Twitter"] == "a post on twitter.com, not a model"
    assert details["Qwen2.5-VL"].endswith("date left out: '[Auf 2024]' has an unknown month 'Auf': "
                                          "check the source")
    assert "'[Apr 2032]' is in the future" in details["StableVicuna"]
    assert render_table(result).endswith("8 new, 4 known, 0 conflicting, 4 skipped (16 items)\n")


def drafts(result) -> dict[str, str]:
    return {f"{d.kind.folder}/{d.id}": draft_yaml(d) for d in result.drafts}


def test_drafts_exact(result):
    made = drafts(result)
    assert made["models/codestral"] == """name: Codestral
description: a code model
url: https://mistral.ai/news/codestral/
developer: mistral-ai
released: 2024-05
repository: https://github.com/mistralai/codestral
sources:
- https://mistral.ai/news/codestral/
- https://github.com/mistralai/codestral
- seed:shapes.md:8
"""
    assert made["models/gpt-1"] == """name: GPT-1
url: https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf
developer: openai
released: 2018-06
parameters:
- 110M
- 340M
license: Apache-2.0
open_weights: true
architecture: decoder-only
pretraining_objective: LM
sources:
- https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf
- seed:shapes.md:18
- seed:shapes.md:24
"""
    assert made["papers/shepherd-a-critic-for-language-model-generation"] == """name: 'Shepherd: A Critic for Language Model Generation'
url: https://arxiv.org/pdf/2308.04592.pdf
arxiv: '2308.04592'
sources:
- https://arxiv.org/pdf/2308.04592.pdf
- seed:shapes.md:16
"""
    assert made["models/phi-1"].startswith("name: Phi-1\ndescription: 'Textbooks Are All You Need'\n") or \
        made["models/phi-1"].startswith("name: Phi-1\ndescription: Textbooks Are All You Need\n")
    assert "released: 2023-06-20\npapers:\n- arxiv-2306.11644\n" in made["models/phi-1"]
    assert "released" not in made["models/qwen2.5-vl"]  # a typo is flagged, not guessed


def test_drafts_reload_cleanly(result, tmp_path):
    for key, text in drafts(result).items():
        doc = parse_text(text, tmp_path / f"{key}.yaml")
        assert not doc.problems
        assert isinstance(doc.data["name"], str)


def test_mojibake_repaired_or_dropped():
    assert repair_mojibake("DeepMindâ€™s Per-Layer") == "DeepMind’s Per-Layer"
    assert repair_mojibake("a model ðŸ’¡ here") == "a model 💡 here"
    assert repair_mojibake("plain café") == "plain café"


def test_dry_run_writes_nothing_and_write_refuses_overwrite(run, tmp_path):
    out = tmp_path / "drafts"
    args = ["import", "markdown", str(SHAPES), "--data", str(FIXTURE_CATALOG), "--out", str(out)]
    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0 and not out.exists()
    assert run(*args).exit_code == 0
    assert (out / "models" / "codestral.yaml").is_file()
    again = run(*args)
    assert again.exit_code == 1 and "--force" in again.output
    assert run(*args, "--force").exit_code == 0


def test_missing_file_is_one_line(run):
    result = run("import", "markdown", "nowhere.md", "--dry-run", *project_args()[:2])
    assert result.exit_code == 1
    assert result.output == "Error: nowhere.md: no such file\n"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the repository")
def test_the_real_seeds():
    catalog = load_catalog(ROOT / "data", Report())
    result = import_markdown(sorted(SEEDS.glob("*.txt")), catalog, today=TODAY)
    totals = result.totals()
    assert sum(totals.values()) >= 150
    assert totals["known"] > totals["new"]
    assert all(r.detail for r in result.rows if r.status == "skipped")

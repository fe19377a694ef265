"""The markdown importer on fixture markdown in every shape of the seeds, and on the seeds."""
from __future__ import annotations

import datetime

import pytest

from kg.catalog.loader import load_catalog
from kg.catalog.diagnostics import Report
from kg.importer.drafts import draft_yaml, import_markdown, render_table
from kg.importer.markdown import repair_mojibake
from kg.catalog.yamlload import parse_text

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
    assert render_table(result).endswith("8 new, 4 known, 0 conflicting, 0 unsure, 4 skipped (16 items)\n")


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
    # issue 3: every model-like item of the seeds is known, or skipped with its reason
    assert [r for r in result.rows if r.status in ("new", "conflicting")] == []


MATCHING = ROOT / "tests" / "fixtures" / "markdown" / "matching.md"
MATCHING_CATALOG = ROOT / "tests" / "fixtures" / "markdown" / "catalog"


@pytest.fixture(scope="module")
def matching():
    return import_markdown([MATCHING], load_catalog(MATCHING_CATALOG, Report()), today=TODAY)


def test_matching_before_skip_rules_exact_rows(matching):
    """Known entries are matched before the 'not a model' words; granularity is understood."""
    rows = [(r.where, r.kind, r.name, r.status, r.detail.replace("tests/fixtures/markdown/catalog/", ""))
            for r in matching.rows]
    assert rows == [
        ("matching.md:3", "-", "Twitter", "skipped", "a post on twitter.com, not a model"),
        ("matching.md:3", "-", "Slides", "skipped", "a post on t.co, not a model"),
        # 'course' and ' released ' no longer hide known models
        ("matching.md:4", "model", "Pythia", "known", "models/pythia.yaml"),
        ("matching.md:5", "organization", "Apple", "known", "organizations/apple.yaml"),
        ("matching.md:6", "model", "OpenELM", "known", "models/openelm.yaml"),
        ("matching.md:7", "organization", "Google", "known", "organizations/google.yaml"),
        # the parent organization of the catalog's developer agrees, with a note
        ("matching.md:8", "model", "Gemma", "known",
         "models/gemma.yaml; developer google is the parent organization of google-deepmind"),
        # a renaming's date is not a first release
        ("matching.md:9", "model", "Gemini", "known",
         "models/gemini.yaml; date 2024-02-08 is a rebranding, not the first release (2023-12); "
         "developer google is the parent organization of google-deepmind"),
        # a real disagreement stays conflicting; a coarser date that agrees is only noted
        ("matching.md:10", "model", "Llama 3.2", "conflicting",
         "models/llama-3.2.yaml: developer: catalog meta, draft google; date 2024-09 agrees at a coarser precision"),
        ("matching.md:11", "organization", "Deepseek", "known", "organizations/deepseek.yaml"),
        ("matching.md:12", "model", "DeepSeek-V3", "known", "models/deepseek-v3.yaml"),
        # the same model listed again later in the same file: an update
        ("matching.md:13", "model", "DeepSeek-V3", "known",
         "models/deepseek-v3.yaml; date 2025-03-25 is an update: listed first at matching.md:12 with 2024-12-26"),
        # a series heading names a known family; its children are not developed by 'gemma-series'
        ("matching.md:14", "model", "Gemma series", "known",
         "models/gemma-family.yaml; a model series heading, not an organization"),
        ("matching.md:15", "model", "DataGemma", "known", "models/datagemma.yaml"),
        # a known model's link may be a social post
        ("matching.md:16", "model", "SignGemma", "known", "models/signgemma.yaml"),
        # the item's own arXiv link (a known paper) wins over a side link to another model (SAM)
        ("matching.md:17", "paper", "TaskMatrix, aka VisualChatGPT", "known", "papers/visual-chatgpt.yaml"),
        ("matching.md:17", "-", "git", "skipped", "a side link ('git') with no entry of its own"),
        # a titled link to a known model's URL, and a title whose head is a known model
        ("matching.md:18", "model", "Huggingface StarCoder: A State-of-the-Art LLM for Code", "known",
         "models/starcoder.yaml"),
        ("matching.md:19", "model", "ESM3: A frontier language model for biology", "known", "models/esm3.yaml"),
        ("matching.md:20", "model", "Falcon LLM", "conflicting", "models/falcon.yaml: date: catalog 2023-03, "
         "draft 2022-03"),
        ("matching.md:21", "-", "Devin AI", "skipped", "an AI agent product ('ai software engineer'), not a model"),
        ("matching.md:22", "-", "Clipdrop", "skipped", "a service ('provides free'), not a model"),
        ("matching.md:23", "-", "Vision capability to a LLM", "skipped", "an explainer ('capability'), not a model"),
        # the name's words are asked before the description's ('Playground')
        ("matching.md:24", "-", "An Overview of Cohere’s Models", "skipped", "an overview ('overview'), not a model"),
        ("matching.md:25", "-", "ollam", "skipped", "a list of models ('/library' in the link), not a model"),
        # the words before a link that ends the bullet lead to it: the link is the item
        ("matching.md:26", "-", "RedPajama dataset", "skipped", "a dataset ('dataset'), not a model"),
        # a model found through the arXiv id of the paper it names
        ("matching.md:28", "model", "DistilBERT and Model Compression", "known", "models/distilbert.yaml"),
        # 'UW/Google' names two labs: one agrees, the other is noted
        ("matching.md:38", "model", "RoBERTa", "known",
         "models/roberta.yaml; the source also names google as developer; the catalog does not"),
        ("matching.md:47", "model", "BLOOM", "known", "models/bloom.yaml"),
    ]
    assert render_table(matching).endswith("0 new, 18 known, 2 conflicting, 0 unsure, 9 skipped (29 items)\n")


def test_card_with_several_labs_drafts_a_list(tmp_path):
    page = tmp_path / "card.md"
    page.write_text('### NewModel\n\n[paper](https://arxiv.org/abs/2999.00001)\n\n"""\n'
                    'Date (of first known publication): 07/2022\nLab: Big Science/Huggingface\n"""\n')
    result = import_markdown([page], load_catalog(MATCHING_CATALOG, Report()), today=TODAY)
    assert [r.status for r in result.rows] == ["new"]
    assert draft_yaml(result.drafts[0]) == """name: NewModel
url: https://arxiv.org/abs/2999.00001
developer:
- bigscience
- huggingface
released: 2022-07
papers:
- arxiv-2999.00001
sources:
- https://arxiv.org/abs/2999.00001
- seed:card.md:1
- seed:card.md:5
"""


def test_series_heading_is_not_a_developer(tmp_path):
    page = tmp_path / "series.md"
    page.write_text("- Gemma series\n  1. [NewGemma](https://example.org/newgemma) [Jan 2025]\n")
    result = import_markdown([page], load_catalog(MATCHING_CATALOG, Report()), today=TODAY)
    assert [(r.name, r.status) for r in result.rows] == [("Gemma series", "known"), ("NewGemma", "new")]
    assert "developer" not in result.drafts[0].data

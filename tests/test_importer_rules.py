"""The importer's rules on a small page: headings, contents links, side links, known organizations,
reports tied to their model, sections, unsure items and tables of models."""
from __future__ import annotations

import datetime

import pytest

from kg.catalog.diagnostics import Report
from kg.catalog.loader import load_catalog
from kg.importer.drafts import import_markdown
from kg.importer.signals import defined_kind, heading_kind, name_shape
from kg.importer.summary import reason_groups

from .conftest import FIXTURE_CATALOG, ROOT, project_args

RULES = ROOT / "tests" / "fixtures" / "markdown" / "rules.md"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(scope="module")
def result():
    return import_markdown([RULES], load_catalog(FIXTURE_CATALOG, Report()), today=TODAY)


def rows_at(result, line: int) -> list[tuple[str, str, str, str]]:
    return [(r.kind, r.name, r.status, r.detail) for r in result.rows if r.where == f"rules.md:{line}"]


def drafted(result, folder: str, entry_id: str) -> dict:
    return next(d.data for d in result.drafts if d.kind.folder == folder and d.id == entry_id)


def test_headings_and_contents_links_are_never_entries(result):
    # lines 1, 3, 8, 20 are headings; 5 and 6 link to headings of the page
    assert {int(r.where.split(":")[1]) for r in result.rows} & {1, 3, 5, 6, 8, 16, 17, 20} == set()


def test_a_link_to_a_known_organization_is_that_organization(result):
    assert rows_at(result, 10) == [("organization", "Meta", "known", "tests/fixtures/catalog/organizations/meta.yaml")]


def test_a_technical_report_is_a_paper_of_its_model(result):
    assert rows_at(result, 12) == [("paper", "Zylo-2 Technical Report", "new",
                                    "papers/zylo-2-technical-report.yaml; a report on a model; "
                                    "the paper of Zylo-2 (models/zylo-2.yaml lists it)")]
    assert drafted(result, "models", "zylo-2")["papers"] == ["zylo-2-technical-report"]
    assert drafted(result, "papers", "zylo-2-technical-report")["arxiv"] == "2601.00001"


def test_side_links_alone_are_never_entries(result):
    assert rows_at(result, 13) == [
        ("-", "Announcement", "skipped", "a side link ('Announcement') with no entry of its own"),
        ("-", "GitHub Repository", "skipped", "a side link ('GitHub Repository') with no entry of its own"),
    ]


def test_the_section_counts_and_what_cannot_be_decided_is_unsure(result):
    # the same words are a model in a list of models, and unsure (never drafted) in a list of methods
    assert rows_at(result, 14)[0][:3] == ("model", "Quill Whisperer", "new")
    assert rows_at(result, 23) == [("-", "Sage Whisperer", "unsure", "a name in a list of papers and methods: "
                                    "a model, a method or a tool? nothing says")]
    assert not any(d.data["name"] == "Sage Whisperer" for d in result.drafts)


def test_a_guide_in_a_prompt_engineering_section_is_skipped(result):
    assert rows_at(result, 22) == [("-", "Prompting Guide for Zylo-2", "skipped", "a guide ('guide'), not a model")]


def test_a_table_of_models_gives_drafts_with_their_techniques(result):
    assert [(k, n, s) for k, n, s, _ in rows_at(result, 18)] == [("model", "Zylo 3", "new"),
                                                                 ("model", "Zylo 3n", "new")]
    big, small = drafted(result, "models", "zylo-3"), drafted(result, "models", "zylo-3n")
    assert big["techniques"] == ["grouped-query-attention", "mixture-of-experts", "rope"]
    assert (big["parameters"], small["parameters"]) == (["70B"], ["8B"])
    assert big["active_parameters"] == ["12B"]
    assert big["sources"] == ["seed:rules.md:18"]


def test_techniques_the_catalog_lacks_are_named_in_the_row(tmp_path):
    empty = tmp_path / "data"
    for folder in ("models", "organizations", "papers", "techniques"):
        (empty / folder).mkdir(parents=True)
    result = import_markdown([RULES], load_catalog(empty, Report()), today=TODAY)
    detail = next(r.detail for r in result.rows if r.name == "Zylo 3")
    assert detail == "models/zylo-3.yaml; techniques not in the catalog: grouped-query-attention, moe, rope"
    # without the catalog the organization is new, never a model: its description says 'the company'
    assert [(r.kind, r.status) for r in result.rows if r.name == "Meta"] == [("organization", "new")]


def test_summary_counts_and_groups_reasons(run):
    out = run("import", "markdown", str(RULES), "--dry-run", "--summary", *project_args()).output
    assert out.startswith("5 new, 1 known, 0 conflicting, 1 unsure, 3 skipped (10 items)\n")
    assert "  organization     0 new    1 known    0 conflicting\n" in out
    assert "     2  a side link (by words 'Announcement', 'GitHub Repository')\n" in out


def test_reason_groups_gather_the_words_of_a_reason():
    reasons = ["a leaderboard ('arena'), not a model", "a leaderboard ('leaderboard'), not a model",
               "a leaderboard, by its description; not a model", "a post on x.com, not a model"]
    assert reason_groups(reasons, merge=True) == [
        (3, "a leaderboard (by words 'arena', 'leaderboard'; its description)"), (1, "a post on x.com")]


@pytest.mark.parametrize("title, kind", [
    ("Foundation Model Providers", "models"), ("Law, Forecasting, and Temporal Models", "models"),
    ("Prompt Guides and Prompt Libraries", "resources"), ("Build LLMs from Scratch", "resources"),
    ("Survey on Large Language Models", "research"), ("Prompt Engineering", "research"),
    ("Code, Math, and Software Engineering", None), ("OpenAI Products", "products"),
])
def test_what_a_heading_says_its_list_holds(title, kind):
    assert heading_kind(title) == kind


@pytest.mark.parametrize("name, shape", [
    ("OLMo", "name"), ("Claude Opus 4.5", "name"), ("Falcon LLM", "name"), ("In 2023", "title"),
    ("ESM3: A frontier language model for biology", "named title"), ("Chain of Thought (CoT)", "title"),
    ("Upstage's 70B Language Model Outperforms GPT-3.5", "headline"), ("Understanding Multimodal LLMs", "title"),
    ("Frontend coding with GPT-5", "title"),
])
def test_the_shape_of_a_name(name, shape):
    assert name_shape(name) == shape


@pytest.mark.parametrize("text, kind", [
    ("an open source reasoning model. Group Relative Policy Optimization", "model"),
    ("Truly open language model and framework to build", "model"),
    ("A family of foundation models (Code-Bison, Code-Gecko) optimized for code", "model"),
    ("GUI Agent. Operates embedded virtual environments.", "other"),
    ("Self-ranking method. Direct Scoring", "technique"),
    ("Extends LLM context by dropping positional embeddings", None),
    ("Training language models to follow instructions", None),
    ("Moonshot AI is a Beijing-based Chinese AI company founded in 2023", "organization"),
])
def test_what_a_description_defines_an_item_as(text, kind):
    assert defined_kind(text)[0] == kind

"""Per-fact provenance: the facts of an entry, what a source's text shows, and the migration."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kg.catalog.diagnostics import Report
from kg.catalog.evidence import REF_TARGETS, Names, SourceText, mentions, shows
from kg.catalog.facts import Fact, covers, entry_facts
from kg.catalog.loader import load_catalog
from kg.catalog.provenance import NOT_FACTS
from kg.catalog.schema import FIELDS

from .conftest import ROOT, write_entry

MODEL = """\
name: LLaMA 2
aliases:
- Llama 2
developer: meta
released: 2023-07-18
based_on:
- model: llama
  relation: version-of
parameters:
- 7B
- 13B
- 70000000000
context_length: 4096
license: llama-2-community
architecture: decoder-only
description: Trained on 40% more data than Llama and over 1 million human annotations.
url: https://huggingface.co/blog/llama2
sources:
- seed:s.txt:2
"""


def load(data: Path):
    report = Report()
    catalog = load_catalog(data, report)
    assert report.items == []
    return catalog


@pytest.fixture
def catalog(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "llama-2.yaml", MODEL)
    write_entry(data, "models", "llama.yaml", "name: LLaMA\naliases:\n- Llama 1\n")
    write_entry(data, "organizations", "meta.yaml", "name: Meta\naliases:\n- Facebook\n")
    write_entry(data, "papers", "llama-2.yaml", "name: 'Llama 2: Open Foundation and Fine-Tuned Chat Models'\n"
                "arxiv: '2307.09288'\n")
    return load(data)


def entry(catalog, ident: str):
    """The entry of that id (models come first: a paper may share a model's id)."""
    return next(e for e in catalog.entries if e.id == ident)


# --- facts ------------------------------------------------------------------------------------

def test_facts_in_file_order_with_items_as_written(catalog):
    facts = entry_facts(entry(catalog, "llama-2"))
    assert [f.name for f in facts] == [
        "name", "aliases=Llama 2", "developer", "released", "based_on=llama", "parameters=7B",
        "parameters=13B", "parameters=70000000000", "context_length", "license",
        "architecture", "description", "url"]
    assert all(isinstance(f, Fact) for f in facts)
    assert facts[5].value.value == 7_000_000_000
    assert facts[3].item is None and facts[3].value.value.text == "2023-07-18"


def test_not_facts_are_the_provenance_keys():
    assert NOT_FACTS == {"id", "kind", "sources", "claims", "replaced_by"}


def test_covers_names_keys_and_items_by_normalized_value(catalog):
    llama2 = entry(catalog, "llama-2")
    assert [f.name for f in covers(llama2, "parameters")] == [
        "parameters=7B", "parameters=13B", "parameters=70000000000"]
    assert [f.name for f in covers(llama2, "parameters=7000000000")] == ["parameters=7B"]
    assert [f.name for f in covers(llama2, "parameters=70B")] == ["parameters=70000000000"]
    assert [f.name for f in covers(llama2, "based_on=llama")] == ["based_on=llama"]
    assert [f.name for f in covers(llama2, "developer=meta")] == ["developer"]
    assert [f.name for f in covers(llama2, "released")] == ["released"]
    assert covers(llama2, "parameters=8B") is None  # an item it does not hold
    assert covers(llama2, "training_tokens") is None  # a key it does not have
    assert covers(llama2, "aliases=Llama 3") is None


def test_facts_module_and_evidence_module_need_no_rdf_library():
    code = ("import sys, kg.catalog.facts, kg.catalog.evidence; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyoxigraph')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_reference_targets_agree_with_the_schema():
    for fields in FIELDS.values():
        for key, spec in fields.items():
            if spec.target is not None and key not in NOT_FACTS:  # replaced_by: no fact, no evidence
                assert REF_TARGETS[key] == spec.target.folder


# --- reading sources --------------------------------------------------------------------------

UPSTREAM_README = """\
| file here | repository | commit | path in the repository | committed |
|---|---|---|---|---|
| `list.md` | kimtth/awesome-azure-openai-llm (upstream of seeds 000 and 001) | {c} | `section/models_research.md` | 2026-07-02 |
"""
COMMIT = "3859770cbb9b67068f0c11297a9da7d6ad10655d"


@pytest.fixture
def shared(tmp_path):
    folder = tmp_path / "shared"
    (folder / "seeds").mkdir(parents=True)
    (folder / "upstream").mkdir()
    (folder / "seeds" / "s.txt").write_text("- Meta (aka. Facebook)\n  1. [Llama 2](https://huggingface.co/blog/"
                                            "llama2): 7B, 13B, and 70B. 4K context [18 Jul 2023]\nlast\n")
    (folder / "upstream" / "README.md").write_text(UPSTREAM_README.format(c=COMMIT))
    (folder / "upstream" / "list.md").write_text("\ufefffirst\nsecond\nthird\n", encoding="utf-8")
    return folder


def test_seed_line_with_its_neighbours(shared):
    reader = SourceText(shared)
    assert reader.read("seed:s.txt:2").splitlines()[0] == "- Meta (aka. Facebook)"
    assert reader.read("seed:s.txt:2").splitlines()[2] == "last"
    assert reader.read("seed:s.txt:1").splitlines()[0] == "- Meta (aka. Facebook)"
    assert reader.read("seed:s.txt:3", around=0) == "last"
    assert reader.read("seed:s.txt:9") is None
    assert reader.read("seed:missing.txt:1") is None


def test_upstream_permalink_and_byte_order_mark(shared):
    reader = SourceText(shared)
    link = f"https://github.com/kimtth/awesome-azure-openai-llm/blob/{COMMIT}/section/models_research.md#L1"
    assert reader.read(link) == "first\nsecond"
    assert reader.read(link.replace("#L1", "#L3"), around=0) == "third"
    assert reader.read(link.replace(COMMIT, "0" * 40)) is None  # another revision: not here
    assert reader.read("https://huggingface.co/blog/llama2") is None


def test_a_seed_file_that_does_not_exist_is_named_as_such(shared, tmp_path):
    """KG121 says the file is not there (check the file name), not that its lines are too few."""
    import kg
    from tests.conftest import ROOT, write_entry

    data = tmp_path / "data"
    write_entry(data, "models", "llama-2.yaml", "name: Llama 2\nsources:\n- source: seed:nosuch.txt:1\n  for: [name]\n"
                "- source: seed:s.txt:99\n  for: [name]\n")
    report = kg.validate(kg.open_project(ROOT, data=data, shared=shared), engine="oxigraph")
    said = [d.message for d in report.items if d.code == "KG121"]
    assert any("seed:nosuch.txt:1: no file seeds/nosuch.txt in " in m and m.endswith("check the file name")
               for m in said), said
    assert any("seed:s.txt:99: seeds/s.txt has 3 lines: check the line number" in m for m in said), said


def test_default_shared_folder_is_next_to_the_project():
    assert SourceText(project_root="/x/kg").shared == Path("/x/shared")


# --- what a text shows ------------------------------------------------------------------------

def fact_of(catalog, name: str, ident: str = "llama-2"):
    return covers(entry(catalog, ident), name)[0]


def says(catalog, name: str, text: str, ident: str = "llama-2") -> bool:
    return shows(entry(catalog, ident), fact_of(catalog, name, ident), text, Names.of(catalog.entries))


@pytest.mark.parametrize("name, yes, no", [
    ("name", "the LLaMA-2 models", "LLaMA 3 and LLaMA"),
    ("aliases=Llama 2", "Llama2 is out", "Llama 2.5"),
    ("developer", "Meta AI released it", "metadata"),
    ("developer", "- Facebook", "FacebookResearch"),
    ("based_on=llama", "40% more data than Llama. 2)7B", "LLaMA 2 only"),
    ("based_on=llama", "trained like Llama 1", "Llama 2 7B"),
    ("parameters=7B", "7 billion parameters", "70B"),
    ("parameters=7B", "a 7-billion model", "17B"),
    ("parameters=7B", "7,000,000,000 weights", "7.5B"),
    ("parameters=70000000000", "70B", "7B"),
    ("context_length", "4K context", "8K context"),
    ("context_length", "4,096 tokens", "4000 tokens"),
    ("released", "[18 Jul 2023]", "[Jul 2023]"),
    ("released", "July 18, 2023", "18 Jul 2024"),
    ("license", "the Llama 2 Community License", "MIT"),
    ("architecture", "Pretraining Architecture: Decoder", "Encoder/Decoder"),
    ("description", "Llama 2: 40% more data than Llama, over 1 million human annotations",
     "annotations by humans"),
    ("url", "[Llama 2](https://huggingface.co/blog/llama2/)", "https://huggingface.co/blog/llama2-chat"),
])
def test_each_rule_shows_and_refuses(catalog, name, yes, no):
    assert says(catalog, name, yes)
    assert not says(catalog, name, no)


def test_dates_at_their_precision(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "a.yaml", "name: A\nreleased: 2023-03\n")
    write_entry(data, "models", "b.yaml", "name: B\nreleased: 2021\n")
    write_entry(data, "organizations", "o.yaml", "name: O\nfounded: 2023-04\ncountry:\n- FR\n")
    catalog = load(data)
    assert says(catalog, "released", "Date (of first known publication): 03/2023", "a")
    assert says(catalog, "released", "[13 Mar 2023]", "a")
    assert says(catalog, "released", "March 2023", "a")
    assert not says(catalog, "released", "[Mar 2024]", "a")
    assert not says(catalog, "released", "2023", "a")  # less precise than the value
    assert says(catalog, "released", "## 2021: Instruction Tuning", "b")
    assert not says(catalog, "released", "version 2021.5", "b")
    assert says(catalog, "founded", "Founded in April 2023. French tech.", "o")
    o = next(e for e in catalog.entries if e.id == "o")
    assert shows(o, covers(o, "country=FR")[0], "Founded in April 2023. French tech.")
    assert not shows(o, covers(o, "country=FR")[0], "an American company")


def test_papers_are_shown_by_title_or_arxiv_id_not_by_their_id(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "m.yaml", "name: Llama 2\npapers:\n- llama-2\n")
    write_entry(data, "papers", "llama-2.yaml", "name: 'Llama 2: Open Foundation and Fine-Tuned Chat Models'\n"
                "arxiv: '2307.09288'\n")
    catalog = load(data)
    assert says(catalog, "papers=llama-2", "[paper](https://arxiv.org/abs/2307.09288)", "m")
    assert says(catalog, "papers=llama-2", "Llama 2: Open Foundation and Fine-Tuned Chat Models", "m")
    assert not says(catalog, "papers=llama-2", "Llama 2 is released", "m")


def test_names_inside_links_are_no_mention(catalog):
    assert not says(catalog, "developer", "[git](https://github.com/meta/llama)")
    assert says(catalog, "url", "see https://huggingface.co/blog/llama2 now")


def test_choices_flags_and_prose_rules(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "e.yaml", "name: E\narchitecture: encoder-only\nopen_weights: true\n"
                "modalities:\n- image\ncorpus: English CommonCrawl, C4, GitHub and Wikipedia\n")
    write_entry(data, "models", "c.yaml", "name: C\nopen_weights: false\n"
                "pretraining_objective: causal language modelling\n")
    catalog = load(data)
    assert says(catalog, "architecture", "Pretraining Architecture: Encoder", "e")
    assert not says(catalog, "architecture", "Pretraining Architecture: Encoder/Decoder", "e")
    assert says(catalog, "open_weights", "an open-source MoE model", "e")
    assert not says(catalog, "open_weights", "free to use, not open-source", "e")
    assert says(catalog, "open_weights", "free to use, not open-source", "c")
    assert says(catalog, "modalities=image", "text-to-image generation", "e")
    assert not says(catalog, "modalities=image", "speech recognition", "e")
    assert says(catalog, "corpus", "Corpus: English CommonCrawl + C4 + Github + Wikipedia", "e")
    assert not says(catalog, "corpus", "Corpus: Wikipedia", "e")
    assert says(catalog, "pretraining_objective", "Pretraining Task: Causal language modeling", "c")
    assert not says(catalog, "pretraining_objective", "Pretraining Task: masked language modeling", "c")


def test_mentions_ignores_case_punctuation_and_spacing():
    assert mentions("LLaMA-2 (7B)", "Llama 2")
    assert mentions("Qwen2-7B", "Qwen2")
    assert not mentions("Qwen2.5", "Qwen2")
    assert not mentions("LlamaIndex", "Llama")
    assert mentions("Rotary Positional Embedding", "rotary positional embeddings")


# --- the migration ----------------------------------------------------------------------------

FIXTURE = ROOT / "tests" / "fixtures" / "provenance"


def migration():
    import importlib.util

    spec = importlib.util.spec_from_file_location("migrate_provenance", ROOT / "scripts" / "migrate_provenance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def migrated(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "p")
    root = tmp_path / "p"
    migration().main(["--data", str(root / "data"), "--shared", str(root / "shared"),
                      "--review", str(root / "review.md")])
    return root


def sources_of(path: Path) -> list:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]


def test_migration_names_what_each_source_states(migrated):
    assert sources_of(migrated / "data" / "models" / "llama-2.yaml") == [
        {"source": "seed:notes.txt:3", "for": ["name", "developer", "released", "parameters=7B",
                                               "parameters=13B", "parameters=70B", "context_length", "url"]},
        {"source": "https://huggingface.co/blog/llama2", "for": ["url"]},
        {"source": "https://github.com/example/awesome-list/blob/1111111111111111111111111111111111111111/"
                   "models.md#L2", "for": ["name", "released", "context_length", "url"]},
        {"source": "https://arxiv.org/abs/2307.09288", "for": ["papers=llama-2"]},  # its title names Llama 2
        "seed:notes.txt:7",  # shows nothing: kept for a person to place or drop
    ]
    assert sources_of(migrated / "data" / "papers" / "llama-2.yaml") == [
        {"source": "https://arxiv.org/abs/2307.09288", "for": ["name", "url", "arxiv"]}]
    assert sources_of(migrated / "data" / "organizations" / "meta.yaml") == [
        {"source": "seed:notes.txt:2", "for": ["name", "aliases=Facebook"]}]


def test_migration_refuses_a_fact_its_lines_do_not_show(migrated):
    review = (migrated / "review.md").read_text(encoding="utf-8")
    assert "| data/models/llama-2.yaml | parameters=34B |" in review
    assert "| data/models/mixtral.yaml | released |" in review
    assert "| data/models/llama-2.yaml | seed:notes.txt:7 |" in review
    mixtral = sources_of(migrated / "data" / "models" / "mixtral.yaml")
    assert mixtral == [{"source": "seed:notes.txt:6", "for": ["name", "license"]}]


def test_migration_changes_only_the_sources_and_writes_for_in_flow_style(migrated):
    before = (FIXTURE / "data" / "models" / "llama-2.yaml").read_text(encoding="utf-8")
    after = (migrated / "data" / "models" / "llama-2.yaml").read_text(encoding="utf-8")
    assert after.split("sources:")[0] == before.split("sources:")[0]
    assert "  for: [name, developer, released, parameters=7B, parameters=13B, parameters=70B," in after
    again = migrated / "again.md"
    migration().main(["--data", str(migrated / "data"), "--shared", str(migrated / "shared"), "--review", str(again)])
    assert (migrated / "data" / "models" / "llama-2.yaml").read_text(encoding="utf-8") == after
    load(migrated / "data")


def test_hand_decisions_place_remove_drop_and_claim(migrated):
    decisions = migrated / "hand.yaml"
    decisions.write_text(yaml.safe_dump({
        "place": [{"file": "data/models/mixtral.yaml", "fact": "developer", "source": "https://mistral.ai/news/mixtral",
                   "why": "the announcement is Mistral AI's", "quote": "Mistral AI team"}],
        "unplace": [{"file": "data/models/llama-2.yaml", "fact": "url", "source": "seed:notes.txt:3",
                     "why": "the link is the blog, not a statement"}],
        "remove": [{"file": "data/models/llama-2.yaml", "fact": "parameters=34B", "why": "no source states it"},
                   {"file": "data/models/mixtral.yaml", "fact": "released", "why": "no source states it"}],
        "drop": [{"file": "data/models/llama-2.yaml", "source": "seed:notes.txt:7", "why": "about benchmarks"}],
        "claim": [{"file": "data/models/mixtral.yaml", "key": "license", "value": "MIT", "source": "seed:notes.txt:7",
                   "reason": "a test claim"}],
    }), encoding="utf-8")
    for _ in range(2):  # applying the decisions twice changes nothing
        migration().main(["--data", str(migrated / "data"), "--hand", str(decisions),
                          "--review", str(migrated / "review.md")])
    llama2 = yaml.safe_load((migrated / "data" / "models" / "llama-2.yaml").read_text(encoding="utf-8"))
    assert llama2["parameters"] == ["7B", "13B", "70B"]
    assert "seed:notes.txt:7" not in llama2["sources"]
    assert "url" not in llama2["sources"][0]["for"] and "parameters=34B" not in str(llama2["sources"])
    mixtral = yaml.safe_load((migrated / "data" / "models" / "mixtral.yaml").read_text(encoding="utf-8"))
    assert "released" not in mixtral
    assert mixtral["sources"][-1] == {"source": "https://mistral.ai/news/mixtral", "for": ["developer"],
                                      "quote": "Mistral AI team"}
    assert mixtral["claims"] == [{"key": "license", "value": "MIT", "source": "seed:notes.txt:7",
                                  "reason": "a test claim"}]
    review = (migrated / "review.md").read_text(encoding="utf-8")
    assert "- placed by hand: 1" in review
    assert "| data/models/mixtral.yaml | developer | https://mistral.ai/news/mixtral |" in review
    load(migrated / "data")


def test_mentions_ignores_spacing_inside_a_name():
    assert mentions("Big Bird: Transformers for Longer Sequences", "BigBird")
    assert mentions("the BigBird model", "Big Bird")
    assert not mentions("RoBERTa", "BERT")


def test_a_year_at_the_end_of_a_sentence(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "organizations", "c.yaml", "name: C\nfounded: 2019\n")
    assert says(load(data), "founded", "- Founded in 2019. Canadian multinational tech.", "c")


def test_a_correction_drops_the_old_placements_and_keeps_the_old_value_as_a_claim(migrated):
    decisions = migrated / "hand.yaml"
    decisions.write_text(yaml.safe_dump({
        "correct": [{"file": "data/models/llama-2.yaml", "key": "parameters", "value": ["7B", "13B", "70B"],
                     "why": "34B was never released"},
                    {"file": "data/models/llama-2.yaml", "key": "context_length", "value": 4000, "why": "test"}],
        "place": [{"file": "data/models/llama-2.yaml", "fact": "context_length", "source": "https://example.org/l2",
                   "quote": "4000 tokens", "why": "a test page"}],
        "unplace": [{"file": "data/models/llama-2.yaml", "fact": "url", "source": "https://huggingface.co/blog/llama2",
                     "why": "test"}],
        "claim": [{"file": "data/models/llama-2.yaml", "key": "context_length", "value": 4096,
                   "source": "seed:notes.txt:3", "reason": "a test", "quote": "4K context"}],
    }), encoding="utf-8")
    migration().main(["--data", str(migrated / "data"), "--hand", str(decisions), "--review", str(migrated / "r.md")])
    llama2 = yaml.safe_load((migrated / "data" / "models" / "llama-2.yaml").read_text(encoding="utf-8"))
    assert llama2["context_length"] == 4000 and llama2["parameters"] == ["7B", "13B", "70B"]
    first = llama2["sources"][0]
    assert "context_length" not in first["for"] and "parameters=7B" in first["for"]
    assert llama2["sources"][1] == "https://huggingface.co/blog/llama2"  # states nothing now: a plain item
    assert llama2["sources"][-1]["for"] == ["context_length"]
    assert llama2["claims"][0]["value"] == 4096
    load(migrated / "data")


def test_a_family_is_shown_by_its_name_without_the_word_family(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "llama-family.yaml", "name: Llama family\nkind: family\n")
    write_entry(data, "models", "qwen-family.yaml", "name: Qwen series\nkind: family\n")
    write_entry(data, "models", "m.yaml", "name: M\nfamily: llama-family\n")
    write_entry(data, "models", "q.yaml", "name: Q\nfamily: qwen-family\n")
    catalog = load(data)
    assert says(catalog, "family", "Code Llama: Built on top of Llama 2", "m")
    assert says(catalog, "family", "### LLaMA", "m")
    assert says(catalog, "family", "Qwen2-Audio: large-scale audio-language model", "q")
    assert says(catalog, "family", "[Qwen 3](https://qwenlm.github.io/blog/qwen3/): Hybrid Thinking", "q")
    assert not says(catalog, "family", "LlamaIndex and NotebookLlama", "m")
    assert not says(catalog, "family", "the QwenLM organisation", "q")
    assert not says(catalog, "family", "Llama 2", "q")


def test_an_acronym_in_the_plural_is_the_same_name(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "techniques", "vae.yaml", "name: Variational autoencoder\naliases:\n- VAE\n- RM\n")
    catalog = load(data)
    assert says(catalog, "aliases=VAE", "| VAEs | Consists of an encoder and a decoder |", "vae")
    assert not says(catalog, "aliases=VAE", "VQ-VAE-2", "vae")  # a later version, not the plural
    assert not says(catalog, "aliases=RM", "RMS normalization", "vae")  # 2 capitals: no plural
    assert mentions("GANs", "GAN") and not mentions("GANs", "Gan")


def test_words_part_at_any_punctuation_and_mojibake_is_repaired():
    assert mentions("the regulatory part of the genome—specifically", "genome")
    assert mentions("DeepMind’s advanced AI model", "DeepMind")
    assert mentions("rivals GPT-4 and Googleâ€™s Gemini 1.0 Ultra", "Google")
    assert mentions("[TÃœLU 3](https://arxiv.org/abs/2411.15124)", "Tülu 3")
    assert not mentions("Googleplex", "Google")
    assert not mentions("TÃœLU 2", "Tülu 3")


def test_prose_by_its_acronym_or_spaced_otherwise(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "c.yaml", "name: C\npretraining_objective: language modelling (LM)\n"
                "corpus: MassiveText\n")
    catalog = load(data)
    assert says(catalog, "pretraining_objective", "Pretraining Task: LM", "c")
    assert not says(catalog, "pretraining_objective", "Pretraining Task: MLM/NSP", "c")
    assert not says(catalog, "pretraining_objective", "a large LLM", "c")
    assert says(catalog, "corpus", "Corpus: Massive Text", "c")
    assert not says(catalog, "corpus", "Corpus: massive web text", "c")


def test_open_weights_licences_and_modalities_by_their_usual_words(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "models", "o.yaml", "name: O\nopen_weights: true\nlicense: openai-gpt2-modified-mit\n"
                "modalities:\n- text\n- image\n- speech\n")
    write_entry(data, "models", "p.yaml", "name: P\nopen_weights: false\nlicense: proprietary\n")
    catalog = load(data)
    assert says(catalog, "open_weights", "License: Open, Apache-2.0", "o")
    assert says(catalog, "open_weights", "OLMoE: fully-open LLM leverages sparse Mixture-of-Experts", "o")
    assert not says(catalog, "open_weights", "answers open-ended questions", "o")
    assert not says(catalog, "open_weights", "License: Closed source, open to researchers", "o")
    assert says(catalog, "license", "License: Open, Modified MIT license", "o")  # its label
    assert not says(catalog, "license", "MIT License", "o")
    assert says(catalog, "license", "License: Closed source, Accessible through API", "p")
    assert not says(catalog, "license", "License: Open, Apache-2.0", "p")
    assert says(catalog, "modalities=image", "PaliGemma: a 3B VLM", "o")
    assert says(catalog, "modalities=text", "PaliGemma: a 3B VLM", "o")
    assert says(catalog, "modalities=text", "A GPT-4V Level Multimodal LLM on Your Phone", "o")
    assert says(catalog, "modalities=speech", "A fast multimodal LLM for real-time voice", "o")
    assert not says(catalog, "modalities=speech", "image generation", "o")


def test_a_technique_by_what_it_did_to_a_model_and_other_layouts_and_meshes(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "techniques", "instruction-tuning.yaml", "name: Instruction tuning\n")
    write_entry(data, "techniques", "quantization.yaml", "name: Quantization\n")
    write_entry(data, "models", "m.yaml", "name: M\ntechniques:\n- instruction-tuning\n- quantization\n"
                "architecture: other\nmodalities:\n- 3d\n")
    catalog = load(data)
    assert says(catalog, "techniques=instruction-tuning", "a text-only 70B instruction-tuned model", "m")
    assert says(catalog, "techniques=quantization", "with quantized versions of 1B and 3B", "m")
    assert not says(catalog, "techniques=instruction-tuning", "fine-tuned on instructions", "m")
    assert not says(catalog, "techniques=quantization", "a quantum leap", "m")
    assert says(catalog, "architecture", "- State space model for sequence modeling", "m")
    assert says(catalog, "architecture", "AI21's SSM-Transformer Model", "m")
    assert not says(catalog, "architecture", "Pretraining Architecture: Decoder", "m")
    assert says(catalog, "modalities=3d", "MeshGPT: Generating Triangle Meshes with Decoder-Only Transformers", "m")
    assert not says(catalog, "modalities=3d", "a mesh network of devices", "m")


def test_possessives_coordinated_heads_and_more_choice_words(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "techniques", "model-parallelism.yaml", "name: Model parallelism\n")
    write_entry(data, "models", "u.yaml", "name: Upstage 70B language model\narchitecture: encoder-decoder\n"
                "modalities:\n- other\ntechniques:\n- model-parallelism\n"
                "description: A 3B vision-language model (VLM).\n")
    catalog = load(data)
    assert says(catalog, "name", "- Upstage's 70B Language Model Outperforms GPT-3.5", "u")
    assert says(catalog, "name", "Upstage’s 70B language model", "u")
    assert not says(catalog, "name", "Upstage 7B language model", "u")
    assert says(catalog, "techniques=model-parallelism", "model and sequence parallelism to reduce memory", "u")
    assert not says(catalog, "techniques=model-parallelism", "model and sequence lengths", "u")
    assert says(catalog, "architecture", "the original transformer has two parts, an Encoder and a Decoder", "u")
    assert says(catalog, "modalities=other", "The First Foundation Model for Time Series Forecasting", "u")
    assert not says(catalog, "modalities=other", "text-to-image", "u")
    assert says(catalog, "description", "PaliGemma: a 3B VLM [10 Jul 2024]", "u")  # its acronym, before a full stop


def test_a_technique_named_as_a_kind_of_its_broader_one(tmp_path):
    data = tmp_path / "data"
    write_entry(data, "techniques", "attention.yaml", "name: Attention mechanism\n")
    write_entry(data, "techniques", "flash-attention.yaml", "name: FlashAttention\n")
    write_entry(data, "techniques", "gqa.yaml", "name: Grouped-query attention\nbroader:\n- attention\n")
    write_entry(data, "techniques", "fa2.yaml", "name: FlashAttention-2\nbroader:\n- flash-attention\n")
    catalog = load(data)
    assert says(catalog, "broader=attention", "- Grouped-query attention (GQA) in Llama 2", "gqa")
    assert not says(catalog, "broader=attention", "- Grouped-query experts in a model", "gqa")
    assert says(catalog, "broader=flash-attention", "FlashAttention-2: Faster Attention", "fa2")
    assert not says(catalog, "broader=flash-attention", "FlashAttentional tricks", "fa2")


def test_a_table_row_is_read_with_its_header(tmp_path):
    shared = tmp_path / "shared"
    (shared / "seeds").mkdir(parents=True)
    (shared / "seeds" / "t.txt").write_text(
        "intro\n| Model | Attention Type | MoE |\n| --- | --- | --- |\n| **A** | Sliding Window | Yes, 8 experts |\n"
        "| **B** | Grouped-Query Attention | No |\n| **C** | - | - |\n", encoding="utf-8")
    reader = SourceText(shared)
    row_a = reader.read("seed:t.txt:4")
    assert "MoE: Yes, 8 experts" in row_a and "Sliding Window Attention Type" in row_a
    assert "MoE" not in reader.read("seed:t.txt:5").split("\n")[-1]  # a cell that says no is left out
    assert reader.read("seed:t.txt:2") == "intro\n| Model | Attention Type | MoE |\n| --- | --- | --- |"
    assert reader.read("seed:t.txt:1") == "intro\n| Model | Attention Type | MoE |"
    data = tmp_path / "data"
    write_entry(data, "techniques", "mixture-of-experts.yaml", "name: Mixture of experts\naliases:\n- MoE\n")
    write_entry(data, "models", "a.yaml", "name: A\ntechniques:\n- mixture-of-experts\n")
    catalog = load(data)
    assert says(catalog, "techniques=mixture-of-experts", row_a, "a")
    assert not says(catalog, "techniques=mixture-of-experts", reader.read("seed:t.txt:6"), "a")


from hypothesis import given, settings, strategies as st  # noqa: E402

_WORDS = st.sampled_from(["llama", "2", "3.1", "big", "bird", "bigbird", "embedding", "embeddings", "gpt",
                          "4o", "v2", "-", " ", ".", "(", ")", "LLaMA", "s", "x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=8).map("".join), st.lists(_WORDS, min_size=1, max_size=3).map(" ".join))
def test_mentions_finds_exactly_what_the_phrase_pattern_finds(text, phrase):
    """The word walk of ``mentions`` is an optimization of ``_phrase_pattern``: the same answers."""
    from kg.catalog.evidence import _phrase_pattern, fold, mentions

    pattern = _phrase_pattern(phrase)
    expected = pattern is not None and pattern.search(fold(text)) is not None
    assert mentions(text, phrase) == expected

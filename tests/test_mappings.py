"""Links out: arXiv records, Wikidata items (a fact with its source), Hugging Face repositories, in the
graph and as an SSSOM mapping set read by a real SSSOM reader (sssom-py)."""
from __future__ import annotations

import io

import pytest

from kg.pipeline.project import Project, compile_catalog
from kg.rdf.mappings import hugging_face_repository

from .conftest import ROOT, project_args, write_entry

BASE = "https://w3id.org/llm-kg"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture
def linked(fixture_catalog):
    """The fixture catalog with a Wikidata item (and its source) and Hugging Face repositories."""
    meta = fixture_catalog / "organizations" / "meta.yaml"
    head, sources = meta.read_text().split("sources:\n", 1)
    meta.write_text(f"{head}wikidata: Q380\nsources:\n{sources}"
                    "- source: https://www.wikidata.org/wiki/Q380\n  for: [wikidata]\n")
    llama2 = fixture_catalog / "models" / "llama-2.yaml"
    head, sources = llama2.read_text().split("sources:\n", 1)
    llama2.write_text(f"{head}repository: https://huggingface.co/meta-llama/Llama-2-7b-hf\nsources:\n{sources}"
                      "- source: https://huggingface.co/meta-llama/Llama-2-7b-hf\n  for: [repository]\n")
    return fixture_catalog


def compiled(data):
    return compile_catalog(Project.locate(data=data, start=ROOT))


def test_links_in_the_graph(linked):
    result = compiled(linked)
    assert not result.report.errors, result.report.render()
    lines = set(result.lines())
    assert f"<{BASE}/organization/meta> <{SKOS}exactMatch> <http://www.wikidata.org/entity/Q380> ." in lines
    assert f"<{BASE}/paper/llama-2> <{SKOS}exactMatch> <https://arxiv.org/abs/2307.09288> ." in lines
    assert f"<{BASE}/model/llama-2> <{SKOS}closeMatch> <https://huggingface.co/meta-llama/Llama-2-7b-hf> ." \
        in lines
    assert not [line for line in lines if "owl#sameAs" in line]


def test_a_wikidata_item_is_a_fact_that_needs_its_source(fixture_catalog):
    write_entry(fixture_catalog, "organizations", "x.yaml",
                "name: X\nwikidata: Q42\nsources:\n- source: https://example.org/x\n  for: [name]\n")
    codes = [(d.code, d.line) for d in compiled(fixture_catalog).report.items]
    assert ("KG120", 2) in codes


@pytest.mark.parametrize("value,hint", [("42", "like Q42"), ("https://www.wikidata.org/wiki/Q42", "alone, Q42"),
                                        ("q42", "alone, Q42"), ("P31", "like Q42")])
def test_a_wikidata_item_is_checked(fixture_catalog, value, hint):
    write_entry(fixture_catalog, "organizations", "x.yaml",
                f"name: X\nwikidata: '{value}'\nsources:\n- source: https://example.org/x\n  for: [name, wikidata]\n")
    problems = [d for d in compiled(fixture_catalog).report.items if d.code == "KG107"]
    assert problems and hint in problems[0].message


def test_hugging_face_repositories():
    assert hugging_face_repository("https://huggingface.co/microsoft/phi-2") == "https://huggingface.co/microsoft/phi-2"
    assert hugging_face_repository("https://huggingface.co/microsoft/Phi-4-multimodal-instruct/blob/main/r.pdf") == \
        "https://huggingface.co/microsoft/Phi-4-multimodal-instruct"
    for not_a_repository in ("https://huggingface.co/google", "https://huggingface.co/blog/llama2",
                             "https://huggingface.co/collections/naver-hyperclovax/x",
                             "https://huggingface.co/datasets/x/y", "https://github.com/meta-llama/llama"):
        assert hugging_face_repository(not_a_repository) is None, not_a_repository


def sssom_export(run, data) -> bytes:
    result = run("export", *project_args(data), "--format", "sssom")
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_sssom_export_is_deterministic_and_lists_every_link(run, linked):
    first = sssom_export(run, linked)
    assert first == sssom_export(run, linked)
    rows = [line.split("\t") for line in first.decode().splitlines() if not line.startswith("#")]
    assert rows[0][:5] == ["subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification"]
    triples = {(r[0], r[2], r[3]) for r in rows[1:]}
    assert triples == {
        ("org:meta", "skos:exactMatch", "wikidata:Q380"),
        ("model:llama-2", "skos:closeMatch", "hf:meta-llama/Llama-2-7b-hf"),
        ("paper:llama-2", "skos:exactMatch", "arxiv:2307.09288"),
        ("paper:llama", "skos:exactMatch", "arxiv:2302.13971"),
        ("paper:roformer", "skos:exactMatch", "arxiv:2104.09864"),
    }
    wikidata = next(r for r in rows[1:] if r[3] == "wikidata:Q380")
    assert wikidata[5] == "https://www.wikidata.org/wiki/Q380"  # see_also: the source of the fact


def test_sssom_export_is_read_and_validated_by_sssom_py(run, linked, caplog):
    sssom = pytest.importorskip("sssom", reason="sssom (PyPI) is not installed: pip install '.[test]'")
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    # Not strict=True: sssom 0.4.21 inverts its metadata check there and refuses a file whose metadata
    # is all standard. What strict mode would check is checked here: no warning about the metadata or
    # the prefixes, and the validators below.
    with caplog.at_level("WARNING"):
        msdf = parse_sssom_table(io.StringIO(sssom_export(run, linked).decode()))
    assert not [r for r in caplog.records if "prefix" in r.getMessage() or "metadata" in r.getMessage()], \
        [r.getMessage() for r in caplog.records]
    assert len(msdf.df) == 5
    assert set(msdf.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    assert msdf.metadata["mapping_set_id"] == f"{BASE}/mappings.sssom.tsv"
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                    SchemaValidationType.StrictCurieFormat], fail_on_error=True)
    assert sssom.__name__ == "sssom"


def test_the_real_catalog_maps_without_errors(run):
    data = sssom_export(run, ROOT / "data").decode()
    assert data.count("\tarxiv:") > 100 and "\thf:" in data


@pytest.mark.parametrize("arxiv", ["2302>13971", "2302.13971\\\\", "2302 13971", "2307.09288%", "2307[09288]",
                                   "2307.09288#a#b"])
def test_an_arxiv_id_no_iri_may_hold_makes_no_link_and_both_engines_report_it(fixture_catalog, arxiv):
    """From the session-12 tryout: the oxigraph engine made the link's IRI of the id as written,
    and the line it could not parse raised out of kg validate; rdflib reported KG550."""
    paper = fixture_catalog / "papers" / "llama-2.yaml"
    text = paper.read_text()
    assert 'arxiv: "2307.09288"\n' in text
    paper.write_text(text.replace('arxiv: "2307.09288"\n', f"arxiv: '{arxiv}'\n"))
    project = Project.locate(data=fixture_catalog, start=ROOT)
    found = {engine: [(d.file, d.line, d.code) for d in compile_catalog(project, engine=engine).report.items]
             for engine in ("oxigraph", "rdflib")}
    assert found["oxigraph"] == found["rdflib"]
    assert [code for _file, _line, code in found["oxigraph"]] == ["KG550"]
    from kg.rdf.terms import load_store

    load_store(compile_catalog(project, engine="oxigraph", shapes=False).lines())  # strictly, as a query does

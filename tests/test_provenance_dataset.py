"""The provenance dataset: one named graph per source, read the same by rdflib and pyoxigraph."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef

import kg
from kg.pipeline.project import export_lines, provenance_dataset_lines
from kg.rdf.formats import FORMATS, serialize_lines

from .conftest import FIXTURE_CATALOG, ROOT, write_entry

QWEN = """name: Qwen2
released: 2024-06
parameters: [7B, 72B]
sources:
- source: seed:001_01e188e9c4403368.txt:135
  for: [name, parameters=7B, parameters=72B]
- source: https://qwenlm.github.io/blog/qwen2/
  for: [released]
  quote: the page's words
claims:
- key: released
  value: 2024-02
  source: seed:001_01e188e9c4403368.txt:135
  reason: that line dates Qwen1.5
- key: context_length
  value: 128K
  source: https://example.org/rounded
  reason: rounded, no token count
"""


@pytest.fixture
def compiled(fixture_catalog):
    write_entry(fixture_catalog, "models", "qwen2.yaml", QWEN)
    return kg.load(kg.open_project(ROOT, data=fixture_catalog)), kg.open_project(ROOT, data=fixture_catalog)


def _quads(compiled):
    built, project = compiled
    return provenance_dataset_lines(built, project.base), export_lines(built, project.base), project.base


def test_each_fact_sits_in_the_graph_of_its_source(compiled):
    quads, _, base = _quads(compiled)
    qwen = f"<{base}/model/qwen2>"
    seed = f"<{base}/seed/001_01e188e9c4403368.txt#L135>"
    blog = "<https://qwenlm.github.io/blog/qwen2/>"
    assert f'{qwen} <http://www.w3.org/2000/01/rdf-schema#label> "Qwen2" {seed} .' in quads
    date = '"2024-06"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    assert f"{qwen} <https://w3id.org/llm-kg/ontology#releaseDate> {date} {blog} ." in quads
    assert not any(q.startswith(f"{qwen} <https://w3id.org/llm-kg/ontology#releaseDate> {date} {seed}")
                   for q in quads)


def test_a_claim_not_preferred_is_kept_in_its_source_graph_with_its_rank_and_reason(compiled):
    quads, exported, base = _quads(compiled)
    qwen = f"<{base}/model/qwen2>"
    seed = f"<{base}/seed/001_01e188e9c4403368.txt#L135>"
    claimed = '"2024-02"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    assert f"{qwen} <https://w3id.org/llm-kg/ontology#releaseDate> {claimed} {seed} ." in quads
    assert not any(claimed in line for line in exported)  # the asserted export keeps the preferred value
    ranks = [q for q in quads if "ontology#rank> <https://w3id.org/llm-kg/ontology#DeprecatedRank>" in q]
    assert len(ranks) == 2  # the date, and the rounded context kept as the source's words
    assert any('"that line dates Qwen1.5"' in q for q in quads)
    assert any('ontology#claimedValue> "128K"' in q for q in quads)


def test_every_exported_triple_is_in_a_named_graph(compiled):
    quads, exported, _ = _quads(compiled)
    triples = {q.rsplit(" <", 1)[0] + " ." for q in quads}
    assert set(exported) <= triples


def test_trig_read_by_rdflib_equals_nquads_read_by_pyoxigraph(compiled):
    quads, _, base = _quads(compiled)
    trig = serialize_lines(quads, FORMATS["trig"], base)
    nquads = serialize_lines(quads, FORMATS["nquads"], base)
    by_rdflib = Dataset()
    by_rdflib.parse(data=trig, format="trig")
    from_rdflib = {(str(s), str(p), o.n3(), str(g)) for s, p, o, g in by_rdflib.quads((None, None, None, None))
                   if g is not None and g != URIRef("urn:x-rdflib:default")}
    by_oxigraph = {(q.subject.value, q.predicate.value, str(q.object), q.graph_name.value)
                   for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}
    assert len(from_rdflib) == len(by_oxigraph) == len(quads)
    # the same terms: compare through pyoxigraph's canonical form of rdflib's parse
    reparsed = {(q.subject.value, q.predicate.value, str(q.object), q.graph_name.value)
                for q in ox.parse(by_rdflib.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS)}
    assert reparsed == by_oxigraph


def test_export_writes_the_dataset_formats_deterministically(run, tmp_path):
    args = ["--data", str(FIXTURE_CATALOG), "--no-validate"]
    for fmt, name in (("nquads", "p.nq"), ("trig", "p.trig")):
        first, second = tmp_path / f"1{name}", tmp_path / f"2{name}"
        assert run("export", *args, "-o", str(first)).exit_code == 0
        assert run("export", *args, "--format", fmt, "-o", str(second)).exit_code == 0
        assert first.read_bytes() == second.read_bytes() and first.stat().st_size > 0


def test_the_provenance_vocabulary_is_declared_and_described(compiled):
    from rdflib import Graph

    quads, exported, base = _quads(compiled)
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    used = {term for q in quads for term in q.split() if term.startswith("<https://w3id.org/llm-kg/ontology#")}
    assert used and all((URIRef(t[1:-1]), None, None) in ontology for t in used), used
    assert any(line.startswith(f"<{base}/dataset> <http://rdfs.org/ns/void#subset> <{base}/dataset/provenance>")
               for line in exported)


@pytest.mark.parametrize("name,params", [("fact-sources", {"entity": "qwen2"}), ("disputed-facts", {}),
                                         ("facts-without-source", {})])
def test_the_provenance_queries_give_the_same_rows_on_both_engines(fixture_catalog, name, params):
    write_entry(fixture_catalog, "models", "qwen2.yaml", QWEN)
    write_entry(fixture_catalog, "models", "unsourced.yaml", "name: Unsourced\nreleased: 2024\n")
    project = kg.open_project(ROOT, data=fixture_catalog)
    rows = {engine: kg.query(name, project, params=params, engine=engine, cache=False).rows
            for engine in ("rdflib", "oxigraph")}
    assert rows["rdflib"] == rows["oxigraph"] and rows["rdflib"]
    text = {str(term) for row in rows["rdflib"] for term in row if term is not None}
    if name == "fact-sources":
        assert "https://w3id.org/llm-kg/ontology#DeprecatedRank" in text and "that line dates Qwen1.5" in text
    if name == "disputed-facts":
        assert {"2024-02", "128K", "that line dates Qwen1.5"} <= text
    if name == "facts-without-source":
        assert {"Unsourced", "2024"} <= text and "Qwen2" not in text


MIXED = QWEN.replace("released: 2024-06\n", "released: 2024-06-07\n").replace(
    "parameters: [7B, 72B]", "parameters: [72B, 7B, 13B]").replace("parameters=7B, parameters=72B",
                                                                    "parameters=7B, parameters=72B, parameters=13B")
MIXED += """- key: released
  value: 2023
  source: https://example.org/a-year
  reason: only the year
"""


@pytest.mark.parametrize("name, params, expected", [
    ("fact-sources", {"entity": "qwen2"},  # kg:parameterCount, then kg:releaseDate
     ["7000000000", "13000000000", "72000000000", "2023", "2024-02", "2024-06-07"]),
    ("disputed-facts", {}, ["2023", "2024-02"]),
    ("facts-without-source", {}, ["7000000000", "13000000000", "70000000000", "2024"]),
])
def test_values_of_several_datatypes_come_in_the_same_order_on_both_engines(fixture_catalog, name, params, expected):
    """Dates of several precisions in one property (the real catalog's deepseek-r1: 2025-01-20
    preferred over a seed's 2024-12): the engines ordered a gYear, a gYearMonth and a date
    differently (SPARQL leaves it open), so the saved queries order numbers by value, then
    everything by its text, datatype and language; sizes in numeric order, dates in time order."""
    write_entry(fixture_catalog, "models", "qwen2.yaml", MIXED)
    write_entry(fixture_catalog, "models", "unsourced.yaml", "name: Unsourced\nreleased: 2024\n"
                "parameters: [70B, 7B, 13B]\n")
    project = kg.open_project(ROOT, data=fixture_catalog)
    rows = {engine: kg.query(name, project, params=params, engine=engine, cache=False).rows
            for engine in ("rdflib", "oxigraph")}
    assert rows["rdflib"] == rows["oxigraph"]
    column = 1 if name == "fact-sources" else 2  # the value, or the claimed value
    shown = [str(row[column]) for row in rows["rdflib"] if str(row[column])[:1].isdigit()]
    assert [value for value in dict.fromkeys(shown) if value in expected] == expected, shown

"""The shapes compiled to SPARQL on pyoxigraph report exactly what pySHACL reports."""
from __future__ import annotations


import pytest
from rdflib import Graph

from kg.sparql.engines import store_from_graph
from kg.pipeline.project import Project, compile_catalog
from kg.validation.shacl import check_graph, load_turtle_dir
from kg.validation.shacl_sparql import UnsupportedShape, check_store, compile_shapes

from .conftest import ROOT

SHAPES = load_turtle_dir(ROOT / "shapes")
CASES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("kg5*.ttl"))


def summary(results) -> list[tuple]:
    return sorted((r.code, r.severity, str(r.focus), str(r.path), None if r.value is None else r.value.n3(),
                   r.message) for r in results)


def both(graph: Graph) -> tuple[list, list]:
    return summary(check_graph(graph, SHAPES)), summary(check_store(store_from_graph(graph), SHAPES))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_same_results_on_every_shape_fixture(case):
    pyshacl, sparql = both(Graph().parse(case, format="turtle"))
    assert sparql == pyshacl


@pytest.mark.parametrize("data", ["fixtures/broken", "fixtures/catalog"])
def test_same_results_on_catalogs(data):
    graph = compile_catalog(Project.locate(data=ROOT / "tests" / data, start=ROOT), shapes=False).graph
    pyshacl, sparql = both(graph)
    assert sparql == pyshacl


def test_all_shapes_compile():
    compiled = compile_shapes(SHAPES)
    codes = {c["code"] for c in compiled}
    assert {"KG501", "KG505", "KG522", "KG550", "KG561"} <= codes


def test_unsupported_feature_fails_loudly():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:maxLength 3 ] .
    """, format="turtle")
    with pytest.raises(UnsupportedShape, match="maxLength"):
        compile_shapes(shapes)


def test_validate_cli_same_output_on_both_engines(run):
    from .conftest import project_args

    args = ["validate", *project_args(ROOT / "tests" / "fixtures" / "broken")]
    pyshacl, sparql = run(*args, "--engine", "rdflib"), run(*args, "--engine", "oxigraph")
    assert pyshacl.exit_code == sparql.exit_code == 1
    assert sparql.stdout == pyshacl.stdout
    assert "KG540" in sparql.stdout

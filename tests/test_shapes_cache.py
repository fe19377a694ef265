"""The compiled shapes are kept (kg.pipeline.shapes_cache): a clean validation on oxigraph then
needs no rdflib, and any change to a shapes file, or a damaged kept copy, compiles them again."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from kg.errors import ProjectError
from kg.pipeline import shapes_cache
from kg.pipeline.location import Project
from kg.pipeline.project import compile_catalog
from kg.validation.shacl import load_turtle_dir
from kg.validation.shacl_sparql import compile_shapes

from .conftest import FIXTURE_CATALOG, ROOT


@pytest.fixture
def shapes(tmp_path):
    folder = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", folder)
    return folder


def kept(folder) -> list:
    return sorted((shapes_cache.cache_root() / shapes_cache.SHAPES_FOLDER).glob("*.json"))


def test_kept_shapes_are_the_compiled_shapes(shapes):
    first = shapes_cache.compiled_shapes(shapes)
    assert first == json.loads(json.dumps(compile_shapes(load_turtle_dir(shapes))))
    assert shapes_cache.compiled_shapes(shapes) == first  # read back


def test_a_changed_shapes_file_is_compiled_again(shapes):
    before = shapes_cache.compiled_shapes(shapes)
    extra = shapes / "extra.ttl"
    extra.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kg: <https://w3id.org/llm-kg/ontology#> .\n"
                     "kg:ExtraShape a sh:NodeShape ; sh:targetClass kg:Model ;\n"
                     "  sh:property [ sh:path kg:nothing ; sh:minCount 1 ; kg:diagnosticCode \"KG599\" ] .\n")
    after = shapes_cache.compiled_shapes(shapes)
    assert len(after) == len(before) + 1 and any(item["code"] == "KG599" for item in after)


def test_a_damaged_kept_copy_is_compiled_again(shapes):
    good = shapes_cache.compiled_shapes(shapes)
    for path in kept(shapes):
        path.write_bytes(b"{not json")
    assert shapes_cache.compiled_shapes(shapes) == good


def test_broken_shapes_are_said_as_before(shapes):
    (shapes / "broken.ttl").write_text("this is not turtle")
    with pytest.raises(ProjectError, match="cannot read the shapes"):
        shapes_cache.compiled_shapes(shapes)
    for path in shapes.glob("*.ttl"):
        path.unlink()
    with pytest.raises(ProjectError, match="no SHACL shapes"):
        shapes_cache.compiled_shapes(shapes)


def test_the_same_diagnostics_from_kept_shapes(tmp_path):
    project = Project.locate(data=ROOT / "tests" / "fixtures" / "broken", start=ROOT)
    first = compile_catalog(project, engine="oxigraph").report.items  # compiles and keeps
    second = compile_catalog(project, engine="oxigraph").report.items  # from the kept copy
    reference = compile_catalog(project, engine="rdflib").report.items  # pySHACL
    assert first == second == reference and any(d.code.startswith("KG5") for d in first)


def test_a_clean_validation_from_kept_shapes_imports_no_rdflib(tmp_path):
    env = {**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    script = ("import sys, kg\n"
              f"project = kg.open_project({str(ROOT)!r}, data={str(FIXTURE_CATALOG)!r})\n"
              "report = kg.validate(project, engine='oxigraph')\n"
              "print(report.summary(), 'rdflib' in sys.modules)\n")
    outputs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              timeout=120) for _ in range(2)]
    assert outputs[0].stdout.split()[-1] == "True", outputs[0].stderr  # compiled with rdflib, once
    assert outputs[1].stdout.strip() == "0 errors, 0 warnings False", outputs[1].stderr


def test_kg_cache_clear_removes_the_kept_shapes(run, shapes, monkeypatch, tmp_path):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "own-cache"))
    shapes_cache.compiled_shapes(shapes)
    assert kept(shapes)
    assert run("cache", "clear").exit_code == 0
    assert not kept(shapes)

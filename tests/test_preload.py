"""A warm query's graph loads while kg is imported (kg.pipeline.preload): the store is used only for
the entry the fingerprint names, so a changed catalog is never answered from the guess."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from kg.pipeline import preload
from kg.pipeline.cache import entry_for
from kg.pipeline.location import Project
from kg.pipeline.queryable import query_source

from .conftest import FIXTURE_CATALOG, ROOT, write_entry


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(FIXTURE_CATALOG, root / "data")
    return Project.locate(start=root)


def _entry(project):
    return entry_for([project.data, project.ontology, project.shapes], project.base)


def test_the_latest_entry_is_loaded_and_taken_only_for_its_own_folder(project):
    query_source(project, engine="oxigraph")  # caches the entry
    entry = _entry(project)
    preload.start(project.data)
    assert preload.take(entry.folder.parent / ("0" * 32)) is None  # another entry: not handed over
    preload.start(project.data)
    store = preload.take(entry.folder)
    assert store is not None and len(store) == entry.meta()["triples"]
    assert preload.take(entry.folder) is None  # handed over once


def test_nothing_is_loaded_without_a_cache_or_past_the_size(project):
    preload.start(project.data)
    assert preload.take(_entry(project).folder) is None  # nothing cached yet
    query_source(project, engine="oxigraph")
    preload.start(project.data, max_bytes=10)
    assert preload.take(_entry(project).folder) is None


def test_a_query_after_a_change_answers_from_the_catalog_as_it_is(project, tmp_path):
    env = {**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    query = [sys.executable, "-m", "kg", "query", "models-by-organization", "-p", "org=meta", "--format", "csv"]
    first = subprocess.run(query, cwd=project.root, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and "llama-3000" not in first.stdout
    write_entry(project.data, "models", "llama-3000.yaml", "name: Llama 3000\ndeveloper: meta\n")
    second = subprocess.run(query, cwd=project.root, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "llama-3000" in second.stdout, second.stderr
    third = subprocess.run(query, cwd=project.root, env=env, capture_output=True, text=True, timeout=120)
    assert third.stdout == second.stdout  # and warm again, from the new entry


def test_a_store_that_disagrees_with_its_entry_is_not_used(project):
    query_source(project, engine="oxigraph")
    entry = _entry(project)
    lines = entry.graph_file.read_bytes().splitlines(keepends=True)
    entry.graph_file.write_bytes(b"".join(lines[: len(lines) // 2]))  # cut short
    preload.start(project.data)
    source = query_source(project, engine="oxigraph")  # rebuilt from the catalog, not from the half
    assert source.triples == entry.meta()["triples"] and len(source.target) >= source.triples


def test_the_guessed_data_folder_is_the_one_the_project_finds(project, tmp_path):
    inside = project.data / "models"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for start in (project.root, inside, project.root / "queries", outside):
        found = Project.locate(start=start).data
        assert preload.guess_data(start=str(start)) == str(found), start
    assert preload.guess_data("some/data", start=str(outside)) == "some/data"  # --data wins


def test_a_damaged_graph_file_is_rebuilt_on_the_rdflib_engine_too(project, monkeypatch):
    """A cached line that is not N-Triples (the line count still right) makes the rdflib engine rebuild
    from the catalog; a line in N-Triples that kg does not write is read by the full parser."""
    import kg.pipeline.project

    query_source(project, engine="rdflib", named_graphs=False)
    entry = _entry(project)
    whole = entry.graph_file.read_bytes()
    lines = whole.splitlines(keepends=True)
    first = lines[0].decode()
    subject = first[1:first.index(">")]
    escaped = subject.replace(":", "\\u003A", 1)  # the same IRI, spelled with an escape kg never writes
    entry.graph_file.write_bytes(b"".join([first.replace(subject, escaped, 1).encode(), *lines[1:]]))
    compile_catalog = kg.pipeline.project.compile_catalog

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt from the catalog")

    monkeypatch.setattr(kg.pipeline.project, "compile_catalog", no_rebuild)
    source = query_source(project, engine="rdflib", named_graphs=False)
    assert len(source.target) == source.triples == len(lines) and subject in {str(s) for s, _, _ in source.target}
    entry.graph_file.write_bytes(b"".join([b"not a triple\n", *lines[1:]]))
    monkeypatch.setattr(kg.pipeline.project, "compile_catalog", compile_catalog)
    source = query_source(project, engine="rdflib", named_graphs=False)
    assert len(source.target) == source.triples == len(lines)
    assert entry.graph_file.read_bytes() == whole  # and the cache written again


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("damaged", ["graph", "provenance"])
def test_a_line_that_is_not_n_triples_in_a_cached_file_means_a_rebuild(project, engine, damaged):
    """Either cached file with a line no parser reads (its line count still right): the query
    source is rebuilt from the catalog and the entry written again, on both engines, with the
    provenance dataset's named graphs loaded too; never a parser's traceback."""
    query_source(project, engine=engine)
    entry = _entry(project)
    path = entry.graph_file if damaged == "graph" else entry.provenance_file
    whole = path.read_bytes()
    lines = whole.splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:-1], b"not a statement at all\n"]))
    preload.start(project.data)  # (on oxigraph, the damaged graph may come preloaded)
    source = query_source(project, engine=engine, named_graphs=True)
    assert source.triples == entry.meta()["triples"] and path.read_bytes() == whole

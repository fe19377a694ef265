"""The pieces that keep the Oxigraph path fast: lazy store, digests kept from the load, GC pause."""
from __future__ import annotations

import gc

import pytest

from kg.pipeline.cache import fingerprint
from kg.util.gcpause import paused_gc
from kg.pipeline.project import Project, compile_catalog

from .conftest import FIXTURE_CATALOG, ROOT


def test_store_is_loaded_only_when_something_queries_it():
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    compiled = compile_catalog(project, shapes=False, engine="oxigraph")
    assert compiled._store is None  # export, push and stats only need the lines
    assert len(compiled.store) == compiled.triples == len(compiled.lines())
    compiled.release_store()
    assert compiled._store is None
    validated = compile_catalog(project, engine="oxigraph")
    assert validated._store is not None  # the shapes ran on it


def test_fingerprint_from_digests_of_the_load_equals_reading_the_files(fixture_catalog):
    project = Project.locate(data=fixture_catalog, start=ROOT)
    compiled = compile_catalog(project, shapes=False, engine="oxigraph")
    known = {str(e.doc.path): e.doc.digest for e in compiled.catalog.entries}
    assert len(known) == len(compiled.catalog.entries) and all(known.values())
    folders = [project.data, project.ontology, project.shapes]
    assert fingerprint(folders, project.base, known) == fingerprint(folders, project.base)
    (fixture_catalog / "models" / "llama.yaml").write_text("name: LLaMA\n")  # changed after the load
    assert fingerprint(folders, project.base) != fingerprint(folders, project.base, known)


def test_gc_pause_restores_the_collector():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with paused_gc():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()

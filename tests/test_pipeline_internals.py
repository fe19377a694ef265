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


def test_the_store_fed_while_the_lines_are_made_holds_what_loading_them_gives(monkeypatch):
    """kg.pipeline.store_feed: the shapes' store, fed in batches as the lines are made, holds the
    catalog's triples, the same as loading the finished lines (small batches: several are fed)."""
    from kg.pipeline import store_feed
    from kg.rdf.terms import load_store

    monkeypatch.setattr(store_feed, "FEED_BATCH", 7)
    monkeypatch.setattr(store_feed.StoreFeed.__init__, "__defaults__", (lambda: True, 7))
    project = Project.locate(data=FIXTURE_CATALOG, start=ROOT)
    compiled = compile_catalog(project, engine="oxigraph")
    fed = sorted(str(quad) for quad in compiled.store)
    assert fed == sorted(str(quad) for quad in load_store(compiled.lines())) and len(fed) == compiled.triples


def test_a_failure_after_the_lines_stops_the_store_being_fed(tmp_path, monkeypatch):
    """An error once the lines are made (here: no shapes folder) leaves no feeding thread behind."""
    import shutil
    import threading

    from kg.errors import ProjectError
    from kg.pipeline import store_feed

    monkeypatch.setattr(store_feed.StoreFeed.__init__, "__defaults__", (lambda: True, 5))
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "data")
    project = Project.locate(data=tmp_path / "data", start=tmp_path)
    before = {t for t in threading.enumerate() if t.name == "kg-store-feed"}
    with pytest.raises(ProjectError):
        compile_catalog(project, engine="oxigraph")
    assert {t for t in threading.enumerate() if t.name == "kg-store-feed"} == before

"""A warm query on a large cached graph is answered in a child while the fingerprint is taken
(kg.pipeline.speculate): its rows are used only for the entry the fingerprint names and for the
very query it answered, so a changed catalog or another query is never answered from the guess."""
from __future__ import annotations

import os
import shutil

import pytest

from kg import api
from kg.pipeline import queryable, speculate
from kg.pipeline.cache import entry_for
from kg.pipeline.location import Project
from kg.pipeline.queryable import query_source
from kg.rdf.ntriples import Iri
from kg.sparql.engines import known_prefixes, run_on_store, run_query
from kg.sparql.results import render
from kg.sparql.saved import list_saved_queries

from .conftest import FIXTURE_CATALOG, ROOT, write_entry


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The fixture catalog, its graph treated as large: queries open its on-disk store."""
    monkeypatch.setattr(queryable, "MEMORY_LOAD_BYTES", 0)
    monkeypatch.setattr(speculate, "MEMORY_LOAD_BYTES", 0)
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(FIXTURE_CATALOG, root / "data")
    project = Project.locate(start=root)
    query_source(project, engine="oxigraph")  # caches the entry...
    query_source(project, engine="oxigraph")  # ...and makes its on-disk store
    return project


@pytest.fixture
def spied(monkeypatch):
    """What the speculations did: the rows each gave (None: none), and how many children were stopped."""
    seen = {"rows": [], "stopped": 0}
    rows, stop = speculate.Speculation._read_rows, speculate.Speculation.stop

    def spy_rows(self):
        found = rows(self)
        seen["rows"].append(found)
        return found

    def spy_stop(self):
        seen["stopped"] += self.child.pid is not None
        stop(self)

    monkeypatch.setattr(speculate.Speculation, "_read_rows", spy_rows)
    monkeypatch.setattr(speculate.Speculation, "stop", spy_stop)
    return seen


def _answer(name, project, **options):
    """``kg query``'s answer: on oxigraph, speculating."""
    return api.answer(name, project, engine="oxigraph", speculate=True, **options)


def _printed(outcome, base) -> str:
    result = outcome.result
    return "".join(render(result, fmt, base) for fmt in ("table", "csv", "json", "tsv"))


def test_the_guessed_entry_answers_each_saved_query_as_evaluating_it_would(project, spied, monkeypatch):
    names = [q.name for q in list_saved_queries(project.queries) if not any(p.required for p in q.parameters)]
    assert len(names) > 10
    speculated = {name: _printed(_answer(name, project), project.base) for name in names}
    assert len(spied["rows"]) == len(names) and spied["stopped"] == 0
    assert sum(found is not None for found in spied["rows"]) >= len(names) - 2  # the child answered
    assert speculate._current == []  # every child ended
    monkeypatch.setattr(api, "_speculate", lambda *args: False)
    for name in names:
        assert _printed(_answer(name, project), project.base) == speculated[name], name


def test_a_changed_catalog_is_not_answered_from_the_guess(project, spied):
    before = _answer("models-by-organization", project, params={"org": "meta"})
    assert "llama-3000" not in _printed(before, project.base)
    write_entry(project.data, "models", "llama-3000.yaml", "name: Llama 3000\ndeveloper: meta\n")
    after = _answer("models-by-organization", project, params={"org": "meta"})
    assert "llama-3000" in _printed(after, project.base)
    assert spied["stopped"] >= 1  # the guess named the old entry: its child was stopped, unheard


def test_only_the_query_the_child_answered_takes_its_rows(project, spied):
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    prefixes = known_prefixes(project.base)
    text = "SELECT ?m WHERE { ?m a kg:Model } ORDER BY ?m"
    opened = []

    def open_store():
        opened.append(entry.open_store())
        return opened[-1]

    speculate.start(project.data, text, {}, prefixes)
    store = speculate.take(entry.folder, open_store)
    assert isinstance(store, speculate.AnsweringStore) and spied["rows"][-1] is not None and not opened
    other = run_on_store(store, text + " LIMIT 1", {}, prefixes=prefixes)  # not the query sent: evaluated
    assert len(other.cells) == 1 and len(opened) == 1  # on the store, opened for it
    speculate.drop()

    speculate.start(project.data, text, {}, prefixes)
    store = speculate.take(entry.folder, open_store)
    bound = run_on_store(store, "SELECT ?m ?_m WHERE { ?m a kg:Model FILTER(?m = ?_m) }",
                         {"_m": Iri(f"{project.base}/model/llama-2")}, prefixes=prefixes)
    assert len(bound.cells) <= 1 and len(opened) == 2
    speculate.drop()

    speculate.start(project.data, text, {}, prefixes)
    store = speculate.take(entry.folder, open_store)
    assert run_query(store, text, {}, engine="oxigraph", base=project.base).cells == \
        run_on_store(entry.open_store(), text, {}, prefixes=prefixes).cells
    assert spied["rows"][-1] is not None and len(opened) == 2  # from the child: the store never opened here
    speculate.drop()


def test_another_entry_folder_gets_its_own_store(project, spied):
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    speculate.start(project.data, "SELECT ?m WHERE { ?m a kg:Model }", {}, known_prefixes(project.base))
    own = entry.open_store()
    assert speculate.take(entry.folder.parent / ("0" * 32), lambda: own) is own
    assert spied["stopped"] == 1
    speculate.drop()


def test_a_child_that_fails_leaves_the_query_to_run_here(project, spied, monkeypatch):
    def fails(*args):
        raise RuntimeError("damaged")

    monkeypatch.setattr(speculate, "_answer", fails)
    outcome = _answer("models-by-organization", project, params={"org": "meta"})
    assert spied["rows"] == [None]
    monkeypatch.setattr(api, "_speculate", lambda *args: False)
    again = _answer("models-by-organization", project, params={"org": "meta"})
    assert _printed(outcome, project.base) == _printed(again, project.base)


def test_rows_the_reader_refuses_leave_the_query_to_run_here(project, spied, monkeypatch):
    def refuses(cell):
        raise ValueError(f"a cell of an unknown form: {cell!r}")

    monkeypatch.setattr("kg.sparql.tsv_rows.cell_term", refuses)
    outcome = _answer("models-by-organization", project, params={"org": "meta"})
    assert spied["rows"] == [None] and outcome.result.cells
    monkeypatch.setattr(api, "_speculate", lambda *args: False)
    again = _answer("models-by-organization", project, params={"org": "meta"})
    assert _printed(outcome, project.base) == _printed(again, project.base)


def test_no_guess_without_a_large_cached_store(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_CATALOG, root / "data")
    assert speculate.latest_store_entry(root / "data") is None  # nothing cached
    monkeypatch.setattr(speculate, "MEMORY_LOAD_BYTES", 0)
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, root / name)
    project = Project.locate(start=root)
    query_source(project, engine="oxigraph")  # small: loaded in memory, no on-disk store made
    assert speculate.latest_store_entry(project.data) is None


def test_a_fork_that_fails_leaves_the_query_to_run_here(project, monkeypatch):
    def no_fork(function):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("kg.util.parallel.start_in_child", no_fork)
    outcome = _answer("models-by-organization", project, params={"org": "meta"})
    assert speculate._current == [] and outcome.result.cells


def test_the_library_speculates_only_when_asked(project, monkeypatch):
    monkeypatch.setattr(speculate, "start", lambda *args: pytest.fail("a child was started"))
    outcome = api.answer("models-by-organization", project, params={"org": "meta"}, engine="oxigraph")
    assert outcome.result.kind == "select"


def test_a_store_gone_after_the_child_answered_is_said_in_kg_s_words(project, spied):
    """The child answered, so the store is not opened here; another query then needs it, and it can
    no longer be opened: a KgError that says what to do, not an AttributeError of None."""
    from kg.errors import KgError

    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    prefixes = known_prefixes(project.base)
    text = "SELECT ?m WHERE { ?m a kg:Model }"
    speculate.start(project.data, text, {}, prefixes)
    store = speculate.take(entry.folder, lambda: None)
    assert isinstance(store, speculate.AnsweringStore)
    with pytest.raises(KgError, match="run the query again"):
        run_on_store(store, text + " LIMIT 1", {}, prefixes=prefixes)
    speculate.drop()


def test_only_a_select_is_speculated(project, monkeypatch):
    """The child hands back rows: an ASK or a CONSTRUCT is not sent to it (its answer would be waited
    for, thrown away and the query evaluated again)."""
    started = []
    monkeypatch.setattr(speculate, "start", lambda *args: started.append(args[1]))
    construct = _answer("model-neighbourhood", project, params={"model": "llama-2"})
    assert construct.result.kind == "graph" and started == []
    _answer("models-by-organization", project, params={"org": "meta"})
    assert len(started) == 1 and "SELECT" in started[0]
    speculate.drop()


def test_the_child_keeps_its_cpus_where_this_process_has_used_rocksdb(project, monkeypatch):
    """Pinned to one CPU before opening a store, a child forked by a process that has compacted a
    RocksDB store hung every time (RocksDB resized the thread pools the fork left without
    threads): the child is pinned only where this process has opened no on-disk store
    (kg.util.parallel.note_on_disk_store). The child's work runs here, to be watched."""
    from kg.util import parallel

    pinned = []

    def here(function):  # the child's function, run in this process
        return parallel.Child(None, None, ran_here=(True, function()))

    def watched_affinity(pid, cpus):
        pinned.append(set(cpus))
        return real_affinity(pid, cpus)

    real_affinity = os.sched_setaffinity
    monkeypatch.setattr(os, "sched_setaffinity", watched_affinity)
    monkeypatch.setattr(parallel, "start_in_child", here)
    assert parallel._on_disk_store_used  # the fixture made the store here
    assert _answer("models-by-organization", project, params={"org": "meta"}).result.cells
    assert pinned == []
    monkeypatch.setattr(parallel, "_on_disk_store_used", False)  # as in kg query's process
    assert _answer("models-by-organization", project, params={"org": "meta"}).result.cells
    assert len(pinned) == (2 if len(os.sched_getaffinity(0)) > 1 else 0)  # one CPU, then all again

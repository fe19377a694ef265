"""The paths kg build takes on large catalogs, exercised on small ones: same results, same safety.

A JSON-LD written on a background thread while the shapes run, an on-disk Oxigraph store in the
query cache, and file digests reused from an index instead of re-reading every file.
"""
from __future__ import annotations

import marshal
import os
import shutil
import threading
import time

import pytest

import kg.pipeline.exports
import kg.pipeline.project
import kg.pipeline.cache as cache_module
from kg.pipeline.cache import INDEX_NAME, SNAPSHOT_NAME, DigestIndex, FolderSnapshots, entry_for, fingerprint, project_dir
from kg.util.parallel import can_fork, start_in_child
from kg.pipeline.build import InvalidCatalog, build
from kg.pipeline.project import Project
from kg.rdf.formats import FORMATS

from .conftest import FIXTURE_CATALOG, ROOT, interrupting_in

TRUST_ALL = -10**12  # racy_ns that trusts even files changed this very second

STRICT_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/llm-kg/ontology#> .
kg:StrictModelShape a sh:NodeShape ; sh:targetClass kg:Model ;
  sh:property [ sh:path kg:neverStated ; sh:minCount 1 ; sh:message "state kg:neverStated" ] .
"""


def _project(data=FIXTURE_CATALOG, shapes=ROOT / "shapes"):
    return Project.locate(data=data, shapes=shapes, ontology=ROOT / "ontology", start=ROOT)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_jsonld_from_the_background_writer_is_byte_identical(tmp_path, engine):
    build(_project(), tmp_path / "here", engine=engine, cache=False)
    build(_project(), tmp_path / "background", engine=engine, cache=False, exports_in_background_from=0)
    for name in ("catalog.ttl", "catalog.jsonld", "catalog.nt"):
        assert (tmp_path / "background" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


@pytest.mark.parametrize("background_from", [0, 10**9])
def test_turtle_and_trig_are_made_from_the_staged_nt_and_nquads_with_the_same_bytes(tmp_path, monkeypatch,
                                                                                    background_from):
    from kg.rdf.formats import FORMATS, serialize_lines

    sources = {}
    original = kg.pipeline.exports.write_lines

    def noting(lines, fmt, base, out, **options):
        sources[fmt.name] = options.get("source")
        return original(lines, fmt, base, out, **options)

    monkeypatch.setattr(kg.pipeline.exports, "write_lines", noting)
    out = tmp_path / "dist"
    build(_project(), out, engine="oxigraph", cache=False, exports_in_background_from=background_from)
    assert sources["trig"].name == "provenance.nq"  # N-Quads are written before the TriG
    # the background thread writes the N-Triples before the Turtle; in the main thread the Turtle comes first
    assert (sources["turtle"].name == "catalog.nt") if background_from == 0 else sources["turtle"] is None
    nt, nq = (out / "catalog.nt").read_text().splitlines(), (out / "provenance.nq").read_text().splitlines()
    assert (out / "catalog.ttl").read_bytes() == serialize_lines(nt, FORMATS["turtle"], _project().base)
    assert (out / "provenance.trig").read_bytes() == serialize_lines(nq, FORMATS["trig"], _project().base)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_exports_begun_before_the_shapes_are_dropped_when_the_shapes_fail(tmp_path, engine):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "strict.ttl").write_text(STRICT_SHAPE)
    out = tmp_path / "dist"
    with pytest.raises(InvalidCatalog, match="nothing written") as failure:
        build(_project(shapes=shapes), out, engine=engine, cache=False, exports_in_background_from=0)
    assert any("state kg:neverStated" in d.text() for d in failure.value.report.errors)
    assert not out.exists() or list(out.iterdir()) == []  # not even a temporary file is left


def test_a_build_whose_shapes_fail_leaves_no_store_in_the_cache(tmp_path, monkeypatch):
    """The on-disk store begins loading before the shapes run; a failed build drops it, and waits."""
    import threading

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "strict.ttl").write_text(STRICT_SHAPE)
    with pytest.raises(InvalidCatalog):
        build(_project(shapes=shapes), tmp_path / "dist", engine="oxigraph")
    assert not any(t.name == "kg-cache-store" for t in threading.enumerate())
    left = [p.name for p in (tmp_path / "cache").rglob("*") if p.name.startswith(("oxigraph", ".oxigraph-"))]
    assert left == []


def test_a_cancelled_store_is_not_written_and_quads_go_to_the_dataset_store(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    entry = entry_for([FIXTURE_CATALOG], "https://example.org")
    lines = ["<https://example.org/a> <https://example.org/b> <https://example.org/c> ."]
    quads = ["<https://example.org/a> <https://example.org/b> <https://example.org/c> <https://example.org/g> ."]
    cancelled = threading.Event()
    cancelled.set()
    assert entry.write_store(lines, None, cancelled) is False
    assert not entry.store_dir.exists() and not list(entry.folder.glob(".oxigraph-*"))
    assert entry.open_store() is None and entry.open_store(named_graphs=True) is None
    assert entry.write_store(lines, quads) is True
    assert entry.dataset_store_dir.is_dir() and not entry.store_dir.exists()
    assert len(entry.open_store()) == 2  # the dataset's store serves a query without GRAPH too
    assert entry.write_store(lines) is True and entry.store_dir.is_dir()
    assert len(entry.open_store()) == 1 and len(entry.open_store(named_graphs=True)) == 2


def test_a_build_stores_the_query_graph_and_the_first_graph_query_adds_the_dataset_store(tmp_path, monkeypatch):
    """kg build's on-disk store holds the query graph alone; the first query that may read named
    graphs makes the store with the provenance dataset, and answers as the in-memory graph does."""
    from kg.pipeline import queryable
    from kg.pipeline.queryable import query_source
    from kg.sparql.engines import run_on_store

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(queryable, "MEMORY_LOAD_BYTES", 0)
    project = _project()
    build(project, tmp_path / "dist", engine="oxigraph")
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    assert entry.store_dir.is_dir() and not entry.dataset_store_dir.exists()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    plain = query_source(project, engine="oxigraph", named_graphs=False)
    assert not entry.dataset_store_dir.exists()
    assert run_on_store(plain.target, count, {}).cells[0][0].lexical == "0"
    plain.lease.release()
    graphs = query_source(project, engine="oxigraph", named_graphs=True)
    assert entry.dataset_store_dir.is_dir()
    stored = run_on_store(graphs.target, count, {}).cells[0][0].lexical
    graphs.lease.release()
    in_memory = query_source(project, engine="oxigraph", named_graphs=True, use_cache=False)
    assert stored == run_on_store(in_memory.target, count, {}).cells[0][0].lexical
    assert int(stored) == len(entry.provenance_file.read_bytes().splitlines()) > 0
    # a build of the same catalog then makes no second store of the query graph: the dataset's serves
    shutil.rmtree(entry.store_dir)
    build(project, tmp_path / "dist", engine="oxigraph")
    assert not entry.store_dir.exists() and entry.store_for() == entry.dataset_store_dir


def test_an_older_kg_s_store_serves_both_kinds_of_query(tmp_path, monkeypatch):
    """The one store older versions made held the query graph and the provenance dataset, under
    the name the dataset's store keeps: a cache they filled answers GRAPH queries from it, and
    the store kg build makes now is one they never open."""
    from kg.pipeline import queryable
    from kg.pipeline.cache_location import DATASET_STORE_DIR, STORE_DIR
    from kg.pipeline.queryable import query_source
    from kg.sparql.engines import run_on_store

    assert (DATASET_STORE_DIR, STORE_DIR) == ("oxigraph", "oxigraph-graph")
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(queryable, "MEMORY_LOAD_BYTES", 0)
    project = _project()
    build(project, tmp_path / "dist", engine="oxigraph", cache=True)
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    shutil.rmtree(entry.store_dir)  # as an older kg left it: one store, with the quads
    assert entry.write_store(entry.graph_file.read_bytes(), entry.provenance_file.read_bytes())
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    for named_graphs in (True, False):
        source = query_source(project, engine="oxigraph", named_graphs=named_graphs)
        assert int(run_on_store(source.target, count, {}).cells[0][0].lexical) > 0
        source.lease.release()
    assert not entry.store_dir.exists()


def test_a_failed_build_prints_its_diagnostics_and_writes_nothing(run, tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "strict.ttl").write_text(STRICT_SHAPE)
    out = tmp_path / "dist"
    result = run("build", "--data", str(FIXTURE_CATALOG), "--shapes", str(shapes), "--ontology",
                 str(ROOT / "ontology"), "--out", str(out), "--no-cache")
    assert result.exit_code == 1
    assert "state kg:neverStated" in result.output and "nothing written" in result.output
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("failing", kg.pipeline.exports.BACKGROUND_FORMATS)
def test_a_failing_background_writer_fails_the_build_and_writes_nothing(tmp_path, monkeypatch, failing):
    real = kg.pipeline.exports.write_lines

    def full_disk(lines, fmt, base, out, **options):
        if fmt.name == failing:
            raise OSError(28, "No space left on device")
        real(lines, fmt, base, out, **options)

    monkeypatch.setattr(kg.pipeline.exports, "write_lines", full_disk)
    out = tmp_path / "dist"
    with pytest.raises(OSError, match=f"No space left on device: '.*catalog{FORMATS[failing].extensions[0]}'"):
        build(_project(), out, cache=False, exports_in_background_from=0)
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.skipif(not can_fork(), reason="children are forked on Linux only")
def test_start_in_child_reports_what_the_child_raised():
    def fails():
        raise ValueError("bad value in the child")

    child = start_in_child(fails)
    with pytest.raises(ValueError, match="bad value in the child"):
        child.wait()
    child = start_in_child(lambda: os._exit(5))
    with pytest.raises(RuntimeError, match="exit code 5"):
        child.wait()


def test_build_on_oxigraph_keeps_an_on_disk_store_that_queries_open(run, fixture_catalog, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    args = ["--data", str(fixture_catalog)]
    count = ["--format", "csv", "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    assert run("build", *args, "--out", str(tmp_path / "dist"), "--engine", "oxigraph").exit_code == 0
    project = Project.locate(data=fixture_catalog, start=ROOT)
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    assert entry.complete() and entry.store_dir.is_dir()
    expected = run("query", *args, "--engine", "rdflib", *count).output
    assert expected.split()[1] == str(entry.graph_file.read_bytes().count(b"\n"))

    entry.graph_file.rename(tmp_path / "aside.nt")  # the store alone must answer now
    monkeypatch.setattr(entry.__class__, "complete", lambda self: self.meta_file.is_file())
    assert run("query", *args, "--engine", "oxigraph", *count).output == expected
    ancestors = run("query", *args, "--engine", "oxigraph", "model-ancestors", "-p", "model=alpaca",
                    "--format", "csv")
    assert ancestors.exit_code == 0 and "/model/llama," in ancestors.output

    (tmp_path / "aside.nt").rename(entry.graph_file)
    shutil.rmtree(entry.store_dir)
    entry.store_dir.mkdir()
    (entry.store_dir / "CURRENT").write_text("damaged\n")  # not a database: the N-Triples file serves
    assert run("query", *args, "--engine", "oxigraph", *count).output == expected


def test_rdflib_builds_keep_no_store(run, fixture_catalog, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    assert run("build", "--data", str(fixture_catalog), "--out", str(tmp_path / "dist"),
               "--engine", "rdflib").exit_code == 0
    project = Project.locate(data=fixture_catalog, start=ROOT)
    entry = entry_for([project.data, project.ontology, project.shapes], project.base)
    assert entry.complete() and not entry.store_dir.exists()


def test_digest_index_reuses_digests_of_unchanged_files_only(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    first = fingerprint([data], "https://example.org", racy_ns=TRUST_ALL)
    index = DigestIndex(project_dir(data) / INDEX_NAME)
    assert len(index.entries) == sum(len(files) for _, _, files in os.walk(data))

    reads = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        reads.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first
    assert reads == []  # nothing re-read: every digest came from the index

    entry = next((data / "models").iterdir())
    text = entry.read_bytes()
    stat = entry.stat()
    entry.write_bytes(text.replace(b"name:", b"nAme:", 1))  # same size...
    os.utime(entry, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ...and the same mtime: ctime still moves
    changed = fingerprint([data], "https://example.org", racy_ns=TRUST_ALL)
    assert changed != first and reads == [str(entry)]


def test_folder_snapshots_see_every_change(tmp_path, monkeypatch):
    """The snapshot answers only while every file's stat is unchanged: an added, removed, rewritten
    or renamed file goes back to the index; a damaged snapshot costs only that."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    first = fingerprint([data], "https://example.org", racy_ns=TRUST_ALL)
    snapshots = FolderSnapshots(project_dir(data) / SNAPSHOT_NAME)
    assert list(snapshots.folders) == [os.path.join(str(data.resolve()), "")]
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first

    model = next((data / "models").iterdir())
    extra = data / "models" / "zz-extra.yaml"
    extra.write_bytes(model.read_bytes())
    added = fingerprint([data], "https://example.org", racy_ns=TRUST_ALL)
    extra.unlink()
    assert added != first and fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first
    renamed = data / "models" / ("a" + model.name)
    model.rename(renamed)
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) != first
    renamed.rename(model)
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first
    text, stat = model.read_bytes(), model.stat()
    model.write_bytes(text.replace(b"name:", b"nAme:", 1))  # same size, and (below) the same mtime:
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # only the ctime tells
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) != first
    model.write_bytes(text)
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first
    (project_dir(data) / SNAPSHOT_NAME).write_bytes(FolderSnapshots.MAGIC + b"\xff\x00damaged")
    assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first
    folder = os.path.join(str(data.resolve()), "")
    names, keys, joined = FolderSnapshots(project_dir(data) / SNAPSHOT_NAME).folders[folder]
    for damaged in ((names, keys[:-1], joined), (names, keys, joined[:-1]), (names[:-1], keys, joined),
                    (list(names), keys, joined), (names, keys), "not a snapshot"):
        (project_dir(data) / SNAPSHOT_NAME).write_bytes(FolderSnapshots.MAGIC + marshal.dumps({folder: damaged}))
        assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first


def test_digest_index_does_not_trust_files_changed_just_now(tmp_path, monkeypatch):
    """git's racy-clean rule: a file changed within RACY_NS of its hashing is hashed again next time."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    fingerprint([data], "https://example.org")
    assert DigestIndex(project_dir(data) / INDEX_NAME).entries == {}
    assert FolderSnapshots(project_dir(data) / SNAPSHOT_NAME).folders == {}  # nor does a snapshot


def test_a_damaged_digest_index_costs_only_a_reread(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    first = fingerprint([data], "https://example.org", racy_ns=TRUST_ALL)
    index_file = project_dir(data) / INDEX_NAME
    whole = index_file.read_bytes()
    entries = DigestIndex(index_file).entries
    path = next(iter(entries))
    damaged_entries = {**entries, path: ("not", "a", "key"), "/elsewhere": 1}
    for damaged in (whole[: len(whole) // 2], b"zz not an index\n", whole[:10] + b"\xff" * 50,
                    DigestIndex.MAGIC + marshal.dumps([1, 2]), DigestIndex.MAGIC + marshal.dumps(damaged_entries)):
        index_file.write_bytes(damaged)
        assert fingerprint([data], "https://example.org", racy_ns=TRUST_ALL) == first


def _gone(name: str) -> bool:
    """No thread named ``name`` is left (one that has ended its work may take a moment to exit)."""
    for thread in [t for t in threading.enumerate() if t.name == name]:
        thread.join(5)
    return not [t for t in threading.enumerate() if t.name == name]


def _noted_loads(monkeypatch, before=None) -> list:
    """kg.rdf.terms.load_store replaced by one that notes what each call loads (the content, and
    the thread's name) and first runs ``before(calls)``; the list of notes."""
    from kg.rdf import terms

    original = terms.load_store
    calls: list[tuple[object, str]] = []

    def noting(content, store=None, **options):
        calls.append((content, threading.current_thread().name))
        if before is not None:
            before(calls)
        return original(content, store, **options)

    monkeypatch.setattr(terms, "load_store", noting)
    return calls


def test_bytes_go_into_the_store_a_few_whole_lines_at_a_time(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" <https://example.org/g{i % 3}> ."
             for i in range(50)]
    data = ("\n".join(lines) + "\n").encode()
    calls = _noted_loads(monkeypatch)
    monkeypatch.setattr(cache, "STORE_CHUNK_BYTES", 200)
    store = ox.Store()
    assert cache._load_in_chunks(store, data, True, None)
    loaded = [content for content, _thread in calls]
    # two feeders take the chunks in turn, so they may be loaded out of order
    assert len(loaded) > 5 and all(chunk.endswith(b"\n") for chunk in loaded)
    assert b"".join(sorted(loaded, key=data.index)) == data
    assert len(store) == 50


def _sorted_dump(store) -> list[bytes]:
    import pyoxigraph as ox

    return sorted(store.dump(format=ox.RdfFormat.N_QUADS).splitlines())


def test_two_feeders_share_the_chunks_and_make_the_same_store(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = sorted(f"<https://example.org/s{i}> <https://example.org/p{i % 4}> \"v{i % 9}\" ." for i in range(400))
    # each load long enough for the other feeder to take a chunk meanwhile
    calls = _noted_loads(monkeypatch, lambda calls: time.sleep(0.002))
    monkeypatch.setattr(cache, "STORE_CHUNK", 10)
    alone, shared = ox.Store(str(tmp_path / "alone")), ox.Store(str(tmp_path / "shared"))
    assert cache._load_in_chunks(alone, lines, False, None, feeders=1)
    assert {thread for _content, thread in calls} == {threading.current_thread().name}
    assert cache._load_in_chunks(shared, lines, False, None, feeders=2)
    assert "kg-store-feeder" in {thread for _content, thread in calls}
    assert len(shared) == 400 and _sorted_dump(shared) == _sorted_dump(alone)


def test_a_chunk_that_fails_on_a_feeder_fails_the_load_and_stops_the_others(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(300)]
    data = bytearray(("\n".join(lines) + "\n").encode())
    bad = data.index(b"<https://example.org/s60>")
    data[bad] = ord("?")  # one bad line in an early chunk
    calls = _noted_loads(monkeypatch)
    monkeypatch.setattr(cache, "STORE_CHUNK_BYTES", 300)
    with pytest.raises(SyntaxError):
        cache._load_in_chunks(ox.Store(str(tmp_path / "store")), bytes(data), False, None, feeders=2)
    loaded = sorted((content for content, _thread in calls), key=bytes(data).index)
    failing = loaded.index(next(c for c in loaded if b"?https" in c))
    assert len(calls) <= failing + 3 < 40  # of ~45 chunks: none taken once the failure was seen
    assert _gone("kg-store-feeder")


def test_a_cancelled_load_stops_between_chunks_on_every_feeder(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(1000)]
    cancelled = threading.Event()
    calls = _noted_loads(monkeypatch, lambda calls: cancelled.set() if len(calls) >= 3 else None)
    monkeypatch.setattr(cache, "STORE_CHUNK", 10)
    assert not cache._load_in_chunks(ox.Store(str(tmp_path / "store")), lines, False, cancelled, feeders=2)
    assert len(calls) <= 5  # of 100 chunks: those the feeders had begun, no more
    assert _gone("kg-store-feeder")


def test_a_scratch_store_left_by_a_killed_writer_goes_at_the_next_use_of_its_entry(tmp_path, monkeypatch):
    """A query killed while it made a store (SIGKILL runs no clean-up) leaves its scratch folder;
    the next process holding the entry removes it, never one of a writer still alive."""
    import subprocess
    import sys

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    entry = entry_for([FIXTURE_CATALOG], "https://example.org")
    entry.folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    (entry.folder / f".oxigraph-{dead}-abc" / "sub").mkdir(parents=True)
    (entry.folder / f".oxigraph-{os.getpid()}-def").mkdir()
    lease = entry.hold()
    lease.release()
    assert sorted(p.name for p in entry.folder.iterdir() if p.name.startswith(".oxigraph-")) == \
        [f".oxigraph-{os.getpid()}-def"]


def test_a_query_child_stopped_while_it_made_a_store_leaves_no_scratch_store(tmp_path, monkeypatch):
    """kg query's child stopped with SIGKILL (here by --timeout; Ctrl-C and --max-memory alike)
    while it made a store: its parent removes the scratch folder at once, not the next query."""
    import time

    from kg.cli.bounded import run_bounded
    from kg.errors import KgError

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    entry = entry_for([FIXTURE_CATALOG], "https://example.org")
    entry.folder.mkdir(parents=True)
    made = tmp_path / "made"

    def making_a_store():
        (entry.folder / f".oxigraph-{os.getpid()}-abc" / "sub").mkdir(parents=True)
        made.touch()
        time.sleep(60)

    with pytest.raises(KgError, match="--timeout"):
        run_bounded(making_a_store, timeout=2, max_memory=None)
    assert made.exists()  # the child made its scratch folder, and then was stopped
    assert not [p for p in entry.folder.iterdir() if p.name.startswith(".oxigraph-")]


def test_kg_cache_prune_removes_the_scratch_stores_of_dead_writers(tmp_path, monkeypatch):
    import subprocess
    import sys

    from kg.pipeline.cache import prune

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    entry = entry_for([FIXTURE_CATALOG], "https://example.org")
    entry.store_lines(["<http://a> <http://b> <http://c> ."], {"errors": 0, "summary": "", "triples": 1, "quads": 0})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    (entry.folder / f".oxigraph-{dead}-abc").mkdir()
    (entry.folder / f".oxigraph-{dead}-abc" / "000001.sst").write_bytes(b"x" * 4096)
    (entry.folder / f".oxigraph-{os.getpid()}-def").mkdir()
    pruned = prune(limit=1 << 30)
    assert not pruned.removed and entry.complete()
    assert sorted(p.name for p in entry.folder.iterdir() if p.name.startswith(".oxigraph-")) == \
        [f".oxigraph-{os.getpid()}-def"]


def test_a_symlinked_out_folder_stays_a_link_to_the_new_set(tmp_path):
    """kg build swaps the folder a symlinked --out points at: the link stays, the files it held
    that are not exports stay beside the new set, and nothing lands in the link's own folder."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "README.txt").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(real)
    build(_project(), link, engine="oxigraph", cache=False)
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert sorted(p.name for p in real.iterdir()) == ["README.txt", "catalog.jsonld", "catalog.nt", "catalog.ttl",
                                                      "ontology.ttl", "provenance.nq", "provenance.trig"]
    assert (real / "README.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]  # no staging left


def test_ctrl_c_between_two_chunks_stops_the_other_feeder_too(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(1000)]
    main = threading.current_thread()
    calls = _noted_loads(monkeypatch, lambda calls: time.sleep(0.002))

    class InterruptedHere(threading.Event):
        """Ctrl-C in the main thread the third time it looks between two chunks."""

        looks = 0

        def is_set(self) -> bool:
            if threading.current_thread() is main:
                self.looks += 1
                if self.looks == 3:
                    raise KeyboardInterrupt
            return super().is_set()

    monkeypatch.setattr(cache, "STORE_CHUNK", 10)
    with pytest.raises(KeyboardInterrupt):
        cache._load_in_chunks(ox.Store(str(tmp_path / "store")), lines, False, InterruptedHere(), feeders=2)
    assert len(calls) <= 8  # of 100 chunks
    assert _gone("kg-store-feeder")


def test_an_export_set_written_twice_parses_only_what_its_own_staging_holds(tmp_path):
    from kg.pipeline.exports import Exports
    from kg.rdf.formats import FORMATS, serialize_lines

    base = "https://example.org/"
    lines = sorted(f"<https://example.org/model/m{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"m{i}\" ."
                   for i in range(5))
    quads = sorted(line[:-2] + " <https://example.org/source/s> ." for line in lines)
    exports = Exports(lines, base, tmp_path / "dist", dataset_lines=quads, background_from=10**9)
    for _ in range(2):  # the Turtle comes before the N-Triples here: made from the lines each time
        exports.start()
        exports.finish()
        exports.commit()
        assert (tmp_path / "dist" / "catalog.ttl").read_bytes() == serialize_lines(lines, FORMATS["turtle"], base)
        assert (tmp_path / "dist" / "provenance.trig").read_bytes() == serialize_lines(quads, FORMATS["trig"], base)


def test_ctrl_c_while_a_build_waits_for_the_cache_store_leaves_no_scratch_store(tmp_path, monkeypatch):
    """On Python 3.11 an interrupted join leaves the thread looking ended: the build then went on
    to exit while the store's thread still loaded, and its scratch store stayed in the cache."""
    from kg.pipeline import cache
    from kg.pipeline.project import compile_catalog
    from kg.pipeline.queryable import QueryCachePrimer

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = _project()
    compiled = compile_catalog(project, engine="oxigraph", shapes=False)
    loading = threading.Event()

    def slow_loads(store, content, as_quads, cancelled, feeders=2, copy_to=None):  # 4 s unless cancelled
        loading.set()
        for _ in range(200):
            if cancelled is not None and cancelled.is_set():
                return False
            time.sleep(0.02)
        return True

    monkeypatch.setattr(cache, "_load_in_chunks", slow_loads)
    primer = QueryCachePrimer.begin(compiled, project)
    primer.start_store()
    assert loading.wait(10)
    primer.give_quads([])

    undo = interrupting_in(0.2)  # while finish() waits for the store
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            primer.finish()
    finally:
        undo()
    primer.abandon()  # what kg build does next
    assert time.monotonic() - started < 3  # told to give up, not waited for to the end
    assert _gone("kg-cache-store")
    assert not list((tmp_path / "cache").rglob(".oxigraph-*"))


def test_ctrl_c_while_waiting_for_the_other_feeder_waits_until_it_has_ended(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import cache

    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(100)]
    main = threading.current_thread()
    slept_until = []

    def helper_slow(calls) -> None:  # the main thread loads the other 9 chunks at once, then waits
        if threading.current_thread() is not main:
            time.sleep(0.5)
            slept_until.append(time.monotonic())

    _noted_loads(monkeypatch, helper_slow)
    monkeypatch.setattr(cache, "STORE_CHUNK", 10)
    undo = interrupting_in(0.2)  # while the helper is in its chunk
    try:
        with pytest.raises(KeyboardInterrupt):
            cache._load_in_chunks(ox.Store(str(tmp_path / "store")), lines, False, None, feeders=2)
        raised_at = time.monotonic()
    finally:
        undo()
    assert slept_until and max(slept_until) <= raised_at  # the interrupt went on only once it had ended
    assert _gone("kg-store-feeder")


def test_ctrl_c_while_waiting_for_the_background_writer_stops_it_and_waits_for_it():
    from kg.pipeline.exports import BackgroundWriter

    ended = threading.Event()

    def write(stop: threading.Event) -> None:
        stop.wait(5)  # a long export, until told to stop
        ended.set()

    writer = BackgroundWriter(write).start()
    undo = interrupting_in(0.1)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            writer.wait()
    finally:
        undo()
    assert ended.is_set() and time.monotonic() - started < 3 and _gone("kg-background-export")


def test_ctrl_c_while_waiting_for_the_shapes_store_stops_its_loading_and_waits_for_it(monkeypatch):
    from kg.pipeline import store_feed

    loads = []
    monkeypatch.setattr(store_feed, "load_store", lambda batch, store, trusted: (loads.append(1), time.sleep(0.05)))
    feed = store_feed.StoreFeed(batch=1)
    for i in range(100):  # a batch each, 5 s in all
        feed.add([f"<https://example.org/s{i}> <https://example.org/p> \"v\" ."])
    undo = interrupting_in(0.1)
    try:
        with pytest.raises(KeyboardInterrupt):
            feed.store()
    finally:
        undo()
    assert _gone("kg-store-feed") and len(loads) < 20  # stopped after the batch it was loading


def test_a_scratch_store_is_closed_before_it_is_removed(tmp_path, monkeypatch):
    """RocksDB still writing into a folder being removed made the removal fail now and then,
    silently, and the scratch store stayed in the cache."""
    import shutil

    import pyoxigraph as ox

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    entry = entry_for([FIXTURE_CATALOG], "https://example.org")
    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(200)]
    cancelled = threading.Event()
    _noted_loads(monkeypatch, lambda calls: cancelled.set())  # cancelled after the first chunk
    still_open = []
    remove = shutil.rmtree

    def checking(path, *args, **options):
        if os.path.basename(path).startswith(".oxigraph-") and os.path.isdir(path):
            try:
                ox.Store(path)  # refused while another handle holds the database's lock
            except OSError:
                still_open.append(path)
        return remove(path, *args, **options)

    monkeypatch.setattr(shutil, "rmtree", checking)
    monkeypatch.setattr(cache_module, "STORE_CHUNK", 50)
    assert entry.write_store(lines, None, cancelled) is False
    assert still_open == [] and not list(entry.folder.glob(".oxigraph-*"))


def test_a_cache_store_that_cannot_be_written_is_named_in_the_build_result(tmp_path, monkeypatch):
    import errno

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))

    def full(*args, **options):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "_load_in_chunks", full)
    result = build(_project(), tmp_path / "dist", engine="oxigraph")
    assert (tmp_path / "dist" / "catalog.nt").is_file()
    assert result.cache_problem == "its on-disk store: No space left on device"


def _primed(tmp_path, monkeypatch):
    """A primer of the fixture catalog, its store chunks three lines each (many, on two feeders)."""
    from kg.pipeline.project import compile_catalog
    from kg.pipeline.queryable import QueryCachePrimer

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache_module, "STORE_CHUNK", 3)
    project = _project()
    compiled = compile_catalog(project, engine="oxigraph", shapes=False)
    primer = QueryCachePrimer.begin(compiled, project)
    primer.give_quads([])
    return primer


def test_the_store_thread_writes_the_query_graph_file_with_the_bytes_it_loads(tmp_path, monkeypatch):
    from kg.rdf.ntriples import to_bytes

    primer = _primed(tmp_path, monkeypatch)
    wrote = []
    monkeypatch.setattr(cache_module.CacheEntry, "store_lines",
                        lambda self, lines, meta, quads=(), quads_file=None, *, graph_written=False,
                        provenance_written=False: wrote.append((graph_written, provenance_written)))
    primer.start_store()
    primer.finish()
    entry = primer.entry
    # finish left the N-Triples file to the store's thread, and wrote the N-Quads file while it worked
    assert wrote == [(True, True)] and entry.provenance_file.is_file()
    assert entry.graph_file.read_bytes() == to_bytes(primer.lines)  # in order, from many chunks
    assert len(entry.open_store()) == len(primer.lines)
    assert not [p.name for p in entry.folder.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_store_that_cannot_be_made_leaves_the_query_graph_file_to_finish(tmp_path, monkeypatch):
    import errno

    from kg.rdf.ntriples import to_bytes

    primer = _primed(tmp_path, monkeypatch)
    taken = []

    def full(store, content, as_quads, cancelled, feeders=2, copy_to=None):
        copy_to.write(b"<half> <of a> <file> .\n")  # what a load that failed halfway had copied
        taken.append(copy_to)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "_load_in_chunks", full)
    primer.start_store()
    primer.finish()
    assert taken and primer.problem == "its on-disk store: No space left on device"
    assert primer.entry.graph_file.read_bytes() == to_bytes(primer.lines)  # written whole by finish
    assert primer.entry.complete() and primer.entry.store_for() is None
    assert not [p.name for p in primer.entry.folder.iterdir() if p.name.startswith(".")]


def test_an_abandoned_store_thread_leaves_no_query_graph_file(tmp_path, monkeypatch):
    primer = _primed(tmp_path, monkeypatch)
    started = threading.Event()
    real = cache_module._load_in_chunks

    def slow(store, content, as_quads, cancelled, feeders=2, copy_to=None):
        started.set()
        time.sleep(0.3)
        return real(store, content, as_quads, cancelled, feeders, copy_to)

    monkeypatch.setattr(cache_module, "_load_in_chunks", slow)
    primer.start_store()
    assert started.wait(10)
    primer.abandon()
    assert not primer.entry.graph_file.exists()
    assert not [p.name for p in primer.entry.folder.iterdir() if p.name.startswith(".")]


def test_a_query_graph_file_removed_before_finish_is_written_again(tmp_path, monkeypatch):
    """From the review: the store thread's lease ends with it; an entry cleared before finish()
    must not be marked complete without its N-Triples file."""
    from kg.rdf.ntriples import to_bytes

    primer = _primed(tmp_path, monkeypatch)
    primer.start_store()
    primer._join()
    primer.entry.graph_file.unlink()  # e.g. kg cache clear meanwhile
    primer.finish()
    assert primer.entry.graph_file.read_bytes() == to_bytes(primer.lines)
    assert primer.entry.complete()


def test_an_interrupted_finish_leaves_no_n_quads_file_written_ahead(tmp_path, monkeypatch):
    """finish copies the N-Quads file while the store's thread works; Ctrl-C during the wait that
    follows makes the build abandon the entry, and that file (172 MB at a million quads) goes too."""
    from kg.pipeline.queryable import QueryCachePrimer

    primer = _primed(tmp_path, monkeypatch)
    primer.give_quads(['<http://e.org/s> <http://e.org/p> "o" <http://e.org/g> .'])
    primer.start_store()
    real_join = QueryCachePrimer._join

    def interrupted(self, interrupts=True):
        if interrupts:
            raise KeyboardInterrupt
        real_join(self, interrupts)

    monkeypatch.setattr(QueryCachePrimer, "_join", interrupted)
    with pytest.raises(KeyboardInterrupt):
        primer.finish()
    assert primer.entry.provenance_file.exists()  # written ahead
    primer.abandon()
    assert not primer.entry.provenance_file.exists() and not primer.entry.meta_file.exists()
    assert not [p.name for p in primer.entry.folder.iterdir() if p.name.startswith(".")]

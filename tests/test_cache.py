"""The query cache: one digest index per project, a size cap with least-recently-used eviction,
entries in use never evicted, and the `kg cache` commands."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from kg.errors import KgUsageError
from kg.pipeline import cache
from kg.pipeline.cache import CacheEntry, cache_entries, entry_for, parse_size, project_dir, prune
from kg.pipeline.project import Project

from .conftest import FIXTURE_CATALOG, ROOT, project_args

COUNT = ["--format", "csv", "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KG_CACHE_MAX_BYTES", raising=False)
    return tmp_path / "cache"


def _copies(tmp_path, n):
    folders = []
    for i in range(n):
        shutil.copytree(FIXTURE_CATALOG, tmp_path / f"data{i}")
        folders.append(tmp_path / f"data{i}")
    return folders


def _entry(data) -> CacheEntry:
    project = Project.locate(data=data, start=ROOT)
    return entry_for([project.data, project.ontology, project.shapes], project.base)


def test_each_project_has_its_own_digest_index(run, own_cache, tmp_path):
    first, second = _copies(tmp_path, 2)
    for data in (first, second):
        assert run("query", *project_args(data), *COUNT).exit_code == 0
    assert not (own_cache / "file-digests.txt").exists()
    for data in (first, second):  # (files changed within 2 s are not recorded: the racy rule)
        assert (project_dir(data) / cache.INDEX_NAME).is_file()
        other = first if data == second else second
        assert str(other).encode() not in (project_dir(data) / cache.INDEX_NAME).read_bytes()
        assert (project_dir(data) / cache.PROJECT_NAME).read_text().strip() == str(data)
    assert [e.project for e in cache_entries(first)] == [str(first)]


def test_least_recently_used_entries_go_first(run, own_cache, tmp_path):
    folders = _copies(tmp_path, 3)
    for data in folders:
        assert run("query", *project_args(data), *COUNT).exit_code == 0
    entries = [_entry(data) for data in folders]
    for age, entry in zip((300, 100, 200), entries):  # the second is the least recently used
        past = entry.folder.stat().st_mtime - age
        os.utime(entry.folder, (past, past))
    sizes = {e.folder: e.size for e in cache_entries()}
    done = prune(sizes[entries[0].folder] + sizes[entries[2].folder])
    assert [info.folder for info in done.removed] == [entries[0].folder]  # oldest first, then fits
    assert not entries[0].folder.exists() and entries[1].folder.exists() and entries[2].folder.exists()
    assert run("query", *project_args(folders[1]), *COUNT).exit_code == 0  # a hit records its use...
    prune(sizes[entries[1].folder])
    assert entries[1].folder.exists() and not entries[2].folder.exists()  # ...so the other went


def test_the_cap_holds_as_entries_are_written(run, own_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_MAX_BYTES", "1")
    folders = _copies(tmp_path, 2)
    for data in folders:
        assert run("query", *project_args(data), *COUNT).exit_code == 0
    assert [e.project for e in cache_entries()] == [str(folders[1])]  # only the entry just written


def test_an_entry_in_use_is_never_evicted(own_cache, tmp_path):
    entry = CacheEntry(project_dir(tmp_path) / ("a" * 32))
    entry.store_lines(["<http://example.org/s> <http://example.org/p> <http://example.org/o> ."],
                      {"triples": 1, "errors": 0, "summary": ""})
    other = entry.folder.with_name("b" * 32)
    shutil.copytree(entry.folder, other)  # the same, not in use
    lease = entry.hold()  # as a query reading it does, until it is done
    done = prune(0)
    assert [info.folder for info in done.removed] == [other] and entry.complete()
    assert [info.folder for info in done.in_use] == [entry.folder]
    assert cache.clear().in_use[0].folder == entry.folder and entry.complete()
    lease.release()
    assert cache.clear().removed[0].folder == entry.folder and not entry.folder.exists()


def test_a_reader_whose_entry_was_evicted_rebuilds(run, own_cache, fixture_catalog, monkeypatch):
    args = ["query", *project_args(fixture_catalog), *COUNT]
    expected = run(*args).stdout
    entry = _entry(fixture_catalog)
    shutil.rmtree(entry.folder)  # gone between the reader's check and its reading
    monkeypatch.setattr(CacheEntry, "complete", lambda self: True)
    for engine in ("rdflib", "oxigraph"):
        assert run(*args, "--engine", engine).stdout == expected


def test_kg_cache_info_clear_and_prune(run, own_cache, tmp_path):
    first, second = _copies(tmp_path, 2)
    for data in (first, second):
        assert run("query", *project_args(data), *COUNT, "--engine", "oxigraph").exit_code == 0
    text = run("cache", "info").stdout
    assert str(own_cache) in text and str(first) in text and "2 entries" in text
    doc = json.loads(run("cache", "info", "--format", "json").stdout)
    assert doc["folder"] == str(own_cache) and doc["max_bytes"] == 1 << 30
    assert sorted(e["project"] for e in doc["entries"]) == sorted([str(first), str(second)])
    assert doc["total_bytes"] == sum(e["bytes"] for e in doc["entries"]) > 0

    result = run("cache", "clear", "--project", "--data", str(first))
    assert result.exit_code == 0 and "removed 1 entry" in result.stderr
    assert [e.project for e in cache_entries()] == [str(second)]
    from kg.cli.cache import _size

    left = _size(cache_entries()[0].size)  # the other project's entry is still there
    assert f"; {left} left in the cache" in result.stderr and left != "0 B"
    assert run("cache", "clear", "--data", str(first)).exit_code == 2

    assert run("cache", "prune", "--max-bytes", "1G").stderr.startswith("evicted 0 entries")
    assert run("cache", "prune", "--max-bytes", "0").stderr.startswith("evicted 1 entry")
    assert cache_entries() == []
    assert run("cache", "prune", "--max-bytes", "lots").exit_code == 2


def test_cache_clear_removes_an_older_kgs_layout(run, own_cache):
    legacy = own_cache / ("c" * 32)
    legacy.mkdir(parents=True)
    (legacy / "meta.json").write_text('{"triples": 3}')
    (own_cache / "file-digests.txt").write_text("")
    assert [e.project for e in cache_entries()] == [None]
    assert "an older kg" in run("cache", "info").stdout
    assert run("cache", "clear").exit_code == 0
    assert not legacy.exists() and not (own_cache / "file-digests.txt").exists()


def test_a_cache_place_that_is_a_file_is_said(own_cache, run, monkeypatch):
    own_cache.parent.mkdir(parents=True, exist_ok=True)
    own_cache.write_text("not a folder")
    for command in (["info"], ["clear"], ["prune"]):
        result = run("cache", *command)
        assert result.exit_code == 1 and "is a file, not a folder: point KG_CACHE_DIR at a folder" in result.output
    assert run("cache", "info", "--help").exit_code == 0  # help is not refused
    monkeypatch.setenv("KG_CACHE_DIR", str(own_cache / "sub"))
    result = run("cache", "info")
    assert result.exit_code == 1 and f"is inside a file ({own_cache}), not a folder" in result.output


def test_sizes():
    assert parse_size("1G") == parse_size("1GiB") == 1 << 30
    assert parse_size("1.5K") == 1536 and parse_size(" 10 ") == 10
    for wrong in ("-1", "nan", "inf", "1e400", "-inf", "abc"):
        with pytest.raises(KgUsageError, match=r"not a size: .* \(write bytes"):
            parse_size(wrong)


def test_a_cap_that_is_not_a_size_is_named(own_cache, run, monkeypatch):
    monkeypatch.setenv("KG_CACHE_MAX_BYTES", "abc")
    result = run("cache", "info")
    assert result.exit_code == 1 and "KG_CACHE_MAX_BYTES='abc' is not a size: write bytes" in result.output, \
        result.output
    cache.enforce_cap()  # a build or a query goes on without a cap rather than fail
    built = run("build", *project_args(), "--out", str(own_cache.parent / "dist"))
    assert built.exit_code == 0 and "note: KG_CACHE_MAX_BYTES='abc' is not a size" in built.stderr


def test_an_entry_another_process_reads_is_never_evicted(own_cache, tmp_path):
    import subprocess
    import sys

    entry = CacheEntry(project_dir(tmp_path) / ("d" * 32))
    entry.store_lines(["<http://example.org/s> <http://example.org/p> <http://example.org/o> ."],
                      {"triples": 1, "errors": 0, "summary": ""})
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom kg.pipeline.cache import CacheEntry\n"
         f"lease = CacheEntry(Path({str(entry.folder)!r})).hold()\nprint(lease is not None, flush=True)\n"
         "sys.stdin.read()\n"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "True"  # it holds the entry now
        done = prune(0)
        assert done.removed == [] and [info.folder for info in done.in_use] == [entry.folder]
        assert entry.complete()
    finally:
        reader.communicate("")  # the reader ends, and its lock with it
    assert [info.folder for info in prune(0).removed] == [entry.folder] and not entry.folder.exists()


def test_a_cache_that_cannot_be_changed_is_said_so_not_reported_in_use(run, own_cache, tmp_path, monkeypatch):
    import errno

    (data,) = _copies(tmp_path, 1)
    assert run("query", *project_args(data), *COUNT, "--engine", "oxigraph").exit_code == 0
    real_rename = os.rename

    def read_only(source, target):
        if str(source).startswith(str(own_cache)):
            raise OSError(errno.EROFS, "Read-only file system", str(source))
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", read_only)
    result = run("cache", "clear")
    assert result.exit_code == 1 and "the cache is not writable here" in result.stderr, result.stderr
    assert "in use" not in result.stderr
    assert len(cache_entries()) == 1


@pytest.mark.parametrize("spelling", [".", "./", "data", "data/", "ABSOLUTE"])
def test_a_builds_fingerprint_uses_the_digests_read_whatever_the_data_folders_spelling(
        own_cache, tmp_path, monkeypatch, spelling):
    """kg build fingerprints the catalog from the digests its reading took (QueryCachePrimer.cache_entry):
    the entries' paths must be spelled as the fingerprint walks them, or every file is read again.
    With --data . they were not, before the paths became os.walk's own (session 10)."""
    from pathlib import Path

    from kg.catalog.diagnostics import Report
    from kg.catalog.loader import load_catalog
    from kg.pipeline.queryable import QueryCachePrimer

    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    monkeypatch.chdir(data if spelling in (".", "./") else tmp_path)
    project = Project.locate(data=str(data) if spelling == "ABSOLUTE" else spelling, start=ROOT)
    catalog = load_catalog(project.data, Report(), processes=1)
    assert catalog.entries
    read_again = []
    digest = cache.DigestIndex.digest

    def spy(self, path, known=None, known_since_ns=0):
        if known is None and Path(path).resolve().is_relative_to(data.resolve()):
            read_again.append(path)
        return digest(self, path, known, known_since_ns)

    monkeypatch.setattr(cache.DigestIndex, "digest", spy)
    built = QueryCachePrimer.cache_entry(catalog, project)
    assert read_again == []
    monkeypatch.setattr(cache.DigestIndex, "digest", digest)
    assert built == entry_for([project.data, project.ontology, project.shapes], project.base)


def test_a_build_that_cannot_fill_the_cache_says_so_and_still_succeeds(run, tmp_path, monkeypatch):
    """A cache that cannot be written (here its folder is under a file) costs the next query its
    speed, not the build: the exports are whole, and a note says why the cache stays empty."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))
    out = tmp_path / "dist"
    result = run("build", *project_args(FIXTURE_CATALOG), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "catalog.nt").is_file() and (out / "provenance.trig").is_file()
    assert "note: the query cache could not be filled: Not a directory" in result.stderr
    assert "kg cache info" in result.stderr

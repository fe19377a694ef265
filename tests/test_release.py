"""Releases: two releases of two states of the fixture catalog, the exact diff between them (golden
Markdown, JSON and RDF Patch), the patch applied, the VoID/DCAT description and checksums, refusals,
atomicity, and the stable-IRI check against a release and a git revision.

Regenerate the golden files: KG_UPDATE_GOLDEN=1 pytest tests/test_release.py
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from kg.pipeline.release import version_key
from kg.rdf.diff import apply_patch

from .conftest import FIXTURE_CATALOG, ROOT, project_args

GOLDEN = ROOT / "tests" / "fixtures" / "diff"
BASE = "https://w3id.org/llm-kg"
SPDX = "http://spdx.org/rdf/terms#"
DCAT, DCTERMS, PROV = Namespace("http://www.w3.org/ns/dcat#"), Namespace("http://purl.org/dc/terms/"), \
    Namespace("http://www.w3.org/ns/prov#")
RDF_TYPE, XSD_DATE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), \
    URIRef("http://www.w3.org/2001/XMLSchema#date")
KG = str(Path(sys.executable).parent / "kg")


def second_state(data: Path) -> None:
    """The fixture catalog, one release later: an entry renamed (its old id kept as a stub), an entry
    added, a lineage edge retyped, a value changed, a list item added and an alias dropped."""
    models = data / "models"
    old = (models / "mixtral-8x7b.yaml").read_text()
    renamed = old.replace("name: Mixtral 8x7B\n", "name: Mixtral 8x7B v0.1\naliases: [Mixtral 8x7B]\n") \
        .replace("for: [name,", "for: [name, aliases=Mixtral 8x7B,")
    (models / "mixtral-8x7b-v0.1.yaml").write_text(renamed)
    (models / "mixtral-8x7b.yaml").write_text(
        "name: Mixtral 8x7B\nreplaced_by: mixtral-8x7b-v0.1\nsources:\n"
        "- source: https://mistral.ai/news/mixtral-of-experts/\n  for: [name]\n")
    (models / "llama-2-chat.yaml").write_text(
        "name: Llama 2-Chat\ndeveloper: meta\nfamily: llama-family\nreleased: 2023-07-18\nbased_on:\n"
        "  - model: llama-2\n    relation: fine-tuned\nsources:\n- source: https://arxiv.org/abs/2307.09288\n"
        "  for: [name, developer, family, released, based_on=llama-2]\n")
    alpaca = models / "alpaca.yaml"
    alpaca.write_text(alpaca.read_text().replace("relation: instruction-tuned", "relation: fine-tuned"))
    llama2 = models / "llama-2.yaml"
    llama2.write_text(llama2.read_text().replace("[rope, grouped-query-attention]",
                                                 "[rope, grouped-query-attention, rmsnorm]")
                      .replace("context_length: 4096", "context_length: 4000"))
    stanford = data / "organizations" / "stanford.yaml"
    stanford.write_text(stanford.read_text().replace("aliases: [Stanford CRFM]\n", "")
                        .replace("aliases=Stanford CRFM, ", ""))


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """dist/0.1.0 of the fixture catalog and dist/0.2.0 of its second state, made by `kg release`."""
    from click.testing import CliRunner

    from kg.cli import cli

    root = tmp_path_factory.mktemp("project")
    data = root / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    runner = CliRunner()
    first = runner.invoke(cli, ["release", "0.1.0", *project_args(data), "--out", str(root / "dist"),
                                "--date", "2026-01-15"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    second_state(data)
    second = runner.invoke(cli, ["release", "0.2.0", *project_args(data), "--out", str(root / "dist"),
                                 "--date", "2026-02-01"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "2 added, 1 replaced, 0 removed, 3 changed since 0.1.0" in second.stderr
    return root


def check_golden(name: str, data: bytes) -> None:
    golden = GOLDEN / name
    if os.environ.get("KG_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{name} differs from its golden file"


def test_release_folder_holds_every_file(releases):
    names = sorted(p.name for p in (releases / "dist" / "0.2.0").iterdir())
    assert names == ["CHANGELOG.md", "SHA256SUMS", "catalog.jsonld", "catalog.nt", "catalog.ttl",
                     "changes.json", "changes.rdfpatch", "mappings.sssom.tsv", "ontology.ttl", "provenance.nq",
                     "provenance.trig", "sparql-examples.ttl", "void.ttl"]
    assert not [p for p in (releases / "dist").iterdir() if p.name.startswith(".")], "staging folder left"


def test_the_diff_between_the_releases_is_exact(releases):
    release = releases / "dist" / "0.2.0"
    check_golden("CHANGELOG.md", (release / "CHANGELOG.md").read_bytes())
    check_golden("changes.json", (release / "changes.json").read_bytes())
    check_golden("changes.rdfpatch", (release / "changes.rdfpatch").read_bytes())
    check_golden("0.1.0.nt", (releases / "dist" / "0.1.0" / "catalog.nt").read_bytes())
    check_golden("0.2.0.nt", (release / "catalog.nt").read_bytes())


def test_kg_diff_of_the_releases_gives_the_same_changes(run, releases):
    dist = str(releases / "dist")
    for fmt, golden in (("json", "changes.json"), ("rdfpatch", "changes.rdfpatch")):
        result = run("diff", "0.1.0", "0.2.0", "--releases", dist, "--format", fmt, *project_args())
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == (GOLDEN / golden).read_bytes()
    markdown = run("diff", "0.1.0", "0.2.0", "--releases", dist, *project_args()).stdout
    assert markdown.splitlines()[0] == "# Changes from 0.1.0 to 0.2.0"
    assert markdown.splitlines()[1:] == (GOLDEN / "CHANGELOG.md").read_text().splitlines()[1:]


def test_the_patch_turns_the_old_ntriples_into_the_new_byte_for_byte(releases):
    old = (releases / "dist" / "0.1.0" / "catalog.nt").read_text().splitlines()
    new = (releases / "dist" / "0.2.0" / "catalog.nt").read_bytes()
    patched = apply_patch(old, (GOLDEN / "changes.rdfpatch").read_text())
    assert ("\n".join(sorted(patched)) + "\n").encode() == new


def test_the_patch_applies_in_a_store(releases):
    """The A/D rows, as a SPARQL update, turn a store holding the old release into the new one."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(releases / "dist" / "0.1.0" / "catalog.nt"), format=ox.RdfFormat.N_TRIPLES)
    rows = (GOLDEN / "changes.rdfpatch").read_text().splitlines()
    deletes = "\n".join(r[2:] for r in rows if r.startswith("D "))
    inserts = "\n".join(r[2:] for r in rows if r.startswith("A "))
    store.update(f"DELETE DATA {{ {deletes} }} ; INSERT DATA {{ {inserts} }}")
    expected = ox.Store()
    expected.load(path=str(releases / "dist" / "0.2.0" / "catalog.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert set(store) == set(expected)


def test_diff_of_export_files_and_formats(run, releases):
    old, new = releases / "dist" / "0.1.0", releases / "dist" / "0.2.0"
    turtle_to_jsonld = run("diff", str(old / "catalog.ttl"), str(new / "catalog.jsonld"), "--format", "rdfpatch",
                           *project_args())
    assert turtle_to_jsonld.exit_code == 0, turtle_to_jsonld.output
    rows = [r for r in (GOLDEN / "changes.rdfpatch").read_text().splitlines() if not r.startswith("H ")]
    assert turtle_to_jsonld.stdout.splitlines() == rows
    datasets = run("diff", str(old), str(new), "--dataset", "--format", "json", *project_args())
    assert datasets.exit_code == 0, datasets.output
    changes = json.loads(datasets.stdout)
    assert changes["entities"] == {"added": 2, "replaced": 1, "removed": 0, "changed": 3}
    mixed = run("diff", str(old / "catalog.nt"), str(new / "provenance.nq"), *project_args())
    assert mixed.exit_code == 2


def test_void_description(releases):
    release = releases / "dist" / "0.2.0"
    graph = Graph().parse(release / "void.ttl")
    this = URIRef(f"{BASE}/release/0.2.0")
    assert (this, RDF_TYPE, DCAT.Dataset) in graph
    assert graph.value(this, DCAT.version) == Literal("0.2.0")
    assert graph.value(this, DCTERMS.issued) == Literal("2026-02-01", datatype=XSD_DATE)
    assert graph.value(this, PROV.wasRevisionOf) == URIRef(f"{BASE}/release/0.1.0")
    described = set()
    for distribution in graph.objects(this, DCAT.distribution):
        name = str(graph.value(distribution, DCTERMS.title))
        path = release / name
        described.add(name)
        assert int(graph.value(distribution, DCAT.byteSize)) == path.stat().st_size
        checksum = graph.value(distribution, URIRef(SPDX + "checksum"))
        assert graph.value(checksum, URIRef(SPDX + "algorithm")) == URIRef(SPDX + "checksumAlgorithm_sha256")
        assert str(graph.value(checksum, URIRef(SPDX + "checksumValue"))) == \
            hashlib.sha256(path.read_bytes()).hexdigest()
    assert described == {p.name for p in release.iterdir()} - {"void.ttl", "SHA256SUMS"}
    media = {str(graph.value(d, DCTERMS.title)): str(graph.value(d, DCAT.mediaType))
             for d in graph.objects(this, DCAT.distribution)}
    assert media["catalog.ttl"].endswith("/text/turtle")
    assert media["provenance.nq"].endswith("/application/n-quads")
    assert media["changes.json"].endswith("/application/json")
    assert media["mappings.sssom.tsv"].endswith("/text/tab-separated-values")
    first = Graph().parse(releases / "dist" / "0.1.0" / "void.ttl")
    assert first.value(URIRef(f"{BASE}/release/0.1.0"), PROV.wasRevisionOf) is None


def test_checksums_verify_with_sha256sum(releases):
    release = releases / "dist" / "0.2.0"
    listed = (release / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ")[1] for line in listed] == sorted(p.name for p in release.iterdir()
                                                              if p.name != "SHA256SUMS")
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=release, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_project_changelog_has_both_releases_newest_first(releases):
    text = (releases / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 0.2.0 (2026-02-01): changes since 0.1.0", "## 0.1.0 (2026-01-15): the first release"]
    assert "### Models" in text and "#### Replaced (1)" in text


def test_an_existing_release_is_never_overwritten(run, releases):
    before = (releases / "dist" / "0.2.0" / "SHA256SUMS").read_bytes()
    result = run("release", "0.2.0", *project_args(releases / "data"), "--out", str(releases / "dist"),
                 "--no-changelog")
    assert result.exit_code == 1
    assert "exists" in result.output and "never overwritten" in result.output
    assert (releases / "dist" / "0.2.0" / "SHA256SUMS").read_bytes() == before


def test_versions_in_order_and_a_late_version_refused(run, releases):
    assert sorted(["0.10.0", "0.9.0", "1.0.0", "1.0.0-rc.1", "0.9.1"], key=version_key) == \
        ["0.9.0", "0.9.1", "0.10.0", "1.0.0-rc.1", "1.0.0"]
    late = run("release", "0.1.5", *project_args(releases / "data"), "--out", str(releases / "dist"),
               "--no-changelog")
    assert late.exit_code == 1 and "would come before 0.2.0" in late.output
    bad = run("release", "v1", *project_args(releases / "data"), "--out", str(releases / "dist"))
    assert bad.exit_code == 2


def test_an_interrupted_release_leaves_nothing(tmp_path, monkeypatch):
    import kg
    from kg.pipeline import release as module

    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    project = kg.open_project(ROOT, data=data)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_write_checksums", interrupted)
    with pytest.raises(KeyboardInterrupt):
        module.release(project, "0.1.0", out=tmp_path / "dist", changelog=tmp_path / "CHANGELOG.md")
    assert list((tmp_path / "dist").iterdir()) == []
    assert not (tmp_path / "CHANGELOG.md").exists()


def test_a_killed_release_is_whole_or_absent(tmp_path):
    """SIGKILL at several moments: the release folder is either missing or complete and verified."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    outcomes = set()
    for number, delay in enumerate((0.3, 0.8, 1.5, 30)):
        version = f"0.{number + 1}.0"
        process = subprocess.Popen([KG, "release", version, *project_args(data), "--out", str(tmp_path / "dist"),
                                    "--no-changelog", "--date", "2026-01-01"], cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        folder = tmp_path / "dist" / version
        if folder.exists():
            outcomes.add("whole")
            done = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder)
            assert done.returncode == 0
        else:
            outcomes.add("absent")
    assert "whole" in outcomes  # the last one had time to finish


# --- stable IRIs ------------------------------------------------------------------------------

def test_validate_since_a_release_catches_a_vanished_iri(run, releases, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(releases / "data", data)
    (data / "models" / "llama-2-chat.yaml").unlink()
    result = run("validate", *project_args(data), "--since", str(releases / "dist" / "0.2.0"))
    assert result.exit_code == 1
    assert "KG130" in result.stdout and "llama-2-chat" in result.stdout
    assert f"{BASE}/model/llama-2-chat" in result.stdout
    # the release before did not have it: nothing vanished since then
    assert run("validate", *project_args(data), "--since", str(releases / "dist" / "0.1.0")).exit_code == 0


def test_a_replaced_iri_passes_and_a_vanished_one_stops_the_release(run, releases, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(releases / "data", data)
    # mixtral-8x7b is a stub replaced by mixtral-8x7b-v0.1 since 0.2.0: fine against 0.1.0
    assert "KG130" not in run("validate", *project_args(data), "--since", str(releases / "dist" / "0.1.0")).stdout
    (data / "models" / "mixtral-8x7b.yaml").unlink()
    result = run("release", "0.3.0", *project_args(data), "--out", str(releases / "dist"), "--no-changelog")
    assert result.exit_code == 1
    assert "KG130" in result.stdout and "vanished" in result.output
    assert not (releases / "dist" / "0.3.0").exists()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=kg", "-c", "user.email=kg@example.org", "-c",
                           "commit.gpgsign=false", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repository(tmp_path):
    """A git repository holding the fixture catalog (one commit), then its second state (another)."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "data")
    git(tmp_path, "commit", "-q", "-m", "first")
    second_state(data)
    git(tmp_path, "add", "data")
    git(tmp_path, "commit", "-q", "-m", "second")
    return tmp_path


def test_validate_since_a_git_revision(run, repository):
    data = repository / "data"
    assert run("validate", *project_args(data), "--since", "HEAD~1").exit_code == 0  # replaced, not vanished
    (data / "models" / "mixtral-8x7b.yaml").unlink()
    result = run("validate", *project_args(data), "--since", "HEAD~1")
    assert result.exit_code == 1
    assert "models/mixtral-8x7b.yaml:1:1: KG130" in result.stdout


def test_diff_of_git_revisions_equals_the_diff_of_the_releases(run, repository):
    result = run("diff", "HEAD~1", "HEAD", "--format", "json", *project_args(repository / "data"))
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)
    golden = json.loads((GOLDEN / "changes.json").read_text())
    assert (changes["old"], changes["new"]) == ("HEAD~1", "HEAD")
    for key in ("triples", "entities", "changes", "counts"):
        assert changes[key] == golden[key], key

"""The source checks run in a forked child beside the graph and the shapes (kg.pipeline.source_checks):
the report is the one they give in this process, shapes' results left out where a source check
already put an error, on both engines."""
from __future__ import annotations

import shutil

import pytest

from kg.catalog.diagnostics import Report
from kg.catalog.loader import load_catalog
from kg.pipeline import source_checks as module
from kg.pipeline.location import Project
from kg.pipeline.project import compile_catalog
from kg.util.parallel import can_fork

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not can_fork(), reason="the child is forked on Linux only")


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A copy of data/ with a fact no source names (KG120), a 'for' naming nothing (KG122), a
    citation that does not show its fact (KG123) and a release before its base model's (KG306)."""
    project = Project.locate(start=ROOT)
    if project.source_text() is None:
        pytest.skip("the source documents (../shared) are not beside this checkout")
    root = tmp_path_factory.mktemp("damaged")
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "data", root / "data")
    alpaca = root / "data" / "models" / "alpaca.yaml"
    text = alpaca.read_text()
    text = text.replace("parameters:\n- 7B\n", "parameters:\n- 7B\ncontext_length: 2048\n")  # no source names it
    text = text.replace("  for: [released]", "  for: [released, nothing]")
    text = text.replace("released: 2023-03", "released: 2019-01")  # line 775 does not show it
    alpaca.write_text(text)
    return Project.locate(start=root, shared=project.shared)


def _report(project, engine, fork_up_to, forking=True):
    patch = pytest.MonkeyPatch()
    patch.setattr(module, "FORK_UP_TO", fork_up_to)  # -1: the cross-entry checks go to the child too
    if not forking:
        patch.setattr("kg.util.parallel.can_fork", lambda: False)
    try:
        compiled = compile_catalog(project, engine=engine)
    finally:
        patch.undo()
    return [(d.file, d.line, d.column, d.code, d.severity, d.message) for d in compiled.report.items]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_forked_check_reports_what_one_here_reports(damaged, engine):
    here = _report(damaged, engine, fork_up_to=10**9, forking=False)
    forked = _report(damaged, engine, fork_up_to=10**9)
    with_the_catalog_checks = _report(damaged, engine, fork_up_to=-1)
    assert forked == here and with_the_catalog_checks == here
    codes = {code for _f, _l, _c, code, _s, _m in here}
    assert {"KG120", "KG122", "KG123"} <= codes, codes  # the source checks spoke
    assert "KG306" in codes  # and so did the later checks


def test_a_large_catalog_s_check_errors_stop_the_exports_before_they_begin(tmp_path, monkeypatch):
    """On a large catalog the cross-entry checks run in the child: their errors are known before
    kg build begins its exports, which it then never begins."""
    from kg.pipeline.build import InvalidCatalog, build

    from .conftest import FIXTURE_CATALOG, write_entry

    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    write_entry(data, "models", "dangling.yaml", "name: Dangling\ndeveloper: no-such-org\n")
    project = Project.locate(data=data, start=ROOT)
    monkeypatch.setattr(module, "FORK_UP_TO", -1)
    began = []
    monkeypatch.setattr("kg.pipeline.exports.Exports.start", lambda self: began.append(self) or self)
    with pytest.raises(InvalidCatalog) as failure:
        build(project, tmp_path / "dist", engine="oxigraph", cache=False)
    assert any(d.code == "KG201" for d in failure.value.report.errors) and began == []


def test_a_child_that_dies_is_redone_here(damaged, monkeypatch):
    catalog = load_catalog(damaged.data, Report())
    calls = []
    real = module.check_sources

    def dies_in_the_child(catalog, report, sources):
        calls.append(1)
        import os
        if len(calls) == 1 and os.environ.get("KG_TEST_PARENT") != str(os.getpid()):
            os._exit(9)
        return real(catalog, report, sources)

    monkeypatch.setenv("KG_TEST_PARENT", str(__import__("os").getpid()))
    monkeypatch.setattr(module, "check_sources", dies_in_the_child)
    report = Report()
    with module.source_checks(catalog, damaged.source_text()) as add:
        add(report)
    expected = Report()
    real(catalog, expected, damaged.source_text())
    assert report.items == expected.items and report.items


@pytest.mark.parametrize("large", [False, True])
def test_alongside_runs_only_on_a_catalog_without_errors_and_its_failure_is_raised_once(tmp_path, monkeypatch,
                                                                                       large):
    """compile_catalog(alongside=...): not run once an error is found (what it raised would hide the
    diagnostics); when it fails on a sound catalog, its error is raised, the checks not redone."""
    from .conftest import FIXTURE_CATALOG, requires_shared, write_entry

    if not large:  # on a small catalog the source checks go to a child only with seed lines to read
        requires_shared()
    if large:
        monkeypatch.setattr(module, "FORK_UP_TO", -1)  # the checks and alongside go to the child
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    project = Project.locate(data=data, start=ROOT)
    runs = []
    compiled = compile_catalog(project, engine="oxigraph", alongside=lambda catalog: len(catalog.entries))
    assert compiled.alongside_value == len(compiled.catalog.entries) and not compiled.report.errors

    def fails(catalog):
        raise OSError(2, "No such file or directory", "ghost.yaml")

    checks = module.check_sources

    def counted(*args):
        runs.append(1)
        return checks(*args)

    monkeypatch.setattr(module, "check_sources", counted)
    with pytest.raises(OSError, match="ghost.yaml"):
        compile_catalog(project, engine="oxigraph", alongside=fails)
    assert runs == []  # the source checks ran once, in their child: not redone here because alongside failed
    write_entry(data, "models", "dangling.yaml", "name: Dangling\ndeveloper: no-such-org\n")
    broken = compile_catalog(project, engine="oxigraph", alongside=fails)
    assert any(d.code == "KG201" for d in broken.report.errors) and broken.alongside_value is None

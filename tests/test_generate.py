"""The synthetic catalog generator: deterministic, and clean under every check."""
from __future__ import annotations

import importlib.util

from kg.project import Project, compile_catalog

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


def test_same_seed_same_bytes_and_a_clean_catalog(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate.generate(3000, 7, first)
    generate.generate(3000, 7, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*.yaml"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.yaml"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    compiled = compile_catalog(Project.locate(data=first, start=ROOT))
    assert compiled.report.items == []
    assert 2500 < len(compiled.graph) < 3500


def test_build_with_reasoning_writes_inferred_apart(run, tmp_path):
    from .conftest import project_args

    out = tmp_path / "dist"
    result = run("build", *project_args(), "--out", str(out), "--reason", "rdfs")
    assert result.exit_code == 0, result.output
    assert "reasoning (rdfs):" in result.stderr
    assert (out / "inferred-rdfs.nt").stat().st_size > 0
    catalog = (out / "catalog.nt").read_text()
    inferred = (out / "inferred-rdfs.nt").read_text()
    assert not set(catalog.splitlines()) & set(inferred.splitlines())

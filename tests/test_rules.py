"""Every diagnostic code has a failing and a passing fixture, and a line in docs/diagnostics.md.

A fixture is ``tests/fixtures/rules/<code>-bad.yaml`` (or ``-good``) whose header says where
it goes and where the problem must be reported::

    # rule: KG201
    # folder: models
    # expect: 5          (the line; '-' for a passing fixture)

or a folder ``<code>-bad/`` laid out like ``data/`` with an ``expect`` file
(``# expect: models/x.yaml 2``). Each is added to a copy of the fixture catalog and the whole
pipeline (loader, cross checks, SHACL shapes) runs on it.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg.pipeline.project import Project, compile_catalog

from .conftest import FIXTURE_CATALOG, ROOT, requires_shared

RULES = ROOT / "tests" / "fixtures" / "rules"
CASES = sorted(p for p in RULES.iterdir() if p.name[:2] == "kg")


def header(text: str) -> dict:
    return dict(re.findall(r"^# (\w+): (.*)$", text, re.M))


def run_case(case: Path, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    if case.is_dir():
        meta = header((case / "expect").read_text())
        for path in case.rglob("*.yaml"):
            target = data / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        where = meta["expect"].split()
        expected = None if where == ["-"] else (str(data / where[0]), int(where[1]))
    else:
        meta = header(case.read_bytes().decode("utf-8", "replace"))
        target = data / meta["folder"] / case.name
        shutil.copy(case, target)
        expected = None if meta["expect"].strip() == "-" else (str(target), int(meta["expect"]))
    project = Project.locate(data=data, start=ROOT)
    report = compile_catalog(project).report
    return meta["rule"], expected, report


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_rule_fixture(case, tmp_path):
    if case.name.startswith(("kg121-bad", "kg123-bad")):  # checked against the seed lines
        requires_shared()
    code, expected, report = run_case(case, tmp_path)
    found = [(str(Path(d.file).resolve()), d.line) for d in report.items if d.code == code]
    if "-bad" in case.name:
        assert expected in [(str(Path(f).resolve()), l) for f, l in found] or \
            (Path(expected[0]).resolve().as_posix(), expected[1]) in found, \
            f"{code} not reported at {expected}: {report.render()}"
    else:
        assert not found, f"{code} reported for a passing fixture: {report.render()}"
        assert not report.errors, report.render()


def codes_in_source() -> set[str]:
    found = set()
    for path in list((ROOT / "kg").rglob("*.py")) + list((ROOT / "shapes").glob("*.ttl")):
        found |= set(re.findall(r"\bKG\d{3}\b", path.read_text(encoding="utf-8")))
    return found - {"KG500"}  # KG500: a shape without a code, itself a bug the next test catches


def test_every_code_has_both_fixtures():
    shape_cases = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("kg5*.ttl"))
    names = {p.name.split("-")[0].upper() + "-" + p.name.split("-")[1].split(".")[0]
             for p in CASES + shape_cases}
    missing = sorted(f"{code}-{side}" for code in codes_in_source() for side in ("bad", "good")
                     if f"{code}-{side}" not in names and code not in UNREACHABLE_ON_DISK)
    assert not missing, f"rule fixtures missing: {missing}"


#: Codes a fixture file cannot trigger through a catalog folder, tested in another module instead.
UNREACHABLE_ON_DISK = {
    "KG005": "a 256 KiB file (test_loader.test_oversized_file_refused)",
    "KG009": "a FIFO named like an entry (test_faults.test_a_fifo_in_data_is_reported_not_waited_on)",
    "KG104": "a file name that is not an id (test_loader.test_bad_file_names)",
    "KG108": "a file outside the kind folders (test_loader.test_bad_file_names)",
    "KG130": "an IRI gone since an earlier state, which one folder cannot hold (test_release: "
             "test_validate_since_a_release_catches_a_vanished_iri, test_validate_since_a_git_revision)",
}


def test_every_code_is_documented():
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (KG\d{3}) \|", text, re.M))
    assert codes_in_source() <= documented, sorted(codes_in_source() - documented)


SHAPE_CASES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("kg5*.ttl"))


@pytest.fixture(scope="module")
def shapes_graph():
    from kg.validation.shacl import load_turtle_dir

    return load_turtle_dir(ROOT / "shapes")


@pytest.mark.parametrize("case", SHAPE_CASES, ids=lambda p: p.name)
def test_shape_fixture(case, shapes_graph):
    """Each shape fires on its failing Turtle fixture and stays silent on the passing one."""
    from rdflib import Graph

    from kg.validation.shacl import check_graph

    code = case.name.split("-")[0].upper()
    results = check_graph(Graph().parse(case, format="turtle"), shapes_graph)
    codes = [r.code for r in results]
    if case.name.endswith("-bad.ttl"):
        assert code in codes, f"{code} did not fire: {results}"
        assert all(r.focus.endswith("/x") for r in results if r.code == code)
    else:
        assert not results, results

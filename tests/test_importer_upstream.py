"""The importer on a real page nobody wrote for it: model drafts measured against gold labels."""
from __future__ import annotations

import datetime
import subprocess
import sys

import pytest

from kg.catalog.diagnostics import Report
from kg.catalog.loader import load_catalog
from kg.catalog.schema import KINDS
from kg.importer.accuracy import measure_page, read_labels, render_accuracy

from .conftest import ROOT

PAGE = ROOT.parent / "shared" / "upstream" / "awesome-azure-openai-llm-models_research.md"
LABELS = ROOT / "tests" / "fixtures" / "importer" / "upstream-labels.tsv"
TODAY = datetime.date(2026, 11, 24)
needs_page = pytest.mark.skipif(not PAGE.is_file(), reason="shared/upstream is not beside the repository")


@pytest.fixture(scope="module")
def empty_catalog(tmp_path_factory):
    data = tmp_path_factory.mktemp("empty") / "data"
    for kind in KINDS:
        (data / kind.folder).mkdir(parents=True)
    return load_catalog(data, Report())


@needs_page
def test_model_precision_and_recall_against_an_empty_catalog(empty_catalog):
    """No catalog to match: every model the page names must be drafted as a model, and nothing else."""
    accuracy = measure_page(PAGE, LABELS, empty_catalog, today=TODAY)
    report = render_accuracy(accuracy, mistakes=True)
    assert accuracy.precision() >= 0.95, report
    assert accuracy.recall() >= 0.95, report
    # headings and the table of contents give no row at all
    headings = [line for line, label in accuracy.labels.items() if label.name in ("heading", "toc link")]
    assert headings and not [line for line in headings if line in accuracy.rows]


@needs_page
def test_every_labelled_organization_bullet_is_an_organization(empty_catalog):
    accuracy = measure_page(PAGE, LABELS, empty_catalog, today=TODAY)
    organizations = [line for line, label in accuracy.labels.items() if label.label == "organization"]
    wrong = [line for line in organizations if accuracy.decided.get(line) != "organization"]
    assert len(wrong) <= 1, wrong  # the labels call 'rinna' (a link to its Hugging Face page) a model


def test_the_labels_are_well_formed():
    labels = read_labels(LABELS)
    assert len(labels) == 1173
    assert sum(1 for label in labels.values() if label.label == "model") == 227


@needs_page
def test_the_accuracy_script_prints_precision_and_recall():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "importer_accuracy.py"), "--empty"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "against an empty catalog" in done.stdout and "model: precision 0." in done.stdout
    assert "gold \\ decided" in done.stdout

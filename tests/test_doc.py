"""The ``>>>`` examples of the public docstrings and of docs/python-api.md run as tests."""
from __future__ import annotations

import doctest
import importlib
import os

import pytest

from .conftest import ROOT

DOCUMENTED = ["kg", "kg.api", "kg.rdf.terms", "kg.views.why", "kg.pipeline.cache", "kg.namespaces"]


@pytest.fixture(autouse=True)
def at_project_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("module", DOCUMENTED)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_python_api_guide():
    failures, tried = doctest.testfile(os.fspath(ROOT / "docs" / "python-api.md"), module_relative=False,
                                       optionflags=doctest.ELLIPSIS)
    assert tried > 10 and failures == 0

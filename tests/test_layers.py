"""The package layout is the architecture: each layer imports only the layers below it."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "kg"

#: Layer of each top-level module or sub-package of kg, lowest first. A module may import
#: from its own layer's package and from any lower layer, never from a higher one.
RANKS = {
    "kg": 0, "kg.errors": 0, "kg.registry": 0, "kg.namespaces": 0, "kg.util": 0,
    "kg.catalog": 1,
    "kg.rdf": 2,
    "kg.validation": 3, "kg.sparql": 3,
    "kg.pipeline": 4,
    "kg.views": 5, "kg.importer": 5,
    "kg.api": 6,
    "kg.cli": 7, "kg.__main__": 8,
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else "kg"


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import statement of ``path`` names (relative imports resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports (from kg.… import …)"
            names.append((node.module or "", node.lineno))
            names += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names
                      if node.module == "kg"]
    return names


MODULES = _modules()


def test_every_module_has_a_layer():
    assert {_layer(name) for name, _ in MODULES} <= set(RANKS)


@pytest.mark.parametrize("module,path", MODULES, ids=[name for name, _ in MODULES])
def test_no_module_imports_a_layer_above_its_own(module, path):
    own = RANKS[_layer(module)]
    wrong = []
    for name, line in _imports(path):
        if not name.startswith("kg.") and name != "kg":
            continue
        layer = _layer(name)
        if layer not in RANKS:  # kg.<a public name>, e.g. from kg import __version__
            layer = "kg"
        if layer != _layer(module) and RANKS[layer] >= own and layer != "kg" and own != 0:
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} ({layer}, layer {RANKS[layer]})")
        elif own == 0 and layer not in ("kg", _layer(module)) and RANKS[layer] > 0:
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} ({layer}, layer {RANKS[layer]})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("module,path", MODULES, ids=[name for name, _ in MODULES])
def test_only_the_cli_imports_click_and_the_catalog_no_rdf_library(module, path):
    roots = {name.split(".")[0] for name, _ in _imports(path)}
    if _layer(module) not in ("kg.cli", "kg.__main__"):
        assert "click" not in roots, f"{module} imports click: only kg.cli may"
    if _layer(module) in ("kg.catalog", "kg.util", "kg.errors", "kg.registry", "kg.namespaces"):
        assert not roots & {"rdflib", "pyoxigraph", "pyshacl", "owlrl"}, f"{module} imports an RDF library"


@pytest.mark.parametrize("module", [m for m, _ in MODULES if m.startswith("kg.cli.")])
def test_each_command_module_imports_on_its_own(module):
    """In a fresh interpreter, so that no other module has been imported first."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_public_api_is_importable_and_documented():
    kg = importlib.import_module("kg")
    for name in kg.__all__:
        value = getattr(kg, name)
        if callable(value) and not isinstance(value, type):
            assert value.__doc__ and ">>>" in value.__doc__, f"kg.{name} lacks a >>> example"

"""kg: the large-language-model landscape as a curated, validated, queryable knowledge graph.

The public API (see docs/python-api.md); names are imported on first use, so that
``import kg`` and the CLI start fast:

>>> import kg
>>> report = kg.validate(kg.open_project("tests/fixtures", data="tests/fixtures/catalog"))
>>> report.errors
[]
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Answer", "BuildResult", "Compiled", "InvalidCatalog", "KgError", "KgUsageError", "Project",
    "ProjectError", "Report", "QueryResult", "__version__", "answer", "build", "diff", "export", "load",
    "open_project", "query", "release", "validate",
]

_HOMES = {
    "KgError": "kg.errors", "KgUsageError": "kg.errors", "ProjectError": "kg.errors",
    "Report": "kg.catalog.diagnostics", "Project": "kg.pipeline.location", "Compiled": "kg.pipeline.project",
    "BuildResult": "kg.pipeline.build", "InvalidCatalog": "kg.pipeline.build",
    "QueryResult": "kg.sparql.results",
}


def __getattr__(name: str):
    """Import a public name from its home the first time it is used."""
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    if name in __all__:
        return getattr(importlib.import_module("kg.api"), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

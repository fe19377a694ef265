"""Random and mutated YAML never crashes the loader: every outcome is an entry or a diagnostic."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.catalog.loader import Catalog, load_entry
from kg.catalog.checks import check_catalog
from kg.rdf.mapping import build_graph
from kg.catalog.diagnostics import Report
from kg.catalog.schema import KINDS

from .conftest import FIXTURE_CATALOG

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(FIXTURE_CATALOG.rglob("*.yaml"))]
YAML_PIECES = ["name: ", "\n", "- ", ": ", "[", "]", "{", "}", "&a ", "*a", "!!python/object ", "'", '"',
               "based_on:\n  - model: llama\n    relation: ", "released: ", "2023-02-30", "no", "1.10",
               "\t", "---\n", "%YAML 1.1\n", "<<: ", "? ", "|\n  ", ">-\n  ", "#", "\ufeff", "\x00", "é"]


def outcome(tmp: Path, kind_index: int, data: bytes) -> None:
    path = tmp / KINDS[kind_index].folder / "fuzz.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    report = Report()
    entry = load_entry(KINDS[kind_index], path, report)
    assert entry is not None or report.errors, "an unreadable file must come with a diagnostic"
    if entry is not None:  # whatever loads must also pass the cross checks and build
        catalog = Catalog(tmp, [entry])
        check_catalog(catalog, report)
        build_graph(catalog)
    for diagnostic in report.items:
        assert diagnostic.code.startswith("KG") and diagnostic.line >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.integers(0, 3), data=st.binary(max_size=300))
def test_random_bytes(tmp_path, kind, data):
    outcome(tmp_path, kind, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.integers(0, 3), base=st.sampled_from(SEED_TEXTS), cuts=st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 20), st.sampled_from(YAML_PIECES)), max_size=6))
def test_mutated_entries(tmp_path, kind, base, cuts):
    text = base
    for position, length, piece in cuts:
        position = position % (len(text) + 1)
        text = text[:position] + piece + text[position + length:]
    outcome(tmp_path, kind, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.integers(0, 3), value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20))
def test_any_yaml_value_under_any_key(tmp_path, kind, value):
    import yaml

    keys = ["name", "based_on", "developer", "released", "parameters", "license", "sources", "arxiv",
            "broader", "country", "open_weights", "context_length", "unknown"]
    for key in keys:
        text = yaml.safe_dump({"name": "X", key: value}, allow_unicode=True)
        outcome(tmp_path, kind, text.encode("utf-8"))

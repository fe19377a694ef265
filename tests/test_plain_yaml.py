"""The plain-subset reader (kg.catalog.plain_yaml) gives exactly what the full reading gives
(libyaml's composer and kg's walk over the nodes), or declines: on every file of the catalog
and of the test fixtures, on awkward scalars, and on mutated and generated texts."""
from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.catalog.plain_yaml import read_plain
from kg.catalog.yamlload import (MAX_NODES, Document, YamlProblem, _compose, _plain_scalar, _SCALARS, _Walker,
                                 load_document, parse_text)

from .conftest import ROOT
from .test_fuzz import SEED_TEXTS, YAML_PIECES

YAML_FILES = sorted(p for folder in (ROOT / "data", ROOT / "tests" / "fixtures") for p in folder.rglob("*.yaml"))


def _full(text: str):
    """The full reading's data and problems, or the YamlProblem it raises."""
    try:
        node = _compose(text)
    except YamlProblem as problem:
        return problem
    doc = Document(None, None)
    try:
        data = _Walker(doc, _SCALARS).value(node, 0)
    except YamlProblem as problem:
        return problem
    return data, doc.problems


def _typed(value):
    """``value`` with the type of every part spelled out (True == 1 and a date == a date-time otherwise pass)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


#: Plain scalars kept from one reading to the next, across every test here (as kg.catalog.yamlload
#: keeps them across a catalog's files): a value built for one text is given again for another.
_WARM: dict = {}


def assert_same_or_declined(text: str) -> bool:
    """The plain reading equals the full one when it reads ``text`` at all; whether it did. Read
    with scalars kept from earlier texts, it is the same again."""
    plain = read_plain(text, _plain_scalar, MAX_NODES)
    warm = read_plain(text, _plain_scalar, MAX_NODES, _WARM)
    assert (warm is None) == (plain is None) and _typed(warm) == _typed(plain), text
    if plain is None:
        return False
    full = _full(text)
    assert not isinstance(full, YamlProblem), f"read {text!r}, which the full reading refuses: {full}"
    data, problems = full
    assert problems == (), f"read {text!r}, in which the full reading finds {problems}"
    assert _typed(plain) == _typed(data), text
    return True


def test_every_catalog_and_fixture_file_reads_the_same():
    read = [assert_same_or_declined(path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff"))
            for path in YAML_FILES]
    assert len(read) > 700
    catalog = [r for r, path in zip(read, YAML_FILES) if (ROOT / "data") in path.parents]
    assert sum(catalog) >= 0.9 * len(catalog), "the plain subset should cover nearly every entry of the catalog"


@pytest.mark.parametrize("value", [
    "no", "yes", "on", "off", "NO", "true", "1.10", "1_000", "0x1F", "0o17", "017", "+12", "12:30:00", "1e3",
    ".inf", ".NaN", "~", "null", "Null", "2024-02-30", "2024-13-01", "2023-07-01", "2023-07-01 12:00:00",
    "2023-07", "=", "<<", "7B", "papers=4m-21", "seed:001_x.txt:304", "https://example.org/a#frag",
    "a [b] {c}", "'quoted '' twice'", '"double: quoted"', "'a: b'", '"\\u00e9"', '"a\\"b"', "a #comment",
    "a: b", "a:", "-1", "- x", "? x", "!tag x", "&anchor x", "*alias", "|", ">", "%x", "@x", "`x`", "",
    "'unterminated", '"unterminated', "x\ty", "é ü 😀", "\u00a0x",
])
def test_awkward_scalars_read_the_same_or_are_declined(value):
    for text in (f"name: {value}\n", f"name: X\nparameters:\n  - {value}\n", f"name: X\nfor: [{value}, b]\n",
                 f"sources:\n- source: {value}\n  for: [name]\n"):
        assert_same_or_declined(text)


@pytest.mark.parametrize("text", [
    "name: a\nname: b\n",  # a duplicate key: KG004 from the full reading
    "name: a\r\nurl: b\r\n", "name:\ta\n", "---\nname: a\n", "name: a\n...\n", "%YAML 1.1\n---\nname: a\n",
    "list:\n- a\n  - b\n", "list:\n  - a\n - b\n", "m:\n  k: v\n", "s:\n- k:\n    x: 1\n", "f: [a, [b]]\n",
    "f: [a, {b: c}]\n", "f: [a, , b]\n", "f: [a, b,]\n", "k: v \n", "- a\n", "just text\n",
    "k: |\n  block\n", "k: >\n  folded\n", "k: &a x\nl: *a\n", "<<: {a: 1}\n", "? k\n: v\n",
])
def test_what_the_subset_leaves_out_is_declined(text):
    assert read_plain(text, _plain_scalar, MAX_NODES) is None


@pytest.mark.parametrize("text", [
    "name: a\n  continued\n  thrice\n", "name: 'a: b\n  c ''d'''\n", 'name: "a\n   b"\n', "f: [a,\n  b,\n    c]\n",
    "sources:\n- source: https://a.example\n  quote: a long\n    quote\n  for: [name,\n    url]\n",
])
def test_values_on_several_lines_read_the_same(text):
    assert assert_same_or_declined(text)


@pytest.mark.parametrize("text", [
    "name: a\n  # not a comment here\n", "name: a\n  - b\n", "name: a\n  b: c\n", "name: a\n\n  b\n",
    "l:\n- a\n   b\n", "name: a\n  b:\n", "s:\n- source: a\n \n    b\n", "s:\n- source: a\n  # c\n    b\n",
    "name: a\n  b \n", "f: [a, b[c]\n",
])
def test_lines_below_a_value_that_yaml_reads_otherwise_are_declined(text):
    assert read_plain(text, _plain_scalar, MAX_NODES) is None


@pytest.mark.parametrize("text", [
    # found by a review: line breaks libyaml knows and str.splitlines does not
    "name: a\u2028b\n", "name: a\u2029b\n", "n: a\n  \u2028b\n", "name: a\u2028\n", "name: 'a\u2028  b'\n",
    # whitespace that is not YAML's: a value
    "f: [\xa0]\n", "f: [ \u3000 ]\n", "s:\n- f: [\u2000]\n",
    # keys past libyaml's 1024 characters for a simple key
    "k" * 1025 + ": v\n", "a: 1\n" + "k" * 1025 + ": v\n", "s:\n- " + "k" * 1025 + ": v\n",
    "s:\n- a: 1\n  " + "k" * 1025 + ": v\n", "k" * 1025 + ":\n- a\n", "k" * 1024 + ": v\n",
])
def test_what_a_review_found_reads_the_same_or_is_declined(text):
    assert_same_or_declined(text)


def test_kept_scalars_start_over_past_their_limit_and_read_the_same(monkeypatch):
    from kg.catalog import plain_yaml

    monkeypatch.setattr(plain_yaml, "KNOWN_MAX", 3)
    known: dict = {}
    for path in sorted((ROOT / "data").rglob("*.yaml"))[:60]:
        text = path.read_text(encoding="utf-8")
        assert _typed(read_plain(text, _plain_scalar, MAX_NODES, known)) == \
            _typed(read_plain(text, _plain_scalar, MAX_NODES)), path
        assert len(known) <= 3
    assert known  # kept, and started over many times


def test_too_many_values_are_left_to_the_full_reading():
    text = "parameters:\n" + "".join(f"- {n}B\n" for n in range(MAX_NODES))
    assert read_plain(text, _plain_scalar, MAX_NODES) is None
    with pytest.raises(YamlProblem, match="more than"):
        parse_text(text, None)


def test_a_plainly_read_entry_still_says_where_its_values_are(tmp_path):
    text = "name: X\nreleased: 2023-02-30\nsources:\n- source: https://a.example\n  for: [name, released]\n"
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert doc._root == text  # read by the plain reader: composed only when asked
    assert doc.where("released") == (2, 11)
    assert doc.where("sources", 0, "for") == (5, 8)
    assert doc.source_text[("released",)] == "2023-02-30"


def test_a_plainly_read_document_pickles_with_its_text_and_keeps_its_marks():
    import pickle

    text = "name: X\nparameters:\n- 7B\n- 13B\n"
    doc = parse_text(text, None)
    assert doc._root == text
    again = pickle.loads(pickle.dumps(doc))
    assert again._root == text and again.data == doc.data  # the text goes, uncomposed
    assert again.where("parameters", 1) == doc.where("parameters", 1) == (4, 3)


def test_releasing_a_plainly_read_document_without_a_digest_keeps_its_marks():
    doc = parse_text("name: X\nreleased: 2023-07\n", None)  # no digest: not read from a file
    doc.release()
    assert doc.data is None and doc.where("released") == (2, 11)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(SEED_TEXTS), cuts=st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 20), st.sampled_from(YAML_PIECES + ["- x\n", "  ", ", ", "'"])),
    max_size=6))
def test_mutated_entries_read_the_same_or_are_declined(base, cuts):
    text = base
    for position, length, piece in cuts:
        position = position % (len(text) + 1)
        text = text[:position] + piece + text[position + length:]
    assert_same_or_declined(text)


@settings(max_examples=300, deadline=None)
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates()
    | st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20), flow=st.booleans())
def test_dumped_values_read_the_same_or_are_declined(value, flow):
    text = yaml.safe_dump({"name": "X", "key": value}, allow_unicode=True, default_flow_style=flow or None)
    assert_same_or_declined(text)

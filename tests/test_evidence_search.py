"""The evidence checks find names, URLs and ids by searching strings, not by compiling a pattern per
value (which dominated kg validate): on every question the real catalog's source checks ask, the
answers are those of the patterns they replace."""
from __future__ import annotations

import re

import pytest

from kg.catalog import evidence
from kg.catalog.diagnostics import Report
from kg.catalog.evidence import fold, mentions, shows, shows_url, words
from kg.catalog.loader import load_catalog
from kg.catalog.sourcing import check_sources
from kg.pipeline.location import Project

from .conftest import ROOT


def walking_mentions(text: str, phrase: str) -> bool:
    """The previous ``mentions``: the text's words walked from each one (the reference)."""
    squashed = "".join(words(phrase))
    if not squashed:
        return False
    wanted = {squashed}
    other = evidence._other_number(phrase, squashed)
    if other:
        wanted.add(other)
    folded = fold(text)
    tokens = [(m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+", folded)]
    longest = max(len(w) for w in wanted)
    for start in range(len(tokens)):
        joined = ""
        for end, token in tokens[start:]:
            joined += token
            if len(joined) > longest or not any(w.startswith(joined) for w in wanted):
                break
            if joined in wanted and not evidence._VERSION_AFTER.match(folded, end):
                return True
    return False


@pytest.fixture(scope="module")
def asked():
    """Every (text, phrase) the source checks of data/ ask ``mentions``, and every (entry, fact,
    text) they ask ``shows``."""
    project = Project.locate(start=ROOT)
    if project.source_text() is None:
        pytest.skip("the source documents (../shared) are not beside this checkout")
    catalog = load_catalog(project.data, Report())
    mentioned, shown = [], []
    patch = pytest.MonkeyPatch()
    real_mentions, real_shows = evidence.mentions, evidence.shows

    def recording_mentions(text, phrase):
        mentioned.append((text, phrase))
        return real_mentions(text, phrase)

    def recording_shows(entry, fact, text, names=None):
        shown.append((fact.key, fact.value.value, text))
        return real_shows(entry, fact, text, names)

    patch.setattr(evidence, "mentions", recording_mentions)
    patch.setattr("kg.catalog.sourcing.shows", recording_shows)
    try:
        check_sources(catalog, Report(), project.source_text())
    finally:
        patch.undo()
    assert len(mentioned) > 1000 and len(shown) > 1000
    return mentioned, shown


def test_names_are_found_as_the_walk_found_them(asked):
    mentioned, _ = asked
    found = 0
    for text, phrase in mentioned:
        assert mentions(text, phrase) == walking_mentions(text, phrase), (phrase, text)
        found += mentions(text, phrase)
    assert 0 < found < len(mentioned)  # both answers occur


def test_urls_and_ids_are_found_as_their_patterns_found_them(asked):
    _, shown = asked
    checked = 0
    for key, value, text in shown:
        if key in evidence.URL_KEYS:
            expected = re.search(re.escape(value.rstrip("/")) + r"/?(?![\w/.-])", text) is not None
            assert shows_url(value, text) == expected, (value, text)
        elif key == "arxiv":
            expected = re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text) is not None
            assert evidence._found_alone(text, value, evidence._DIGIT_OR_DOT, evidence._DIGIT) == expected
        elif key == "wikidata":
            expected = re.search(rf"(?<![\w]){re.escape(value)}(?!\d)", text) is not None
            assert evidence._found_alone(text, value, evidence._WORD_CHAR, evidence._DIGIT) == expected
        else:
            continue
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("url, text, expected", [
    ("https://x.org/a", "see https://x.org/a.", False),  # a longer path: a.-something
    ("https://x.org/a", "see https://x.org/a ", True),
    ("https://x.org/a/", "see https://x.org/a/ now", True),
    ("https://x.org/a", "see https://x.org/a/b", False),
    ("https://x.org/a", "see https://x.org/a//", False),
    ("https://x.org/a", "(https://x.org/a)", True),
    ("https://x.org/a", "https://x.org/ab https://x.org/a", True),  # the second one
])
def test_url_edges(url, text, expected):
    assert shows_url(url, text) is expected
    assert (re.search(re.escape(url.rstrip("/")) + r"/?(?![\w/.-])", text) is not None) is expected


@pytest.mark.parametrize("value, text", [
    ("Q42", "Q42"), ("Q42", "xQ42"), ("Q42", "Q421"), ("Q42", "(Q42)"), ("Q42", "éQ42 Q42"), ("Q42", "_Q42"),
    ("2307.09288", "2307.09288v2"), ("2307.09288", "12307.09288 2307.09288"), ("2307.09288", ".2307.09288"),
    ("2307.09288", "2307.092881"),
])
def test_id_edges(value, text):
    wikidata = re.search(rf"(?<![\w]){re.escape(value)}(?!\d)", text) is not None
    arxiv = re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text) is not None
    assert evidence._found_alone(text, value, evidence._WORD_CHAR, evidence._DIGIT) == wikidata
    assert evidence._found_alone(text, value, evidence._DIGIT_OR_DOT, evidence._DIGIT) == arxiv

"""A fast reader for the plain subset of YAML that catalog entries are written in, or nothing.

Entries are top-level keys whose values are plain or simply quoted scalars, flow lists of them
(``for: [name, url]``), or block lists of scalars and of one-level mappings (``- source: …``,
``  for: […]``). For such a text, ``read_plain`` returns what kg.catalog.yamlload's full
reading (libyaml's composer, then a walk over its nodes) would: the same dict, the same
values, each plain scalar resolved and built by the same YAML 1.1 rules (the resolver and
constructors it is given). For anything else (a tag, an anchor, a block scalar, a nested
mapping, a comment after a value, a tab, a duplicate key, a character YAML refuses) it
returns None, and the full reading runs, with its diagnostics.

The marks (line and column of each value) are not made here: the few entries that report a
problem compose the text again with libyaml (kg.catalog.yamlload.Document). At a million
triples (its first 10,000 files, all models), a file took 37 µs to read here, plain scalars
kept from file to file, against 91 µs for libyaml's composer and the walk over its nodes
(process time, medians of three passes).
tests/test_plain_yaml.py holds the two readings equal (with plain scalars kept from earlier texts
too) on every file of data/, of the test fixtures and on mutated and generated texts.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: A top-level or list-item key and what follows it on its line.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,1023}):(?: +(.*))?\Z")  # libyaml: a key of at most 1024 characters
#: Characters YAML does not accept in a document, or reads as line breaks (U+0085, U+2028, U+2029),
#: or that this reader leaves to it.
_NOT_PLAIN = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
#: First characters of a plain scalar that YAML reads as an indicator (or that this reader leaves to it).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")


#: YAML's flow indicators: an item of a flow list holding one is left to the full reading.
_FLOW_INDICATORS = frozenset("[]{}")


class _Declined(Exception):
    """The text is not in the plain subset: the full reading takes it."""


def read_plain(text: str, scalar: Callable[[str], Any], max_values: int,
               known: dict[str, Any] | None = None) -> dict | None:
    """The entry ``text`` as a dict, or None when it is not in the plain subset (see the module).

    ``scalar(text)`` resolves and builds a plain scalar as the full reading would (it raises
    for one it cannot build: that text is declined too). More than ``max_values`` values are
    declined (the full reading reports them). ``known``: plain scalars already built by the same
    ``scalar``, by their text, kept from one call to the next (see ``KNOWN_LENGTH``).
    """
    if _NOT_PLAIN.search(text) or text.startswith(("---", "...", "%")):
        return None
    try:
        return _Reader(scalar, max_values, {} if known is None else known).document(text.split("\n"))
    except _Declined:
        return None


#: Plain scalars of at most this many characters are kept in ``known`` once built: keys' values
#: repeat from file to file (ids, dates, counts, licences), and every value built (a string, a
#: number, a boolean, a date, None) is immutable. Past ``KNOWN_MAX`` of them, ``known`` starts over:
#: the million-triple catalog holds 166k (the dict alone 3.7 MB); with 20k, reading started over
#: so often that a file took 4 % longer (9.7k of its files, one process). kg.catalog.loader
#: empties it once a catalog is read.
KNOWN_LENGTH = 40
KNOWN_MAX = 200_000
_UNKNOWN = object()


class _Reader:
    __slots__ = ("_build", "budget", "_known")

    def __init__(self, scalar: Callable[[str], Any], max_values: int, known: dict[str, Any]) -> None:
        self._build, self.budget = scalar, max_values - 1  # the document itself is one value
        self._known = known

    def scalar(self, text: str):
        """A plain scalar built by the full reading's rules; one its constructor refuses is declined
        (the full reading words why). Only here are errors other than _Declined taken as a decline:
        anything else raised is a bug of this reader, for the tests to see."""
        try:
            value = self._build(text)
        except Exception:
            raise _Declined from None
        if len(text) <= KNOWN_LENGTH:
            if len(self._known) >= KNOWN_MAX:
                self._known.clear()
            self._known[text] = value
        return value

    def document(self, lines: list[str]) -> dict:
        result: dict = {}
        count = len(lines)
        i = 0
        key_match = _KEY.match
        while i < count:
            line = lines[i]
            i += 1
            if not line or line[0] in " #":  # blank, a comment, or indented: no key of ours
                if _skipped(line):
                    continue
                raise _Declined
            match = key_match(line)  # at column 0
            if match is None or line[-1] == " ":
                raise _Declined
            key, rest = match.groups()
            if key in result:
                raise _Declined
            self.budget -= 1
            if rest:
                while i < count and lines[i][:1] == " " and lines[i].strip():  # the value goes on below
                    rest = _continued(rest, lines[i])
                    i += 1
                result[key] = self.inline(rest)
                continue
            start = i
            while i < count and (lines[i][:1] == " " or lines[i][:2] == "- " or _skipped(lines[i])):
                i += 1
            result[key] = self.block(lines[start:i])
        if not result:  # nothing but comments: an empty file, which the full reading reports
            raise _Declined
        if self.budget < 0:  # more values than allowed (counted as they were read)
            raise _Declined
        return result

    def block(self, lines: list[str]):
        """The value of a key written on the lines below it: nothing (null), or a block list."""
        for first in lines:
            if not _skipped(first):
                break
        else:
            return self.scalar("")  # "key:" alone: null, as the full reading resolves an empty scalar
        indent = len(first) - len(first.lstrip(" "))
        item_prefix = " " * indent + "- "
        inside = " " * (indent + 2)
        deeper = inside + " "
        items: list = []
        mapping: dict | None = None
        last_key: str | None = None
        gap = False  # a blank or comment line since the last line read
        key_match = _KEY.match
        for line in lines:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":  # see _skipped
                gap = True
                continue
            if line[-1] == " ":
                raise _Declined
            if mapping is not None and line.startswith(deeper):  # a mapping value that goes on below
                if gap:  # YAML keeps a blank line in a value as a line break; a comment ends it
                    raise _Declined
                mapping[last_key] = _continued(mapping[last_key], line)
                continue
            gap = False
            if mapping is not None and last_key is not None:
                mapping[last_key] = self.inline(mapping[last_key])
            last_key = None
            if line.startswith(item_prefix):
                content = line[len(item_prefix):]
                self.budget -= 1
                match = key_match(content)
                if match is not None:
                    key, rest = match.groups()
                    if not rest:
                        raise _Declined  # a nested block under a list item's key
                    self.budget -= 1
                    mapping = {key: rest}  # its text, read once its lines below are known
                    last_key = key
                    items.append(mapping)
                else:
                    mapping = None
                    if content[:1] == "[":
                        raise _Declined  # a list in a list
                    items.append(self.inline(content))
            elif mapping is not None and line.startswith(inside) and line[len(inside)] != " ":
                match = key_match(line, len(inside))
                if match is None or not match.group(2) or match.group(1) in mapping:
                    raise _Declined
                self.budget -= 1
                last_key = match.group(1)
                mapping[last_key] = match.group(2)
            else:
                raise _Declined
        if mapping is not None and last_key is not None:
            mapping[last_key] = self.inline(mapping[last_key])
        return items

    def inline(self, text: str):
        """A value written on its key's line: a scalar, or a flow list of scalars."""
        if text[0] != "[":
            return self.written_scalar(text)
        if text[-1] != "]":
            raise _Declined
        inner = text[1:-1]
        if not inner.strip(" "):  # only spaces: YAML's whitespace, not str.strip's (U+00A0 is a value)
            return []
        values = []
        known = self._known
        for part in inner.split(","):
            part = part.strip(" ")
            if not part or ":" in part or "#" in part or not _FLOW_INDICATORS.isdisjoint(part):
                raise _Declined
            self.budget -= 1
            first = part[0]  # as in written_scalar, once the flow item's text is checked above
            if first == '"' or first == "'":
                values.append(_quoted(part))
                continue
            if first in _INDICATORS:
                raise _Declined
            value = known.get(part, _UNKNOWN)
            values.append(self.scalar(part) if value is _UNKNOWN else value)
        return values

    def written_scalar(self, text: str):
        """A quoted or plain scalar written on its key's line or as a block list's item: a plain one
        may hold none of what would make it a key or begin a comment. (A flow list's items are
        read by ``inline``, which checked their text.)"""
        first = text[0]
        if first == '"' or first == "'":
            return _quoted(text)
        if first in _INDICATORS or ": " in text or " #" in text or text[-1] == ":":
            raise _Declined
        value = self._known.get(text, _UNKNOWN)
        return self.scalar(text) if value is _UNKNOWN else value


def _continued(text: str, line: str) -> str:
    """A value's text with one more of its lines: YAML folds the break (and the line's indentation)
    into one space, in a plain, quoted or flow scalar alike. A line that would end a plain scalar
    or begin something else in YAML (a comment, a key, a list item) is left to the full reading."""
    more = line.lstrip(" ")
    if more[-1] == " ":
        raise _Declined
    if text[0] not in "'\"[" and (more[0] in _INDICATORS or ": " in more or more[-1] == ":" or "#" in more):
        raise _Declined
    return f"{text} {more}"


def _skipped(line: str) -> bool:
    """A blank line, or a comment on a line of its own."""
    stripped = line.lstrip(" ")
    return not stripped or stripped[0] == "#"


def _quoted(text: str) -> str:
    """A quoted scalar with no escape (its lines already folded by ``_continued``): ``"…"`` without
    ``\\``, or ``'…'`` (``''`` is ``'``)."""
    quote = text[0]
    if len(text) < 2 or text[-1] != quote:
        raise _Declined
    inner = text[1:-1]
    if quote == '"':
        if '"' in inner or "\\" in inner:
            raise _Declined
        return inner
    if "'" in inner.replace("''", ""):
        raise _Declined
    return inner.replace("''", "'")

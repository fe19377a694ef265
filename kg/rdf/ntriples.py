"""Canonical N-Triples lines: the one textual form every export, store and cache starts from.

Terms are written as RDF 1.1 canonical N-Triples (the form pyoxigraph writes): IRIs as
given, literals with ``"``, ``\\``, and control characters escaped, ``xsd:string`` left
implicit. A graph's lines, sorted and without duplicates, are its byte-identical export.
"""
from __future__ import annotations

import heapq
import io
import re
from collections import namedtuple
from collections.abc import Iterable

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


# Named tuples from collections, not typing.NamedTuple: importing typing costs a warm query 7 ms.

class Iri(namedtuple("Iri", "value")):
    """An IRI object of a statement."""

    __slots__ = ()


class Lit(namedtuple("Lit", "lexical datatype language", defaults=(None, None))):
    """A literal object: its lexical form, datatype IRI (None: a plain string) and language."""

    __slots__ = ()


class Blank(namedtuple("Blank", "value")):
    """A blank node (in query results only: the catalog has none)."""

    __slots__ = ()


_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({0x7F: "\\u007F", ord("\b"): "\\b", ord("\t"): "\\t", ord("\n"): "\\n", ord("\f"): "\\f",
                 ord("\r"): "\\r", ord('"'): '\\"', ord("\\"): "\\\\"})


def escape(text: str) -> str:
    """The body of a canonical N-Triples string literal."""
    return text.translate(_ESCAPES)


_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf\"'\\]))")


def unescape(body: str) -> str:
    """The text of an N-Triples string literal's body: ECHAR (``\\n``, ``\\"``, …) and UCHAR
    (``\\u0007``, ``\\U0001F600``) escapes read back."""
    if "\\" not in body:
        return body
    return _UNESCAPE.sub(lambda m: _ECHARS[m[3]] if m[3] else chr(int(m[1] or m[2], 16)), body)


def split_statement(text: str) -> tuple[str, str, str]:
    """A canonical N-Triples line as (subject, predicate IRI, object): the subject and the object
    as written (``<iri>``, ``_:id`` or a literal), the predicate without its brackets.

    Canonical lines make this a matter of finding brackets: an IRI holds no ``>`` or space, a
    blank node's label no space, and the line ends in `` .``.
    """
    if text[0] == "<":
        end = text.index(">", 1) + 1
    else:
        end = text.index(" ")
    start = end + 2  # past " <"
    stop = text.index(">", start)
    return text[:end], text[start:stop], text[stop + 2:-2]


def split_literal(obj: str) -> tuple[str, str | None, str | None]:
    """A literal as written in canonical N-Triples -> (lexical form, datatype IRI, language);
    the datatype is None for a plain (xsd:string) or language-tagged string."""
    close = obj.rindex('"')  # a datatype IRI or language tag holds no '"'
    lexical = unescape(obj[1:close])
    rest = obj[close + 1:]
    if rest.startswith("^^<"):
        return lexical, rest[3:-1], None
    if rest.startswith("@"):
        return lexical, None, rest[1:]
    return lexical, None, None


def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    body = f'"{escape(lexical)}"'
    if language:
        return f"{body}@{language.lower()}"
    if datatype and datatype != XSD_STRING:
        return f"{body}^^<{datatype}>"
    return body


def term(obj: Iri | Lit) -> str:
    """An Iri or Lit as N-Triples."""
    if type(obj) is Iri:
        return f"<{obj.value}>"
    return literal(obj.lexical, obj.datatype, obj.language)


def line(subject: str, predicate: str, obj: Iri | Lit) -> str:
    """One statement (subject and predicate IRIs as plain strings) as an N-Triples line, no newline."""
    return f"<{subject}> <{predicate}> {term(obj)} ."


def from_rdflib(node) -> str:
    """An rdflib term as canonical N-Triples."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return literal(str(node), str(node.datatype) if node.datatype else None, node.language)
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"cannot write {node!r} as N-Triples")


def graph_lines(graph) -> list[str]:
    """The triples of an rdflib graph as sorted, unique canonical N-Triples lines."""
    return sorted({f"{from_rdflib(s)} {from_rdflib(p)} {from_rdflib(o)} ." for s, p, o in graph})


class LinesReader(io.RawIOBase):
    """Lines as a readable N-Triples byte stream, encoded a block at a time.

    pyoxigraph's ``parse`` reads it without the whole document
    ever being one bytes object.
    """

    def __init__(self, lines: list[str], block: int = 20_000) -> None:
        self._lines, self._block, self._next = lines, block, 0
        self._pending, self._offset = b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._offset >= len(self._pending) and self._next < len(self._lines):
            chunk = self._lines[self._next:self._next + self._block]
            self._next += len(chunk)
            self._pending, self._offset = to_bytes(chunk), 0
        size = min(len(buffer), len(self._pending) - self._offset)
        buffer[:size] = memoryview(self._pending)[self._offset:self._offset + size]
        self._offset += size
        return size


def merge(*sorted_lines: list[str]) -> list[str]:
    """Several sorted line lists as one sorted list without duplicates."""
    merged: list[str] = []
    last = None
    for item in heapq.merge(*sorted_lines):
        if item != last:
            merged.append(item)
            last = item
    return merged


def to_bytes(lines: Iterable[str]) -> bytes:
    """Lines joined into an N-Triples document (one triple a line, final newline)."""
    text = "\n".join(lines)
    return (text + "\n").encode("utf-8") if text else b""


def write_blocks(lines: list[str], out, block: int = 50_000) -> None:
    """Write ``lines`` to the binary file ``out``, a block at a time (no copy of them all at once)."""
    for start in range(0, len(lines), block):
        write_all(out, to_bytes(lines[start:start + block]))


def write_all(out, data: bytes) -> None:
    """Write every byte of ``data``: a pipe whose reader left may take part of a write and report
    the rest only on the next call (BrokenPipeError), which a single ``write`` would never make."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if written is None:  # a non-blocking raw file with nothing taken: try again
            continue
        view = view[written:]

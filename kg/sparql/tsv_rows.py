"""A SELECT's rows as pyoxigraph writes them in the SPARQL TSV results format, read back as
kg's neutral terms: how a forked child hands a large answer to its parent (kg.pipeline.speculate).

Writing the rows as TSV is done by pyoxigraph, in Rust, without a Python object per term; the
bytes cross the pipe as one string and are read here once, each distinct cell once. At a million
triples, 17k rows of four terms: the child's work went from 0.31 s (evaluation, then a neutral
term per cell) plus 0.05 s of pickling and 0.03 s of unpickling, to 0.23 s plus 0.04 s of reading
here (benchmarks in docs/scale.md).

The reading is strict: a cell in any form it does not know (an RDF 1.2 triple term, a base
direction, a number pyoxigraph writes bare and this module does not) raises ValueError, and the
caller evaluates the query itself. tests/test_tsv_rows.py holds the rows equal to those of
kg.sparql.engines.run_on_store, awkward literals included.
"""
from __future__ import annotations

import re

from kg.rdf.ntriples import Blank, Iri, Lit, unescape

_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING_LITERAL = re.compile(
    r'"((?:[^"\\\n\r]|\\.)*)"'  # the quoted lexical form, escapes as N-Triples writes them
    r'(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)'  # a language tag (a base direction, "--ltr", is refused)
    r'|\^\^<([^<>"{}|^`\\\x00-\x20]+)>)?',  # or a datatype IRI
    re.DOTALL)
#: the literals pyoxigraph writes bare, as their lexical form: a Turtle shorthand
_BARE = ((re.compile(r"[+-]?[0-9]+"), _XSD + "integer"),
         (re.compile(r"[+-]?[0-9]*\.[0-9]+"), _XSD + "decimal"),
         (re.compile(r"true|false"), _XSD + "boolean"))


def cell_term(cell: str) -> Iri | Lit | Blank | None:
    """One TSV cell as a neutral term (None for an unbound one); ValueError for a form not known here.

    >>> cell_term('"Llama 2"@en')
    Lit(lexical='Llama 2', datatype=None, language='en')
    >>> cell_term("7")
    Lit(lexical='7', datatype='http://www.w3.org/2001/XMLSchema#integer', language=None)
    """
    if not cell:
        return None
    first = cell[0]
    if first == "<":
        if cell[-1] != ">" or cell.startswith("<<") or ">" in cell[1:-1]:
            raise ValueError(f"not an IRI cell: {cell[:80]!r}")
        return Iri(cell[1:-1])
    if first == '"':
        if cell[-1] == '"' and "\\" not in cell and cell.count('"') == 2:  # a plain string, unescaped
            return Lit(cell[1:-1])
        match = _STRING_LITERAL.fullmatch(cell)
        if match is None:
            raise ValueError(f"not a literal cell: {cell[:80]!r}")
        lexical, language, datatype = match.groups()
        if datatype == _XSD + "string":  # as neutral_from_oxigraph reads it: xsd:string is plain
            datatype = None
        return Lit(unescape(lexical), datatype, language)
    if cell.startswith("_:"):
        return Blank(cell[2:])
    for pattern, datatype in _BARE:
        if pattern.fullmatch(cell):
            return Lit(cell, datatype)
    raise ValueError(f"a cell of an unknown form: {cell[:80]!r}")


def cells_from_tsv(data: bytes, width: int) -> list[tuple]:
    """The rows of a SELECT of ``width`` variables from pyoxigraph's TSV ``data`` (its header
    line first, every row ended by a newline). ValueError when they cannot be read exactly."""
    if width < 1:
        raise ValueError("a SELECT of no variable")
    text = data.decode("utf-8")
    if not text.endswith("\n"):
        raise ValueError("TSV results do not end with a newline")
    lines = text[:-1].split("\n")  # the header, then one line per row (an unbound one: "")
    if len(lines[0].split("\t")) != width:
        raise ValueError("the TSV header does not have one column per variable")
    terms: dict = {}  # rows repeat cells (a technique, an organization): each is read once
    get = terms.get
    rows = []
    append = rows.append
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) != width:
            raise ValueError(f"a TSV row of {len(cells)} cells, not {width}")
        row = []
        for cell in cells:
            term = get(cell, terms)
            if term is terms:
                term = terms[cell] = cell_term(cell)
            row.append(term)
        append(tuple(row))
    return rows

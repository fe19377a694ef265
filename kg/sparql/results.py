"""Query results in one engine-neutral shape, and their SPARQL 1.1 result formats.

SELECT rows exist in two forms, each made from the other on first use: rdflib terms
(``rows``, what the Python API hands out) and kg's neutral terms (``cells``: ``Iri``, ``Lit``,
``Blank`` of kg.rdf.ntriples, or None). A result from pyoxigraph is made of cells, and the
table, CSV and JSON formats print cells, so a query on pyoxigraph is answered and printed
without importing rdflib. They print exactly what rdflib's terms print: a literal whose
lexical form rdflib would normalize, an IRI that rdflib's namespace manager might shorten in
a way the table below does not know, and TSV (rdflib's ``n3()``) go through rdflib.
"""
from __future__ import annotations

import re

from kg import namespaces as ns
from kg.rdf.ntriples import XSD_STRING, Blank, Iri, Lit
from kg.util.terminal import shown_safely

TYPE_CHECKING = False  # typing's flag, without importing typing (see kg.cli.short_path)
if TYPE_CHECKING:
    from rdflib import Graph


class QueryResult:
    """SELECT rows (rdflib terms or None), an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    def __init__(self, kind: str, variables: list[str] | None = None, rows: list[tuple] | None = None,
                 boolean: bool | None = None, graph: Graph | None = None, *,
                 cells: list[tuple] | None = None) -> None:
        self.kind = kind  # select | ask | graph
        self.variables = variables or []
        self._rows = rows if rows is not None or cells is not None else []
        self._cells = cells
        self.boolean = boolean
        self.graph = graph

    @property
    def rows(self) -> list[tuple]:
        """The rows as rdflib terms (None where a variable is unbound)."""
        if self._rows is None:
            from kg.rdf.terms import to_rdflib

            converted: dict = {}  # rows repeat terms; keyed with the type, as Iri("x") == Blank("x")

            def convert(cell):
                key = (type(cell), cell)
                value = converted.get(key, converted)
                if value is converted:
                    value = converted[key] = to_rdflib(cell)
                return value

            self._rows = [tuple(map(convert, row)) for row in self._cells]
        return self._rows

    @property
    def cells(self) -> list[tuple]:
        """The rows as kg's neutral terms (``Iri``, ``Lit``, ``Blank`` or None)."""
        if self._cells is None:
            from kg.rdf.terms import neutral_from_rdflib

            self._cells = [tuple(map(neutral_from_rdflib, row)) for row in self._rows]
        return self._cells

    def __eq__(self, other) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return ((self.kind, self.variables, self.boolean, self.graph) ==
                (other.kind, other.variables, other.boolean, other.graph) and self.rows == other.rows)

    def __repr__(self) -> str:
        size = f"{len(self._rows if self._rows is not None else self._cells)} rows" if self.kind == "select" else ""
        return f"QueryResult({self.kind!r}, {self.variables!r}, {size or self.boolean!r})"


def without_parameters(result: QueryResult) -> QueryResult:
    """Drop the columns of parameter variables (``?_x``, ``?__x``): they echo what was given.

    Saved queries project their parameters because pyoxigraph substitutes only projected
    variables; the columns carry no information, so no engine shows them.
    """
    if result.kind != "select":
        return result
    keep = [i for i, v in enumerate(result.variables) if not v.startswith("_")]
    if len(keep) == len(result.variables):
        return result
    return with_columns(result, keep)


def with_columns(result: QueryResult, columns: list[int]) -> QueryResult:
    """The SELECT result with only ``columns`` (indices), in that order, in whichever form it holds."""
    variables = [result.variables[i] for i in columns]
    pick = _picker(columns)
    if result._cells is not None:
        picked = map(pick, result._cells)
        return QueryResult("select", variables, cells=picked if not isinstance(result._cells, list) else list(picked))
    return QueryResult("select", variables, list(map(pick, result._rows)))


def _picker(columns: list[int]):
    """A function of a row giving the tuple of its ``columns`` (operator.itemgetter: no Python frame
    per row, which counts at 17k rows)."""
    from operator import itemgetter

    if len(columns) == 1:  # itemgetter of one index gives the item, not a 1-tuple
        only = columns[0]
        return lambda row: (row[only],)
    return itemgetter(*columns) if columns else (lambda row: ())


def from_rdflib(result) -> QueryResult:
    if result.type == "SELECT":
        variables = [str(v) for v in result.vars]
        return QueryResult("select", variables, [tuple(row) for row in result])
    if result.type == "ASK":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    if result.graph is None:
        from rdflib import Graph

        return QueryResult("graph", graph=Graph())
    return QueryResult("graph", graph=result.graph)


def render(result: QueryResult, fmt: str, base: str | None = None) -> str:
    """SELECT/ASK in table, csv, tsv or json (the SPARQL 1.1 result formats).

    The table writes IRIs as ``prefix:local`` with kg's prefixes and the entity prefixes of
    ``base`` (as an rdflib graph with those prefixes bound would); without ``base``, whole.
    """
    import json

    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}, indent=2) + "\n"  # as a SELECT's
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "json":
        return _json(result)
    if fmt == "csv":
        return "".join(_csv_chunks(result))
    if fmt == "tsv":
        return "".join(_tsv_chunks(result))
    return _table(result, base)


def render_to(result: QueryResult, fmt: str, out, base: str | None = None) -> None:
    """``render`` written to the text file ``out`` as it goes: CSV and TSV a block of rows at a time,
    so that a large result never exists twice (rows, and the whole text) in memory."""
    if result.kind == "select" and fmt in ("csv", "tsv"):
        for chunk in (_csv_chunks if fmt == "csv" else _tsv_chunks)(result):
            out.write(chunk)
        return
    out.write(render(result, fmt, base))


_BLOCK = 10_000


#: Datatypes whose lexical forms matching these patterns rdflib keeps as they are (a date that
#: does not exist, such as 2023-02-30, too: rdflib cannot read it, so keeps its text).
_CANONICAL = {ns.XSD + "integer": re.compile(r"-?(0|[1-9][0-9]*)"),
              ns.XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?"),
              ns.XSD + "boolean": re.compile(r"true|false"),
              ns.XSD + "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
              ns.XSD + "gYearMonth": re.compile(r"[0-9]{4}-[0-9]{2}"),
              ns.XSD + "gYear": re.compile(r"[0-9]{4}")}


def lexical(cell: Lit) -> str:
    """The lexical form of a literal as rdflib's ``str()`` gives it (rdflib normalizes some)."""
    if cell.language or cell.datatype is None or cell.datatype == XSD_STRING:
        return cell.lexical
    pattern = _CANONICAL.get(cell.datatype)
    if pattern is not None and pattern.fullmatch(cell.lexical):
        return cell.lexical
    from kg.rdf.terms import to_rdflib

    return str(to_rdflib(cell))


def _json(result: QueryResult) -> str:
    """The SPARQL JSON results, byte for byte as ``json.dumps(doc, indent=2, ensure_ascii=False)``
    writes their document (``{"head": {"vars": [...]}, "results": {"bindings": [{var: _json_term(cell),
    ...}, ...]}}``); but each distinct (variable, term) pair is encoded once: json writes an indented
    document in Python, object by object (17k rows of three terms: 0.24 s, against 0.07 here)."""
    from json.encoder import encode_basestring as quoted  # what json.dumps uses with ensure_ascii=False

    variables = result.variables
    if len(set(variables)) != len(variables):  # SELECT ?m ?m (rdflib takes it): one member per name
        import json

        bindings = [{var: _json_term(cell) for var, cell in zip(variables, row) if cell is not None}
                    for row in result.cells]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          indent=2, ensure_ascii=False) + "\n"
    head = (",\n".join(f"      {quoted(v)}" for v in variables).join(("[\n", "\n    ]")) if variables else "[]")
    keys = [f"        {quoted(v)}: {{\n" for v in variables]
    encoded: list[dict] = [{} for _ in variables]  # per column: term -> its member of the binding
    bindings = []
    for row in result.cells:
        members = []
        for column, cell in enumerate(row):
            if cell is None:
                continue
            known = encoded[column]
            member = known.get(cell) if type(cell) is not Blank else None  # Blank("x") == Iri("x")
            if member is None:
                fields = ",\n".join(f"          {quoted(key)}: {quoted(value)}"
                                    for key, value in _json_term(cell).items())
                member = f"{keys[column]}{fields}\n        }}"
                if type(cell) is not Blank:
                    known[cell] = member
            members.append(member)
        bindings.append("      {\n" + ",\n".join(members) + "\n      }" if members else "      {}")
    body = ",\n".join(bindings).join(("[\n", "\n    ]")) if bindings else "[]"
    return (f'{{\n  "head": {{\n    "vars": {head}\n  }},\n  "results": {{\n    "bindings": {body}\n  }}\n}}\n')


def _json_term(cell) -> dict:
    if type(cell) is Iri:
        return {"type": "uri", "value": cell.value}
    if type(cell) is Blank:
        return {"type": "bnode", "value": cell.value}
    out = {"type": "literal", "value": lexical(cell)}
    if cell.language:
        out["xml:lang"] = cell.language
    elif cell.datatype is not None and cell.datatype != XSD_STRING:
        out["datatype"] = cell.datatype
    return out


def _csv_chunks(result: QueryResult):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for number, row in enumerate(result.cells, 1):
        writer.writerow(["" if c is None else (f"_:{c.value}" if type(c) is Blank else
                                               c.value if type(c) is Iri else lexical(c)) for c in row])
        if number % _BLOCK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _tsv_chunks(result: QueryResult):
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else tsv_term(t) for t in row))
        if len(lines) >= _BLOCK:
            yield "\n".join(lines) + "\n"
            lines = []
    yield "\n".join(lines) + "\n" if lines else ""


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: C1 controls, which canonical N-Triples writes raw: as \\u escapes in TSV.
_C1_ESCAPED = {i: f"\\u{i:04X}" for i in range(0x80, 0xA0)}


def tsv_term(term) -> str:
    """An rdflib term as the SPARQL TSV results format writes it: rdflib's ``n3()``, except for
    a literal holding a control character, which n3() writes raw (in a triple-quoted string if it
    spans lines): a tab, a line feed or a carriage return would split the row, and the format wants
    "the single quoted literal forms, together with any necessary escapes such as \\t, \\n and
    \\r" (SPARQL 1.1 Query Results CSV and TSV Formats, section 4). Such a literal is written as
    canonical N-Triples writes it (\\t, \\n, \\r, \\b, \\f; \\u0001 for the others, C1 controls too)."""
    if _CONTROL.search(term):  # only a literal can hold one (an IRI or a blank node label cannot)
        from rdflib import Literal

        from kg.rdf.ntriples import escape

        if type(term) is Literal:
            suffix = f"@{term.language}" if term.language else f"^^<{term.datatype}>" if term.datatype else ""
            return f'"{escape(str(term)).translate(_C1_ESCAPED)}"{suffix}'
    return term.n3()


#: A local name that rdflib's namespace manager writes after the prefix unchanged.
_LOCAL = re.compile(r"[A-Za-z_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


class Shortener:
    """IRIs as ``prefix:local``, as rdflib's namespace manager writes them with kg's prefixes bound.

    An IRI in one of kg's namespaces with a plain local name is shortened here; any other is
    given to rdflib's namespace manager, made on first need.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        namespaces = [(iri, prefix) for prefix, iri in ns.PREFIXES.items()]
        root = ns.normalized_base(base)
        namespaces += [(f"{root}/{segment}/", prefix) for prefix, segment in ns.ENTITY_PREFIXES.items()]
        self.namespaces = sorted(namespaces, key=lambda item: -len(item[0]))
        self._manager = None
        # when every namespace ends with "/" or "#", the longest one an IRI starts with, if it is
        # the IRI up to its last "/" or "#", is found by one look-up (17k IRIs: 0.02 s less)
        self._ending_at_last_separator = ({namespace: prefix for namespace, prefix in reversed(self.namespaces)}
                                          if all(n.endswith(("/", "#")) for n, _ in namespaces) else {})

    def __call__(self, iri: str) -> str:
        if iri.endswith("/"):
            return iri
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self._ending_at_last_separator.get(iri[:cut])
        if prefix is not None:
            return f"{prefix}:{iri[cut:]}" if _LOCAL.fullmatch(iri, cut) else self.by_rdflib(iri)
        return self.by_loop(iri)

    def by_loop(self, iri: str) -> str:
        """The longest namespace ``iri`` starts with, tried one after the other (``__call__``'s
        look-up finds the same one at once when it ends where the IRI's last ``/`` or ``#`` does)."""
        if iri.endswith("/"):
            return iri
        for namespace, prefix in self.namespaces:
            if iri.startswith(namespace):
                if _LOCAL.fullmatch(iri, len(namespace)):
                    return f"{prefix}:{iri[len(namespace):]}"
                break
        return self.by_rdflib(iri)

    def by_rdflib(self, iri: str) -> str:
        if self._manager is None:
            from rdflib import Graph

            from kg.rdf.vocab import bind_prefixes

            graph = Graph()
            bind_prefixes(graph, self.base)
            self._manager = graph.namespace_manager
        from rdflib import URIRef

        try:
            return self._manager.normalizeUri(URIRef(iri))
        except Exception:  # an IRI that cannot be shortened
            return iri


def short(cell, shorten=None) -> str:
    """A term as a person reads it: a CURIE for IRIs (given ``shorten``), the lexical form for literals."""
    if cell is None:
        return ""
    if type(cell) is Iri:
        return shorten(cell.value) if shorten is not None else cell.value
    if type(cell) is Lit:
        return lexical(cell)
    return f"_:{cell.value}"


def _table(result: QueryResult, base: str | None) -> str:
    header = result.variables
    shorten = Shortener(base) if base is not None else None
    # rows repeat terms (a model's name, a technique): each distinct one is written once. Keyed
    # by the term, except blank nodes: Blank("x") == Iri("x"), as both are 1-tuples.
    shown: dict = {None: ""}
    get = shown.get

    def show(cell) -> str:
        text = get(cell) if type(cell) is not Blank else None
        if text is None:
            text = shown_safely(short(cell, shorten))  # no ESC sequence or bidi override reaches the terminal
            if type(cell) is not Blank:
                shown[cell] = text
        return text

    cells = [list(map(show, row)) for row in result.cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    if max(widths, default=0) <= 60:
        # nothing to cut: one format string per line (the common case)
        template = "  ".join(f"{{:<{w}}}" for w in widths).format

        def line(values):
            return template(*values).rstrip()
    else:
        widths = [min(w, 60) for w in widths]

        def line(values):
            return "  ".join(_fit(v, w).ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)] if header else []  # (no column left: no lines)
    out.extend(map(line, cells) if header else ())
    count = len(cells)
    out.append(f"({count} row{'s' * (count != 1)})")
    return "\n".join(out) + "\n"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

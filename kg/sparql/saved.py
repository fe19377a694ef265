"""Saved SPARQL queries: grlc-style headers, typed parameters bound as RDF terms, safe execution.

Parameters become kg's engine-neutral terms (``Iri``/``Lit`` of kg.rdf.ntriples), which each
engine converts to its own; neither rdflib nor YAML is imported until a path needs them, so
that a warm query on pyoxigraph starts fast.
"""
from __future__ import annotations

import functools
import re
from collections import namedtuple
from pathlib import Path

from kg.errors import KgError, KgUsageError
from kg.namespaces import DCTERMS, ID_PATTERN, XSD, entity_iri
from kg.registry import SAVED_QUERY_NAME
from kg.rdf.ntriples import Iri, Lit


class QueryError(KgError):
    """A saved query that cannot be read, or a query the tool refuses to run."""


class ParameterError(QueryError, KgUsageError):
    """A parameter value that does not fit its declared type (a usage error)."""


#: Parameter name hints -> the IRI segment of the kind of entity a bare id stands for (the
#: segments of kg.catalog.schema.KINDS, spelled here so that a query need not import it).
SEGMENT_HINTS: dict[str, str] = {
    "model": "model", "organization": "organization", "paper": "paper", "technique": "technique",
    "org": "organization", "developer": "organization", "base": "model", "ancestor": "model", "family": "model",
}

_PARAM = re.compile(r"[?$](__?[A-Za-z][A-Za-z0-9_]*)")
_TYPES = {"iri", "integer", "decimal", "number", "date", "literal", "boolean", "year"}


class Parameter(namedtuple("Parameter", "variable name type required language", defaults=(None,))):
    """A query parameter: ``?_org_iri`` (required) or ``?__year_integer`` (optional). ``type``: iri,
    integer, decimal, date, literal, boolean, or an XSD datatype local name. (Named tuples here
    and not dataclasses: dataclasses is kept off a warm query's path (kg.cli.short_path).)"""

    __slots__ = ()

    @classmethod
    def from_variable(cls, variable: str) -> "Parameter":
        required = not variable.startswith("__")
        parts = variable.lstrip("_").split("_")
        type_, language = "literal", None
        if len(parts) >= 3 and parts[-2] == "xsd":
            type_, parts = parts[-1], parts[:-2]
        elif len(parts) >= 2 and parts[-1] in _TYPES:
            type_, parts = parts[-1], parts[:-1]
        elif len(parts) >= 2 and re.fullmatch(r"[a-z]{2}", parts[-1]):
            language, parts = parts[-1], parts[:-1]
        return cls(variable, "_".join(parts), type_, required, language)


class SavedQuery:
    """A ``queries/*.rq`` file: its text and parameters, and the metadata of its ``#+`` header
    (read as YAML the first time it is asked for)."""

    _FIELDS = ("name", "path", "text", "parameters", "header")

    def __init__(self, name: str, path: Path, text: str, parameters: list[Parameter] | None = None,
                 header: str = "") -> None:
        self.name, self.path, self.text, self.header = name, path, text, header
        self.parameters = [] if parameters is None else parameters

    def __repr__(self) -> str:
        return f"SavedQuery({', '.join(f'{name}={getattr(self, name)!r}' for name in self._FIELDS)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not SavedQuery:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._FIELDS)

    __hash__ = None  # mutable, as before

    @functools.cached_property
    def meta(self) -> dict:
        if not self.header:
            return {}
        import yaml

        try:
            meta = yaml.safe_load(self.header) or {}
        except yaml.YAMLError as exc:
            raise QueryError(f"{self.path}: the '#+' header is not valid YAML: {exc}") from None
        if not isinstance(meta, dict):
            raise QueryError(f"{self.path}: the '#+' header must be 'key: value' lines")
        return meta

    @property
    def summary(self) -> str:
        return str(self.meta.get("summary", "")).strip()

    @property
    def description(self) -> str:
        return str(self.meta.get("description", "")).strip()

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags") or []
        return [str(t) for t in (tags if isinstance(tags, list) else [tags])]

    @property
    def defaults(self) -> dict[str, str]:
        defaults = self.meta.get("defaults") or {}
        if isinstance(defaults, list):  # grlc writes defaults as a list of one-key mappings
            merged: dict = {}
            for item in defaults:
                if isinstance(item, dict):
                    merged.update(item)
            defaults = merged
        return {str(k): str(v) for k, v in defaults.items() if v is not None}  # "org:" alone: no default


def read_query_text(path: Path) -> str:
    """A query file's text: UTF-8 (a byte-order mark is dropped); a QueryError says what else it is."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path}: byte 0x{exc.object[exc.start]:02x} at offset {exc.start} is not UTF-8: "
                         "save the file as UTF-8") from None


def read_saved_query(path: Path) -> SavedQuery:
    text = read_query_text(path)
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    return SavedQuery(name=path.stem, path=path, text=text, parameters=detect_parameters(text), header=header)


def list_saved_queries(folder: Path) -> list[SavedQuery]:
    return [read_saved_query(p) for p in sorted(folder.glob("*.rq")) if p.is_file()]


def find_saved_query(folder: Path, name: str) -> SavedQuery:
    path = folder / (name if name.endswith(".rq") else f"{name}.rq")
    if not path.is_file():
        import difflib

        names = [p.stem for p in sorted(folder.glob("*.rq")) if p.is_file()]
        close = [n for n in names if n.startswith(name)][:1] or difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "run 'kg queries' to list them"
        raise QueryError(f"no saved query '{name}' in {folder}: {hint}")
    return read_saved_query(path)


def uses_named_graphs(text: str) -> bool:
    """Can the query read named graphs? Only through the keyword GRAPH (FROM NAMED is refused).

    A conservative test, so that a query that cannot see them neither waits for them to load
    nor has a store made with them (kg.pipeline.queryable): a yes for any backslash (it could
    spell the word in a \\u escape), any long string, and the letters ``graph`` in any case
    anywhere outside whole-line comments (inside a word, a string or a trailing comment too:
    Oxigraph reads ``GRAPHex:g`` and ``1GRAPH ?g`` as the keyword). A whole-line comment is a
    line, ended by \\r or \\n as SPARQL's are, whose first character other than a space or tab
    is ``#``: without long strings no string or IRI goes on past a line's end, so such a line
    is a comment whole (the saved queries' notes name "Oxigraph").
    """
    if "\\" in text or "'''" in text or '"""' in text:
        return True
    code = [line for line in re.split(r"[\r\n]", text) if not line.lstrip(" \t").startswith("#")]
    return re.search("graph", "\n".join(code), re.IGNORECASE) is not None


_FORM = re.compile(r"[ \t\r\n]*(?:(?:PREFIX[ \t\r\n]+[^ \t\r\n:<>]*:[ \t\r\n]*<[^<> \t\r\n]*>"
                   r"|BASE[ \t\r\n]*<[^<> \t\r\n]*>)[ \t\r\n]*)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
#: Characters Python ends a line at (str.splitlines) and SPARQL does not: a comment goes on past them.
_OTHER_LINE_ENDS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def query_form(text: str) -> str | None:
    r"""What the query gives, read from its first keyword without parsing it: "graph" (CONSTRUCT or
    DESCRIBE), "select" or "ask"; None when unsure (an escape, a comment after a declaration on its
    line, a character Python ends lines at and SPARQL does not), so that the answer alone decides.

    >>> query_form("PREFIX s: <https://schema.org/>\n# all\nconstruct { ?a ?b ?c } WHERE { ?a ?b ?c }")
    'graph'
    >>> query_form("SELECT ?m WHERE { ?m a s:Model }"), query_form("\\u0053ELECT * {}")
    ('select', None)
    """
    if "\\" in text or not _OTHER_LINE_ENDS.isdisjoint(text):
        return None
    match = _FORM.match(_strip_comments(text))
    if match is None:
        return None
    keyword = match.group(1).upper()
    return "graph" if keyword in ("CONSTRUCT", "DESCRIBE") else keyword.lower()


def looks_like_name(text: str) -> bool:
    """Is ``text`` the name of a saved query (``models-by-organization``) rather than SPARQL?"""
    return bool(_NAME.match(text.strip()))


_NAME = re.compile(SAVED_QUERY_NAME)


def ad_hoc_query(text: str) -> SavedQuery:
    """A query given on the command line, with its parameters detected like a saved one's."""
    import tempfile

    return SavedQuery("(ad hoc)", Path(tempfile.gettempdir()) / "ad-hoc.rq", text,
                      parameters=detect_parameters(text))


def detect_parameters(text: str) -> list[Parameter]:
    """The ``?_name``/``?__name`` variables of a query (outside comment lines), required first."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    seen: dict[str, Parameter] = {}
    for match in _PARAM.finditer(body):
        seen.setdefault(match.group(1), Parameter.from_variable(match.group(1)))
    return sorted(seen.values(), key=lambda p: (not p.required, p.name))


# --- safety -------------------------------------------------------------------------------

_FORBIDDEN = {
    "ServiceGraphPattern": "SERVICE (it would fetch a remote endpoint)",
    "Load": "LOAD (it would fetch a remote document)",
    "DatasetClause": "FROM / FROM NAMED (the catalog is the only dataset; a remote FROM would be fetched)",
}


#: How deep a query may nest its groups and brackets: far beyond any real query, well below what
#: overflows a parser's stack (pyoxigraph's crashes the process somewhere past 2,000).
MAX_NESTING = 200


#: A lone surrogate: what Python makes of bytes that are not UTF-8 in a command's arguments
#: (surrogateescape), and what a \\uD800 escape means. No RDF term holds one, and printing it fails.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A codepoint escape of a surrogate: not a character. SPARQL reads these escapes before the
#: grammar (SPARQL 1.1, section 19.2), wherever they are, after a backslash too.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})")


def not_text(value: str) -> str | None:
    """What keeps ``value`` from being Unicode text (a byte that is not UTF-8), or None."""
    found = _SURROGATE.search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as Python read it from the arguments
        return f"holds the byte 0x{code - 0xDC00:02x}, which is not UTF-8: write it as UTF-8 text"
    return f"holds a lone surrogate (U+{code:04X}), which is not a character"


def check_characters(text: str) -> None:
    """Refuse a query holding something that is not a character: a byte that is not UTF-8, or a
    surrogate written as an escape (oxigraph refuses the escape; rdflib took it, and printing its
    answer failed)."""
    problem = not_text(text)
    if problem is None and (escape := _SURROGATE_ESCAPE.search(text)) is not None:
        problem = (f"holds {escape.group()}, a surrogate, which is not a character: write the character "
                   "itself, or its \\U escape (\\U0001F600)")
    if problem is not None:
        raise QueryError(f"the query {problem}")


def check_nesting(text: str) -> None:
    """Refuse a query that nests ``{ ( [`` more than MAX_NESTING deep (strings, IRIs and comments
    skipped), before any parser sees it."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            while end != -1 and text[end - 1] == "\\":
                end = text.find(c, end + 1)
            i = n if end == -1 else end + 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if c == "<" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "=<":
            end = text.find(">", i + 1)
            if end != -1 and not any(ch.isspace() for ch in text[i + 1:end]):
                i = end + 1
                continue
        if c in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise QueryError(f"the query nests more than {MAX_NESTING} groups or brackets deep: "
                                     "flatten it")
        elif c in "})]":
            depth -= 1
        i += 1


def parse_safe(text: str):
    """Parse ``text`` as a SPARQL query and refuse what would touch the network or write."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery

    try:
        tree = parseQuery(text)
    except RecursionError:  # rdflib's parser recurses a few dozen frames per nested group
        raise QueryError("the query nests its groups too deeply for the parser that checks it (rdflib's): "
                         "flatten it") from None
    except ValueError as exc:  # an escape of no code point, such as \U0FFFFFFF
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except ParseException as exc:
        if re.search(r"^\s*(PREFIX[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b",
                     _strip_comments(expandUnicodeEscapes(text)), re.I):
            raise QueryError("updates are refused: kg runs read-only queries") from None
        raise QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    try:
        _walk_forbidden(tree)
    except RecursionError:
        raise QueryError("the query nests its groups too deeply to be checked: flatten it") from None
    return tree


#: Letters every spelling of SERVICE, LOAD and FROM (any case) contains, once escapes are decoded.
_KEYWORD_STEMS = re.compile(r"service|load|from", re.I)
#: What may make the text mean something other than what it shows: an escape (``\u0053ERVICE``,
#: ``\"``), a long string that may span lines (and hide a ``#``), a raw carriage return.
_NOT_PLAIN = re.compile(r"\\|\'\'\'|\"\"\"|\r")
#: A whole-line comment that holds no quote or ``>`` (so no string or IRI can end in it).
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\n\"'>]*$", re.M)


def surely_safe(text: str) -> bool:
    """True when ``text`` cannot hold SERVICE, LOAD or FROM, whatever a parser makes of it.

    A lexical check that is conservative: True only for a text without a backslash (so no
    ``\\u`` escape can spell a keyword), without long strings, in which none of the letter
    sequences ``service``, ``load`` or ``from`` (any case, even inside a word, a string or an
    IRI) appears outside whole-line comments. A whole-line comment is one whose first
    non-blank character is ``#``: no short string or IRI can span lines, so it is a comment
    for any parser; one holding a quote or ``>`` is not skipped. False does not mean unsafe,
    only that the full parse (``parse_safe``) must decide.

    >>> surely_safe("# every model it derives from\\nSELECT ?m WHERE { ?m a kg:Model }")
    True
    >>> surely_safe("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }")
    False
    """
    if _NOT_PLAIN.search(text):
        return False
    return _KEYWORD_STEMS.search(_COMMENT_LINE.sub("", text)) is None


def check_safe(text: str) -> None:
    """Refuse SERVICE, LOAD and FROM (and updates) in ``text``, by the full parse unless
    ``surely_safe`` already proves there are none."""
    if not surely_safe(text):
        parse_safe(text)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _walk_forbidden(node) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in _FORBIDDEN:
                raise QueryError(f"refused: {_FORBIDDEN[item.name]}. kg never reaches the network on "
                                 "its own; run such a query on a triplestore of your choosing")
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "asList") and not isinstance(item, str):
            stack.extend(list(item))


# --- parameters ---------------------------------------------------------------------------

def bind_parameters(query: SavedQuery, given: dict[str, str], graph, base: str) -> dict:
    """Turn ``name=value`` strings into rdflib terms for the query's parameters (``bind_terms``,
    as rdflib Variables and terms)."""
    from rdflib import Variable

    from kg.rdf.terms import to_rdflib

    return {Variable(name): to_rdflib(term) for name, term in bind_terms(query, given, graph, base).items()}


def bind_terms(query: SavedQuery, given: dict[str, str], graph, base: str) -> dict[str, Iri | Lit]:
    """Turn ``name=value`` strings into kg's neutral terms (``Iri``/``Lit``), by variable name.

    ``graph`` (an rdflib Graph or a pyoxigraph Store, or None) resolves an id that no parameter
    name hints at the kind of.
    """
    by_name = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise ParameterError(f"unknown parameter '{unknown[0]}' for {query.name} (parameters: {known})")
    missing = [p for p in query.parameters if p.name not in given]
    defaults = query.defaults if missing else {}  # the header is read only when it is needed
    values = {**{k: v for k, v in defaults.items() if k in by_name}, **given}
    bindings: dict[str, Iri | Lit] = {}
    for parameter in query.parameters:
        if parameter.name not in values:
            if parameter.required:
                raise ParameterError(f"{query.name} needs -p {parameter.name}=… ({parameter.type})")
            continue
        bindings[parameter.variable] = to_term(parameter, values[parameter.name], graph, base)
    return bindings


_XSD_INTEGER, _XSD_DECIMAL, _XSD_BOOLEAN = XSD + "integer", XSD + "decimal", XSD + "boolean"
#: The integers Oxigraph computes with (xsd:long's range); rdflib's are unbounded.
_LONG_MIN, _LONG_MAX = -(2 ** 63), 2 ** 63 - 1


def to_term(parameter: Parameter, value: str, graph, base: str) -> Iri | Lit:
    """The term for one parameter value, its lexical form as rdflib would normalize it;
    ParameterError says what is wrong with it."""
    kind = parameter.type
    name = parameter.name
    if (problem := not_text(value)) is not None:
        raise ParameterError(f"parameter '{name}' {problem}")
    if kind == "iri":
        return _iri(name, value, graph, base)
    if kind in ("integer", "year"):
        text = value.strip()
        shown = _shown(value)
        # a count, as the catalog writes it (7B, 1.5T)
        if kind == "integer" and re.fullmatch(r"[0-9]{1,20}(\.[0-9]{1,20})?\s*[KkMmBbTt]", text):
            from kg.catalog.values import BadValue, parse_count

            try:
                number = parse_count(text)
            except BadValue as exc:
                raise ParameterError(f"parameter '{name}': {exc}") from None
        elif re.fullmatch(r"[+-]?[0-9]+", text):  # ASCII digits only (int() takes any script's)
            digits = text.lstrip("+-").lstrip("0") or "0"  # int() refuses over 4,300 digits, leading zeros too
            number = (-1 if text[0] == "-" else 1) * int(digits) if len(digits) <= 19 else _LONG_MAX + 1
        else:
            counts = " (or a count: 7B, 270M)" if kind == "integer" else ""
            raise ParameterError(f"parameter '{name}' must be an integer{counts}, not '{shown}'")
        if not _LONG_MIN <= number <= _LONG_MAX:  # past it, oxigraph reads the term as ill-typed: other rows
            raise ParameterError(f"parameter '{name}' must be an integer from {_LONG_MIN} to {_LONG_MAX} "
                                 f"(the range both engines compute with), not '{shown}'")
        return Lit(str(number), _XSD_INTEGER)
    if kind in ("decimal", "number"):
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
            raise ParameterError(f"parameter '{name}' must be a decimal number, not '{_shown(value)}'")
        from decimal import Decimal

        return Lit(f"{Decimal(value.strip()):f}", _XSD_DECIMAL)
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ParameterError(f"parameter '{name}' must be true or false, not '{_shown(value)}'")
        return Lit(value, _XSD_BOOLEAN)
    if kind in ("date", "gYear", "gYearMonth"):
        from kg.catalog.values import BadValue, parse_date

        try:
            date = parse_date(value)
        except BadValue as exc:
            raise ParameterError(f"parameter '{name}' {exc}") from None
        return Lit(date.text, date.datatype)
    if kind == "literal":
        return Lit(value, None, parameter.language) if parameter.language else Lit(value)
    from rdflib import Literal  # any other XSD datatype: its lexical form as rdflib normalizes it

    return Lit(str(Literal(value, datatype=XSD + kind)), XSD + kind)


def _shown(value: str) -> str:
    """A value as an error message echoes it: a long one cut."""
    return value if len(value) <= 40 else value[:37] + "..."


def _expanded(name: str, value: str, base: str) -> str | None:
    """``value`` as a full IRI when it is written with one of the prefixes the table prints
    (``model:llama-2``, ``kg:Model``), as a reader copies it from there; else None."""
    from kg.namespaces import ENTITY_PREFIXES, PREFIXES, normalized_base

    prefix, colon, local = value.partition(":")
    if not colon or local.startswith("//"):
        return None
    if prefix in ENTITY_PREFIXES:
        if not ID_PATTERN.fullmatch(local):
            raise ParameterError(f"parameter '{name}': '{local}' in '{value}' is not a catalog id "
                                 f"(lower case, digits, '.' and '-': {prefix}:llama-2)")
        return f"{normalized_base(base)}/{ENTITY_PREFIXES[prefix]}/{local}"
    return PREFIXES[prefix] + local if prefix in PREFIXES else None


def _entities_with_id(graph, value: str) -> list[Iri]:
    """Subjects whose dcterms:identifier is ``value``, in a pyoxigraph Store or an rdflib Graph."""
    identifier = DCTERMS + "identifier"
    if hasattr(graph, "quads_for_pattern"):
        import pyoxigraph as ox

        quads = graph.quads_for_pattern(None, ox.NamedNode(identifier), ox.Literal(value))
        return [Iri(v) for v in sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})]
    from rdflib import Literal, URIRef

    found = graph.subjects(URIRef(identifier), Literal(value))
    return [Iri(str(v)) for v in sorted(set(found)) if isinstance(v, URIRef)]


#: Schemes of IRIs written without ``//`` that a parameter takes as they are; any other
#: ``word:rest`` is taken for a prefixed id whose prefix is mistyped (``modle:llama-2``).
_OPAQUE_SCHEMES = frozenset({"urn", "mailto", "tag", "doi", "did", "info", "data", "isbn", "issn", "geo",
                             "tel", "ark", "hdl", "arxiv"})


def _iri(name: str, value: str, graph, base: str) -> Iri:
    value = value.strip()
    bracketed = value.startswith("<") and value.endswith(">")
    if bracketed:
        value = value[1:-1]
    elif (expanded := _expanded(name, value, base)) is not None:
        value = expanded
    if re.match(r"^[a-z][a-z0-9+.-]*:", value) and not re.match(r"^[a-z0-9.-]+$", value):
        if re.search(r"[\s<>\"{}|\\^`]", value):
            raise ParameterError(f"parameter '{name}' is not a valid IRI: '{value}'")
        scheme, _, rest = value.partition(":")
        if not bracketed and not rest.startswith("//") and scheme not in _OPAQUE_SCHEMES:
            from kg.namespaces import PREFIXES, mistyped_prefix

            hint = mistyped_prefix(value, also=PREFIXES) or f"no prefix '{scheme}'"
            raise ParameterError(f"parameter '{name}': {hint} (vocabularies: kg:, schema:…); an IRI of "
                                 f"another scheme is written <{value}>")
        return Iri(value)
    if not ID_PATTERN.fullmatch(value):
        raise ParameterError(f"parameter '{name}' must be an IRI, a catalog id or a prefixed id "
                             f"(model:llama-2), not '{value}'")
    segment = SEGMENT_HINTS.get(name.split("_")[0])
    if segment is not None:
        return Iri(entity_iri(base, segment, value))
    if graph is not None:
        found = _entities_with_id(graph, value)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            from kg.sparql.results import Shortener

            shorten = Shortener(base)  # as the table prints them
            options = " or ".join(shorten(f.value) for f in found)
            raise ParameterError(f"parameter '{name}': id '{value}' names several entities; "
                                 f"pass {options}")
    raise ParameterError(f"parameter '{name}': no entity has the id '{value}'")

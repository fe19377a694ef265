"""Saved SPARQL queries: grlc-style headers, typed parameters bound as RDF terms, safe execution."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import DCTERMS, XSD

from kg.errors import KgError, KgUsageError
from kg.namespaces import entity_iri
from kg.catalog.schema import KINDS, Kind
from kg.catalog.values import BadValue, parse_date


class QueryError(KgError):
    """A saved query that cannot be read, or a query the tool refuses to run."""


class ParameterError(QueryError, KgUsageError):
    """A parameter value that does not fit its declared type (a usage error)."""


#: Parameter name hints -> the kind of entity a bare id stands for.
KIND_HINTS: dict[str, Kind] = {
    **{k.segment: k for k in KINDS},
    "org": KINDS[1], "developer": KINDS[1], "base": KINDS[0], "ancestor": KINDS[0], "family": KINDS[0],
}

_PARAM = re.compile(r"[?$](__?[A-Za-z][A-Za-z0-9_]*)")
_TYPES = {"iri", "integer", "decimal", "number", "date", "literal", "boolean", "year"}


@dataclass(frozen=True)
class Parameter:
    """A query parameter: ``?_org_iri`` (required) or ``?__year_integer`` (optional)."""

    variable: str
    name: str
    type: str  # iri, integer, decimal, date, literal, boolean, or an XSD datatype local name
    required: bool
    language: str | None = None

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


@dataclass
class SavedQuery:
    """A ``queries/*.rq`` file: its metadata, text and parameters."""

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    parameters: list[Parameter] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def read_saved_query(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) or {} if header else {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path}: the '#+' header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise QueryError(f"{path}: the '#+' header must be 'key: value' lines")
    defaults = meta.get("defaults") or {}
    if isinstance(defaults, list):  # grlc writes defaults as a list of one-key mappings
        merged: dict = {}
        for item in defaults:
            if isinstance(item, dict):
                merged.update(item)
        defaults = merged
    tags = meta.get("tags") or []
    return SavedQuery(
        name=path.stem, path=path, text=text,
        summary=str(meta.get("summary", "")).strip(),
        description=str(meta.get("description", "")).strip(),
        tags=[str(t) for t in (tags if isinstance(tags, list) else [tags])],
        defaults={str(k): str(v) for k, v in defaults.items()},
        parameters=detect_parameters(text),
        meta=meta,
    )


def list_saved_queries(folder: Path) -> list[SavedQuery]:
    return [read_saved_query(p) for p in sorted(folder.glob("*.rq"))]


def find_saved_query(folder: Path, name: str) -> SavedQuery:
    path = folder / (name if name.endswith(".rq") else f"{name}.rq")
    if not path.is_file():
        import difflib

        names = [p.stem for p in sorted(folder.glob("*.rq"))]
        close = [n for n in names if n.startswith(name)][:1] or difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "run 'kg queries' to list them"
        raise QueryError(f"no saved query '{name}' in {folder}: {hint}")
    return read_saved_query(path)


def uses_named_graphs(text: str) -> bool:
    """Can the query read named graphs? Only through GRAPH (FROM NAMED is refused): a conservative
    word test (after SPARQL's \\u escapes are decoded), so that a query that cannot see them does not
    wait for them to load."""
    decoded = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                     lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return re.search(r"graph", decoded, re.IGNORECASE) is not None


def looks_like_name(text: str) -> bool:
    """Is ``text`` the name of a saved query (``models-by-organization``) rather than SPARQL?"""
    return bool(_NAME.match(text.strip()))


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


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


def parse_safe(text: str):
    """Parse ``text`` as a SPARQL query and refuse what would touch the network or write."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        if re.search(r"^\s*(PREFIX[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b",
                     _strip_comments(text), re.I):
            raise QueryError("updates are refused: kg runs read-only queries") from None
        raise QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    _walk_forbidden(tree)
    return tree


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

def bind_parameters(query: SavedQuery, given: dict[str, str], graph: Graph | None,
                    base: str) -> dict[Variable, object]:
    """Turn ``name=value`` strings into RDF terms for the query's parameters."""
    by_name = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise ParameterError(f"unknown parameter '{unknown[0]}' for {query.name} (parameters: {known})")
    values = {**{k: v for k, v in query.defaults.items() if k in by_name}, **given}
    bindings: dict[Variable, object] = {}
    for parameter in query.parameters:
        if parameter.name not in values:
            if parameter.required:
                raise ParameterError(f"{query.name} needs -p {parameter.name}=… ({parameter.type})")
            continue
        bindings[Variable(parameter.variable)] = to_term(parameter, values[parameter.name], graph, base)
    return bindings


def to_term(parameter: Parameter, value: str, graph: Graph | None, base: str):
    """The RDF term for one parameter value; ParameterError says what is wrong with it."""
    kind = parameter.type
    name = parameter.name
    if kind == "iri":
        return _iri(name, value, graph, base)
    if kind in ("integer", "year"):
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ParameterError(f"parameter '{name}' must be an integer, not '{value}'")
        return Literal(int(value), datatype=XSD.integer)
    if kind in ("decimal", "number"):
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
            raise ParameterError(f"parameter '{name}' must be a decimal number, not '{value}'")
        return Literal(value.strip(), datatype=XSD.decimal)
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ParameterError(f"parameter '{name}' must be true or false, not '{value}'")
        return Literal(value == "true")
    if kind in ("date", "gYear", "gYearMonth"):
        try:
            date = parse_date(value)
        except BadValue as exc:
            raise ParameterError(f"parameter '{name}' {exc}") from None
        return Literal(date.text, datatype=date.datatype)
    if kind == "literal":
        return Literal(value, lang=parameter.language) if parameter.language else Literal(value)
    datatype = XSD[kind]
    return Literal(value, datatype=datatype)


def _entities_with_id(graph, value: str) -> list[URIRef]:
    """Subjects whose dcterms:identifier is ``value``, in an rdflib Graph or a pyoxigraph Store."""
    if isinstance(graph, Graph):
        return sorted(set(graph.subjects(DCTERMS.identifier, Literal(value))))
    import pyoxigraph as ox

    quads = graph.quads_for_pattern(None, ox.NamedNode(str(DCTERMS.identifier)), ox.Literal(value))
    return sorted({URIRef(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode)})


def _iri(name: str, value: str, graph, base: str) -> URIRef:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*:", value) and not re.match(r"^[a-z0-9.-]+$", value):
        if re.search(r"[\s<>\"{}|\\^`]", value):
            raise ParameterError(f"parameter '{name}' is not a valid IRI: '{value}'")
        return URIRef(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", value):
        raise ParameterError(f"parameter '{name}' must be an IRI or a catalog id, not '{value}'")
    hint = KIND_HINTS.get(name.split("_")[0])
    if hint is not None:
        return URIRef(entity_iri(base, hint.segment, value))
    if graph is not None:
        found = _entities_with_id(graph, value)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            options = ", ".join(str(f) for f in found)
            raise ParameterError(f"parameter '{name}': id '{value}' names several entities ({options}); "
                                 "pass the full IRI")
    raise ParameterError(f"parameter '{name}': no entity has the id '{value}'")

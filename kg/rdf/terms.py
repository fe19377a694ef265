"""RDF terms between kg's canonical lines, rdflib and pyoxigraph: one converter per direction,
one compactor, one way to load lines into a pyoxigraph store.

Entity IRIs are built by ``kg.namespaces.entity_iri``; canonical N-Triples text by
``kg.rdf.ntriples``. rdflib is imported by the converters that need it, when they run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kg import namespaces as ns
from kg.rdf.ntriples import Blank, Iri, Lit, to_bytes

_XSD_STRING = ns.XSD + "string"


_RDFLIB_TERMS: tuple | None = None
#: Whether the application asked for rdflib's warnings about ill-typed literals in one line each
#: (``say_literal_problems_in_one_line``): kg's CLI does.
_ONE_LINE_WANTED = False


def _rdflib_terms() -> tuple:
    """(URIRef, Literal, BNode), imported on first use."""
    global _RDFLIB_TERMS
    if _RDFLIB_TERMS is None:
        from rdflib import BNode, Literal, URIRef

        _RDFLIB_TERMS = (URIRef, Literal, BNode)
        if _ONE_LINE_WANTED:
            _install_one_line_filter()
    return _RDFLIB_TERMS


def say_literal_problems_in_one_line() -> None:
    """Have rdflib's warning about an ill-typed literal ("abc"^^xsd:integer, in a query or a
    result) said once per datatype, in one line that names the problem, instead of a traceback
    each time rdflib converts the literal: a choice for an application to make (kg query's does).
    Installed when kg first makes rdflib terms (at once if it already has), so that a query that
    never meets rdflib imports no logging module."""
    global _ONE_LINE_WANTED
    _ONE_LINE_WANTED = True
    if _RDFLIB_TERMS is not None:
        _install_one_line_filter()


class OneLinePerLiteralProblem:
    """A filter for the ``rdflib.term`` logger (``say_literal_problems_in_one_line``). rdflib still
    answers: the literal keeps its lexical form and has no value, as on oxigraph."""

    def __init__(self) -> None:
        self.said: set[tuple] = set()

    def filter(self, record) -> bool:
        import re

        if not record.exc_info or not record.exc_info[1]:
            return True
        datatype = re.search(r"Datatype=(\S+?),", record.getMessage())
        datatype = datatype.group(1) if datatype else "its datatype"
        problem = record.exc_info[1]
        key = (datatype, type(problem))
        if key in self.said:
            return False
        self.said.add(key)
        record.msg = f"warning: a literal that is not a valid {datatype} ({type(problem).__name__}: {problem})"
        record.args, record.exc_info, record.exc_text = (), None, None
        return True


def _install_one_line_filter() -> None:
    import logging

    logger = logging.getLogger("rdflib.term")
    if not any(type(f) is OneLinePerLiteralProblem for f in logger.filters):
        logger.addFilter(OneLinePerLiteralProblem())


def to_rdflib(obj: Iri | Lit | Blank | None):
    """A neutral term (``Iri``/``Lit``/``Blank``) as an rdflib term."""
    URIRef, Literal, BNode = _RDFLIB_TERMS or _rdflib_terms()
    if obj is None:
        return None
    if type(obj) is Iri:
        return URIRef(obj.value)
    if type(obj) is Blank:
        return BNode(obj.value)
    return Literal(obj.lexical, datatype=URIRef(obj.datatype) if obj.datatype else None, lang=obj.language)


def to_oxigraph(term):
    """A neutral or rdflib term as a pyoxigraph term (plain literals become xsd:string, as in RDF 1.1)."""
    import pyoxigraph as ox

    kind = type(term)
    if kind is Iri:
        return ox.NamedNode(term.value)
    if kind is Lit:
        if term.language:
            return ox.Literal(term.lexical, language=term.language)
        if term.datatype:
            return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))
        return ox.Literal(term.lexical)
    if kind is Blank:
        return ox.BlankNode(term.value)
    URIRef, Literal, BNode = _RDFLIB_TERMS or _rdflib_terms()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def from_oxigraph(term):
    """A pyoxigraph term as the rdflib term rdflib itself would give (xsd:string -> plain): the
    same as ``to_rdflib(neutral_from_oxigraph(term))``, without the neutral term in between
    (a warm query on rdflib converts thousands of them)."""
    import pyoxigraph as ox

    URIRef, Literal, BNode = _RDFLIB_TERMS or _rdflib_terms()
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    return to_rdflib(neutral_from_oxigraph(term))  # a blank node, None, or a TypeError


def rdflib_triples(data: bytes) -> Iterator[tuple]:
    """The triples of canonical N-Triples ``data``, lines as kg writes them (kg.rdf.ntriples), as
    rdflib terms, each distinct term made once: the same terms ``from_oxigraph`` gives for what
    pyoxigraph parses, at about half the cost (no pyoxigraph term is made for each position of
    each line). ValueError for what kg does not write (an escape in an IRI or a datatype, a
    language tag not in lower case, a missing `` .``): ``data`` is then for a full N-Triples
    parser. It checks the form kg writes, not every rule of N-Triples: lines from elsewhere
    (the cache's are kg's, from a build of the same version) belong to a full parser.
    """
    from kg.rdf.ntriples import split_literal

    URIRef, Literal, BNode = _RDFLIB_TERMS or _rdflib_terms()
    made: dict = {}

    def term(text: str):
        first = text[:1]
        if first == "<" and text[-1] == ">" and "\\" not in text and " " not in text:
            value = URIRef(text[1:-1])
        elif first == '"':
            lexical, datatype, language = split_literal(text)
            if (language is not None and language != language.lower()) or (datatype and "\\" in datatype):
                raise ValueError(f"not a literal kg writes: {text[:80]}")  # pyoxigraph reads them otherwise
            if datatype is None or datatype == _XSD_STRING:  # a plain string is its own normal form
                value = Literal(lexical, lang=language, normalize=False)
            else:
                value = Literal(lexical, datatype=URIRef(datatype))
        elif first == "_" and text[1:2] == ":" and " " not in text:
            value = BNode(text[2:])
        else:
            raise ValueError(f"not a term kg writes: {text[:80]}")
        made[text] = value
        return value

    get = made.get
    for line in data.decode("utf-8").split("\n"):
        if not line:
            continue
        end = line.index(">", 1) + 1 if line[0] == "<" else line.index(" ")
        stop = line.index(">", end + 2) + 1
        if line[end:end + 2] != " <" or line[stop] != " " or line[-2:] != " .":
            raise ValueError(f"not a line kg writes: {line[:80]}")
        subject, predicate, obj = line[:end], line[end + 1:stop], line[stop + 1:-2]
        yield (get(subject) or term(subject), get(predicate) or term(predicate),
               (made[obj] if obj in made else term(obj)))


def neutral_from_rdflib(term) -> Iri | Lit | Blank | None:
    """An rdflib term (or None) as a neutral term (an explicit xsd:string stays explicit)."""
    if term is None:
        return None
    URIRef, Literal, BNode = _RDFLIB_TERMS or _rdflib_terms()
    if isinstance(term, Literal):
        return Lit(str(term), str(term.datatype) if term.datatype is not None else None, term.language)
    if isinstance(term, BNode):
        return Blank(str(term))
    return Iri(str(term))


def neutral_from_oxigraph(term) -> Iri | Lit | Blank | None:
    """A pyoxigraph term as a neutral term (xsd:string -> plain, as rdflib reads it)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Iri(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Lit(term.value, None, term.language)
        datatype = term.datatype.value
        return Lit(term.value, None if datatype == _XSD_STRING else datatype)
    if isinstance(term, ox.BlankNode):
        return Blank(term.value)
    raise TypeError(f"cannot convert {term!r}")


def compactor(base: str | None = None) -> Callable[[str], str]:
    """A function writing an IRI as ``prefix:local`` with kg's prefixes (and, given ``base``, the
    entity prefixes model:, org:, …); an IRI no prefix covers comes back whole.

    >>> compactor("https://w3id.org/llm-kg")("https://w3id.org/llm-kg/model/llama-2")
    'model:llama-2'
    """
    namespaces = [(iri, prefix) for prefix, iri in ns.PREFIXES.items()]
    if base is not None:
        root = ns.normalized_base(base)
        namespaces += [(f"{root}/{segment}/", prefix) for prefix, segment in ns.ENTITY_PREFIXES.items()]
    namespaces.sort(key=lambda item: -len(item[0]))  # the longest namespace wins
    by_namespace: dict[str, str] = {}
    for namespace, prefix in namespaces:
        by_namespace.setdefault(namespace, prefix)
    # When every namespace ends in / or #, the one an IRI's last / or # closes is the longest that
    # can match: one dict lookup instead of trying each (the JSON-LD export compacts ~2 IRIs a triple)
    cut_at_last = all(namespace.endswith(("/", "#")) for namespace in by_namespace)

    def compact(iri: str) -> str:
        if cut_at_last:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = by_namespace.get(iri[:cut])
            if prefix is not None:
                return f"{prefix}:{iri[cut:]}"
        for namespace, prefix in namespaces:
            if iri.startswith(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    return compact


#: Lines per load when loading a list of lines (see ``load_store``).
LOAD_CHUNK = 100_000


def load_store(content: Iterable[str] | bytes, store=None, *, quads: bool = False, chunk: int = LOAD_CHUNK,
               bulk: bool = False, trusted: bool = False):
    """Load canonical N-Triples (sorted lines, or their bytes; N-Quads with ``quads``) into ``store``
    (default: a new in-memory pyoxigraph store), which is returned.

    Lines go in ``chunk`` at a time, each chunk joined into bytes first: pyoxigraph then loads
    without the GIL (a Python reader would need it for every read, and waits for it while kg
    build's JSON-LD writer runs), and no more than a chunk's bytes exist at once.

    An in-memory store takes the content with ``Store.load``; ``bulk`` (for on-disk stores) with
    ``Store.bulk_load``, which writes sorted files straight to disk. ``trusted``: the lines were
    just made by kg from the catalog (its build), so they are parsed leniently: pyoxigraph does
    not check the IRIs again (syntax errors still raise). Anything read back from a file (the
    query cache's) is checked, so that a file damaged inside an IRI fails instead of answering.
    At a million lines, in memory: 1.9 s with a lenient ``load`` against 3.4 s with a strict
    ``bulk_load``, the same memory; on disk, a transactional ``load`` took 13.3 CPU-seconds and
    465 MB, a lenient ``bulk_load`` 5.8 and 139 MB (``benchmarks/store_load.py``, medians of 3).
    """
    import pyoxigraph as ox

    if store is None:
        store = ox.Store()
    syntax = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
    put = store.bulk_load if bulk else store.load
    if isinstance(content, (bytes, bytearray)):
        if content.strip():
            put(content, format=syntax, lenient=trusted)
        return store
    lines = content if isinstance(content, list) else list(content)
    for start in range(0, len(lines), chunk):
        put(to_bytes(lines[start:start + chunk]), format=syntax, lenient=trusted)
    return store

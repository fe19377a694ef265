"""Reading one YAML entry safely, remembering the line and column of every value.

Safe-load semantics (no Python objects), duplicate keys rejected, aliases bounded, files
size-limited, and each scalar's source text kept so that YAML 1.1 surprises (``no`` read
as false, ``1.10`` as 1.1) can be explained to the contributor.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import yaml
from kg.catalog.plain_yaml import read_plain
from kg.errors import KgError
from kg.util.fsutil import NotRegularFile, read_regular

try:  # libyaml keeps marks and is several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_NODE = yaml.ScalarNode


class _Reader(_Loader):
    """The safe loader with its resolver's lookup made short: libyaml's composer calls ``resolve``
    (Python) for every node, and PyYAML's copies two lists per scalar. Same tags, as long as no
    path resolver or wildcard resolver is registered (then PyYAML's own ``resolve`` is kept)."""

    _implicit = {first: tuple(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()}
    #: The tag of each short plain scalar seen (keys and small values repeat from file to file: a
    #: dict lookup instead of the resolver's regular expressions); emptied past ``_REMEMBER`` of them.
    _plain_tags: dict[str, str] = {}
    _REMEMBER = 20_000

    @classmethod
    def plain_tag(cls, value: str) -> str:
        """The tag of a plain scalar written ``value``, by the implicit resolvers (both readings use it)."""
        tag = cls._plain_tags.get(value)
        if tag is not None:
            return tag
        tag = cls.DEFAULT_SCALAR_TAG
        for candidate, regexp in cls._implicit.get(value[:1], ()):
            if regexp.match(value):
                tag = candidate
                break
        if len(value) <= 40:
            if len(cls._plain_tags) >= cls._REMEMBER:
                cls._plain_tags.clear()
            cls._plain_tags[value] = tag
        return tag

    def resolve(self, kind, value, implicit):
        if kind is _SCALAR_NODE:
            return self.plain_tag(value) if implicit[0] else self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG

    if _Loader.yaml_path_resolvers or None in _Loader.yaml_implicit_resolvers:  # pragma: no cover
        del resolve


#: Whether kg.catalog.plain_yaml may read a text: only with the resolution above (PyYAML's own,
#: kept when path or wildcard resolvers are registered, could tag a scalar otherwise).
_PLAIN_READING = "resolve" in _Reader.__dict__
#: Builds plain scalars (ints, floats, booleans, dates, nulls); they keep no state in it.
_SCALARS = yaml.constructor.SafeConstructor()
_PLAIN_SCALARS = {f"tag:yaml.org,2002:{name}": _SCALARS.yaml_constructors[f"tag:yaml.org,2002:{name}"]
                  for name in ("int", "float", "bool", "null", "timestamp")}

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_ALIASES = 50
#: How deep values may nest: an entry needs four levels (sources > item > for > fact).
MAX_DEPTH = 20

Path_ = tuple  # a path to a value: ("based_on", 0, "model")


class YamlProblem(KgError):
    """A file that cannot be read as a catalog entry (code, line, column, message)."""

    def __init__(self, code: str, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.code, self.line, self.column, self.message = code, line, column, message

    def __reduce__(self):  # travels with its document from a reading process
        return YamlProblem, (self.code, self.line, self.column, self.message)


class Document:
    """A parsed entry: its data and where each value stands in the file (1-based).

    ``marks`` (path -> (line, column)) and ``source_text`` (path -> the scalar as written) are
    read off the composed YAML nodes the first time something asks: most entries never report
    a problem, and making a path tuple and two dict items per value for each of them cost a
    third of reading a file.
    """

    __slots__ = ("path", "data", "_marks", "_source_text", "_root", "problems", "digest")

    def __init__(self, path: str | Path | None, data: Any, marks: dict[Path_, tuple[int, int]] | None = None,
                 source_text: dict[Path_, str] | None = None, problems: tuple[YamlProblem, ...] = (),
                 digest: bytes = b"") -> None:
        #: The file, as a string (a Path object per entry weighs ~300 bytes more, and pickles slowly).
        self.path = path if path is None or isinstance(path, str) else os.fspath(path)
        self.data = data
        self._marks, self._source_text = marks, source_text
        #: The composed node tree (or the text, to compose), until ``marks`` or ``source_text`` are read off it.
        self._root: yaml.Node | str | None = None
        #: Problems that did not stop the reading (a duplicate key: the first value is kept).
        self.problems = problems  # a tuple: most documents share the empty one
        #: sha256 of the file's bytes (kg.pipeline.cache fingerprints the catalog without reading it again).
        self.digest = digest

    @property
    def marks(self) -> dict[Path_, tuple[int, int]] | None:
        """Line and column of each value (and of each key, at ``path + ("key", key)``); None once
        ``release`` dropped them."""
        if self._marks is None and self._root is not None:
            self._read_nodes()
        return self._marks

    @property
    def source_text(self) -> dict[Path_, str]:
        """Each scalar as written, by path; empty once ``release`` dropped it."""
        if self._source_text is None:
            if self._root is None:
                return {}
            self._read_nodes()
        return self._source_text

    def _read_nodes(self) -> None:
        root, text = self._root, ""
        if isinstance(root, str):  # the text, composed only now (read by kg.catalog.plain_yaml, or
            text = root            # holding a character only YAML takes for a line break)
            try:
                root = _compose(root)
            except YamlProblem:  # cannot happen for a text read before; no marks rather than a crash
                self._marks, self._source_text, self._root = {}, {}, None
                return
        self._marks, self._source_text = _positions(root, text)
        self._root = None

    def __reduce__(self):  # travels from a reading process: the nodes stay behind, a text to compose goes
        if self._root is not None and not isinstance(self._root, str):
            self._read_nodes()
        return _unpickled_document, (self.path, self.data, self._marks, self._source_text, self.problems,
                                     self.digest, self._root)

    def where(self, *path) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of its nearest parent."""
        marks = self.positions()
        path = tuple(path)
        while path:
            if path in marks:
                return marks[path]
            path = path[:-1]
        return marks.get((), (1, 1))

    def release(self) -> None:
        """Forget what only the first reading needs once the entry is normalized.

        The parsed values, the nodes and source text go; so do the marks of a document read from
        a file (``positions`` finds them again, for the few entries a later diagnostic names).
        """
        self.data = self._source_text = None
        if self.digest:
            self._marks = self._root = None
        elif self._root is not None:
            self._read_nodes()
            self._source_text = None

    def positions(self) -> dict[Path_, tuple[int, int]]:
        """The marks, parsed again from the file when ``release`` dropped them.

        A file that changed (or vanished) since it was read yields no marks: its diagnostics
        then point at line 1 rather than at a line that may no longer be the right one.
        """
        if self.marks is None:
            again = None
            if self.digest:  # read from a file, which may be read again
                try:
                    again = load_document(self.path)
                except (OSError, YamlProblem):
                    pass
            self._marks = again.marks if again is not None and again.digest == self.digest else {}
        return self._marks

    def key_where(self, key: str) -> tuple[int, int]:
        """Line and column of a top-level key itself."""
        return self.positions().get(("key", key), self.where(key))


def load_document(path: str | os.PathLike) -> Document:
    """Read and parse ``path``; raise YamlProblem for anything that is not a usable entry."""
    return document_of(read_entry_bytes(path), path)


def read_entry_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of the entry file ``path``; YamlProblem for a file no entry can be (OSError as raised).

    kg.catalog.loader reads a few hundred files this way before parsing them (``document_of``):
    going back and forth between the system calls and the parsing of each file cost 9 µs more
    a file at a million triples (60 against 51 µs, 9.7k files, in batches of 250).
    """
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile:
        raise YamlProblem("KG009", 1, 0, "not a regular file (a FIFO, device or socket): replace it with "
                          "a YAML file or remove it") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem("KG005", 1, 0, f"file is more than the {MAX_FILE_BYTES} bytes "
                          "a catalog entry may have: split it or remove pasted material")
    return raw


def document_of(raw: bytes, path: str | os.PathLike) -> Document:
    """The Document of an entry file's bytes (``read_entry_bytes``); YamlProblem as ``load_document``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        if line_start == 0 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark is no column
            line_start = 3
        column = len(raw[line_start:exc.start].decode("utf-8")) + 1  # in characters, as an editor counts
        raise YamlProblem("KG001", line, column, f"byte 0x{raw[exc.start]:02x} is not UTF-8: "
                          "save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(not l.strip() or l.lstrip().startswith("#") for l in text.splitlines()):
        raise YamlProblem("KG002", 1, 0, "file is empty: add at least 'name: …' or delete the file")
    doc = parse_text(text, path)
    doc.digest = hashlib.sha256(raw).digest()
    return doc


def parse_text(text: str, path: str | os.PathLike | None) -> Document:
    """Parse YAML text into a Document (see load_document).

    A text in the plain subset entries are written in is read by kg.catalog.plain_yaml (its
    nodes are composed only if something asks for their marks); any other by libyaml's composer.
    """
    if "!" in text:  # only then can there be a tag: the events say where
        _refuse_tags(text)
    data = read_plain(text, _plain_scalar, MAX_NODES, _PLAIN_VALUES) if _PLAIN_READING else None
    if data is not None:
        doc = Document(path, data)
        doc._root = text  # composed on demand (Document._read_nodes)
        return doc
    node = _compose(text)
    doc = Document(path, None)
    doc.data = _Walker(doc, _SCALARS, text).value(node, 0)
    if not isinstance(doc.data, dict):
        raise YamlProblem("KG007", *_LinePositions(text).of(node.start_mark), "an entry must be "
                          "a mapping of keys (name: …, url: …), not a list or a single value")
    # the marks are read off the nodes; off the text again where libyaml counts lines otherwise
    doc._root = text if _YAML_ONLY_BREAKS.search(text) else node
    return doc


def _unpickled_document(path, data, marks, source_text, problems, digest, text: str | None) -> Document:
    """A Document as ``Document.__reduce__`` sent it (with the text kg.catalog.plain_yaml read, still to compose)."""
    doc = Document(path, data, marks, source_text, problems, digest)
    doc._root = text
    return doc


#: The plain scalars kg.catalog.plain_yaml has built with ``_plain_scalar``, by their text.
_PLAIN_VALUES: dict[str, Any] = {}


def forget_plain_values() -> None:
    """Empty the plain scalars kept from one file to the next (a catalog is read: they are of no more use)."""
    _PLAIN_VALUES.clear()


def _plain_scalar(value: str) -> Any:
    """A plain scalar as the full reading builds it: resolved as ``_Reader.resolve`` does, built as
    ``_Walker._scalar`` does; what it would report raises (kg.catalog.plain_yaml then declines)."""
    tag = _Reader.plain_tag(value)
    if tag == _STR_TAG:
        return value
    build = _PLAIN_SCALARS[tag]  # a KeyError for another tag: declined
    try:
        return build(_SCALARS, yaml.ScalarNode(tag, value))
    except ValueError:  # as _Walker._scalar: the text stays, for the key's own check to report
        return value


#: Characters libyaml counts as line breaks that editors and kg do not (NEL, LINE and PARAGRAPH
#: SEPARATOR): in a text holding one, libyaml's line numbers run ahead of the editor's.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _LinePositions:
    """Line and column (1-based) of a libyaml mark, as an editor counts them: by its index in the
    text when the text holds a character only YAML takes for a line break (or ``by_index``),
    else as libyaml says."""

    __slots__ = ("_starts",)

    def __init__(self, text: str, by_index: bool = False) -> None:
        self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))] \
            if by_index or _YAML_ONLY_BREAKS.search(text) else None

    def of(self, mark) -> tuple[int, int]:
        if self._starts is None:
            return mark.line + 1, mark.column + 1
        return self.at(mark.index)

    def at(self, index: int) -> tuple[int, int]:
        """The line and column of the character at ``index`` (made ``by_index``)."""
        line = bisect.bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1


def _compose(text: str) -> yaml.Node:
    """The text's node tree, by libyaml; YamlProblem for what is not one YAML document."""
    loader = _Reader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (a control character)
        # libyaml counts the position in bytes of the UTF-8 text
        position = len(text.encode("utf-8")[:max(exc.position, 0)].decode("utf-8", "ignore"))
        line, column = _LinePositions(text, by_index=True).at(position)
        raise YamlProblem("KG003", line, column, f"YAML syntax error: character U+{exc.character:04X} is not "
                          "allowed in YAML: remove it") from None
    except yaml.YAMLError as exc:
        raise YamlProblem("KG003", 1, 0, f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlProblem("KG006", 1, 0, f"values nested more than {MAX_DEPTH} levels deep: "
                          "an entry is a flat list of keys") from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlProblem("KG002", 1, 0, "file is empty: add at least 'name: …' or delete the file")
    return node


#: What to do about libyaml's syntax errors, by its problem (and the context it names, where that
#: decides), and whether an error found on a later line than its context began is placed where
#: the context began (an unclosed bracket or quote, which libyaml notices only lines later).
_SYNTAX_FIXES: dict[tuple[str, str | None], tuple[bool, str]] = {
    ("did not find expected ',' or ']'", "while parsing a flow sequence"):
        (True, "the list opened with '[' here is not closed: end it with ']' on the same value, "
               "its items separated by ', '"),
    ("did not find expected ',' or '}'", "while parsing a flow mapping"):
        (True, "the '{' here is not closed: end it with '}' (or quote the value if it is text)"),
    ("found unexpected end of stream", "while scanning a quoted scalar"):
        (True, "the quote opened here is never closed: end the value with the same quote"),
    ("found unknown escape character", None):
        (False, "'\\' begins an escape inside double quotes: write '\\\\', or use single quotes"),
    ("mapping values are not allowed in this context", None):
        (False, "': ' inside a plain value, a key indented under another key's value, or a key above "
                "with no space after its ':': quote the value ('…'), align the key with the others, "
                "or write 'key: value'"),
    ("found a tab character that violates indentation", None): (False, "YAML is indented with spaces, not tabs"),
    ("found a tab character where an indentation space is expected", None):
        (False, "YAML is indented with spaces, not tabs"),
    ("did not find expected key", None):
        (False, "this line is neither 'key: value' at the entry's indentation nor an item of the list "
                "above, or text follows a closing quote or bracket, or a quote opened above is not "
                "closed: check the indentation, quotes and brackets here and above"),
    ("did not find expected '-' indicator", None):
        (False, "a line inside a list that is not an item: begin it with '- ' at the items' "
                "indentation, or end the list before it"),
    ("could not find expected ':'", None):
        (True, "this line has no ': ' (a key is written 'key: value', with a space after the ':'), "
               "or it belongs to the value above and should be indented under its key"),
    ("found undefined alias", None): (False, "'*' begins an alias in YAML: quote the value ('*…')"),
    ("more than one YAML document ('---')", None): (False, "keep one entry per file"),
    ("did not find expected alphabetic or numeric character", "while scanning an alias"):
        (False, "'*' begins an alias in YAML: quote the value ('*…')"),
    ("did not find expected alphabetic or numeric character", "while scanning an anchor"):
        (False, "'&' begins an anchor in YAML: quote the value ('&…')"),
}
#: Where libyaml's error and its context are on the same line, the bracket may well be closed:
#: what usually goes wrong inside it instead.
_IN_BRACKETS = ("a ',' is missing here, or an item holds a quote, bracket or ': ': separate the items "
                "with ', ' and quote such an item ('…', with '' for a ' inside it)")


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """KG003 for a libyaml syntax error: its words, where to look, and what to do."""
    problem = exc.problem or str(exc)
    context, problem_mark, context_mark = exc.context, exc.problem_mark, exc.context_mark
    if "expected a single document" in str(exc):
        problem, context = "more than one YAML document ('---')", None
    use_context, fix = _SYNTAX_FIXES.get((problem, context)) or _SYNTAX_FIXES.get((problem, None)) or (
        False, "fix the YAML at this line and column (its indentation, quotes and brackets)")
    if problem == "found character that cannot start any token" and problem_mark is not None:
        found = text[problem_mark.index:problem_mark.index + 1]
        fix = "YAML is indented with spaces, not tabs" if found == "\t" else \
            f"a plain value cannot begin with '{found}': quote it ('…')"
    if problem == "could not find expected ':'" and context_mark is not None and _after_list_item(text, context_mark):
        fix = ("this line follows a list item but does not begin with '- ': write '- ' before it, or, "
               "for a key, 'key: value'")
    same_line = problem_mark is not None and context_mark is not None and problem_mark.line == context_mark.line
    if use_context and same_line and context in ("while parsing a flow sequence", "while parsing a flow mapping"):
        use_context, fix = False, _IN_BRACKETS  # the bracket may be closed later on this line
    elif same_line:
        use_context = False
    mark = (context_mark if use_context else problem_mark) or problem_mark or context_mark
    line, column = _LinePositions(text).of(mark) if mark else (1, 0)
    return YamlProblem("KG003", line, column, f"YAML syntax error: {problem}: {fix}")


def _after_list_item(text: str, mark) -> bool:
    """Is the last line with text before the mark's a block list item (``- …``)?"""
    before = text[:text.rfind("\n", 0, mark.index) + 1].splitlines()
    previous = next((line for line in reversed(before) if line.strip()), "")
    return previous.lstrip(" ").startswith("- ")


def _refuse_tags(text: str) -> None:
    """Refuse any explicit YAML tag (``!!set``, ``!!binary``, ``!custom``, ``!!python/…``), wherever it is:
    an entry is plain keys and values."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise YamlProblem("KG003", *_LinePositions(text).of(event.start_mark), f"YAML tag '{tag}' is not "
                                  "allowed: remove it and write a plain value (quote it if it is text)")
    except yaml.YAMLError:  # a syntax error: the composer reports it with its position
        return


class _Walker:
    """Turns a composed node tree into Python values, counting nodes and aliases (the marks are
    read off the same nodes later, by ``_positions``, if something asks for them)."""

    def __init__(self, doc: Document, constructor, text: str = "") -> None:
        self.doc, self.constructor = doc, constructor
        self.where = _LinePositions(text).of  # a mark's line and column
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise YamlProblem("KG006", *self.where(node.start_mark),
                              f"values nested more than {MAX_DEPTH} levels deep: an entry is a flat "
                              "list of keys")
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlProblem("KG006", *self.where(node.start_mark),
                                  f"the anchor here is referenced by more than {MAX_ALIASES} aliases "
                                  "(*name): write the values out instead of using anchors and aliases")
        self.seen.add(id(node))
        if self.nodes > MAX_NODES:
            raise YamlProblem("KG006", *self.where(node.start_mark),
                              f"more than {MAX_NODES} values: an entry this large is a mistake "
                              "(or an alias bomb)")
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:  # what SafeConstructor.construct_yaml_str returns, without its cost
                return node.value
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, depth + 1) for child in node.value]
        return self._mapping(node, depth)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            fast = _PLAIN_SCALARS.get(node.tag)
            if fast is not None:
                value = fast(self.constructor, node)
            else:  # other tags (!!binary, !!seq on a scalar, unknown ones) take PyYAML's full path
                value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise YamlProblem("KG003", *self.where(node.start_mark),
                              f"YAML value error: {getattr(exc, 'problem', None) or exc}") from None
        except ValueError:  # e.g. 2024-13-01 is resolved as a timestamp, then fails: keep the text,
            return node.value  # so that the key's own check reports it and the file's other problems
        return value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("KG003", *self.where(key_node.start_mark),
                                  "a key must be a plain word, not a list or mapping")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("KG006", *self.where(key_node.start_mark),
                                  "merge keys ('<<') are not allowed: write the keys out")
            key = key_node.value
            if key in result:
                first = self.where(next(k for k, _ in node.value if k.value == key).start_mark)[0]
                self.doc.problems += (YamlProblem(
                    "KG004", *self.where(key_node.start_mark),
                    f"duplicate key '{key}' (first at line {first}): keep one and merge the values"),)
                continue
            result[key] = self.value(value_node, depth + 1)
        return result


def _positions(root: yaml.Node, text: str = "") -> tuple[dict[Path_, tuple[int, int]], dict[Path_, str]]:
    """The marks and source text of a node tree ``_Walker`` accepted: the line and column of each
    value at its path (``("based_on", 0, "model")``) and of each key at ``path + ("key", key)``,
    and each scalar as written. A duplicate key's second value is skipped, as the walker does.
    ``text``, the tree's text, is needed only where libyaml's lines differ (``_LinePositions``)."""
    marks: dict[Path_, tuple[int, int]] = {}
    texts: dict[Path_, str] = {}
    where = _LinePositions(text).of

    def walk(node: yaml.Node, path: Path_) -> None:
        marks[path] = where(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            texts[path] = node.value
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, path + (i,))
        else:
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    continue
                seen.add(key)
                marks[path + ("key", key)] = where(key_node.start_mark)
                walk(value_node, path + (key,))

    walk(root, ())
    return marks, texts

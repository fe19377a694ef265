"""Loading the catalog: every YAML entry of ``data/``, checked against the format of schema.py."""
from __future__ import annotations

import difflib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import ProjectError
from kg.catalog.diagnostics import Report
from kg.util.progress import Progress, quiet
from kg.catalog.licenses import ALL_LICENSES
from kg.util.parallel import available_cores, map_shares_streaming, split
from kg.catalog.schema import DERIVATIONS, FIELDS, KIND_BY_FOLDER, KINDS, Field, Kind
from kg.namespaces import ID_PATTERN
from kg.catalog.provenance import parse_attribution, parse_claim
from kg.catalog.values import (BadValue, parse_count, parse_date, parse_url, parse_wikidata,
                              refuse_control_characters)
from kg.catalog.yamlload import Document, YamlProblem, document_of, forget_plain_values, read_entry_bytes


@dataclass(frozen=True, slots=True)
class Value:
    """One normalized value of a key, with the path that finds its line in the file."""

    value: Any
    path: tuple
    relation: str | None = None  # based_on only

    def __reduce__(self):  # pickled by its fields: several times faster than slots' default
        return Value, (self.value, self.path, self.relation)


@dataclass(slots=True)
class Entry:
    """A catalog entry: its kind, id, file and normalized values by key."""

    kind: Kind
    id: str
    file: str
    doc: Document
    values: dict[str, tuple[Value, ...]] = field(default_factory=dict)  # a tuple of each key's values

    def where(self, *path) -> tuple[int, int]:
        return self.doc.where(*path)

    def first(self, key: str):
        values = self.values.get(key)
        return values[0].value if values else None

    @property
    def name(self) -> str:
        return self.first("name") or self.id

    def __reduce__(self):  # see Value.__reduce__; entries travel from reading processes
        return Entry, (self.kind, self.id, self.file, self.doc, self.values)


@dataclass
class Catalog:
    """All entries that could be read, by kind and id."""

    root: Path
    entries: list[Entry] = field(default_factory=list)
    #: When reading began (time.time_ns()): the entries' digests hold for files unchanged since.
    read_at_ns: int = 0
    #: (folder, id) of the entry files that could not be read at all (each reported where it is).
    unread: set[tuple[str, str]] = field(default_factory=set)

    def by_kind(self, kind: Kind) -> dict[str, Entry]:
        return {e.id: e for e in self.entries if e.kind is kind}

    def __len__(self) -> int:
        return len(self.entries)


def display_path(path: str | os.PathLike) -> str:
    """The path as a contributor would type it: relative to the working directory when inside it."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:  # outside the working directory
        return str(absolute)


def entry_files(data_dir: Path, report: Report) -> list[tuple[Kind, str]]:
    """The entry files under ``data_dir`` (paths as ``os.walk`` spells them), sorted; stray files
    are reported. Strings, not Path objects: at a million triples (77k files), making the Paths
    took 0.35 of this function's 0.45 s, on one core before the reading processes start."""
    found: list[tuple[Kind, str, list[str]]] = []  # a kind, its folder as walked, its entries
    shown = display_path(data_dir)
    for folder, dirs, names in os.walk(data_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        relative_folder = os.path.relpath(folder, data_dir)
        parts = () if relative_folder == "." else tuple(Path(relative_folder).parts)
        if not parts and not any(d in KIND_BY_FOLDER for d in dirs) and any(n.endswith(".yaml") for n in names):
            kinds = ", ".join(f"{k.folder}/" for k in KINDS)  # --data data/models: one line, not one a file
            report.add(shown, 1, 0, "KG108", f"holds entry files but none of {kinds}: is it one kind's "
                       f"folder? Pass the catalog's folder (--data {display_path(data_dir.parent)})")
            names = [n for n in names if not n.endswith(".yaml")]
        kind = KIND_BY_FOLDER.get(parts[0]) if len(parts) == 1 else None
        for name in [d for d in dirs if d.lower().endswith((".yaml", ".yml"))]:  # a folder named like an entry
            report.add(os.path.join(shown, *parts, name), 1, 0, "KG108",
                       "a folder, not an entry file: entries are files ending in .yaml")
            dirs.remove(name)  # not walked: one problem, said once
        entries: list[str] = []
        for name in names:
            if name.endswith(".yaml") and kind is not None and name[0] != ".":
                entries.append(name)  # the usual case, without splitext, lower or join
                continue
            if name.startswith(".") or name.lower() == "readme.md":
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in (".yml", ".yaml") and suffix != ".yaml":  # .yml, .YAML, .Yaml: not read
                report.add(os.path.join(shown, *parts, name), 1, 0, "KG108",
                           f"rename to {_suggest_id(stem)}.yaml: entries end in .yaml")
                continue
            if suffix != ".yaml":
                continue
            folders = ", ".join(f"data/{k.folder}/" for k in KINDS)
            report.add(os.path.join(shown, *parts, name), 1, 0, "KG108", "entry is not directly in "
                       f"one of {folders}: move it there")
        if entries:
            found.append((kind, os.path.join(folder, ""), entries))
    files: list[tuple[Kind, str]] = []
    for kind, prefix, entries in sorted(found, key=lambda item: item[0].folder):  # path order
        entries.sort()
        files += [(kind, prefix + name) for name in entries]
    return files


#: Below this many files, one process reads faster than several can start and hand back. Children
#: are bare forks now (kg.util.parallel), a few ms each: `kg validate` read the real catalog's 724
#: files in two processes in 404 ms against 455 on one (medians of 15 interleaved runs), 250 files
#: in the same time either way, and 17 files 8 ms slower (it was 2000 with multiprocessing's children).
PARALLEL_MIN_FILES = 400
#: Reading a file costs about as much as reading this many more of its bytes (opening it, a parser
#: and an entry for it): at a million triples, ~26 µs a file and ~0.30 µs a byte, fitted on two
#: shares of 28,576 and 48,785 files of the same total size, read in 4.90 and 5.43 s.
READ_COST_PER_FILE = 90
#: A reading child also pickles its entries, in batches as it reads them, and this process
#: unpickles them between its own files (kg.util.parallel.map_shares_streaming): the child's
#: share can be made that much lighter than the one read here (kg.util.parallel.split). Since
#: the reading itself got faster (plain scalars built once, files read ahead), the two cost about
#: the same: at a million triples, this process ended 0.21-0.47 s after the child with 0.05
#: (six runs), from 0.06 s before it to 0.13 s after with 0 (eight), and from 0.14 s before to
#: 0.06 s after with -0.02 (four).
HANDBACK_COST = 0.0
#: A reading child hands its entries over this many at a time, as it reads them (kg.util.parallel.map_shares_streaming).
EMIT_EVERY = 1000
#: Files read (their bytes) before any of them is parsed (see kg.catalog.yamlload.read_entry_bytes);
#: progress is told of them this many at a time.
READ_AHEAD = 250


def load_catalog(data_dir: Path, report: Report, progress: Progress = quiet,
                 processes: int | None = None) -> Catalog:
    """Read every entry under ``data_dir``; problems go to ``report``, readable entries are kept.

    Large catalogs are read on ``processes`` processes (default: one per core from
    PARALLEL_MIN_FILES files on), each a contiguous share of the sorted files; the entries
    and diagnostics are the same as on one process, in the same order.
    """
    catalog = Catalog(data_dir)
    if not data_dir.is_dir():
        raise ProjectError(f"catalog folder {data_dir} does not exist: pass --data DIR")
    shown = display_path(data_dir)
    catalog.read_at_ns = time.time_ns()
    files = entry_files(data_dir, report)
    if processes is None:
        processes = available_cores() if len(files) >= PARALLEL_MIN_FILES else 1

    def read(share, tick, emit) -> tuple[list, list]:
        """Read ``share``: its entries go to ``emit`` a batch at a time; its diagnostics and the
        files it could not read are returned."""
        share_report = Report()
        entries = []
        unread = []
        basename, join = os.path.basename, os.path.join
        done = 0
        try:
            for start in range(0, len(share), READ_AHEAD):
                batch = share[start:start + READ_AHEAD]
                contents = [_read_bytes(path) for _kind, path in batch]  # see yamlload.read_entry_bytes
                for (kind, path), content in zip(batch, contents):
                    entry = load_entry(kind, path, share_report, join(shown, kind.folder, basename(path)), content)
                    if entry is not None:
                        entries.append(entry)
                    else:
                        unread.append((kind.folder, os.path.splitext(basename(path))[0]))
                    done += 1
                    if done % EMIT_EVERY == 0:
                        emit(entries)
                        entries = []
                if len(batch) == READ_AHEAD:
                    tick(READ_AHEAD)
        finally:
            forget_plain_values()
        emit(entries)
        tick(len(share) % READ_AHEAD)
        return share_report.items, unread

    def reading(done: int) -> None:
        progress("reading entries", done, len(files))

    shares = [files]
    if processes > 1:
        shares = split(files, processes, _costs(files), handback=HANDBACK_COST)
    for entries, (diagnostics, unread) in map_shares_streaming(read, shares, reading):
        catalog.entries.extend(entries)
        report.extend(diagnostics)
        catalog.unread.update(unread)
    return catalog


#: The shares are weighed by the size of one file in this many (each standing for the ones after
#: it): a share holds tens of thousands of files, whose sum this estimates closely, and statting
#: them all took 0.12 s at a million triples, on one core before the reading processes start.
SIZE_SAMPLE_EVERY = 16


def _costs(files: list[tuple[Kind, str]]) -> list[int]:
    """What reading each file costs, in bytes (READ_COST_PER_FILE + its size, sampled)."""
    costs: list[int] = []
    for start in range(0, len(files), SIZE_SAMPLE_EVERY):
        costs += [READ_COST_PER_FILE + _size(files[start][1])] * min(SIZE_SAMPLE_EVERY, len(files) - start)
    return costs


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # load_entry reports it
        return 0


def _read_bytes(path: str) -> bytes | YamlProblem | OSError:
    """The bytes of an entry file, or what kept them from being read (for ``load_entry`` to report)."""
    try:
        return read_entry_bytes(path)
    except (YamlProblem, OSError) as problem:
        return problem


def load_entry(kind: Kind, path: str | os.PathLike, report: Report, file: str | None = None,
               content: bytes | YamlProblem | OSError | None = None) -> Entry | None:
    """Read and check one entry file; None when it cannot be read at all.

    ``file`` is the path shown in diagnostics (default: ``path`` relative to the working directory).
    ``content``: the file's bytes already read, or what reading them raised (``_read_bytes``).
    """
    path = os.fspath(path)
    file = file or display_path(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    try:
        if content is None:
            content = _read_bytes(path)
        if isinstance(content, BaseException):
            raise content
        doc = document_of(content, path)
    except YamlProblem as problem:
        report.add(file, problem.line, problem.column, problem.code, problem.message)
        return None
    except OSError as exc:
        report.add(file, 1, 0, "KG003", f"cannot read the file: {exc.strerror}")
        return None
    entry = Entry(kind, stem, file, doc)
    for problem in doc.problems:
        report.add(file, problem.line, problem.column, problem.code, problem.message)
    if not ID_PATTERN.fullmatch(stem):
        report.add(file, 1, 0, "KG104", f"file name '{stem}' is not a valid id: use lowercase "
                   "letters, digits, '-' and '.', e.g. "
                   f"'{_suggest_id(stem)}.yaml'")
    fields = FIELDS[kind]
    _check_folder(entry, report)
    for key, raw in doc.data.items():
        spec = fields.get(str(key))
        if spec is None:
            _unknown_key(entry, str(key), report)
            continue
        values = _normalize(entry, spec, raw, report)
        if values:
            entry.values[spec.key] = tuple(values)  # a tuple weighs ~40 bytes less than a list
    for spec in fields.values():
        if spec.required and spec.key not in doc.data:
            report.add(file, 1, 1, "KG101", f"missing required key '{spec.key}': add "
                       f"'{spec.key}: …' (the usual name of this {kind.label})")
    declared = entry.first("id")
    if declared is not None and declared != stem:
        line, col = doc.where("id")
        report.add(file, line, col, "KG105", f"id '{declared}' disagrees with the file name "
                   f"'{stem}': rename the file or remove the 'id' key")
    doc.release()
    return entry


def _suggest_id(stem: str) -> str:
    import re

    cleaned = re.sub(r"[^a-z0-9.-]+", "-", stem.lower()).strip("-.")
    return cleaned or "my-entry"


def _check_folder(entry: Entry, report: Report) -> None:
    """An entry whose keys all belong to another kind is probably in the wrong folder."""
    own = set(FIELDS[entry.kind])
    specific = {k for k in entry.doc.data if str(k) not in own}
    if not specific:
        return
    for other in KINDS:
        if other is entry.kind:
            continue
        theirs = set(FIELDS[other]) - own
        if len(specific & theirs) >= 2 and specific <= set(FIELDS[other]):
            report.add(entry.file, 1, 1, "KG106", f"keys {', '.join(sorted(specific))} belong to "
                       f"{other.folder}: move this file to data/{other.folder}/")
            return


def _unknown_key(entry: Entry, key: str, report: Report) -> None:
    line, col = entry.doc.key_where(key)
    known = sorted(FIELDS[entry.kind])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    owners = [k.folder for k in KINDS if k is not entry.kind and key in FIELDS[k]]
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif owners:
        hint = f"it is a key of {owners[0]}; is the file in the wrong folder?"
    else:
        hint = f"known keys: {', '.join(known)}"
    report.add(entry.file, line, col, "KG102", f"unknown key '{key}' for a {entry.kind.label}: {hint}")


#: One tuple for each value path, shared by every entry (a million values hold a few hundred
#: distinct paths: ~60 MB of tuples at a million triples otherwise, pickled back from each
#: reading process once per share instead of once per value).
_PATHS: dict[tuple, tuple] = {}


def _shared(path: tuple) -> tuple:
    return _PATHS.setdefault(path, path)


#: The paths of a list key's items, by key: ``_ITEM_PATHS[key][i]`` is ``_shared((key, i))``.
_ITEM_PATHS: dict[str, list[tuple]] = {}


def _normalize(entry: Entry, spec: Field, raw, report: Report) -> list[Value]:
    """Check one key's value(s) and return them normalized."""
    file = entry.file
    if raw is None or raw == [] or raw == "":
        line, col = entry.doc.key_where(spec.key)
        report.add(file, line, col, "KG110", f"'{spec.key}' is empty: fill it in or remove the key")
        return []
    if not isinstance(raw, list):
        value = _convert(entry, spec, raw, _shared((spec.key,)), report)
        return [] if value is None else [value]
    if not spec.many:
        line, col = entry.where(spec.key)
        report.add(file, line, col, "KG103", f"'{spec.key}' takes one value, not a list")
        return []
    paths = _ITEM_PATHS.get(spec.key)
    if paths is None or len(paths) < len(raw):
        paths = _ITEM_PATHS[spec.key] = [_shared((spec.key, i)) for i in range(max(len(raw), 2 * len(paths or ())))]
    values: list[Value] = []
    seen = set()
    for item, path in zip(raw, paths):
        value = _convert(entry, spec, item, path, report)
        if value is None:
            continue
        identity = (value.value, value.relation)
        if identity in seen:
            line, col = entry.where(*path)
            report.add(file, line, col, "KG111", f"'{spec.key}' lists {value.value!s} twice: "
                       "remove one", severity="warning")
            continue
        seen.add(identity)
        values.append(value)
    return values


_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", dict: "a mapping", list: "a list",
               str: "text"}


def _type_problem(entry: Entry, spec: Field, item, path, expected: str, report: Report) -> None:
    line, col = entry.where(*path)
    got = _TYPE_NAMES.get(type(item), type(item).__name__)
    text = entry.doc.source_text.get(path)
    if text is not None and isinstance(item, (bool, int, float)) and str(item) != text:
        hint = f"YAML read {text} as {got} {item!r}: quote it ('{text}')"
    elif text is not None and not isinstance(item, (str, dict, list)):
        hint = f"YAML read {text} as {got}: quote it ('{text}')"
    elif isinstance(item, str):
        hint = f"got the text '{item}'"
    else:
        hint = f"got {got}"
    report.add(entry.file, line, col, "KG103", f"'{spec.key}' must be {expected}; {hint}")


def _convert(entry: Entry, spec: Field, item, path: tuple, report: Report) -> Value | None:
    kind = spec.value
    try:
        if kind == "text":
            if not isinstance(item, str):
                _type_problem(entry, spec, item, path, "text", report)
                return None
            if not item.strip():
                line, col = entry.where(*path)  # the marks are read only for a problem (kg.catalog.yamlload)
                report.add(entry.file, line, col, "KG110", f"'{spec.key}' is blank: fill it in or "
                           "remove it")
                return None
            refuse_control_characters(item)
            return Value(item.strip(), path)
        if kind == "url":
            return Value(parse_url(item), path)
        if kind == "source":
            return Value(parse_attribution(item), path)
        if kind == "wikidata":
            return Value(parse_wikidata(item), path)
        if kind == "claim":
            return Value(parse_claim(item), path)
        if kind == "date":
            return Value(parse_date(item), path)
        if kind == "count":
            return Value(parse_count(item), path)
        if kind == "integer":
            if isinstance(item, bool) or not isinstance(item, int):
                _type_problem(entry, spec, item, path, "a whole number of tokens, e.g. 4096", report)
                return None
            if item < 0:
                raise BadValue(f"{item} is negative")
            return Value(item, path)
        if kind == "bool":
            if not isinstance(item, bool):
                _type_problem(entry, spec, item, path, "true or false (unquoted)", report)
                return None
            return Value(item, path)
        if kind == "choice":
            if not isinstance(item, str) or item not in spec.choices:
                close = difflib.get_close_matches(str(item), spec.choices, n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(spec.choices)}"
                raise BadValue(f"'{item}' is not allowed: {hint}")
            return Value(item, path)
        if kind == "license":
            if not isinstance(item, str) or item not in ALL_LICENSES:
                lowered = {k.lower(): k for k in ALL_LICENSES}
                exact = lowered.get(str(item).lower().replace(" ", "-"))
                close = [exact] if exact else difflib.get_close_matches(str(item), ALL_LICENSES, n=2,
                                                                         cutoff=0.5)
                hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
                    "use an SPDX id (Apache-2.0, MIT) or add the licence to kg/licenses.py"
                raise BadValue(f"unknown licence '{item}': {hint}")
            return Value(item, path)
        if kind in ("ref", "replacement"):
            return _ref(entry, spec, item, path, report)
        if kind == "based_on":
            return _based_on(entry, spec, item, path, report)
    except BadValue as exc:
        line, col = entry.where(*path)
        report.add(entry.file, line, col, "KG107", f"'{spec.key}' {exc}")
        return None
    raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover - schema.py is fixed


def _ref(entry: Entry, spec: Field, item, path: tuple, report: Report) -> Value | None:
    if not isinstance(item, str):
        _type_problem(entry, spec, item, path, f"the id of a {spec.target.label}", report)
        return None
    if not ID_PATTERN.fullmatch(item):
        raise BadValue(f"'{item}' is not an id: ids are lowercase letters, digits, '-' and '.'")
    return Value(item, path)


def _based_on(entry: Entry, spec: Field, item, path: tuple, report: Report) -> Value | None:
    if isinstance(item, str):
        return _ref(entry, spec, item, path, report)
    if not isinstance(item, dict):
        _type_problem(entry, spec, item, path, "a model id or {model: id, relation: kind}", report)
        return None
    for key in item:
        if key not in ("model", "relation"):
            line, col = entry.doc.positions().get(path + ("key", key), entry.where(*path))
            close = difflib.get_close_matches(str(key), ["model", "relation"], n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use 'model' and 'relation'"
            report.add(entry.file, line, col, "KG102", f"unknown key '{key}' in based_on: {hint}")
    if "model" not in item:
        line, col = entry.where(*path)
        report.add(entry.file, line, col, "KG101", "based_on item lacks 'model': add the model id")
        return None
    ref = _ref(entry, spec, item["model"], path + ("model",), report)
    if ref is None:
        return None
    relation = item.get("relation")
    if isinstance(relation, (list, dict)):  # no kind to look up (nor to hash)
        line, col = entry.where(*path, "relation")
        report.add(entry.file, line, col, "KG103", "based_on relation takes one kind, not "
                   f"{_TYPE_NAMES.get(type(relation), type(relation).__name__)}: one of {', '.join(DERIVATIONS)}")
        relation = None
    elif relation is not None and relation not in DERIVATIONS:
        line, col = entry.where(*path, "relation")
        close = difflib.get_close_matches(str(relation), DERIVATIONS, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(DERIVATIONS)}"
        report.add(entry.file, line, col, "KG107", f"based_on relation '{relation}' is not a known "
                   f"kind: {hint}")
        relation = None
    return Value(ref.value, path + ("model",), relation)


def claim_value(entry: Entry, claim, report: Report | None = None) -> Value | None:
    """A claim's value normalized as its key's values are (None when the key or the value is not valid).

    The claim is written as text (``value: '4000'``); whole numbers and booleans are read back
    first, so that a claim about ``context_length`` or ``open_weights`` converts like the key itself.
    """
    spec = FIELDS[entry.kind].get(claim.key)
    if spec is None:
        return None
    raw = claim.value
    if spec.value == "integer" and raw.isdigit():
        raw = int(raw)
    elif spec.value == "bool" and raw in ("true", "false"):
        raw = raw == "true"
    path = ("claims",)
    return _convert(entry, spec, raw, path, report if report is not None else Report())


"""Checks across entries: references, cycles, plausibility and duplicates."""
from __future__ import annotations

import datetime
import difflib
import os
import re
import unicodedata

from kg.catalog.loader import Catalog, Entry, display_path
from kg.catalog.diagnostics import WARNING, Report
from kg.catalog.schema import FIELDS, KINDS, MODEL, PAPER, TECHNIQUE


def check_catalog(catalog: Catalog, report: Report, today: datetime.date | None = None) -> None:
    """Run every cross-entry check and add what it finds to ``report``."""
    today = today or datetime.date.today()
    groups = by_kind(catalog)  # once for all the checks: each took it again, 0.2 s at a million triples
    check_references(catalog, report, groups)
    check_cycles(catalog, report, "based_on", MODEL, "based_on", groups)
    check_cycles(catalog, report, "broader", TECHNIQUE, "broader", groups)
    check_cycles(catalog, report, "family", MODEL, "family", groups)
    for kind in KINDS:
        check_cycles(catalog, report, "replaced_by", kind, "replaced_by", groups)
    check_deprecated_references(catalog, report)
    check_dates(catalog, report, today, groups)
    check_duplicates(catalog, report, groups)
    check_shared_names(catalog, report)


def by_kind(catalog: Catalog) -> dict:
    """``{kind: catalog.by_kind(kind)}`` for every kind, in one pass over the entries."""
    groups: dict = {kind: {} for kind in KINDS}
    for entry in catalog.entries:
        groups[entry.kind][entry.id] = entry
    return groups


#: The keys of each kind that name other entries (schema.Field.target), in FIELDS' order.
_REFERENCE_KEYS = {kind: [(key, spec) for key, spec in FIELDS[kind].items() if spec.target is not None]
                   for kind in KINDS}


def check_references(catalog: Catalog, report: Report, groups: dict | None = None) -> None:
    groups = groups or by_kind(catalog)
    ids = {kind: set(groups[kind]) for kind in KINDS}
    folder = display_path(catalog.root)  # where a missing entry goes, as the contributor types it
    for entry in catalog.entries:
        values_of = entry.values
        for key, spec in _REFERENCE_KEYS[entry.kind]:
            values = values_of.get(key)
            if not values:
                continue
            for value in values:
                if spec.target is entry.kind and value.value == entry.id:
                    line, col = entry.where(*value.path)
                    report.add(entry.file, line, col, "KG204", f"{key} '{value.value}' points at the "
                               "entry itself: remove it")
                    continue
                if value.value in ids[spec.target]:
                    continue
                line, col = entry.where(*value.path)
                report.add(entry.file, line, col, "KG201",
                           f"{key} '{value.value}' is not a known {spec.target.label}"
                           f"{_suggestion(value.value, spec.target, ids, folder, catalog.unread)}")


def replaces(one: Entry, other: Entry) -> bool:
    """Is one of the two entries the stub that the other replaces (``replaced_by``)?"""
    return (one.kind is other.kind and
            (one.first("replaced_by") == other.id or other.first("replaced_by") == one.id))


def check_deprecated_references(catalog: Catalog, report: Report) -> None:
    """Warn (KG205) at a reference to a deprecated entry (one with ``replaced_by``): name its replacement."""
    deprecated = {(e.kind, e.id): e.first("replaced_by") for e in catalog.entries if e.first("replaced_by")}
    if not deprecated:
        return
    for entry in catalog.entries:
        for key, spec in FIELDS[entry.kind].items():
            if spec.target is None or spec.value == "replacement":
                continue
            for value in entry.values.get(key, []):
                successor = deprecated.get((spec.target, value.value))
                if successor is None:
                    continue
                line, col = entry.where(*value.path)
                report.add(entry.file, line, col, "KG205", f"{key} '{value.value}' is deprecated, replaced "
                           f"by '{successor}': point at '{successor}' instead", severity=WARNING)


def _suggestion(missing: str, target, ids, folder: str = "data", unread: set[tuple[str, str]] = frozenset()) -> str:
    """How to fix a reference to ``missing``; ``folder`` is the catalog's folder, as shown, and
    ``unread`` the (folder, id) of the entry files the loader could not read (Catalog.unread)."""
    new_file = os.path.join(folder, target.folder, f"{missing}.yaml")
    if (target.folder, missing) in unread:
        return f" ({new_file} could not be read: fix the error reported for it)"
    elsewhere = [k for k in KINDS if k is not target and missing in ids[k]]
    if elsewhere:
        article = "an" if elsewhere[0].label[0] in "aeiou" else "a"
        return f" ('{missing}' is {article} {elsewhere[0].label}; add {new_file} or fix the id)"
    # 'llama-7b' -> 'llama': a known id that the missing one extends wins over mere likeness
    prefixes = [i for i in ids[target] if missing.startswith(i + "-")]
    close = sorted(prefixes, key=len, reverse=True)[:1] or \
        difflib.get_close_matches(missing, sorted(ids[target]), n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f": add {new_file} or fix the id"


def check_cycles(catalog: Catalog, report: Report, key: str, kind, label: str, groups: dict | None = None) -> None:
    """Report each cycle of ``key`` edges once, at the edge that closes it."""
    entries = groups[kind] if groups is not None else catalog.by_kind(kind)
    edges = {i: [v for v in e.values[key] if v.value in entries and v.value != i]
             for i, e in entries.items() if key in e.values}
    edges = {i: out for i, out in edges.items() if out}  # an entry with no edge is in no cycle
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset] = set()

    def visit(start: str) -> None:
        stack = [(start, iter(edges[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            value = next(children, None)
            if value is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            child = value.value
            if state.get(child) == 1:
                cycle = path[path.index(child):]
                members = frozenset(cycle)
                if members not in reported:
                    reported.add(members)
                    entry = entries[node]
                    line, col = entry.where(*value.path)
                    loop = " -> ".join(cycle + [child])
                    report.add(entry.file, line, col, "KG203", f"{label} forms a cycle: {loop}; "
                               "remove one of these edges")
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(edges.get(child, ()))))

    for start in sorted(edges):  # the others have no edge: visited, they would be done at once
        if start not in state:
            visit(start)


_ARXIV_YYMM = re.compile(r"^(\d{2})(\d{2})\.")


def check_dates(catalog: Catalog, report: Report, today: datetime.date, groups: dict | None = None) -> None:
    today_text = today.isoformat()
    date_keys = ("released", "published", "founded")
    models = groups[MODEL] if groups is not None else catalog.by_kind(MODEL)
    for entry in catalog.entries:
        for key in date_keys:
            for value in entry.values.get(key, []):
                date = value.value
                if date.text > today_text[: len(date.text)]:
                    line, col = entry.where(*value.path)
                    report.add(entry.file, line, col, "KG301", f"{key} {date.text} is in the future: "
                               "check the source (a typo such as 2032 for 2023?)")
                elif date.year < 1950:
                    line, col = entry.where(*value.path)
                    report.add(entry.file, line, col, "KG302", f"{key} {date.text} is before 1950: "
                               "check the source")
        if entry.kind is PAPER:
            _check_arxiv_date(entry, report)
        if entry.kind is MODEL and entry.values.get("released"):
            released = entry.values["released"][0].value
            for base in entry.values.get("based_on", []):
                parent = models.get(base.value)
                if parent is None or not parent.values.get("released"):
                    continue
                mine, theirs = released.precision_prefix(parent.values["released"][0].value)
                if mine < theirs:
                    line, col = entry.where(*base.path)
                    report.add(entry.file, line, col, "KG306",
                               f"released {released.text} before '{base.value}' it is based on "
                               f"({parent.values['released'][0].value.text}): check both dates",
                               severity=WARNING)


def _check_arxiv_date(entry: Entry, report: Report) -> None:
    arxiv = entry.first("arxiv")
    published = entry.values.get("published")
    if not arxiv:
        return
    match = _ARXIV_YYMM.match(arxiv)
    if not match:
        return
    yymm = f"20{match.group(1)}-{match.group(2)}"
    if published:
        date = published[0].value
        n = min(len(date.text), len(yymm))
        mine, theirs = date.text[:n], yymm[:n]
        if mine < theirs:
            line, col = entry.where("published")
            report.add(entry.file, line, col, "KG305", f"published {date.text} is before arXiv "
                       f"{arxiv} was submitted ({yymm}): fix the date or the arXiv id")


_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]+")


def normalized_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).casefold()
    return _NOT_LETTER_OR_DIGIT.sub("", text)


def check_duplicates(catalog: Catalog, report: Report, groups: dict | None = None) -> None:
    """Warn about two entries of a kind that share an arXiv id, a URL or a normalized name."""
    for kind in KINDS:
        keys: dict[tuple, list[Entry]] = {}
        for entry in (groups[kind] if groups is not None else catalog.by_kind(kind)).values():
            signs = {("name", normalized_name(entry.name))}
            values = entry.values  # entry.first(key) of each key below, without a call for each
            url, arxiv, wikidata = values.get("url"), values.get("arxiv"), values.get("wikidata")
            if url and url[0].value:
                signs.add(("url", url[0].value.rstrip("/").lower()))
            if arxiv and arxiv[0].value:
                signs.add(("arXiv id", arxiv[0].value))
            if wikidata and wikidata[0].value:
                signs.add(("Wikidata item", wikidata[0].value))
            for sign in signs:
                keys.setdefault(sign, []).append(entry)
        for (what, value), entries in sorted(item for item in keys.items() if len(item[1]) > 1):
            if not value:
                continue
            for entry in entries:
                alike = [e for e in entries if e is not entry and not replaces(entry, e)]
                if not alike:  # a renamed entry and the stub of its old id share the name, rightly
                    continue
                others = ", ".join(sorted(e.file for e in alike))
                line, col = entry.where({"name": "name", "url": "url", "Wikidata item": "wikidata"}.get(what, "arxiv"))
                report.add(entry.file, line, col, "KG307", f"same {what} as {others}: merge the "
                           "entries or tell them apart", severity=WARNING)


def _presents(paper: Entry, other: Entry) -> bool:
    """Does ``paper`` present ``other``: a model that lists it in ``papers``, a technique it introduces?"""
    if other.kind is MODEL:
        return any(v.value == paper.id for v in other.values.get("papers", []))
    if other.kind is TECHNIQUE:
        return other.first("introduced_in") == paper.id or \
            any(v.value == other.id for v in paper.values.get("introduces", []))
    return False


def check_shared_names(catalog: Catalog, report: Report) -> None:
    """Warn when a name or alias of one entry is a name or alias of another (normalized: case, spaces
    and punctuation aside), at the later entry's name or alias.

    A paper may bear the name of the model or technique it presents; two entries of one kind with
    the same name are KG307's.
    """
    holders: dict[str, list[tuple[Entry, str, object]]] = {}
    for entry in sorted(catalog.entries, key=lambda e: (e.kind.folder, e.id)):
        for key in ("name", "aliases"):
            for value in entry.values.get(key, []):
                normalized = normalized_name(value.value) if isinstance(value.value, str) else ""
                if normalized:
                    holders.setdefault(normalized, []).append((entry, key, value))
    for found in holders.values():
        if len(found) < 2:
            continue
        for i, (entry, key, value) in enumerate(found):
            for other, other_key, _ in found[:i]:
                if other is entry or (key == other_key == "name" and other.kind is entry.kind) or \
                        replaces(entry, other):
                    continue
                if (other.kind is PAPER and _presents(other, entry)) or \
                        (entry.kind is PAPER and _presents(entry, other)):
                    continue
                line, col = entry.where(*value.path)
                what = "name" if key == "name" else "alias"
                theirs = "the name" if other_key == "name" else "an alias"
                report.add(entry.file, line, col, "KG308",
                           f"{what} '{value.value}' is also {theirs} of {other.kind.label} '{other.id}' "
                           f"({other.file}): a name belongs to one entity; keep it on the one it names "
                           "and remove or change it on the other", severity=WARNING)
                break

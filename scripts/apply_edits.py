#!/usr/bin/env python3
"""Apply proposed edits of existing entries, each with its source, and check them against the cited line.

    python scripts/apply_edits.py curation/existing-edits.yaml [--decisions FILE] [--check]

An edits file is a YAML list; each item names the ``file`` (``data/models/x.yaml``), the ``key``,
the ``item`` (a list item, a value, a ``{model, relation}`` derivation, or for ``key: claims``
a ``{key, value, reason}`` claim), the ``source`` that states it, an optional ``quote`` and a
``note``. ``replace: true`` replaces a key written as one value; ``remove: true`` removes the
item (or the key) and every placement of it in ``sources:``, dropping a source left with nothing;
``key: sources`` with ``remove: true`` drops the source ``item`` (one that states nothing of the entry).
``kind`` needs no source (it is not a fact). A date may refine one of less precision
(``2024`` -> ``2024-09-12``); the sources of the old value then no longer name it.

A list item added to a key that a source names as a whole (``for: [techniques]``) first turns
that name into one per existing item, so no source is made to state the new item; a key
written as one value becomes a list when a second item comes. New keys go where the catalog
puts them (after ``name``/``kind``, in the order of kg/catalog/schema.py, before ``sources``).

``--decisions FILE`` lists edits not to apply (same ``file``/``key``/``item``, a ``reason``).
``--check`` then reads every cited seed or upstream line and prints the edits whose line (with
the lines either side) does not show the value by kg.catalog.evidence's rules, for review.
Applying a file twice changes nothing. Files are written as migrate_provenance.py writes them.
"""
from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from migrate_provenance import FlowList, add_fact, dump, item_is, key_blocks, load  # noqa: E402

from kg.catalog.evidence import Names, SourceText, shows  # noqa: E402
from kg.catalog.facts import covers  # noqa: E402
from kg.catalog.schema import FIELDS, KIND_BY_FOLDER  # noqa: E402

DATE_KEYS = {"released", "published", "founded"}
#: Keys the catalog writes as one value while there is only one (``developer: meta``).
ONE_VALUE_STYLE = {"developer"}


def order_of(folder: str) -> list[str]:
    """The order of keys in a file: name, kind, aliases, description, url, the kind's own keys."""
    own = [k for k in FIELDS[KIND_BY_FOLDER[folder]] if k not in ("id", "name", "kind", "sources", "claims")]
    head = ["id", "name", "kind", "aliases", "description", "url"]
    return head + [k for k in own if k not in head] + ["sources", "claims"]


def rewrite_ordered(path: Path, changes: dict, order: list[str]) -> None:
    """Replace the blocks of the keys in ``changes`` (None removes a key); a new key goes before
    the first block whose key comes after it in ``order``."""
    blocks = key_blocks(path.read_text(encoding="utf-8"))
    rank = {k: i for i, k in enumerate(order)}
    out = []
    for key, block in blocks:
        if key in changes:
            out.append((key, None if changes[key] is None else dump({key: changes[key]})))
        else:
            out.append((key, block))
    present = {k for k, _ in blocks}
    for key, value in changes.items():
        if key in present or value is None:
            continue
        at = next((i for i, (k, _) in enumerate(out) if rank.get(k, len(order)) > rank.get(key, len(order))),
                  len(out))
        out.insert(at, (key, dump({key: value})))
    path.write_text("".join(block for _, block in out if block is not None), encoding="utf-8")


def item_id(item) -> str:
    return str(item["model"]) if isinstance(item, dict) else str(item)


def as_value(key: str, item):
    if key in DATE_KEYS and isinstance(item, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", item):
        return datetime.date.fromisoformat(item)  # written unquoted, as the catalog writes dates
    return item


def same(a, b) -> bool:
    return str(a.get("model") if isinstance(a, dict) else a) == str(b.get("model") if isinstance(b, dict) else b)


def spell_out(sources: list, key: str, items: list) -> None:
    """A ``for:`` naming the whole ``key`` names each of its current items instead."""
    for s in sources:
        if isinstance(s, dict) and key in s["for"]:
            names = []
            for n in s["for"]:
                names += [f"{key}={item_id(i)}" for i in items] if n == key else [n]
            s["for"] = FlowList(dict.fromkeys(names))


def unplace(sources: list, names: set[str]) -> list:
    for s in sources:
        if isinstance(s, dict):
            s["for"] = FlowList(n for n in s["for"] if n not in names)
    return [s for s in sources if isinstance(s, str) or s["for"]]


def apply_file(path: Path, edits: list) -> None:
    folder = path.parent.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = list(data.get("sources") or [])
    for s in sources:
        if isinstance(s, dict):
            s["for"] = FlowList(s["for"])
    claims = list(data.get("claims") or [])
    changes: dict = {}
    fields = FIELDS[KIND_BY_FOLDER[folder]]
    for e in edits:
        key, item = e["key"], e["item"]
        if key == "claims":
            claim = {"key": item["key"], "value": item["value"], "source": e["source"], "reason": item["reason"]}
            if e.get("quote"):
                claim["quote"] = e["quote"]
            if claim not in claims:
                claims.append(claim)
            continue
        if key == "sources" and e.get("remove"):  # a source that states nothing of this entry
            sources = [s for s in sources if (s if isinstance(s, str) else s["source"]) != item]
            continue
        current = changes.get(key, data.get(key))
        many = fields[key].many
        if e.get("remove"):
            if many and isinstance(current, list):
                new = [v for v in current if not same(v, item)]
                new = new or None
            else:
                new = None if current is None or same(current, item) else current
            changes[key] = new
            gone = {f"{key}={item_id(item)}"} | ({key} if new is None or not isinstance(new, list) else set())
            if new is None:
                gone |= {n for s in sources if isinstance(s, dict) for n in s["for"] if n.partition("=")[0] == key}
            sources = unplace(sources, gone)
            continue
        item = as_value(key, item)
        if many and key != "kind":
            if current is None:
                new = item if key in ONE_VALUE_STYLE else [item]
            elif isinstance(current, list):
                new = current if any(same(v, item) for v in current) else [*current, item]
            else:
                new = current if same(current, item) else [current, item]
            if isinstance(new, list) and new is not current:
                spell_out(sources, key, current if isinstance(current, list) else [current] if current else [])
            changes[key] = new
            fact = f"{key}={item_id(item)}" if isinstance(new, list) else key
        else:
            refines = key in DATE_KEYS and current is not None and str(item).startswith(str(current))
            if current is not None and not same(current, item) and not (e.get("replace") or refines):
                raise SystemExit(f"{path}: {key} is {current!r}, not {item!r}: say replace: true")
            if current is not None and not same(current, item):
                sources = unplace(sources, {key})
            changes[key] = item
            fact = key
        if key != "kind":
            add_fact(sources, e["source"], fact, e.get("quote"))
    changes["sources"] = sources
    if claims:
        changes["claims"] = claims
    rewrite_ordered(path, changes, order_of(folder))


def same_edit(a: dict, b: dict) -> bool:
    return a["file"] == b["file"] and a["key"] == b["key"] and a["item"] == b["item"] and \
        a.get("source", b.get("source")) == b.get("source", a.get("source"))


def check(edits: list, data: Path) -> list[str]:
    """The edits whose cited seed/upstream line (and the lines either side) does not show the value."""
    catalog = load(data)
    reader, names = SourceText(), Names.of(catalog.entries)
    by_file = {str(Path(e.doc.path).resolve()): e for e in catalog.entries}
    problems = []
    for e in edits:
        if e["key"] in ("claims", "kind") or e.get("remove"):
            continue
        entry = by_file[str((data.parent / e["file"]).resolve())]
        text = reader.read(e["source"])
        if text is None:
            continue  # a page nobody can read offline: its quote says what it states
        value = entry.values.get(e["key"], [])
        name = e["key"] if value and len(value[0].path) == 1 else f"{e['key']}={item_id(e['item'])}"
        facts = covers(entry, name) or []
        if not any(shows(entry, f, text, names) for f in facts):
            problems.append(f"{e['file']}: {name} not shown by {e['source']}")
    return problems


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edits", type=Path)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--decisions", type=Path, default=None, help="edits not to apply, with the reason")
    parser.add_argument("--check", action="store_true", help="print the edits whose cited line does not show them")
    args = parser.parse_args(argv)
    edits = yaml.safe_load(args.edits.read_text(encoding="utf-8")) or []
    skipped = yaml.safe_load(args.decisions.read_text(encoding="utf-8")) if args.decisions else []
    todo = [e for e in edits if not any(same_edit(s, e) for s in skipped or [])]
    by_file: dict[str, list] = {}
    for e in todo:
        by_file.setdefault(e["file"], []).append(e)
    for file, items in by_file.items():
        apply_file(args.data.resolve().parent / file, items)
    print(f"{len(todo)} of {len(edits)} edits applied to {len(by_file)} files; {len(edits) - len(todo)} not applied")
    if args.check:
        for line in check(todo, args.data):
            print("check:", line)


if __name__ == "__main__":
    main()

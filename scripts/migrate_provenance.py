#!/usr/bin/env python3
"""Migrate ``sources:`` to per-fact provenance: name, for each source, the facts it states.

Automatic pass (the default)::

    python scripts/migrate_provenance.py [--data data] [--shared ../shared] [--review docs/provenance-review.md]

For every entry whose ``sources:`` are still plain strings, and every fact of it, the cited
sources whose text shows the fact (kg.catalog.evidence) are proposed; a URL source counts
for ``url``/``repository`` when it is their very value, and a paper's own arXiv link for its
``arxiv``, ``url`` and ``name``. Each source becomes ``{source, for: [facts]}``; a source
that shows no fact is kept as a plain string, for a person to place or drop. Nothing is
ever assigned to a fact because it is merely cited by the entry.

Hand pass::

    python scripts/migrate_provenance.py --hand docs/provenance-hand.yaml

applies the decisions of a person, each naming its ``file`` (``data/models/x.yaml``) and ``why``:
``place`` (a ``source`` states a ``fact``; an optional ``quote``), ``unplace`` (an automatic
placement that review rejected), ``remove`` (a ``fact`` no source states: the value goes),
``drop`` (a ``source`` that states nothing), ``correct`` (a ``key`` takes a new ``value``) and ``claim`` (a value not preferred: ``key``,
``value``, ``source``, ``reason``, ``quote``). Applying them twice changes nothing. The review's
sections after the automatic one are rewritten.

Only the ``sources:``/``claims:`` blocks of a file (and, for ``remove``, the key it touches)
change; everything else stays byte for byte as written.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.catalog.diagnostics import Report  # noqa: E402
from kg.catalog.evidence import Names, SourceText, shows, shows_any  # noqa: E402
from kg.catalog.facts import Fact, covers, entry_facts  # noqa: E402
from kg.catalog.loader import Entry, load_catalog  # noqa: E402

AUTO_END = "<!-- end of the automatic pass -->"
ARXIV = re.compile(r"^https?://arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?/?$")


# --- writing YAML as the files are written, with flow-style ``for:`` lists -----------------------

class FlowList(list):
    """A list dumped in flow style: ``for: [name, released]``."""


class Dumper(yaml.SafeDumper):
    """safe_dump's dumper; only FlowList is written in flow style."""


Dumper.add_representer(FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data,
                                                                       flow_style=True))


def dump(data) -> str:
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def key_blocks(text: str) -> list[tuple[str, str]]:
    """The file as (top-level key, its lines) blocks, in order."""
    blocks: list[tuple[str, str]] = []
    for line in text.splitlines(keepends=True):
        match = re.match(r"^([A-Za-z_][\w-]*):", line)
        if match:
            blocks.append((match.group(1), line))
        else:
            key, lines = blocks[-1]
            blocks[-1] = (key, lines + line)
    return blocks


def rewrite(path: Path, changes: dict) -> None:
    """Replace the blocks of the keys in ``changes`` (None removes a key); new keys go at the end."""
    text = path.read_text(encoding="utf-8")
    out, done = [], set()
    for key, block in key_blocks(text):
        if key in changes:
            done.add(key)
            if changes[key] is not None:
                out.append(dump({key: changes[key]}))
        else:
            out.append(block)
    out += [dump({k: v}) for k, v in changes.items() if k not in done and v is not None]
    path.write_text("".join(out), encoding="utf-8")


# --- the automatic pass --------------------------------------------------------------------------

def same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def url_states(entry: Entry, fact: Fact, source: str, papers: dict) -> bool:
    """A page we cannot read states the URL it is, a paper's own link its id, URL and title,
    and the link of a paper the entry names (``papers``, ``introduced_in``) that paper, when
    the paper's title names the entry."""
    value = fact.value.value
    if fact.key in ("url", "repository") and same_url(source, value):
        return True
    link = ARXIV.match(source)
    if entry.kind.folder == "papers" and fact.key in ("arxiv", "url", "name"):
        own = (link and link.group(1) == entry.first("arxiv")) or \
            (entry.first("url") and same_url(source, entry.first("url")))
        return bool(own)
    if fact.key in ("papers", "introduced_in") and value in papers:
        paper = papers[value]
        own = (link and link.group(1) == paper.first("arxiv")) or \
            (paper.first("url") and same_url(source, paper.first("url")))
        spelled = [v.value for k in ("name", "aliases") for v in entry.values.get(k, [])]
        return bool(own) and shows_any(spelled, paper.name)
    return False


def place(entry: Entry, reader: SourceText, names: Names, papers: dict):
    """{source: [facts it shows]} for the entry's plain sources, and the facts none shows.

    First each source's own line; a fact that no cited line shows is then looked for on the
    lines either side of each (a seed item's card or date may sit on the next line).
    """
    facts = entry_facts(entry)
    plain = [v.value.source for v in entry.values.get("sources", []) if not v.value.facts]
    placed: dict[str, list[Fact]] = {}
    for source in plain:
        text = reader.read(source, around=0)
        placed[source] = [f for f in facts if (text is not None and shows(entry, f, text, names))
                          or url_states(entry, f, source, papers)]
    shown = {f for found in placed.values() for f in found}
    for source in plain:
        text = reader.read(source, around=1)
        if text is not None:
            placed[source] += [f for f in facts if f not in shown and shows(entry, f, text, names)]
    for source in plain:  # in file order
        placed[source].sort(key=facts.index)
    shown = {f for found in placed.values() for f in found}
    return placed, [f for f in facts if f not in shown]


def source_items(raw_sources: list, placed: dict) -> list:
    """The new ``sources:``: a mapping per source that states facts, the others as they were."""
    items = []
    for raw in raw_sources:
        if isinstance(raw, str) and placed.get(raw.strip()):
            items.append({"source": raw.strip(), "for": FlowList(f.name for f in placed[raw.strip()])})
        else:
            items.append(raw)
    return items


def load(data: Path):
    report = Report()
    catalog = load_catalog(data, report)
    if report.items:
        raise SystemExit(f"{len(report.items)} problem(s) reading {data}: run kg validate first")
    return catalog


def automatic(data: Path, shared: Path | None, review: Path) -> None:
    catalog = load(data)
    reader, names = SourceText(shared), Names.of(catalog.entries)
    papers = {e.id: e for e in catalog.entries if e.kind.folder == "papers"}
    total = auto = 0
    unplaced, idle = [], []
    for entry in catalog.entries:
        path = Path(entry.doc.path)
        placed, left = place(entry, reader, names, papers)
        facts = entry_facts(entry)
        total += len(facts)
        auto += len(facts) - len(left)
        tried = [s for s in placed]
        unplaced += [(rel(path, data), f.name, tried) for f in left]
        idle += [(rel(path, data), s) for s, found in placed.items() if not found]
        if any(placed.values()):
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
            rewrite(path, {"sources": source_items(raw, placed)})
    lines = ["# Per-fact provenance: review", "",
             "Written by `scripts/migrate_provenance.py`. The automatic pass proposed, for every fact,",
             "the sources already cited by the entry whose line shows the value (kg/catalog/evidence.py).",
             "", "## Automatic pass", "",
             f"- facts: {total}", f"- placed automatically: {auto}", f"- not placed: {len(unplaced)}",
             f"- sources that showed no fact (kept as plain strings for review): {len(idle)}", "",
             "### Facts the automatic pass could not place", "",
             "| file | fact | sources tried |", "|---|---|---|"]
    lines += [f"| {f} | {md(fact)} | {', '.join(md(s) for s in tried) or '(none)'} |" for f, fact, tried in unplaced]
    lines += ["", "### Sources that showed no fact", "", "| file | source |", "|---|---|"]
    lines += [f"| {f} | {md(s)} |" for f, s in idle]
    lines += ["", AUTO_END, ""]
    review.write_text("\n".join(lines), encoding="utf-8")
    print(f"{total} facts, {auto} placed automatically, {len(unplaced)} not placed; review in {review}")


def rel(path: Path, data: Path) -> str:
    """``data/models/x.yaml``: the path from the folder that holds the catalog folder."""
    return str(path.resolve().relative_to(data.resolve().parent))


def md(text: str) -> str:
    return str(text).replace("|", "\\|")


# --- the hand pass ----------------------------------------------------------------------------

def hand(data: Path, decisions_file: Path, review: Path) -> None:
    """Apply a person's decisions (see the module docstring) and rewrite the review's hand sections."""
    decisions = yaml.safe_load(decisions_file.read_text(encoding="utf-8")) or {}
    by_file: dict[str, list] = {}
    for what in ("correct", "unplace", "place", "remove", "drop", "claim"):
        for d in decisions.get(what) or []:
            by_file.setdefault(d["file"], []).append((what, d))
    for file, items in by_file.items():
        apply_decisions(data.resolve().parent / file, items)
    write_hand_review(data, decisions, review)


def apply_decisions(path: Path, items: list) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources, changes = list(data.get("sources") or []), {}
    for s in sources:
        if isinstance(s, dict):
            s["for"] = FlowList(s["for"])
    claims = list(data.get("claims") or [])
    for what, d in items:
        if what == "correct":  # the old value's placements no longer hold: a place must follow
            key, new = d["key"], d["value"]
            changes[key] = new
            keep = {f"{key}={v}" for v in new} if isinstance(new, list) else set()
            for s in sources:
                if isinstance(s, dict):
                    s["for"] = FlowList(n for n in s["for"] if n.partition("=")[0] != key or n in keep)
            sources = [s if isinstance(s, str) or s["for"] else s["source"] for s in sources]
        elif what == "place":
            add_fact(sources, d["source"], d["fact"], d.get("quote"))
        elif what == "unplace":
            for i, s in enumerate(sources):
                if isinstance(s, dict) and s["source"] == d["source"]:
                    s["for"] = FlowList(n for n in s["for"] if n != d["fact"])
                    if not s["for"]:
                        sources[i] = s["source"]  # states nothing now: back to a plain item
        elif what == "drop":
            sources = [s for s in sources if (s if isinstance(s, str) else s["source"]) != d["source"]]
        elif what == "claim":
            claim = {k: d[k] for k in ("key", "value", "source", "reason", "quote") if d.get(k) is not None}
            if claim not in claims:
                claims.append(claim)
        elif what == "remove":
            key, _, item = d["fact"].partition("=")
            value = changes.get(key, data.get(key))
            if item and isinstance(value, list):
                value = [v for v in value if not item_is(v, item)]
            elif item and value is not None and item_is(value, item):
                value = None
            changes[key] = value if item and value else None
            gone = (lambda n: n == d["fact"]) if item else (lambda n: n.partition("=")[0] == key)
            for s in sources:
                if isinstance(s, dict):
                    s["for"] = FlowList(n for n in s["for"] if not gone(n))
            sources = [s for s in sources if isinstance(s, str) or s["for"]]
    changes["sources"] = sources
    if claims:
        changes["claims"] = claims
    rewrite(path, changes)


def item_is(raw, item: str) -> bool:
    return str(raw.get("model") if isinstance(raw, dict) else raw) == item


def add_fact(sources: list, source: str, fact: str, quote: str | None) -> None:
    """Name ``fact`` under ``source`` (turning a plain string item into a mapping, or adding one)."""
    for i, s in enumerate(sources):
        cited = s if isinstance(s, str) else s["source"]
        if cited != source:
            continue
        if isinstance(s, str):
            s = sources[i] = {"source": source, "for": FlowList()}
        if fact not in s["for"]:
            s["for"] = FlowList([*s["for"], fact])
        if quote and not s.get("quote"):
            s["quote"] = quote
        return
    item = {"source": source, "for": FlowList([fact])}
    if quote:
        item["quote"] = quote
    sources.append(item)


def write_hand_review(data: Path, decisions: dict, review: Path) -> None:
    catalog = load(data)
    by_hand = {(d["file"], d["source"], d["fact"]) for d in decisions.get("place") or []}
    counts, left, plain = Counter(), [], []
    for entry in catalog.entries:
        file = rel(Path(entry.doc.path), data)
        plain += [(file, v.value.source) for v in entry.values.get("sources", []) if not v.value.facts]
        auto, hand_only = set(), set()
        for attribution in (v.value for v in entry.values.get("sources", [])):
            for name in attribution.facts:
                found = covers(entry, name) or []
                (hand_only if (file, attribution.source, name) in by_hand else auto).update(found)
        for fact in entry_facts(entry):
            if fact in auto:
                counts["auto"] += 1
            elif fact in hand_only:
                counts["hand"] += 1
            else:
                left.append((file, fact.name))
        counts["total"] += len(entry_facts(entry))
    before = review.read_text(encoding="utf-8") if review.exists() else "# Per-fact provenance: review\n\n"
    head, _, _ = before.partition(AUTO_END)
    lines = [head + AUTO_END, "", "## Now", "",
             f"- facts: {counts['total']}", f"- placed by the automatic pass: {counts['auto']}",
             f"- placed by hand: {counts['hand']}",
             f"- removed (no source states them): {len(decisions.get('remove') or [])}",
             f"- left: {len(left)}", "", "## Hand placements", "",
             "| file | fact | source | why |", "|---|---|---|---|"]
    lines += [f"| {d['file']} | {md(d['fact'])} | {md(d['source'])} | {md(d['why'])} |"
              for d in decisions.get("place") or []]
    lines += ["", "## Automatic placements rejected on review", "", "| file | fact | source | why |",
              "|---|---|---|---|"]
    lines += [f"| {d['file']} | {md(d['fact'])} | {md(d['source'])} | {md(d['why'])} |"
              for d in decisions.get("unplace") or []]
    lines += ["", "## Facts removed: no source states them", "", "| file | fact | why |", "|---|---|---|"]
    lines += [f"| {d['file']} | {md(d['fact'])} | {md(d['why'])} |" for d in decisions.get("remove") or []]
    lines += ["", "## Sources dropped: they state no fact of the entry", "", "| file | source | why |",
              "|---|---|---|"]
    lines += [f"| {d['file']} | {md(d['source'])} | {md(d['why'])} |" for d in decisions.get("drop") or []]
    lines += ["", "## Corrections", "", "| file | key | value now | why |", "|---|---|---|---|"]
    lines += [f"| {d['file']} | {d['key']} | {md(d['value'])} | {md(d['why'])} |"
              for d in decisions.get("correct") or []]
    lines += ["", "## Claims (values not preferred)", "", "| file | key | value | source | reason |",
              "|---|---|---|---|---|"]
    lines += [f"| {d['file']} | {d['key']} | {md(d['value'])} | {md(d['source'])} | {md(d['reason'])} |"
              for d in decisions.get("claim") or []]
    lines += ["", "## Notes", ""] + [f"- {n}" for n in decisions.get("notes") or []]
    lines += ["", "## Sources kept without facts", "",
              "Pages that cannot be read here and that no fact needs; kept as plain items (they state",
              "no fact in particular) rather than dropped unread.", "", "| file | source |", "|---|---|"]
    lines += [f"| {f} | {md(s)} |" for f, s in plain]
    lines += ["", "## Left", "", "| file | fact |", "|---|---|"]
    lines += [f"| {f} | {md(n)} |" for f, n in left]
    review.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{counts['total']} facts: {counts['auto']} automatic, {counts['hand']} by hand, {len(left)} left")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--shared", type=Path, default=None, help="the shared/ folder (seeds, upstream)")
    parser.add_argument("--review", type=Path, default=ROOT / "docs" / "provenance-review.md")
    parser.add_argument("--hand", type=Path, default=None, help="apply the decisions of this YAML file")
    args = parser.parse_args(argv)
    if args.hand:
        hand(args.data, args.hand, args.review)
    else:
        automatic(args.data, args.shared, args.review)


if __name__ == "__main__":
    main()

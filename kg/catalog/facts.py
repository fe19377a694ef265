"""The facts of an entry: one scalar key's value, or one item of a list key.

A fact is what an item of ``sources:`` names in ``for:``: ``released`` (the value of a key
written as one value) or ``parameters=7B`` (one item of a key written as a YAML list; the
item as written for counts, the id for references and ``based_on``, the text for names).
``for: [parameters]`` names every item of the key. See docs/catalog-format.md.

Pure Python: nothing here needs an RDF library.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.catalog.values import BadValue, parse_count
from kg.catalog.yamlload import YamlProblem, load_document

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kg.catalog.loader import Entry

#: Keys that are not facts about the world (kept in step with kg.catalog.provenance.NOT_FACTS).
from kg.catalog.provenance import NOT_FACTS  # noqa: E402 - one list for both modules


@dataclass(frozen=True)
class Fact:
    """One fact: ``key``, the ``item`` a ``for:`` names (None for a key written as one value)
    and the normalized ``value`` (a kg.catalog.loader.Value)."""

    key: str
    item: str | None
    value: Any

    @property
    def name(self) -> str:
        """As a ``for:`` list names it: ``released`` or ``parameters=7B``."""
        return self.key if self.item is None else f"{self.key}={self.item}"


@lru_cache(maxsize=1024)
def _written_text(path: Path, digest: bytes) -> dict:
    """The scalars of a file as written (``7B``), when the file is still the one that was read."""
    try:
        doc = load_document(path)
    except (OSError, YamlProblem):
        return {}
    return doc.source_text if doc.digest == digest else {}


def format_count(number: int) -> str:
    """7000000000 -> '7B', 1500000000 -> '1.5B', 123 -> '123' (when the written text is gone)."""
    for suffix, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if number >= scale and (number * 1000) % scale == 0:
            return f"{number / scale:g}{suffix}"
    return str(number)


def _item(entry: "Entry", value) -> str | None:
    """The item of a list value as ``for:`` names it; None for a key written as one value."""
    if len(value.path) == 1:
        return None
    if isinstance(value.value, int) and not isinstance(value.value, bool):  # a count: as written
        written = _written_text(Path(entry.doc.path), entry.doc.digest).get(value.path)
        return written.strip() if written else format_count(value.value)
    return str(value.value)


def entry_facts(entry: "Entry") -> list[Fact]:
    """Every fact of ``entry``, in the order of its file."""
    facts = []
    for key, values in entry.values.items():
        if key in NOT_FACTS:
            continue
        facts.extend(Fact(key, _item(entry, v), v) for v in values)
    return facts


def same_item(fact: Fact, item: str) -> bool:
    """Does ``item`` (as a ``for:`` writes it) name the value of ``fact``?"""
    if fact.item == item:
        return True
    value = fact.value.value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return parse_count(item) == value
        except BadValue:
            return False
    return str(value).strip() == item.strip()


def covers(entry: "Entry", fact_name: str) -> list[Fact] | None:
    """The facts a ``for:`` item names: ``key`` -> all of them, ``key=item`` -> that item.

    None when the entry has no such key, or does not hold that item (items are matched by
    normalized value: ``parameters=7000000000`` names a ``7B`` item).
    """
    key, sep, item = fact_name.partition("=")
    key = key.strip()
    facts = [f for f in entry_facts(entry) if f.key == key]
    if not facts:
        return None
    if not sep:
        return facts
    matched = [f for f in facts if same_item(f, item.strip())]
    return matched or None

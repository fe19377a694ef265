"""Why the catalog says what it says: each fact of an entry with its sources, their words, and the claims set aside.

>>> from pathlib import Path
>>> from kg.catalog.diagnostics import Report
>>> from kg.catalog.loader import load_catalog
>>> catalog = load_catalog(Path("tests/fixtures/catalog"), Report())
>>> explanation = explain(catalog, "alpaca", key="developer")
>>> [(fact.name, [s.source for s in fact.sources]) for fact in explanation.facts]
[('developer', ['https://crfm.stanford.edu/2023/03/13/alpaca.html'])]
"""
from __future__ import annotations

import difflib
import json
import textwrap
from dataclasses import asdict, dataclass, field

from kg.catalog.evidence import SourceText
from kg.catalog.facts import Fact, entry_facts, format_count
from kg.catalog.loader import Catalog, Entry
from kg.catalog.provenance import NOT_FACTS
from kg.catalog.schema import FIELDS, KINDS
from kg.catalog.sourcing import named_values
from kg.errors import KgError, KgUsageError


class UnknownEntity(KgError):
    """No entry has the id asked about."""


@dataclass
class Citation:
    """One source of a fact: the source as written, the words of its line (seed/upstream), its quote."""

    source: str
    line: str | None = None
    quote: str | None = None
    #: True for a seed or upstream line that the source documents, though present, do not hold
    #: (KG121); False when they hold it; None when nothing was looked up (a URL, or no shared/).
    not_found: bool | None = None


@dataclass
class ExplainedFact:
    name: str
    key: str
    value: str
    sources: list[Citation] = field(default_factory=list)


@dataclass
class SetAside:
    """A claim the entry does not prefer."""

    key: str
    value: str
    reason: str
    source: Citation


@dataclass
class Explanation:
    kind: str
    id: str
    file: str
    facts: list[ExplainedFact]
    claims: list[SetAside]
    also: list[str] = field(default_factory=list)  # other kinds with the same id

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def as_text(self, width: int = 100) -> str:
        """Footnote style: each fact with the numbers of its sources, then each source once, with its
        line's words (or the quote kept from a page), wrapped to ``width``."""
        numbers: dict[tuple, int] = {}

        def refs(citations: list[Citation]) -> str:
            marks = [numbers.setdefault((c.source, c.line, c.quote, c.not_found), len(numbers) + 1)
                     for c in citations]
            return "".join(f"[{n}]" for n in marks) or "(no source: KG120)"

        rows = [(fact.key, fact.value, refs(fact.sources)) for fact in self.facts]
        aside = [(claim.key, claim.value, refs([claim.source]), claim.reason) for claim in self.claims]
        key_width = min(max((len(r[0]) for r in rows + aside), default=0), 24)
        lines = [f"{self.kind}/{self.id} ({self.file})"]
        lines += [f"  {key.ljust(key_width)}  {_clip(value, 50).ljust(50)}  {marks}" for key, value, marks in rows]
        if aside:
            lines.append("claims set aside")
            for key, value, marks, reason in aside:
                lines.append(f"  {key.ljust(key_width)}  {_clip(value, 50).ljust(50)}  {marks}")
                lines += textwrap.wrap(f"not preferred: {reason}", width, initial_indent=" " * (key_width + 4),
                                       subsequent_indent=" " * (key_width + 4))
        lines.append("sources")
        for (source, line, quote, not_found), number in numbers.items():
            lines.append(f"  [{number}] {source}" + ("  (no such file or line in the source documents: "
                                                      "KG121)" if not_found else ""))
            for words in (line, quote and f"quote: {quote}"):
                if words:
                    lines += textwrap.wrap(" ".join(words.split()), width, initial_indent="      ",
                                           subsequent_indent="      ")
        from kg.util.terminal import shown_safely

        return "\n".join(shown_safely(line.rstrip()) for line in lines) + "\n"  # seed lines quoted as they are


def explain(catalog: Catalog, entity: str, *, key: str | None = None,
            sources: SourceText | None = None) -> Explanation:
    """Each fact of the entry ``entity`` (``id`` or ``kind/id``), with its sources and their words.

    ``key`` keeps the facts (and claims) of one key. Seed and upstream lines are read with
    ``sources`` (their text is left out without it).
    """
    entry, also = _find(catalog, entity)
    if key is not None and (key in NOT_FACTS or key not in entry.values):
        keys = [k for k in entry.values if k not in NOT_FACTS]
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"its facts are: {', '.join(keys)}"
        raise KgUsageError(f"{entry.kind.label} '{entry.id}' has no fact '{key}': {hint}")
    citations = cite(entry, sources)
    facts = [ExplainedFact(fact.name, fact.key, _shown(fact, entry.kind), citations.get(id(fact.value), []))
             for fact in entry_facts(entry) if key is None or fact.key == key]
    claims = [SetAside(c.key, c.value, c.reason, _citation(sources, c.source, c.quote))
              for c in (v.value for v in entry.values.get("claims", [])) if key is None or c.key == key]
    return Explanation(entry.kind.label, entry.id, entry.file, facts, claims, also)


def cite(entry: Entry, sources: SourceText | None = None) -> dict[int, list[Citation]]:
    """The citations of each value of ``entry``, by ``id()`` of the value, in the order of ``sources:``."""
    citations: dict[int, list[Citation]] = {}
    for value in entry.values.get("sources", []):
        attribution = value.value
        citation = _citation(sources, attribution.source, attribution.quote)
        for name in attribution.facts:
            for _key, fact_value in named_values(entry, name) or []:
                citations.setdefault(id(fact_value), []).append(citation)
    return citations


def _find(catalog: Catalog, entity: str) -> tuple[Entry, list[str]]:
    from kg.namespaces import entity_reference, mistyped_prefix

    if not entity.strip():
        raise KgUsageError("give an entity: its id (llama-2), kind/id (paper/llama-2) or model:llama-2")
    if (hint := mistyped_prefix(entity)) is not None:
        raise UnknownEntity(f"no entry '{entity}' in the catalog: {hint}")
    wanted_kind, _, wanted_id = entity_reference(entity).rpartition("/")
    matches = [e for e in catalog.entries if e.id == wanted_id
               and (not wanted_kind or wanted_kind in (e.kind.label, e.kind.segment, e.kind.folder))]
    if not matches:
        ids = sorted({e.id for e in catalog.entries})
        close = difflib.get_close_matches(wanted_id, ids, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "kg stats counts what the catalog holds"
        raise UnknownEntity(f"no entry '{entity}' in the catalog: {hint}")
    order = {kind: i for i, kind in enumerate(KINDS)}
    matches.sort(key=lambda e: order[e.kind])
    return matches[0], [f"{e.kind.label}/{e.id}" for e in matches[1:]]


def _shown(fact: Fact, kind) -> str:
    value = fact.value.value
    if fact.item is not None:
        return fact.item + (f" ({fact.value.relation})" if fact.value.relation else "")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and FIELDS[kind][fact.key].value == "count":
        return format_count(value)
    return str(getattr(value, "text", value))


def _citation(sources: SourceText | None, source: str, quote: str | None) -> Citation:
    if sources is None or sources.locate(source) is None:  # no source documents here, or a URL: nothing to look up
        return Citation(source, None, quote)
    line = sources.read(source, around=0)
    return Citation(source, line, quote, not_found=line is None)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

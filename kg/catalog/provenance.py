"""Per-fact provenance in the YAML: which source states which fact, and claims that disagree.

A *fact* is one key's value (``released``) or one item of a list key (``parameters=7B``,
``based_on=llama``). Each item of ``sources:`` names the facts it states in ``for:``; an
item of ``claims:`` keeps a value that is not preferred, with its source and the reason.
See docs/catalog-format.md.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.catalog.values import BadValue, parse_source, refuse_control_characters

#: Keys that are not facts about the world: the file's id, the provenance itself, and
#: ``replaced_by`` (a decision about the catalog's own identifiers, recorded by its history).
NOT_FACTS = frozenset({"id", "kind", "sources", "claims", "replaced_by"})

ATTRIBUTION_KEYS = ("source", "for", "quote")
CLAIM_KEYS = ("key", "value", "source", "reason", "quote")


@dataclass(frozen=True, slots=True)
class Attribution:
    """One item of ``sources:``: the source, the facts it states (``for``) and an optional quote.

    ``facts`` is empty for a plain string source (the old format: it states no fact in particular).
    """

    source: str
    facts: tuple[str, ...] = ()
    quote: str | None = None

    def __reduce__(self):
        return Attribution, (self.source, self.facts, self.quote)


@dataclass(frozen=True, slots=True)
class Claim:
    """One item of ``claims:``: a value of ``key`` that a source states but the entry does not prefer."""

    key: str
    value: str
    source: str
    reason: str
    quote: str | None = None

    def __reduce__(self):
        return Claim, (self.key, self.value, self.source, self.reason, self.quote)


def split_fact(fact: str) -> tuple[str, str | None]:
    """``'parameters=7B'`` -> ``('parameters', '7B')``; ``'released'`` -> ``('released', None)``."""
    key, sep, item = fact.partition("=")
    return key.strip(), (item.strip() if sep else None)


def _text(value, what: str) -> str:
    if type(value) is str:  # the usual case, first: a fact's name in ``for``
        text = value.strip()
        if text:
            try:
                refuse_control_characters(text)
            except BadValue as exc:
                raise BadValue(f"{what} {exc}") from None
            return text
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        raise BadValue(f"{what} must be text")
    return str(value).strip()


def parse_attribution(item) -> Attribution:
    """A source as written: ``seed:F:L`` / a URL, or ``{source: …, for: [facts], quote: …}``."""
    if not isinstance(item, dict):
        return Attribution(parse_source(item))
    unknown = [str(k) for k in item if k not in ATTRIBUTION_KEYS]
    if unknown:
        raise BadValue(f"has unknown key(s) {', '.join(unknown)}: a source takes "
                       f"{', '.join(ATTRIBUTION_KEYS)}")
    if "source" not in item:
        raise BadValue("lacks 'source': add the URL or seed:<file>:<line> it cites")
    facts = item.get("for")
    if facts is None:
        raise BadValue("lacks 'for': list the facts this source states, e.g. for: [name, released]")
    if isinstance(facts, str):
        facts = [facts]
    if not isinstance(facts, list) or not facts:
        raise BadValue("'for' must be a list of facts, e.g. [name, released, parameters=7B]")
    names = tuple(_text(f, "each item of 'for'") for f in facts)
    quote = _text(item["quote"], "'quote'") if item.get("quote") is not None else None
    return Attribution(parse_source(item["source"]), names, quote)


def parse_claim(item) -> Claim:
    """``{key: released, value: 2024-02, source: …, reason: …, quote: …}``."""
    if not isinstance(item, dict):
        raise BadValue("must be a mapping {key, value, source, reason}")
    unknown = [str(k) for k in item if k not in CLAIM_KEYS]
    if unknown:
        raise BadValue(f"has unknown key(s) {', '.join(unknown)}: a claim takes {', '.join(CLAIM_KEYS)}")
    missing = [k for k in ("key", "value", "source", "reason") if item.get(k) in (None, "")]
    if missing:
        raise BadValue(f"lacks {', '.join(missing)}: a claim names the key, the value a source "
                       "states, the source and why the entry does not prefer it")
    value = item["value"]
    value = value.isoformat() if hasattr(value, "isoformat") else value
    quote = _text(item["quote"], "'quote'") if item.get("quote") is not None else None
    return Claim(_text(item["key"], "'key'"), _text(value, "'value'"), parse_source(item["source"]),
                 _text(item["reason"], "'reason'"), quote)

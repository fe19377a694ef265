"""Deciding what an item the catalog does not know is — a model, a paper, a technique, an organization,
or not an entry — from the general signals of kg.importer.signals. An item it cannot decide is
reported unsure, with the reason, and never drafted as a model."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.catalog.checks import normalized_name
from kg.importer.items import MARKS, Item
from kg.importer.markdown import is_side_label
from kg.importer.signals import (
    SECTION_WORDS, STRONG_OTHERS, TELLING_PHRASES, defined_kind, has_size, has_version, is_coined, link_kind,
    name_head, name_reason, name_shape, organization_page, plain_name, section_kind, self_definition,
    states_size, technique_head, words_of,
)

#: Words of a name that make it a report on a model rather than the model ('Qwen3 Technical Report').
REPORT = re.compile(r"\b(technical report|tech report|system card|model card|white ?paper)\b", re.I)
#: Last words of a name that make it an organization ('Matsuo Lab', 'Machine Intelligence Research Institute').
ORGANIZATION_WORDS = {"lab", "labs", "laboratory", "institute", "society", "university", "association",
                      "consortium", "inc", "corp", "corporation", "company", "academy"}
#: Words that a list of models uses around its names without naming anything ('Foundation Models').
GENERIC_WORDS = {"foundation", "language", "large", "small", "model", "models", "llm", "llms", "ai", "open",
                 "source", "open-source", "multimodal", "vision", "new", "latest", "frontier", "generative",
                 "base", "chat", "instruct", "series", "family", "families", "collection", "the", "a", "of", "and",
                 "on-device", "embedding", "text", "our", "all", "other"}
#: Words of a link that say what it points at ('lmarena.ai', 'ollama.com/library').
URL_WORDS = {"leaderboard": "a leaderboard", "arena": "a leaderboard", "benchmark": "a benchmark",
             "awesome": "a link list", "dataset": "a dataset", "cookbook": "a cookbook",
             "prices": "a price list", "/library": "a list of models"}
SIDE_MARKS = set(MARKS.values())
NOTE = "no link of its own, date or card: a note, not an entry"
SECTION_NAMES = {"general": "a list", "models": "a list of models", "products": "a list of products", "resources":
                 "a list of guides and materials", "research": "a list of papers and methods"}


@dataclass(frozen=True)
class Verdict:
    """What an item is: kind model | paper | technique | organization (None: not an entry), and
    status entry | skipped | unsure, with the reason a curator reads."""

    kind: str | None
    status: str
    reason: str = ""
    hard: bool = False  # structure or the item's own name decided: no catalog match overrides it


def entry(kind: str, reason: str = "") -> Verdict:
    return Verdict(kind, "entry", reason)


def skipped(reason: str, hard: bool = False) -> Verdict:
    return Verdict(None, "skipped", reason, hard)


def unsure(reason: str) -> Verdict:
    return Verdict(None, "unsure", reason)


@dataclass
class Signals:
    """The signals of one item, read once."""

    item: Item
    section: str
    link: str | None
    shape: str
    head: str
    described: str | None
    what: str
    led: str | None
    defined_self: str | None = None  # what the description calls the item by name ('X, a model…')

    @property
    def paper_link(self) -> bool:
        return self.link == "paper" or "paper" in self.item.marks

    @property
    def named(self) -> bool:
        return self.shape in ("name", "named title")

    def model_evidence(self) -> str | None:
        """The strongest sign that the item is a model, if any."""
        if has_size(self.head):
            return "a parameter count in its name"
        if self.link in ("model card", "model collection"):
            return f"its link is a {self.link}"
        if self.defined_self == "model":
            return "its description says it is a model"
        if self.described == "model":
            return f"its description calls it a {self.what}"
        if self.led == "model":
            return "the words before its link call it a model"
        if states_size(self.item.description) and self.section in ("models", "general", "products") \
                and self.defined_self is None:
            return "a parameter count in its description"
        return None

    @property
    def versioned_model_name(self) -> bool:
        """A name with a version in a list of models ('Claude 4', 'gpt-image-1'): a model, whatever
        the first words of its description."""
        return self.section in ("models", "general") and self.named and has_version(self.head)


def read_signals(item: Item) -> Signals:
    lead = item.lead if not item.lead.endswith(":") else ""
    described, what = self_definition(item.name, item.description)
    defined_self = described
    if described is None:
        described, what = defined_kind(item.description)
    led, _ = defined_kind(lead) if lead else (None, "")
    return Signals(item, section_kind(item.section), link_kind(item.url), name_shape(item.name),
                   name_head(item.name), described, what, led, defined_self)


def classify(item: Item) -> Verdict:
    """What ``item`` is, for an item the catalog does not know."""
    if item.shape == "timeline":  # a heading with a paper link: a model when a catalog card follows
        return entry("model", "a heading with a catalog card") if item.card else entry("paper")
    signals = read_signals(item)
    return _structural(signals) or _by_name(signals) or _by_section(signals)


def _structural(s: Signals) -> Verdict | None:
    """Side links, links within the site, notes without a link, group labels, reports on a model."""
    item = s.item
    if is_side_label(item.name):
        return skipped(f"a side link ('{item.name}') with no entry of its own", hard=True)
    host = re.sub(r"^https?://(www\.)?", "", item.url or "").split("/")[0].lower()
    if host and s.link in ("social", "video", "code", "paper", "organization page", "model card", "post") \
            and normalized_name(item.name) == normalized_name(host.rsplit(".", 2)[-2] if "." in host else host):
        # '[Youtube](https://www.youtube.com/…)': the link names its site, not an entry
        return skipped(f"a post on {host}, not a model" if s.link in ("social", "video") else
                       f"a side link to {host} with no entry of its own", hard=True)
    if s.link == "site page":
        return skipped("a link to another page of the same site, not an entry", hard=True)
    if s.link == "social" and s.section not in ("models", "general") or "talk" in item.marks:
        return skipped(f"a post on {host}, not a model" if s.link == "social" else "a talk, not a model")
    if item.url is None and item.has_children and not item.card:
        return skipped("a group label above a sub-list, not an entry", hard=True)
    own_links = [t for t, u in item.links if (is_side_label(t) or t in SIDE_MARKS) and re.match(r"https?://", u)]
    if item.url is None and not own_links and item.date is None and not item.card:
        if item.listed and s.section in ("models", "general"):
            return None  # 'phi-3-vision, phi-3-small, …': model names listed without links
        # a note is not an entry; one that says it is about a model may still name a known one
        return skipped(NOTE, hard=s.described != "model")
    if REPORT.search(item.name):
        return entry("paper", "a report on a model")
    if item.lead.endswith(":") and len(words_of(item.lead)) <= 3:
        label = words_of(item.lead)[-1].lower()
        if label in SECTION_WORDS["resources"]:
            return skipped(f"listed under '{item.lead[:-1]}', not a model")
    return None


def _by_name(s: Signals) -> Verdict | None:
    """What the name, the link and the description say, in any section."""
    item = s.item
    technique = technique_head(s.head if s.shape == "named title" else item.name)
    if s.paper_link and technique and ":" not in item.name and len(words_of(plain_name(item.name))) <= 5:
        return entry("technique", f"a method: its name ends with '{technique}'")  # 'Chain of Thought (CoT)'
    if s.paper_link and s.shape in ("title", "named title", "headline") and s.defined_self != "model":
        return entry("paper", "a paper: its title links to the paper")  # 'A Survey of…', 'Learning to…'
    reason = name_reason(s.head) or (name_reason(item.lead) if item.lead.endswith(":") else None)
    if reason and not (s.versioned_model_name and s.model_evidence()):
        return skipped(f"{reason}, not a model", hard=not has_version(s.head))
    text = f"{item.name} {item.description}".lower()
    phrase = next((p for p in TELLING_PHRASES if p in text), None)
    if phrase and not s.versioned_model_name:
        return skipped(f"{TELLING_PHRASES[phrase]} ('{phrase}'), not a model")
    if s.shape == "headline":
        return entry("paper", "a paper titled as a question or a claim") if s.paper_link else \
            skipped("a headline or a sentence, not a name", hard=True)
    account = organization_page(item.url)
    if account:
        if normalized_name(account) == normalized_name(plain_name(item.name)):
            return entry("organization", "a link to the organization's own page")
        return skipped(f"a link to the page of an organization ({account}): a list, not one model")
    last = words_of(plain_name(item.name))[-1:]
    if last and last[0].lower() in ORGANIZATION_WORDS:
        return entry("organization", f"its name ends with '{last[0]}'")
    url = (item.url or "").lower()
    word = next((w for w in URL_WORDS if w in url), None)
    if word and s.link not in ("model card", "model collection"):
        return skipped(f"{URL_WORDS[word]} ('{word}' in the link), not a model")
    words = words_of(plain_name(item.name))
    if s.paper_link and len(words) >= 3 and not any(is_coined(w) for w in words) \
            and not has_version(item.name) and not technique_head(item.name):
        return entry("paper", "a paper: its title links to the paper")  # 'Large Language Diffusion Models'

    if s.link == "app" and not s.model_evidence():
        return skipped("a link to an application, not a model")
    if s.described == "organization" and not s.model_evidence():
        return entry("organization", f"its description calls it a {s.what}")
    if s.described == "other" and (s.what in STRONG_OTHERS or s.defined_self or not s.versioned_model_name):
        return skipped(f"{s.what}, by its description; not a model")
    if technique and not s.versioned_model_name and not (s.model_evidence() and s.named):
        return entry("technique", f"a method: its name ends with '{technique}'")
    if s.defined_self == "technique" or s.described == "technique" and not s.versioned_model_name \
            and not s.model_evidence():
        return entry("technique", f"its description calls it a {s.what}")
    led, led_what = defined_kind(item.lead) if item.lead and not item.lead.endswith(":") else (None, "")
    if led == "other" and not s.model_evidence():
        return skipped(f"{led_what}, by the words before its link; not a model")
    return None


def _by_section(s: Signals) -> Verdict:
    """What the item is, given the kind of list it sits in."""
    evidence = s.model_evidence()
    where = SECTION_NAMES[s.section]
    if s.item.parent_linked and not evidence:
        return skipped("a note under the entry above it, not an entry of its own")
    if s.section in ("models", "general"):
        if _generic(s.head):
            return skipped("a phrase of generic words in a list of models, not a name")
        if s.named or evidence:
            return entry("model", evidence or "a name in a list of models")
        if s.link in ("post", "video"):
            return skipped(f"a {s.link} with a title, not a model")
        return unsure(f"a title in {where}: a model, a paper or a post?")
    if s.named and evidence:
        return entry("model", evidence)
    if s.section == "products":
        if s.named and has_version(s.head) and s.described != "other":
            return entry("model", "a versioned name in a list of products")
        return skipped(f"a product or an announcement in {where}, not a model")
    if s.section == "resources":
        return skipped(f"a resource in {where}, not a model")
    if s.paper_link:
        return unsure(f"a name with a paper in {where}: a model or a method? its description does not say")
    if s.link in ("post", "social", "video") or "post" in s.item.marks:
        return skipped(f"a post in {where}, not a model")
    if s.named:
        return unsure(f"a name in {where}: a model, a method or a tool? nothing says")
    return unsure(f"a title in {where}: a paper, a post or a note?")


def _generic(name: str) -> bool:
    return all(w.lower() in GENERIC_WORDS for w in words_of(name))


"""What the markdown presents, as items with their place, links and stated facts; text clean-up."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.catalog.values import PartialDate

#: A markdown link: text (which may hold one pair of brackets) and target (which may hold parentheses).
LINK = re.compile(r"\[([^\[\]]*(?:\[[^\]]*\][^\[\]]*)*)\]\(([^()\s]+(?:\([^()\s]*\))?[^()\s]*)\)")
#: An image or badge (``![**github stars**](…)``) and an HTML image: decoration, never a link.
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>")
#: Emoji that awesome lists put in a link's text to say what the link is.
MARKS = {"\U0001F4D1": "paper", "\u270D": "post", "\U0001F917": "Hugging Face", "\U0001F5E3": "talk",
         "\U0001F4FA": "video"}


@dataclass
class Item:
    """Something the markdown presents: its place, name, links and the facts stated with it."""

    file: str
    line: int
    shape: str  # bullet | admonition | timeline | organization | table
    name: str
    url: str | None = None
    description: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    date: object = None  # PartialDate | None
    date_problem: str | None = None
    organization: str | None = None  # the organization named by the bullet or heading above
    card: dict[str, str] = field(default_factory=dict)
    card_line: int | None = None
    founded: PartialDate | None = None
    country: str | None = None
    section: tuple[str, ...] = ()  # the titles of the headings above, outermost first
    marks: str = ""  # what the emoji in the main link's text say it is: 'paper', 'post'…
    lead: str = ""  # the words before the main link ('Few-shot:', 'Math solving optimized LLM')
    parent: str | None = None  # the text of the bullet a sub-bullet sits under
    parent_linked: bool = False  # that bullet has a link: it is an entry, not a group label
    has_children: bool = False  # sub-bullets sit under this bullet
    listed: bool = False  # one of several names a bullet lists without links ('phi-3-small, phi-3')
    cells: dict[str, str] = field(default_factory=dict)  # a table row: header -> cell


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 (``ðŸ’¡``, ``â€™``); drop what cannot be repaired."""
    if not re.search(r"[ÂÃâð][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013"
                     r"\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]", text):
        return text
    raw = bytearray()
    for char in text:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            raw += char.encode("latin-1") if ord(char) < 256 else char.encode("utf-8")
    return raw.decode("utf-8", errors="ignore")


def strip_decoration(text: str) -> str:
    """Remove emoji, badges, images and HTML from a name or description."""
    text = IMAGE.sub("", text)  # images / star badges
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[\s*\]", "", text)  # what is left of a citation link [[cnt](…)]
    text = "".join(c for c in text if not (0x1F000 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF
                                            or ord(c) in (0xFE0F, 0x200D)))
    return re.sub(r"\s+", " ", text).strip(" -:*_`")


def link_marks(text: str) -> str:
    """The meanings of the emoji in a link's text, comma-separated ('paper', 'post')."""
    return ", ".join(meaning for mark, meaning in MARKS.items() if mark in text)

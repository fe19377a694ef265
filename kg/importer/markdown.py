"""Reading awesome-list and blog markdown into items: one per bullet entry, table row, admonition,
timeline heading, catalog card or organization heading, each with its file, line and section."""
from __future__ import annotations

import re

from kg.catalog.values import BadValue, PartialDate, parse_date
from kg.importer.items import IMAGE, LINK, Item, link_marks, repair_mojibake, strip_decoration
from kg.importer.tables import Table, is_separator, is_table_line, table_cells, table_items

__all__ = ["Item", "SIDE_LABELS", "find_date", "parse_markdown", "repair_mojibake", "strip_decoration"]

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
#: Link texts that label a side link rather than name the item.
SIDE_LABELS = {"git", "ref", "paper", "cnt", "doc", "blog", "video", "slides", "code", "demo", "link",
               "pdf", "hf", "huggingface", "github", "x", "twitter", "here", "post", "news", "report", "site",
               "talk", "hugging face"}
DEMONYMS = {"french": "FR", "american": "US", "chinese": "CN", "korean": "KR", "japanese": "JP",
            "israeli": "IL", "canadian": "CA", "german": "DE", "british": "GB", "uk": "GB", "emirati": "AE",
            "uae": "AE", "indian": "IN", "swiss": "CH", "dutch": "NL", "singaporean": "SG"}

_LINK = LINK
_BULLET = re.compile(r"^(\s*)(?:[-*+]|(\d+)\.)\s+(.*)$")
_BRACKET_DATE = re.compile(r"\[(\d{1,2}\s+)?([A-Za-z]{3,9})\.?\s+(\d{4})\]")
_ADMONITION = re.compile(r'^\s*(?:\?\?\?\+?|!!!)\s*(?:\w+\s+)?"(.*)"\s*$')
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CARD_LINE = re.compile(r"^([A-Z][A-Za-z .()]+?):\s*(.*)$")
#: A bullet that describes the organization of the heading above ('Founded in 2019. Canadian tech.').
_ORGANIZATION_NOTE = re.compile(r"\b(founded|company|headquartered|start-?up)\b", re.I)
#: Words of a link's text that only say what kind of page it is ('GitHub Repository', 'System Card').
REFERENCE_WORDS = {"paper", "report", "technical", "tech", "system", "model", "card", "blog", "post",
                   "announcement", "github", "repo", "repository", "docs", "documentation", "website", "homepage",
                   "demo", "video", "slides", "thread", "tweet", "release", "notes", "press", "hugging", "face",
                   "huggingface", "weights", "code", "project", "page", "official", "the", "arxiv", "pdf",
                   "link", "ref", "source", "site"}
#: Link texts that point at a reference beside the item ('Veo 3 Paper', 'System Card', 'GitHub Repository').
_REFERENCE = re.compile(r"(^|\s)(paper|report|card|blog|post|announcement|repo(sitory)?|github|docs?|"
                        r"documentation|website|homepage|demo|video|slides|thread|tweet|release notes|"
                        r"hugging ?face|weights|code|project page)$", re.I)


def find_date(text: str, today: str) -> tuple[PartialDate | None, str | None]:
    """The first bracketed date of a line (``[18 Jul 2023]``, ``[Mar 2023]``) and any problem with it."""
    found = list(_BRACKET_DATE.finditer(text))
    if not found:
        return None, None
    match = found[0]  # the first date is the release; later ones are updates
    day, month_name, year = match.group(1), match.group(2).lower(), match.group(3)
    month = MONTHS.get(month_name[:3]) if month_name[:3] in MONTHS and (
        len(month_name) == 3 or "january february march april may june july august september sept october "
        "november december".find(month_name) >= 0) else None
    if month is None:
        return None, f"'{match.group(0)}' has an unknown month '{match.group(2)}': check the source"
    text_date = f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else "")
    try:
        date = parse_date(text_date)
    except BadValue as exc:
        return None, f"'{match.group(0)}' {exc}"
    if date.text > today[: len(date.text)]:
        return None, f"'{match.group(0)}' is in the future: a typo? check the source"
    return date, None


#: A comment longer than this many lines wraps a page rather than hiding a few lines of it.
COMMENT_LINES = 30


def parse_markdown(text: str, file: str, today: str) -> list[Item]:
    """Every item of a markdown document, in document order."""
    return _Reader(text.splitlines(), file, today).read()


class _Reader:
    """One pass over the lines: headings give the section, bullets (with their continuation
    lines) and table rows give items; code blocks and HTML comments are not read."""

    def __init__(self, lines: list[str], file: str, today: str) -> None:
        self.lines, self.file, self.today = lines, file, today
        self.items: list[Item] = []
        self.sections: dict[int, str] = {}  # heading level -> title
        self.organization: Item | None = None  # '- Meta' above numbered children
        self.heading: Item | None = None  # a timeline heading, for the card that follows
        self.provider: str | None = None  # an organization named by the heading above
        self.bullets_since_heading = 0
        self.pending: tuple[int, int, bool, str] | None = None  # line, indent, numbered, body
        self.parents: list[tuple[int, str, bool]] = []  # (indent, plain text, linked) of enclosing bullets
        self.previous: tuple[int, list[Item]] = (0, [])  # indent and items of the bullet above
        self.table: Table | None = None

    def read(self) -> list[Item]:
        in_card = in_fence = in_comment = False
        card_start = 0
        for number, raw in enumerate(self.lines, start=1):
            line = repair_mojibake(raw)
            if in_comment or line.lstrip().startswith("<!--") and self.comment_closes(number):
                in_comment = "-->" not in line
                continue
            if line.strip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            if line.strip() == '"""':
                self.flush()
                in_card = not in_card
                card_start = number if in_card else card_start
                continue
            if in_card:
                match = _CARD_LINE.match(line.strip())
                if match and self.heading is not None:
                    self.heading.card[match.group(1).strip()] = match.group(2).strip()
                    self.heading.card_line = self.heading.card_line or card_start
                continue
            self.read_line(line, number)
        self.flush()
        return self.items

    def comment_closes(self, number: int) -> bool:
        """Does the HTML comment opened on line ``number`` close within a few lines? A comment around a
        whole page (a draft kept in a comment) is read as the page."""
        return any("-->" in line for line in self.lines[number - 1:number + COMMENT_LINES])

    def read_line(self, line: str, number: int) -> None:
        if not line.strip():
            self.flush()
            self.table = None
            return
        if is_table_line(line):
            self.flush()
            self.read_table_line(line, number)
            return
        self.table = None
        admonition = _ADMONITION.match(line)
        if admonition:
            self.flush()
            self.items.extend(_entries(admonition.group(1), self.file, number, "admonition", None,
                                       self.today, self.section()))
            return
        head = _HEADING.match(line)
        if head:
            self.flush()
            self.read_heading(len(head.group(1)), head.group(2), number)
            return
        bullet = _BULLET.match(line)
        if bullet:
            self.flush()
            self.pending = (number, len(bullet.group(1)), bool(bullet.group(2)), bullet.group(3))
            return
        if self.pending is not None:  # a continuation line of the bullet above
            start, indent, numbered, body = self.pending
            self.pending = (start, indent, numbered, f"{body} {line.strip()}")

    def read_heading(self, level: int, text: str, number: int) -> None:
        self.organization = None
        self.parents = []
        self.previous = (0, [])
        title = strip_decoration(re.sub(r"\*\*|__", "", text))
        self.sections = {k: v for k, v in self.sections.items() if k < level}
        parent_titles = " ".join(self.sections.values())
        self.sections[level] = title
        self.provider = title if level > 1 and is_organization_name(title) and re.search(
            r"\b(providers?|organi[sz]ations|companies|labs|vendors)\b", parent_titles, re.I) else None
        self.bullets_since_heading = 0
        self.heading = Item(self.file, number, "timeline", title) if level == 3 else None
        if self.heading is not None:
            paper = _following_paper(self.lines, number)
            if paper:
                self.heading.url = paper
                self.heading.links.append(("paper", paper))
                self.heading.section = self.section()[:-1]
                self.items.append(self.heading)
            else:
                self.heading = None

    def read_table_line(self, line: str, number: int) -> None:
        cells = table_cells(line)
        following = self.lines[number] if number < len(self.lines) else ""
        if is_separator(line):
            return
        if self.table is None or is_separator(following):
            self.table = Table(cells, number)
            return
        self.items.extend(table_items(self.table, cells, self.file, number, self.section()))

    def section(self) -> tuple[str, ...]:
        return tuple(self.sections[k] for k in sorted(self.sections))

    def flush(self) -> None:
        """Turn the pending bullet (with its continuation lines) into items."""
        if self.pending is None:
            return
        number, indent, numbered, body = self.pending
        self.pending = None
        self.parents = [p for p in self.parents if p[0] < indent]
        parent = self.parents[-1] if self.parents else None
        self.parents.append((indent, strip_decoration(_LINK.sub(lambda m: m.group(1), body)),
                             _LINK.search(IMAGE.sub("", body)) is not None))
        if indent > self.previous[0]:
            for above in self.previous[1]:
                above.has_children = True
        self.previous = (indent, [])
        self.bullets_since_heading += 1
        if indent == 0 and not numbered:
            self.organization = _organization_heading(body, self.lines, number, self.file)
            if self.organization is not None:
                self.organization.section = self.section()
                self.items.append(self.organization)
                return
        elif self.organization is not None and not numbered and indent > 0 and _LINK.search(body) is None:
            _organization_note(self.organization, body)
            return
        if self.provider and self.bullets_since_heading == 1 and _LINK.search(body) is None \
                and _ORGANIZATION_NOTE.search(body):
            organization = Item(self.file, number, "organization", self.provider, section=self.section())
            _organization_note(organization, body)
            self.items.append(organization)
            return
        owner = self.organization.name if self.organization is not None and indent > 0 else self.provider
        items = _entries(body, self.file, number, "bullet", owner, self.today, self.section())
        for item in items:
            if parent is not None and indent > 0:
                item.parent, item.parent_linked = parent[1], parent[2]
        self.previous = (indent, items)
        self.items.extend(items)


def _following_paper(lines: list[str], number: int) -> str | None:
    for line in lines[number: number + 4]:
        match = re.search(r"\[paper\]\((https?://[^)\s]+)\)", line)
        if match:
            return match.group(1)
        if _HEADING.match(line):
            return None
    return None


def _organization_heading(body: str, lines: list[str], number: int, file: str) -> Item | None:
    """``- Meta`` followed by numbered children (or a note) names an organization."""
    plain = strip_decoration(body)
    if _LINK.search(body) or not plain or len(plain.split()) > 4 or ":" in plain:
        return None
    following = next((l for l in lines[number:] if l.strip()), "")
    match = _BULLET.match(following)
    if not match or not match.group(1) or not (match.group(2) or "ounded" in following):
        return None  # an organization heading has numbered children or a founding note
    return Item(file, number, "organization", plain)


def _organization_note(organization: Item, body: str) -> None:
    note = strip_decoration(body)
    founded = re.search(r"[Ff]ounded in ([A-Za-z]+ )?(\d{4})", note)
    if founded:
        month = MONTHS.get((founded.group(1) or "").strip().lower()[:3])
        try:
            organization.founded = parse_date(f"{founded.group(2)}-{month:02d}" if month else founded.group(2))
        except BadValue:
            pass
    for word in re.findall(r"[A-Za-z]+", note):
        if word.lower() in DEMONYMS:
            organization.country = DEMONYMS[word.lower()]
    organization.description = note


def is_side_label(text: str) -> bool:
    """Does a link's text label a side link ('git', 'ref: releases', 'System Card', 'GitHub
    Repository', an emoji) rather than name an entry? 'Qwen3 Technical Report' names one."""
    plain = strip_decoration(text).lower()
    return (not plain or plain in SIDE_LABELS or plain.split(":")[0].strip() in SIDE_LABELS
            or all(w in REFERENCE_WORDS for w in re.findall(r"[a-z]+", plain)))


def is_reference(text: str) -> bool:
    """A side link, or a link to a reference about something else in the sentence ('Veo 3 Paper')."""
    plain = strip_decoration(text).lower()
    return is_side_label(text) or _REFERENCE.search(plain) is not None and len(plain.split()) <= 3


def is_organization_name(text: str) -> bool:
    """Could a heading or bullet be the name of an organization ('Mistral', 'Ai2 (Allen Institute for
    AI)') rather than a phrase ('Llama variants emerged in 2023')?"""
    plain = re.sub(r"\s*\([^)]*\)", "", text).strip()
    return bool(plain) and len(plain.split()) <= 3 and ":" not in plain and not re.search(r"\d{4}", plain)


def _head(body: str) -> str:
    """The words before the first ': ' or ' [' outside parentheses: the name of a bullet without a link."""
    depth = 0
    for index, char in enumerate(body):
        depth += (char == "(") - (char == ")")
        if depth == 0 and (body.startswith(": ", index) or body.startswith(" [", index)
                           or (char == ":" and index == len(body.rstrip()) - 1)):
            return body[:index]
    return body


def _linked_parts(body: str) -> list[str]:
    """The entries of 'A / B' when every part starts with a link; links after a part's date are
    mentions in its description ('… [25 Sep 2023] [Whisper](…) / [CLIP](…)'), not entries."""
    parts = [p for p in re.split(r"\s+/\s*(?=\[)", body) if p.strip()]
    if len(parts) < 2 or not all(_LINK.match(p.strip()) for p in parts):
        return [body]
    merged = [parts[0]]
    for part in parts[1:]:
        dates = list(_BRACKET_DATE.finditer(merged[-1]))
        links = [m for m in _LINK.finditer(merged[-1]) if not is_reference(m.group(1))]
        if dates and links and links[-1].start() > dates[-1].end():
            merged[-1] = f"{merged[-1]} / {part}"
        else:
            merged.append(part)
    return merged


def _ends_entry(rest: str) -> bool:
    """Does the text after a link end the entry (nothing, ':', a date, side links, ' / ') rather than
    go on with the sentence ('[SkyPilot](…) to reduce the cost', '… on [Image Size](…).')?"""
    rest = _BRACKET_DATE.sub("", _LINK.sub(lambda m: "" if is_reference(m.group(1)) else m.group(0), rest))
    return not rest.strip(" /") or rest.lstrip(" /").startswith((":", "-", "–"))


def _listed_names(text: str) -> list[str]:
    """The names of 'phi-3-vision (multimodal), phi-3-small, phi-3 (7b), phi-sillica': short parts,
    half of them with a digit; else nothing."""
    parts = [p.strip() for p in re.split(r",\s*(?![^()]*\))", re.sub(r"\s*\([^)]*\)", "", text))]
    if len(parts) < 2 or any(not p or len(p.split()) > 2 for p in parts):
        return []
    return parts if 2 * sum(any(c.isdigit() for c in p) for p in parts) >= len(parts) else []


def _entries(body: str, file: str, number: int, shape: str, organization: str | None,
             today: str, section: tuple[str, ...] = (), lead: str = "") -> list[Item]:
    """One item per entry of a line: several when ' / ' separates linked entries; none for a link
    within the page (a table of contents)."""
    body = IMAGE.sub("", body).strip()
    parts = _linked_parts(body)
    if len(parts) > 1:
        return [i for p in parts for i in _entries(p, file, number, shape, organization, today, section, lead)]
    links = [(strip_decoration(t) or link_marks(t) or "link", u) for t, u in _LINK.findall(body)]
    date, problem = find_date(body, today)
    leading = _LINK.match(body.lstrip("*_"))
    first = _LINK.search(body)
    if leading is None and first is not None and not is_reference(first.group(1)) \
            and re.match(r"https?://", first.group(2)) \
            and not first.group(1).startswith("[") and _ends_entry(body[first.end():]):
        # 'Math solving optimized LLM [WizardMath](…)', 'Few-shot: [Language Models are…](…)': the link is
        # the entry, the words before it say something about it
        before = body[:first.start()]
        return _entries(body[first.start():], file, number, shape, organization, today, section,
                        strip_decoration(before) + (":" if before.rstrip().endswith(":") else ""))
    if leading and not leading.group(1).startswith("["):
        if leading.group(2).startswith("#"):
            return []  # a table of contents: a link to a heading of the same page
        raw_name, url = leading.group(1), leading.group(2)
        name = strip_decoration(raw_name) or link_marks(raw_name) or "link"
        rest = body.lstrip("*_")[leading.end():]
        marks = link_marks(raw_name)
    else:
        head = _head(body)
        # a long parenthesis glosses the name: 'Qwen (通义千问: Universal Intelligence that…)' is Qwen
        name, url, marks = strip_decoration(re.sub(r"\s*\((?:[^()]*\s){3,}[^()]*\)", "", head)), None, ""
        rest = body[len(head):]
        listed = _listed_names(name) if url is None and not links else []
        if len(listed) > 1:
            return [Item(file, number, shape, n, None, "", [], date, problem, organization, section=section,
                         listed=True) for n in listed]
        if not name or len(name.split()) > 6 or name.startswith("[") or name.lower() in SIDE_LABELS:
            return []
    description = strip_decoration(_LINK.sub(lambda m: "" if is_side_label(m.group(1)) or m.group(1).startswith("[")
                                              or not re.match(r"https?://", m.group(2)) else m.group(1),
                                              _BRACKET_DATE.sub("", rest)))
    side = [(t, u) for t, u in links if u != url]
    return [Item(file, number, shape, name, url, description, side, date, problem, organization,
                 section=section, marks=marks, lead=lead)]

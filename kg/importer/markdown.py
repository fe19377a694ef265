"""Reading awesome-list and blog markdown into items: one per bullet entry, admonition,
timeline heading, catalog card or organization heading, each with its file and line."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.catalog.values import BadValue, PartialDate, parse_date

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
#: Link texts that label a side link rather than name the item.
SIDE_LABELS = {"git", "ref", "paper", "cnt", "doc", "blog", "video", "slides", "code", "demo", "link",
               "pdf", "hf", "huggingface", "github", "x", "twitter", "here", "post", "news", "report", "site"}
DEMONYMS = {"french": "FR", "american": "US", "chinese": "CN", "korean": "KR", "japanese": "JP",
            "israeli": "IL", "canadian": "CA", "german": "DE", "british": "GB", "uk": "GB", "emirati": "AE",
            "uae": "AE", "indian": "IN", "swiss": "CH", "dutch": "NL", "singaporean": "SG"}

_LINK = re.compile(r"\[([^\[\]]*(?:\[[^\]]*\][^\[\]]*)*)\]\(([^()\s]+(?:\([^()\s]*\))?[^()\s]*)\)")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|(\d+)\.)\s+(.*)$")
_BRACKET_DATE = re.compile(r"\[(\d{1,2}\s+)?([A-Za-z]{3,9})\.?\s+(\d{4})\]")
_ADMONITION = re.compile(r'^\s*(?:\?\?\?\+?|!!!)\s*(?:\w+\s+)?"(.*)"\s*$')
_HEADING = re.compile(r"^(#{2,4})\s+(.*?)\s*#*\s*$")
_CARD_LINE = re.compile(r"^([A-Z][A-Za-z .()]+?):\s*(.*)$")


@dataclass
class Item:
    """Something the markdown presents: its place, name, links and the facts stated with it."""

    file: str
    line: int
    shape: str  # bullet | admonition | timeline | organization
    name: str
    url: str | None = None
    description: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    date: PartialDate | None = None
    date_problem: str | None = None
    organization: str | None = None  # the parent bullet's organization name
    card: dict[str, str] = field(default_factory=dict)
    card_line: int | None = None
    founded: PartialDate | None = None
    country: str | None = None


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
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images / star badges
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[\s*\]", "", text)  # what is left of a citation link [[cnt](…)]
    text = "".join(c for c in text if not (0x1F000 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF
                                            or ord(c) in (0xFE0F, 0x200D)))
    return re.sub(r"\s+", " ", text).strip(" -:*_`")


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


def parse_markdown(text: str, file: str, today: str) -> list[Item]:
    """Every item of a markdown document, in document order."""
    lines = text.splitlines()
    items: list[Item] = []
    organization: Item | None = None
    heading: Item | None = None
    in_card, card_start = False, 0
    for number, raw in enumerate(lines, start=1):
        line = repair_mojibake(raw)
        if line.strip() == '"""':
            in_card = not in_card
            if in_card:
                card_start = number
            continue
        if in_card:
            match = _CARD_LINE.match(line.strip())
            if match and heading is not None:
                heading.card[match.group(1).strip()] = match.group(2).strip()
                heading.card_line = heading.card_line or card_start
            continue
        admonition = _ADMONITION.match(line)
        if admonition:
            items.extend(_entries(admonition.group(1), file, number, "admonition", None, today))
            continue
        head = _HEADING.match(line)
        if head:
            organization = None
            title = strip_decoration(re.sub(r"\*\*|__", "", head.group(2)))
            heading = Item(file, number, "timeline", title) if len(head.group(1)) == 3 else None
            if heading is not None:
                paper = _following_paper(lines, number)
                if paper:
                    heading.url = paper
                    heading.links.append(("paper", paper))
                    items.append(heading)
                else:
                    heading = None
            continue
        bullet = _BULLET.match(line)
        if not bullet:
            continue
        indent, numbered, body = len(bullet.group(1)), bullet.group(2), bullet.group(3)
        if indent == 0 and not numbered:
            organization = _organization_heading(body, lines, number, file)
            if organization is not None:
                items.append(organization)
                continue
        elif organization is not None and not numbered and indent > 0 and _LINK.search(body) is None:
            _organization_note(organization, body)
            continue
        parent = organization.name if organization is not None and indent > 0 else None
        items.extend(_entries(body, file, number, "bullet", parent, today))
    return items


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


def _entries(body: str, file: str, number: int, shape: str, organization: str | None,
             today: str) -> list[Item]:
    """One item per entry of a line: several when ' / ' separates linked entries."""
    parts = [p for p in re.split(r"\s+/\s*(?=\[)", body) if p.strip()]
    if len(parts) > 1 and all(_LINK.match(p.strip()) for p in parts):
        return [i for p in parts for i in _entries(p, file, number, shape, organization, today)]
    links = [(strip_decoration(t), u) for t, u in _LINK.findall(body)]
    date, problem = find_date(body, today)
    leading = _LINK.match(body.strip().lstrip("*_"))
    if leading and not leading.group(1).startswith("["):
        name, url = strip_decoration(leading.group(1)), leading.group(2)
        rest = body.strip()[leading.end():]
    else:
        head = re.split(r":\s|\s\[", body, maxsplit=1)[0]
        name, url = strip_decoration(head), None
        rest = body[len(head):]
        if not name or len(name.split()) > 6 or name.startswith("[") or name.lower() in SIDE_LABELS:
            return []
    description = strip_decoration(_LINK.sub(lambda m: "" if m.group(1).lower() in SIDE_LABELS
                                              or m.group(1).startswith("[") else m.group(1),
                                              _BRACKET_DATE.sub("", rest)))
    side = [(t, u) for t, u in links if u != url]
    return [Item(file, number, shape, name, url, description, side, date, problem, organization)]

"""Turning markdown items into draft catalog entries, matched against the existing catalog.

A draft is what a maintainer curates: the item's name, links, date and stated facts, with
``sources`` naming the item's links and its ``seed:<file>:<line>``. Known entries are not
drafted again; the facts that differ are reported instead.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .catalog import Catalog
from .checks import normalized_name
from .fsutil import write_atomic
from .mdparse import SIDE_LABELS, Item, parse_markdown
from .schema import FIELDS, MODEL, ORGANIZATION, PAPER, TECHNIQUE, Kind
from .values import BadValue, PartialDate, parse_count, parse_date

#: Words that mark a link as something other than a model (checked in name, description, URL).
NOT_MODELS = {
    "leaderboard": "a leaderboard", "arena": "a leaderboard", "benchmark": "a benchmark",
    "survey": "a survey", "price": "a price list", "compare": "a comparison", "comparison": "a comparison",
    "awesome": "a link list", "tutorial": "a tutorial", "course": "a course", "guide": "a guide",
    "dataset": "a dataset", "cookbook": "a cookbook", "index": "an index", "collection": "a link list",
    "review": "a review", "analysis": "an analysis", "definition": "a definition", "landscape": "an overview",
    "taxonomy": "an overview", "playground": "a tool", "official website": "a website",
    "library": "a software library", "chat.": "a chat product", "slides": "slides",
    "understanding": "an explainer", "paradigm": "an explainer", "inside ": "an explainer",
    "how to": "an explainer", "introduction to": "an explainer", "overview": "an overview",
    " launches ": "a news item", " released ": "a news item", "notebook": "an application",
    "foundation models": "a list of models", "models and libraries": "a list of models",
    "on-device ai models": "a list of models",
}
SOCIAL_HOSTS = ("twitter.com", "x.com", "t.co", "youtube.com", "youtu.be", "linkedin.com", "medium.com")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?", re.I)
ARCHITECTURES = {"decoder": "decoder-only", "encoder": "encoder-only", "encoder/decoder": "encoder-decoder",
                 "encoder-decoder": "encoder-decoder"}


@dataclass
class Row:
    """One line of the import report."""

    where: str
    kind: str
    name: str
    status: str  # new | known | conflicting | skipped
    detail: str = ""


@dataclass
class Draft:
    kind: Kind
    id: str
    data: dict


@dataclass
class ImportResult:
    rows: list[Row] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # (kind, normalized name) -> where it was drafted

    def totals(self) -> dict[str, int]:
        counts = {"new": 0, "known": 0, "conflicting": 0, "skipped": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")
    return re.sub(r"-{2,}", "-", text) or "entry"


def arxiv_id(url: str | None) -> str | None:
    match = _ARXIV.search(url or "")
    return match.group(1) if match else None


class Matcher:
    """Finds the catalog entry an item is about: by id, name or alias, URL, or arXiv id."""

    def __init__(self, catalog: Catalog) -> None:
        self.entries = catalog.entries
        self.keys: dict[tuple[Kind, str], object] = {}
        for entry in catalog.entries:
            names = [entry.name, entry.id] + [v.value for v in entry.values.get("aliases", [])]
            for name in names:
                self.keys.setdefault((entry.kind, "name:" + normalized_name(name)), entry)
            for key in ("url", "repository", "sources"):
                for value in entry.values.get(key, []):
                    if isinstance(value.value, str) and value.value.startswith("http") and key != "sources":
                        self.keys.setdefault((entry.kind, "url:" + _norm_url(value.value)), entry)
            if entry.first("arxiv"):
                self.keys.setdefault((entry.kind, "arxiv:" + entry.first("arxiv")), entry)

    def find(self, kind: Kind, name: str, urls: list[str]):
        arxiv = [a for a in (arxiv_id(u) for u in urls) if a]
        for key in ([f"arxiv:{a}" for a in arxiv] + [f"name:{normalized_name(name)}", f"name:{slug(name)}"]
                    + [f"url:{_norm_url(u)}" for u in urls]):
            entry = self.keys.get((kind, key))
            if entry is not None:
                return entry
        return None


def _norm_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


URL_WORDS = ("leaderboard", "arena", "benchmark", "awesome", "dataset", "cookbook", "prices", "/library")


def skip_reason(item: Item) -> str | None:
    """Why an item is not a model entry, or None. Heuristics: documented in docs/importer.md."""
    url = item.url or ""
    host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0].lower()
    if host in SOCIAL_HOSTS:
        return f"a post on {host}, not a model"
    if item.name.lower() in SIDE_LABELS:
        return f"a side link ('{item.name}') with no entry of its own"
    text = f"{item.name} {item.description}".lower()
    for word, what in NOT_MODELS.items():
        if word in text:
            return f"{what} ('{word}'), not a model"
    for word in URL_WORDS:
        if word in url.lower():
            return f"{NOT_MODELS.get(word, 'not a model')} ('{word}' in the link), not a model"
    if not url and not item.card and item.date is None:
        return "no link, date or card: a note, not an entry"
    return None


def import_markdown(files: list[Path], catalog: Catalog, today: datetime.date | None = None) -> ImportResult:
    """Parse ``files`` and match every item against ``catalog``."""
    today_text = (today or datetime.date.today()).isoformat()
    matcher = Matcher(catalog)
    result = ImportResult()
    taken = {(e.kind, e.id) for e in catalog.entries}
    organizations = {normalized_name(e.name): e.id for e in catalog.by_kind(ORGANIZATION).values()}
    for entry in catalog.by_kind(ORGANIZATION).values():
        for alias in entry.values.get("aliases", []):
            organizations.setdefault(normalized_name(alias.value), entry.id)
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for item in parse_markdown(text, path.name, today_text):
            _import_item(item, matcher, organizations, taken, result)
    return result


def _plain_name(name: str) -> str:
    """'Meta (aka. Facebook)' -> 'Meta': a parenthesis adds an alias, not a name."""
    return re.sub(r"\s*\([^)]*\)\s*", " ", name).strip() or name


def _import_item(item: Item, matcher: Matcher, organizations, taken, result: ImportResult) -> None:
    where = f"{item.file}:{item.line}"
    if item.shape == "organization" and re.search(r"\bseries\b", item.name, re.I):
        result.rows.append(Row(where, "-", item.name, "skipped", "a model series heading, not an organization"))
        return
    if item.shape == "organization":
        item.name = _plain_name(item.name)
    if item.shape == "organization":
        kind, draft = ORGANIZATION, _organization_draft(item)
        existing = organization_id(item.name, organizations)
        if existing in organizations.values():
            known = next(e for e in matcher.entries if e.kind is ORGANIZATION and e.id == existing)
            differences = [f"{k}: catalog {known.first(k) if k != 'founded' else known.values[k][0].value.text}, "
                           f"draft {draft[k]}" for k in ("country", "founded")
                           if k in draft and known.values.get(k) and
                           str(draft[k]) not in (known.first(k), known.values[k][0].value.text
                                                 if k == "founded" else None)]
            status = "conflicting" if differences else "known"
            result.rows.append(Row(where, kind.label, item.name, status,
                                   known.file + (f": {'; '.join(differences)}" if differences else "")))
            return
    else:
        reason = skip_reason(item)
        if reason:
            result.rows.append(Row(where, "-", item.name, "skipped", reason))
            return
        arxiv = arxiv_id(item.url)
        titled = ":" in item.name or (arxiv is not None and len(item.name.split()) > 4)
        # A timeline heading without a catalog card is a paper entry; with a card, a model.
        is_paper = not item.card and (titled or item.shape == "timeline")
        kind = PAPER if is_paper else MODEL
        technique = matcher.find(TECHNIQUE, _plain_name(item.name), [])
        if technique is not None and not item.card:  # 'Rotary Embeddings' names a technique
            result.rows.append(Row(where, "technique", item.name, "known", technique.file))
            return
        draft = _paper_draft(item, arxiv) if is_paper else _model_draft(item, organizations)
    urls = [u for u in [item.url, item.card.get("Link")] + [u for _, u in item.links] if u]
    known = matcher.find(kind, item.name, urls) or matcher.find(kind, _plain_name(item.name), [])
    drafted = result.seen.get((kind, normalized_name(item.name)))
    if known is None and drafted is not None:
        result.rows.append(Row(where, kind.label, item.name, "known", f"drafted above, from {drafted}"))
        return
    detail_date = f"; date left out: {item.date_problem}" if item.date_problem else ""
    if known is not None:
        differences = _differences(known, draft)
        status = "conflicting" if differences else "known"
        result.rows.append(Row(where, kind.label, item.name, status,
                               f"{known.file}" + (f": {'; '.join(differences)}" if differences else "")
                               + detail_date))
        return
    entry_id = slug(item.name)
    suffix = 2
    while (kind, entry_id) in taken:
        entry_id = f"{slug(item.name)}-{suffix}"
        suffix += 1
    taken.add((kind, entry_id))
    result.drafts.append(Draft(kind, entry_id, draft))
    result.seen[(kind, normalized_name(item.name))] = where
    result.rows.append(Row(where, kind.label, item.name, "new", f"{kind.folder}/{entry_id}.yaml" + detail_date))


def organization_id(name: str, organizations: dict[str, str]) -> str:
    """The catalog id of an organization named ``name`` ('Mistral' finds Mistral AI), else a new slug."""
    key = normalized_name(_plain_name(name))
    if key in organizations:
        return organizations[key]
    longer = sorted({i for n, i in organizations.items() if len(key) >= 4 and n.startswith(key)})
    return longer[0] if len(longer) == 1 else slug(_plain_name(name))


def _sources(item: Item) -> list[str]:
    urls = [item.url] if item.url else []
    urls += [u for t, u in item.links if u.startswith("http") and "scholar.google" not in u and u not in urls]
    lines = [f"seed:{item.file}:{item.line}"]
    if item.card_line:
        lines.append(f"seed:{item.file}:{item.card_line}")
    return urls + lines


def _organization_draft(item: Item) -> dict:
    data: dict = {"name": item.name}
    if item.description:
        data["description"] = item.description
    if item.country:
        data["country"] = item.country
    if item.founded:
        data["founded"] = _yaml_date(item.founded)
    data["sources"] = [f"seed:{item.file}:{item.line}"]
    return data


def _paper_draft(item: Item, arxiv: str | None) -> dict:
    data: dict = {"name": item.name, "url": item.url}
    if arxiv:
        data["arxiv"] = arxiv
    if item.date:
        data["published"] = _yaml_date(item.date)
    data["sources"] = _sources(item)
    return data


def _model_draft(item: Item, organizations: dict[str, str]) -> dict:
    data: dict = {"name": item.name}
    if item.description:
        data["description"] = item.description[:300]
    if item.url:
        data["url"] = item.url
    lab = item.card.get("Lab") or (_plain_name(item.organization) if item.organization else None)
    if lab:
        data["developer"] = organization_id(lab, organizations)
    date = item.date or _card_date(item.card.get("Date (of first known publication)", ""))
    if date:
        data["released"] = _yaml_date(date)
    arxiv = arxiv_id(item.url) or next((arxiv_id(u) for _, u in item.links if arxiv_id(u)), None)
    if arxiv:
        data["papers"] = [f"arxiv-{arxiv}"]  # a placeholder id the curator replaces or creates
    params = _card_params(item.card.get("Num. Params", ""))
    if params:
        data["parameters"] = params
    architecture = ARCHITECTURES.get(item.card.get("Pretraining Architecture", "").strip().lower())
    if architecture:
        data["architecture"] = architecture
    if item.card.get("Pretraining Task"):
        data["pretraining_objective"] = item.card["Pretraining Task"]
    if item.card.get("Corpus"):
        data["corpus"] = item.card["Corpus"][:300]
    licence = item.card.get("License", "")
    if re.search(r"apache[- ]?2", licence, re.I):
        data["license"] = "Apache-2.0"
        data["open_weights"] = True
    elif re.search(r"\bMIT\b", licence) and "modified" not in licence.lower():
        data["license"] = "MIT"
    repository = next((u for t, u in item.links if t.lower() == "git"), None)
    if repository:
        data["repository"] = repository
    data["sources"] = _sources(item)
    return data


def _card_date(text: str) -> PartialDate | None:
    match = re.match(r"^(\d{1,2})/(\d{4})$", text.strip())
    if not match:
        return None
    try:
        return parse_date(f"{match.group(2)}-{int(match.group(1)):02d}")
    except BadValue:
        return None


def _card_params(text: str) -> list[str]:
    values = []
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([KMBT])\b", text, re.I):
        value = f"{number}{unit.upper()}"
        if value not in values:
            values.append(value)
    return values


def _yaml_date(date: PartialDate):
    return datetime.date.fromisoformat(date.text) if len(date.text) == 10 else date.text


def _differences(entry, draft: dict) -> list[str]:
    out = []
    released = entry.values.get("released") or entry.values.get("published")
    draft_date = draft.get("released") or draft.get("published")
    if released and draft_date is not None:
        mine = released[0].value.text
        theirs = str(draft_date)
        if not (mine.startswith(theirs) or theirs.startswith(mine)):
            out.append(f"date: catalog {mine}, draft {theirs}")
    developers = {v.value for v in entry.values.get("developer", [])}
    if developers and draft.get("developer") and draft["developer"] not in developers:
        out.append(f"developer: catalog {', '.join(sorted(developers))}, draft {draft['developer']}")
    if entry.values.get("parameters") and draft.get("parameters"):
        mine = {v.value for v in entry.values["parameters"]}
        theirs = {parse_count(p) for p in draft["parameters"]}
        if not theirs <= mine:
            out.append("parameters: draft has " + ", ".join(draft["parameters"]))
    return out


KEY_ORDER = {kind: [k for k in FIELDS[kind] if k != "sources"] + ["sources"] for kind in FIELDS}


def draft_yaml(draft: Draft) -> str:
    """The draft as YAML, keys in the documented order, strings quoted when YAML 1.1 would retype."""
    ordered = {k: draft.data[k] for k in KEY_ORDER[draft.kind] if k in draft.data}
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


def write_drafts(result: ImportResult, out: Path, force: bool = False) -> list[Path]:
    """Write every draft under ``out``; refuse to overwrite a file unless ``force``."""
    paths = [out / d.kind.folder / f"{d.id}.yaml" for d in result.drafts]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists (and {len(existing) - 1} more): pass --force to "
                              "overwrite, or choose another --out")
    for draft, path in zip(result.drafts, paths):
        write_atomic(path, draft_yaml(draft).encode("utf-8"))
    return paths


def render_table(result: ImportResult) -> str:
    rows = [("where", "kind", "name", "status", "detail")] + [
        (r.where, r.kind, r.name[:40], r.status, r.detail) for r in result.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    totals = result.totals()
    lines.append("")
    lines.append(", ".join(f"{n} {status}" for status, n in totals.items()) + f" ({len(result.rows)} items)")
    return "\n".join(line.rstrip() for line in lines) + "\n"


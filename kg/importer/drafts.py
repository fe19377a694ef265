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

from kg.errors import OutputExistsError
from kg.catalog.loader import Catalog
from kg.catalog.checks import normalized_name
from kg.util.fsutil import write_atomic
from kg.importer.markdown import SIDE_LABELS, Item, parse_markdown
from kg.catalog.schema import FIELDS, MODEL, ORGANIZATION, PAPER, TECHNIQUE, Kind
from kg.catalog.values import BadValue, PartialDate, parse_count, parse_date

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
    "on-device ai models": "a list of models", "ai software engineer": "an AI agent product",
    "provides free": "a service",
}
#: Words that mark an item as something other than a model when they are in its *name* only
#: ('Vision capability to a LLM' is a note; 'mini-omni2: … Duplex Capabilities' is a model).
NOT_MODEL_NAMES = {"capability": "an explainer", "capabilities": "an explainer"}
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
    dates: dict = field(default_factory=dict)  # (kind, entry id) -> (where, date) of its first mention

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
            for key in ("url", "repository"):
                for value in entry.values.get(key, []):
                    if isinstance(value.value, str) and value.value.startswith("http"):
                        self.keys.setdefault((entry.kind, "url:" + _norm_url(value.value)), entry)
            if entry.first("arxiv"):
                self.keys.setdefault((entry.kind, "arxiv:" + entry.first("arxiv")), entry)
        # A model is also found by the arXiv id of the paper it names, when no other model names it.
        papers = {e.id: e.first("arxiv") for e in catalog.entries if e.kind is PAPER and e.first("arxiv")}
        by_paper: dict[str, list] = {}
        for entry in catalog.entries:
            if entry.kind is MODEL:
                for value in entry.values.get("papers", []):
                    if value.value in papers:
                        by_paper.setdefault(papers[value.value], []).append(entry)
        for arxiv, models in by_paper.items():
            if len(models) == 1:
                self.keys.setdefault((MODEL, "arxiv:" + arxiv), models[0])
        #: organization id -> its parent organization id
        self.parents = {e.id: e.first("parent") for e in catalog.entries
                        if e.kind is ORGANIZATION and e.first("parent")}

    def find(self, kind: Kind, name: str, urls: list[str]):
        arxiv = [a for a in (arxiv_id(u) for u in urls) if a]
        for key in ([f"arxiv:{a}" for a in arxiv] + [f"name:{normalized_name(name)}", f"name:{slug(name)}"]
                    + [f"url:{_norm_url(u)}" for u in urls]):
            entry = self.keys.get((kind, key))
            if entry is not None:
                return entry
        return None

    def find_item(self, kind: Kind, item: Item):
        """The entry ``item`` is about, most certain evidence first: its own name and links as
        ``kind``, then as the other kind (a titled link to a known model, an arXiv link to a known
        paper), then the title before ':' ('ESM3: A frontier language model' is ESM3), and last
        its side links ('[git](…)'), which may belong to something else the bullet mentions."""
        own = [u for u in (item.url, item.card.get("Link")) if u]
        other = PAPER if kind is MODEL else MODEL
        side = [u for _, u in item.links if u and u not in own]
        plain = _plain_name(item.name)
        head = item.name.split(":")[0].strip() if ":" in item.name else None
        for find_kind, name, urls in ((kind, item.name, own), (kind, plain, []), (other, item.name, own),
                                      (MODEL, head, []), (kind, item.name, side)):
            if name is None:
                continue
            entry = self.find(find_kind, name, urls)
            if entry is not None:
                return entry
        return None

    def ancestors(self, org: str) -> list[str]:
        out, seen = [], {org}
        while self.parents.get(org) and self.parents[org] not in seen:
            org = self.parents[org]
            out.append(org)
            seen.add(org)
        return out


def _norm_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


URL_WORDS = {"leaderboard": "a leaderboard", "arena": "a leaderboard", "benchmark": "a benchmark",
             "awesome": "a link list", "dataset": "a dataset", "cookbook": "a cookbook",
             "prices": "a price list", "/library": "a list of models"}


def side_link_reason(item: Item) -> str | None:
    """A side link ('git', 'ref', '[Twitter](…)') read as an item of its own: never an entry,
    never matched."""
    if item.name.lower() in SIDE_LABELS:
        host = re.sub(r"^https?://(www\.)?", "", item.url or "").split("/")[0].lower()
        if host in SOCIAL_HOSTS:
            return f"a post on {host}, not a model"
        return f"a side link ('{item.name}') with no entry of its own"
    return None


def skip_reason(item: Item) -> str | None:
    """Why an item is not a model entry, or None. Heuristics: documented in docs/importer.md.

    Asked only about items the catalog does not know: matching comes first, so that a known
    model whose bullet says 'released' or 'course' is reported as known.
    """
    url = item.url or ""
    host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0].lower()
    if host in SOCIAL_HOSTS:
        return f"a post on {host}, not a model"
    reason = side_link_reason(item)
    if reason:
        return reason
    if not url and not item.card and item.date is None:
        return "no link of its own, date or card: a note, not an entry"
    name = item.name.lower()
    for text in (name, f"{name} {item.description.lower()}"):  # the name's words first
        for word, what in NOT_MODELS.items():
            if word in text:
                return f"{what} ('{word}'), not a model"
    for word, what in NOT_MODEL_NAMES.items():
        if re.search(rf"\b{word}\b", name):
            return f"{what} ('{word}'), not a model"
    for word, what in URL_WORDS.items():
        if word in url.lower():
            return f"{what} ('{word}' in the link), not a model"
    return None


def is_series_heading(name: str) -> bool:
    """'Gemma series' heads a list of models: it is not an organization (nor their developer)."""
    return re.search(r"\bseries\b", name, re.I) is not None


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
    if item.shape == "organization" and is_series_heading(item.name):
        family = matcher.find(MODEL, item.name, [])
        if family is not None:
            result.rows.append(Row(where, MODEL.label, item.name, "known",
                                   f"{family.file}; a model series heading, not an organization"))
        else:
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
        known = None
    else:
        reason = side_link_reason(item)
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
        # Matching comes before the 'not a model' heuristics: a known model is known, whatever
        # words its bullet uses ('Apple released…', 'over the course of training').
        known = matcher.find_item(kind, item)
        if known is None:
            reason = skip_reason(item)
            if reason:
                result.rows.append(Row(where, "-", item.name, "skipped", reason))
                return
    drafted = result.seen.get((kind, normalized_name(item.name)))
    if known is None and drafted is not None:
        result.rows.append(Row(where, kind.label, item.name, "known", f"drafted above, from {drafted}"))
        return
    notes = [f"date left out: {item.date_problem}"] if item.date_problem else []
    if known is not None:
        if known.kind is not kind:
            kind, draft = known.kind, _retyped(draft, known.kind)
        differences, agreed = _differences(known, draft, matcher, item, result)
        status = "conflicting" if differences else "known"
        result.rows.append(Row(where, kind.label, item.name, status,
                               f"{known.file}" + (f": {'; '.join(differences)}" if differences else "")
                               + "".join(f"; {n}" for n in agreed + notes)))
        return
    entry_id = slug(item.name)
    suffix = 2
    while (kind, entry_id) in taken:
        entry_id = f"{slug(item.name)}-{suffix}"
        suffix += 1
    taken.add((kind, entry_id))
    result.drafts.append(Draft(kind, entry_id, draft))
    result.seen[(kind, normalized_name(item.name))] = where
    result.rows.append(Row(where, kind.label, item.name, "new", f"{kind.folder}/{entry_id}.yaml"
                           + "".join(f"; {n}" for n in notes)))


def _retyped(draft: dict, kind: Kind) -> dict:
    """The facts of a draft under the keys of ``kind`` (a paper's date is a model's release)."""
    out = dict(draft)
    if kind is MODEL and "published" in out:
        out["released"] = out.pop("published")
    if kind is PAPER and "released" in out:
        out["published"] = out.pop("released")
    return out


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
    lab = item.card.get("Lab") or (_plain_name(item.organization) if item.organization
                                   and not is_series_heading(item.organization) else None)
    if lab:  # 'Big Science/Huggingface' names two labs
        labs = [organization_id(name, organizations) for name in re.split(r"\s*(?:/|,|&|\band\b)\s*", lab)
                if name.strip()]
        data["developer"] = labs[0] if len(labs) == 1 else labs
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


_REBRAND = re.compile(r"\b(rebrand\w*|renamed)\b", re.I)


def _differences(entry, draft: dict, matcher: Matcher, item: Item, result: ImportResult
                 ) -> tuple[list[str], list[str]]:
    """The facts of ``draft`` that contradict ``entry`` and, apart, the notes on facts that agree
    only once granularity is understood (a parent organization, an update, a renaming)."""
    out: list[str] = []
    notes: list[str] = []
    released = entry.values.get("released") or entry.values.get("published")
    draft_date = draft.get("released") or draft.get("published")
    key = (entry.kind, entry.id)
    first = result.dates.get(key)
    if draft_date is not None:
        theirs = str(draft_date)
        if first is None:
            result.dates[key] = (f"{item.file}:{item.line}", theirs)
        if released:
            mine = released[0].value.text
            rebrand = _REBRAND.search(item.description)
            if mine.startswith(theirs) or theirs.startswith(mine):
                if len(theirs) < len(mine):
                    notes.append(f"date {theirs} agrees at a coarser precision")
            elif rebrand and theirs > mine:
                notes.append(f"date {theirs} is a {rebrand.group(1).lower()}, not the first release ({mine})")
            elif first is not None and first[0].split(":")[0] == item.file and first[1] < theirs:
                notes.append(f"date {theirs} is an update: listed first at {first[0]} with {first[1]}")
            else:
                out.append(f"date: catalog {mine}, draft {theirs}")
    developers = [v.value for v in entry.values.get("developer", [])]
    theirs_devs = draft.get("developer")
    theirs_devs = [theirs_devs] if isinstance(theirs_devs, str) else list(theirs_devs or [])
    if developers and theirs_devs:
        agreeing, others = [], []
        for dev in theirs_devs:
            if dev in developers:
                agreeing.append(dev)
                continue
            child = next((d for d in developers if dev in matcher.ancestors(d)), None)
            parent = next((d for d in developers if d in matcher.ancestors(dev)), None)
            if child:
                agreeing.append(dev)
                notes.append(f"developer {dev} is the parent organization of {child}")
            elif parent:
                agreeing.append(dev)
                notes.append(f"developer {dev} is part of {parent}")
            else:
                others.append(dev)
        if not agreeing:
            out.append(f"developer: catalog {', '.join(sorted(developers))}, draft {', '.join(theirs_devs)}")
        elif others:
            notes.append(f"the source also names {', '.join(others)} as developer; the catalog does not")
    if entry.values.get("parameters") and draft.get("parameters"):
        mine = {v.value for v in entry.values["parameters"]}
        theirs = {parse_count(p) for p in draft["parameters"]}
        if not theirs <= mine:
            out.append("parameters: draft has " + ", ".join(draft["parameters"]))
    return out, notes


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
        raise OutputExistsError(f"{existing[0]} exists (and {len(existing) - 1} more): pass --force to "
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


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
from kg.importer.classify import NOTE, REPORT, classify
from kg.importer.markdown import SIDE_LABELS, Item, parse_markdown
from kg.importer.matching import (
    Matcher, arxiv_id, is_series_heading, organization_id, plain_name, slug,
)
from kg.importer.signals import name_head, name_shape
from kg.importer.tables import row_models, row_techniques, table_kind
from kg.catalog.schema import FIELDS, MODEL, ORGANIZATION, PAPER, TECHNIQUE, Kind
from kg.catalog.values import BadValue, PartialDate, parse_count, parse_date

SOCIAL_HOSTS = ("twitter.com", "x.com", "t.co", "youtube.com", "youtu.be", "linkedin.com", "medium.com")
ARCHITECTURES = {"decoder": "decoder-only", "encoder": "encoder-only", "encoder/decoder": "encoder-decoder",
                 "encoder-decoder": "encoder-decoder"}


@dataclass
class Row:
    """One line of the import report."""

    where: str
    kind: str
    name: str
    status: str  # new | known | conflicting | unsure | skipped
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
        counts = {"new": 0, "known": 0, "conflicting": 0, "unsure": 0, "skipped": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


def import_markdown(files: list[Path], catalog: Catalog, today: datetime.date | None = None) -> ImportResult:
    """Parse ``files`` and match every item against ``catalog``."""
    today_text = (today or datetime.date.today()).isoformat()
    organizations = {normalized_name(e.name): e.id for e in catalog.by_kind(ORGANIZATION).values()}
    for entry in catalog.by_kind(ORGANIZATION).values():
        for alias in entry.values.get("aliases", []):
            organizations.setdefault(normalized_name(alias.value), entry.id)
    context = _Context(Matcher(catalog), organizations, {(e.kind, e.id) for e in catalog.entries}, ImportResult())
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        for item in parse_markdown(text, path.name, today_text):
            _import_item(item, context)
    _tie_reports(context)
    return context.result


@dataclass
class _Context:
    """What the import of one run knows: the catalog, its organizations, the ids taken, the result."""

    matcher: Matcher
    organizations: dict[str, str]
    taken: set
    result: ImportResult
    reports: list = field(default_factory=list)  # (paper draft id, subject, row) of reports on a model


def _import_item(item: Item, context: _Context) -> None:
    where = f"{item.file}:{item.line}"
    result, matcher = context.result, context.matcher
    if item.shape == "organization":
        _import_organization(item, context)
        return
    if item.shape == "table":
        _import_table_row(item, context)
        return
    reason = side_link_reason(item)
    if reason:
        result.rows.append(Row(where, "-", item.name, "skipped", reason))
        return
    verdict = classify(item)
    if verdict.hard:
        technique = matcher.find(TECHNIQUE, plain_name(item.name), []) if verdict.reason == NOTE else None
        if technique is not None:  # a note that names a known technique ('Layer normalization')
            result.rows.append(Row(where, TECHNIQUE.label, item.name, "known", technique.file))
        else:
            result.rows.append(Row(where, "-", item.name, "skipped", verdict.reason))
        return
    # Matching comes before the 'not a model' signals: a known entry is known, whatever words its
    # bullet uses ('Apple released…', 'over the course of training').
    known, kind, draft = _known_entry(item, verdict, context)
    if known is not None:
        _report_known(item, known, kind, draft, context)
        return
    drafted = result.seen.get((MODEL, normalized_name(name_head(item.name))))
    if drafted is not None and verdict.kind in ("model", None):
        result.rows.append(Row(where, MODEL.label, item.name, "known", f"drafted above, from {drafted}"))
        return
    if verdict.status != "entry":
        result.rows.append(Row(where, "-", item.name, verdict.status, verdict.reason))
        return
    kind = KINDS_BY_LABEL[verdict.kind]
    drafted = result.seen.get((kind, normalized_name(item.name)))
    if drafted is not None:
        result.rows.append(Row(where, kind.label, item.name, "known", f"drafted above, from {drafted}"))
        return
    draft = _draft_of(kind, item, context)
    notes = [verdict.reason] if verdict.reason and kind is not MODEL else []
    model = matcher.model_of_paper(item.url) if kind is PAPER else None
    if model is not None:
        notes.append(f"the paper of {model.file}, which names it by its arXiv id")
    row = _add_draft(kind, item.name if kind not in (MODEL, TECHNIQUE) else draft["name"], draft, item, context,
                     notes)
    row.name = item.name
    if verdict.reason == REPORT_REASON:
        context.reports.append((context.result.drafts[-1].id, report_subject(item.name), row))


KINDS_BY_LABEL = {"model": MODEL, "paper": PAPER, "technique": TECHNIQUE, "organization": ORGANIZATION}
REPORT_REASON = "a report on a model"


def _known_entry(item: Item, verdict, context: _Context):
    """The catalog entry ``item`` is about (or None), the kind it is reported as, and a draft of the
    item as that kind for comparing facts."""
    matcher = context.matcher
    own = [u for u in (item.url, item.card.get("Link")) if u]
    if item.url and verdict.kind in ("organization", "model", None):
        organization = matcher.find(ORGANIZATION, plain_name(item.name), own)
        if organization is not None:  # a link to an organization the catalog knows is that organization
            return organization, ORGANIZATION, {}
    if verdict.kind == "paper" and (verdict.reason == REPORT_REASON or not item.card and ":" not in item.name
                                    or item.shape == "bullet"):
        # a paper's title is the paper: a model is only found as the model the paper is about
        paper = matcher.find(PAPER, item.name, own)
        return paper, PAPER, _paper_draft(item, arxiv_id(item.url))
    if verdict.kind == "organization":
        return None, ORGANIZATION, {}
    technique = matcher.find(TECHNIQUE, plain_name(item.name), [])
    if technique is not None and not item.card:  # 'Rotary Embeddings' names a technique
        return technique, TECHNIQUE, {}
    arxiv = arxiv_id(item.url)
    titled = ":" in item.name or (arxiv is not None and len(item.name.split()) > 4)
    # A timeline heading without a catalog card is a paper entry; with a card, a model.
    is_paper = verdict.kind == "paper" or verdict.kind is None and not item.card and (
        titled or item.shape == "timeline")
    kind = PAPER if is_paper else MODEL
    draft = _paper_draft(item, arxiv) if is_paper else _model_draft(item, context.organizations)
    named = verdict.kind == "model" or name_shape(item.name) in ("name", "named title")
    known = matcher.find_item(kind, item, side_links=named)
    return known, (known.kind if known is not None else kind), draft


def _report_known(item: Item, known, kind: Kind, draft: dict, context: _Context) -> None:
    where = f"{item.file}:{item.line}"
    if kind in (ORGANIZATION, TECHNIQUE):
        context.result.rows.append(Row(where, kind.label, item.name, "known", known.file))
        return
    notes = [f"date left out: {item.date_problem}"] if item.date_problem else []
    if known.kind is not (PAPER if "published" in draft else MODEL):
        draft = _retyped(draft, known.kind)
    differences, agreed = _differences(known, draft, context.matcher, item, context.result)
    status = "conflicting" if differences else "known"
    context.result.rows.append(Row(where, known.kind.label, item.name, status,
                                   f"{known.file}" + (f": {'; '.join(differences)}" if differences else "")
                                   + "".join(f"; {n}" for n in agreed + notes)))


def _draft_of(kind: Kind, item: Item, context: _Context) -> dict:
    if kind is MODEL:
        return _model_draft(item, context.organizations)
    if kind is PAPER:
        return _paper_draft(item, arxiv_id(item.url))
    if kind is TECHNIQUE:
        return _technique_draft(item)
    return _organization_draft(item)


def _add_draft(kind: Kind, name: str, draft: dict, item: Item, context: _Context, notes: list[str]) -> Row:
    """Draft a new entry of ``kind``, under an id no entry or draft has; report it."""
    where = f"{item.file}:{item.line}"
    entry_id = slug(name)
    suffix = 2
    while (kind, entry_id) in context.taken:
        entry_id = f"{slug(name)}-{suffix}"
        suffix += 1
    context.taken.add((kind, entry_id))
    context.result.drafts.append(Draft(kind, entry_id, draft))
    context.result.seen[(kind, normalized_name(name))] = where
    notes = notes + ([f"date left out: {item.date_problem}"] if item.date_problem else [])
    row = Row(where, kind.label, name, "new", f"{kind.folder}/{entry_id}.yaml" + "".join(f"; {n}" for n in notes))
    context.result.rows.append(row)
    return row


def _import_organization(item: Item, context: _Context) -> None:
    """An organization heading or note: known (with the facts that differ) or a new draft."""
    where = f"{item.file}:{item.line}"
    result, matcher = context.result, context.matcher
    if is_series_heading(item.name):
        family = matcher.find(MODEL, item.name, [])
        if family is not None:
            result.rows.append(Row(where, MODEL.label, item.name, "known",
                                   f"{family.file}; a model series heading, not an organization"))
        else:
            result.rows.append(Row(where, "-", item.name, "skipped",
                                   "a model series heading, not an organization"))
        return
    item.name = plain_name(item.name)
    draft = _organization_draft(item)
    existing = organization_id(item.name, context.organizations)
    if existing not in context.organizations.values():
        drafted = result.seen.get((ORGANIZATION, normalized_name(item.name)))
        if drafted is not None:
            result.rows.append(Row(where, ORGANIZATION.label, item.name, "known", f"drafted above, from {drafted}"))
            return
        _add_draft(ORGANIZATION, item.name, draft, item, context, [])
        return
    known = next(e for e in matcher.entries if e.kind is ORGANIZATION and e.id == existing)
    differences = [f"{k}: catalog {known.first(k) if k != 'founded' else known.values[k][0].value.text}, "
                   f"draft {draft[k]}" for k in ("country", "founded")
                   if k in draft and known.values.get(k) and
                   str(draft[k]) not in (known.first(k), known.values[k][0].value.text
                                         if k == "founded" else None)]
    status = "conflicting" if differences else "known"
    result.rows.append(Row(where, ORGANIZATION.label, item.name, status,
                           known.file + (f": {'; '.join(differences)}" if differences else "")))


def _import_table_row(item: Item, context: _Context) -> None:
    """A row of a table of models gives model drafts with their techniques; a row of a table of
    methods, a technique; any other row is not an entry."""
    where = f"{item.file}:{item.line}"
    kind = table_kind(list(item.cells))
    if kind is None:
        context.result.rows.append(Row(where, "-", item.name, "skipped",
                                       f"a row of a table whose first column is {item.lead or 'unnamed'}, "
                                       "not an entry"))
        return
    if kind == "techniques":
        known = context.matcher.find(TECHNIQUE, plain_name(item.name), [])
        if known is not None:
            context.result.rows.append(Row(where, TECHNIQUE.label, item.name, "known", known.file))
        else:
            _add_draft(TECHNIQUE, item.name, _technique_draft(item), item, context,
                       ["a row of a table of methods"])
        return
    for name, sizes in row_models(item):
        techniques = row_techniques(item.cells, lambda text: context.matcher.find(TECHNIQUE, text, []))
        known = context.matcher.find(MODEL, name, [])
        if known is not None:
            theirs = {v.value for v in known.values.get("techniques", [])}
            missing = [t for t, found in techniques if found and t not in theirs]
            context.result.rows.append(Row(where, MODEL.label, name, "known", known.file + (
                f"; the table also gives techniques {', '.join(missing)}" if missing else "")))
            continue
        draft = _table_model_draft(item, name, sizes, techniques)
        unknown = [t for t, found in techniques if not found]
        _add_draft(MODEL, name, draft, item, context, [f"techniques not in the catalog: {', '.join(unknown)}"]
                   if unknown else [])


def _tie_reports(context: _Context) -> None:
    """A technical report or system card is a paper of the model it names: the model's draft lists
    it in ``papers``; the row says which model."""
    models: dict[str, Draft] = {}
    for draft in context.result.drafts:
        if draft.kind is MODEL:
            models.setdefault(normalized_name(draft.data["name"]), draft)
            models.setdefault(normalized_name(plain_name(draft.data["name"])), draft)
    for paper_id, subject, row in context.reports:
        key = normalized_name(subject)
        draft = models.get(key) or next((d for k, d in models.items() if key and k.startswith(key)), None)
        if draft is not None:
            papers = [p for p in draft.data.get("papers", []) if not p.startswith("arxiv-")]
            draft.data["papers"] = papers + [paper_id]
            _reorder(draft)
            row.detail += f"; the paper of {draft.data['name']} (models/{draft.id}.yaml lists it)"
            continue
        known = context.matcher.find(MODEL, subject, []) if subject else None
        row.detail += (f"; the paper of {known.file}: add it to its papers" if known is not None
                       else f"; a report on {subject or 'a model'}, which is not drafted here")


def _reorder(draft: Draft) -> None:
    draft.data = {k: draft.data[k] for k in KEY_ORDER[draft.kind] if k in draft.data}


def side_link_reason(item: Item) -> str | None:
    """A side link ('git', 'ref', '[Twitter](…)') read as an item of its own: never an entry,
    never matched."""
    if item.name.lower() in SIDE_LABELS:
        host = re.sub(r"^https?://(www\.)?", "", item.url or "").split("/")[0].lower()
        if host in SOCIAL_HOSTS:
            return f"a post on {host}, not a model"
        return f"a side link ('{item.name}') with no entry of its own"
    return None


def report_subject(name: str) -> str:
    """The model a report names: 'DeepSeek-V3 Technical Report' -> 'DeepSeek-V3', 'The Amazon Nova
    Family of Models: Technical Report and Model Card' -> 'Amazon Nova'."""
    match = REPORT.search(name)
    subject = name[:match.start()] if match else name
    subject = re.sub(r"^(the|an?)\s+", "", subject.strip(" :-–,"), flags=re.I)
    subject = re.sub(r"\s+(family|series)(\s+of\s+(\w+\s+)?models)?$|\s+models$", "", subject, flags=re.I)
    return plain_name(subject.strip(" :-–,"))


def _retyped(draft: dict, kind: Kind) -> dict:
    """The facts of a draft under the keys of ``kind`` (a paper's date is a model's release)."""
    out = dict(draft)
    if kind is MODEL and "published" in out:
        out["released"] = out.pop("published")
    if kind is PAPER and "released" in out:
        out["published"] = out.pop("released")
    return out


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
    data: dict = {"name": item.name}
    url = item.url or next((u for _, u in item.links if u.startswith("http")), None)
    if url:  # a paper named before its links ('GPT-4V(ision) system card: [✍️](…)') is at its first link
        data["url"] = url
    if arxiv:
        data["arxiv"] = arxiv
    if item.date:
        data["published"] = _yaml_date(item.date)
    data["sources"] = _sources(item)
    return data


def _technique_draft(item: Item) -> dict:
    """A method: its name without the abbreviation (an alias), its words, link and paper."""
    name = plain_name(item.name)
    data: dict = {"name": name}
    aliases = [a for a in re.findall(r"\(([^()]+)\)", item.name) if a.strip() and a.strip() != name]
    if aliases:
        data["aliases"] = aliases
    if item.description:
        data["description"] = item.description[:300]
    if item.url and item.url.startswith("http"):
        data["url"] = item.url
    arxiv = arxiv_id(item.url) or next((arxiv_id(u) for _, u in item.links if arxiv_id(u)), None)
    if arxiv:
        data["introduced_in"] = f"arxiv-{arxiv}"  # a placeholder id the curator replaces or creates
    data["sources"] = _sources(item)
    return data


def _table_model_draft(item: Item, name: str, sizes: list[str], techniques: list[tuple[str, object]]) -> dict:
    """A model from a row of a table of models: its sizes and the techniques its cells name."""
    data: dict = {"name": name}
    if item.description:
        data["description"] = item.description[:300]
    if sizes:
        data["parameters"] = sizes
    active = re.findall(r"(\d+(?:\.\d+)?[BMT])\s+active", " ".join(item.cells.values()))
    if active:
        data["active_parameters"] = active
    if techniques:
        data["techniques"] = [technique for technique, _ in techniques]
    data["sources"] = _sources(item)
    return data


def _model_draft(item: Item, organizations: dict[str, str]) -> dict:
    data: dict = {"name": name_head(item.name) if item.shape == "bullet" else item.name}
    if item.description:
        data["description"] = item.description[:300]
    if item.url:
        data["url"] = item.url
    lab = item.card.get("Lab") or (plain_name(item.organization) if item.organization
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


"""Finding the catalog entry an item is about: by id, name or alias, URL, arXiv id or organization name."""
from __future__ import annotations

import re

from kg.catalog.checks import normalized_name
from kg.catalog.loader import Catalog
from kg.catalog.schema import MODEL, ORGANIZATION, PAPER, Kind
from kg.importer.items import Item

_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?", re.I)


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

    def find_item(self, kind: Kind, item: Item, side_links: bool = True, other_kind: bool = True):
        """The entry ``item`` is about, most certain evidence first: its own name and links as
        ``kind``, then the title before ':' as a model ('ESM3: A frontier language model' is ESM3),
        then as the other kind (a titled link to a known model, an arXiv link to a known paper), and
        last its side links ('[git](…)'), which may belong to something else the bullet mentions."""
        own = [u for u in (item.url, item.card.get("Link")) if u]
        other = PAPER if kind is MODEL else MODEL
        side = [u for _, u in item.links if u and u not in own] if side_links else []
        plain = plain_name(item.name)
        head = item.name.split(":")[0].strip() if ":" in item.name and kind is MODEL else None
        steps = [(kind, item.name, own), (kind, plain, []), (MODEL, head, [])]
        steps += [(other, item.name, own)] if other_kind else []
        steps += [(kind, item.name, side)] if side else []
        for find_kind, name, urls in steps:
            if name is None:
                continue
            entry = self.find(find_kind, name, urls)
            if entry is not None:
                return entry
        return None

    def model_of_paper(self, url: str | None):
        """The one catalog model that names the paper at ``url`` (by its arXiv id) in its papers."""
        arxiv = arxiv_id(url)
        return self.keys.get((MODEL, "arxiv:" + arxiv)) if arxiv else None

    def ancestors(self, org: str) -> list[str]:
        out, seen = [], {org}
        while self.parents.get(org) and self.parents[org] not in seen:
            org = self.parents[org]
            out.append(org)
            seen.add(org)
        return out


def _norm_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


def plain_name(name: str) -> str:
    """'Meta (aka. Facebook)' -> 'Meta': a parenthesis adds an alias, not a name."""
    return re.sub(r"\s*\([^)]*\)\s*", " ", name).strip() or name


def is_series_heading(name: str) -> bool:
    """'Gemma series' heads a list of models: it is not an organization (nor their developer)."""
    return re.search(r"\bseries\b", name, re.I) is not None


def organization_id(name: str, organizations: dict[str, str]) -> str:
    """The catalog id of an organization named ``name`` ('Mistral' finds Mistral AI), else a new slug."""
    key = normalized_name(plain_name(name))
    if key in organizations:
        return organizations[key]
    longer = sorted({i for n, i in organizations.items() if len(key) >= 4 and n.startswith(key)})
    return longer[0] if len(longer) == 1 else slug(plain_name(name))



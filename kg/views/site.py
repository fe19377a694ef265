"""A static HTML catalog: an index with client-side search and one page per entity.

Pages open from disk (file://) with no server, no CDN and no network: the search index is
embedded in index.html, the lineage diagram is an inline SVG drawn by Graphviz when `dot`
is installed (a nested list of links otherwise), and each page carries the schema.org
JSON-LD of its entity.
"""
from __future__ import annotations

import html
import json
import shutil
import tempfile
from pathlib import Path

from kg.errors import KgError
from kg.namespaces import entity_iri
from kg.catalog.loader import Catalog, Entry
from kg.catalog.licenses import ALL_LICENSES, license_iri
from kg.views.why import Citation, cite
from kg.views.lineage import LineageError, family_tree, render, to_dot
from kg.catalog.schema import FIELDS, KINDS, MODEL, ORGANIZATION, PAPER, TECHNIQUE
from kg.catalog.values import source_iri

MARKER = ".kg-site"
SCHEMA_TYPES = {MODEL: "SoftwareApplication", ORGANIZATION: "Organization", PAPER: "ScholarlyArticle",
                TECHNIQUE: "DefinedTerm"}
KIND_TITLES = {MODEL: "Model", ORGANIZATION: "Organization", PAPER: "Paper", TECHNIQUE: "Technique"}

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#e3e6ec; --accent:#2457c5; --bg:#fafbfc; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); padding:.8rem 1.5rem; }
header a { color:var(--ink); text-decoration:none; font-weight:600; }
main { max-width:1100px; margin:0 auto; padding:1.5rem; }
h1 { margin:.2rem 0 .3rem; font-size:1.7rem; }
.kind { display:inline-block; font-size:.75rem; text-transform:uppercase; letter-spacing:.05em; color:#fff;
        background:var(--muted); border-radius:3px; padding:.05rem .4rem; }
.kind.model { background:#2457c5; } .kind.organization { background:#2f8a4f; }
.kind.paper { background:#a0522d; } .kind.technique { background:#7048a8; }
a { color:var(--accent); }
table.facts { border-collapse:collapse; margin:1rem 0; width:100%; background:#fff; }
table.facts th { text-align:left; width:12rem; color:var(--muted); font-weight:500; vertical-align:top; }
table.facts th, table.facts td { padding:.4rem .6rem; border-bottom:1px solid var(--line); }
section { margin-top:1.5rem; }
h2 { font-size:1.1rem; margin:.5rem 0; }
ul.plain { padding-left:1.1rem; }
#search { width:100%; padding:.6rem .8rem; font-size:1rem; border:1px solid #c9ced8; border-radius:6px; }
#results { list-style:none; padding:0; margin:1rem 0; columns:2; }
#results li { padding:.2rem 0; break-inside:avoid; }
#count { color:var(--muted); font-size:.9rem; }
.diagram { overflow:auto; background:#fff; border:1px solid var(--line); border-radius:6px; padding:.5rem; }
.diagram svg { max-width:none; height:auto; }
sup.refs { font-size:.7rem; margin-left:.15rem; } sup.refs a { text-decoration:none; }
ol.sources li { margin:.35rem 0; } ol.sources li:target { background:#fff7d6; }
ol.sources blockquote { margin:.2rem 0 .2rem .2rem; padding-left:.6rem; border-left:3px solid var(--line);
                        color:var(--muted); font-size:.9rem; overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:.85rem; padding:1rem 1.5rem 2rem; max-width:1100px; margin:0 auto; }
"""

SEARCH_JS = """
(function () {
  var box = document.getElementById('search'), list = document.getElementById('results'),
      count = document.getElementById('count');
  function norm(s) { return s.toLowerCase(); }
  function show() {
    var q = norm(box.value.trim()), shown = 0;
    list.innerHTML = '';
    INDEX.forEach(function (item) {
      var text = norm(item.name + ' ' + item.aliases.join(' ') + ' ' + item.id);
      if (q && text.indexOf(q) < 0) { return; }
      var li = document.createElement('li'), a = document.createElement('a'), k = document.createElement('span');
      k.className = 'kind ' + item.kind; k.textContent = item.kind;
      a.href = item.href; a.textContent = item.name;
      li.appendChild(k); li.appendChild(document.createTextNode(' ')); li.appendChild(a);
      list.appendChild(li); shown += 1;
    });
    count.textContent = shown + ' of ' + INDEX.length + ' entries';
  }
  var q = new URLSearchParams(window.location.search).get('q');
  if (q) { box.value = q; }
  box.addEventListener('input', show);
  show();
})();
"""


class SiteError(KgError):
    """The output folder cannot be written (it holds something that is not a kg site)."""


def build_site(catalog: Catalog, out: Path, base: str, *, sources=None) -> int:
    """Write the site to ``out`` atomically (a sibling temporary folder, then a rename). Returns pages.

    Each fact carries footnote marks to its sources; with ``sources`` (a kg.catalog.evidence
    SourceText) the words of each cited seed or upstream line show on hover and in the list.
    """
    out = Path(out)
    if out.exists() and not (out / MARKER).exists():
        raise SiteError(f"{out} exists and is not a kg site: choose another --out or remove it")
    strangers = _files_kg_did_not_write(out)
    if strangers:
        shown = ", ".join(str(p) for p in strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        raise SiteError(f"{out} holds files kg site did not write ({shown}): move them out of the site "
                        "folder, or choose another --out; nothing was replaced")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        pages = _write_site(catalog, staging, base, sources)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(old / "site")
            staging.rename(out)
            shutil.rmtree(old)
        else:
            staging.rename(out)
        return pages
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_site(catalog: Catalog, root: Path, base: str, sources=None) -> int:
    (root / MARKER).write_text("generated by kg site\n")  # the list of files follows, once written
    (root / "style.css").write_text(CSS.lstrip())
    index = _Index(catalog)
    entries = sorted(catalog.entries, key=lambda e: (e.kind.folder, e.id))
    for entry in entries:
        path = root / entry.kind.segment / f"{entry.id}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_entity_page(entry, index, catalog, base, sources), encoding="utf-8")
    (root / "index.html").write_text(_index_page(entries), encoding="utf-8")
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MARKER)
    (root / MARKER).write_text("generated by kg site; its files:\n" + "".join(f"{w}\n" for w in written))
    return len(entries) + 1


def _files_kg_did_not_write(out: Path) -> list[Path]:
    """Files in an earlier site that its marker does not list (a site older than the list: none)."""
    marker = out / MARKER
    if not marker.is_file():
        return []
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines or not lines[0].endswith("its files:"):
        return []
    listed = set(lines[1:])
    return sorted(p.relative_to(out) for p in out.rglob("*")
                  if not p.is_dir() and p.name != MARKER and p.relative_to(out).as_posix() not in listed)


class _Index:
    """Lookups the pages need: entries by kind and id, and the reverse relations."""

    def __init__(self, catalog: Catalog) -> None:
        self.by_kind = {kind: catalog.by_kind(kind) for kind in KINDS}
        self.reverse: dict[tuple[str, str], list[tuple[str, Entry, str | None]]] = {}
        for entry in catalog.entries:
            for key, spec in FIELDS[entry.kind].items():
                if spec.target is None:
                    continue
                for value in entry.values.get(key, []):
                    self.reverse.setdefault((spec.target.segment, value.value), []).append(
                        (key, entry, value.relation))

    def get(self, kind, entity_id: str) -> Entry | None:
        return self.by_kind[kind].get(entity_id)


def _link(entry: Entry, from_page: bool = True) -> str:
    prefix = "../" if from_page else ""
    return f'<a href="{prefix}{entry.kind.segment}/{html.escape(entry.id)}.html">{html.escape(entry.name)}</a>'


def _page(title: str, body: str, depth: int, extra_head: str = "") -> str:
    up = "../" * depth
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)} · kg</title>\n"
            f'<link rel="stylesheet" href="{up}style.css">\n{extra_head}</head>\n<body>\n'
            f'<header><a href="{up}index.html">kg · the LLM landscape</a></header>\n<main>\n{body}\n</main>\n'
            f"<footer>Catalog data: CC BY 4.0. Generated by kg from the YAML catalog.</footer>\n"
            f"</body>\n</html>\n")


def _index_page(entries: list[Entry]) -> str:
    items = [{"id": e.id, "kind": e.kind.segment, "name": e.name,
              "aliases": [v.value for v in e.values.get("aliases", [])],
              "href": f"{e.kind.segment}/{e.id}.html"} for e in entries]
    data = json.dumps(items, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    counts = ", ".join(f"{sum(1 for e in entries if e.kind is k)} {k.folder}" for k in KINDS)
    body = (f"<h1>The LLM landscape</h1>\n<p>{counts}.</p>\n"
            '<input id="search" type="search" placeholder="Search models, organizations, papers, techniques…" '
            'autofocus aria-label="Search">\n<p id="count"></p>\n<ul id="results"></ul>\n'
            f"<noscript><ul>{''.join('<li>' + _link(e, False) + '</li>' for e in entries)}</ul></noscript>\n"
            f"<script>var INDEX = {data};</script>\n<script>{SEARCH_JS}</script>")
    return _page("The LLM landscape", body, 0)


def _value_html(entry: Entry, key: str, value, index: _Index, base: str) -> str:
    spec = FIELDS[entry.kind][key]
    if spec.target is not None:
        target = index.get(spec.target, value.value)
        text = _link(target) if target else html.escape(value.value)
        if value.relation:
            text += f" <small>({html.escape(value.relation)})</small>"
        return text
    if spec.value in ("url",):
        return f'<a href="{html.escape(value.value)}">{html.escape(value.value)}</a>'
    if spec.value == "license":
        return f'<a href="{html.escape(license_iri(value.value, base))}">{html.escape(ALL_LICENSES[value.value])}</a>'
    if spec.value == "date":
        return value.value.text
    if spec.value == "count":
        return _human_count(value.value)
    return html.escape(str(value.value).lower() if isinstance(value.value, bool) else str(value.value))


def _human_count(number: int) -> str:
    for scale, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if number >= scale:
            return f"{number / scale:g}{suffix}"
    return str(number)


REVERSE_TITLES = {
    ("model", "based_on"): "Models derived from it", ("model", "family"): "Members of this family",
    ("organization", "developer"): "Models it developed", ("organization", "parent"): "Sub-organizations",
    ("organization", "organizations"): "Papers by its authors", ("paper", "papers"): "Models described by it",
    ("paper", "introduced_in"): "Techniques it introduced", ("technique", "techniques"): "Models using it",
    ("technique", "introduces"): "Papers introducing it", ("technique", "broader"): "Narrower techniques",
}


def _entity_page(entry: Entry, index: _Index, catalog: Catalog, base: str, texts=None) -> str:
    notes = _Footnotes(cite(entry, texts), base)
    rows = []
    for key in FIELDS[entry.kind]:
        if key in ("name", "id", "sources", "claims", "description") or key not in entry.values:
            continue
        values = [_value_html(entry, key, v, index, base) + notes.marks(v) for v in entry.values[key]]
        rows.append(f"<tr><th>{html.escape(key.replace('_', ' '))}</th><td>{'<br>'.join(values)}</td></tr>")
    name = entry.values["name"][0] if entry.values.get("name") else None
    parts = [f'<span class="kind {entry.kind.segment}">{KIND_TITLES[entry.kind]}</span>',
             f"<h1>{html.escape(entry.name)}{notes.marks(name) if name else ''}</h1>"]
    if entry.first("description"):
        parts.append(f"<p>{html.escape(entry.first('description'))}{notes.marks(entry.values['description'][0])}</p>")
    if rows:
        parts.append('<table class="facts">' + "".join(rows) + "</table>")
    for (segment, key), title in REVERSE_TITLES.items():
        if segment != entry.kind.segment:
            continue
        linked = sorted(index.reverse.get((segment, entry.id), []), key=lambda t: (t[1].name.lower(), t[1].id))
        items = [f"<li>{_link(e)}" + (f" <small>({html.escape(r)})</small>" if r else "") + "</li>"
                 for k, e, r in linked if k == key]
        if items:
            parts.append(f'<section><h2>{title}</h2><ul class="plain">{"".join(items)}</ul></section>')
    if entry.kind is MODEL:
        parts.append(_lineage_section(entry, catalog))
    claims = [v.value for v in entry.values.get("claims", [])]
    if claims:
        items = "".join(f"<li><b>{html.escape(c.key.replace('_', ' '))}</b>: {html.escape(c.value)}"
                        f"{notes.marks_for([Citation(c.source, _line_text(texts, c.source), c.quote)])}"
                        f" <small>(not preferred: {html.escape(c.reason)})</small></li>" for c in claims)
        parts.append(f'<section><h2>Claims set aside</h2><ul class="plain">{items}</ul></section>')
    parts.append(notes.section(entry))
    jsonld = json.dumps(_jsonld(entry, index, base), ensure_ascii=False, sort_keys=True, indent=1)
    jsonld = jsonld.replace("</", "<\\/")  # no early end of the script element
    head = f'<script type="application/ld+json">\n{jsonld}\n</script>\n'
    return _page(entry.name, "\n".join(parts), 1, head)


class _Footnotes:
    """Numbered sources of one page: a superscript mark beside each fact, the list at the end."""

    def __init__(self, citations: dict, base: str) -> None:
        self.citations, self.base = citations, base
        self.numbers: dict[tuple, tuple[int, Citation]] = {}

    def marks(self, value) -> str:
        return self.marks_for(self.citations.get(id(value), []))

    def marks_for(self, citations: list) -> str:
        marks = []
        for citation in citations:
            key = (citation.source, citation.quote)
            number, _ = self.numbers.setdefault(key, (len(self.numbers) + 1, citation))
            hover = citation.line or citation.quote or citation.source
            marks.append(f'<a href="#s{number}" title="{html.escape(" ".join(hover.split()))}">{number}</a>')
        return f'<sup class="refs">{",".join(marks)}</sup>' if marks else ""

    def section(self, entry: Entry) -> str:
        for value in entry.values.get("sources", []):  # sources that name no fact are listed too
            source = value.value.source
            if not any(key[0] == source for key in self.numbers):
                self.numbers[(source, None)] = (len(self.numbers) + 1, Citation(source))
        if not self.numbers:
            return ""
        items = []
        for number, citation in sorted(self.numbers.values(), key=lambda item: item[0]):
            href = source_iri(citation.source, self.base) if citation.source.startswith("seed:") else citation.source
            words = "".join(f"<blockquote>{html.escape(text)}</blockquote>"
                            for text in (citation.line, citation.quote) if text)
            items.append(f'<li id="s{number}"><a href="{html.escape(href)}">{html.escape(citation.source)}</a>'
                         f"{words}</li>")
        return f'<section><h2>Sources</h2><ol class="sources">{"".join(items)}</ol></section>'


def _line_text(texts, source: str) -> str | None:
    return texts.read(source, around=0) if texts is not None else None


def _lineage_section(entry: Entry, catalog: Catalog) -> str:
    tree = family_tree(catalog, entry.id)
    if len(tree.nodes) < 2:
        return ""
    try:
        dot = to_dot(tree, f"Lineage of {entry.name}", link=lambda model_id: f"{model_id}.html")
        svg = render(dot, "svg").decode("utf-8")
        figure = f'<div class="diagram">{svg[svg.index("<svg"):]}</div>'
    except LineageError:  # Graphviz is not installed: the same tree as links
        figure = _lineage_list(tree, entry)
    return f"<section><h2>Lineage</h2>{figure}</section>"


def _lineage_list(tree, entry: Entry) -> str:
    names = {n.id: n for n in tree.nodes}
    items = [f"<li>{_link(names[child])} ← {html.escape(kind)} ← {_link(names[parent])}</li>"
             for child, parent, kind in tree.edges]
    return f'<ul class="plain">{"".join(items)}</ul>'


def _jsonld(entry: Entry, index: _Index, base: str) -> dict:
    iri = entity_iri(base, entry.kind.segment, entry.id)
    doc: dict = {"@context": "https://schema.org/", "@type": SCHEMA_TYPES[entry.kind], "@id": iri,
                 "name": entry.name, "identifier": entry.id}
    if entry.first("description"):
        doc["description"] = entry.first("description")
    if entry.first("url"):
        doc["url"] = entry.first("url")
    aliases = [v.value for v in entry.values.get("aliases", [])]
    if aliases:
        doc["alternateName"] = aliases

    def refs(key: str) -> list[dict]:
        spec = FIELDS[entry.kind][key]
        return [{"@id": entity_iri(base, spec.target.segment, v.value)} for v in entry.values.get(key, [])]

    if entry.kind is MODEL:
        doc["applicationCategory"] = "Large language model"
        if refs("developer"):
            doc["creator"] = refs("developer")
        if entry.values.get("released"):
            doc["datePublished"] = entry.values["released"][0].value.text
        if refs("based_on"):
            doc["isBasedOn"] = refs("based_on")
        if refs("papers"):
            doc["citation"] = refs("papers")
        licences = [license_iri(v.value, base) for v in entry.values.get("license", [])]
        if licences:
            doc["license"] = licences
        if entry.first("repository"):
            doc["codeRepository"] = entry.first("repository")
    elif entry.kind is ORGANIZATION:
        if entry.values.get("founded"):
            doc["foundingDate"] = entry.values["founded"][0].value.text
        if refs("parent"):
            doc["parentOrganization"] = refs("parent")[0]
        countries = [v.value for v in entry.values.get("country", [])]
        if countries:
            doc["address"] = {"@type": "PostalAddress", "addressCountry": countries[0]}
    elif entry.kind is PAPER:
        if entry.values.get("published"):
            doc["datePublished"] = entry.values["published"][0].value.text
        if entry.first("arxiv"):
            doc["sameAs"] = f"https://arxiv.org/abs/{entry.first('arxiv')}"
        authors = [{"@type": "Person", "name": v.value} for v in entry.values.get("authors", [])]
        if authors:
            doc["author"] = authors
    elif entry.kind is TECHNIQUE:
        doc["inDefinedTermSet"] = f"{base}/technique"
    return doc


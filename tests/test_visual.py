"""Lineage diagrams, the release timeline and the static site, down to a real browser."""
from __future__ import annotations

import html.parser
import json
import os
import shutil
from pathlib import Path

import pytest

from kg.catalog.loader import load_catalog
from kg.catalog.diagnostics import Report
from kg.views.lineage import LineageError, family_tree, render, to_dot, to_mermaid
from kg.views.site import SiteError, build_site
from kg.views.timeline import to_chart, to_markdown

from .conftest import FIXTURE_CATALOG, ROOT, project_args, requires_shared, write_entry

BASE = "https://w3id.org/llm-kg"


def catalog(path: Path = FIXTURE_CATALOG):
    return load_catalog(path, Report())


MERMAID_ALPACA = """flowchart TB
  subgraph y_family["family"]
    m_llama_family["Llama family"]
  end
  subgraph y_2023["2023"]
    m_llama["LLaMA<br/><small>2023-02-24</small>"]
    m_alpaca["Alpaca<br/><small>2023-03-13</small>"]
  end
  m_llama -->|instruction-tuned| m_alpaca
  m_llama_family -->|member of family| m_llama
  linkStyle 0 stroke:#2ca02c
  linkStyle 1 stroke:#c7c7c7,stroke-dasharray:2 3
  classDef org_meta fill:#fde2e4,stroke:#555
  classDef org_stanford fill:#dbe7f6,stroke:#555
  class m_llama org_meta
  class m_alpaca org_stanford
  class m_llama_family org_meta
"""

DOT_ALPACA = r"""digraph lineage {
  label="Lineage of Alpaca"; labelloc=t; fontname="Helvetica"; rankdir=TB; nodesep=0.3; ranksep=0.45;
  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];
  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];
  { node [shape=plaintext, style="", fontsize=12, fontcolor="#555555"];
    "year family" [label="family"];
    "year 2023" [label="2023"];
    "year family" -> "year 2023" [style=invis];
  }
  { rank=same; "year family"; "llama-family"; }
  { rank=same; "year 2023"; "llama"; "alpaca"; }
  "llama" [label="LLaMA\n2023-02-24\nMeta", fillcolor="#fde2e4"];
  "alpaca" [label="Alpaca\n2023-03-13\nStanford University", fillcolor="#dbe7f6"];
  "llama-family" [label="Llama family\nMeta", fillcolor="#fde2e4"];
  "llama" -> "alpaca" [label="instruction-tuned", color="#2ca02c", fontcolor="#2ca02c", style=solid];
  "llama-family" -> "llama" [label="", color="#c7c7c7", fontcolor="#c7c7c7", style=dotted];
  subgraph cluster_legend { label="relations"; fontsize=10; style=dashed; color="#bbbbbb";
    node [shape=plaintext, style="", fontsize=9, label=""];
    "legend instruction-tuned a" -> "legend instruction-tuned b" [label="instruction-tuned", color="#2ca02c", fontcolor="#2ca02c", style=solid];
    "legend family a" -> "legend family b" [label="member of family", color="#c7c7c7", fontcolor="#c7c7c7", style=dotted];
  }
}
"""


def test_mermaid_exact():
    assert to_mermaid(family_tree(catalog(), "alpaca")) == MERMAID_ALPACA


def test_dot_exact():
    assert to_dot(family_tree(catalog(), "alpaca"), "Lineage of Alpaca") == DOT_ALPACA


def test_whole_catalog_and_descendants():
    tree = family_tree(catalog())
    assert [n.id for n in tree.nodes] == ["llama", "alpaca", "llama-2", "llama-family"]
    llama = family_tree(catalog(), "llama")
    assert ("alpaca", "llama", "instruction-tuned") in llama.edges
    assert ("llama-2", "llama", "version-of") in llama.edges


def test_escaping(fixture_catalog):
    write_entry(fixture_catalog, "models", "odd.yaml",
                'name: \'Odd "quoted" [model] <b>\'\nbased_on: [llama]\nsources: [https://e.org/]\n')
    tree = family_tree(catalog(fixture_catalog), "odd")
    mermaid = to_mermaid(tree)
    assert 'm_odd["Odd #quot;quoted#quot; #91;model#93; #lt;b#gt;"]' in mermaid
    assert '"odd" [label="Odd \\"quoted\\" [model] <b>"' in to_dot(tree)


def test_unknown_model_suggests():
    with pytest.raises(LineageError, match="did you mean 'alpaca'"):
        family_tree(catalog(), "alpacca")


def test_svg_through_graphviz():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    svg = render(to_dot(family_tree(catalog(), "llama")), "svg")
    assert b"<svg" in svg and b"Alpaca" in svg
    assert render(to_dot(family_tree(catalog(), "llama")), "png").startswith(b"\x89PNG")


def test_missing_graphviz_is_one_line(run, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = run("lineage", *project_args(), "llama", "--format", "svg")
    assert result.exit_code == 1
    assert result.output == ("Error: rendering svg needs Graphviz's 'dot': install it (apt-get install "
                             "graphviz, brew install graphviz)\n")


def test_lineage_cli_mermaid(run):
    result = run("lineage", *project_args(), "alpaca")
    assert result.exit_code == 0
    assert result.stdout == MERMAID_ALPACA


TIMELINE_MD = """| year | Meta | Mistral AI | Stanford University | other | total |
|---|---:|---:|---:|---:|---:|
| 2023 | 2 | 1 | 1 |  | 4 |
| **all** | 2 | 1 | 1 | 0 | 4 |
"""


def test_timeline_markdown(run):
    assert to_markdown(catalog()) == TIMELINE_MD
    assert run("timeline", *project_args()).stdout == TIMELINE_MD


def test_timeline_chart_is_deterministic():
    pytest.importorskip("matplotlib")
    first, second = to_chart(catalog(), "svg"), to_chart(catalog(), "svg")
    assert first == second and b"<svg" in first


class _Page(html.parser.HTMLParser):
    """Collects links, script sources, stylesheet links, h1 text (without its footnote marks) and JSON-LD."""

    def __init__(self) -> None:
        super().__init__()
        self.links, self.scripts, self.styles, self.jsonld, self.h1 = [], [], [], [], ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "script":
            if "src" in attrs:
                self.scripts.append(attrs["src"])
            self._in = "jsonld" if attrs.get("type") == "application/ld+json" else "script"
            if self._in == "jsonld":
                self.jsonld.append("")
        if tag == "link" and "href" in attrs:
            self.styles.append(attrs["href"])
        if tag == "h1":
            self._in = "h1"
        if tag == "sup" and self._in == "h1":
            self._in = "h1-marks"

    def handle_endtag(self, tag):
        if tag in ("script", "h1"):
            self._in = None
        if tag == "sup" and self._in == "h1-marks":
            self._in = "h1"

    def handle_data(self, data):
        if self._in == "jsonld":
            self.jsonld[-1] += data
        elif self._in == "h1":
            self.h1 += data


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_site_structure(tmp_path):
    out = tmp_path / "site"
    pages = build_site(catalog(), out, BASE)
    entries = catalog().entries
    assert pages == len(entries) + 1
    index = (out / "index.html").read_text()
    listed = json.loads(index.split("var INDEX = ", 1)[1].split(";</script>", 1)[0])
    assert sorted(i["href"] for i in listed) == sorted(f"{e.kind.segment}/{e.id}.html" for e in entries)
    alpaca = parse(out / "model" / "alpaca.html")
    assert alpaca.h1 == "Alpaca"
    assert "../organization/stanford.html" in alpaca.links
    assert "../model/llama.html" in alpaca.links
    assert "(instruction-tuned)" in (out / "model" / "alpaca.html").read_text()
    [jsonld] = [json.loads(block) for block in alpaca.jsonld]
    assert jsonld["@type"] == "SoftwareApplication" and jsonld["name"] == "Alpaca"
    assert jsonld["creator"] == [{"@id": f"{BASE}/organization/stanford"}]
    assert jsonld["isBasedOn"] == [{"@id": f"{BASE}/model/llama"}]
    meta = parse(out / "organization" / "meta.html")
    assert "../model/llama-2.html" in meta.links  # models it developed
    for path in out.rglob("*.html"):
        page = parse(path)
        assert not [s for s in page.scripts + page.styles if s.startswith(("http:", "https:", "//"))], path


def test_site_is_deterministic_and_replaces_only_a_site(tmp_path):
    out = tmp_path / "site"
    build_site(catalog(), out, BASE)
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    build_site(catalog(), out, BASE)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    other = tmp_path / "precious"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(SiteError, match="not a kg site"):
        build_site(catalog(), other, BASE)
    assert (other / "notes.txt").read_text() == "keep me"


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_browser_search_and_follow_links(tmp_path, run):
    """Headless Chromium opens the site from disk, types a search, clicks through to the organization."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    out = tmp_path / "site"
    assert run("site", *project_args(), "--out", str(out)).exit_code == 0
    shot = tmp_path / "organization.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto((out / "index.html").as_uri())
            assert page.inner_text("#count") == "17 of 17 entries"
            page.fill("#search", "alpac")
            assert page.inner_text("#count") == "1 of 17 entries"
            assert page.locator("#results a").all_inner_texts() == ["Alpaca"]
            page.click("#results a:has-text('Alpaca')")
            assert page.locator("h1").evaluate("h => h.firstChild.textContent") == "Alpaca"  # then its marks
            assert page.url.endswith("/model/alpaca.html")
            page.click("table.facts a:has-text('Stanford University')")
            assert page.url.endswith("/organization/stanford.html")
            assert page.locator("h1").evaluate("h => h.firstChild.textContent") == "Stanford University"
            assert "Alpaca" in page.locator("section:has(h2:has-text('Models it developed'))").inner_text()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000


def test_site_shows_each_facts_sources_as_footnotes_with_the_seed_lines_words(tmp_path):
    from kg.catalog.evidence import SourceText

    requires_shared()

    out = tmp_path / "site"
    build_site(catalog(), out, BASE, sources=SourceText(ROOT.parent / "shared"))
    page = (out / "technique" / "swiglu.html").read_text()
    assert '<sup class="refs"><a href="#s1" title="- **[SwiGLU activation function]' in page
    assert '<li id="s1"><a href="https://w3id.org/llm-kg/seed/003_41cc06a6e4ea9a21.txt#L84">' in page
    assert "<blockquote>- **[SwiGLU activation function](https://arxiv.org/abs/2002.05202) (PaLM):** " \
           "replacing ReLU with SwiGLU.</blockquote>" in page
    alpaca = (out / "model" / "alpaca.html").read_text()
    assert alpaca.count('href="#s1"') >= 5  # every fact of its one source carries the mark

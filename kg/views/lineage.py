"""Evolutionary trees of models: Mermaid and Graphviz DOT text, laid out by release year.

Edges are derivations (``based_on``, typed by relation kind) and family membership;
nodes are labelled with name and release date and coloured by developer.
"""
from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.catalog.loader import Catalog, Entry
from kg.catalog.schema import MODEL, ORGANIZATION

#: Edge kind -> (label, colour, DOT style, Mermaid dash pattern or "").
EDGE_STYLES: dict[str, tuple[str, str, str, str]] = {
    "based-on": ("based on", "#7f7f7f", "solid", ""),
    "fine-tuned": ("fine-tuned", "#1f77b4", "solid", ""),
    "instruction-tuned": ("instruction-tuned", "#2ca02c", "solid", ""),
    "distilled": ("distilled", "#9467bd", "dashed", "6 4"),
    "quantized": ("quantized", "#8c564b", "dotted", "2 3"),
    "merged": ("merged", "#ff7f0e", "bold", ""),
    "reproduction": ("reproduction", "#d62728", "dashed", "6 4"),
    "continued-pretraining": ("continued pretraining", "#17becf", "solid", ""),
    "adapter": ("adapter", "#1f77b4", "dotted", "2 3"),
    "version-of": ("version of", "#000000", "bold", ""),
    "extended": ("extended", "#bcbd22", "dashed", "6 4"),
    "family": ("member of family", "#c7c7c7", "dotted", "2 3"),
}
PALETTE = ("#fde2e4", "#dbe7f6", "#e2f0d9", "#fff2cc", "#e8dff5", "#fce1c8", "#d5f0f0", "#f4d9e8",
           "#e6e6e6", "#d9ead3", "#cfe2f3", "#fce5cd")


class LineageError(KgError):
    """The model asked for is not in the catalog."""


@dataclass
class Tree:
    """The nodes and typed edges of a lineage tree (child -> parent)."""

    nodes: list[Entry]
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (child, parent, kind)
    org_names: dict[str, str] = field(default_factory=dict)


def model_id_of(text: str) -> str:
    """A model's id from what a person copies: ``alpaca``, ``model/alpaca``, ``model:alpaca`` (as a
    table prints it) or its IRI; LineageError for another kind's."""
    from kg.namespaces import entity_reference, mistyped_prefix

    if (hint := mistyped_prefix(text)) is not None:
        raise LineageError(f"no model '{text}' in the catalog: {hint}")
    kind, _, model_id = entity_reference(text).rpartition("/")
    if kind not in ("", MODEL.label, MODEL.segment, MODEL.folder):
        raise LineageError(f"'{text}' is not a model: give a model's id (alpaca, model:alpaca)")
    return model_id


def family_tree(catalog: Catalog, model_id: str | None = None) -> Tree:
    """The whole catalog's tree, or ``model_id`` with its ancestors and descendants."""
    models = catalog.by_kind(MODEL)
    edges = set()
    for entry in models.values():
        for value in entry.values.get("based_on", []):
            if value.value in models:
                edges.add((entry.id, value.value, value.relation or "based-on"))
        for value in entry.values.get("family", []):
            if value.value in models:
                edges.add((entry.id, value.value, "family"))
    if model_id is None:
        keep = {child for child, _, _ in edges} | {parent for _, parent, _ in edges}
    else:
        model_id = model_id_of(model_id)  # (the CLI gives an id already: this is for the Python API)
        if model_id not in models:
            close = difflib.get_close_matches(model_id, sorted(models), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise LineageError(f"no model '{model_id}' in the catalog{hint}")
        keep = _related(model_id, edges)
    kept_edges = sorted(e for e in edges if e[0] in keep and e[1] in keep)
    nodes = sorted((models[i] for i in keep), key=lambda e: (_date(e) or "9999", e.id))
    names = {e.id: e.name for e in catalog.by_kind(ORGANIZATION).values()}
    return Tree(nodes, kept_edges, names)


def _related(start: str, edges) -> set[str]:
    """``start``, its ancestors and descendants; a family entry brings its members' lineage."""
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for child, parent, _kind in edges:
        parents.setdefault(child, set()).add(parent)
        children.setdefault(parent, set()).add(child)

    def walk(seeds, links) -> set[str]:
        seen, stack = set(), list(seeds)
        while stack:
            node = stack.pop()
            for other in links.get(node, ()):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return seen

    descendants = walk([start], children)
    return {start} | walk([start], parents) | descendants | walk(descendants, parents)


def _date(entry: Entry) -> str | None:
    released = entry.values.get("released")
    return released[0].value.text if released else None


def _year(entry: Entry) -> str:
    """The rank a node sits in: its release year; family entries on top, undated at the bottom."""
    if entry.first("kind") == "family":
        return "family"
    date = _date(entry)
    return date[:4] if date else "undated"


def _developers(entry: Entry) -> list[str]:
    return [v.value for v in entry.values.get("developer", [])]


def _org_colours(tree: Tree) -> dict[str, str]:
    orgs = sorted({d for node in tree.nodes for d in _developers(node)})
    return {org: PALETTE[i % len(PALETTE)] for i, org in enumerate(orgs)}


def _label(entry: Entry) -> tuple[str, str]:
    return entry.name, _date(entry) or ""


def _years(tree: Tree) -> list[str]:
    return sorted({_year(n) for n in tree.nodes}, key=lambda y: (y != "family", y == "undated", y))


# --- Mermaid ------------------------------------------------------------------------------

def _mermaid_id(entity_id: str) -> str:
    return "m_" + re.sub(r"[^A-Za-z0-9_]", "_", entity_id)


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("[", "#91;").replace("]", "#93;"))


def to_mermaid(tree: Tree) -> str:
    """A Mermaid flowchart: one subgraph per release year, edges labelled and styled by kind."""
    lines = ["flowchart TB"]
    by_year: dict[str, list[Entry]] = {}
    for node in tree.nodes:
        by_year.setdefault(_year(node), []).append(node)
    for year in _years(tree):
        lines.append(f'  subgraph y_{year}["{year}"]')
        for node in by_year[year]:
            name, date = _label(node)
            text = _mermaid_text(name) + (f"<br/><small>{date}</small>" if date else "")
            lines.append(f'    {_mermaid_id(node.id)}["{text}"]')
        lines.append("  end")
    styles = []
    for index, (child, parent, kind) in enumerate(tree.edges):
        label, colour, _dot_style, dash = EDGE_STYLES[kind]
        lines.append(f"  {_mermaid_id(parent)} -->|{label}| {_mermaid_id(child)}")
        style = f"stroke:{colour}" + (f",stroke-dasharray:{dash}" if dash else "") + \
            (",stroke-width:3px" if kind in ("version-of", "merged") else "")
        styles.append(f"  linkStyle {index} {style}")
    lines.extend(styles)
    colours = _org_colours(tree)
    for org, colour in colours.items():
        lines.append(f"  classDef org_{re.sub(r'[^A-Za-z0-9_]', '_', org)} fill:{colour},stroke:#555")
    for node in tree.nodes:
        developers = _developers(node)
        if developers:
            lines.append(f"  class {_mermaid_id(node.id)} org_{re.sub(r'[^A-Za-z0-9_]', '_', developers[0])}")
    return "\n".join(lines) + "\n"


# --- DOT ----------------------------------------------------------------------------------

def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_dot(tree: Tree, title: str = "Model lineage", link=None) -> str:
    """Graphviz DOT: years on a time axis (rank=same per year), nodes filled by developer."""
    colours = _org_colours(tree)
    lines = [
        "digraph lineage {",
        f'  label="{_dot_text(title)}"; labelloc=t; fontname="Helvetica"; rankdir=TB; nodesep=0.3; ranksep=0.45;',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    years = _years(tree)
    lines.append("  { node [shape=plaintext, style=\"\", fontsize=12, fontcolor=\"#555555\"];")
    for year in years:
        lines.append(f'    "year {year}" [label="{year}"];')
    if len(years) > 1:
        lines.append("    " + " -> ".join(f'"year {y}"' for y in years) + " [style=invis];")
    lines.append("  }")
    for year in years:
        members = [f'"{_dot_text(n.id)}"' for n in tree.nodes if _year(n) == year]
        lines.append(f'  {{ rank=same; "year {year}"; {"; ".join(members)}; }}')
    for node in tree.nodes:
        name, date = _label(node)
        label = _dot_text(name) + (f"\\n{date}" if date else "")
        developers = _developers(node)
        fill = colours[developers[0]] if developers else "#ffffff"
        org_names = ", ".join(tree.org_names.get(d, d) for d in developers)
        org = f"\\n{_dot_text(org_names)}" if developers else ""
        url = f', URL="{_dot_text(link(node.id))}", target="_top"' if link else ""
        lines.append(f'  "{_dot_text(node.id)}" [label="{label}{org}", fillcolor="{fill}"{url}];')
    for child, parent, kind in tree.edges:
        label, colour, style, _dash = EDGE_STYLES[kind]
        label = "" if kind == "family" else label  # many, and the legend says it: keep the tree legible
        lines.append(f'  "{_dot_text(parent)}" -> "{_dot_text(child)}" [label="{label}", color="{colour}", '
                     f'fontcolor="{colour}", style={style}];')
    used = sorted({kind for _, _, kind in tree.edges}, key=list(EDGE_STYLES).index)
    if used:
        lines.append('  subgraph cluster_legend { label="relations"; fontsize=10; style=dashed; color="#bbbbbb";')
        lines.append('    node [shape=plaintext, style="", fontsize=9, label=""];')
        for kind in used:
            label, colour, style, _dash = EDGE_STYLES[kind]
            lines.append(f'    "legend {kind} a" -> "legend {kind} b" [label="{label}", color="{colour}", '
                         f'fontcolor="{colour}", style={style}];')
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot_text: str, fmt: str) -> bytes:
    """SVG or PNG through Graphviz's ``dot``; LineageError naming the package when it is missing."""
    executable = shutil.which("dot")
    if executable is None:
        raise LineageError(f"rendering {fmt} needs Graphviz's 'dot': install it "
                           "(apt-get install graphviz, brew install graphviz)")
    done = subprocess.run([executable, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True)
    if done.returncode:
        raise LineageError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout

"""Markdown tables: a row is an item named by its first cell, with the other cells under their headers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.importer.items import Item, strip_decoration

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class Table:
    """The header of the table being read."""

    headers: list[str]
    line: int


def is_table_line(line: str) -> bool:
    return line.lstrip().startswith("|") and line.rstrip().endswith("|") and line.count("|") >= 2


def is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line)) and "-" in line


def table_cells(line: str) -> list[str]:
    """The cells of a table line, without bold markers and decoration."""
    inner = line.strip()[1:-1]
    return [strip_decoration(re.sub(r"\*\*|__", "", cell)) for cell in re.split(r"(?<!\\)\|", inner)]


def table_items(table: Table, cells: list[str], file: str, line: int, section: tuple[str, ...]) -> list[Item]:
    """The row as an item: named by its first cell; the other cells by header, and as its description."""
    if not cells or not cells[0]:
        return []
    named = dict(zip(table.headers, cells))
    description = "; ".join(f"{h}: {c}" for h, c in list(named.items())[1:] if h and c)
    return [Item(file, line, "table", cells[0], description=description, section=section, cells=named,
                 lead=table.headers[0])]


#: Headers that name a model's facts: a table whose first column is 'Model' and which has one of
#: these is a table of models.
FACT_HEADERS = {"parameters", "params", "size", "sizes", "attention", "moe", "norm", "normalization",
                "positional", "position", "encoding", "context", "license", "release", "released", "date",
                "architecture", "developer", "lab", "organization", "layers", "vocabulary", "tokens", "activation"}
#: Headers whose cells name techniques, and the noun a fragment of the cell lacks ('Sliding Window').
TECHNIQUE_HEADERS = {"attention": "Attention", "moe": "", "norm": "", "normalization": "", "positional": "",
                     "position": "", "activation": ""}
_SIZE_CELL = re.compile(r"^\d+(?:\.\d+)?[BMT]$")


def _header_words(header: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", header)}


def table_kind(headers: list[str]) -> str | None:
    """'models' for a table whose rows are models (first header 'Model', another header a fact),
    'techniques' for a table of methods ('Method', 'Architecture Type'), else None."""
    if not headers:
        return None
    first = _header_words(headers[0])
    facts = set().union(*(_header_words(h) for h in headers[1:])) if len(headers) > 1 else set()
    if first & {"model", "models", "llm", "name"} and facts & FACT_HEADERS:
        return "models"
    if first & {"method", "methods", "technique", "techniques", "approach", "type"}:
        return "techniques"
    return None


def row_models(item: Item) -> list[tuple[str, list[str]]]:
    """The models a row names, each with its sizes: 'DeepSeek V3 / R1' -> DeepSeek V3, DeepSeek R1;
    'Gemma 3 / 3n' with '27B / 4B' -> Gemma 3 (27B), Gemma 3n (4B)."""
    parts = [p.strip() for p in item.name.split(" / ") if p.strip()]
    names = [parts[0]]
    prefix = parts[0].rsplit(" ", 1)[0] if " " in parts[0] else ""
    for part in parts[1:]:
        names.append(f"{prefix} {part}" if prefix and " " not in part else part)
    cell = next((c for h, c in item.cells.items() if _header_words(h) & {"parameters", "params", "size"}), "")
    sizes = [s.strip() for s in cell.split("/")] if cell else []
    if not sizes or not all(_SIZE_CELL.match(s) for s in sizes):
        sizes = []  # a range ('0.6–32B') or no size: nothing to claim
    if len(names) > 1:
        if len(sizes) == 1:
            return [(n, sizes) for n in names]
        return [(n, [sizes[i]] if len(sizes) == len(names) else []) for i, n in enumerate(names)]
    return [(names[0], sizes)]


def row_techniques(cells: dict[str, str], find) -> list[tuple[str, bool]]:
    """The techniques the cells of a row name, as (catalog id, found) — the id of an entry ``find``
    returns for a name, else a slug of the name: 'Sliding Window + Grouped-Query Attention' under
    'Attention Type' -> sliding-window-attention, grouped-query-attention; 'Yes, 256 experts' under
    'MoE' -> the technique MoE."""
    out: list[tuple[str, bool]] = []
    for header, cell in cells.items():
        words = _header_words(header)
        column = next((w for w in words if w in TECHNIQUE_HEADERS), None)
        if column is None or not cell or cell.strip("- ").lower() in ("", "no", "none", "n/a"):
            continue
        if column == "moe" or cell.lower().startswith("yes"):
            names = [header] if cell.lower().startswith("yes") else []
        else:
            names = [p.strip() for p in re.split(r"\s*\+\s*|,\s*", cell) if p.strip()]
            # 'Pre + Post RMSNorm': a short word alone qualifies the next part, it names nothing
            names = [p for p in names if " " in p or "-" in p or len(p) > 4 or any(c.isupper() for c in p[1:])]
        for name in names:
            noun = TECHNIQUE_HEADERS[column]
            bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
            candidates = [name, bare] + re.findall(r"\(([^)]+)\)", name)
            if noun and noun.lower() not in bare.lower() and not bare.isupper():
                bare = f"{bare} {noun}"
                candidates.insert(0, bare)
            candidates += [bare.split()[-1]] if len(bare.split()) > 1 else []
            found = [e for e in (find(c) for c in candidates) if e is not None]
            for entry in found[:1] + [e for e in found[1:] if re.search(r"\(", name) and e is not found[0]]:
                if (entry.id, True) not in out:
                    out.append((entry.id, True))
            if not found:
                key = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")
                if (key, False) not in out:
                    out.append((key, False))
    return out

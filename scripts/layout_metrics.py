#!/usr/bin/env python3
"""Counts that describe the package layout: modules, longest function, import cycles.

    python3 scripts/layout_metrics.py [PACKAGE_DIR]   (default: kg/ of this checkout)

Import cycles are counted on module-level imports only (imports inside functions are
deferred on purpose and cannot form a cycle at import time).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def main(root: Path) -> None:
    modules = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    longest = (0, "")
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                longest = max(longest, (length, f"{name}.{node.name}"))
        for node in tree.body:
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = resolve(name, node, path.name == "__init__.py")
                targets = [target] + [f"{target}.{a.name}" for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    cycles = strongly_connected(graph)
    print(f"modules: {len(modules)}")
    print(f"longest function: {longest[0]} lines ({longest[1]})")
    print(f"import cycles (module level): {len(cycles)}" + "".join(f"\n  {' <-> '.join(sorted(c))}" for c in cycles))


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "kg")

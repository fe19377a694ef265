#!/usr/bin/env python3
"""The commands people run all day, on copies of kg side by side: kg validate and warm saved queries.

    .venv/bin/python benchmarks/everyday.py --code /path/to/before --code . [--runs 15] [--data DIR]

Each ``--code`` is a folder holding a copy of kg (a checkout, or a ``git worktree`` of an older
commit). Its commands run as ``python -m kg`` with that folder as the working directory (so
its own package is the one imported) on the same catalog (--data, default this checkout's
data/), each copy with a private query cache that a first untimed round fills. Then every
round runs each command once per copy, in turn, so a slower minute of a shared machine hits
all copies alike. Each run is a fresh process timed from its start to its exit, start-up
included. Prints per command and copy the median, min, max and run count (Markdown), and the
ratio of each copy's median to the first copy's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from warm_query import cells, timed  # noqa: E402
COMMANDS = {
    "kg validate": ["validate"],
    "kg query models-by-organization -p org=mistral-ai (warm, default engine)":
        ["query", "models-by-organization", "-p", "org=mistral-ai"],
    "kg query models-by-organization -p org=mistral-ai --engine rdflib (warm)":
        ["query", "models-by-organization", "-p", "org=mistral-ai", "--engine", "rdflib"],
    "kg query fact-sources -p entity=alpaca (warm, named graphs)": ["query", "fact-sources", "-p", "entity=alpaca"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="append", required=True, help="a folder holding a copy of kg")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    codes = [Path(code).resolve() for code in args.code]
    data = ["--data", str(args.data.resolve())]
    times: dict[tuple[str, Path], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-everyday-") as tmp:
        envs = {code: {**os.environ, "KG_CACHE_DIR": f"{tmp}/cache-{number}"} for number, code in enumerate(codes)}
        for env in envs.values():
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches allowed, as on a user's machine
        for round_number in range(args.runs + 1):  # round 0 is untimed: caches filled, bytecode written
            for name, command in COMMANDS.items():
                for code in codes:
                    elapsed = timed([sys.executable, "-m", "kg", *command, *data], envs[code], code)
                    if round_number:
                        times.setdefault((name, code), []).append(elapsed)
    print(f"{args.runs} interleaved runs each; data: {args.data}; {os.cpu_count()} cores\n")
    print("| command | copy of kg | median ms | min ms | max ms | × first copy |")
    print("|---|---|---:|---:|---:|---:|")
    for name in COMMANDS:
        first = statistics.median(times[(name, codes[0])])
        for code in codes:
            print(f"| `{name}` | {code} | {cells(times[(name, code)], first, digits=2)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

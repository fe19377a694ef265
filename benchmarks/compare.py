#!/usr/bin/env python3
"""Two (or more) copies of kg side by side on one catalog: kg build and warm saved queries, interleaved.

    .venv/bin/python benchmarks/compare.py --catalog /work/gen-1m --code /path/to/before --code . --runs 3

Each ``--code`` is a folder holding a copy of kg (a checkout, or ``git archive`` of a commit),
run as ``python -m kg`` with that folder first on PYTHONPATH and as the working directory
(so its saved queries are the ones run). Every round runs each copy once, in turn, so a
slower minute of a shared machine hits both sides alike:

- ``kg build --engine oxigraph`` with its query cache emptied first (each copy has its own
  cache folder), measured like benchmarks/scale.py: wall time, and the peak of the process's
  own RSS or of the PSS of it and its children together;
- then each query of benchmarks/scale.py's mix, warm (the build filled the cache), each its
  own process, start-up included.

``--format json`` (or csv, tsv) has the warm queries print in that format instead of the table.

With ``--no-build``, only the warm queries run, each copy on its own ``--cache`` folder, which a
``kg build --engine oxigraph`` of that copy has filled (a million-triple build takes ~50 s and
both cores: build once, then measure as often as needed).

Each copy's package is compiled first (``compileall``) and runs with Python's bytecode cache
allowed (PYTHONDONTWRITEBYTECODE dropped), as on a user's machine.

Prints, per copy and step, the median, the range and the number of runs (Markdown).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import MIX, measure  # noqa: E402


def models_in(catalog: Path) -> int:
    return sum(1 for name in os.listdir(catalog / "models") if name.endswith(".yaml"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="a data folder (e.g. from generate.py)")
    parser.add_argument("--code", action="append", required=True, help="a folder holding a copy of kg")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=600)
    parser.add_argument("--no-queries", action="store_true", help="measure the build only")
    parser.add_argument("--cache", action="append", default=[],
                        help="with --no-build: each copy's cache folder (one per --code, in order), filled "
                             "by a kg build of that copy and kept")
    parser.add_argument("--no-build", action="store_true", help="measure the warm queries only, on --cache")
    parser.add_argument("--format", choices=["table", "csv", "tsv", "json"],
                        help="the warm queries' --format (default: kg query's own, the table)")
    args = parser.parse_args()
    if args.no_build and len(args.cache) != len(args.code):
        parser.error("--no-build needs one --cache per --code")
    catalog = Path(args.catalog).resolve()
    codes = [Path(code).resolve() for code in args.code]
    last_model = f"{models_in(catalog) - 1:07d}"
    clean_env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for code in codes:  # every copy runs from its bytecode cache, as on a user's machine (a copy
        # without one compiled kg in every timed run: +20 ms a warm query at 1M, in session 9)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "kg")], env=clean_env,
                       stdout=subprocess.DEVNULL, check=True)
    results: dict[tuple[int, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-compare-") as tmp:
        for run in range(args.runs):
            for number, code in enumerate(codes):
                cache = args.cache[number] if args.no_build else f"{tmp}/cache-{number}"
                env = {**clean_env, "PYTHONPATH": str(code), "KG_CACHE_DIR": cache}
                kg = [sys.executable, "-m", "kg"]
                steps = []
                if not args.no_build:
                    shutil.rmtree(env["KG_CACHE_DIR"], ignore_errors=True)
                    steps = [("kg build --engine oxigraph", [kg + ["build", "--engine", "oxigraph", "--data",
                                                                   str(catalog), "--out", f"{tmp}/dist-{number}"]])]
                if not args.no_queries:
                    shown = ["--format", args.format] if args.format else []
                    steps += [(f"warm kg {' '.join(query + shown)}".replace("{last_model}", last_model),
                               [kg + [a.replace("{last_model}", last_model) for a in query]
                                + ["--engine", "oxigraph", "--data", str(catalog), *shown]]) for query in MIX]
                for name, commands in steps:
                    measured = measure(commands, args.budget, env, cwd=code)
                    if measured is None:
                        raise SystemExit(f"{name} on {code} ran over {args.budget:.0f} s")
                    results.setdefault((number, name), []).append(measured)
                    print(f"run {run + 1} {code.name}: {name}: {measured[0]:.2f} s, {measured[1]:.0f} MiB",
                          file=sys.stderr, flush=True)
    print(f"{args.runs} runs of each, interleaved; catalog {catalog}; {os.cpu_count()} cores\n")
    print("| code | step | median s | min-max s | peak MiB (median, min-max) |")
    print("|---|---|---:|---:|---:|")
    for (number, name), measured in results.items():
        seconds = [m[0] for m in measured]
        peaks = [m[1] for m in measured]
        print(f"| {codes[number]} | {name} | {statistics.median(seconds):.2f} | {min(seconds):.2f}-{max(seconds):.2f} "
              f"| {statistics.median(peaks):.0f} ({min(peaks):.0f}-{max(peaks):.0f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

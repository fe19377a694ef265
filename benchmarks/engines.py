#!/usr/bin/env python3
"""Each command with --engine, on rdflib and on oxigraph: what the CLI's default was chosen by.

    .venv/bin/python benchmarks/engines.py [--runs 7] [--data DIR]

Every command runs as a user runs it (a fresh `kg` process, start-up included) on the same
catalog (default data/), both engines interleaved run by run, with a private query cache
(primed by a first untimed round, so `query` is warm). Prints the medians and the ratio.
Python's bytecode cache is allowed, as on a user's machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KG = [str(BIN / "kg")] if (BIN / "kg").exists() else [sys.executable, "-m", "kg"]
COMMANDS = {
    "validate": ["validate"],
    "build": ["build", "--out", "{tmp}/dist-{engine}"],
    "export nt": ["export", "--format", "nt", "--output", "{tmp}/out-{engine}.nt"],
    "export turtle": ["export", "--format", "turtle", "--output", "{tmp}/out-{engine}.ttl"],
    "stats": ["stats"],
    "query (warm)": ["query", "models-by-organization", "-p", "org=meta"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-engines-") as tmp:
        env = {**os.environ, "KG_CACHE_DIR": f"{tmp}/cache", "PYTHONPATH": str(ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for run in range(args.runs + 1):  # the first round is untimed
            for name, command in COMMANDS.items():
                for engine in ("rdflib", "oxigraph"):
                    filled = [part.format(tmp=tmp, engine=engine) for part in command]
                    start = time.perf_counter()
                    subprocess.run([*KG, *filled, "--data", str(args.data), "--engine", engine], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                    if run:
                        times.setdefault((name, engine), []).append(time.perf_counter() - start)
    print(f"{args.runs} interleaved runs; data: {args.data}; {os.cpu_count()} cores\n")
    print("| command | rdflib s | oxigraph s | rdflib / oxigraph |")
    print("|---|---:|---:|---:|")
    for name in COMMANDS:
        mine, theirs = (statistics.median(times[(name, e)]) for e in ("rdflib", "oxigraph"))
        print(f"| `kg {name.split(' (')[0]}` | {mine:.3f} | {theirs:.3f} | {mine / theirs:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What the catalog pipeline costs as the catalog grows (synthetic catalogs of generate.py).

    .venv/bin/python benchmarks/scale.py [--sizes 10000,100000] [--runs 3] [--budget 600]

Each step runs as a user runs it, in a fresh process, and is measured with os.wait4: wall
time, peak resident memory of that process, and triples per second. Medians of --runs.
A step still running after --budget seconds is stopped and reported as such.
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
KG = str(Path(sys.executable).parent / "kg")
STEPS = {
    "validate": ["validate"],
    "validate (oxigraph: shapes as SPARQL)": ["validate", "--engine", "oxigraph"],
    "build (validate + 3 exports)": ["build", "--out", "{tmp}/dist"],
    "export turtle": ["export", "--no-validate", "--output", "{tmp}/out.ttl"],
    "export n-triples": ["export", "--no-validate", "--output", "{tmp}/out.nt"],
    "export json-ld": ["export", "--no-validate", "--output", "{tmp}/out.jsonld"],
    "query rdflib (cold)": ["query", "releases-per-year", "--no-cache"],
    "query oxigraph (cold)": ["query", "releases-per-year", "--no-cache", "--engine", "oxigraph"],
    "query rdflib (warm)": ["query", "organizations-by-model-count"],
    "query oxigraph (warm)": ["query", "organizations-by-model-count", "--engine", "oxigraph"],
}


def measure(args: list[str], budget: float, env: dict) -> tuple[float, float] | None:
    """(seconds, peak MiB) of one process, or None when it ran past the budget."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + budget
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return time.perf_counter() - start, usage.ru_maxrss / 1024
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            return None
        time.sleep(0.02)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=600, help="seconds before a step is given up")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "scale.md"))
    args = parser.parse_args()
    lines = ["| size (triples) | step | median s | peak MiB | triples/s |", "|---:|---|---:|---:|---:|"]
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
            data = Path(tmp) / "data"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples", str(size),
                            "--seed", "1", "--out", str(data)], check=True, stderr=subprocess.DEVNULL)
            env = {**os.environ, "KG_CACHE_DIR": str(Path(tmp) / "cache")}
            stats = subprocess.run([KG, "stats", "--data", str(data), "--format", "json"], capture_output=True,
                                   text=True, env=env)
            triples = int(__import__("json").loads(stats.stdout)["triples"])
            for name, step in STEPS.items():
                command = [KG, *[a.format(tmp=tmp) for a in step], "--data", str(data)]
                results = []
                for _ in range(args.runs):
                    result = measure(command, args.budget, env)
                    if result is None:
                        break
                    results.append(result)
                if len(results) < args.runs:
                    lines.append(f"| {triples} | {name} | > {args.budget:.0f} (stopped) | | |")
                else:
                    seconds = statistics.median(r[0] for r in results)
                    memory = max(r[1] for r in results)
                    lines.append(f"| {triples} | {name} | {seconds:.2f} | {memory:.0f} | {triples / seconds:,.0f} |")
                print(lines[-1], file=sys.stderr)
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

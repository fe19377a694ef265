#!/usr/bin/env python3
"""Benchmark every saved query on both engines, cold and warm, as a user runs them.

cold: `kg query NAME --no-cache` in a fresh process (reads every YAML file, builds the graph).
warm: `kg query NAME` in a fresh process with the build cache filled (the usual case).
eval: the query evaluation alone, in-process, on an already loaded graph/store.

Medians of --runs runs; the ratio column is rdflib / oxigraph (above 1: Oxigraph faster).
Usage: .venv/bin/python benchmarks/queries.py [--runs 5] [--data DIR] [--out benchmarks/queries.md]
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
sys.path.insert(0, str(ROOT))

from kg.sparql.engines import run_query  # noqa: E402
from kg.pipeline.project import Project  # noqa: E402
from kg.pipeline.queryable import query_source  # noqa: E402
from kg.sparql.saved import bind_parameters, list_saved_queries  # noqa: E402

KG = str(Path(sys.executable).parent / "kg")


def wall(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", default=str(ROOT / "data"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "queries.md"))
    parser.add_argument("--cold-runs", type=int, default=3, help="runs of the cold (no cache) case")
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="kg-bench-cache-")
    env = {**os.environ, "KG_CACHE_DIR": cache}
    os.environ["KG_CACHE_DIR"] = cache
    project = Project.locate(data=args.data, start=ROOT)
    saved = list_saved_queries(project.queries)
    sources = {engine: query_source(project, engine=engine) for engine in ("rdflib", "oxigraph")}
    graph = sources["rdflib"].target
    rows = []
    for query in saved:
        bindings = bind_parameters(query, {}, graph, project.base)
        line = {"name": query.name}
        for engine in ("rdflib", "oxigraph"):
            evals = []
            for _ in range(args.runs):
                start = time.perf_counter()
                run_query(sources[engine].target, query.text, bindings, engine=engine)
                evals.append(time.perf_counter() - start)
            base_cmd = [KG, "-q", "query", query.name, "--data", args.data, "--engine", engine]
            warm = [wall(base_cmd, env) for _ in range(args.runs)]
            cold = [wall(base_cmd + ["--no-cache"], env) for _ in range(args.cold_runs)]
            line[engine] = (median(evals), median(warm), median(cold))
        rows.append(line)
        print(f"{query.name}: rdflib {line['rdflib']}, oxigraph {line['oxigraph']}", file=sys.stderr)

    def ms(x: float) -> str:
        return f"{x * 1000:.0f}" if x >= 0.01 else f"{x * 1000:.1f}"

    out = [
        f"Catalog: {sources['rdflib'].triples} triples (catalog + ontology); medians of {args.runs} "
        f"runs ({args.cold_runs} for cold); times in ms; ratio = rdflib / oxigraph.",
        "",
        "| query | rdflib eval | oxigraph eval | eval ratio | rdflib warm | oxigraph warm | warm ratio "
        "| rdflib cold | oxigraph cold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for line in rows:
        r, o = line["rdflib"], line["oxigraph"]
        out.append(f"| {line['name']} | {ms(r[0])} | {ms(o[0])} | {r[0] / o[0]:.1f} | {ms(r[1])} | "
                   f"{ms(o[1])} | {r[1] / o[1]:.2f} | {ms(r[2])} | {ms(o[2])} |")
    totals = {e: [median([l[e][i] for l in rows]) for i in range(3)] for e in ("rdflib", "oxigraph")}
    out.append(f"| **median of all** | {ms(totals['rdflib'][0])} | {ms(totals['oxigraph'][0])} | "
               f"{totals['rdflib'][0] / totals['oxigraph'][0]:.1f} | {ms(totals['rdflib'][1])} | "
               f"{ms(totals['oxigraph'][1])} | {totals['rdflib'][1] / totals['oxigraph'][1]:.2f} | "
               f"{ms(totals['rdflib'][2])} | {ms(totals['oxigraph'][2])} |")
    text = "\n".join(out) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

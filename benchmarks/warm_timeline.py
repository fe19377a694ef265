#!/usr/bin/env python3
"""Where a warm `kg query NAME` spends its time: a timeline of one run, in milliseconds.

    .venv/bin/python benchmarks/warm_timeline.py [--runs 7] [--query NAME] [-p NAME=VALUE]
        [--engine oxigraph|rdflib] [--data DIR --cache DIR]

Copies this checkout's kg/ into a temporary folder, adds a line at each step of the short path
that writes the milliseconds since kg's __main__ began, the process and the step to stderr,
then runs the copy (`python -m kg query ...` on this checkout's data/, warm) --runs times and
prints, per step reached, the median time at which it was reached. Interpreter start-up comes
before the first mark (`python -c pass` measures it). A mark whose anchor is no longer in the
code stops the script: the steps below name the code they follow.

``--data`` runs the query on another catalog, such as a generated million-triple one, whose
graph goes to an on-disk store and whose query is answered in a child while the fingerprint
is taken (kg.pipeline.speculate: the steps marked "spec child"); ``--cache`` is the query
cache to use (KG_CACHE_DIR), one a build has filled (by default, a new one, filled by a first
untimed run). ``--engine rdflib`` shows that engine's steps instead.
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

ROOT = Path(__file__).resolve().parent.parent

#: (file, the code a mark goes after (or before, with a leading "<"), the step's name)
MARKS = [
    ("kg/cli/short_path.py", "    short = parse(args)\n", "command line read (parent)"),
    ("kg/util/parallel.py", "    if pid == 0:  # pragma: no cover - the child (its outcome is what the tests check)\n",
     "forked (child)"),
    ("kg/pipeline/preload.py", "<        store.load(ntriples", "preload thread starts loading"),
    ("kg/cli/short_path.py", "    project = Project.locate(**short.folders)\n", "project located (pathlib imported)"),
    ("kg/cli/querying.py", "    from kg.api import answer\n", "kg.api imported"),
    ("kg/pipeline/queryable.py", "<    entry = entry_for(", "saved query read, engines imported"),
    ("kg/pipeline/queryable.py", "    loaded = lease = None\n", "fingerprint taken (kg.pipeline.cache imported)"),
    ("kg/pipeline/preload.py", "<        with _lock:\n            _stores[folder] = store", "preload thread loaded"),
    ("kg/api.py", "        bindings = bind_terms(saved, given, source.target, opened.base)\n", "store taken, parameters bound"),
    ("kg/cli/querying.py", "<    check_format(outcome.result.kind, request.fmt)", "query answered"),
    ("kg/cli/querying.py", "    sys.stdout.flush()\n", "rows printed"),
    ("kg/cli/bounded.py", "            child.wait(timeout=timeout)\n", "child reaped (parent)"),
    # a large graph's query, answered in a child meanwhile (kg.pipeline.speculate)
    ("kg/api.py", "<    speculate.start(project.data, saved.text, bindings, known_prefixes(project.base))",
     "speculation starts"),
    ("kg/pipeline/speculate.py", "<    store = CacheEntry(Path(folder)).open_store(named_graphs)", "spec child: store to open"),
    ("kg/pipeline/speculate.py", "<    return select_as_tsv(store, text, bindings, prefixes=prefixes)", "spec child: store open"),
    ("kg/pipeline/speculate.py", "<        ok, value = self.child.outcome(", "the child's rows waited for"),
    ("kg/pipeline/speculate.py", "<        variables, data = value", "the child's rows arrived"),
    # the rdflib engine
    ("kg/pipeline/queryable.py", "<    from rdflib import Graph\n\n    from kg.rdf.vocab import bind_prefixes\n\n    graph = Graph(",
     "rdflib: imports begin"),
    ("kg/pipeline/queryable.py", "<    add = graph.store.add\n    try:\n        for triple in rdflib_triples(data):",
     "rdflib: imported"),
    ("kg/pipeline/queryable.py", "<        return graph\n    except (ValueError, IndexError):", "rdflib: graph read"),
    ("kg/sparql/engines.py", "<    tree = parse_safe(text)", "rdflib: its SPARQL engine imported"),
    ("kg/sparql/engines.py", "<    rdflib_sparql.SPARQL_LOAD_GRAPHS = False", "rdflib: query parsed"),
]

PREAMBLE = "import builtins as _b, time as _t; _b.kg_mark_t0 = _t.perf_counter()\n"


def _mark(name: str, indent: str) -> str:
    return (f'{indent}__import__("os").write(2, b"kg-mark %.2f %s\\n" % ((__import__("time").perf_counter()'
            f' - __import__("builtins").kg_mark_t0) * 1000, {name!r}.encode()))\n')


def instrumented_copy(into: Path) -> Path:
    shutil.copytree(ROOT / "kg", into / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    main = into / "kg" / "__main__.py"
    main.write_text(PREAMBLE + main.read_text())
    for relative, anchor, name in MARKS:
        path = into / relative
        text = path.read_text()
        before = anchor.startswith("<")
        anchor = anchor.lstrip("<")
        if "\n" + anchor not in text:  # whole lines only: the indentation is the anchor's
            raise SystemExit(f"{relative}: the code the mark '{name}' follows is gone; update MARKS")
        indent = anchor[: len(anchor) - len(anchor.lstrip(" "))]
        if not before and anchor.split("#")[0].rstrip().endswith(":"):  # after a block's opening line
            indent += "    "
        mark = _mark(name, indent)
        path.write_text(text.replace("\n" + anchor, "\n" + (mark + anchor if before else anchor + mark), 1))
    for name in ("data", "ontology", "shapes", "queries"):
        os.symlink(ROOT / name, into / name)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--query", default="models-by-organization")
    parser.add_argument("-p", "--param", action="append", default=None, metavar="NAME=VALUE")
    parser.add_argument("--engine", choices=["oxigraph", "rdflib"], default="oxigraph")
    parser.add_argument("--data", type=Path, help="another catalog than this checkout's data/")
    parser.add_argument("--cache", type=Path, help="the query cache to use (default: a new one)")
    args = parser.parse_args()
    params = args.param if args.param is not None else ["org=mistral-ai"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="kg-timeline-") as scratch:
        env["KG_CACHE_DIR"] = str(args.cache.resolve() if args.cache else Path(scratch) / "cache")
        copy = instrumented_copy(Path(scratch) / "copy")
        data = ["--data", str(args.data.resolve())] if args.data else []
        command = [sys.executable, "-m", "kg", "query", *data, "--engine", args.engine, args.query,
                   *(a for p in params for a in ("-p", p))]
        reached: dict[str, list[float]] = {}
        for run in range(args.runs + 2):  # the first builds the cache, the second writes bytecode
            done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
            if done.returncode:
                raise SystemExit(f"the query failed: {done.stderr[-500:]}")
            if run < 2:
                continue
            for line in done.stderr.splitlines():
                if line.startswith("kg-mark "):
                    _, at, name = line.split(" ", 2)
                    reached.setdefault(name, []).append(float(at))
    print(f"{args.runs} warm runs of kg query {args.query} {' '.join(params)}; ms since kg's __main__ began, "
          f"median (min-max); {os.cpu_count()} cores\n")
    print("| step | ms |\n|---|---:|")
    for _, _, name in sorted(MARKS, key=lambda mark: statistics.median(reached.get(mark[2], [1e9]))):
        times = reached.get(name)
        if times:
            print(f"| {name} | {statistics.median(times):.1f} ({min(times):.1f}-{max(times):.1f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A warm `kg query NAME`, start-up included, next to `oxigraph query` on the same data.

    .venv/bin/python benchmarks/warm_query.py [--runs 21] [--data DIR] [--query NAME] [-p NAME=VALUE]

The catalog (--data, default data/) is built once with `kg build --engine oxigraph` into a
private query cache, which leaves an on-disk Oxigraph store of the query graph there. A copy
of that store is what `oxigraph query` (the Rust command of the `oxigraph` package) reads,
with the saved query's parameters bound by a VALUES clause at its end (the same terms kg
substitutes). Then each command runs --runs times, all of them interleaved (one of each in
turn), each a fresh process timed from its start to its exit; the table gives medians and
the ratio of each to `oxigraph query`. `python -c pass` is the floor of any Python command, and a
bare script that only opens the same store with pyoxigraph and prints the same query's rows
the floor of any Python tool answering it. ``import rdflib.plugins.sparql`` alone is the floor
under the rdflib engine: no query can be answered by rdflib's SPARQL engine without it.

Python's bytecode cache is allowed (PYTHONDONTWRITEBYTECODE is dropped), as on a user's
machine; a first untimed round writes it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from kg.pipeline.cache_location import STORE_DIR  # noqa: E402


def kg_command() -> list[str]:
    """The installed `kg` entry point (running this checkout, see PYTHONPATH below)."""
    return [str(BIN / "kg")] if (BIN / "kg").exists() else [sys.executable, "-m", "kg"]


def oxigraph_text(query_name: str, params: dict[str, str], data: Path) -> str:
    """The saved query with its parameters bound as kg binds them, by a trailing VALUES clause."""
    from kg.pipeline.location import Project
    from kg.rdf.ntriples import term
    from kg.sparql.saved import bind_terms, find_saved_query

    project = Project.locate(data=data, start=ROOT)
    saved = find_saved_query(project.queries, query_name)
    bindings = bind_terms(saved, params, None, project.base)
    if not bindings:
        return saved.text
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term(value) for value in bindings.values())
    return f"{saved.text.rstrip()}\nVALUES ({names}) {{ ({values}) }}\n"


#: The least any Python command can do here: import pyoxigraph, open the store read-only, print the
#: rows as CSV. It reads no catalog, checks nothing and bounds nothing: the floor under kg query.
BARE = """import sys
import pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
sys.stdout.buffer.write(store.query(sys.argv[2]).serialize(format=pyoxigraph.QueryResultsFormat.CSV))
"""


def timed(command: list[str], env: dict, cwd: Path = ROOT) -> float:
    """Seconds from the start of ``command`` to its exit (stopping the benchmark if it fails)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:6])}… in {cwd} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--query", default="models-by-organization")
    parser.add_argument("-p", "--param", action="append", default=None, metavar="NAME=VALUE")
    args = parser.parse_args()
    params = dict(p.split("=", 1) for p in (args.param if args.param is not None else ["org=mistral-ai"]))
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("the oxigraph command is missing: pip install oxigraph")

    with tempfile.TemporaryDirectory(prefix="kg-warm-") as tmp:
        env = {**os.environ, "KG_CACHE_DIR": f"{tmp}/cache", "PYTHONPATH": str(ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        data = ["--data", str(args.data)]
        subprocess.run([*kg_command(), "build", *data, "--engine", "oxigraph", "--out", f"{tmp}/dist"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        stores = list(Path(tmp, "cache").glob(f"projects/*/*/{STORE_DIR}"))  # kg build's store
        assert len(stores) == 1, stores
        shutil.copytree(stores[0], f"{tmp}/store")
        text = oxigraph_text(args.query, params, args.data)
        flags = [x for name, value in params.items() for x in ("-p", f"{name}={value}")]
        commands = {
            "oxigraph query (Rust, on-disk store)": [oxigraph, "query", "--location", f"{tmp}/store",
                                                     "--query", text, "--results-format", "csv"],
            f"kg query {args.query} --engine oxigraph": [*kg_command(), "query", *data, args.query, *flags,
                                                         "--engine", "oxigraph"],
            f"kg query {args.query} --engine rdflib": [*kg_command(), "query", *data, args.query, *flags,
                                                       "--engine", "rdflib"],
            f"kg query {args.query} (default engine)": [*kg_command(), "query", *data, args.query, *flags],
            "bare Python script (pyoxigraph, same store, same query)": [sys.executable, "-c", BARE, f"{tmp}/store",
                                                                        text],
            "python -c 'import rdflib.plugins.sparql' (the rdflib engine's imports)":
                [sys.executable, "-c", "import rdflib.plugins.sparql"],
            "python -c pass (interpreter start-up)": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # untimed: bytecode caches, the store made, the page cache
            timed(command, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))

    reference = statistics.median(next(iter(times.values())))
    print(f"{args.runs} interleaved runs each; data: {args.data}; query: {args.query} "
          f"{' '.join(f'{k}={v}' for k, v in params.items())}; {os.cpu_count()} cores\n")
    print("| command | median ms | min ms | max ms | × oxigraph query |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        print(f"| `{name}` | {cells(values, reference)} |")
    return 0


def cells(values: list[float], reference: float, digits: int = 1) -> str:
    """Median, min and max in ms, and the median's ratio to ``reference`` seconds, as table cells."""
    median = statistics.median(values)
    return (f"{median * 1000:.1f} | {min(values) * 1000:.1f} | {max(values) * 1000:.1f} | "
            f"{median / reference:.{digits}f}")


if __name__ == "__main__":
    sys.exit(main())

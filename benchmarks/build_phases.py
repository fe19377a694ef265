#!/usr/bin/env python3
"""Where one `kg build --engine oxigraph` spends its time and memory, step by step, in-process.

    .venv/bin/python benchmarks/build_phases.py --data /work/gen-1m [--out DIR]

Wraps the build's steps (reading, checks, lines, provenance, the shapes' store and queries,
each export, the query cache and its on-disk store) with timers, and prints when each begins
and ends, on which thread, with the process's resident memory then and its peak so far
(sampled every 20 ms). The query cache goes to a temporary folder, emptied first. The
wrappers cost little; the figures are those of one run, on whatever else the machine is doing.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = time.perf_counter()
PEAK = [0]


def rss_mib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def sample() -> None:
    while True:
        PEAK[0] = max(PEAK[0], rss_mib())
        time.sleep(0.02)


def timed(module: str, name: str, owner: str | None = None, quiet_thread: str | None = None) -> None:
    """Replace ``module.[owner.]name`` with a wrapper printing its start, end, memory and thread."""
    holder = importlib.import_module(module)
    if owner:
        holder = getattr(holder, owner)
    original = getattr(holder, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        thread = threading.current_thread().name
        shown = thread != quiet_thread
        began = time.perf_counter()
        if shown:
            print(f"{began - START:7.2f} > {name} [{thread}] rss={rss_mib()}", file=sys.stderr, flush=True)
        try:
            return original(*args, **kwargs)
        finally:
            ended = time.perf_counter()
            if shown:
                print(f"{ended - START:7.2f} < {name} {ended - began:6.2f} s rss={rss_mib()} peak={PEAK[0]}",
                      file=sys.stderr, flush=True)

    setattr(holder, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", help="where the exports go (default: a temporary folder)")
    args = parser.parse_args()
    threading.Thread(target=sample, daemon=True).start()
    for name in ("load_catalog", "check_catalog", "catalog_lines", "_validate"):
        timed("kg.pipeline.project", name)
    for name in ("export_lines", "provenance_dataset_lines"):
        timed("kg.pipeline.build", name)
    timed("kg.pipeline.cache", "fingerprint")
    timed("kg.pipeline.cache", "store_lines", "CacheEntry")
    timed("kg.pipeline.cache", "write_store", "CacheEntry")
    timed("kg.pipeline.exports", "_write", "Exports")
    timed("kg.pipeline.queryable", "finish", "QueryCachePrimer")
    timed("kg.rdf.terms", "load_store", quiet_thread="kg-cache-store")  # the cache's chunks: too many to show
    timed("kg.validation.shacl_sparql", "check_store")
    timed("kg.pipeline.store_feed", "store", "StoreFeed")  # waits for the store fed while the lines were made
    timed("kg.validation.shacl_sparql", "run_compiled")
    timed("kg.pipeline.project", "release_store", "Compiled")  # frees the shapes' store
    timed("kg.pipeline.project", "give_back_freed_memory")
    timed("kg.pipeline.queryable", "merge")  # the query graph's lines: catalog + ontology
    importlib.import_module("kg.pipeline.project").load_store = importlib.import_module("kg.rdf.terms").load_store
    from kg.pipeline.build import build
    from kg.pipeline.location import Project

    with tempfile.TemporaryDirectory(prefix="kg-phases-") as tmp:
        os.environ["KG_CACHE_DIR"] = f"{tmp}/cache"
        project = Project.locate(data=Path(args.data), start=ROOT)
        build(project, Path(args.out or f"{tmp}/dist"), engine="oxigraph")
    print(f"{time.perf_counter() - START:7.2f} done; peak RSS {PEAK[0]} MiB (this process and its threads; "
          "not the processes that read the YAML)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How fast pyoxigraph takes kg's N-Triples into a store: in memory and on disk, each way kg could.

    .venv/bin/python benchmarks/store_load.py --nt dist/catalog.nt [--runs 3]

``--nt`` is a catalog.nt written by ``kg build`` (at a million triples: ``kg build --data
/work/gen-1m --out /tmp/dist-1m``). Each way runs in a fresh process, once per round, the rounds
interleaved; the lines go in 25k at a time as kg gives them (kg.rdf.terms.load_store,
kg.pipeline.cache.CacheEntry.write_store). Printed per way: the median wall time, CPU time (all
threads) and how far the resident memory peaked above where it stood
with the lines read (Linux: the peak is reset first), and the median of the on-disk store's size.

- ``memory bulk_load strict``: what kg did before; ``memory load lenient``: what it does now.
- ``disk bulk_load strict`` (+ ``optimize``): the query cache's store before; ``disk bulk_load
  lenient``: one chunk at a time, as kg did until session 11; ``2 feeders``: two threads taking
  the chunks in turn, as kg does now (kg.pipeline.cache.STORE_FEEDERS); ``disk load lenient``:
  the transactional way, for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

WAYS = {  # where, how, lenient, threads feeding the chunks
    "memory bulk_load strict": ("memory", "bulk_load", False, 1),
    "memory load lenient": ("memory", "load", True, 1),
    "disk bulk_load strict + optimize": ("disk", "bulk_load", False, 1),
    "disk bulk_load lenient + optimize": ("disk", "bulk_load", True, 1),
    "disk bulk_load lenient, 2 feeders + optimize": ("disk", "bulk_load", True, 2),
    "disk load lenient + optimize": ("disk", "load", True, 1),
}

CHILD = r"""
import json, os, resource, shutil, sys, tempfile, threading, time
import pyoxigraph as ox
place, method, lenient, nt, feeders = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], int(sys.argv[5])
with open(nt, "rb") as handle:
    lines = handle.read().splitlines(keepends=True)
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
def status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field + ":"))
with open("/proc/self/clear_refs", "w") as handle:  # the peak so far (reading the file) is forgotten
    handle.write("5")
before = status("VmRSS")
folder = tempfile.mkdtemp(prefix="kg-store-load-") if place == "disk" else None
try:
    wall, used = time.perf_counter(), cpu()
    store = ox.Store(folder) if folder else ox.Store()
    put = getattr(store, method)
    starts, taking = iter(range(0, len(lines), 25_000)), threading.Lock()
    def feed():
        while True:
            with taking:
                start = next(starts, None)
            if start is None:
                return
            put(b"".join(lines[start:start + 25_000]), format=ox.RdfFormat.N_TRIPLES, lenient=lenient)
    others = [threading.Thread(target=feed) for _ in range(feeders - 1)]
    for other in others:
        other.start()
    feed()
    for other in others:
        other.join()
    if folder:
        store.optimize()
        store.flush()
    wall, used = time.perf_counter() - wall, cpu() - used
    size = sum(os.path.getsize(os.path.join(p, n)) for p, _, names in os.walk(folder) for n in names) if folder else 0
    peak = (status("VmHWM") - before) / 1024
    print(json.dumps({"wall": wall, "cpu": used, "peak": peak, "size": size / 1e6}))
finally:
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nt", required=True, help="an N-Triples file written by kg build")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {way: [] for way in WAYS}
    for run in range(args.runs):
        for way, (place, method, lenient, feeders) in WAYS.items():
            done = subprocess.run([sys.executable, "-c", CHILD, place, method, "1" if lenient else "0",
                                   os.path.abspath(args.nt), str(feeders)], capture_output=True, text=True,
                                  timeout=600)
            if done.returncode != 0:
                raise SystemExit(f"{way} failed: {done.stderr[-2000:]}")
            results[way].append(json.loads(done.stdout))
            print(f"run {run + 1}: {way}: {results[way][-1]}", file=sys.stderr, flush=True)
    print(f"{args.runs} runs of each, interleaved; {args.nt}; {os.cpu_count()} cores\n")
    print("| way | wall s | CPU s | peak MiB above the lines | store MB |\n|---|---:|---:|---:|---:|")
    for way, rows in results.items():
        median = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        size = f"{median['size']:.0f}" if median["size"] else "-"
        print(f"| {way} | {median['wall']:.2f} | {median['cpu']:.2f} | {median['peak']:.0f} | {size} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How busy the machine's cores are while one command runs: where a build leaves a core idle.

    .venv/bin/python benchmarks/core_use.py -- .venv/bin/kg build --data /work/gen-1m --out /tmp/dist --engine oxigraph

Runs the command (its output thrown away; KG_CACHE_DIR set to an emptied temporary folder, so
that a build fills the query cache as a first build does) and samples the whole machine's CPU
time (/proc/stat, Linux) every --every seconds: prints each sample's busy cores, the wall time,
and the core-seconds left idle. Run it on an otherwise quiet machine: it cannot tell the
command's work from anything else's.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def cpu_times() -> tuple[int, int]:
    """(all, idle) jiffies of the machine since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle and iowait


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.25, help="seconds between samples (default 0.25)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    cores = os.cpu_count() or 1
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="kg-core-use-") as cache:
        env["KG_CACHE_DIR"] = cache
        start = time.perf_counter()
        previous = cpu_times()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples: list[tuple[float, float, float]] = []  # (when, seconds covered, busy cores)
        last = start
        while process.poll() is None:
            time.sleep(args.every)
            now, current = time.perf_counter(), cpu_times()
            total, idle = current[0] - previous[0], current[1] - previous[1]
            samples.append((now - start, now - last, cores * (1 - idle / total) if total else 0.0))
            previous, last = current, now
        wall = time.perf_counter() - start
    print(" ".join(f"{when:.2f}:{busy:.1f}" for when, _, busy in samples))
    idle = sum((cores - busy) * covered for _, covered, busy in samples)
    print(f"exit {process.returncode}; {wall:.2f} s on {cores} cores; {idle:.2f} core-seconds idle")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How busy the machine's cores are while one command runs: where a build leaves a core idle.

    .venv/bin/python benchmarks/core_use.py -- .venv/bin/kg build --data /work/gen-1m --out /tmp/dist --engine oxigraph

Runs the command with its output thrown away (but for the end of its stderr when it fails),
KG_CACHE_DIR set to a fresh, empty temporary folder (so that a build fills the query cache as a
first build does) and PYTHONDONTWRITEBYTECODE dropped (so that kg runs from its bytecode cache
as it usually does). Samples the whole machine's CPU time (/proc/stat, Linux: all of its cores,
whatever this process's affinity) every --every seconds, and once more when the command exits;
prints when each sample ends and how many cores were busy over it, the wall time, and the
core-seconds left idle until the command exited. Run it on an otherwise quiet machine: it
cannot tell the command's work from anything else's. Exits as the command did: 128 + N for a
command killed by signal N, 127 for one not found, 126 for one that cannot be run.
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
        errors = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        except OSError as exc:
            errors.close()
            print(f"core_use.py: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
            return 127 if isinstance(exc, FileNotFoundError) else 126
        samples: list[tuple[float, float, float]] = []  # (when it ends, seconds covered, busy cores)
        last = start
        running = True
        while running:
            try:
                process.wait(timeout=args.every)
                running = False  # the last sample ends when the command did
            except subprocess.TimeoutExpired:
                pass
            now, current = time.perf_counter(), cpu_times()
            total, idle = current[0] - previous[0], current[1] - previous[1]
            samples.append((now - start, now - last, cores * (1 - idle / total) if total else 0.0))
            previous, last = current, now
        wall = last - start
    print(" ".join(f"{when:.2f}:{busy:.1f}" for when, _, busy in samples))
    idle = sum((cores - busy) * covered for _, covered, busy in samples)
    code = process.returncode
    print(f"exit {code}; {wall:.2f} s on {cores} cores; {idle:.2f} core-seconds idle")
    if code:
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace").splitlines()[-5:]
        if said:
            print("the command failed; the end of its stderr:", *said, sep="\n  ", file=sys.stderr)
    errors.close()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())

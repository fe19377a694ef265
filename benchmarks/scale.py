#!/usr/bin/env python3
"""What the catalog pipeline costs as the catalog grows, on the rdflib and the Oxigraph path.

    .venv/bin/python benchmarks/scale.py [--sizes 10000,100000,1000000] [--runs 3] [--budget 600]

For each size, a synthetic catalog from generate.py (seed 1); then every step runs as a user
runs it, in a fresh `kg` process, once per engine (--engine rdflib, the baseline, and
--engine oxigraph), measured with os.wait4: wall time and peak memory of that process (its
own peak RSS, or the sampled PSS of it and its children together when that is larger).
Medians of --runs (peak memory: the largest of the runs). A step still running after
--budget seconds is stopped and reported as such, and the larger sizes skip that step on that
engine. The table goes to --out (Markdown) and stdout; progress to stderr.

Steps: validate; build (validate + Turtle, N-Triples and JSON-LD exports, priming the query
cache, which is emptied before each build run); export of each format alone (no validation);
a cold query (reads the YAML); a warm query mix (5 saved queries, each its own process, on
the cached graph); push (Graph Store PUT + COUNT) to an `oxigraph serve` on 127.0.0.1. "end to end" is build followed by
the warm query mix: the sum of their medians.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KG = str(BIN / "kg")
ENGINES = ("rdflib", "oxigraph")
MIX = [
    ["query", "releases-per-year"],
    ["query", "organizations-by-model-count"],
    ["query", "model-ancestors", "-p", "model=model-{last_model}"],
    ["query", "models-using-technique", "-p", "technique=technique-00000"],
    ["query", "moe-models"],
]
STEPS = {
    "validate": [["validate"]],
    "build (validate + 3 exports)": [["build", "--out", "{tmp}/dist-{engine}"]],
    "export turtle": [["export", "--no-validate", "--output", "{tmp}/out-{engine}.ttl"]],
    "export n-triples": [["export", "--no-validate", "--output", "{tmp}/out-{engine}.nt"]],
    "export json-ld": [["export", "--no-validate", "--output", "{tmp}/out-{engine}.jsonld"]],
    "query, cold (reads the YAML)": [["query", "releases-per-year", "--no-cache"]],
    "query mix, warm (5 queries)": MIX,
    "push to Oxigraph (PUT + COUNT)": [["push", "--no-validate", "--endpoint", "{endpoint}"]],
}


def tree_pss_mib(pid: int) -> float:
    """The proportional set size of ``pid`` and all its descendants, in MiB (0 if unreadable).

    kg forks reading and writing processes on large catalogs; their pages are shared with the
    parent copy-on-write, so adding up RSS would count those twice, and PSS does not.
    """
    pids, total = [pid], 0
    for current in pids:
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pids.extend(int(child) for child in handle.read().split())
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):  # the process ended meanwhile
            continue
    return total / 1024


def measure(commands: list[list[str]], budget: float, env: dict, cwd: Path = ROOT) -> tuple[float, float] | None:
    """(seconds, peak MiB) of running ``commands`` one after the other (in ``cwd``), or None past the budget.

    Peak memory is the larger of the process's own peak RSS (os.wait4) and the largest sum of
    PSS over it and its child processes, sampled every 0.1 s. The time ends when the last
    command exits: a thread waits for each one (blocking in os.wait4), so a command is not
    timed to the next sample, and nothing polls meanwhile but the PSS sampling.
    """
    start = time.perf_counter()
    peak = 0.0
    ended = start
    for args in commands:
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        exit_status: dict = {}

        def reap(pid: int = process.pid, into: dict = exit_status) -> None:
            _, status, usage = os.wait4(pid, 0)
            into.update(at=time.perf_counter(), status=status, usage=usage)

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        while reaper.is_alive():
            if time.perf_counter() - start > budget:
                process.kill()
                reaper.join()
                return None
            reaper.join(0.1)
            if reaper.is_alive():
                peak = max(peak, tree_pss_mib(process.pid))
        process.returncode = os.waitstatus_to_exitcode(exit_status["status"])  # reaped by the thread
        if exit_status["status"] != 0:
            raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
        peak = max(peak, exit_status["usage"].ru_maxrss / 1024)
        ended = exit_status["at"]
    return ended - start, peak


class OxigraphServer:
    """`oxigraph serve` on a free port of 127.0.0.1 over a temporary store (the push target)."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(folder / "store"),
                                         "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("oxigraph serve did not start")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/store"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_size(size: int, args, over_budget: set) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
        data = Path(tmp) / "data"
        made = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples", str(size),
                               "--seed", "1", "--out", str(data)], check=True, capture_output=True, text=True)
        models = int(made.stderr.split(" models")[0].split()[-1])
        env = {**os.environ, "KG_CACHE_DIR": str(Path(tmp) / "cache")}
        server = OxigraphServer(Path(tmp))
        try:
            for name, commands in STEPS.items():
                row = {"size": size, "step": name}
                for engine in ENGINES:
                    if (name, engine) in over_budget:
                        row[engine] = "skipped"
                        continue
                    filled = [[KG, *[a.format(tmp=tmp, engine=engine, endpoint=server.endpoint,
                                                last_model=f"{models - 1:07d}") for a in c],
                               "--engine", engine, "--data", str(data)] for c in commands]
                    if commands is MIX:  # warm: the first query fills the cache, untimed
                        measure(filled[:1], args.budget, env)
                    if name.startswith("build") and ("validate", engine) in over_budget:
                        row[engine] = "skipped (validate over budget)"
                        continue
                    results = []
                    runs = args.baseline_runs if engine == "rdflib" and args.baseline_runs else args.runs
                    for _ in range(runs):
                        if name.startswith("build"):  # every build fills the query cache from scratch
                            shutil.rmtree(env["KG_CACHE_DIR"], ignore_errors=True)
                        result = measure(filled, args.budget, env)
                        if result is None:
                            over_budget.add((name, engine))
                            break
                        results.append(result)
                    if (name, engine) in over_budget:
                        row[engine] = f"> {args.budget:.0f} s"
                    else:
                        row[engine] = (statistics.median(r[0] for r in results), max(r[1] for r in results))
                    print(f"{size} {name} {engine}: {row[engine]}", file=sys.stderr, flush=True)
                rows.append(row)
        finally:
            server.stop()
        stats = subprocess.run([KG, "stats", "--data", str(data), "--format", "json", "--engine", "oxigraph"],
                               capture_output=True, text=True, env=env)
        triples = int(json.loads(stats.stdout)["triples"])
    for row in rows:
        row["triples"] = triples
    build = next(r for r in rows if r["step"].startswith("build"))
    mix = next(r for r in rows if r["step"].startswith("query mix"))
    end = {"size": size, "triples": triples, "step": "**end to end** (build, then the query mix)"}
    for engine in ENGINES:
        if isinstance(build[engine], tuple) and isinstance(mix[engine], tuple):
            end[engine] = (build[engine][0] + mix[engine][0], max(build[engine][1], mix[engine][1]))
        else:
            end[engine] = "n/a"
    rows.append(end)
    return rows


def cell(value) -> tuple[str, str]:
    if isinstance(value, tuple):
        return f"{value[0]:.2f}", f"{value[1]:.0f}"
    return value, ""


def table(rows: list[dict]) -> str:
    lines = ["| triples | step | rdflib s | rdflib MiB | oxigraph s | oxigraph MiB | oxigraph triples/s | speed-up |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        rdflib, oxigraph = row["rdflib"], row["oxigraph"]
        rate = f"{row['triples'] / oxigraph[0]:,.0f}" if isinstance(oxigraph, tuple) else ""
        ratio = f"{rdflib[0] / oxigraph[0]:.1f}x" if isinstance(rdflib, tuple) and isinstance(oxigraph, tuple) else ""
        lines.append(f"| {row['triples']:,} | {row['step']} | {' | '.join(cell(rdflib))} | "
                     f"{' | '.join(cell(oxigraph))} | {rate} | {ratio} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the Oxigraph server on the way out
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=600, help="seconds before a step is given up")
    parser.add_argument("--baseline-runs", type=int, help="runs of the rdflib path (default: --runs)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "scale.md"))
    args = parser.parse_args()
    rows: list[dict] = []
    over_budget: set = set()
    for size in [int(s) for s in args.sizes.split(",")]:
        rows.extend(run_size(size, args, over_budget))
        text = table(rows)
        Path(args.out).write_text(
            f"Measured with `benchmarks/scale.py --sizes {args.sizes} --runs {args.runs}"
            + (f" --baseline-runs {args.baseline_runs}" if args.baseline_runs else "")
            + f" --budget {args.budget:.0f}` ({os.cpu_count()} cores). Seconds are medians of {args.runs} runs"
            + (f" ({args.baseline_runs} on rdflib)" if args.baseline_runs else "") + "; MiB "
            "is the peak memory of the process (its own peak RSS, or the PSS of it and its children "
            "together when larger); speed-up is rdflib time / oxigraph time.\n\n"
            + text, encoding="utf-8")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

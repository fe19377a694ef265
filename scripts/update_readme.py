#!/usr/bin/env python3
"""Refresh the command transcripts in README.md and docs/*.md by running the commands.

A transcript is marked in the Markdown like this, and everything between the markers is
replaced by a fenced block holding ``$ COMMAND`` and what it printed (stdout and stderr):

    <!-- transcript: kg stats -->
    <!-- /transcript -->

Run it from the project root after `python3 tasks.py setup`: `.venv/bin/python scripts/update_readme.py`.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARKER = re.compile(r"(<!-- transcript: (.+?) -->\n)(.*?)(<!-- /transcript -->)", re.S)


def run(command: str) -> str:
    args = shlex.split(command)
    if args[0] == "kg":
        args[0] = str(BIN / "kg")
    env = {**os.environ, "COLUMNS": "100", "KG_CACHE_DIR": str(ROOT / ".kg-cache")}
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    output = done.stdout + done.stderr
    if done.returncode:
        output += f"(exit {done.returncode})\n"
    return output


def refresh(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        command = match.group(2).strip()
        output = run(command)
        print(f"{path.name}: $ {command}", file=sys.stderr)
        return f"{match.group(1)}```console\n$ {command}\n{output}```\n{match.group(4)}"

    new = MARKER.sub(replace, text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main() -> int:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for path in files:
        if path.is_file():
            refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

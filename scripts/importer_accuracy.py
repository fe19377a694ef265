#!/usr/bin/env python3
"""Precision and recall of the markdown importer's model drafts on the labelled upstream page.

    python3 scripts/importer_accuracy.py [--empty | --data DIR] [--mistakes] [--page FILE] [--labels TSV]

Runs `kg import markdown` (in-process) on the page and compares, per labelled line, its decision
(model = drafted or matched as a model; organization; paper; technique; not an entry = skipped;
unsure, which is never a model) with the gold label of tests/fixtures/importer/upstream-labels.tsv.
--empty imports against an empty catalog, so that matching hides no mistake; the default is data/.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.catalog.diagnostics import Report  # noqa: E402
from kg.catalog.loader import load_catalog  # noqa: E402
from kg.catalog.schema import KINDS  # noqa: E402
from kg.importer.accuracy import measure_page, render_accuracy  # noqa: E402

PAGE = ROOT.parent / "shared" / "upstream" / "awesome-azure-openai-llm-models_research.md"
LABELS = ROOT / "tests" / "fixtures" / "importer" / "upstream-labels.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", type=Path, default=ROOT / "data", help="catalog folder (default: data/)")
    where.add_argument("--empty", action="store_true", help="import against an empty catalog")
    parser.add_argument("--page", type=Path, default=PAGE, help="the labelled markdown page")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the gold labels (TSV)")
    parser.add_argument("--mistakes", action="store_true", help="list every line where model is wrong")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as empty:
        data = Path(empty) if args.empty else args.data
        for kind in KINDS if args.empty else ():
            (data / kind.folder).mkdir()
        accuracy = measure_page(args.page, args.labels, load_catalog(data, Report()))
    print(f"{args.page.name} against {'an empty catalog' if args.empty else data}")
    print(render_accuracy(accuracy, mistakes=args.mistakes), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

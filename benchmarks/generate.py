#!/usr/bin/env python3
"""Write a synthetic catalog with the shape of the real one, deterministically.

    python benchmarks/generate.py --triples 100000 --seed 1 --out /tmp/cat100k

Organizations with countries, models with developers, lineage chains with typed
derivations, MoE sizes, papers with arXiv ids, techniques in a broader hierarchy, dates
of every precision. The same arguments give byte-identical files. Every kg command runs
on the result with --data DIR; it validates clean. The triple count is approximate
(about 11 triples per entry); `kg stats --data DIR` gives the exact figure.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.catalog.schema import ARCHITECTURES, DERIVATIONS  # noqa: E402

COUNTRIES = ("US", "FR", "CN", "GB", "DE", "CA", "KR", "JP", "AE", "IL")
LICENSES = ("Apache-2.0", "MIT", "llama-2-community", "CC-BY-NC-4.0", "proprietary", "gemma-terms")
TRIPLES_PER = {"models": 16.0, "papers": 9.0, "organizations": 8.0, "techniques": 9.0}
SHARE = {"models": 0.70, "papers": 0.22, "organizations": 0.02, "techniques": 0.06}


def sources_block(url: str, text: str) -> str:
    """One source stating every key written so far (the catalog format names the facts of each source)."""
    keys = [line.split(":", 1)[0] for line in text.splitlines() if line and not line[0].isspace() and ":" in line]
    return f"sources:\n- source: {url}\n  for: [{', '.join(keys)}]\n"


def date(rng: random.Random, lo: int = 2017, hi: int = 2025) -> str:
    year = rng.randint(lo, hi)
    precision = rng.random()
    if precision < 0.2:
        return str(year)
    month = rng.randint(1, 12)
    if precision < 0.5:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def counts(triples: int) -> dict[str, int]:
    return {k: max(3, round(triples * SHARE[k] / TRIPLES_PER[k])) for k in SHARE}


def yaml_list(key: str, values: list[str]) -> str:
    return f"{key}:\n" + "".join(f"  - {v}\n" for v in values)


def generate(triples: int, seed: int, out: Path) -> dict[str, int]:
    rng = random.Random(seed)
    n = counts(triples)
    orgs = [f"org-{i:05d}" for i in range(n["organizations"])]
    techniques = [f"technique-{i:05d}" for i in range(n["techniques"])]
    papers = [f"paper-{i:06d}" for i in range(n["papers"])]
    models = [f"model-{i:07d}" for i in range(n["models"])]
    files: dict[Path, str] = {}
    for i, org in enumerate(orgs):
        text = f"name: Organization {i}\ncountry: {rng.choice(COUNTRIES)}\nfounded: {date(rng, 1950, 2023)}\n"
        if i and rng.random() < 0.1:
            text += f"parent: {orgs[rng.randrange(i)]}\n"
        text += f"url: https://example.org/{org}\n"
        text += sources_block(f"https://example.org/{org}", text)
        files[out / "organizations" / f"{org}.yaml"] = text
    for i, paper in enumerate(papers):
        year = rng.randint(17, 25)
        # 7919 is prime to 90000: the numbers are distinct up to 90,000 papers (about 3.7M triples)
        number = 10000 + (i * 7919) % 90000
        text = (f"name: 'Paper {i}: a study'\narxiv: '{year:02d}{rng.randint(1, 12):02d}.{number}'\n")
        arxiv_month = text.split("'")[3][:4]
        text += f"published: 20{arxiv_month[:2]}-{arxiv_month[2:]}\n"
        text += yaml_list("organizations", [rng.choice(orgs)])
        text += sources_block(f"https://example.org/{paper}", text)
        files[out / "papers" / f"{paper}.yaml"] = text
    for i, technique in enumerate(techniques):
        text = f"name: Technique {i}\n"
        if i >= 8:
            text += f"broader: {techniques[rng.randrange(min(i, 8 + i // 4))]}\n"
        text += f"introduced_in: {rng.choice(papers)}\n"
        text += sources_block(f"https://example.org/{technique}", text)
        files[out / "techniques" / f"{technique}.yaml"] = text
    relations = list(DERIVATIONS)
    years = [2018 + (i * 8) // len(models) for i in range(len(models))]  # newer models later
    first_of_year = {}
    for i, year in enumerate(years):
        first_of_year.setdefault(year, i)
    for i, model in enumerate(models):
        released = date(rng, years[i], years[i])
        text = f"name: Model {i}\ndeveloper: {rng.choice(orgs)}\nreleased: {released}\n"
        earlier = first_of_year[years[i]]  # a parent comes from an earlier year: no KG306 warning
        if earlier and rng.random() < 0.6:  # lineage chains: derive from an earlier model
            parent = models[rng.randrange(max(0, earlier - 50), earlier)]
            text += f"based_on:\n  - model: {parent}\n    relation: {rng.choice(relations)}\n"
        sizes = sorted(rng.sample([1, 3, 7, 8, 13, 34, 70, 405], rng.randint(1, 3)))
        text += yaml_list("parameters", [f"{s}B" for s in sizes])
        if rng.random() < 0.1:
            text += f"active_parameters: {max(1, sizes[0] // 4)}B\n"
        text += f"context_length: {rng.choice([2048, 4096, 8192, 32768, 131072])}\n"
        text += f"license: {rng.choice(LICENSES)}\nopen_weights: {str(rng.random() < 0.6).lower()}\n"
        text += f"architecture: {rng.choice(ARCHITECTURES[:3])}\n"
        text += yaml_list("techniques", sorted(set(rng.sample(techniques, min(3, len(techniques))))))
        text += yaml_list("papers", [rng.choice(papers)])
        text += sources_block(f"https://example.org/{model}", text)
        files[out / "models" / f"{model}.yaml"] = text
    for folder in {path.parent for path in files}:
        folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():  # a fresh folder of scratch data: no need for atomic writes
        path.write_bytes(text.encode("utf-8"))
    return {k: len(v) for k, v in (("models", models), ("papers", papers), ("organizations", orgs),
                                    ("techniques", techniques))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="approximate size, e.g. 10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    made = generate(args.triples, args.seed, args.out)
    print(", ".join(f"{v} {k}" for k, v in made.items()) + f" written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

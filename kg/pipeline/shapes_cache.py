"""The project's SHACL shapes compiled to SPARQL, kept in the cache beside the built graphs.

Parsing the shapes takes rdflib (about 0.1 s to import and parse) on every ``kg validate``;
compiled once, they are kept as JSON under ``$KG_CACHE_DIR/shapes/<key>.json``, keyed by the
bytes of every ``*.ttl`` file of the shapes folder, the compiler's own source and kg's
version: any change to either compiles them again. A cache that cannot be read or written
only costs that time.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg import __version__
from kg.errors import ProjectError
from kg.pipeline.cache import cache_root
from kg.util.fsutil import write_atomic

SHAPES_FOLDER = "shapes"


def compiled_shapes(shapes_dir: Path) -> list[dict]:
    """The shapes of ``shapes_dir`` compiled for kg.validation.shacl_sparql.run_compiled.

    Raises ProjectError when they cannot be read, declare no shape, or use a SHACL feature the
    compiler does not translate (each said as kg validate always said it).
    """
    files = sorted(shapes_dir.glob("*.ttl"))
    key = _key(files)
    kept = cache_root() / SHAPES_FOLDER / f"{key}.json"
    try:
        compiled = json.loads(kept.read_bytes())
        if isinstance(compiled, list) and compiled and all(isinstance(item, dict) for item in compiled):
            return compiled
    except (OSError, ValueError):
        pass
    compiled = _compile(shapes_dir)
    try:
        write_atomic(kept, json.dumps(compiled, sort_keys=True).encode("utf-8"))
    except OSError:  # a read-only cache: compiled again next time
        pass
    return compiled


def _key(files: list[Path]) -> str:
    digest = hashlib.sha256(f"kg {__version__}\n".encode())
    compiler = Path(__file__).resolve().parent.parent / "validation" / "shacl_compile.py"
    for path in [compiler, *files]:
        data = path.read_bytes()
        digest.update(f"{path.name}\n{len(data)}\n".encode() + data)
    return digest.hexdigest()[:32]


def shapes_graph(shapes_dir: Path):
    """The shapes of ``shapes_dir`` as an rdflib graph; ProjectError when a file cannot be read or
    none declares a shape."""
    from kg.validation.shacl import has_shapes, load_turtle_dir

    try:
        graph = load_turtle_dir(shapes_dir)
    except Exception as exc:  # a broken shapes file is the maintainer's to fix
        raise ProjectError(f"cannot read the shapes in {shapes_dir}: {exc}") from None
    if not has_shapes(graph):
        raise ProjectError(f"no SHACL shapes in {shapes_dir} (no *.ttl file declares a sh:NodeShape): "
                           "pass --shapes with the project's shapes folder")
    return graph


def _compile(shapes_dir: Path) -> list[dict]:
    from kg.validation.shacl_sparql import UnsupportedShape, compile_shapes

    graph = shapes_graph(shapes_dir)
    try:
        return compile_shapes(graph)
    except UnsupportedShape as exc:
        raise ProjectError(f"the shapes cannot run on oxigraph: {exc}; use --engine rdflib") from None

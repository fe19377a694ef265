"""Where a project's folders are: the catalog, ontology, shapes and saved queries, and the IRI base.

Kept apart from kg.pipeline.project (which compiles the catalog) so that finding a project
imports nothing heavy: a warm query needs only this.
"""
from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from kg.errors import ProjectError
from kg.namespaces import DEFAULT_BASE, normalized_base


class Project(namedtuple("Project", "data ontology shapes queries base shared root",
                         defaults=(DEFAULT_BASE, None, None))):
    """Where the catalog, ontology, shapes and saved queries live (Paths), and the IRI base.

    ``shared``: the source documents (seeds/, upstream/) that seed: and upstream sources cite.
    ``root``: the project root, where relative outputs (dist/) go, wherever kg is run from inside it.
    A named tuple rather than a dataclass: dataclasses is kept off a warm query's path (kg.cli.short_path).
    """

    __slots__ = ()

    @classmethod
    def locate(cls, data=None, ontology=None, shapes=None, queries=None, base=None, shared=None,
               start: Path | None = None) -> "Project":
        """Folders given explicitly win; the others come from the project root.

        The root is the nearest folder, from ``start`` (the working directory) upwards,
        that holds ``data/`` and ``shapes/``; failing that, ``start`` itself. The source
        documents are in ``shared/`` beside the root, unless ``shared`` names another folder.
        """
        start = Path(start or Path.cwd()).resolve()
        root = next((p for p in (start, *start.parents)
                     if (p / "data").is_dir() and (p / "shapes").is_dir()), start)
        return cls(
            data=Path(data) if data else root / "data",
            ontology=Path(ontology) if ontology else root / "ontology",
            shapes=Path(shapes) if shapes else root / "shapes",
            queries=Path(queries) if queries else root / "queries",
            base=normalized_base(base or DEFAULT_BASE),
            shared=Path(shared) if shared else root.parent / "shared",
            root=root,
        )

    def source_text(self):
        """The reader of seed and upstream lines, or None when the source documents are not here."""
        from kg.catalog.evidence import SourceText

        return SourceText(self.shared) if self.shared is not None and self.shared.is_dir() else None

    def require(self, *names: str) -> None:
        for name in names:
            folder = getattr(self, name)
            if not folder.is_dir():
                raise ProjectError(f"{name} folder '{folder}' does not exist: run kg from the project "
                                   f"root or pass --{name} DIR")

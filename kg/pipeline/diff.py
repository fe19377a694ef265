"""The two sides of a diff, wherever they come from, and the IRIs that must not vanish.

A side is one of, tried in this order:

- an export file: ``.nt``, ``.ttl``, ``.jsonld``/``.json`` (a graph) or ``.nq``/``.trig`` (a dataset);
- a release folder (``dist/0.2.0``, holding ``catalog.nt`` and ``provenance.nq``);
- a project folder (holding ``data/``): its catalog as it is now;
- a git revision of the project's repository (``HEAD~3``, ``v0.1.0``, a commit): its ``data/``
  is taken with ``git archive`` into a temporary folder and compiled by this version of kg;
- a version released under ``dist/`` (``0.1.0`` for ``dist/0.1.0``).

Each becomes sorted canonical lines: the asserted export (catalog and dataset description),
or, for a dataset diff, the provenance dataset.
"""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg import namespaces as ns
from kg.catalog.diagnostics import Report
from kg.catalog.schema import KINDS
from kg.errors import KgError, KgUsageError
from kg.pipeline.project import Compiled, Project, compile_catalog, export_lines, provenance_dataset_lines
from kg.rdf.diff import Diff, DiffError, Statement, canonical_line, compare, lexical
from kg.util.progress import Progress, quiet

GRAPH_SUFFIXES = {".nt": "N_TRIPLES", ".ttl": "TURTLE", ".jsonld": "JSON_LD", ".json": "JSON_LD"}
DATASET_SUFFIXES = {".nq": "N_QUADS", ".trig": "TRIG"}


class StateError(KgError):
    """A side of a diff that cannot be read: no such file, folder, revision or release."""


@dataclass
class State:
    """One state of the graph: its name as given, its lines, and what it came from."""

    name: str
    lines: list[str]
    quads: bool = False
    origin: str = ""  # file, release, project, git
    #: The release's IRI (``{base}/release/<version>``) when the state is a release folder.
    release_iri: str | None = None
    #: Problems of a compiled catalog (a git revision with errors is still compared).
    report: Report = field(default_factory=Report)


def load_state(spec: str, project: Project, *, dataset: bool = False, progress: Progress = quiet,
               releases: Path | None = None) -> State:
    """The state ``spec`` names (see the module's docstring); ``dataset`` for the provenance dataset."""
    path = Path(spec)
    if path.is_file():
        return _file_state(spec, path, dataset)
    if path.is_dir():
        if (path / "catalog.nt").is_file():
            return _release_state(spec, path, project.base, dataset)
        if (path / "data").is_dir():
            folder = Project.locate(data=path / "data", base=project.base, shared=path.parent / "shared")
            return _compiled_state(spec, folder, "project", dataset, progress)
        raise StateError(f"'{spec}' is a folder, but neither a release (no catalog.nt) nor a project (no data/)")
    root = git_root(project.data)
    if root is not None and is_revision(root, spec):
        return git_state(spec, project, root, dataset=dataset, progress=progress)
    released = (releases or Path("dist")) / spec
    if (released / "catalog.nt").is_file():
        return _release_state(spec, released, project.base, dataset)
    where = f"a git revision of {root}" if root is not None else "a git revision (no repository here)"
    raise StateError(f"'{spec}' is not an export file, a release folder, a project folder, {where}, "
                     f"or a release in {releases or 'dist'}/")


def _file_state(spec: str, path: Path, dataset: bool) -> State:
    import pyoxigraph as ox

    suffix = path.suffix.lower()
    quads = suffix in DATASET_SUFFIXES
    syntax = DATASET_SUFFIXES.get(suffix) or GRAPH_SUFFIXES.get(suffix)
    if syntax is None:
        known = ", ".join([*GRAPH_SUFFIXES, *DATASET_SUFFIXES])
        raise KgUsageError(f"cannot tell the format of '{spec}' from its extension: use one of {known}")
    if dataset and not quads:
        raise KgUsageError(f"'{spec}' is a graph, not a dataset (.nq, .trig)")
    try:
        with path.open("rb") as handle:
            parsed = ox.parse(handle, format=getattr(ox.RdfFormat, syntax))
            lines = sorted({canonical_line(q, quads) for q in parsed})
    except SyntaxError as exc:
        raise StateError(f"{spec}: not valid {syntax.replace('_', '-')}: {exc}") from None
    return State(spec, lines, quads, "file")


def _release_state(spec: str, folder: Path, base: str, dataset: bool) -> State:
    name = "provenance.nq" if dataset else "catalog.nt"
    path = folder / name
    if not path.is_file():
        raise StateError(f"release {spec} has no {name}")
    text = path.read_text(encoding="utf-8")
    lines = sorted(set(text.splitlines()) - {""})
    return State(spec, lines, dataset, "release", release_iri=release_iri(base, folder.name))


def release_iri(base: str, version: str) -> str:
    """The IRI of a release: ``{base}/release/<version>``."""
    return f"{ns.normalized_base(base)}/release/{version}"


def _compiled_state(spec: str, project: Project, origin: str, dataset: bool, progress: Progress) -> State:
    compiled = compile_catalog(project, shapes=False, progress=progress)
    lines = state_lines(compiled, project.base, dataset)
    return State(spec, lines, dataset, origin, report=compiled.report)


def state_lines(compiled: Compiled, base: str, dataset: bool = False) -> list[str]:
    """What a compiled catalog publishes: the asserted export, or the provenance dataset."""
    exported = export_lines(compiled, base)
    return provenance_dataset_lines(compiled, base, exported) if dataset else exported


# --- git --------------------------------------------------------------------------------------

def git_root(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, or None (no git, or not a repository)."""
    try:
        done = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def is_revision(root: Path, spec: str) -> bool:
    if spec.startswith("-"):
        return False
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0


def git_state(spec: str, project: Project, root: Path, *, dataset: bool = False,
              progress: Progress = quiet) -> State:
    """The catalog of revision ``spec``: its ``data/`` from ``git archive``, compiled by this kg."""
    data = project.data.resolve()
    try:
        relative = data.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise StateError(f"the catalog {data} is not inside the git repository {root}") from None
    progress(f"reading {relative}/ at {spec}", 0, 0)
    done = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", f"{spec}^{{commit}}", "--",
                           relative], capture_output=True, timeout=300)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StateError(f"git archive {spec} {relative}: {message[-1] if message else 'failed'}")
    with tempfile.TemporaryDirectory(prefix="kg-rev-") as folder:
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            _extract(archive, Path(folder))
        old_data = Path(folder) / relative
        old_data.mkdir(parents=True, exist_ok=True)  # a revision before the catalog existed: empty
        old = Project(data=old_data, ontology=project.ontology, shapes=project.shapes, queries=project.queries,
                      base=project.base, shared=Path(folder) / "no-shared")  # the evidence is not re-read
        return _compiled_state(spec, old, "git", dataset, progress)


def _extract(archive: tarfile.TarFile, target: Path) -> None:
    """Regular files and folders only, never outside ``target`` (git archive makes no others here)."""
    for member in archive.getmembers():
        destination = (target / member.name).resolve()
        if not str(destination).startswith(str(target.resolve()) + os.sep):
            raise StateError(f"git archive holds a path outside its folder: {member.name}")
        if member.isdir():
            destination.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source:
                destination.write_bytes(source.read())


# --- comparing ----------------------------------------------------------------------------------

def diff_states(old: State, new: State, base: str) -> Diff:
    if old.quads != new.quads:
        raise KgUsageError("a graph cannot be compared with a dataset: give two graphs (.nt, .ttl, .jsonld, "
                           "releases, revisions) or two datasets (--dataset, .nq, .trig)")
    try:
        return compare(old.lines, new.lines, base=base, old=old.name, new=new.name, quads=old.quads,
                       old_id=old.release_iri, new_id=new.release_iri)
    except DiffError:
        raise
    except ValueError as exc:  # pragma: no cover - a line the splitter cannot read
        raise DiffError(str(exc)) from None


# --- stable IRIs ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Vanished:
    """An entity IRI of an earlier state that the catalog no longer holds."""

    iri: str
    kind: object
    id: str
    label: str | None


def entity_iris(lines: list[str], base: str) -> dict[str, tuple[object, str | None]]:
    """The entities of a state: IRI -> (kind, label), from its rdf:type and rdfs:label lines."""
    classes = {f"<{kind.cls}>": kind for kind in KINDS}
    type_predicate, label_predicate = f"<{ns.RDF}type>", f"<{ns.RDFS}label>"
    kinds: dict[str, object] = {}
    labels: dict[str, str] = {}
    for text in lines:
        predicate = text.split(" ", 2)[1]
        if predicate != type_predicate and predicate != label_predicate:
            continue
        statement = Statement.parse(text, quads=True)
        subject = statement.subject[1:-1]
        if predicate == type_predicate and statement.object in classes:
            kinds.setdefault(subject, classes[statement.object])
        elif predicate == label_predicate and statement.object.startswith('"'):
            labels.setdefault(subject, lexical(statement.object))
    return {iri: (kind, labels.get(iri)) for iri, kind in kinds.items()}


def vanished(earlier: State, compiled: Compiled, base: str) -> list[Vanished]:
    """The entity IRIs of ``earlier`` that no entry of ``compiled`` has, and whose file is gone too
    (a file that fails to load is the loader's to report, not a vanished IRI)."""
    current = {ns.entity_iri(base, e.kind.segment, e.id) for e in compiled.catalog.entries}
    data = compiled.catalog.root
    gone = []
    for iri, (kind, label) in sorted(entity_iris(earlier.lines, base).items()):
        if iri in current:
            continue
        entity_id = iri.rsplit("/", 1)[-1]
        if (data / kind.folder / f"{entity_id}.yaml").exists():
            continue
        gone.append(Vanished(iri, kind, entity_id, label))
    return gone


def report_vanished(report: Report, gone: list[Vanished], since: str, data: Path) -> None:
    """KG130 for each vanished IRI, at the path its file had."""
    from kg.catalog.loader import display_path

    for item in gone:
        file = os.path.join(display_path(data), item.kind.folder, f"{item.id}.yaml")
        named = f" ('{item.label}')" if item.label else ""
        report.add(file, 1, 1, "KG130", f"the {item.kind.label} {item.id}{named} was published in {since} as "
                   f"<{item.iri}> and is gone: restore {item.kind.folder}/{item.id}.yaml as a stub with its "
                   "name, its sources and 'replaced_by: <id of the entry that replaces it>'")


def check_since(since: str, project: Project, compiled: Compiled, *, progress: Progress = quiet,
                releases: Path | None = None) -> list[Vanished]:
    """Add KG130 to ``compiled.report`` for each entity IRI of ``since`` that vanished."""
    earlier = load_state(since, project, progress=progress, releases=releases)
    gone = vanished(earlier, compiled, project.base)
    report_vanished(compiled.report, gone, since, project.data)
    return gone

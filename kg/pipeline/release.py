"""Releases other graphs can depend on: a versioned folder of exports, checksums, a VoID/DCAT
description and the changes since the previous release.

``release(project, "0.2.0")`` builds and validates the catalog into a temporary folder beside
``dist/0.2.0`` and renames it into place in one step, so that a release is there whole or not
at all. It holds:

- the exports of ``kg build`` (catalog.ttl/.jsonld/.nt, provenance.nq/.trig, ontology.ttl);
- the changes since the previous release: CHANGELOG.md (for people), changes.json and
  changes.rdfpatch (RDF Patch that turns the previous catalog.nt into this one);
- void.ttl: the release as a ``dcat:Dataset`` (version, date, the release it revises) with one
  ``dcat:Distribution`` per file (media type, byte size, SHA-256 checksum);
- SHA256SUMS, in the format of ``sha256sum`` (``sha256sum -c SHA256SUMS`` checks a download).

A release refuses to overwrite another, and refuses to publish a catalog that dropped an
entity IRI of the previous release without a ``replaced_by`` stub (KG130).
"""
from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg import namespaces as ns
from kg.catalog.diagnostics import Report
from kg.errors import KgError, KgUsageError, OutputExistsError
from kg.pipeline.build import InvalidCatalog, build
from kg.pipeline.diff import State, load_state, release_iri, report_vanished, vanished
from kg.pipeline.project import Project
from kg.rdf.diff import Diff, compare, to_json, to_markdown, to_rdf_patch
from kg.rdf.formats import FORMATS
from kg.rdf.ntriples import XSD_INTEGER, Iri, Lit, LinesReader, line
from kg.util.fsutil import write_atomic
from kg.util.progress import Progress, quiet

VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$")

SPDX = "http://spdx.org/rdf/terms#"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
#: Media types of the files a release holds that are not RDF exports.
OTHER_MEDIA_TYPES = {".md": "text/markdown", ".json": "application/json", ".rdfpatch": "application/rdf-patch",
                     ".tsv": "text/tab-separated-values"}
CHECKSUMS = "SHA256SUMS"
DESCRIPTION = "void.ttl"


class ReleaseError(KgError):
    """A release that cannot be made: the version is not after the last one, the previous one is unreadable."""


@dataclass
class ReleaseResult:
    """A finished release: its folder, the files in it and the changes since ``previous``."""

    version: str
    folder: Path
    files: list[Path]
    previous: str | None
    diff: Diff
    changelog: Path | None
    report: Report = field(default_factory=Report)


def version_key(version: str) -> tuple:
    """Semantic-version order: 0.10.0 after 0.9.0, 1.0.0-rc.1 before 1.0.0."""
    match = VERSION.match(version)
    if match is None:
        return (-1,)
    major, minor, patch, pre = match.groups()
    if pre is None:
        tail: tuple = (1,)
    else:
        tail = (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return (int(major), int(minor), int(patch), tail)


def existing_releases(out: Path) -> list[str]:
    """The versions released in ``out`` (folders named as versions, holding catalog.nt), oldest first."""
    if not out.is_dir():
        return []
    found = [p.name for p in out.iterdir() if VERSION.match(p.name) and (p / "catalog.nt").is_file()]
    return sorted(found, key=version_key)


def release(project: Project, version: str, *, out: Path = Path("dist"), date: datetime.date | None = None,
            previous: str | None = None, changelog: Path | None = None, engine: str = "rdflib",
            extra_files=None, progress: Progress = quiet) -> ReleaseResult:
    """Make release ``version`` in ``out/version`` (see the module docstring).

    ``previous`` is a release folder or a version in ``out`` (default: the latest there);
    ``changelog`` the project changelog to prepend the changes to (None: none); ``date`` the
    release date (default: today). ``extra_files(folder)`` may write more files into the
    release before it is described and checksummed.
    """
    if not VERSION.match(version):
        raise KgUsageError(f"'{version}' is not a version: use MAJOR.MINOR.PATCH, e.g. 0.2.0 (or 1.0.0-rc.1)")
    out = Path(out)
    target = out / version
    if target.exists():
        raise OutputExistsError(f"{target} exists: release {version} was made already; a release is never "
                                "overwritten (choose the next version)")
    date = date or datetime.date.today()
    earlier = _previous_state(project, out, version, previous)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", suffix=".tmp", dir=out))
    try:
        built = build(project, staging, engine=engine, cache=False, progress=progress)
        report = built.report
        if earlier is not None:
            gone = vanished(earlier, built.compiled, project.base)
            if gone:
                report_vanished(report, gone, f"release {earlier.name}", project.data)
                raise InvalidCatalog(f"{len(gone)} entity IRI(s) of release {earlier.name} vanished without a "
                                     "replacement: nothing released. Restore each as a stub with replaced_by "
                                     "(docs/catalog-format.md, Stable IRIs)", report)
        progress("comparing with the previous release", 0, 0)
        new_lines = _read_lines(staging / "catalog.nt")
        diff = compare(earlier.lines if earlier else [], new_lines, base=project.base,
                       old=earlier.name if earlier else "nothing", new=version,
                       old_id=earlier.release_iri if earlier else None,
                       new_id=release_iri(project.base, version))
        title = f"{version} ({date.isoformat()})"
        notes = to_markdown(diff, title=title + (f": changes since {earlier.name}" if earlier else
                                                 ": the first release"))
        write_atomic(staging / "CHANGELOG.md", notes.encode("utf-8"))
        write_atomic(staging / "changes.json", to_json(diff).encode("utf-8"))
        write_atomic(staging / "changes.rdfpatch", to_rdf_patch(diff).encode("utf-8"))
        if extra_files is not None:
            extra_files(staging)
        _describe(staging, project.base, version, date, earlier, built.triples, _entity_count(built))
        _write_checksums(staging)
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it 0700; a release is for everyone
        if changelog is not None:
            prepend_changelog(changelog, version, notes)
        os.rename(staging, target)  # one step: the release is there whole, or not at all
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = sorted(target.iterdir())
    return ReleaseResult(version, target, files, earlier.name if earlier else None, diff, changelog, report)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _previous_state(project: Project, out: Path, version: str, previous: str | None) -> State | None:
    if previous is not None:
        folder = Path(previous)
        if not (folder / "catalog.nt").is_file():
            folder = out / previous
        if not (folder / "catalog.nt").is_file():
            raise ReleaseError(f"--previous {previous}: no release there (neither {previous}/catalog.nt nor "
                               f"{out / previous}/catalog.nt)")
        state = load_state(str(folder), project)
        state.name = folder.name
        return state
    released = [v for v in existing_releases(out) if v != version]
    if not released:
        return None
    latest = released[-1]
    if version_key(latest) > version_key(version):
        raise ReleaseError(f"release {version} would come before {latest}, the latest in {out}: choose a later "
                           "version, or name the release it follows with --previous")
    state = load_state(str(out / latest), project)
    state.name = latest
    return state


def _read_lines(path: Path) -> list[str]:
    return sorted(set(path.read_text(encoding="utf-8").splitlines()) - {""})


def _entity_count(built) -> int:
    return len(built.compiled.catalog.entries)


def media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in OTHER_MEDIA_TYPES:
        return OTHER_MEDIA_TYPES[suffix]
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt.media_type
    return "application/octet-stream"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def description_lines(files: list[Path], base: str, version: str, date: datetime.date,
                      previous: State | None, triples: int, entities: int) -> list[str]:
    """The VoID/DCAT description of a release and its files, as sorted N-Triples lines."""
    release = release_iri(base, version)
    dataset = f"{ns.normalized_base(base)}/dataset"
    xsd = ns.XSD
    rows = [
        (release, ns.RDF + "type", Iri(ns.DCAT + "Dataset")),
        (release, ns.RDF + "type", Iri(ns.VOID + "Dataset")),
        (release, ns.DCTERMS + "title", Lit(f"kg {version}: the large-language-model landscape", language="en")),
        (release, ns.DCTERMS + "description", Lit(
            "A release of the kg catalog: its exports, the changes since the previous release, and "
            "checksums. Entity IRIs published in a release never disappear.", language="en")),
        (release, ns.DCAT + "version", Lit(version)),
        (release, ns.OWL + "versionInfo", Lit(version)),
        (release, ns.DCTERMS + "issued", Lit(date.isoformat(), xsd + "date")),
        (release, ns.DCTERMS + "isVersionOf", Iri(dataset)),
        (release, ns.DCTERMS + "license", Iri(ns.CC_BY_4)),
        (release, ns.DCTERMS + "conformsTo", Iri(ns.ONTOLOGY_IRI)),
        (release, ns.VOID + "uriSpace", Lit(ns.normalized_base(base) + "/")),
        (release, ns.VOID + "triples", Lit(str(triples), XSD_INTEGER)),
        (release, ns.VOID + "entities", Lit(str(entities), XSD_INTEGER)),
    ]
    if previous is not None and previous.release_iri:
        rows.append((release, ns.PROV + "wasRevisionOf", Iri(previous.release_iri)))
        rows.append((release, ns.DCAT + "previousVersion", Iri(previous.release_iri)))
    for path in files:
        name = path.name
        distribution = f"{release}/{name}"
        checksum = f"{distribution}#sha256"
        rows += [
            (release, ns.DCAT + "distribution", Iri(distribution)),
            (distribution, ns.RDF + "type", Iri(ns.DCAT + "Distribution")),
            (distribution, ns.DCTERMS + "title", Lit(name)),
            (distribution, ns.DCAT + "mediaType", Iri(IANA_MEDIA_TYPES + media_type(name))),
            (distribution, ns.DCAT + "byteSize", Lit(str(path.stat().st_size), xsd + "nonNegativeInteger")),
            (distribution, SPDX + "checksum", Iri(checksum)),
            (checksum, ns.RDF + "type", Iri(SPDX + "Checksum")),
            (checksum, SPDX + "algorithm", Iri(SPDX + "checksumAlgorithm_sha256")),
            (checksum, SPDX + "checksumValue", Lit(sha256_of(path), xsd + "hexBinary")),
        ]
        if name == "catalog.nt":
            rows.append((release, ns.VOID + "dataDump", Iri(distribution)))
    return sorted({line(s, p, o) for s, p, o in rows})


def _describe(folder: Path, base: str, version: str, date: datetime.date, previous: State | None,
              triples: int, entities: int) -> None:
    import pyoxigraph as ox

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name not in (DESCRIPTION, CHECKSUMS))
    lines = description_lines(files, base, version, date, previous, triples, entities)
    prefixes = {name: ns.PREFIXES[name] for name in ("rdf", "xsd", "owl", "dcterms", "dcat", "prov", "void")}
    prefixes["spdx"] = SPDX
    with (folder / DESCRIPTION).open("wb") as handle:
        ox.serialize(ox.parse(LinesReader(lines), format=ox.RdfFormat.N_TRIPLES), handle, ox.RdfFormat.TURTLE,
                     prefixes=prefixes)


def _write_checksums(folder: Path) -> None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS)
    text = "".join(f"{sha256_of(p)}  {p.name}\n" for p in files)
    write_atomic(folder / CHECKSUMS, text.encode("utf-8"))


# --- the project's changelog --------------------------------------------------------------------

CHANGELOG_HEADER = "# Changelog\n\nEach release of the catalog, newest first (written by `kg release`).\n"


def demote(markdown: str) -> str:
    """Every heading one level down (``#`` -> ``##``), to nest a release's notes in the changelog."""
    return "\n".join("#" + row if row.startswith("#") else row for row in markdown.split("\n"))


def prepend_changelog(path: Path, version: str, notes: str) -> None:
    """Put ``notes`` (a release's CHANGELOG.md) first in the project changelog, atomically.

    A section already there for ``version`` (a release interrupted before its folder was renamed
    into place, then made again) is replaced, never repeated.
    """
    path = Path(path)
    current = path.read_text(encoding="utf-8") if path.is_file() else CHANGELOG_HEADER
    head, sections = _split_sections(current)
    section = demote(notes).rstrip("\n") + "\n"
    sections = [s for s in sections if not re.match(rf"^## {re.escape(version)}[ \n:(]", s)]
    text = head.rstrip("\n") + "\n\n" + "\n".join([section, *sections])
    write_atomic(path, text.encode("utf-8"))


def _split_sections(text: str) -> tuple[str, list[str]]:
    """The text before the first ``## `` heading, and each ``## `` section."""
    parts = re.split(r"(?m)^(?=## )", text)
    head = parts[0] if not parts[0].startswith("## ") else CHANGELOG_HEADER
    sections = [p.rstrip("\n") + "\n" for p in parts if p.startswith("## ")]
    return head, sections

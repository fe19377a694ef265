"""What changed between two states of the graph: typed changes per entity, and the patch that applies them.

Both sides are sorted canonical N-Triples lines (or N-Quads lines: a dataset against a dataset).
The change set is exact at the triple level: ``removed`` and ``added`` are the lines only one
side holds, and RDF Patch (``A``/``D`` lines) of them turns the old lines into the new ones.
Above it, the changes are grouped per entity (subject), as ontology release notes do:

- **added**: an entity the old state does not have (no triple about it);
- **removed**: an entity the new state does not have;
- **replaced**: an entity that became a deprecated stub (``dcterms:isReplacedBy`` its successor);
- **changed**: any other entity with triples added or removed, property by property
  (old values -> new values), lineage edges and sources included.

Per kind of entity and property, ``counts`` says how many of the entities both states hold
changed their values of that property, out of how many have it ("Changed values: N / M").

Blank nodes cannot be matched between two documents, so a side holding one is refused (kg's
own exports have none).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kg import namespaces as ns
from kg.catalog.schema import DERIVATIONS, FIELDS, KINDS, Kind
from kg.errors import KgError
from kg.rdf.ntriples import literal
from kg.rdf.terms import compactor

_TYPE = f"<{ns.RDF}type>"
_LABEL = f"<{ns.RDFS}label>"
_REPLACED_BY = f"<{ns.DCTERMS}isReplacedBy>"
_KIND_OF_CLASS = {f"<{kind.cls}>": kind for kind in KINDS}
STATUSES = ("added", "replaced", "removed", "changed")


_OBJECT = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?')


def split_value(text: str) -> tuple[str, str | None]:
    """``<o> <g>`` -> (``<o>``, ``<g>``); an object alone -> (object, None)."""
    match = _OBJECT.match(text)
    if match is None:
        raise DiffError(f"not an RDF term: {text[:120]}")
    rest = text[match.end():].strip()
    return match.group(0), (rest or None)


class DiffError(KgError):
    """Two sides that cannot be compared (a blank node, a graph against a dataset, a broken patch)."""


@dataclass(frozen=True)
class Statement:
    """One line split into its terms (N-Triples text each); ``graph`` is None for a triple."""

    subject: str
    predicate: str
    object: str
    graph: str | None = None

    @classmethod
    def parse(cls, text: str, quads: bool = False) -> "Statement":
        try:
            subject, predicate, rest = text.split(" ", 2)
        except ValueError:
            raise DiffError(f"not an N-Triples line: {text[:120]}") from None
        if not rest.endswith(" ."):
            raise DiffError(f"not an N-Triples line: {text[:120]}")
        obj, graph = split_value(rest[:-2])
        if graph is not None and not quads:
            raise DiffError(f"a quad where triples were expected: {text[:120]}")
        if "_:" in (subject[:2], obj[:2], (graph or "")[:2]):
            raise DiffError(f"blank nodes cannot be compared between two documents: {text[:120]}")
        return cls(subject, predicate, obj, graph)

    @property
    def value(self) -> str:
        """The object, with its graph for a quad (``<o> <g>``)."""
        return self.object if self.graph is None else f"{self.object} {self.graph}"


@dataclass
class PropertyChange:
    """The values of one property of one entity that only one side holds."""

    predicate: str
    key: str
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass
class EntityChange:
    """One subject whose triples differ, with its kind (None for other resources) and label."""

    iri: str
    status: str
    kind: Kind | None
    label: str | None
    replaced_by: str | None = None
    properties: list[PropertyChange] = field(default_factory=list)


@dataclass
class Count:
    """``changed`` of the ``of`` entities (of ``kind``, in both states, with ``key``) changed its values."""

    kind: Kind
    key: str
    predicate: str
    changed: int
    of: int


@dataclass
class Diff:
    """Everything that changed from ``old`` to ``new`` (their names as the user gave them)."""

    old: str
    new: str
    base: str
    removed: list[str]
    added: list[str]
    entities: list[EntityChange]
    counts: list[Count]
    labels: dict[str, str]
    quads: bool = False
    old_id: str | None = None
    new_id: str | None = None

    @property
    def empty(self) -> bool:
        return not self.removed and not self.added

    def by_status(self, status: str) -> list[EntityChange]:
        return [e for e in self.entities if e.status == status and e.kind is not None]


def compare(old_lines: list[str], new_lines: list[str], *, base: str = ns.DEFAULT_BASE, old: str = "old",
            new: str = "new", quads: bool = False, old_id: str | None = None,
            new_id: str | None = None) -> Diff:
    """The diff of two sorted, canonical line lists (N-Quads lines with ``quads``).

    >>> a = ['<https://w3id.org/llm-kg/model/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .']
    >>> b = ['<https://w3id.org/llm-kg/model/x> <http://www.w3.org/2000/01/rdf-schema#label> "X2" .']
    >>> d = compare(a, b)
    >>> d.entities[0].status, d.entities[0].properties[0].removed, d.entities[0].properties[0].added
    ('changed', ['"X"'], ['"X2"'])
    """
    old_set, new_set = set(old_lines), set(new_lines)
    removed = sorted(old_set - new_set)
    added = sorted(new_set - old_set)
    old_facts = _index(old_lines, quads)
    new_facts = _index(new_lines, quads)
    labels = _labels(old_facts)
    labels.update(_labels(new_facts))
    changed: dict[str, dict[str, PropertyChange]] = {}
    for side, lines in (("removed", removed), ("added", added)):
        for text in lines:
            statement = Statement.parse(text, quads)
            kind = _kind(statement.subject, new_facts) or _kind(statement.subject, old_facts)
            properties = changed.setdefault(statement.subject, {})
            change = properties.get(statement.predicate)
            if change is None:
                change = properties[statement.predicate] = PropertyChange(
                    statement.predicate, property_key(statement.predicate, kind))
            getattr(change, side).append(statement.value)
    entities = []
    for subject in sorted(changed):
        kind = _kind(subject, new_facts) or _kind(subject, old_facts)
        in_old, in_new = subject in old_facts, subject in new_facts
        successor = _first(new_facts.get(subject, {}).get(_REPLACED_BY))
        status = ("added" if not in_old else "removed" if not in_new else
                  "replaced" if successor and not old_facts[subject].get(_REPLACED_BY) else "changed")
        properties = sorted(changed[subject].values(), key=lambda c: (_key_order(c.key, kind), c.predicate))
        for change in properties:
            change.removed.sort()
            change.added.sort()
        entities.append(EntityChange(subject, status, kind, labels.get(subject),
                                     successor if status == "replaced" else None, properties))
    entities.sort(key=lambda e: (_kind_order(e.kind), e.iri[1:-1]))
    return Diff(old, new, ns.normalized_base(base), removed, added, entities,
                _counts(old_facts, new_facts, changed), labels, quads, old_id, new_id)


def _index(lines: list[str], quads: bool) -> dict[str, dict[str, set[str]]]:
    """subject -> predicate -> values (objects, with their graph for quads)."""
    facts: dict[str, dict[str, set[str]]] = {}
    for text in lines:
        statement = Statement.parse(text, quads)
        facts.setdefault(statement.subject, {}).setdefault(statement.predicate, set()).add(statement.value)
    return facts


def _labels(facts) -> dict[str, str]:
    labels = {}
    for subject, properties in facts.items():
        values = sorted(split_value(v)[0] for v in properties.get(_LABEL, ()) if v.startswith('"'))
        if values:
            labels[subject] = lexical(values[0])
    return labels


def _kind(subject: str, facts) -> Kind | None:
    for value in sorted(facts.get(subject, {}).get(_TYPE, ())):
        kind = _KIND_OF_CLASS.get(split_value(value)[0])
        if kind is not None:
            return kind
    return None


def _first(values) -> str | None:
    return split_value(sorted(values)[0])[0] if values else None


def _kind_order(kind: Kind | None) -> int:
    return KINDS.index(kind) if kind is not None else len(KINDS)


_SPECIAL_KEYS = {
    _TYPE: "type", f"<{ns.DCTERMS}identifier>": "id", f"<{ns.OWL}deprecated>": "deprecated",
    f"<{ns.SKOS}exactMatch>": "exact match", f"<{ns.SKOS}closeMatch>": "close match",
    f"<{ns.SKOS}inScheme>": "in scheme", f"<{ns.SKOS}topConceptOf>": "top concept of",
}
_DERIVATION_KEYS = {f"<{iri}>": f"based_on ({relation})" for relation, iri in DERIVATIONS.items()}


def property_key(predicate: str, kind: Kind | None) -> str:
    """The YAML key a predicate comes from (``released``), else a compact name (``void:triples``)."""
    if kind is not None:
        for spec in FIELDS[kind].values():
            if spec.predicate is not None and spec.value != "wikidata" and predicate == f"<{spec.predicate}>":
                return spec.key
    if predicate in _DERIVATION_KEYS:
        return _DERIVATION_KEYS[predicate]
    if predicate in _SPECIAL_KEYS:
        return _SPECIAL_KEYS[predicate]
    return compactor()(predicate[1:-1])


def _key_order(key: str, kind: Kind | None) -> tuple:
    keys = list(FIELDS[kind]) if kind is not None else []
    if key in ("type", "id"):
        return (0, key)
    return (1, keys.index(key)) if key in keys else (2, key)


def _counts(old_facts, new_facts, changed) -> list[Count]:
    """Per kind and property: entities of both states that changed its values, of those that have it."""
    tally: dict[tuple[Kind, str], list[int]] = {}
    for subject, old_properties in old_facts.items():
        new_properties = new_facts.get(subject)
        kind = _kind(subject, new_facts) or _kind(subject, old_facts)
        if new_properties is None or kind is None:
            continue
        differing = changed.get(subject, {})
        for predicate in set(old_properties) | set(new_properties):
            if predicate == _TYPE:
                continue
            numbers = tally.setdefault((kind, predicate), [0, 0])
            numbers[1] += 1
            numbers[0] += predicate in differing
    counts = [Count(kind, property_key(predicate, kind), predicate, n, of)
              for (kind, predicate), (n, of) in tally.items()]
    counts.sort(key=lambda c: (_kind_order(c.kind), _key_order(c.key, c.kind), c.predicate))
    return counts


# --- terms for people --------------------------------------------------------------------

_UNESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def lexical(term: str) -> str:
    """The lexical form of an N-Triples literal (``"7B"^^<…>`` -> ``7B``), or the term itself."""
    match = re.match(r'^"((?:[^"\\]|\\.)*)"', term)
    if not match:
        return term
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                  else _UNESCAPES.get(m.group(1), m.group(1)), match.group(1))


def _shown(value: str, diff: Diff, compact) -> str:
    """A value as a person reads it: a label and its compact IRI, a literal's text, a graph's name."""
    value, graph = split_value(value)
    if value.startswith("<"):
        iri = value[1:-1]
        label = diff.labels.get(value)
        text = f"{_md(label)} (`{compact(iri)}`)" if label else f"`{compact(iri)}`"
    else:
        text = _md(lexical(value))
        language = re.search(r'"@([a-zA-Z-]+)$', value)
        if language:
            text += f" @{language.group(1)}"
    if graph is not None:
        text += f" [in `{compact(graph[1:-1])}`]"
    return text


def _md(text: str) -> str:
    """Text safe in a Markdown list item: one line, no markup characters acting as markup."""
    flat = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", flat)


def _entity(entity: EntityChange, compact) -> str:
    name = _md(entity.label) if entity.label else compact(entity.iri[1:-1])
    return f"**{name}** (`{compact(entity.iri[1:-1])}`)"


# --- renderings --------------------------------------------------------------------------

def to_markdown(diff: Diff, title: str | None = None) -> str:
    """A changelog a person reads: a summary, then per kind of entity the entities added,
    replaced, removed and changed (with old -> new values), the other resources, and the
    counts of changed values per property."""
    compact = compactor(diff.base)
    out = [f"# {title or f'Changes from {diff.old} to {diff.new}'}", ""]
    numbers = {status: len(diff.by_status(status)) for status in STATUSES}
    out.append(f"{numbers['added']} added, {numbers['replaced']} replaced, {numbers['removed']} removed, "
               f"{numbers['changed']} changed; {len(diff.added)} triples added, {len(diff.removed)} removed.")
    if diff.empty:
        out += ["", "No changes."]
    for kind in (*KINDS, None):
        entities = [e for e in diff.entities if e.kind is kind]
        if not entities:
            continue
        out += ["", f"## {kind.folder.capitalize() if kind else 'Other resources'}"]
        for status in STATUSES:
            chosen = [e for e in entities if e.status == status]
            if not chosen:
                continue
            out += ["", f"### {status.capitalize()} ({len(chosen)})", ""]
            for entity in chosen:
                out += _entity_lines(entity, diff, compact)
    changed_counts = [c for c in diff.counts if c.changed]
    if changed_counts:
        out += ["", "## Changed values per property", "",
                "| entities | key | changed values |", "|---|---|---|"]
        out += [f"| {c.kind.folder} | {c.key} | {c.changed} / {c.of} |" for c in changed_counts]
    return "\n".join(out) + "\n"


def _entity_lines(entity: EntityChange, diff: Diff, compact) -> list[str]:
    if entity.status == "added" and entity.kind is not None:
        return [f"- {_entity(entity, compact)}"]
    if entity.status == "removed" and entity.kind is not None:
        return [f"- {_entity(entity, compact)}"]
    head = f"- {_entity(entity, compact)}" if entity.kind is not None else f"- `{compact(entity.iri[1:-1])}`"
    if entity.status == "replaced":
        head += f" → {_shown(entity.replaced_by, diff, compact)}"
    lines = [head]
    for change in entity.properties:
        if entity.status == "replaced" and change.key in ("replaced_by", "deprecated"):
            continue
        removed = [_shown(v, diff, compact) for v in change.removed]
        added = [_shown(v, diff, compact) for v in change.added]
        if len(removed) == 1 and len(added) == 1:
            lines.append(f"  - {change.key}: {removed[0]} → {added[0]}")
            continue
        for text in removed:
            lines.append(f"  - {change.key}: − {text}")
        for text in added:
            lines.append(f"  - {change.key}: + {text}")
    return lines


def to_json(diff: Diff) -> str:
    """The same changes as JSON: values as N-Triples terms, entities with their kind and label."""
    document = {
        "old": diff.old, "new": diff.new,
        "triples": {"removed": len(diff.removed), "added": len(diff.added)},
        "entities": {status: len(diff.by_status(status)) for status in STATUSES},
        "changes": [{
            "iri": e.iri[1:-1], "kind": e.kind.segment if e.kind else None, "label": e.label,
            "status": e.status, **({"replaced_by": e.replaced_by[1:-1]} if e.replaced_by else {}),
            "properties": [{"key": c.key, "predicate": c.predicate[1:-1], "removed": c.removed,
                            "added": c.added} for c in e.properties],
        } for e in diff.entities],
        "counts": [{"kind": c.kind.segment, "key": c.key, "predicate": c.predicate[1:-1],
                    "changed": c.changed, "of": c.of} for c in diff.counts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_rdf_patch(diff: Diff) -> str:
    """RDF Patch: ``H id``/``H prev`` when the states have ids, then one transaction deleting the
    removed lines and adding the added ones, each group sorted."""
    out = []
    if diff.new_id:
        out.append(f"H id <{diff.new_id}> .")
    if diff.old_id:
        out.append(f"H prev <{diff.old_id}> .")
    out.append("TX .")
    out += [f"D {text}" for text in diff.removed]
    out += [f"A {text}" for text in diff.added]
    out.append("TC .")
    return "\n".join(out) + "\n"


RENDERERS = {"markdown": to_markdown, "json": to_json, "rdfpatch": to_rdf_patch}


def apply_patch(lines: list[str], patch: str) -> list[str]:
    """The sorted lines after applying an RDF Patch (``A``/``D`` rows; headers and transactions
    skipped). Deleting a line that is not there, or adding one that is, is an error: the patch
    was made against another state.

    >>> apply_patch(["<a> <b> <c> ."], "TX .\\nD <a> <b> <c> .\\nA <a> <b> <d> .\\nTC .\\n")
    ['<a> <b> <d> .']
    """
    state = set(lines)
    for number, row in enumerate(patch.splitlines(), 1):
        code, _, rest = row.partition(" ")
        if code in ("H", "TX", "TC", "TA", "PA", "PD") or not row.strip() or row.startswith("#"):
            continue
        if code == "A":
            if rest in state:
                raise DiffError(f"patch line {number} adds a triple the graph already holds: {rest[:120]}")
            state.add(rest)
        elif code == "D":
            if rest not in state:
                raise DiffError(f"patch line {number} deletes a triple the graph does not hold: {rest[:120]}")
            state.remove(rest)
        else:
            raise DiffError(f"patch line {number}: unknown row '{code}'")
    return sorted(state)


def canonical_line(quad, quads: bool = False) -> str:
    """A pyoxigraph triple or quad as a canonical N-Triples (N-Quads) line."""
    import pyoxigraph as ox

    def term(node) -> str:
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        if isinstance(node, ox.Literal):
            return literal(node.value, node.datatype.value if not node.language else None, node.language)
        raise DiffError(f"blank nodes cannot be compared between two documents: {node}")

    text = f"{term(quad.subject)} {term(quad.predicate)} {term(quad.object)}"
    graph = getattr(quad, "graph_name", None)
    if quads and isinstance(graph, ox.NamedNode):
        text += f" {term(graph)}"
    return text + " ."

"""Checks of per-fact provenance: every fact named by a source, every cited line there and showing it.

| code  | severity | what |
|-------|----------|------|
| KG120 | error    | a fact that no item of ``sources:`` names in ``for:`` |
| KG121 | error    | a ``seed:`` or upstream source whose file or line does not exist |
| KG122 | error    | a ``for:`` item naming a key the entry does not have, or an item it does not hold |
| KG123 | warning  | a fact cited to a seed or upstream line that shows no evidence of its value |
| KG124 | error    | a claim about a key that is not a fact of this kind of entry |

Seed and upstream lines are read from the ``shared/`` folder beside the project (see
kg.catalog.evidence); without it, KG121 and KG123 cannot be checked and are skipped.
"""
from __future__ import annotations

from collections.abc import Sequence

from kg.catalog.diagnostics import ERROR, WARNING, Report
from kg.catalog.evidence import Names, SourceText, shows
from kg.catalog.facts import Fact, same_item
from kg.catalog.loader import Catalog, Entry, Value
from kg.catalog.provenance import NOT_FACTS
from kg.catalog.schema import FIELDS


def check_sources(catalog: Catalog, report: Report, sources: SourceText | None) -> None:
    """Add KG120–KG124 for every entry of ``catalog`` to ``report``."""
    names = Names.of(catalog.entries) if sources is not None else None
    for entry in catalog.entries:
        _check_entry(entry, report, sources, names)


def named_values(entry: Entry, fact_name: str) -> list[tuple[str, Value]] | None:
    """The (key, value) pairs a ``for:`` item names; None when the entry holds no such fact."""
    key, sep, item = fact_name.partition("=")
    key = key.strip()
    values = entry.values.get(key) if key not in NOT_FACTS else None
    if not values:
        return None
    if not sep:
        return [(key, v) for v in values]
    matched = [(key, v) for v in values if same_item(Fact(key, None, v), item.strip())]
    return matched or None


def fact_values(entry: Entry, fact_name: str) -> tuple[str, Sequence[Value]] | None:
    """The key a ``for:`` item names and the values of it that it names (``named_values``, without a
    pair per value); None when the entry holds no such fact. A whole key, the usual item, is
    looked up at once: ``for`` items come stripped (kg.catalog.provenance.parse_attribution)."""
    if "=" not in fact_name and fact_name not in NOT_FACTS:
        values = entry.values.get(fact_name)
        return (fact_name, values) if values else None
    named = named_values(entry, fact_name)
    return (named[0][0], [value for _key, value in named]) if named else None


def _check_entry(entry: Entry, report: Report, sources: SourceText | None, names: Names | None) -> None:
    covered: set[int] = set()
    values_of = entry.values
    for value in values_of.get("sources", ()):
        attribution = value.value
        text = _cited_text(entry, value, attribution.source, report, sources)
        for index, fact_name in enumerate(attribution.facts):
            named = fact_values(entry, fact_name)
            if named is None:
                if _written_but_invalid(entry, fact_name):
                    continue  # its value's own diagnostic says what is wrong; no second one here
                _report(entry, report, _for_item(value, index), "KG122", f"'for' names '{fact_name}', which "
                        f"this entry does not hold: fix the name (keys: {', '.join(_fact_keys(entry))}) or remove it")
                continue
            key, values = named
            covered.update(map(id, values))
            if text is None:
                continue
            missing = [v for v in values if not shows(entry, Fact(key, None, v), text, names)]
            if missing:
                _report(entry, report, _for_item(value, index), "KG123", f"{attribution.source} does not show "
                        f"{fact_name} ({_shown(missing)}): cite the line that states it", WARNING)
    for key, values in values_of.items():
        if key in NOT_FACTS or covered.issuperset(map(id, values)):
            continue
        for value in values:
            if id(value) not in covered:
                _report(entry, report, value.path, "KG120", f"no source names the fact {key} "
                        f"({_shown([value])}): add it to the 'for' of the source that states it")
    for value in entry.values.get("claims", []):
        claim = value.value
        if claim.key not in FIELDS[entry.kind] or claim.key in NOT_FACTS:
            _report(entry, report, value.path, "KG124", f"the claim is about '{claim.key}', which is not "
                    f"a fact of a {entry.kind.label}: use one of {', '.join(_fact_keys(entry, every=True))}")
        _cited_text(entry, value, claim.source, report, sources)


def _for_item(value: Value, index: int) -> tuple:
    """The path of the ``index``-th item of a source's ``for`` (the source's own for a plain string)."""
    return value.path + ("for", index) if isinstance(value.path[-1], int) else value.path


def _written_but_invalid(entry: Entry, fact_name: str) -> bool:
    """Does the entry's file write the key ``fact_name`` names, none of whose values was valid
    (each reported where it is written)? Read off the file's marks: only for such a ``for:``."""
    key = fact_name.partition("=")[0].strip()
    if key not in FIELDS[entry.kind] or key in NOT_FACTS or entry.values.get(key):
        return False
    return ("key", key) in entry.doc.positions()


def _cited_text(entry: Entry, value: Value, source: str, report: Report,
                sources: SourceText | None) -> str | None:
    """The cited line (±1) of a seed or upstream source; KG121 when it does not exist."""
    if sources is None:
        return None
    path = value.path + ("source",)  # the source's own line; its item's line for a plain string
    where = sources.locate(source)
    if where is None:
        if source.startswith("seed:"):
            _report(entry, report, path, "KG121", f"{source}: no such seed file in "
                    f"{sources.shared / 'seeds'}: check the file name")
        return None
    text = sources.read(source)
    if text is None:
        if not (sources.shared / where[0]).is_file():
            _report(entry, report, path, "KG121", f"{source}: no file {where[0]} in {sources.shared}: "
                    "check the file name")
            return None
        count = len(sources.lines(where[0]))
        what = f"has {count} lines" if count else "cannot be read"
        _report(entry, report, path, "KG121", f"{source}: {where[0]} {what}: check the line number")
    return text


def _fact_keys(entry: Entry, every: bool = False) -> list[str]:
    keys = FIELDS[entry.kind] if every else entry.values
    return [k for k in keys if k not in NOT_FACTS]


def _shown(values: list[Value]) -> str:
    text = ", ".join(str(getattr(v.value, "text", v.value)) for v in values)
    return text if len(text) <= 60 else text[:57] + "..."


def _report(entry: Entry, report: Report, path: tuple, code: str, message: str, severity: str = ERROR) -> None:
    line, col = entry.where(*path)
    report.add(entry.file, line, col, code, message, severity)

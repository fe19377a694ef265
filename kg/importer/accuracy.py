"""Measuring the importer on a labelled page: per labelled line, its decision against the gold label."""
from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from kg.catalog.loader import Catalog
from kg.errors import KgUsageError
from kg.importer.drafts import ImportResult, import_markdown

#: Gold labels, and the importer's decisions (a label, or 'unsure': never a model).
LABELS = ("model", "organization", "paper", "technique", "not-entry")
DECISIONS = LABELS + ("unsure",)
#: When one line gives several rows, the line's decision is the first of these it holds.
PRECEDENCE = ("model", "organization", "paper", "technique", "unsure")


@dataclass
class Label:
    """One row of the gold file: what the line's subject is."""

    line: int
    label: str
    name: str
    note: str = ""


@dataclass
class Accuracy:
    """Gold label and decision of every labelled line, with what the importer said about it."""

    decided: dict[int, str] = field(default_factory=dict)  # line -> decision
    labels: dict[int, Label] = field(default_factory=dict)
    rows: dict[int, list[str]] = field(default_factory=dict)  # line -> "name: status, detail"
    unlabelled: list[int] = field(default_factory=list)  # lines with rows but no label

    def confusion(self) -> dict[tuple[str, str], list[int]]:
        table: dict[tuple[str, str], list[int]] = {}
        for line, label in sorted(self.labels.items()):
            table.setdefault((label.label, self.decided.get(line, "not-entry")), []).append(line)
        for line in self.unlabelled:  # a line the labels leave out is not an entry
            table.setdefault(("not-entry", self.decided[line]), []).append(line)
        return table

    def counts(self, label: str = "model") -> tuple[int, int, int]:
        """True positives, false positives and false negatives of ``label``."""
        tp = fp = fn = 0
        for (gold, decided), lines in self.confusion().items():
            tp += len(lines) if gold == label and decided == label else 0
            fp += len(lines) if gold != label and decided == label else 0
            fn += len(lines) if gold == label and decided != label else 0
        return tp, fp, fn

    def precision(self, label: str = "model") -> float:
        tp, fp, _ = self.counts(label)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, label: str = "model") -> float:
        tp, _, fn = self.counts(label)
        return tp / (tp + fn) if tp + fn else 1.0

    def mistakes(self, label: str = "model") -> list[tuple[int, str, str]]:
        """(line, gold, decision) of every line where ``label`` is gold or decided but not both."""
        out = []
        for (gold, decided), lines in self.confusion().items():
            if (gold == label) != (decided == label):
                out += [(line, gold, decided) for line in lines]
        return sorted(out)


def read_labels(path: Path) -> dict[int, Label]:
    """The gold file: tab-separated line, label, name, note (a header row first)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as exc:
        raise KgUsageError(f"{path}: {exc.strerror}") from exc
    labels = {}
    for row in rows:
        if row.get("label") not in LABELS:
            raise KgUsageError(f"{path}: line {row.get('line')}: unknown label {row.get('label')!r}")
        labels[int(row["line"])] = Label(int(row["line"]), row["label"], row["name"], row.get("note") or "")
    return labels


def row_decision(kind: str, status: str) -> str:
    """What one report row says its line is: skipped rows are not entries, unsure rows are unsure."""
    if status == "unsure":
        return "unsure"
    if status == "skipped" or kind not in LABELS:
        return "not-entry"
    return kind


def measure(result: ImportResult, file_name: str, labels: dict[int, Label]) -> Accuracy:
    """Compare the rows of ``result`` from ``file_name`` with the gold ``labels``."""
    accuracy = Accuracy(labels=labels)
    per_line: dict[int, list[str]] = {}
    for row in result.rows:
        file, _, line = row.where.rpartition(":")
        if file != file_name:
            continue
        per_line.setdefault(int(line), []).append(row_decision(row.kind, row.status))
        accuracy.rows.setdefault(int(line), []).append(f"{row.name}: {row.status}, {row.detail}")
    for line, decisions in per_line.items():
        accuracy.decided[line] = next((d for d in PRECEDENCE if d in decisions), "not-entry")
        if line not in labels:
            accuracy.unlabelled.append(line)
    return accuracy


def measure_page(page: Path, labels_file: Path, catalog: Catalog,
                 today: datetime.date | None = None) -> Accuracy:
    """Import ``page`` against ``catalog`` and compare its rows with ``labels_file``."""
    result = import_markdown([page], catalog, today=today)
    return measure(result, page.name, read_labels(labels_file))


def render_accuracy(accuracy: Accuracy, label: str = "model", mistakes: bool = False) -> str:
    """Precision and recall of ``label``, the confusion table, and (if asked) every mistake."""
    tp, fp, fn = accuracy.counts(label)
    lines = [f"{label}: precision {accuracy.precision(label):.3f} ({tp}/{tp + fp}), "
             f"recall {accuracy.recall(label):.3f} ({tp}/{tp + fn})", ""]
    table = accuracy.confusion()
    width = max(len(d) for d in DECISIONS)
    lines.append("gold \\ decided".ljust(14) + "".join(d.rjust(width + 1) for d in DECISIONS))
    for gold in LABELS:
        lines.append(gold.ljust(14) + "".join(str(len(table.get((gold, d), []))).rjust(width + 1)
                                              for d in DECISIONS))
    if mistakes:
        lines += ["", f"lines where {label} is gold or decided but not both:"]
        for line, gold, decided in accuracy.mistakes(label):
            name = accuracy.labels[line].name if line in accuracy.labels else "(unlabelled)"
            said = " | ".join(accuracy.rows.get(line, ["no row"]))
            lines.append(f"  {line}: gold {gold} ({name}), decided {decided}: {said}")
    return "\n".join(lines) + "\n"

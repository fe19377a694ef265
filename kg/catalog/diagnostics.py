"""Diagnostics: one problem at one place in one file, with a stable code and the fix."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in the catalog, printed like a compiler's message."""

    file: str
    line: int
    column: int
    code: str
    severity: str
    message: str

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"
        prefix = "" if self.severity == ERROR else "warning: "
        return f"{where}: {self.code} {prefix}{self.message}"

    def github(self) -> str:
        kind = "error" if self.severity == ERROR else "warning"
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{kind} file={self.file},line={self.line},col={self.column},title={self.code}::{message}"


class Report:
    """Collects diagnostics from every stage of a run."""

    def __init__(self) -> None:
        self._items: set[Diagnostic] = set()
        self._error_lines: set[tuple[str, int]] = set()

    def add(self, file: str | Path, line: int, column: int, code: str, message: str,
            severity: str = ERROR) -> None:
        self.extend([Diagnostic(str(file), max(line, 1), max(column, 0), code, severity, message)])

    def extend(self, diagnostics) -> None:
        for diagnostic in diagnostics:
            self._items.add(diagnostic)
            if diagnostic.severity == ERROR:
                self._error_lines.add((diagnostic.file, diagnostic.line))

    @property
    def items(self) -> list[Diagnostic]:
        return sorted(self._items, key=_sort_key)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def has_error_at(self, file: str, line: int) -> bool:
        return (file, line) in self._error_lines

    def render(self, fmt: str = "text") -> str:
        items = self.items
        if fmt == "json":
            return json.dumps([asdict(d) for d in items], indent=2, ensure_ascii=False)
        if fmt == "github":
            return "\n".join(d.github() for d in items)
        return "\n".join(d.text() for d in items)

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _sort_key(d: Diagnostic):
    return (d.file, d.line, d.column, d.code, d.message)

"""Progress on stderr: a status line on a terminal, nothing in pipes and logs."""
from __future__ import annotations

import io

import pytest

from kg.util.progress import TerminalProgress, for_terminal

from .conftest import project_args


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_line_overwrites_itself_and_is_erased():
    stream = FakeTerminal()
    progress = TerminalProgress(stream, interval=0)
    progress("reading entries", 500, 1000)
    progress("reading entries", 1000, 1000)
    progress("validating", 0, 0)
    progress.close()
    text = stream.getvalue()
    assert "\rreading entries 500/1,000 (50%)" in text
    assert "\rreading entries 1,000/1,000 (100%)" in text
    assert "\rvalidating…" in text
    assert text.endswith("\r")  # erased: the next message starts clean
    assert "\n" not in text


def test_redraws_are_throttled():
    stream = FakeTerminal()
    progress = TerminalProgress(stream, interval=60)
    for done in range(1, 100):
        progress("reading entries", done, 100)
    assert stream.getvalue().count("\r") == 1  # the first draw only; the rest fell in the interval
    progress("reading entries", 100, 100)  # the last one always shows
    assert "100/100" in stream.getvalue()


def test_only_for_a_terminal_and_not_when_quiet():
    assert for_terminal(0, FakeTerminal()) is not None
    assert for_terminal(-1, FakeTerminal()) is None
    assert for_terminal(0, io.StringIO()) is None


def test_commands_in_pipes_print_no_progress(run):
    result = run("validate", *project_args())
    assert result.exit_code == 0
    assert "\r" not in result.stderr and "reading entries" not in result.stderr


@pytest.mark.parametrize("files", [0, 1, 250, 251, 501])
def test_reading_tells_progress_of_every_250_files_and_of_the_rest(tmp_path, files):
    """One process: a call per 250 files read, then one for the rest (even none), then the total."""
    from kg.catalog.diagnostics import Report
    from kg.catalog.loader import load_catalog

    (tmp_path / "models").mkdir()
    for i in range(files):
        (tmp_path / "models" / f"m{i:04d}.yaml").write_text(f"name: Model {i}\n", encoding="utf-8")
    calls = []
    load_catalog(tmp_path, Report(), lambda label, done, total: calls.append((label, done, total)),
                 processes=1)
    expected = [("reading entries", done, files) for done in range(250, files + 1, 250)]
    expected.append(("reading entries", files, files))
    assert calls == expected

"""Shared fixtures: the project's folders, a fixture catalog, and a CLI runner."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CATALOG = ROOT / "tests" / "fixtures" / "catalog"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test session caches builds in its own folder, never in the user's ~/.cache."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "kg-cache"))


@pytest.fixture
def fixture_catalog(tmp_path) -> Path:
    """A writable copy of the fixture catalog."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, target)
    return target


def project_args(data: Path | str = FIXTURE_CATALOG) -> list[str]:
    return ["--data", str(data), "--shapes", str(ROOT / "shapes"), "--ontology", str(ROOT / "ontology"),
            "--queries", str(ROOT / "queries")]


@pytest.fixture
def run():
    """Run ``kg ARGS`` in-process; returns click's Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def requires_shared() -> None:
    """Skip the calling test when the source documents (``../shared``) are not beside this checkout:
    a clone made elsewhere has no seed lines to read (KG121, KG123, the words of ``kg why``)."""
    from kg.pipeline.location import Project

    if Project.locate(start=ROOT).source_text() is None:
        pytest.skip("the source documents (../shared) are not beside this checkout")


def write_entry(data: Path, folder: str, name: str, text: str) -> Path:
    path = data / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def interrupting_in(seconds: float):
    """Ctrl-C (KeyboardInterrupt in the main thread) in ``seconds``; call the result to undo."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return lambda: (signal.setitimer(signal.ITIMER_REAL, 0), signal.signal(signal.SIGALRM, previous))

"""The README tells the truth: two quick-start commands, every command documented, CI runs the tests."""
from __future__ import annotations

import re

from kg.cli import cli

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_commands():
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["python3 tasks.py catalog", "python3 tasks.py test"]


def test_ci_runs_the_readme_test_command():
    assert "python3 tasks.py test" in (ROOT / ".ci" / "run").read_text()


def test_every_command_has_help_and_a_readme_section():
    for name, command in cli.commands.items():
        assert command.help, f"kg {name} has no help"
        assert f"kg {name}" in README, f"kg {name} is missing from the README"


def test_licences_stated():
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "CC BY 4.0" in README

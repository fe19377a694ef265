"""The one error hierarchy of kg: what a user can fix (exit 1) and how a command was called (exit 2).

Every exception the library raises for a user's mistake derives from ``KgError``; the CLI
turns it into ``Error: …`` and exit code 1, and a ``KgUsageError`` into a usage message
and exit code 2. Anything else is a bug in kg.
"""
from __future__ import annotations


class KgError(Exception):
    """A problem the user can fix (a missing folder, a broken shapes file, a bad query): exit 1."""

    exit_code = 1


class KgUsageError(KgError):
    """A command or function called the wrong way (an unknown format, a bad parameter): exit 2."""

    exit_code = 2


class ProjectError(KgError):
    """A folder or file the project needs is missing or unreadable."""


class OutputExistsError(KgError):
    """A file or folder would be overwritten without being asked to."""

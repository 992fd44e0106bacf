"""One exception family for every error a user can see.

Each error carries its exit code and an optional hint; the CLI catches
``NkError`` once and prints ``nkcorpus: error: <message>`` (and the hint).
Exit codes follow grep and ripgrep: 0 hits, 1 no hits, 2 error.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    HITS = 0
    NO_HITS = 1
    ERROR = 2


class NkError(Exception):
    """An error meant for the user: one line, an exit code, maybe a hint."""

    exit_code: int = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class CorpusError(NkError):
    """The corpus folder is missing, unreadable or empty."""


class IndexError_(NkError):
    """The index cannot be opened, written or locked."""


class QueryError(NkError):
    """The query cannot be understood."""


class UsageError(NkError):
    """The command line asks for something that cannot be done as typed."""

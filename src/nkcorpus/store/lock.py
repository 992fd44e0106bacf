"""The writer lock of a corpus's index: one writer at a time (``flock``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nkcorpus.errors import IndexError_

@contextmanager
def writer_lock(home: Path, progress, wait: bool = True) -> Iterator[None]:
    """Hold the corpus's writer lock; another writer waits (or fails) here."""
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexError_(
                    "another nkcorpus process is indexing this corpus",
                    hint="wait for it to finish, or run without --no-wait to wait for it",
                ) from None
            progress.waiting("waiting for another nkcorpus process to finish indexing this corpus")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def try_lock(home: Path) -> int | None:
    """A held writer lock's descriptor, or None if another process has it."""
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_locked(home: Path) -> bool:
    """Whether a writer holds the lock now (creates nothing)."""
    import fcntl

    try:
        fd = os.open(home / "lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

"""The writer lock of a corpus's index: one writer at a time (``flock``;
the holder's record and takeover from a dead holder: ``lockfile``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nkcorpus.errors import IndexError_

@contextmanager
def writer_lock(home: Path, progress, wait: bool = True) -> Iterator[None]:
    """Hold the corpus's writer lock; another writer waits (or fails) here.
    Who holds it, and taking over from a dead holder: ``lockfile``."""
    from nkcorpus.store import lockfile

    try:
        fd = lockfile.acquire(home, wait, progress.waiting, _lock_warning)
    except lockfile.Busy as exc:
        who = f" ({exc.holder.describe()})" if exc.holder else ""
        raise IndexError_(
            f"another nkcorpus process is indexing this corpus{who}",
            hint="wait for it to finish, or run without --no-wait to wait for it",
        ) from None
    try:
        yield
    finally:
        lockfile.release(home, fd)


def _lock_warning(message: str) -> None:
    import sys

    print(f"nkcorpus: warning: {message}", file=sys.stderr)


def try_lock(home: Path) -> int | None:
    """A held writer lock's descriptor (give it back with ``unlock``), or
    None if another process has it."""
    from nkcorpus.store import lockfile

    return lockfile.try_lock(home)


def unlock(home: Path, fd: int) -> None:
    from nkcorpus.store import lockfile

    lockfile.release(home, fd)


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

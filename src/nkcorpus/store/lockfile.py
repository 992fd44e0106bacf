"""The writer lock of a corpus's index, with who holds it.

``<home>/lock`` is locked with ``flock``; the descriptor is opened with
``O_CLOEXEC`` and recorded here so that worker processes close their
inherited copy first thing (``close_inherited``): only the indexer itself
holds the lock, and it is released the moment that process ends, however.

Next to it ``<home>/lock.holder`` names the holder (pid, process start
time, wall-clock start, command), written right after the lock is taken
and removed before it is released. A process that finds the lock busy:

* the recorded holder is alive (same pid and start time): it says so once
  (``waiting for another nkcorpus index (pid N, started HH:MM)…``) and
  polls, or with ``--no-wait`` fails at once;
* else it looks (Linux: ``/proc/*/fdinfo``) for the processes whose
  descriptor holds the flock, and the process that took it (``/proc/locks``
  names it). A holder that inherited the lock from a process now dead, and
  is nkcorpus (its command line, or the dead one was the recorded holder),
  is a worker left behind by a killed indexer (of an older version; workers
  now die with the indexer and close the lock): it is killed, with a
  warning, and the lock taken;
* a live holder that is not nkcorpus and has not recorded itself for
  ``CHECK_SECONDS`` (an nkcorpus process between taking the lock and
  recording itself is not mistaken for one), say ``flock lock sleep 1d``:
  the lock file is replaced by a new one, which is locked instead, with a
  warning. The foreign process keeps its lock on a file no longer named
  ``lock`` and is otherwise left alone (it is not ours to kill); every
  nkcorpus process checks, after taking a lock, that its file is still the
  one named ``lock`` (else it starts again), so two writers never both
  hold "the" lock. Searches (``try_lock``) never take over from a live
  process;
* no holder can be seen (no ``/proc``) and the recorded one is dead: the
  lock file is replaced, with a warning.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOCK = "lock"
HOLDER = "lock.holder"
POLL_SECONDS = 0.2
CHECK_SECONDS = 2.0  # how often a waiter looks again at who holds the lock

_held: set[int] = set()  # descriptors of locks this process holds


@dataclass(frozen=True, slots=True)
class Holder:
    pid: int
    start: int | None  # process start time, clock ticks since boot (Linux)
    started: float  # wall clock, when it took the lock (or started)
    command: str

    def describe(self) -> str:
        return f"pid {self.pid}, started {time.strftime('%H:%M', time.localtime(self.started))}"


def close_inherited() -> None:
    """In a forked worker: close the copies of this process's lock
    descriptors (the lock stays with the parent's descriptor)."""
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


# --- processes ---------------------------------------------------------------------


def proc_start(pid: int) -> int | None:
    """The start time of ``pid`` (clock ticks since boot), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (ValueError, IndexError):
        return None


def proc_command(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.decode("utf-8", "replace").split("\0")[:-1] or None


def alive(pid: int, start: int | None = None) -> bool:
    """Whether ``pid`` runs, and (if ``start`` is known) is the same process."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if start is not None:
        now = proc_start(pid)
        if now is not None and now != start:
            return False  # the pid was reused
    return _proc_state(pid) != "Z"  # a zombie has ended


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[0]
    except (OSError, ValueError, IndexError):
        return None


def me() -> Holder:
    return Holder(os.getpid(), proc_start(os.getpid()), time.time(),
                  " ".join(proc_command(os.getpid()) or sys.argv))


def read_holder(home: Path) -> Holder | None:
    try:
        data = json.loads((home / HOLDER).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), data.get("start"), float(data["started"]), str(data["command"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_holder(home: Path) -> None:
    h = me()
    tmp = home / f".{HOLDER}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps({"pid": h.pid, "start": h.start, "started": h.started,
                                   "command": h.command}), encoding="utf-8")
        os.replace(tmp, home / HOLDER)
    except OSError:
        tmp.unlink(missing_ok=True)  # only informative: a read-only folder fails elsewhere


def flock_holders(path: Path) -> list[tuple[int, int]]:
    """``(pid, locker)`` for each process whose descriptor holds an flock on
    ``path``: ``locker`` is the process that took the lock (the holder
    itself, or, for a descriptor inherited at fork, its parent). Linux and
    the processes this user may inspect; empty elsewhere."""
    try:
        st = os.stat(path)
        entries = os.listdir("/proc")
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                fst = os.stat(f"/proc/{entry}/fd/{fd}")
                if (fst.st_ino, fst.st_dev) != (st.st_ino, st.st_dev):
                    continue
                info = Path(f"/proc/{entry}/fdinfo/{fd}").read_text()
            except OSError:
                continue
            lockers = [line.split()[5] for line in info.splitlines()
                       if line.startswith("lock:") and "FLOCK" in line]
            if lockers and lockers[0].isdigit():
                found.append((int(entry), int(lockers[0])))
                break
    return found


# --- taking the lock -----------------------------------------------------------------


class Busy(Exception):
    """The lock is held by a live nkcorpus process (``holder``)."""

    def __init__(self, holder: Holder | None) -> None:
        super().__init__("busy")
        self.holder = holder


def _open(home: Path) -> int:
    return os.open(home / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


def _try(home: Path) -> int | None:
    """The descriptor of the lock, now held; None if another holds it."""
    while True:
        fd = _open(home)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(home / LOCK).st_ino
        except OSError:
            same = False
        if same:
            _held.add(fd)
            _write_holder(home)
            return fd
        os.close(fd)  # the file was replaced meanwhile: lock the new one


def release(home: Path, fd: int) -> None:
    """Give the lock up (the holder file goes first)."""
    if fd in _held:
        h = read_holder(home)
        if h is not None and h.pid == os.getpid():
            (home / HOLDER).unlink(missing_ok=True)
        _held.discard(fd)
    os.close(fd)


def try_lock(home: Path) -> int | None:
    """A held lock's descriptor, or None if a live process holds it
    (stale holders are dealt with first, see the module's docstring)."""
    home.mkdir(parents=True, exist_ok=True)
    fd = _try(home)
    if fd is None and _clear_stale(home, warn=None):
        fd = _try(home)
    return fd


def acquire(home: Path, wait: bool, waiting: Callable[[str], None],
            warn: Callable[[str], None]) -> int:
    """Take the lock; wait for a live holder (saying so once through
    ``waiting``) or raise ``Busy`` when not ``wait``."""
    home.mkdir(parents=True, exist_ok=True)
    said = False
    seen: dict[int, float] = {}
    while True:
        fd = _try(home)
        if fd is not None:
            return fd
        if _clear_stale(home, warn, seen if wait else None):
            continue
        holder = _live_holder(home)
        if not wait:
            raise Busy(holder)
        if not said:
            who = f" ({holder.describe()})" if holder else ""
            waiting(f"waiting for another nkcorpus index{who}…")
            said = True
        deadline = time.monotonic() + CHECK_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            fd = _try(home)
            if fd is not None:
                return fd


def _live_holder(home: Path) -> Holder | None:
    """Who holds the lock, as far as can be told."""
    recorded = read_holder(home)
    if recorded is not None and alive(recorded.pid, recorded.start):
        return recorded
    for pid, _ in flock_holders(home / LOCK):
        return Holder(pid, proc_start(pid), _started_wall(pid), " ".join(proc_command(pid) or "?"))
    return recorded


def _started_wall(pid: int) -> float:
    try:
        return os.stat(f"/proc/{pid}").st_mtime
    except OSError:
        return time.time()


def _clear_stale(home: Path, warn: Callable[[str], None] | None,
                 seen: dict[int, float] | None = None) -> bool:
    """Deal with a lock held by no live nkcorpus indexer; True if something
    was done (then try again). See the module's docstring.

    A live holder that is not the recorded one may be an nkcorpus process
    between taking the lock and recording itself: it is taken for a
    foreign one only if it is still so after ``CHECK_SECONDS`` (``seen``:
    pid -> when first seen; without it, never)."""
    recorded = read_holder(home)
    if recorded is not None and alive(recorded.pid, recorded.start):
        return False  # a live indexer: wait for it
    holders = flock_holders(home / LOCK)
    if holders:
        orphans, foreign = [], []
        for pid, locker in holders:
            if not alive(locker):  # a descriptor inherited from a process now dead
                ours = (recorded is not None and locker == recorded.pid) or is_nkcorpus(proc_command(pid))
                (orphans if ours else foreign).append(pid)
            elif not is_nkcorpus(proc_command(locker)) and seen is not None:
                first = seen.setdefault(locker, time.monotonic())
                if time.monotonic() - first >= CHECK_SECONDS:
                    foreign.append(pid)
        if orphans:
            for pid in orphans:
                _kill(pid)
            dead = f" (pid {recorded.pid})" if recorded is not None else ""
            _say(warn, f"took over the index lock from pid {', '.join(map(str, orphans))}, left "
                       f"behind by an nkcorpus index{dead} that was killed")
            return True
        if foreign:
            pid = foreign[0]
            _replace(home)
            _say(warn, f"the index lock was held by pid {pid} ({_short(proc_command(pid))}), "
                       f"which is not an nkcorpus index; took it over")
            return True
        return False
    if recorded is not None and not flock_visible():
        # the recorded holder is dead and no holder can be seen, yet flock
        # is busy: a new lock file
        _replace(home)
        _say(warn, f"the index lock's holder (pid {recorded.pid}) is gone; took it over")
        return True
    return False


def flock_visible() -> bool:
    """Whether ``flock_holders`` can see holders here (Linux /proc)."""
    return os.path.exists(f"/proc/{os.getpid()}/fdinfo")


def is_nkcorpus(command: list[str] | None) -> bool:
    """A command line of nkcorpus: the ``nkcorpus`` script (run by an
    interpreter or not) or ``python -m nkcorpus``; its forked workers
    have the same command line."""
    if not command:
        return False
    if any(os.path.basename(arg) == "nkcorpus" for arg in command[:2]):
        return True
    return any(a == "-m" and b.split(".")[0] == "nkcorpus" for a, b in zip(command, command[1:]))


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and alive(pid, None) and _proc_state(pid) not in ("Z", None):
        time.sleep(0.05)


def _replace(home: Path) -> None:
    """Put a new, unlocked lock file where the held one was."""
    tmp = home / f".{LOCK}.{os.getpid()}.tmp"
    os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644))
    os.replace(tmp, home / LOCK)
    (home / HOLDER).unlink(missing_ok=True)


def _say(warn: Callable[[str], None] | None, message: str) -> None:
    if warn is not None:
        warn(message)


def _short(words: list[str] | None) -> str:
    command = " ".join(words or ["?"])
    return command if len(command) <= 60 else command[:57] + "..."

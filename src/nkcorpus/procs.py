"""Process hygiene: workers that never outlive the indexer, and SIGTERM /
SIGHUP stopping the CLI as cleanly as Ctrl-C.

Workers (``worker_started``, first thing in a forked worker):

* they close their inherited copy of the writer lock (``lockfile``);
* on Linux the kernel kills them when the indexer dies, however it dies
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and they check that the indexer
  is still their parent (it may have died before the ``prctl``);
* elsewhere a watchdog thread ends them within a second of the indexer's
  death (their parent pid changes);
* they ignore SIGINT, SIGTERM and SIGHUP (a terminal closing sends SIGHUP to
  the whole foreground group): the indexer stops them itself, with SIGKILL,
  after it has decided what to keep.

The CLI (``stop_on_signals``): SIGINT, SIGTERM and SIGHUP raise ``Stopped``,
a ``KeyboardInterrupt``, so every clean-stop path of Ctrl-C runs (the writer
is cancelled, the workers are stopped, the last checkpoint is kept); the
exit code is 128 + the signal's number (SIGINT 130, SIGTERM 143, SIGHUP 129).
Python drops an exception raised while a finalizer runs, so the build's
loop also checks (``raise_if_stopped``) that no signal went unheeded.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
_STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: stop as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_stopped_by: int | None = None  # the signal ``Stopped`` was raised for


def exit_code(exc: BaseException | None = None) -> int:
    """128 + the signal that stopped the process (130 for Ctrl-C). Without
    ``exc`` (a framework caught it): the last signal ``Stopped`` was raised for."""
    if isinstance(exc, Stopped):
        return exc.exit_code
    return 128 + (_stopped_by or signal.SIGINT)


def stop_on_signals() -> None:
    """In the CLI's main thread: SIGINT, SIGTERM and SIGHUP raise ``Stopped``."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _STOPS:
        signal.signal(signum, _raise)
    sys.unraisablehook = _quiet_stops(sys.unraisablehook)


def _quiet_stops(hook):
    """A ``Stopped`` raised in a finalizer is lost (and raised again by
    ``raise_if_stopped``): no "Exception ignored" traceback for it."""
    def unraisable(info) -> None:
        if not isinstance(info.exc_value, Stopped):
            hook(info)

    return unraisable


def say_interrupted() -> None:
    """``nkcorpus: interrupted`` on stderr, if there still is one (after
    SIGHUP the terminal may be gone: writing to it fails)."""
    try:
        print("nkcorpus: interrupted", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def leave(code: int) -> None:
    """End the process after a stop, without the interpreter's exit
    handlers: a stop may have interrupted a library's finalizer (say, the
    one that ends multiprocessing's queue thread), and joining it would
    wait forever. Workers die with this process; the lock goes with it;
    the last checkpoint stays for the next run."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _raise(signum: int, frame) -> None:
    global _stopped_by
    if _stopped_by is not None:  # a second one while stopping: stop now
        os._exit(128 + signum)  # (workers die with us; the checkpoint stays)
    _stopped_by = signum
    raise Stopped(signum)


def stopped() -> bool:
    """Whether a stop signal came."""
    return _stopped_by is not None


def raise_if_stopped() -> None:
    """Raise ``Stopped`` again if a signal came: an exception raised by a
    signal handler is lost when it lands in a finalizer (a weakref callback,
    ``__del__``), and the work would go on. Long loops call this."""
    if _stopped_by is not None:
        raise Stopped(_stopped_by)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back (they come after): around
    starting a worker, so that a stop cannot fall between the fork and the
    parent's record of the child (which then could not be stopped)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_started(parent: int) -> None:
    """First thing in a forked worker whose indexer is ``parent`` (after
    it closed the lock descriptor it inherited: ``store.lockfile``)."""
    for signum in _STOPS:
        signal.signal(signum, signal.SIG_IGN)  # the indexer stops us
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)  # held at the fork
    if not _die_with_parent():
        _watch(parent)
    if os.getppid() != parent:  # the indexer died before we could ask
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """Elsewhere: a thread that ends this process when ``parent`` is gone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="nkcorpus-parent-watch", daemon=True).start()

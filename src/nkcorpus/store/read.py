"""Read the index of a corpus, fresh: update it first if the corpus changed,
and rebuild it once if it turns out damaged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from nkcorpus.errors import IndexError_, NkError
from nkcorpus.store import integrity
from nkcorpus.store.backend import DamagedData, backend
from nkcorpus.store.freshness import fresh_live
from nkcorpus.store.layout import current_generation, index_command
from nkcorpus.store.lock import try_lock, unlock, writer_lock
from nkcorpus.store.manifest import MANIFEST, load_manifest, usable_manifest

if TYPE_CHECKING:
    from nkcorpus.store.update import Progress

T = TypeVar("T")
Reader = object  # the backend's reader (store.backend)


class _Damaged(Exception):
    """The live generation failed a check or a read (internal)."""

    def __init__(self, gen: Path, reason: str) -> None:
        super().__init__(reason)
        self.gen, self.reason = gen, reason


def read_fresh(root: Path, home: Path, read: Callable[[Reader], T],
               progress: Progress | None = None,
               update_allowed: bool = True) -> tuple[T, tuple[str, ...]]:
    """``read(opened)`` on the up-to-date index of ``root``, and warnings.

    Whoosh reads lazily, so a damaged index may fail in ``read``, not only
    when opened. A failure is tried once more on whatever index is live then
    (a concurrent writer may have replaced files under this reader); if that
    fails too, the index is rebuilt from the corpus and ``read`` runs again.
    """
    warnings: list[str] = []
    known = fresh_live(root, home) if update_allowed else None
    if update_allowed and known is None:
        warnings.extend(_update_or_skip(root, home, progress))
    damage = None
    for attempt in range(2):
        try:
            live = known if attempt == 0 else None  # a retry reads everything again
            return _read_live(root, home, read, damage=True, known=live), tuple(warnings)
        except _Damaged as exc:
            damage = exc
    warnings.extend(_rebuild_damaged(root, home, progress, damage, update_allowed))
    return _read_live(root, home, read, damage=False), tuple(warnings)


def _read_live(root: Path, home: Path, read: Callable[[Reader], T], damage: bool,
               known: Path | None = None) -> T:
    """Open the live generation and read it. With ``damage``, failures of the
    index raise ``_Damaged``; without, whatever failed propagates as it is.
    ``known``: the generation the freshness check just found up to date with
    its manifest (which need not be read again)."""
    gen = current_generation(home)
    if gen is None or (gen != known and not _manifest_readable(gen)):
        if damage and gen is not None:
            raise _Damaged(gen, f"{MANIFEST} is missing or unreadable")
        raise IndexError_(f"no index for {root}", hint=f"run: {index_command(root, home)}")
    reason = integrity.check(gen) if damage else None
    if reason:
        raise _Damaged(gen, reason)
    try:
        with backend().open(gen) as reader:
            return read(reader)
    except NkError:
        raise
    except Exception as exc:
        if damage and (isinstance(exc, DamagedData) or _raised_by_engine(exc)):
            raise _Damaged(gen, integrity.describe(exc)) from exc
        raise


_READABLE: set[tuple] = set()  # manifests found readable in this process, by file identity


def _manifest_readable(gen: Path) -> bool:
    """Whether ``gen``'s manifest loads. A manifest is written once, by an
    atomic rename, so one that loaded keeps its identity (inode, size,
    mtime): a library user's later searches of the same generation need not
    parse it again (21,940 files: some 40 ms a search)."""
    try:
        st = (gen / MANIFEST).stat()
    except OSError:
        return False
    key = (str(gen), st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _READABLE:
        return True
    if load_manifest(gen) is None:
        return False
    _READABLE.add(key)
    return True


def _raised_by_engine(exc: BaseException) -> bool:
    """True if the innermost frame of ``exc`` is in Whoosh (or the standard
    library it called), not in nkcorpus: a damaged index, not a bug here."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    name = tb.tb_frame.f_globals.get("__name__", "")
    return not name.startswith("nkcorpus")


def _rebuild_damaged(root: Path, home: Path, progress: Progress | None, damage: _Damaged,
                     update_allowed: bool) -> list[str]:
    """Rebuild the damaged live generation (once, under the writer lock);
    the warning to show. Nothing to do if another process replaced it."""
    if current_generation(home) != damage.gen:
        return []
    if not update_allowed:
        raise _damaged_error(root, home, damage)
    from nkcorpus.store.update import (SEARCH_EMBED_TEXTS, IndexWriteError, Progress, _update_locked,
                                       _write_errors)

    progress = progress or Progress()
    try:
        with _write_errors(home), writer_lock(home, progress):
            if current_generation(home) != damage.gen:
                return []
            _update_locked(root, home, progress, rebuild=True, embed_limit=SEARCH_EMBED_TEXTS)
    except IndexWriteError as exc:
        raise _damaged_error(root, home, damage, f"; it cannot be rebuilt: {exc.message}") from None
    return [f"the index of {root} was damaged ({damage.reason}); rebuilt it"]


def _damaged_error(root: Path, home: Path, damage: _Damaged, more: str = "") -> IndexError_:
    return IndexError_(f"the index at {damage.gen} is damaged ({damage.reason}){more}",
                       hint=f"run: {index_command(root, home, rebuild=True)}")


def _update_or_skip(root: Path, home: Path, progress: Progress | None) -> list[str]:
    """Update before a search; if the index folder cannot be written, the
    index as it was answers (with a warning)."""
    from nkcorpus.store.update import IndexWriteError, Progress, _write_errors

    try:
        with _write_errors(home):
            return _update_now(root, home, progress or Progress())
    except IndexWriteError as exc:
        if current_generation(home) is None:
            raise
        return [f"{exc.message}; searching the index as it was (it may be out of date)"]


def _update_now(root: Path, home: Path, progress: Progress) -> list[str]:
    """Update, unless another process is doing it and the index it left can
    answer meanwhile (then a warning); the notes to show."""
    from nkcorpus.store.update import SEARCH_EMBED_TEXTS, _update_locked, update

    fd = try_lock(home)
    if fd is None:
        if usable_manifest(current_generation(home)) is not None:
            return ["another process is updating the index; results may be out of date"]
        return list(update(root, home, progress).notes)
    try:
        return list(_update_locked(root, home, progress, rebuild=False,
                                   embed_limit=SEARCH_EMBED_TEXTS).notes)
    finally:
        unlock(home, fd)


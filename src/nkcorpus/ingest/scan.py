"""Find a corpus's files (stat only, nothing is read).

Scanning costs one ``stat`` per entry and reads nothing, so checking whether
an index is stale is cheap. Hidden files and folders are skipped (as ripgrep
does); links to folders are not followed (so there are no loops); links to
files are followed wherever they point. Entries that can never be read (a
broken link, a link loop, a FIFO named ``*.txt``, a name that is not UTF-8,
a folder that cannot be listed) are reported by the scan, not raised.
"""

from __future__ import annotations

import errno
import os
import stat as stat_mod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nkcorpus.errors import CorpusError
from nkcorpus.ingest.extract import SUPPORTED_SUFFIXES
from nkcorpus.ingest.meta import is_sidecar_name
from nkcorpus.settings import FOLLOW_ENV

class FileStat(NamedTuple):
    """What a scan knows of a file; ``problem`` says why it cannot be read.
    (A tuple, not a dataclass: a scan makes one per file, and a search of a
    20,000-file corpus scans it first.)"""

    size: int
    mtime_ns: int
    ctime_ns: int = 0
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Scan:
    """A corpus scan: indexable files (rel POSIX path -> stat) and the number
    of other files by suffix (not indexed: an unsupported type)."""

    files: dict[str, FileStat]
    ignored: dict[str, int] = field(default_factory=dict)
    # CSV/TSV files in the corpus root that may hold metadata (ingest.meta):
    # name -> (size, mtime_ns)
    sidecars: dict[str, tuple[int, int]] = field(default_factory=dict)


def check_root(root: Path) -> Path:
    """The corpus folder, resolved; a CorpusError if it is not a folder."""
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"not a folder: {root}", hint="--corpus takes a folder of documents")
    return root.resolve()


# --- scanning --------------------------------------------------------------------


def scan(root: Path, follow_outside: bool | None = None) -> Scan:
    """Every indexable file below ``root`` (stat only, nothing is read).

    A link to a file outside ``root`` is followed only when asked
    (``follow_outside``, by default ``$NKCORPUS_FOLLOW_LINKS=1``). Every
    search of a corpus starts with this scan, so its loop works on plain
    strings: one ``stat`` per file and little else."""
    if follow_outside is None:
        follow_outside = os.environ.get(FOLLOW_ENV) == "1"
    found: dict[str, FileStat] = {}
    ignored: Counter[str] = Counter()
    sidecars: dict[str, tuple[int, int]] = {}
    cut = len(str(root).rstrip(os.sep)) + 1
    stack = [str(root)]
    while stack:
        for entry in _entries(Path(stack.pop()), root, found):
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            dot = name.rfind(".")
            suffix = name[dot:].lower() if dot > 0 else ""
            if suffix not in SUPPORTED_SUFFIXES:
                if not entry.is_symlink():
                    ignored[suffix or "(none)"] += 1
                if entry.path[cut:] == name and is_sidecar_name(name) and (
                        follow_outside or not _links_outside(entry, root)):
                    _note_sidecar(entry, sidecars)
                continue
            st = _regular_stat(entry)  # the common case, quickly
            if st is None:
                if not follow_outside and _links_outside(entry, root):
                    ignored["(link out of the corpus)"] += 1
                    continue
                st = _file_stat(entry)
            if st is not None:
                rel = entry.path[cut:]
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                found[rel] = st if rel.isascii() else _check_name(rel, st)
    return Scan(found, dict(sorted(ignored.items())), dict(sorted(sidecars.items())))


def _note_sidecar(entry: os.DirEntry, sidecars: dict[str, tuple[int, int]]) -> None:
    """Record a possible metadata file of the corpus root (followed if a link)."""
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError:
        return
    if stat_mod.S_ISREG(st.st_mode):
        sidecars[entry.name] = (st.st_size, st.st_mtime_ns)


def _entries(folder: Path, root: Path, found: dict[str, FileStat]) -> list[os.DirEntry]:
    """The entries of a folder; a folder that cannot be listed is reported."""
    try:
        with os.scandir(folder) as it:
            return list(it)
    except FileNotFoundError:
        return []  # vanished while scanning: nothing there to index
    except OSError as exc:
        st = _lstat(folder)
        if st is not None and folder != root:
            found[_rel(str(folder), root) + "/"] = st._replace(
                problem=f"cannot list folder: {exc.strerror or type(exc).__name__}")
        elif folder == root:
            raise CorpusError(f"cannot list the corpus folder {root}: {exc.strerror}") from None
        return []


def _links_outside(entry: os.DirEntry, root: Path) -> bool:
    """True for a link whose target (resolved) lies outside ``root``."""
    if not entry.is_symlink():
        return False
    try:
        return not Path(entry.path).resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False  # a loop or broken link: _file_stat reports it


def _regular_stat(entry: os.DirEntry) -> FileStat | None:
    """The stat of a regular file that is not a link; None for anything
    else (a link, a FIFO, an entry that vanished), which ``_file_stat``
    looks at carefully."""
    if entry.is_symlink():
        return None
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    if not stat_mod.S_ISREG(st.st_mode):
        return None
    return _new_stat(FileStat, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, None))


_new_stat = tuple.__new__  # a FileStat without the Python-level __new__


def _file_stat(entry: os.DirEntry) -> FileStat | None:
    """The stat of a file entry (of its target, for a link), problems noted;
    None when it vanished or is a link to a folder."""
    try:
        st = entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        if not entry.is_symlink():
            return None  # vanished between listing and stat
        return _problem(entry, "broken symbolic link")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _problem(entry, "symbolic link loop")
        return _problem(entry, exc.strerror or type(exc).__name__)
    if stat_mod.S_ISDIR(st.st_mode):
        return None  # a link to a folder: not followed
    if not stat_mod.S_ISREG(st.st_mode):
        return _problem(entry, "not a regular file")
    return FileStat(st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _problem(entry: os.DirEntry, reason: str) -> FileStat | None:
    st = _lstat(Path(entry.path))
    return st._replace(problem=reason) if st is not None else None


def _lstat(path: Path) -> FileStat | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return FileStat(st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _rel(path: str, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def _check_name(rel: str, st: FileStat) -> FileStat:
    """A file whose name is not valid UTF-8 cannot be shown or stored: a problem."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return st._replace(problem="file name is not valid UTF-8 (rename it to index it)")
    return st

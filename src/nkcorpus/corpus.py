"""Files -> documents: find a corpus's files and read them as clean text.

Scanning costs one ``stat`` per entry and reads nothing, so checking whether
an index is stale is cheap. Hidden files and folders are skipped (as ripgrep
does), folder symlinks are not followed (no loops), and a file symlink is
followed only when its target lies inside the corpus.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nkcorpus.errors import CorpusError
from nkcorpus.extract import SUPPORTED_SUFFIXES, ExtractError, extract
from nkcorpus.normalize import repair

# Files larger than this are skipped with a warning rather than read whole.
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileStat:
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Document:
    """A file's repaired text and how its text lines map to locations."""

    text: str
    unit: str
    locations: tuple[int, ...] | None
    title: str | None = None

    def location(self, line: int) -> int:
        """Location (in ``unit``) of 1-based text line ``line``."""
        if self.locations is None:
            return line
        return self.locations[min(line, len(self.locations)) - 1]


class SkipFile(Exception):
    """A file that cannot be indexed; the message says why, in a few words."""


def check_root(root: Path) -> Path:
    """The corpus folder, resolved; a CorpusError if it is not a folder."""
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"not a folder: {root}", hint="--corpus takes a folder of documents")
    return root.resolve()


def scan(root: Path) -> dict[str, FileStat]:
    """Every indexable file below ``root``: relative POSIX path -> stat."""
    found: dict[str, FileStat] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in _entries(folder):
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif _wanted(entry, root):
                stat = entry.stat()
                rel = Path(entry.path).relative_to(root).as_posix()
                found[rel] = FileStat(stat.st_size, stat.st_mtime_ns)
    return found


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []  # an unreadable or vanished folder holds nothing to index


def _wanted(entry: os.DirEntry, root: Path) -> bool:
    if os.path.splitext(entry.name)[1].lower() not in SUPPORTED_SUFFIXES:
        return False
    try:
        if entry.is_symlink():
            target = Path(entry.path).resolve(strict=True)
            return target.is_file() and target.is_relative_to(root)
        return entry.is_file(follow_symlinks=False)
    except (OSError, RuntimeError):
        return False


def read_document(root: Path, rel: str) -> Document:
    """Read and repair one file; SkipFile (with a short reason) if impossible."""
    path = root / rel
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SkipFile(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        extracted = extract(path)
    except ExtractError as exc:
        raise SkipFile(str(exc)) from None
    except FileNotFoundError:
        raise SkipFile("vanished while indexing") from None
    except OSError as exc:
        raise SkipFile(exc.strerror or type(exc).__name__) from None
    return Document(repair(extracted.text), extracted.unit, extracted.locations, extracted.title)

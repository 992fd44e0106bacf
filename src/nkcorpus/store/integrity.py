"""Checksums of an index generation's files, and the check that uses them.

Whoosh has no checksums: a truncated file usually makes it raise (sometimes
only while a search reads it), and a flipped bit mostly goes unnoticed. So
after every commit the size and CRC-32 of each index file are recorded in
``checksums.json`` beside the index, and checked before use:

* sizes always (one ``stat`` per file);
* CRCs when ``full`` is asked for (``nkcorpus index``) or when a file's
  ctime is later than the record's, i.e. something wrote to the file after
  the commit. ctime cannot be set from user space, so copying, editing or
  truncating a file is always noticed; bit rot on the disk itself is found
  by the next ``nkcorpus index``.

A record that names an older Whoosh TOC than the newest one present is
stale (a crash between a commit and its record): it checks nothing. An
index folder copied elsewhere has new ctimes, so its searches check CRCs
(correct, only slower) until the next update writes a new record.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path

from nkcorpus.store.fsutil import atomic_write

RECORD = "checksums.json"
_TOC = re.compile(r"_MAIN_(\d+)\.toc$")
_NOT_INDEX = {RECORD, "manifest.json", "pending.json", "scan.key"}  # nkcorpus's own files
_CHUNK = 1 << 20
# Passage vectors (store.vectors): recorded and checked like the index's
# files, except that a recorded one may be gone (merged or replaced).
VECTOR_PREFIX = "vec-"


def record(gen: Path, previous: dict | None = None) -> None:
    """Write the sizes and CRCs of ``gen``'s index files (reusing
    ``previous`` entries of files that Whoosh never rewrites: segments)."""
    previous = previous if previous is not None else _load(gen) or {}
    known = previous.get("files", {})
    files = {}
    for name in sorted(_index_files(gen)):
        size = (gen / name).stat().st_size
        old = known.get(name)
        reuse = old and old[0] == size and not _TOC.match(name)
        files[name] = old if reuse else [size, crc32(gen / name)]
    data = {"toc": _newest_toc(gen), "files": files}
    atomic_write(gen / RECORD, json.dumps(data, sort_keys=True))


def check(gen: Path, full: bool = False) -> str | None:
    """Why ``gen``'s index files cannot be trusted, or None if they can."""
    try:
        if not (gen / RECORD).exists():
            return None  # nothing recorded (an index from an older version)
        data = _load(gen)
        if data is None:
            return f"{RECORD} is unreadable"
        if _is_stale(gen, data.get("toc")):
            return None
        since = (gen / RECORD).stat().st_ctime_ns
        return _check_files(gen, data["files"], full, since)
    except OSError as exc:
        return describe(exc)


def _check_files(gen: Path, files: dict, full: bool, since: int) -> str | None:
    for name, (size, crc) in sorted(files.items()):
        problem = _check_file(gen / name, size, crc, full, since)
        if problem == "is missing" and name.startswith(VECTOR_PREFIX):
            continue  # vector files are immutable; merging chunks removes some (store.vectors)
        if problem:
            return f"{name} {problem}"
    return None


def _check_file(path: Path, size: int, crc: int, full: bool, since: int) -> str | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return "is missing"
    if st.st_size != size:
        return f"has {st.st_size} bytes instead of {size}"
    if (full or st.st_ctime_ns > since) and crc32(path) != crc:
        return "is corrupt (checksum mismatch)"
    return None


def crc32(path: Path) -> int:
    value = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            value = zlib.crc32(chunk, value)
    return value


def describe(exc: BaseException) -> str:
    """A short, one-line reason for an exception raised by a damaged index."""
    if isinstance(exc, OSError) and exc.strerror:
        name = Path(exc.filename).name if exc.filename else ""
        return f"{exc.strerror}: {name}" if name else exc.strerror
    detail = " ".join(str(exc).split())
    detail = detail if len(detail) <= 60 else detail[:57] + "..."
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _index_files(gen: Path) -> list[str]:
    return [
        entry.name for entry in os.scandir(gen)
        if entry.is_file() and not entry.name.startswith(".")
        and entry.name not in _NOT_INDEX and not entry.name.endswith("_WRITELOCK")
    ]


def _newest_toc(gen: Path) -> str | None:
    tocs = [(int(m.group(1)), name) for name in os.listdir(gen) if (m := _TOC.match(name))]
    return max(tocs)[1] if tocs else None


def _is_stale(gen: Path, recorded: str | None) -> bool:
    newest = _newest_toc(gen)
    if newest is None or recorded is None:
        return False
    return int(_TOC.match(newest).group(1)) > int(_TOC.match(recorded).group(1))


def _load(gen: Path) -> dict | None:
    """The record, or None if it is missing or malformed."""
    try:
        data = json.loads((gen / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not _well_formed(data):
        return None
    return data


def _well_formed(data) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return False
    toc = data.get("toc")
    if toc is not None and not (isinstance(toc, str) and _TOC.match(toc)):
        return False
    return all(_entry_ok(name, entry) for name, entry in data["files"].items())


def _entry_ok(name: str, entry: object) -> bool:
    """[size, crc] of a plain file name (never a path out of the folder)."""
    plain = "/" not in name and name not in ("", ".", "..")
    return plain and isinstance(entry, list) and len(entry) == 2 and all(type(x) is int for x in entry)



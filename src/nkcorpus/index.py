"""The Whoosh index of a corpus: where it lives, building it, keeping it fresh.

Layout, one folder per corpus under the index base::

    <base>/<name>-<hash>/lock        writers hold an flock on it
    <base>/<name>-<hash>/CURRENT     name of the live generation folder
    <base>/<name>-<hash>/gen-<id>/   a Whoosh index + manifest.json

A full build writes a new generation and then swaps ``CURRENT`` atomically,
so an interrupted build leaves the previous index searchable. An update
changes the live generation through Whoosh's own atomic commit; the manifest
(sizes and mtimes of indexed files) is written after the commit, so a crash
in between only makes the next run redo the same files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nkcorpus import corpus as corpus_mod
from nkcorpus.analysis import ANALYZER_VERSION, analyzer
from nkcorpus.errors import IndexError_
from nkcorpus.passages import split_passages

FORMAT_VERSION = "1"
MANIFEST = "manifest.json"
# Above this share of changed files a fresh build is cheaper than an update.
REBUILD_SHARE = 0.5
WRITER_LIMITMB = 256
# Below this much text a full build is quicker than starting worker processes.
PARALLEL_MIN_BYTES = 4 * 2**20


class Progress:
    """Receives indexing progress; the default does nothing."""

    def start(self, files: int, nbytes: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...

    def warn(self, rel: str, reason: str) -> None: ...

    def waiting(self, message: str) -> None: ...

    def finish(self) -> None: ...


@dataclass(slots=True)
class Manifest:
    root: str
    files: dict[str, list] = field(default_factory=dict)  # rel -> [size, mtime_ns, passages]
    skipped: dict[str, list] = field(default_factory=dict)  # rel -> [size, mtime_ns, reason]
    updated: float = 0.0
    format: str = FORMAT_VERSION
    analyzer: str = ANALYZER_VERSION

    def compatible(self) -> bool:
        return self.format == FORMAT_VERSION and self.analyzer == ANALYZER_VERSION

    def known(self) -> dict[str, tuple[int, int]]:
        both = {**self.files, **self.skipped}
        return {rel: (v[0], v[1]) for rel, v in both.items()}

    @property
    def passages(self) -> int:
        return sum(v[2] for v in self.files.values())


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class UpdateReport:
    changes: Changes
    full: bool
    documents: int
    passages: int
    skipped: tuple[tuple[str, str], ...]
    seconds: float


def schema():
    from whoosh.fields import ID, STORED, TEXT, Schema

    return Schema(
        path=ID(stored=True),
        unit=STORED,
        loc_start=STORED,
        loc_end=STORED,
        text=TEXT(analyzer=analyzer(stemmed=True), stored=True, phrase=True),
        raw=TEXT(analyzer=analyzer(stemmed=False), phrase=False),
    )


def corpus_home(base: Path, root: Path) -> Path:
    """The folder holding ``root``'s index under ``base``."""
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = re.sub(r"[^\w.-]+", "_", root.name)[:40] or "corpus"
    return base / f"{name}-{digest}"


# --- reading the live generation ---------------------------------------------


def current_generation(home: Path) -> Path | None:
    try:
        name = (home / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    gen = home / name
    return gen if name.startswith("gen-") and gen.is_dir() else None


def load_manifest(gen: Path) -> Manifest | None:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def diff(manifest: Manifest | None, found: dict[str, corpus_mod.FileStat]) -> Changes:
    known = manifest.known() if manifest else {}
    added = tuple(sorted(rel for rel in found if rel not in known))
    changed = tuple(
        sorted(rel for rel, st in found.items() if rel in known and known[rel] != (st.size, st.mtime_ns))
    )
    removed = tuple(sorted(rel for rel in known if rel not in found))
    return Changes(added, changed, removed)


def open_generation(gen: Path):
    from whoosh.index import open_dir

    return open_dir(str(gen))


# --- writing -----------------------------------------------------------------


@contextmanager
def writer_lock(home: Path, progress: Progress, wait: bool = True) -> Iterator[None]:
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
                    hint="wait for it to finish, then run the command again",
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


def update(root: Path, home: Path, progress: Progress | None = None,
           rebuild: bool = False, wait: bool = True) -> UpdateReport:
    """Bring the index of ``root`` up to date (a full build when needed)."""
    progress = progress or Progress()
    with writer_lock(home, progress, wait=wait):
        return _update_locked(root, home, progress, rebuild)


def _update_locked(root: Path, home: Path, progress: Progress, rebuild: bool) -> UpdateReport:
    started = time.perf_counter()
    found = corpus_mod.scan(root)
    gen = current_generation(home)
    manifest = load_manifest(gen) if gen else None
    if manifest is not None and not manifest.compatible():
        manifest = None
    changes = diff(manifest, found)
    full = rebuild or manifest is None or _mostly_changed(changes, len(found))
    if full:
        manifest = _build_full(root, home, found, progress)
        changes = diff(None, found)
    elif changes:
        _apply_changes(root, gen, manifest, changes, found, progress)
    _remove_stale_generations(home)
    return UpdateReport(
        changes, full, len(manifest.files), manifest.passages,
        tuple((rel, v[2]) for rel, v in sorted(manifest.skipped.items())),
        time.perf_counter() - started,
    )


def _mostly_changed(changes: Changes, total: int) -> bool:
    touched = len(changes.added) + len(changes.changed) + len(changes.removed)
    return total > 0 and touched > REBUILD_SHARE * total


def _build_full(root: Path, home: Path, found: dict, progress: Progress) -> Manifest:
    from whoosh.index import create_in

    gen = home / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    ix = create_in(str(gen), schema())
    manifest = Manifest(root=str(root))
    writer = _writer(ix, full=True, nbytes=sum(st.size for st in found.values()))
    try:
        _index_files(writer, root, sorted(found), found, manifest, progress)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _save_manifest(gen, manifest)
    _atomic_write(home / "CURRENT", gen.name)
    return manifest


def _apply_changes(root: Path, gen: Path, manifest: Manifest, changes: Changes,
                   found: dict, progress: Progress) -> None:
    ix = open_generation(gen)
    writer = _writer(ix, full=False)
    try:
        for rel in changes.removed + changes.changed:
            writer.delete_by_term("path", rel)
            manifest.files.pop(rel, None)
            manifest.skipped.pop(rel, None)
        _index_files(writer, root, changes.added + changes.changed, found, manifest, progress)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _save_manifest(gen, manifest)


def _writer(ix, full: bool, nbytes: int = 0):
    """Whoosh writer settings: a full build of a large corpus analyzes in one
    worker process per core (nkcorpus.parallel); updates and small corpora
    write in this process. The workers share the pool size (``limitmb``).

    Segments stay separate files (``compound=False``): Whoosh opens a file
    inside a compound segment by copying it into memory, which costs every
    search of a 40 MB corpus some 100 ms; separate files are read lazily."""
    if full and nbytes >= PARALLEL_MIN_BYTES:
        from nkcorpus.parallel import parallel_writer, usable_procs

        procs = usable_procs()
        if procs > 1:
            return parallel_writer(ix, procs, WRITER_LIMITMB // procs, compound=False)
    return ix.writer(limitmb=WRITER_LIMITMB, compound=False)


def _index_files(writer, root: Path, rels, found: dict, manifest: Manifest,
                 progress: Progress) -> None:
    progress.start(len(rels), sum(found[rel].size for rel in rels))
    for rel in rels:
        st = found[rel]
        try:
            document = corpus_mod.read_document(root, rel)
        except corpus_mod.SkipFile as exc:
            progress.warn(rel, str(exc))
            manifest.skipped[rel] = [st.size, st.mtime_ns, str(exc)]
        else:
            count = _add_document(writer, rel, document)
            manifest.files[rel] = [st.size, st.mtime_ns, count]
        progress.advance(st.size)
    progress.finish()
    manifest.updated = time.time()


def _add_document(writer, rel: str, document: corpus_mod.Document) -> int:
    passages = split_passages(document.text)
    for p in passages:
        writer.add_document(
            path=rel, unit=document.unit,
            loc_start=document.location(p.line_start), loc_end=document.location(p.line_end),
            text=p.text, raw=p.text,
        )
    return len(passages)


def _save_manifest(gen: Path, manifest: Manifest) -> None:
    data = {
        "root": manifest.root, "files": manifest.files, "skipped": manifest.skipped,
        "updated": manifest.updated, "format": manifest.format, "analyzer": manifest.analyzer,
    }
    _atomic_write(gen / MANIFEST, json.dumps(data, ensure_ascii=False))


def _atomic_write(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _remove_stale_generations(home: Path) -> None:
    live = current_generation(home)
    for entry in home.iterdir():
        if entry.name.startswith("gen-") and entry != live:
            shutil.rmtree(entry, ignore_errors=True)


# --- what search uses ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenIndex:
    index: object
    manifest: Manifest
    warnings: tuple[str, ...] = ()


def open_fresh(root: Path, home: Path, progress: Progress | None = None,
               update_allowed: bool = True) -> OpenIndex:
    """The index of ``root``, brought up to date first if files changed.

    When another process is indexing, the last committed index answers
    (with a warning), unless there is none yet: then this waits for it.
    """
    progress = progress or Progress()
    warnings: list[str] = []
    if update_allowed and _stale(root, home):
        warnings.extend(_update_or_skip(root, home, progress))
    gen = current_generation(home)
    manifest = load_manifest(gen) if gen else None
    if gen is None or manifest is None:
        raise IndexError_(f"no index for {root}", hint=f"run: nkcorpus index {root}")
    try:
        return OpenIndex(open_generation(gen), manifest, tuple(warnings))
    except Exception as exc:  # whoosh raises many kinds on a damaged index
        raise IndexError_(
            f"the index at {gen} cannot be read ({type(exc).__name__})",
            hint=f"run: nkcorpus index --rebuild {root}",
        ) from None


def _stale(root: Path, home: Path) -> bool:
    gen = current_generation(home)
    manifest = load_manifest(gen) if gen else None
    if manifest is None or not manifest.compatible():
        return True
    return bool(diff(manifest, corpus_mod.scan(root)))


def _update_or_skip(root: Path, home: Path, progress: Progress) -> list[str]:
    fd = try_lock(home)
    if fd is None:
        if current_generation(home) is not None:
            return ["another process is updating the index; results may be out of date"]
        update(root, home, progress)
        return []
    try:
        _update_locked(root, home, progress, rebuild=False)
    finally:
        os.close(fd)
    return []

"""The Whoosh index of a corpus: where it lives, building it, keeping it fresh.

Layout, one folder per corpus under the index base::

    <base>/<name>-<hash>/lock        writers hold an flock on it
    <base>/<name>-<hash>/CURRENT     name of the live generation folder
    <base>/<name>-<hash>/gen-<id>/   a Whoosh index + manifest.json

A full build writes a new generation and then swaps ``CURRENT`` atomically,
so an interrupted build leaves the previous index searchable. An update
changes the live generation through Whoosh's own atomic commit. Before it
starts, the paths it touches are written to ``pending.json``; the manifest
(sizes and mtimes of indexed files) is written after the commit, and only
then is ``pending.json`` removed. A run killed at any point thus leaves
either the old or the new index, and the next run reads the pending paths
again (deleting what the killed run may have committed), so no passage is
lost, doubled or left behind. Each run under the lock first removes what a
killed run left: dead generations, temporary files, Whoosh's orphan segments.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nkcorpus import corpus as corpus_mod
from nkcorpus.analysis import ANALYZER_VERSION, analyzer, with_context
from nkcorpus.errors import IndexError_
from nkcorpus.passages import split_passages

FORMAT_VERSION = "3"  # 3: text holds the passage's context after its words
MANIFEST = "manifest.json"
JOURNAL = "pending.json"
# Above this share of changed files a fresh build is cheaper than an update.
REBUILD_SHARE = 0.5
# Whoosh's in-memory pool; the process's peak memory grows with it.
WRITER_LIMITMB = 128


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
    skipped: dict[str, list] = field(default_factory=dict)  # rel -> [size, mtime_ns, ctime_ns, reason]
    ignored: dict[str, int] = field(default_factory=dict)  # suffix -> files not indexed
    updated: float = 0.0
    format: str = FORMAT_VERSION
    analyzer: str = ANALYZER_VERSION

    def compatible(self) -> bool:
        return self.format == FORMAT_VERSION and self.analyzer == ANALYZER_VERSION

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
    skipped: tuple[tuple[str, str], ...]  # every file the index lacks, and why
    warnings: tuple[tuple[str, str], ...]  # the files this run could not index
    files_read: int
    bytes_read: int
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


def load_journal(gen: Path) -> frozenset[str]:
    """Paths an interrupted update was changing (empty when none was)."""
    try:
        return frozenset(json.loads((gen / JOURNAL).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return frozenset()
    except (OSError, ValueError, TypeError):
        raise IndexError_(f"the index at {gen} is damaged ({JOURNAL} cannot be read)",
                          hint="run: nkcorpus index --rebuild DIR") from None


def usable_manifest(gen: Path | None) -> Manifest | None:
    """The live manifest, or None when there is none or it is outdated."""
    manifest = load_manifest(gen) if gen else None
    return manifest if manifest is not None and manifest.compatible() else None


def diff(manifest: Manifest | None, found: dict[str, corpus_mod.FileStat],
         dirty: frozenset[str] = frozenset()) -> Changes:
    """What changed since ``manifest``. A file indexed before counts as
    changed when its size or mtime differ; a file skipped before also when
    its ctime differs (a chmod may have made it readable). ``dirty`` paths
    (of an interrupted update) count as changed, or removed when gone."""
    files = manifest.files if manifest else {}
    skipped = manifest.skipped if manifest else {}
    added, changed = [], []
    for rel, st in found.items():
        if rel in dirty:
            changed.append(rel)
        elif rel in files:
            if files[rel][:2] != [st.size, st.mtime_ns]:
                changed.append(rel)
        elif rel in skipped:
            if skipped[rel][:3] != [st.size, st.mtime_ns, st.ctime_ns]:
                changed.append(rel)
        else:
            added.append(rel)
    removed = {rel for rel in (*files, *skipped, *dirty) if rel not in found}
    return Changes(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))


def open_generation(gen: Path):
    from whoosh.index import open_dir

    return open_dir(str(gen))


# --- the writer lock ---------------------------------------------------------------


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


# --- writing -------------------------------------------------------------------------


def update(root: Path, home: Path, progress: Progress | None = None,
           rebuild: bool = False, wait: bool = True) -> UpdateReport:
    """Bring the index of ``root`` up to date (a full build when needed)."""
    progress = progress or Progress()
    with writer_lock(home, progress, wait=wait):
        return _update_locked(root, home, progress, rebuild)


def _update_locked(root: Path, home: Path, progress: Progress, rebuild: bool) -> UpdateReport:
    started = time.perf_counter()
    tidy(home)
    found = corpus_mod.scan(root)
    gen = current_generation(home)
    manifest = usable_manifest(gen)
    changes = diff(manifest, found.files, load_journal(gen) if manifest else frozenset())
    batch = _Batch(root, found.files, progress)
    if rebuild or manifest is None or _mostly_changed(changes, len(found.files)):
        manifest = _build_full(home, batch, found.ignored)
        changes, full = diff(None, found.files), True
    else:
        full = False
        if changes:
            _apply_changes(gen, manifest, changes, batch, found.ignored)
        elif manifest.ignored != found.ignored:
            manifest.ignored = found.ignored
            _save_manifest(gen, manifest)
    tidy(home)
    return batch.report(changes, full, manifest, time.perf_counter() - started)


def _mostly_changed(changes: Changes, total: int) -> bool:
    touched = len(changes.added) + len(changes.changed) + len(changes.removed)
    return total > 0 and touched > REBUILD_SHARE * total


@dataclass(slots=True)
class _Batch:
    """Files read by one writer, and what came of them."""

    root: Path
    found: dict[str, corpus_mod.FileStat]
    progress: Progress
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files_read: int = 0
    bytes_read: int = 0

    def index(self, writer, rels, manifest: Manifest) -> None:
        """Add ``rels`` to the writer and record each in ``manifest``."""
        self.progress.start(len(rels), sum(self.found[rel].size for rel in rels))
        try:
            for rel in rels:
                self._index_one(writer, rel, manifest)
                self.progress.advance(self.found[rel].size)
        finally:
            self.progress.finish()
        manifest.updated = time.time()

    def _index_one(self, writer, rel: str, manifest: Manifest) -> None:
        st = self.found[rel]
        if st.problem:
            return self._skip(rel, st, st.problem, manifest)
        count = 0
        try:
            for document in corpus_mod.read_parts(self.root, rel):
                count += _add_document(writer, rel, document)
        except corpus_mod.SkipFile as exc:
            reason = f"{exc} (after {count} passages)" if count else str(exc)
            return self._skip(rel, st, reason, manifest, record=not exc.vanished)
        manifest.files[rel] = [st.size, st.mtime_ns, count]
        self.files_read += 1
        self.bytes_read += st.size

    def _skip(self, rel: str, st, reason: str, manifest: Manifest, record: bool = True) -> None:
        self.progress.warn(rel, reason)
        self.warnings.append((rel, reason))
        if record:
            manifest.skipped[rel] = [st.size, st.mtime_ns, st.ctime_ns, reason]

    def report(self, changes: Changes, full: bool, manifest: Manifest, seconds: float) -> UpdateReport:
        skipped = tuple((rel, v[3]) for rel, v in sorted(manifest.skipped.items()))
        return UpdateReport(changes, full, len(manifest.files), manifest.passages, skipped,
                            tuple(self.warnings), self.files_read, self.bytes_read, seconds)


def _build_full(home: Path, batch: _Batch, ignored: dict[str, int]) -> Manifest:
    """Index every file into a new generation, then make it the live one."""
    from whoosh.index import create_in

    gen = home / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    ix = create_in(str(gen), schema())
    manifest = Manifest(root=str(batch.root), ignored=ignored)
    writer = ix.writer(limitmb=WRITER_LIMITMB)
    try:
        batch.index(writer, sorted(batch.found), manifest)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _save_manifest(gen, manifest)
    _atomic_write(home / "CURRENT", gen.name)
    return manifest


def _apply_changes(gen: Path, manifest: Manifest, changes: Changes, batch: _Batch,
                   ignored: dict[str, int]) -> None:
    """Delete, re-read and add the changed files in the live generation."""
    touched = changes.added + changes.changed + changes.removed
    _atomic_write(gen / JOURNAL, json.dumps(sorted(touched)))
    writer = open_generation(gen).writer(limitmb=WRITER_LIMITMB)
    try:
        with writer.searcher() as searcher:
            for rel in changes.removed + changes.changed:
                writer.delete_by_term("path", rel, searcher=searcher)
        for rel in touched:
            manifest.files.pop(rel, None)
            manifest.skipped.pop(rel, None)
        batch.index(writer, changes.added + changes.changed, manifest)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    manifest.ignored = ignored
    _save_manifest(gen, manifest)
    (gen / JOURNAL).unlink()


def _add_document(writer, rel: str, document: corpus_mod.Document) -> int:
    passages = split_passages(document.text, document.title)
    for p in passages:
        writer.add_document(
            path=rel, unit=document.unit,
            loc_start=document.location(p.line_start), loc_end=document.location(p.line_end),
            text=with_context(p.text, p.context), _stored_text=p.text, raw=p.text,
        )
    return len(passages)


def _save_manifest(gen: Path, manifest: Manifest) -> None:
    data = {
        "root": manifest.root, "files": manifest.files, "skipped": manifest.skipped,
        "ignored": manifest.ignored, "updated": manifest.updated,
        "format": manifest.format, "analyzer": manifest.analyzer,
    }
    # ASCII escapes: a file name that is not UTF-8 must not break the manifest
    _atomic_write(gen / MANIFEST, json.dumps(data))


def _atomic_write(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def tidy(home: Path) -> None:
    """Remove what killed runs left behind (call with the writer lock held):
    dead generations, temporary files, and Whoosh's orphan segments and pool
    folder in the live generation."""
    live = current_generation(home)
    for entry in home.iterdir():
        if entry.name.startswith("gen-") and entry != live:
            shutil.rmtree(entry, ignore_errors=True)
        elif _is_temp(entry.name):
            entry.unlink(missing_ok=True)
    if live is not None:
        _tidy_generation(live)


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _tidy_generation(gen: Path) -> None:
    from whoosh.index import TOC, clean_files

    for entry in gen.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)  # Whoosh's MAIN.tmp pool
        elif _is_temp(entry.name):
            entry.unlink(missing_ok=True)
    try:
        ix = open_generation(gen)
        toc = TOC.read(ix.storage, ix.indexname)
    except Exception:
        return  # unreadable: searches say so, --rebuild replaces it
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)


# --- what search uses ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenIndex:
    index: object
    manifest: Manifest
    warnings: tuple[str, ...] = ()


OPEN_ATTEMPTS = 3


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
    return OpenIndex(*_open_live(root, home), tuple(warnings))


def _open_live(root: Path, home: Path):
    """(index, manifest) of the live generation; retried when a writer
    replaced the generation while it was being opened."""
    for attempt in range(OPEN_ATTEMPTS):
        gen = current_generation(home)
        manifest = load_manifest(gen) if gen else None
        if gen is None or manifest is None:
            raise IndexError_(f"no index for {root}", hint=f"run: nkcorpus index {root}")
        try:
            return open_generation(gen), manifest
        except Exception as exc:  # whoosh raises many kinds on a damaged index
            if attempt + 1 == OPEN_ATTEMPTS or current_generation(home) == gen:
                raise IndexError_(
                    f"the index at {gen} cannot be read ({type(exc).__name__})",
                    hint=f"run: nkcorpus index --rebuild {root}",
                ) from None
    raise AssertionError("unreachable")


def _stale(root: Path, home: Path) -> bool:
    gen = current_generation(home)
    manifest = usable_manifest(gen)
    if manifest is None or (gen / JOURNAL).exists():
        return True
    return bool(diff(manifest, corpus_mod.scan(root).files))


def _update_or_skip(root: Path, home: Path, progress: Progress) -> list[str]:
    fd = try_lock(home)
    if fd is None:
        if usable_manifest(current_generation(home)) is not None:
            return ["another process is updating the index; results may be out of date"]
        update(root, home, progress)
        return []
    try:
        _update_locked(root, home, progress, rebuild=False)
    finally:
        os.close(fd)
    return []

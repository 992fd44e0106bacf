"""Build or update the index of a corpus: files -> passages -> the backend.

A full build writes a new generation and then swaps ``CURRENT`` atomically
(``layout``), so an interrupted build leaves the previous index searchable.
An update changes the live generation through the backend's atomic commit.
Before it starts, the paths it touches are written to ``pending.json``; the
manifest is written after the commit, and only then is ``pending.json``
removed. A run killed at any point thus leaves either the old or the new
index, and the next run reads the pending paths again (deleting what the
killed run may have committed), so no passage is lost, doubled or left
behind. Each run under the lock first removes what a killed run left: dead
generations, temporary files, the backend's orphan files.

After every commit the index files' sizes and checksums are recorded
(``integrity``). A damaged, foreign or outdated index is found before use
(or when the backend fails reading it) and rebuilt from the corpus once,
with a warning; a corpus folder that vanished never empties its index.
"""

from __future__ import annotations

import errno
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from nkcorpus.analysis import ANALYZER_VERSION
from nkcorpus.errors import CorpusError, IndexError_
from nkcorpus.ingest import meta as docmeta
from nkcorpus.ingest.read import SkipFile, passages_of, read_parts
from nkcorpus.ingest.scan import FileStat, scan
from nkcorpus.store import integrity
from nkcorpus.store.backend import backend
from nkcorpus.store.freshness import save_key
from nkcorpus.store.fsutil import atomic_write
from nkcorpus.store.layout import current_generation, tidy
from nkcorpus.store.lock import writer_lock
from nkcorpus.store.manifest import (FORMAT_VERSION, JOURNAL, MANIFEST, Changes, Manifest,
                                     analysis_fingerprint, diff, load_journal, load_manifest,
                                     save_manifest)

# A search's own update embeds at most this many texts (about a minute of
# work on one core, docs/semantic-notes.md); more is left to `nkcorpus index`.
SEARCH_EMBED_TEXTS = 600
# Above this share of changed files a fresh build is cheaper than an update.
REBUILD_SHARE = 0.5
# A file's document record (its evidence for its passages' ranking) holds
# this much of its text at most: a 20 MB file is judged by its first 0.5 MB.
DOC_CHARS = 500_000


class Progress:
    """Receives indexing progress; the default does nothing."""

    def start(self, files: int, nbytes: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...

    def warn(self, rel: str, reason: str) -> None: ...

    def waiting(self, message: str) -> None: ...

    def finish(self) -> None: ...

    # meaning search: passage vectors being computed (store.vectors)
    def embed_start(self, texts: int) -> None: ...

    def embed_advance(self, texts: int) -> None: ...

    def embed_finish(self) -> None: ...


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
    notes: tuple[str, ...] = ()  # about the index itself, e.g. a damaged one rebuilt
    vectors: object | None = None  # store.vectors.EmbedReport when meaning search is on


class IndexWriteError(IndexError_):
    """The index folder cannot be written: read-only, full, not a folder."""


def update(root: Path, home: Path, progress: Progress | None = None,
           rebuild: bool = False, wait: bool = True, semantic: bool | None = None) -> UpdateReport:
    """Bring the index of ``root`` up to date (a full build when needed).
    ``semantic``: switch meaning search on or off for this corpus (remembered);
    when on, every passage vector missing is computed."""
    from nkcorpus.store import resume

    progress = progress or Progress()
    with _write_errors(home), writer_lock(home, progress, wait=wait):
        if semantic is not None:
            from nkcorpus.store import vectors

            vectors.set_setting(home, semantic)
        rebuild = rebuild or resume.pending(home, root)  # finish an interrupted build
        return _update_locked(root, home, progress, rebuild, verify=True, embed_limit=None)


def _update_locked(root: Path, home: Path, progress: Progress, rebuild: bool,
                   verify: bool = False, embed_limit: int | None = None) -> UpdateReport:
    """Update under the writer lock. ``verify`` checks every checksum of
    the live index first; one that fails a check is rebuilt, with a note.
    ``embed_limit``: passage vectors (when meaning search is on) are
    computed only if at most that many texts lack one (None: all; a
    search's update passes SEARCH_EMBED_TEXTS)."""
    started = time.perf_counter()
    tidy(home)
    found = scan(root)
    _check_corpus(root)
    gen = current_generation(home)
    manifest, note = (None, None) if rebuild else _live_or_why(root, home, gen, verify)
    changes = diff(manifest, found.files, load_journal(gen) if manifest else frozenset())
    batch = _Batch(root, found.files, progress, sidecars=docmeta.signature(found.sidecars))
    restat = manifest is not None and manifest.sidecar != batch.sidecars
    metadata_changed = manifest is not None and _sidecar_changed(manifest, batch)
    full = manifest is None or metadata_changed or _mostly_changed(changes, len(found.files))
    notes = [note] if note else []
    if full:
        manifest = _build_full(home, batch, found.ignored)
        changes = diff(None, found.files)
        notes += batch.sidecar_notes(found.files)
    else:
        _apply_changes(gen, manifest, changes, batch, found.ignored, save=restat)
    job = _vectors_job(root, home, gen, manifest)
    tidy(home)
    save_key(current_generation(home), found)
    vectors = job.finish(progress, embed_limit) if job else None
    report = batch.report(changes, full, manifest, time.perf_counter() - started, tuple(notes))
    return replace(report, vectors=vectors) if vectors else report


def _sidecar_changed(manifest: Manifest, batch: _Batch) -> bool:
    """Did the metadata sidecar files change since ``manifest``? Their
    contents are compared only when their stats differ; same contents: the
    manifest just takes the new stats (saved with the next change)."""
    if manifest.sidecar == batch.sidecars:
        return False
    if batch.sidecar_digest() != manifest.sidecar_digest:
        return True
    manifest.sidecar = batch.sidecars
    return False


def embed_now(root: Path, home: Path, progress: Progress | None = None,
              limit: int | None = SEARCH_EMBED_TEXTS):
    """Compute the live index's missing passage vectors now, under the
    writer lock (a meaning query on a small corpus); the EmbedReport, or
    None when there is no usable index."""
    from nkcorpus.store import vectors
    from nkcorpus.store.manifest import usable_manifest

    progress = progress or Progress()
    with _write_errors(home), writer_lock(home, progress):
        gen = current_generation(home)
        manifest = usable_manifest(gen)
        if manifest is None:
            return None
        return vectors.prepare(root, gen, manifest.files).finish(progress, limit)


def _vectors_job(root: Path, home: Path, old: Path | None, manifest: Manifest):
    """When meaning search is on for this corpus (its setting, or vectors
    kept so far): the passage map brought up to date and the vectors a
    rebuild can carry over from the previous generation, before that one
    is removed; the job that embeds the rest. None when off (a corpus
    switched off loses its vectors). Imports nothing when off and never on."""
    from nkcorpus.store import vectors

    live = current_generation(home)
    on = vectors.setting(home)
    if live is None or on is False:
        if live is not None and vectors.has_vectors(live):
            vectors.remove_all(live)
            integrity.record(live)
        return None
    if not (on or vectors.has_vectors(live) or vectors.has_vectors(old)):
        return None
    from nkcorpus.analysis import embed

    if embed.available() is not None:
        return None
    sources = (old,) if old is not None and old != live else ()
    return vectors.prepare(root, live, manifest.files, sources)


def _live_or_why(root: Path, home: Path, gen: Path | None,
                 verify: bool) -> tuple[Manifest | None, str | None]:
    """The live manifest if the index can be updated, else None and why it
    must be rebuilt (a note for the user; None if there is no index yet)."""
    manifest = load_manifest(gen) if gen else None
    why = _trouble(gen, manifest, verify, (home / "CURRENT").exists())
    if why is None:
        return manifest, None
    return None, f"the index of {root} {why}; rebuilt it"


def _trouble(gen: Path | None, manifest: Manifest | None, verify: bool,
             has_current: bool) -> str | None:
    """What is wrong with the live index (None if nothing, or none exists).
    ``verify`` checks every file's checksum."""
    if gen is None:
        return "was damaged (CURRENT names no index)" if has_current else None
    if manifest is None:
        return f"was damaged (no readable {MANIFEST})"
    if manifest.format != FORMAT_VERSION or manifest.analyzer != ANALYZER_VERSION:
        return (f"was built by another version of nkcorpus "
                f"(index format {manifest.format}, analyzer {manifest.analyzer})")
    if not manifest.compatible():
        return "was built with a different text analysis"
    reason = integrity.check(gen, full=verify) or _journal_problem(gen) or _open_problem(gen)
    return f"was damaged ({reason})" if reason else None


def _journal_problem(gen: Path) -> str | None:
    try:
        load_journal(gen)
    except IndexError_:
        return f"{JOURNAL} cannot be read"
    return None


def _open_problem(gen: Path) -> str | None:
    try:
        backend().check(gen)
    except Exception as exc:  # noqa: BLE001 - an engine raises many kinds on a damaged index
        return integrity.describe(exc)
    return None


def _check_corpus(root: Path) -> None:
    """A corpus folder that vanished must not empty its index."""
    if not root.is_dir():
        raise CorpusError(f"the corpus folder vanished: {root}", hint="its index was left as it was")


def _mostly_changed(changes: Changes, total: int) -> bool:
    touched = len(changes.added) + len(changes.changed) + len(changes.removed)
    return total > 0 and touched > REBUILD_SHARE * total


@dataclass(slots=True)
class _Batch:
    """Files read by one writer, and what came of them."""

    root: Path
    found: dict[str, FileStat]
    progress: Progress
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files_read: int = 0
    bytes_read: int = 0
    sidecars: list = field(default_factory=list)  # docmeta.signature of the corpus's sidecar files
    _sidecar: docmeta.Sidecar | None = None
    _digest: str | None = None

    @property
    def sidecar(self) -> docmeta.Sidecar:
        """The corpus's metadata sidecar, read once, when first needed."""
        if self._sidecar is None:
            self._sidecar = docmeta.load_sidecar(self.root, [name for name, *_ in self.sidecars])
        return self._sidecar

    def sidecar_digest(self) -> str:
        if self._digest is None:
            names = [name for name, *_ in self.sidecars]
            self._digest = docmeta.digest(self.root, names) if names else ""
        return self._digest

    def sidecar_notes(self, rels) -> list[str]:
        return self.sidecar.notes(rels) if self.sidecars else []

    def index(self, writer, rels, manifest: Manifest, after=None):
        """Add ``rels`` to the writer and record each in ``manifest``.
        ``after(writer, rel)``, called after each file, may commit a
        checkpoint and return the writer to go on with (``resume``).
        The writer to commit."""
        self.progress.start(len(rels), sum(self.found[rel].size for rel in rels))
        try:
            for rel in rels:
                self._index_one(writer, rel, manifest)
                self.progress.advance(self.found[rel].size)
                if after is not None:
                    writer = after(writer, rel)
        finally:
            self.progress.finish()
        manifest.updated = time.time()
        return writer

    def _index_one(self, writer, rel: str, manifest: Manifest) -> None:
        st = self.found[rel]
        if st.problem:
            return self._skip(rel, st, st.problem, manifest)
        count, whole = 0, _Whole()
        meta = None
        try:
            for document in read_parts(self.root, rel):
                if meta is None:  # the first part has the title and date
                    own = docmeta.file_meta(rel, document.title, document.date, document.text)
                    meta = docmeta.resolve(rel, own, self.sidecar if self.sidecars else None)
                for located in passages_of(document):
                    writer.add(rel, located, meta)
                    count += 1
                whole.add(document)
        except SkipFile as exc:
            _check_corpus(self.root)  # not a file gone, the whole corpus: stop
            reason = f"{exc} (after {count} passages)" if count else str(exc)
            return self._skip(rel, st, reason, manifest, record=not exc.vanished)
        if count:
            writer.add_document(rel, whole.text())
        manifest.files[rel] = [st.size, st.mtime_ns, count]
        self.files_read += 1
        self.bytes_read += st.size

    def _skip(self, rel: str, st, reason: str, manifest: Manifest, record: bool = True) -> None:
        self.progress.warn(rel, reason)
        self.warnings.append((rel, reason))
        if record:
            manifest.skipped[rel] = [st.size, st.mtime_ns, st.ctime_ns, reason]

    def report(self, changes: Changes, full: bool, manifest: Manifest, seconds: float,
               notes: tuple[str, ...]) -> UpdateReport:
        skipped = tuple((rel, v[3]) for rel, v in sorted(manifest.skipped.items()))
        return UpdateReport(changes, full, len(manifest.files), manifest.passages, skipped,
                            tuple(self.warnings), self.files_read, self.bytes_read, seconds, notes)


class _Whole:
    """A file's text for its document record: the title, then the text of
    its parts as far as ``DOC_CHARS`` characters."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, document) -> None:
        if document.title and not self.parts:
            self.parts.append(document.title)
        room = DOC_CHARS - self.size
        if room > 0:
            self.parts.append(document.text[:room])
            self.size += len(self.parts[-1])

    def text(self) -> str:
        return "\n\n".join(self.parts)


def _build_full(home: Path, batch: _Batch, ignored: dict[str, int]) -> Manifest:
    """Index every file into a new generation (or continue an interrupted
    one, ``resume``), then make it the live one."""
    from nkcorpus.store import resume

    fresh = Manifest(root=str(batch.root), ignored=ignored, fingerprint=analysis_fingerprint(),
                     sidecar=batch.sidecars, sidecar_digest=batch.sidecar_digest())
    build = resume.open_build(home, batch.root, batch.found, fresh, batch.progress.waiting,
                              same=lambda kept: kept.sidecar_digest == fresh.sidecar_digest)
    try:
        manifest = _write_generation(build, batch, ignored)
        _check_corpus(batch.root)
        atomic_write(home / "CURRENT", build.gen.name)
    except BaseException:  # the live generation stays as it was
        if not build.keep():  # a checkpoint is kept for the next run
            shutil.rmtree(build.gen, ignore_errors=True)
        raise
    build.done()
    return manifest


def _write_generation(build, batch: _Batch, ignored: dict[str, int]) -> Manifest:
    manifest = build.manifest
    sizes = {rel: batch.found[rel].size for rel in build.todo}
    nbytes = sum(st.size for st in batch.found.values())  # resumed or not: the same writer
    writer = build.begin(lambda gen: backend().builder(gen, nbytes), sizes)
    try:
        writer = batch.index(writer, build.todo, manifest, after=build.after)
        build.commit(writer)
    except BaseException:
        build.cancel()
        raise
    manifest.ignored = ignored
    save_manifest(build.gen, manifest)
    integrity.record(build.gen, {})
    return manifest


def _apply_changes(gen: Path, manifest: Manifest, changes: Changes, batch: _Batch,
                   ignored: dict[str, int], save: bool = False) -> None:
    """Delete, re-read and add the changed files in the live generation,
    journaled (see the module's docstring); ``save``: the manifest changed."""
    if not changes:
        if manifest.ignored != ignored or save:
            manifest.ignored = ignored
            save_manifest(gen, manifest)
        return
    touched = changes.added + changes.changed + changes.removed
    atomic_write(gen / JOURNAL, json.dumps(sorted(touched)))
    _commit_changes(gen, manifest, changes, batch)
    manifest.ignored = ignored
    save_manifest(gen, manifest)
    integrity.record(gen)
    (gen / JOURNAL).unlink()


def _commit_changes(gen: Path, manifest: Manifest, changes: Changes, batch: _Batch) -> None:
    committed = backend().version(gen)
    writer = backend().updater(gen)
    try:
        writer.delete(changes.removed + changes.changed)
        for rel in changes.added + changes.changed + changes.removed:
            manifest.files.pop(rel, None)
            manifest.skipped.pop(rel, None)
        batch.index(writer, changes.added + changes.changed, manifest)
        _check_corpus(batch.root)
        writer.commit()
    except BaseException:
        _abandon(writer, gen, committed)
        raise


def _abandon(writer, gen: Path, committed: int) -> None:
    """After a failed update: cancel the writer and remove its files. If it
    committed nothing, the journal goes too: the index is as it was."""
    with suppress(Exception):
        writer.cancel()
    with suppress(Exception):
        backend().tidy(gen)
        if backend().version(gen) == committed:
            (gen / JOURNAL).unlink()


@contextmanager
def _write_errors(home: Path) -> Iterator[None]:
    """An OSError while writing the index becomes one clear IndexWriteError."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise IndexWriteError(f"cannot write the index at {home}: {reason}", hint=_write_hint(exc)) from None


def _write_hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "free some space, or keep indexes elsewhere with --index-dir DIR"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "--index-dir and NKCORPUS_INDEX_DIR must name a folder"
    return "keep indexes in a writable folder with --index-dir DIR or NKCORPUS_INDEX_DIR"

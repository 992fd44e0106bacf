"""The Whoosh index of a corpus: where it lives, building it, keeping it fresh.

Layout, one folder per corpus under the index base::

    <base>/<name>-<hash>/lock        writers hold an flock on it
    <base>/<name>-<hash>/CURRENT     name of the live generation folder
    <base>/<name>-<hash>/gen-<id>/   a Whoosh index + manifest.json + checksums.json

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

After every commit the index files' sizes and checksums are recorded
(``integrity``). A damaged, foreign or outdated index is found before use
(or when Whoosh fails reading it) and rebuilt from the corpus once, with a
warning; a corpus folder that vanished never empties its index.
"""

from __future__ import annotations

import errno
import hashlib
import json
import marshal
import os
import re
import shlex
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from nkcorpus import corpus as corpus_mod
from nkcorpus import integrity
from nkcorpus.analysis import ANALYZER_VERSION, analyzer, with_context
from nkcorpus.errors import CorpusError, IndexError_, NkError
from nkcorpus.fsutil import atomic_write
from nkcorpus.passages import split_passages

T = TypeVar("T")

FORMAT_VERSION = "4"  # 4: text holds the passage's context; checksummed files
MANIFEST = "manifest.json"
SCAN_KEY = "scan.key"  # the scan an up-to-date index was made from (see scan_key)
JOURNAL = "pending.json"
INDEX_NAME = "MAIN"  # Whoosh's default index name
# Above this share of changed files a fresh build is cheaper than an update.
REBUILD_SHARE = 0.5
# Whoosh's in-memory pool; the process's peak memory grows with it.
WRITER_LIMITMB = 128
# The pool of a full build (nkcorpus.pool), shared by its worker processes:
# a worker whose share is full writes a segment and starts another.
BUILD_LIMITMB = 320
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
    skipped: dict[str, list] = field(default_factory=dict)  # rel -> [size, mtime_ns, ctime_ns, reason]
    ignored: dict[str, int] = field(default_factory=dict)  # suffix -> files not indexed
    updated: float = 0.0
    format: str = FORMAT_VERSION
    analyzer: str = ANALYZER_VERSION
    fingerprint: str = ""  # analysis_fingerprint() of the code that built it

    def compatible(self) -> bool:
        return (self.format == FORMAT_VERSION and self.analyzer == ANALYZER_VERSION
                and self.fingerprint == analysis_fingerprint())

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
    notes: tuple[str, ...] = ()  # about the index itself, e.g. a damaged one rebuilt


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


_GENERATION = re.compile(r"gen-[0-9a-f]+-[0-9]+")


def current_generation(home: Path) -> Path | None:
    """The live generation folder, or None (no index, or a damaged CURRENT:
    only a generation folder right inside ``home`` is ever used)."""
    try:
        name = (home / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    gen = home / name
    return gen if _GENERATION.fullmatch(name) and gen.is_dir() else None


def load_manifest(gen: Path) -> Manifest | None:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if _well_formed(manifest) else None


def _well_formed(m: Manifest) -> bool:
    """The manifest has the types the code relies on (it may be damaged).
    Of another format version only the version is read: it is rebuilt."""
    if not all(isinstance(x, str) for x in (m.root, m.format, m.analyzer, m.fingerprint)):
        return False
    if m.format != FORMAT_VERSION:
        return True
    if not all(isinstance(x, dict) for x in (m.files, m.skipped, m.ignored)):
        return False
    return (all(_entry_ok(v, (int, int, int)) for v in m.files.values())
            and all(_entry_ok(v, (int, int, int, str)) for v in m.skipped.values())
            and all(type(v) is int for v in m.ignored.values()))


def _entry_ok(v: object, types: tuple[type, ...]) -> bool:
    return (isinstance(v, list) and len(v) == len(types)
            and all(type(x) is t for x, t in zip(v, types)))


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
    """The Whoosh index in ``gen``, read with this code's schema (the
    pickled copy in the index is skipped: a damaged one cannot mislead)."""
    from whoosh.index import open_dir

    return open_dir(str(gen), schema=schema())


# Text that exercises the analysis: affixes, reduplication, hyphens,
# apostrophes, case, numbers, acronyms, other scripts.
_PROBE = (
    "Pemerintah Korea Utara mengembangkan senjata nuklir; negara-negara anggota DK PBB "
    "menjatuhkan sanksi. Perundingan enam pihak (Six-Party Talks) berkali-kali gagal, "
    "kata Kim Jong-un pada 12 Februari 2013 di Pyongyang. AS, Jepang dan Tiongkok "
    "berpuluh-puluh kali membicarakannya. Qur'an, ‘kutip’, e\u0301, café, İstanbul, 中文, 2,5%."
)


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """A digest of the schema, of the terms (and weights) it makes of a probe
    text with its context, and of how that text is cut into passages and
    what context each gets: changes whenever the code changes how text is
    indexed, even if nobody remembered ``ANALYZER_VERSION``.
    (Text repair is left out: ftfy is slow to import; bump the version.)"""
    digest = hashlib.sha256()
    document = "\n\n".join(["Latar Belakang", _PROBE, " ".join([_PROBE] * 6), _PROBE.replace(" ", "\n")])
    passages = split_passages(document, "Krisis Nuklir Korea")
    cuts = [(p.line_start, p.line_end, p.char_start, p.char_end, p.context) for p in passages]
    digest.update(json.dumps(cuts).encode())
    indexed = with_context(_PROBE, passages[-1].context)
    for name, field_type in sorted(schema().items()):
        digest.update(f"{name}:{type(field_type).__name__};".encode())
        analyzer_ = getattr(field_type, "analyzer", None)
        if analyzer_ is not None:
            terms = [(t.text, t.boost) for t in analyzer_(indexed, positions=True, chars=True)]
            digest.update(json.dumps(terms, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


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


class IndexWriteError(IndexError_):
    """The index folder cannot be written: read-only, full, not a folder."""


def update(root: Path, home: Path, progress: Progress | None = None,
           rebuild: bool = False, wait: bool = True) -> UpdateReport:
    """Bring the index of ``root`` up to date (a full build when needed)."""
    progress = progress or Progress()
    with _write_errors(home), writer_lock(home, progress, wait=wait):
        return _update_locked(root, home, progress, rebuild, verify=True)


def _update_locked(root: Path, home: Path, progress: Progress, rebuild: bool,
                   verify: bool = False) -> UpdateReport:
    """Update under the writer lock. ``verify`` checks every checksum of
    the live index first; one that fails a check is rebuilt, with a note."""
    started = time.perf_counter()
    tidy(home)
    found = corpus_mod.scan(root)
    _check_corpus(root)
    gen = current_generation(home)
    manifest, note = (None, None) if rebuild else _live_or_why(root, home, gen, verify)
    changes = diff(manifest, found.files, load_journal(gen) if manifest else frozenset())
    batch = _Batch(root, found.files, progress)
    full = manifest is None or _mostly_changed(changes, len(found.files))
    if full:
        manifest = _build_full(home, batch, found.ignored)
        changes = diff(None, found.files)
    else:
        _apply_changes(gen, manifest, changes, batch, found.ignored)
    tidy(home)
    _save_key(current_generation(home), found)
    return batch.report(changes, full, manifest, time.perf_counter() - started,
                        (note,) if note else ())


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
        open_generation(gen)
    except Exception as exc:  # noqa: BLE001 - whoosh raises many kinds on a damaged index
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
            _check_corpus(self.root)  # not a file gone, the whole corpus: stop
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

    def report(self, changes: Changes, full: bool, manifest: Manifest, seconds: float,
               notes: tuple[str, ...]) -> UpdateReport:
        skipped = tuple((rel, v[3]) for rel, v in sorted(manifest.skipped.items()))
        return UpdateReport(changes, full, len(manifest.files), manifest.passages, skipped,
                            tuple(self.warnings), self.files_read, self.bytes_read, seconds, notes)


def _build_full(home: Path, batch: _Batch, ignored: dict[str, int]) -> Manifest:
    """Index every file into a new generation, then make it the live one."""
    gen = home / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    try:
        manifest = _write_generation(gen, batch, ignored)
        _check_corpus(batch.root)
        atomic_write(home / "CURRENT", gen.name)
    except BaseException:  # the live generation stays as it was
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return manifest


def _write_generation(gen: Path, batch: _Batch, ignored: dict[str, int]) -> Manifest:
    from whoosh.index import create_in

    ix = create_in(str(gen), schema())
    manifest = Manifest(root=str(batch.root), ignored=ignored, fingerprint=analysis_fingerprint())
    writer = _writer(ix, full=True, nbytes=sum(st.size for st in batch.found.values()))
    try:
        batch.index(writer, sorted(batch.found), manifest)
        writer.commit()
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        raise
    _save_manifest(gen, manifest)
    integrity.record(gen, {})
    return manifest


def _apply_changes(gen: Path, manifest: Manifest, changes: Changes, batch: _Batch,
                   ignored: dict[str, int]) -> None:
    """Delete, re-read and add the changed files in the live generation,
    journaled (see the module's docstring)."""
    if not changes:
        if manifest.ignored != ignored:
            manifest.ignored = ignored
            _save_manifest(gen, manifest)
        return
    touched = changes.added + changes.changed + changes.removed
    atomic_write(gen / JOURNAL, json.dumps(sorted(touched)))
    _commit_changes(gen, manifest, changes, batch)
    manifest.ignored = ignored
    _save_manifest(gen, manifest)
    integrity.record(gen)
    (gen / JOURNAL).unlink()


def _commit_changes(gen: Path, manifest: Manifest, changes: Changes, batch: _Batch) -> None:
    ix = open_generation(gen)
    committed = ix.latest_generation()
    writer = _writer(ix, full=False)
    try:
        with writer.searcher() as searcher:
            for rel in changes.removed + changes.changed:
                writer.delete_by_term("path", rel, searcher=searcher)
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
        _tidy_generation(gen)
        if open_generation(gen).latest_generation() == committed:
            (gen / JOURNAL).unlink()


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
            return parallel_writer(ix, procs, BUILD_LIMITMB // procs, compound=False)
    if full:
        from nkcorpus.pool import BuildWriter

        return BuildWriter(ix, limitmb=BUILD_LIMITMB, compound=False)
    return ix.writer(limitmb=WRITER_LIMITMB, compound=False)


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
        "fingerprint": manifest.fingerprint,
    }
    # ASCII escapes: a file name that is not UTF-8 must not break the manifest
    atomic_write(gen / MANIFEST, json.dumps(data))




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
    """Remove Whoosh's pool folder, temporary files, and the segments no
    commit refers to (of a killed or cancelled writer) from ``gen``."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC, clean_files

    for entry in gen.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)  # Whoosh's MAIN.tmp pool
        elif _is_temp(entry.name):
            entry.unlink(missing_ok=True)
    storage = FileStorage(str(gen))
    try:
        toc = TOC.read(storage, INDEX_NAME, schema=schema())
    except Exception:  # noqa: BLE001 - unreadable: a damaged index, rebuilt where found
        return
    clean_files(storage, INDEX_NAME, toc.generation, toc.segments)


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


# --- what search uses ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenIndex:
    index: object


class DamagedData(Exception):
    """Raised by a ``read_fresh`` reader that met data no intact index holds
    (e.g. a passage without its stored fields): the index is damaged."""


class _Damaged(Exception):
    """The live generation failed a check or a read (internal)."""

    def __init__(self, gen: Path, reason: str) -> None:
        super().__init__(reason)
        self.gen, self.reason = gen, reason


def read_fresh(root: Path, home: Path, read: Callable[[OpenIndex], T],
               progress: Progress | None = None,
               update_allowed: bool = True) -> tuple[T, tuple[str, ...]]:
    """``read(opened)`` on the up-to-date index of ``root``, and warnings.

    Whoosh reads lazily, so a damaged index may fail in ``read``, not only
    when opened. A failure is tried once more on whatever index is live then
    (a concurrent writer may have replaced files under this reader); if that
    fails too, the index is rebuilt from the corpus and ``read`` runs again.
    """
    progress = progress or Progress()
    warnings: list[str] = []
    known = _fresh_live(root, home) if update_allowed else None
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


def _read_live(root: Path, home: Path, read: Callable[[OpenIndex], T], damage: bool,
               known: Path | None = None) -> T:
    """Open the live generation and read it. With ``damage``, failures of the
    index raise ``_Damaged``; without, whatever failed propagates as it is.
    ``known``: the generation the freshness check just found up to date with
    its manifest (which need not be read again)."""
    gen = current_generation(home)
    if gen is None or (gen != known and load_manifest(gen) is None):
        if damage and gen is not None:
            raise _Damaged(gen, f"{MANIFEST} is missing or unreadable")
        raise IndexError_(f"no index for {root}", hint=f"run: {index_command(root, home)}")
    reason = integrity.check(gen) if damage else None
    if reason:
        raise _Damaged(gen, reason)
    try:
        return read(OpenIndex(open_generation(gen)))
    except NkError:
        raise
    except Exception as exc:
        if damage and (isinstance(exc, DamagedData) or _raised_by_whoosh(exc)):
            raise _Damaged(gen, integrity.describe(exc)) from exc
        raise


def _raised_by_whoosh(exc: BaseException) -> bool:
    """True if the innermost frame of ``exc`` is in Whoosh (or the standard
    library it called), not in nkcorpus: a damaged index, not a bug here."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    name = tb.tb_frame.f_globals.get("__name__", "")
    return not name.startswith("nkcorpus")


def _rebuild_damaged(root: Path, home: Path, progress: Progress, damage: _Damaged,
                     update_allowed: bool) -> list[str]:
    """Rebuild the damaged live generation (once, under the writer lock);
    the warning to show. Nothing to do if another process replaced it."""
    if current_generation(home) != damage.gen:
        return []
    if not update_allowed:
        raise _damaged_error(root, home, damage)
    try:
        with _write_errors(home), writer_lock(home, progress):
            if current_generation(home) != damage.gen:
                return []
            _update_locked(root, home, progress, rebuild=True)
    except IndexWriteError as exc:
        raise _damaged_error(root, home, damage, f"; it cannot be rebuilt: {exc.message}") from None
    return [f"the index of {root} was damaged ({damage.reason}); rebuilt it"]


def _damaged_error(root: Path, home: Path, damage: _Damaged, more: str = "") -> IndexError_:
    return IndexError_(f"the index at {damage.gen} is damaged ({damage.reason}){more}",
                       hint=f"run: {index_command(root, home, rebuild=True)}")


def index_command(root: Path, home: Path, rebuild: bool = False) -> str:
    """The command that (re)builds the index of ``root`` kept in ``home``."""
    from nkcorpus.settings import index_base

    words = ["nkcorpus", "index", *(["--rebuild"] if rebuild else []), str(root)]
    if home.parent != index_base():
        words += ["--index-dir", str(home.parent)]
    return shlex.join(words)


def _fresh_live(root: Path, home: Path) -> Path | None:
    """The live generation if it is up to date with the corpus, else None.

    One directory scan: its key (``scan_key``) equal to the one the last
    update saved means nothing changed, and the manifest is not even read
    (1.3 MB of JSON for 20,000 files). Otherwise the manifest is compared
    with the scan file by file; when they agree after all (a file's ctime
    or the manifest's own stat moved), the new key is saved for next time."""
    gen = current_generation(home)
    if gen is None:
        return None
    found = corpus_mod.scan(root)
    key = scan_key(gen, found)
    if key is not None and key == _saved_key(gen) and not (gen / JOURNAL).exists():
        return gen
    gen, manifest = _live(home)
    if manifest is None or not manifest.compatible() or (gen / JOURNAL).exists():
        return None
    if diff(manifest, found.files):
        return None
    _remember_fresh(home, gen, found)
    return gen


def scan_key(gen: Path, found: corpus_mod.Scan) -> str | None:
    """A digest of what an up-to-date index rests on: the corpus scan (every
    file's name, size, times and problem, in scan order), the manifest
    file's stat and the code that indexes. Equal keys: nothing changed in
    between. (A folder listed in another order, because it changed, gives
    another key too: then the manifest is compared.) None without a manifest."""
    try:
        st = os.stat(gen / MANIFEST)
    except OSError:
        return None
    names = "\0".join(found.files).encode("utf-8", "surrogateescape")  # no name holds a NUL
    head = (FORMAT_VERSION, ANALYZER_VERSION, analysis_fingerprint(),
            st.st_size, st.st_mtime_ns, st.st_ctime_ns, len(names))
    digest = hashlib.sha256("\0".join(map(str, head)).encode())
    digest.update(names)
    # marshal format 2 has no back-references: the same values, the same bytes
    digest.update(marshal.dumps(list(zip(*found.files.values())), 2))
    return digest.hexdigest()


def _saved_key(gen: Path) -> str | None:
    try:
        return (gen / SCAN_KEY).read_text(encoding="ascii")
    except (OSError, ValueError):
        return None


def _save_key(gen: Path | None, found: corpus_mod.Scan) -> None:
    """Save the key of the scan an update (under the lock) brought the index to."""
    key = scan_key(gen, found) if gen is not None else None
    if key is not None:
        atomic_write(gen / SCAN_KEY, key)


def _remember_fresh(home: Path, gen: Path, found: corpus_mod.Scan) -> None:
    """Save the key of a scan found fresh by comparison, if the writer lock
    is free and the folder writable (else the next search compares again)."""
    with suppress(OSError):
        fd = try_lock(home)
        if fd is None:
            return
        try:
            if current_generation(home) == gen:
                _save_key(gen, found)
        finally:
            os.close(fd)


def _live(home: Path) -> tuple[Path | None, Manifest | None]:
    """The live generation and its manifest; read again if a concurrent
    build swapped CURRENT and removed the generation just found."""
    for _ in range(3):
        gen = current_generation(home)
        manifest = load_manifest(gen) if gen else None
        if manifest is not None or current_generation(home) == gen:
            break
    return gen, manifest


def _update_or_skip(root: Path, home: Path, progress: Progress) -> list[str]:
    """Update before a search; if the index folder cannot be written, the
    index as it was answers (with a warning)."""
    try:
        with _write_errors(home):
            return _update_now(root, home, progress)
    except IndexWriteError as exc:
        if current_generation(home) is None:
            raise
        return [f"{exc.message}; searching the index as it was (it may be out of date)"]


def _update_now(root: Path, home: Path, progress: Progress) -> list[str]:
    """Update, unless another process is doing it and the index it left can
    answer meanwhile (then a warning); the notes to show."""
    fd = try_lock(home)
    if fd is None:
        if usable_manifest(current_generation(home)) is not None:
            return ["another process is updating the index; results may be out of date"]
        return list(update(root, home, progress).notes)
    try:
        return list(_update_locked(root, home, progress, rebuild=False).notes)
    finally:
        os.close(fd)

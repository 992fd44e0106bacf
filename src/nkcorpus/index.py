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

import errno
import hashlib
import json
import os
import re
import shlex
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from nkcorpus import corpus as corpus_mod
from nkcorpus import integrity
from nkcorpus.analysis import ANALYZER_VERSION, analyzer
from nkcorpus.errors import CorpusError, IndexError_, NkError
from nkcorpus.passages import split_passages

T = TypeVar("T")

FORMAT_VERSION = "1"
MANIFEST = "manifest.json"
# Above this share of changed files a fresh build is cheaper than an update.
REBUILD_SHARE = 0.5
WRITER_LIMITMB = 256


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
    fingerprint: str = ""  # analysis_fingerprint() of the code that built it

    def compatible(self) -> bool:
        return (self.format == FORMAT_VERSION and self.analyzer == ANALYZER_VERSION
                and self.fingerprint == analysis_fingerprint())

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
    warnings: tuple[str, ...] = ()  # e.g. a damaged index that was rebuilt


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
    """The manifest has the types the code relies on (it may be damaged)."""
    if not (isinstance(m.files, dict) and isinstance(m.skipped, dict)):
        return False
    if not all(isinstance(x, str) for x in (m.root, m.format, m.analyzer, m.fingerprint)):
        return False
    return (all(_entry_ok(v, int) for v in m.files.values())
            and all(_entry_ok(v, str) for v in m.skipped.values()))


def _entry_ok(v: object, last: type) -> bool:
    return (isinstance(v, list) and len(v) == 3 and type(v[0]) is int and type(v[1]) is int
            and isinstance(v[2], last))


def diff(manifest: Manifest | None, found: dict[str, corpus_mod.FileStat]) -> Changes:
    known = manifest.known() if manifest else {}
    added = tuple(sorted(rel for rel in found if rel not in known))
    changed = tuple(
        sorted(rel for rel, st in found.items() if rel in known and known[rel] != (st.size, st.mtime_ns))
    )
    removed = tuple(sorted(rel for rel in known if rel not in found))
    return Changes(added, changed, removed)


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
    """A digest of the schema, of the terms it makes of a probe text and of
    how that text is cut into passages: changes whenever the code changes
    how text is indexed, even if nobody remembered ``ANALYZER_VERSION``.
    (Text repair is left out: ftfy is slow to import; bump the version.)"""
    digest = hashlib.sha256()
    document = "\n\n".join([_PROBE, " ".join([_PROBE] * 6), _PROBE.replace(" ", "\n")])
    cuts = [(p.line_start, p.line_end, p.char_start, p.char_end) for p in split_passages(document)]
    digest.update(json.dumps(cuts).encode())
    for name, field_type in sorted(schema().items()):
        digest.update(f"{name}:{type(field_type).__name__};".encode())
        analyzer_ = getattr(field_type, "analyzer", None)
        if analyzer_ is not None:
            terms = [t.text for t in analyzer_(_PROBE, positions=True, chars=True)]
            digest.update(json.dumps(terms, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


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
    with _write_errors(home), writer_lock(home, progress, wait=wait):
        return _update_locked(root, home, progress, rebuild, verify=True)


def _update_locked(root: Path, home: Path, progress: Progress, rebuild: bool,
                   verify: bool = False) -> UpdateReport:
    started = time.perf_counter()
    found = corpus_mod.scan(root)
    _check_corpus(root)
    gen = current_generation(home)
    manifest = load_manifest(gen) if gen else None
    trouble = _trouble(root, home, gen, manifest, verify)
    if trouble:
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
        time.perf_counter() - started, (trouble,) if trouble else (),
    )


def _trouble(root: Path, home: Path, gen: Path | None, manifest: Manifest | None,
             verify: bool) -> str | None:
    """Why the live index must be rebuilt rather than updated (a note for
    the user), or None. ``verify`` checks every file's checksum."""
    if gen is None:
        exists = (home / "CURRENT").exists()
        return f"the index of {root} was damaged (CURRENT names no index); rebuilt it" if exists else None
    if manifest is None:
        return f"the index of {root} was damaged (no readable {MANIFEST}); rebuilt it"
    if manifest.format != FORMAT_VERSION or manifest.analyzer != ANALYZER_VERSION:
        return (f"the index of {root} was built by another version of nkcorpus "
                f"(index format {manifest.format}, analyzer {manifest.analyzer}); rebuilt it")
    if not manifest.compatible():
        return f"the index of {root} was built with a different text analysis; rebuilt it"
    reason = integrity.check(gen, full=verify) or _open_problem(gen)
    return f"the index of {root} was damaged ({reason}); rebuilt it" if reason else None


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


def _build_full(root: Path, home: Path, found: dict, progress: Progress) -> Manifest:
    gen = home / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    try:
        manifest = _write_generation(root, gen, found, progress)
        _check_corpus(root)
        _atomic_write(home / "CURRENT", gen.name)
    except BaseException:  # the live generation stays as it was
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return manifest


def _write_generation(root: Path, gen: Path, found: dict, progress: Progress) -> Manifest:
    from whoosh.index import create_in

    ix = create_in(str(gen), schema())
    manifest = Manifest(root=str(root), fingerprint=analysis_fingerprint())
    writer = ix.writer(limitmb=WRITER_LIMITMB)
    try:
        _index_files(writer, root, sorted(found), found, manifest, progress)
        writer.commit()
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        raise
    _save_manifest(gen, manifest)
    integrity.record(gen, {})
    return manifest


def _apply_changes(root: Path, gen: Path, manifest: Manifest, changes: Changes,
                   found: dict, progress: Progress) -> None:
    ix = open_generation(gen)
    writer = ix.writer(limitmb=WRITER_LIMITMB)
    try:
        for rel in changes.removed + changes.changed:
            writer.delete_by_term("path", rel)
            manifest.files.pop(rel, None)
            manifest.skipped.pop(rel, None)
        _index_files(writer, root, changes.added + changes.changed, found, manifest, progress)
        _check_corpus(root)
        writer.commit()
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        with suppress(Exception):
            _remove_uncommitted(gen)
        raise
    _save_manifest(gen, manifest)
    integrity.record(gen)


def _remove_uncommitted(gen: Path) -> None:
    """Delete the files of a cancelled commit (Whoosh leaves them until the
    next commit), as Whoosh itself cleans up after a commit."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC, clean_files

    name = "MAIN"  # Whoosh's default index name
    storage = FileStorage(str(gen))
    toc = TOC.read(storage, name, schema=schema())
    clean_files(storage, name, toc.generation, toc.segments)
    shutil.rmtree(gen / f"{name}.tmp", ignore_errors=True)  # the writer's scratch folder


def _index_files(writer, root: Path, rels, found: dict, manifest: Manifest,
                 progress: Progress) -> None:
    progress.start(len(rels), sum(found[rel].size for rel in rels))
    for rel in rels:
        st = found[rel]
        try:
            document = corpus_mod.read_document(root, rel)
        except corpus_mod.SkipFile as exc:
            _check_corpus(root)  # not a file gone, the whole corpus: stop
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
        "fingerprint": manifest.fingerprint,
    }
    _atomic_write(gen / MANIFEST, json.dumps(data, ensure_ascii=False))


def _atomic_write(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
    generation: Path | None = None


class IndexWriteError(IndexError_):
    """The index folder cannot be written: read-only, full, not a folder."""


class _Damaged(Exception):
    """The live generation failed a check or a read (internal)."""

    def __init__(self, gen: Path, reason: str) -> None:
        super().__init__(reason)
        self.gen, self.reason = gen, reason


def open_fresh(root: Path, home: Path, progress: Progress | None = None,
               update_allowed: bool = True) -> OpenIndex:
    """The index of ``root``, brought up to date first if files changed.

    When another process is indexing, the last committed index answers
    (with a warning), unless there is none yet: then this waits for it.
    A damaged index is rebuilt (see ``read_fresh``).
    """
    opened, warnings = read_fresh(root, home, lambda o: o, progress, update_allowed)
    return replace(opened, warnings=warnings)


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
    if update_allowed and _stale(root, home):
        warnings.extend(_update_or_skip(root, home, progress))
    damage = None
    for _ in range(2):
        try:
            return _read_live(root, home, read, damage=True), tuple(warnings)
        except _Damaged as exc:
            damage = exc
    warnings.extend(_rebuild_damaged(root, home, progress, damage, update_allowed))
    return _read_live(root, home, read, damage=False), tuple(warnings)


def _read_live(root: Path, home: Path, read: Callable[[OpenIndex], T], damage: bool) -> T:
    """Open the live generation and read it. With ``damage``, failures of the
    index raise ``_Damaged``; without, whatever failed propagates as it is."""
    gen = current_generation(home)
    manifest = load_manifest(gen) if gen else None
    if gen is None or manifest is None:
        if damage and gen is not None:
            raise _Damaged(gen, f"{MANIFEST} is missing or unreadable")
        raise IndexError_(f"no index for {root}", hint=f"run: {index_command(root, home)}")
    reason = integrity.check(gen) if damage else None
    if reason:
        raise _Damaged(gen, reason)
    try:
        return read(OpenIndex(open_generation(gen), manifest, (), gen))
    except NkError:
        raise
    except Exception as exc:
        if damage and _raised_by_whoosh(exc):
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
            _build_full(root, home, corpus_mod.scan(root), progress)
            _remove_stale_generations(home)
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


def _stale(root: Path, home: Path) -> bool:
    manifest = _live_manifest(home)
    if manifest is None or not manifest.compatible():
        return True
    return bool(diff(manifest, corpus_mod.scan(root)))


def _live_manifest(home: Path) -> Manifest | None:
    """The live generation's manifest; read again if a concurrent build
    swapped CURRENT and removed the generation just found."""
    for _ in range(3):
        gen = current_generation(home)
        manifest = load_manifest(gen) if gen else None
        if manifest is not None or current_generation(home) == gen:
            return manifest
    return manifest


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
    fd = try_lock(home)
    if fd is None:
        if current_generation(home) is not None:
            return ["another process is updating the index; results may be out of date"]
        return list(update(root, home, progress).warnings)
    try:
        return list(_update_locked(root, home, progress, rebuild=False).warnings)
    finally:
        os.close(fd)

"""Checkpoints of a full build, and resuming an interrupted one.

A full build writes a new generation folder (``gen-<id>``) that becomes live
only when complete. Every ``CHECKPOINT_SECONDS`` (and at least
``CHECKPOINT_MIN_BYTES`` of text later) the build commits what it has so
far (the worker processes finish their segments; nothing is merged) and
then writes ``.unfinished.json`` into the folder: a manifest of the files
whose passages that commit holds. Checkpoints come further apart as a long build goes on
(``CHECKPOINT_SHARE``). A build stopped in any way (Ctrl-C,
SIGTERM, SIGHUP, SIGKILL, an error) leaves that folder behind; ``tidy``
keeps it (``kept``) and the next full build of the same corpus with the
same analysis continues it (``open_build``):

* segments written after the last checkpoint are removed (Whoosh's commit
  is atomic; ``_tidy_generation``);
* files of the partial manifest whose size and mtime are unchanged are not
  read again; the passages of every other file in the index (changed,
  deleted, or added after the checkpoint's manifest) are deleted;
* the rest is indexed, and the folder becomes live as usual.

A later ``nkcorpus index`` finishes an interrupted build even when the live
index is up to date (an interrupted ``--rebuild``). The visible index is the
last complete one throughout.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from nkcorpus.store.backend import backend
from nkcorpus.store.layout import current_generation
from nkcorpus.store.manifest import Manifest, save_manifest, well_formed

UNFINISHED = ".unfinished.json"
CHECKPOINT_SECONDS = 10.0
CHECKPOINT_MIN_BYTES = 2 * 2**20
# A long build checkpoints less often: at most every this share of its time
# so far (each checkpoint adds a segment per worker; a 30-minute build makes
# some 25), losing at most a fifth of its work to a kill.
CHECKPOINT_SHARE = 0.25
# Both can be set, for tests and tuning (a number; anything else is ignored).
CHECKPOINT_ENV = "NKCORPUS_CHECKPOINT_SECONDS"
CHECKPOINT_BYTES_ENV = "NKCORPUS_CHECKPOINT_BYTES"


def _setting(name: str, default: float, env=os.environ) -> float:
    try:
        return max(0.0, float(env.get(name, default)))
    except ValueError:
        return default


def _unfinished_gens(home: Path) -> list[Path]:
    """Generation folders of interrupted builds, newest first."""
    live = current_generation(home)
    if live is not None and (live / UNFINISHED).exists():
        with suppress(OSError):
            (live / UNFINISHED).unlink(missing_ok=True)  # killed right after it went live
    try:
        entries = [e for e in home.iterdir() if e.name.startswith("gen-") and e != live
                   and (e / UNFINISHED).is_file()]
    except OSError:
        return []
    return sorted(entries, key=lambda e: _gen_time(e.name), reverse=True)


def _gen_time(name: str) -> int:
    try:
        return int(name.split("-")[1], 16)
    except (IndexError, ValueError):
        return 0


def _load(gen: Path, root: Path):
    """The partial manifest of ``gen`` if it can be continued for ``root``."""
    try:
        data = json.loads((gen / UNFINISHED).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not well_formed(manifest) or not manifest.compatible() or manifest.root != str(root):
        return None
    return manifest


def kept(home: Path) -> Path | None:
    """The interrupted build ``tidy`` keeps: the newest one that can be
    continued (the others, and outdated ones, go)."""
    for gen in _unfinished_gens(home):
        try:
            root = json.loads((gen / UNFINISHED).read_text(encoding="utf-8"))["root"]
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if _load(gen, Path(root)) is not None:
            return gen
    return None


def pending(home: Path, root: Path) -> bool:
    """Whether an interrupted build of ``root`` waits to be finished."""
    return any(_load(gen, root) is not None for gen in _unfinished_gens(home))


@dataclass
class Build:
    """One full build: its folder, manifest, files still to index, and
    the writer of the current stretch between checkpoints."""

    gen: Path
    manifest: object
    todo: list[str]
    resumed: int = 0  # files taken from the interrupted build
    make_writer: Callable | None = None
    writer: object = None
    checkpointed: bool = False
    _since: float = field(default_factory=time.monotonic)
    _bytes: int = 0
    _sizes: dict = field(default_factory=dict)
    _begun: float = 0.0
    _every: float = CHECKPOINT_SECONDS
    _min_bytes: float = CHECKPOINT_MIN_BYTES

    def begin(self, make_writer: Callable, sizes: dict):
        """The first writer; ``make_writer(gen)`` makes each one."""
        self.make_writer, self._sizes = make_writer, sizes
        self._every = _setting(CHECKPOINT_ENV, CHECKPOINT_SECONDS)
        self._min_bytes = _setting(CHECKPOINT_BYTES_ENV, CHECKPOINT_MIN_BYTES)
        self.writer = make_writer(self.gen)
        self._since = self._begun = time.monotonic()
        return self.writer

    def after(self, writer, rel: str):
        """Called after each file: commit a checkpoint when one is due; the
        writer to go on with."""
        from nkcorpus.procs import raise_if_stopped

        raise_if_stopped()  # a signal whose exception a finalizer swallowed
        self._bytes += self._sizes.get(rel, 0)
        now = time.monotonic()
        every = max(self._every, CHECKPOINT_SHARE * (now - self._begun))
        if self._bytes < self._min_bytes or now - self._since < every:
            return writer
        self.checkpoint(writer)
        self.writer = self.make_writer(self.gen)
        return self.writer

    def checkpoint(self, writer) -> None:
        """Commit ``writer``, then record the files it holds."""
        writer.commit(merge=False)
        self.writer = None
        _save(self.gen, self.manifest)
        self.checkpointed = True
        self._since, self._bytes = time.monotonic(), 0

    def commit(self, writer) -> None:
        writer.commit(merge=False)
        self.writer = None

    def cancel(self) -> None:
        if self.writer is not None:
            with suppress(Exception):
                self.writer.cancel()
            self.writer = None

    def keep(self) -> bool:
        """After a failure: whether the folder holds a checkpoint to resume."""
        return (self.gen / UNFINISHED).is_file()

    def done(self) -> None:
        """The folder is live: it is no longer an unfinished build."""
        (self.gen / UNFINISHED).unlink(missing_ok=True)


def _save(gen: Path, manifest) -> None:
    manifest.updated = time.time()
    save_manifest(gen, manifest, UNFINISHED)


def open_build(home: Path, root: Path, found: dict, fresh, say: Callable[[str], None],
               same: Callable[[Manifest], bool] = lambda kept: True) -> Build:
    """The build to run: the interrupted one of ``root`` continued, or a new
    generation folder. ``fresh``: an empty manifest; ``say`` tells the user;
    ``same(kept)``: whether what the interrupted build read besides the
    files (the metadata sidecar) is still the same."""
    for gen in _unfinished_gens(home):
        manifest = _load(gen, root)
        if manifest is None or not same(manifest):
            shutil.rmtree(gen, ignore_errors=True)
            continue
        build = _continue(gen, manifest, found)
        if build is not None:
            say(f"resuming: {build.resumed:,} of {len(found):,} files already indexed")
            return build
        shutil.rmtree(gen, ignore_errors=True)
    gen = home / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    backend().create(gen)
    fresh.root = str(root)
    return Build(gen, fresh, sorted(found))


def _continue(gen: Path, manifest, found: dict) -> Build | None:
    """Continue the interrupted build in ``gen`` (None if it cannot be read)."""
    try:
        backend().tidy(gen)
        indexed = backend().paths(gen)
    except Exception:  # noqa: BLE001 - a damaged folder: start afresh
        return None
    files = {rel: v for rel, v in manifest.files.items()
             if rel in found and not found[rel].problem
             and v[:2] == [found[rel].size, found[rel].mtime_ns]}
    skipped = {rel: v for rel, v in manifest.skipped.items()
               if rel in found and v[:3] == [found[rel].size, found[rel].mtime_ns, found[rel].ctime_ns]}
    stale = sorted(indexed - files.keys())
    if stale:
        writer = backend().updater(gen)
        try:
            writer.delete(stale)
            writer.commit(merge=False)
        except BaseException:
            writer.cancel()
            raise
    manifest.files, manifest.skipped = files, skipped
    _save(gen, manifest)
    todo = sorted(rel for rel in found if rel not in files and rel not in skipped)
    return Build(gen, manifest, todo, resumed=len(files) + len(skipped), checkpointed=True)

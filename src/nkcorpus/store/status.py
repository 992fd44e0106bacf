"""What an index holds and how fresh it is, for ``nkcorpus status``.

Reading the status scans the corpus (stat only) to count pending changes,
and never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nkcorpus.ingest.scan import scan
from nkcorpus.store.layout import current_generation
from nkcorpus.store.lock import is_locked
from nkcorpus.store.manifest import Changes, diff, load_journal, usable_manifest


@dataclass(frozen=True, slots=True)
class IndexStatus:
    root: Path
    home: Path
    generation: Path | None  # None: not indexed yet (or the index is outdated)
    size_bytes: int
    documents: int
    passages: int
    empty: tuple[str, ...]  # indexed documents with no text (empty file, scanned PDF)
    skipped: tuple[tuple[str, str], ...]  # files not indexed because of an error, and why
    ignored: dict[str, int]  # other files by suffix: types nkcorpus does not read
    updated: float | None  # when the index last changed (seconds since the epoch)
    pending: Changes  # changes in the corpus since then
    busy: bool  # another process is indexing right now
    outdated: bool = False  # an index exists, made by another version: it will be rebuilt
    # meaning search: "unavailable" (why in semantic_note), "off", "auto"
    # (vectors made at the first meaning query), "not-yet" (large folder,
    # never asked for), "on"; the share of passages with vectors when on
    semantic: str = "unavailable"
    semantic_coverage: float | None = None
    semantic_note: str = ""

    @property
    def indexed(self) -> bool:
        return self.generation is not None


def status(root: Path, home: Path) -> IndexStatus:
    """The status of ``root``'s index under ``home`` (which may not exist)."""
    gen = current_generation(home)
    manifest = usable_manifest(gen)
    found = scan(root)
    dirty = load_journal(gen) if manifest else frozenset()
    pending = diff(manifest, found.files, dirty)
    if manifest is None:
        return IndexStatus(root, home, None, 0, 0, 0, (), (), found.ignored, None,
                           pending, is_locked(home), outdated=gen is not None,
                           **_semantic(home, None, 0))
    return IndexStatus(
        root, home, gen, _folder_size(gen), len(manifest.files), manifest.passages,
        tuple(sorted(rel for rel, v in manifest.files.items() if v[2] == 0)),
        tuple((rel, v[3]) for rel, v in sorted(manifest.skipped.items())),
        found.ignored, manifest.updated or None, pending, is_locked(home),
        **_semantic(home, gen, manifest.passages),
    )


def _semantic(home: Path, gen: Path | None, passages: int) -> dict:
    """Meaning search's state for this corpus (numpy is loaded only when
    there are vectors to count)."""
    from nkcorpus.store import vectors

    reason = vectors.unavailable()
    if reason:
        return {"semantic": "unavailable", "semantic_note": reason}
    on = vectors.setting(home)
    if vectors.has_vectors(gen) and on is not False:
        covered = vectors.coverage(gen)
        return {"semantic": "on", "semantic_coverage": covered / passages if passages else 1.0}
    if on is False:
        return {"semantic": "off"}
    if on:
        return {"semantic": "on", "semantic_coverage": 0.0}
    return {"semantic": "auto" if passages <= vectors.AUTO_PASSAGES else "not-yet"}


def _folder_size(folder: Path) -> int:
    total = 0
    for entry in folder.iterdir():
        try:
            total += entry.stat().st_size if entry.is_file() else 0
        except OSError:
            continue  # removed by a writer meanwhile
    return total

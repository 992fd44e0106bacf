"""What an index generation holds: the manifest, the update journal, and the
change set between a manifest and a corpus scan.

``manifest.json`` records every indexed file's size, mtime and passage count,
the files skipped and why, the metadata sidecar files read (name, size,
mtime, and a digest of their contents: a change re-indexes every file), and the versions of the code that built it
(``FORMAT_VERSION``, the analyzer's version and a fingerprint of the
analysis): an index built by other code is rebuilt. ``pending.json`` (the
journal) lists the files an update is changing until it has committed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nkcorpus.analysis import ANALYZER_VERSION, context_parts, iter_terms, with_context
from nkcorpus.errors import IndexError_
from nkcorpus.ingest.passages import split_passages
from nkcorpus.ingest.scan import FileStat
from nkcorpus.store.fsutil import atomic_write

# 5: the package moved into stage folders (the pickled tokenizer class path changed)
# 6: document metadata fields (title, date, source, author, folder, url)
# 7: a document record per file (document evidence)
# 8: a document record's first words count three times
# 9: ... graded: the first 15 words four times, to 40 three, to 80 twice
FORMAT_VERSION = "9"
MANIFEST = "manifest.json"
JOURNAL = "pending.json"


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
    sidecar: list = field(default_factory=list)  # [[name, size, mtime_ns], ...] (ingest.meta.signature)
    sidecar_digest: str = ""  # ingest.meta.digest of their contents

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


def load_manifest(gen: Path) -> Manifest | None:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if well_formed(manifest) else None


def well_formed(m: Manifest) -> bool:
    """The manifest has the types the code relies on (it may be damaged).
    Of another format version only the version is read: it is rebuilt."""
    if not all(isinstance(x, str) for x in (m.root, m.format, m.analyzer, m.fingerprint)):
        return False
    if m.format != FORMAT_VERSION:
        return True
    if not all(isinstance(x, dict) for x in (m.files, m.skipped, m.ignored)):
        return False
    if not isinstance(m.sidecar_digest, str) or not isinstance(m.sidecar, list) or not all(
            _entry_ok(v, (str, int, int)) for v in m.sidecar):
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


def diff(manifest: Manifest | None, found: dict[str, FileStat],
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


def save_manifest(gen: Path, manifest: Manifest, name: str = MANIFEST) -> None:
    """Write ``manifest`` into ``gen`` (as ``name``: the live manifest, or
    an interrupted build's, ``resume.UNFINISHED``)."""
    data = {
        "root": manifest.root, "files": manifest.files, "skipped": manifest.skipped,
        "ignored": manifest.ignored, "updated": manifest.updated,
        "format": manifest.format, "analyzer": manifest.analyzer,
        "fingerprint": manifest.fingerprint,
        "sidecar": manifest.sidecar, "sidecar_digest": manifest.sidecar_digest,
    }
    # ASCII escapes: a file name that is not UTF-8 must not break the manifest
    atomic_write(gen / name, json.dumps(data))


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
    """A digest of the backend's schema, of the terms (with positions and
    weights) the analysis makes of a probe text with its context, stemmed
    and as written, and of how that text is cut into passages and what
    context each gets: changes whenever the code changes how text is
    indexed, even if nobody remembered ``ANALYZER_VERSION``.
    (Text repair is left out: ftfy is slow to import; bump the version.)"""
    from nkcorpus.store.backend import backend

    digest = hashlib.sha256(backend().schema_id.encode())
    document = "\n\n".join(["Latar Belakang", _PROBE, " ".join([_PROBE] * 6), _PROBE.replace(" ", "\n")])
    passages = split_passages(document, "Krisis Nuklir Korea")
    cuts = [(p.line_start, p.line_end, p.char_start, p.char_end, p.context) for p in passages]
    digest.update(json.dumps(cuts).encode())
    indexed = with_context(_PROBE, passages[-1].context)
    for stemmed in (True, False):
        terms = [(term, pos_base + pos, weight) for part, _, pos_base, weight in context_parts(indexed)
                 for term, pos, _, _ in iter_terms(part, stemmed)]
        digest.update(json.dumps(terms, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]

"""Passage vectors for meaning search, kept inside the index generation.

What is embedded (as ``benchmarks/semantic_fusion.py`` measured it): each
passage after the heading it stands under (``"<context>. <text>"``) and
each of its sentences apart. Every vector is keyed by the text embedded and
the model's identity (``embed.MODEL_ID``), so an unchanged passage, a moved
file or a rebuild never pays again, and a new model re-embeds everything.

Files, all named ``vec-*`` inside ``<home>/gen-*/`` (so a full build's
atomic swap carries them, and ``integrity`` records their sizes and CRCs):

* ``vec-<seq>.chunk``: vectors, append-only, each file written once,
  atomically (a temporary file, then a rename): a header line (JSON: model,
  count, CRC of the payload), then the keys (uint64), the scales (float32)
  and the int8 rows. A kill loses at most the batch being embedded. Small
  chunks are merged into one now and then (the merged file is written
  first, so a kill leaves duplicates, never a gap).
* ``vec-map-<seq>.npz``: which passages the index holds, by file (size and
  mtime as in the manifest), and the keys of their texts and sentences.
  Rewritten whole when files change; the newest one counts.

The setting ``<home>/semantic.json`` remembers ``nkcorpus index --semantic``
(or ``--no-semantic``). numpy is imported inside functions only: a lexical
search never loads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nkcorpus.analysis.embed import DIM, MODEL_ID
from nkcorpus.ingest.passages import _SENTENCE_END, is_heading
from nkcorpus.store.fsutil import atomic_write_bytes

PREFIX = "vec-"
SETTING = "semantic.json"
_CHUNK = re.compile(r"vec-(\d{8})\.chunk$")
_MAP = re.compile(r"vec-map-(\d{8})\.npz$")
_MAGIC = b"NKVEC1\n"
#: Texts embedded per chunk file: what a kill can lose.
BATCH = 32
#: Small chunks (of one batch) merged into one file when there are this many.
MERGE_AT = 32
#: Passages a folder may have for meaning search to be switched on by
#: itself, at its first meaning query (about a minute of embedding on one
#: core: ~3 texts per passage at 6-12 texts/s; docs/semantic-notes.md).
AUTO_PASSAGES = 200
#: Vectors shipped for the bundled essays (same format as a chunk).
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "seeds.vec"


# --- the setting -----------------------------------------------------------------


def setting(home: Path) -> bool | None:
    """True/False as set by ``nkcorpus index --semantic/--no-semantic``; None if never set."""
    try:
        value = json.loads((home / SETTING).read_text(encoding="utf-8")).get("semantic")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, bool) else None


def set_setting(home: Path, on: bool) -> None:
    from nkcorpus.store.fsutil import atomic_write

    home.mkdir(parents=True, exist_ok=True)
    atomic_write(home / SETTING, json.dumps({"semantic": on}))


def unavailable() -> str | None:
    """Why meaning search cannot run here (None: it can); imports nothing."""
    from nkcorpus.analysis import embed

    return embed.available()


def has_vectors(gen: Path | None) -> bool:
    """Whether ``gen`` holds a passage map (cheap: one listing, no numpy)."""
    if gen is None:
        return False
    try:
        return any(_MAP.match(name) for name in os.listdir(gen))
    except OSError:
        return False


def is_vector_file(name: str) -> bool:
    return bool(_CHUNK.match(name) or _MAP.match(name))


# --- texts and keys -----------------------------------------------------------------


def text_key(text: str) -> int:
    """The key of an embedded text: its digest with the model's identity."""
    digest = hashlib.blake2b(f"{MODEL_ID}\0{text}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


def with_heading(text: str, context: str) -> str:
    """The passage as embedded: after the heading it stands under."""
    return f"{context}. {text}" if context else text


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()] or [text]


# --- chunk files ---------------------------------------------------------------------


def _names(gen: Path, pattern: re.Pattern) -> list[tuple[int, str]]:
    try:
        return sorted((int(m.group(1)), name) for name in os.listdir(gen) if (m := pattern.match(name)))
    except OSError:
        return []


def _next_seq(gen: Path) -> int:
    seqs = [s for s, _ in _names(gen, _CHUNK)] + [s for s, _ in _names(gen, _MAP)]
    return max(seqs, default=0) + 1


def write_chunk(path: Path, keys, scales, q) -> None:
    import numpy as np

    keys = np.ascontiguousarray(keys, dtype="<u8")
    scales = np.ascontiguousarray(scales, dtype="<f4")
    q = np.ascontiguousarray(q, dtype=np.int8)
    payload = [keys.tobytes(), scales.tobytes(), q.tobytes()]
    crc = 0
    for part in payload:
        crc = zlib.crc32(part, crc)
    head = json.dumps({"model": MODEL_ID, "n": int(len(keys)), "dim": DIM, "crc": crc}).encode() + b"\n"
    atomic_write_bytes(path, [_MAGIC, head, *payload])


def read_chunk(path: Path, verify: bool = False):
    """(keys, scales, q) of a chunk of this model, or None (another model,
    damaged, or with ``verify`` a payload whose CRC is wrong)."""
    import numpy as np

    try:
        found = _chunk_head(path)
        if found is None:
            return None
        head, offset, n, dim = found
        if n == 0:
            return np.empty(0, "<u8"), np.empty(0, "<f4"), np.empty((0, dim), np.int8)
        raw = np.memmap(path, dtype=np.uint8, mode="r", offset=offset)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if verify and zlib.crc32(raw) != head.get("crc"):
        return None
    keys = raw[: 8 * n].view("<u8")
    scales = raw[8 * n: 12 * n].view("<f4")
    q = raw[12 * n:].view(np.int8).reshape(n, dim)
    return keys, scales, q


def _chunk_head(path: Path) -> tuple[dict, int, int, int] | None:
    """(header, offset of the payload, rows, dimensions) of a chunk of this
    model whose size is right, or None; OSError and ValueError pass."""
    with open(path, "rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            return None
        head = json.loads(f.readline())
        offset = f.tell()
    n, dim = int(head["n"]), int(head["dim"])
    if head.get("model") != MODEL_ID or dim != DIM:
        return None
    if os.path.getsize(path) != offset + n * (12 + dim):
        return None
    return head, offset, n, dim


def _chunks(gen: Path, verify: bool = False) -> list[tuple[str, tuple]]:
    out = []
    for _, name in _names(gen, _CHUNK):
        data = read_chunk(gen / name, verify)
        if data is not None:
            out.append((name, data))
    return out


def stored_keys(gen: Path):
    """The keys that have vectors in ``gen`` (a numpy array, sorted, unique)."""
    import numpy as np

    parts = [keys for _, (keys, _, _) in _chunks(gen)]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, "<u8")


# --- the passage map --------------------------------------------------------------------


@dataclass
class PassageMap:
    """The index's passages and the keys of what each embeds."""

    files: list[str] = field(default_factory=list)
    stats: list[tuple[int, int]] = field(default_factory=list)  # (size, mtime_ns) per file
    # per passage: file index, loc_start, key of its stored text, key of
    # the passage with its heading, heading or not
    p_file: list = field(default_factory=list)
    p_loc: list = field(default_factory=list)
    p_tkey: list = field(default_factory=list)
    p_ckey: list = field(default_factory=list)
    p_head: list = field(default_factory=list)
    # per sentence: owning passage, key
    s_owner: list = field(default_factory=list)
    s_key: list = field(default_factory=list)

    @classmethod
    def load(cls, gen: Path) -> PassageMap | None:
        import numpy as np

        names = _names(gen, _MAP)
        if not names:
            return None
        try:
            with np.load(gen / names[-1][1], allow_pickle=False) as z:
                if str(z["model"]) != MODEL_ID:
                    return None
                return cls([str(f) for f in z["files"]], [tuple(map(int, s)) for s in z["stats"]],
                           z["p_file"], z["p_loc"], z["p_tkey"], z["p_ckey"], z["p_head"],
                           z["s_owner"], z["s_key"])
        except (OSError, ValueError, KeyError):
            return None

    def save(self, gen: Path) -> None:
        import io

        import numpy as np

        buf = io.BytesIO()
        np.savez(buf, model=np.array(MODEL_ID), files=np.array(self.files, dtype=str),
                 stats=np.array(self.stats, dtype=np.int64).reshape(-1, 2),
                 p_file=np.asarray(self.p_file, np.int32), p_loc=np.asarray(self.p_loc, np.int64),
                 p_tkey=np.asarray(self.p_tkey, "<u8"), p_ckey=np.asarray(self.p_ckey, "<u8"),
                 p_head=np.asarray(self.p_head, bool), s_owner=np.asarray(self.s_owner, np.int64),
                 s_key=np.asarray(self.s_key, "<u8"))
        old = _names(gen, _MAP)
        atomic_write_bytes(gen / f"vec-map-{_next_seq(gen):08d}.npz", [buf.getvalue()])
        for _, name in old:
            (gen / name).unlink(missing_ok=True)


def _passages_of_file(root: Path, rel: str):
    """(loc_start, text, context) of each passage of ``rel``, as indexed."""
    from nkcorpus.ingest.read import SkipFile, passages_of, read_parts

    try:
        return [(loc.loc_start, loc.passage.text, loc.passage.context)
                for doc in read_parts(root, rel) for loc in passages_of(doc)]
    except SkipFile:
        return None


def refresh_map(root: Path, gen: Path, files: dict[str, list]) -> tuple[PassageMap, dict[int, str]]:
    """The passage map of ``gen`` brought up to date with the manifest's
    ``files`` (rel -> [size, mtime_ns, passages]), saved, and the texts of
    its keys that have no vector yet (by key)."""
    import numpy as np

    old = PassageMap.load(gen)
    have = stored_keys(gen)
    keep: dict[str, tuple] = {}  # rel -> (stat, [(loc, tkey, ckey, head, [skeys])], complete)
    if old is not None:
        owners = np.asarray(old.s_owner, np.int64)
        p_file = np.asarray(old.p_file, np.int64)
        order = np.argsort(owners, kind="stable")
        bounds = np.searchsorted(owners[order], np.arange(len(p_file) + 1))
        s_key = np.asarray(old.s_key, "<u8")
        # files with a key that has no vector (one pass over all keys)
        lacking = set(p_file[~np.isin(np.asarray(old.p_ckey, "<u8"), have)].tolist())
        lacking |= set(p_file[owners[~np.isin(s_key, have)]].tolist())
        by_file: dict[int, list] = {}
        for i, fi in enumerate(p_file.tolist()):
            skeys = s_key[order[bounds[i]:bounds[i + 1]]].tolist()
            by_file.setdefault(fi, []).append((int(old.p_loc[i]), int(old.p_tkey[i]), int(old.p_ckey[i]),
                                               bool(old.p_head[i]), skeys))
        for fi, rel in enumerate(old.files):
            keep[rel] = (tuple(old.stats[fi]), by_file.get(fi, []), fi not in lacking)
    missing: dict[int, str] = {}
    new = PassageMap()
    changed = old is None
    for rel in sorted(files):
        stat = (int(files[rel][0]), int(files[rel][1]))
        entry = keep.get(rel)
        if entry is None or tuple(entry[0]) != stat or not entry[2]:
            read = _passages_of_file(root, rel)
            if read is None:
                continue
            rows = []
            for loc, text, context in read:
                ctx = with_heading(text, context)
                sents = sentences(text)
                ckey, skeys = text_key(ctx), [text_key(s) for s in sents]
                for k, t in zip([ckey, *skeys], [ctx, *sents]):
                    missing[k] = t
                rows.append((loc, text_key(text), ckey, is_heading(text), skeys))
            entry = (stat, rows, True)
            changed = True
        fi = len(new.files)
        new.files.append(rel)
        new.stats.append(entry[0])
        for loc, tkey, ckey, head, skeys in entry[1]:
            new.s_owner.extend([len(new.p_file)] * len(skeys))
            new.s_key.extend(skeys)
            new.p_file.append(fi)
            new.p_loc.append(loc)
            new.p_tkey.append(tkey)
            new.p_ckey.append(ckey)
            new.p_head.append(head)
    changed = changed or set(keep) != set(new.files)
    if changed:
        new.save(gen)
    if missing and len(have):
        ks = np.fromiter(missing, dtype="<u8", count=len(missing))
        for k in ks[np.isin(ks, have)].tolist():
            del missing[int(k)]
    return new, missing


# --- keeping vectors up to date -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbedReport:
    passages: int
    covered: int  # passages with every vector
    embedded: int  # texts embedded by this run
    carried: int  # texts whose vectors came from the previous generation or the bundled set
    left: int  # texts still without a vector
    seconds: float


class TooLarge(Exception):
    """More to embed than the caller allows (a search embeds only a little)."""


@dataclass
class Job:
    """Vectors a generation still lacks, once its map is current."""

    gen: Path
    pmap: PassageMap
    missing: dict[int, str]
    carried: int
    started: float

    def finish(self, progress=None, limit: int | None = None) -> EmbedReport:
        """Embed what is missing (only if at most ``limit`` texts, None: all),
        a batch per chunk file; merge small chunks; record checksums."""
        from nkcorpus.store import integrity

        embedded = 0
        try:
            if self.missing and (limit is None or len(self.missing) <= limit):
                embedded = _embed(self.gen, self.missing, progress)
        finally:
            _merge_small(self.gen)
            integrity.record(self.gen)
        return EmbedReport(len(self.pmap.p_file), coverage(self.gen, self.pmap), embedded, self.carried,
                           len(self.missing), time.perf_counter() - self.started)


def prepare(root: Path, gen: Path, files: dict[str, list], sources: tuple[Path, ...] = ()) -> Job:
    """Make ``gen``'s passage map current and take the vectors it lacks from
    ``sources`` (generation folders or chunk files: the previous generation
    of a rebuild) and from the bundled essays' vectors; the job that embeds
    the rest."""
    from nkcorpus.store import integrity

    started = time.perf_counter()
    pmap, missing = refresh_map(root, gen, files)
    carried = _carry(gen, missing, (*sources, BUNDLED))
    integrity.record(gen)
    return Job(gen, pmap, missing, carried, started)


def coverage(gen: Path, pmap: PassageMap | None = None) -> int:
    """Passages of ``gen`` whose vectors are all there."""
    import numpy as np

    pmap = pmap or PassageMap.load(gen)
    if pmap is None or not len(pmap.p_file):
        return 0
    have = stored_keys(gen)
    c_ok = np.isin(np.asarray(pmap.p_ckey, "<u8"), have)
    s_ok = np.isin(np.asarray(pmap.s_key, "<u8"), have)
    bad = np.zeros(len(pmap.p_file), bool)
    bad[np.asarray(pmap.s_owner, np.int64)[~s_ok]] = True
    return int((c_ok & ~bad).sum())


def _carry(gen: Path, missing: dict[int, str], sources: tuple[Path, ...]) -> int:
    """Copy the vectors of ``missing`` keys found in ``sources`` into a new
    chunk of ``gen`` (chunks read with their CRC checked); drop them from
    ``missing``. The number carried."""
    import numpy as np

    if not missing:
        return 0
    want = np.fromiter(missing, dtype="<u8", count=len(missing))
    got_k, got_s, got_q = [], [], []
    for src in sources:
        chunks = _chunks(src, verify=True) if src.is_dir() else (
            [(src.name, c)] if src.is_file() and (c := read_chunk(src, verify=True)) else [])
        for _, (keys, scales, q) in chunks:
            sel = np.isin(keys, want)
            if sel.any():
                got_k.append(np.asarray(keys[sel]))
                got_s.append(np.asarray(scales[sel]))
                got_q.append(np.asarray(q[sel]))
                want = want[~np.isin(want, keys[sel])]
        if not len(want):
            break
    if not got_k:
        return 0
    keys, first = np.unique(np.concatenate(got_k), return_index=True)
    write_chunk(gen / f"vec-{_next_seq(gen):08d}.chunk", keys,
                np.concatenate(got_s)[first], np.concatenate(got_q)[first])
    for k in keys.tolist():
        missing.pop(int(k), None)
    return len(keys)


def _embed(gen: Path, missing: dict[int, str], progress) -> int:
    """Embed ``missing`` in batches, one chunk file each (resumable)."""
    import numpy as np

    from nkcorpus.analysis import embed

    # in passage order (each passage's texts together), so the share of
    # passages a partial run covers grows as it goes
    todo = list(missing.items())
    start = getattr(progress, "embed_start", None)
    if start:
        start(len(todo))
    embedder = embed.Embedder()
    done = 0
    try:
        for i in range(0, len(todo), BATCH):
            part = todo[i:i + BATCH]
            vectors = embedder.embed_passages([t for _, t in part], batch=BATCH)
            q, scales = embed.quantize(vectors)
            write_chunk(gen / f"vec-{_next_seq(gen):08d}.chunk",
                        np.array([k for k, _ in part], dtype="<u8"), scales, q)
            for k, _ in part:
                del missing[k]
            done += len(part)
            if (i // BATCH + 1) % MERGE_AT == 0:
                _merge_small(gen)  # a big folder: not thousands of small files
            advance = getattr(progress, "embed_advance", None)
            if advance:
                advance(len(part))
    finally:
        finish = getattr(progress, "embed_finish", None)
        if finish:
            finish()
    return done


def _merge_small(gen: Path, at: int = MERGE_AT) -> None:
    """Merge the small chunks into one file once there are ``at`` of them;
    vectors of keys no passage uses any more are dropped when the map says
    which are used. The merged file is written before any is removed."""
    import numpy as np

    small = [(name, c) for name, c in _chunks(gen, verify=True) if len(c[0]) <= BATCH]
    if len(small) < at:
        return
    keys = np.concatenate([np.asarray(c[0]) for _, c in small])
    scales = np.concatenate([np.asarray(c[1]) for _, c in small])
    q = np.concatenate([np.asarray(c[2]) for _, c in small])
    keys, first = np.unique(keys, return_index=True)
    write_chunk(gen / f"vec-{_next_seq(gen):08d}.chunk", keys, scales[first], q[first])
    for name, _ in small:
        (gen / name).unlink(missing_ok=True)


def remove_all(gen: Path) -> None:
    """Remove every vector file of ``gen`` (meaning search switched off)."""
    for pattern in (_CHUNK, _MAP):
        for _, name in _names(gen, pattern):
            (gen / name).unlink(missing_ok=True)


# --- reading for a search ----------------------------------------------------------
#
# Without numpy: a search over a small folder (the bundled essays: 147
# vectors) spends more time importing numpy (~90-200 ms here) than on
# everything else of meaning search together. Up to NUMPY_FROM stored
# vectors, the map and the chunks are read with ``zipfile`` and ``array``
# and cosines computed in plain Python (VectorSet); from there on, numpy
# (_NumpyVectorSet: the import pays for itself).

#: Stored vectors from which numpy is used: plain Python costs ~17 us a
#: vector here (a cosine of 384 int8 values), numpy's import 90-200 ms
#: (docs/semantic-notes.md). A folder meaning search switches on by itself
#: (AUTO_PASSAGES, ~3 texts a passage) stays below it.
NUMPY_FROM = 4_000
_NPY = {"<i4": "i", "<i8": "q", "<u8": "Q", "|b1": "B", "<f4": "f", "|u1": "B"}


_NPY_HEAD = re.compile(r"""\{'descr': '([<>|][a-zA-Z]\d+)', 'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \}""")


def _npy(raw: bytes):
    """(dtype, shape, payload) of a ``.npy`` file's bytes (as numpy writes
    its header: a dict of descr, fortran_order and shape)."""
    if raw[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy file")
    major = raw[6]
    if major == 1:
        size, start = int.from_bytes(raw[8:10], "little"), 10
    else:
        size, start = int.from_bytes(raw[8:12], "little"), 12
    head = _NPY_HEAD.match(raw[start:start + size].decode("latin-1"))
    if head is None or head.group(2) == "True":
        raise ValueError("unexpected .npy header")
    shape = tuple(int(n) for n in head.group(3).replace(" ", "").split(",") if n)
    return head.group(1), shape, memoryview(raw)[start + size:]


def _as_list(descr: str, payload) -> list:
    import array
    import sys

    if descr.startswith("<U"):
        width = int(descr[2:]) * 4
        return [bytes(payload[i:i + width]).decode("utf-32-le").rstrip("\0")
                for i in range(0, len(payload), width)] if width else []
    code = _NPY.get(descr)
    if code is None:
        raise ValueError(f"unexpected dtype {descr}")
    values = array.array(code)
    values.frombytes(payload)
    if sys.byteorder != "little" and values.itemsize > 1:
        values.byteswap()
    return values.tolist()


def _light_map(gen: Path) -> PassageMap | None:
    """The newest passage map of ``gen`` as Python lists, without numpy."""
    import zipfile

    names = _names(gen, _MAP)
    if not names:
        return None
    try:
        with zipfile.ZipFile(gen / names[-1][1]) as z:
            arrays = {name[:-4]: _npy(z.read(name)) for name in z.namelist() if name.endswith(".npy")}
        if _as_list(arrays["model"][0], arrays["model"][2]) != [MODEL_ID]:
            return None
        col = {k: _as_list(d, payload) for k, (d, _, payload) in arrays.items() if k != "model"}
        stats = col["stats"]
        return PassageMap(col["files"], list(zip(stats[0::2], stats[1::2])), col["p_file"], col["p_loc"],
                          col["p_tkey"], col["p_ckey"], [bool(h) for h in col["p_head"]],
                          col["s_owner"], col["s_key"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _plain(value):
    """A numpy scalar as the Python value the light reader gives."""
    return value.item() if hasattr(value, "item") else value


def _light_chunk(path: Path):
    """(keys, scales, offset of the rows, count) of a chunk of this model,
    without numpy; None as :func:`read_chunk`."""
    import array
    import sys

    try:
        found = _chunk_head(path)
        if found is None:
            return None
        _, offset, n, _ = found
        keys, scales = array.array("Q"), array.array("f")
        with open(path, "rb") as f:
            f.seek(offset)
            keys.frombytes(f.read(8 * n))
            scales.frombytes(f.read(4 * n))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if sys.byteorder != "little":
        keys.byteswap()
        scales.byteswap()
    return keys.tolist(), scales.tolist(), offset + 12 * n, n


class VectorSet:
    """The vectors of a generation, aligned with its passages, for scoring:
    plain Python lists, no numpy (a small set)."""

    def __init__(self, gen: Path) -> None:
        pmap = _light_map(gen)
        if pmap is None and _names(gen, _MAP):  # a map this reader cannot parse: numpy's reader
            pmap = PassageMap.load(gen)
            if pmap is not None:
                pmap = PassageMap(pmap.files, pmap.stats, *(list(map(_plain, a)) for a in (
                    pmap.p_file, pmap.p_loc, pmap.p_tkey, pmap.p_ckey, pmap.p_head, pmap.s_owner, pmap.s_key)))
        self.map = pmap
        self.passages = 0 if pmap is None else len(pmap.p_file)
        self.covered: list[int] = []
        self.chunks: list[tuple[Path, int, int]] = []  # (path, offset of rows, rows)
        if pmap is None or not self.passages:
            return
        row_of: dict[int, int] = {}
        scales: list[float] = []
        for _, name in _names(gen, _CHUNK):
            found = _light_chunk(gen / name)
            if found is None:
                continue
            keys, sc, offset, n = found
            base = len(scales)
            for i, k in enumerate(keys):
                row_of.setdefault(k, base + i)
            scales.extend(sc)
            self.chunks.append((gen / name, offset, n))
        self.scales = scales
        if not scales:
            return
        self.c_row = [row_of.get(k, -1) for k in pmap.p_ckey]
        ok = [r >= 0 for r in self.c_row]
        self.s_rows: list[list[int]] = [[] for _ in range(self.passages)]
        for owner, key in zip(pmap.s_owner, pmap.s_key):
            r = row_of.get(key, -1)
            if r < 0:
                ok[owner] = False
            else:
                self.s_rows[owner].append(r)
        self.covered = [i for i, good in enumerate(ok) if good]
        self.head = pmap.p_head
        self.p_file = pmap.p_file
        self.p_loc = pmap.p_loc
        self.p_tkey = pmap.p_tkey
        where: dict[tuple[int, int], list[int]] = {}
        for i, (fi, loc) in enumerate(zip(pmap.p_file, pmap.p_loc)):
            where.setdefault((fi, loc), []).append(i)
        self.where = where

    @property
    def share(self) -> float:
        return len(self.covered) / self.passages if self.passages else 0.0

    def file_of(self, i: int) -> int:
        return self.p_file[i]

    def locate(self, fi: int, loc: int, key: int) -> int | None:
        """The passage of file ``fi`` at ``loc`` whose stored text has ``key``."""
        for i in self.where.get((fi, loc), ()):
            if self.p_tkey[i] == key:
                return i
        return None

    def cosines(self, query_vector, rows: list[int]) -> dict[int, float]:
        """Cosine of the stored vectors ``rows`` with ``query_vector``."""
        from operator import mul

        wanted = sorted(set(rows))
        out: dict[int, float] = {}
        base = 0
        qv = list(query_vector)
        at = 0
        for path, offset, n in self.chunks:
            if at < len(wanted) and wanted[at] < base + n:
                with open(path, "rb") as f:
                    f.seek(offset)
                    data = memoryview(f.read(n * DIM)).cast("b")
                while at < len(wanted) and wanted[at] < base + n:
                    r = wanted[at]
                    local = (r - base) * DIM
                    out[r] = sum(map(mul, data[local:local + DIM], qv)) * self.scales[r]
                    at += 1
            base += n
        return out

    def dense(self, query_vector, heading_weight: float) -> tuple[list[int], list[float]]:
        """(passage indices, scores) of the covered passages: the mean of the
        passage-with-heading cosine and the best sentence cosine, min-max
        normalised, headings weighed down (semantic_fusion.py's xmix-h)."""
        idx = self.covered
        if not idx:
            return [], []
        rows = [self.c_row[i] for i in idx] + [r for i in idx for r in self.s_rows[i]]
        cos = self.cosines(query_vector, rows)
        raw = []
        for i in idx:
            ctx = cos[self.c_row[i]]
            sent = max((cos[r] for r in self.s_rows[i]), default=ctx)
            raw.append((ctx + sent) / 2)
        lo, hi = min(raw), max(raw)
        span = hi - lo
        return idx, [((v - lo) / span if span > 0 else 1.0) * (heading_weight if self.head[i] else 1.0)
                     for i, v in zip(idx, raw)]

    def identity(self, i: int) -> tuple[str, int, int]:
        """(rel, loc_start, text key) of passage ``i``."""
        return self.map.files[int(self.p_file[i])], int(self.p_loc[i]), int(self.p_tkey[i])


class _NumpyVectorSet:
    """:class:`VectorSet` for a large set (NUMPY_FROM vectors or more): numpy
    arrays, cosines by blocks of int8 rows (the import pays for itself)."""

    def __init__(self, gen: Path) -> None:
        import numpy as np

        self.map = pmap = PassageMap.load(gen)
        chunks = _chunks(gen)
        self.passages = 0 if pmap is None else len(pmap.p_file)
        if pmap is None or not chunks or not self.passages:
            self.covered = np.zeros(0, np.int64)
            return
        keys = np.concatenate([c[0] for _, c in chunks])
        self.scales = np.concatenate([c[1] for _, c in chunks])
        self.q = chunks[0][1][2] if len(chunks) == 1 else np.concatenate([c[2] for _, c in chunks])
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]

        def find(wanted):
            wanted = np.asarray(wanted, "<u8")
            pos = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
            found = sorted_keys[pos] == wanted
            return np.where(found, order[pos], -1)

        self.c_row = find(pmap.p_ckey)
        s_row = find(pmap.s_key)
        s_owner = np.asarray(pmap.s_owner, np.int64)
        ok = self.c_row >= 0
        ok[s_owner[s_row < 0]] = False
        self.covered = np.flatnonzero(ok)
        keep = ok[s_owner]
        so = np.argsort(s_owner[keep], kind="stable")
        self.s_owner = s_owner[keep][so]
        self.s_row = s_row[keep][so]
        self.head = np.asarray(pmap.p_head, bool)
        self.p_file = np.asarray(pmap.p_file, np.int64)
        self.p_loc = np.asarray(pmap.p_loc, np.int64)
        self.p_tkey = np.asarray(pmap.p_tkey, "<u8")

    @property
    def share(self) -> float:
        return len(self.covered) / self.passages if self.passages else 0.0

    def cosines(self, query_vector):
        """Cosine of every stored vector with ``query_vector`` (blockwise)."""
        import numpy as np

        qv = np.asarray(query_vector, np.float32)
        out = np.empty(len(self.scales), np.float32)
        step = 8192  # rows per float32 block: bounds the temporary memory (12 MB)
        for i in range(0, len(out), step):
            out[i:i + step] = (self.q[i:i + step].astype(np.float32) @ qv) * self.scales[i:i + step]
        return out

    def file_of(self, i: int) -> int:
        return int(self.p_file[i])

    def locate(self, fi: int, loc: int, key: int) -> int | None:
        import numpy as np

        lo, hi = np.searchsorted(self.p_file, [fi, fi + 1])
        for i in range(int(lo), int(hi)):
            if self.p_loc[i] == loc and int(self.p_tkey[i]) == key:
                return i
        return None

    def dense(self, query_vector, heading_weight: float):
        idx, norm = self._dense(query_vector, heading_weight)
        return idx.tolist(), norm.tolist()

    def _dense(self, query_vector, heading_weight: float):
        """(passage indices, scores) of the covered passages: the mean of the
        passage-with-heading cosine and the best sentence cosine, min-max
        normalised, headings weighed down (semantic_fusion.py's xmix-h)."""
        import numpy as np

        idx = self.covered
        if not len(idx):
            return idx, np.zeros(0, np.float32)
        cos = self.cosines(query_vector)
        ctx = cos[self.c_row[idx]]
        best = np.full(self.passages, -2.0, np.float32)
        if len(self.s_row):
            starts = np.flatnonzero(np.r_[True, self.s_owner[1:] != self.s_owner[:-1]])
            best[self.s_owner[starts]] = np.maximum.reduceat(cos[self.s_row], starts)
        sent = best[idx]
        sent = np.where(sent < -1.5, ctx, sent)
        raw = (ctx + sent) / 2
        lo, hi = float(raw.min()), float(raw.max())
        norm = (raw - lo) / (hi - lo) if hi > lo else np.ones_like(raw)
        norm = norm * np.where(self.head[idx], heading_weight, 1.0)
        return idx, norm

    def identity(self, i: int) -> tuple[str, int, int]:
        """(rel, loc_start, text key) of passage ``i``."""
        return self.map.files[int(self.p_file[i])], int(self.p_loc[i]), int(self.p_tkey[i])


def _stored_count(gen: Path) -> int:
    """Vectors stored in ``gen``'s chunks (their headers only)."""
    total = 0
    for _, name in _names(gen, _CHUNK):
        try:
            with open(gen / name, "rb") as f:
                if f.read(len(_MAGIC)) == _MAGIC:
                    total += int(json.loads(f.readline()).get("n", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    return total


@lru_cache(maxsize=2)
def _load(gen: str, stamp: tuple):
    path = Path(gen)
    return _NumpyVectorSet(path) if _stored_count(path) >= NUMPY_FROM else VectorSet(path)


def load(gen: Path) -> VectorSet:
    """The vector set of ``gen`` (cached while its files stay the same)."""
    try:
        stamp = tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns)
                             for e in os.scandir(gen) if e.name.startswith(PREFIX)))
    except OSError:
        stamp = ()
    return _load(str(gen), stamp)

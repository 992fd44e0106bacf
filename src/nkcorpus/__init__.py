"""nkcorpus: search Indonesian documents from the terminal, or from Python.

    from nkcorpus import Corpus
    result = Corpus().search("perundingan enam pihak", limit=3)

The pipeline, one folder per stage, dependencies one way:
``ingest`` (files -> text -> passages), ``analysis`` (terms),
``understand`` (query -> plan), ``store`` (index; the engine in
``store/whoosh``), ``search`` (plan -> hits), ``views`` (timeline, key
terms, similar passages), ``render`` and ``cli``.
The library never imports typer or rich (``tests/test_layering.py``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Corpus", "Hit", "IndexStatus", "KeyTerms", "Match", "NkError", "Report", "SearchResult",
           "Timeline", "UpdateReport", "__version__"]

_LAZY = {
    "Corpus": "nkcorpus.api",
    "Hit": "nkcorpus.model",
    "Match": "nkcorpus.model",
    "SearchResult": "nkcorpus.model",
    "Timeline": "nkcorpus.model",
    "KeyTerms": "nkcorpus.model",
    "Report": "nkcorpus.model",
    "NkError": "nkcorpus.errors",
    "IndexStatus": "nkcorpus.store.status",
    "UpdateReport": "nkcorpus.store.update",
}


def __getattr__(name: str):
    """The public names, imported when first used (``import nkcorpus`` stays
    light for the command line)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nkcorpus' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
